// wijkflow verify | stats | rebuild-projections | backup | restore: the data directory as a whole.
#include <CLI/CLI.hpp>
#include <chrono>
#include <filesystem>
#include <fstream>
#include <iomanip>
#include <iostream>
#include <map>

#include "adapters/export/log_jsonl.h"
#include "engine/projection_runner.h"
#include "tools/cli/cli.h"
#include "tools/cli/common.h"

namespace wijkflow::cli {
namespace {

void Verify(const std::string& data) {
  auto o = Open(data);
  VerifyReport r = o->store->Verify();
  std::cout << r.events_checked << " events in " << r.streams_checked << " streams checked\n";
  if (r.ok) {
    std::cout << "ok: every hash chain verifies\n";
    return;
  }
  std::cout << "BROKEN at position " << r.position << ", stream " << r.stream_id << " version "
            << r.stream_version << ": " << r.reason << "\n";
  throw CLI::RuntimeError(1);
}

void Stats(const std::string& data) {
  auto o = Open(data);
  std::map<std::string, uint64_t> by_workflow, by_type;
  std::map<std::string, std::string> streams;  // stream -> workflow
  Status s = o->store->ScanAll(1, [&](const EventEnvelope& e) {
    ++by_workflow[e.workflow()];
    ++by_type[e.event_type()];
    streams.emplace(e.stream_id(), e.workflow());
    return true;
  });
  if (!s.ok()) Fail("read log: " + s.ToString());
  std::map<std::string, uint64_t> instances;
  for (const auto& [s, w] : streams) ++instances[w];
  std::cout << "events: " << o->store->LastPosition() << "\n";
  for (const auto& [w, n] : by_workflow) {
    std::cout << "  " << w << ": " << n << " events, " << instances[w] << " instances\n";
  }
  std::cout << "event types:\n";
  for (const auto& [t, n] : by_type) std::cout << "  " << t << ": " << n << "\n";
  engine::ProjectionRunner runner(o->store.get(), &o->registry);
  std::cout << "projections (checkpoint):\n";
  for (const auto& p : o->registry.projections()) {
    std::cout << "  " << p->Name() << ": " << runner.Checkpoint(p->Name()) << "\n";
  }
  uint64_t bytes = 0;
  for (const auto& f : std::filesystem::recursive_directory_iterator(data)) {
    if (f.is_regular_file()) bytes += f.file_size();
  }
  std::cout << "on disk: " << bytes / (1024 * 1024) << " MiB\n";
}

void RebuildProjections(const std::string& data) {
  auto o = Open(data, /*writable=*/true);
  engine::ProjectionRunner runner(o->store.get(), &o->registry,
                                  engine::ProjectionRunner::ForRebuild());
  const auto t0 = std::chrono::steady_clock::now();
  Status s = runner.RebuildAll();
  if (!s.ok()) Fail("rebuild: " + s.ToString());
  const double seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  for (const auto& p : o->registry.projections()) {
    std::cout << p->Name() << ": rebuilt up to " << runner.Checkpoint(p->Name()) << "\n";
  }
  const uint64_t events = o->store->LastPosition();
  std::cout << events << " events in " << std::fixed << std::setprecision(2) << seconds << " s ("
            << std::setprecision(0) << (seconds > 0 ? events / seconds : 0) << " events/s)\n";
}

void Backup(const std::string& data, const std::string& to) {
  auto o = Open(data);
  Status s = o->store->Checkpoint(to);
  if (!s.ok()) Fail(s.ToString());
  std::cout << "backup of " << o->store->LastPosition() << " events in " << to << "\n";
}

void Restore(const std::string& from, const std::string& data) {
  if (std::filesystem::exists(data) && !std::filesystem::is_empty(data)) {
    Fail(data + " exists and is not empty: restore only into a new directory", 2);
  }
  {
    auto o = Open(from);  // a backup must open and verify before it is restored
    VerifyReport r = o->store->Verify();
    if (!r.ok) Fail("backup does not verify at position " + std::to_string(r.position));
  }
  std::filesystem::create_directories(data);
  std::filesystem::copy(from, data, std::filesystem::copy_options::recursive);
  std::cout << "restored " << from << " into " << data << "\n";
}

void ImportLog(const std::string& data, const std::string& file) {
  if (std::filesystem::exists(data) && !std::filesystem::is_empty(data)) {
    Fail(data + " exists and is not empty: import only into a new directory", 2);
  }
  std::ifstream in(file);
  if (!in) Fail("cannot read " + file, 2);
  std::vector<EventEnvelope> log;
  Status s = exporter::ReadLogJsonl(in, &log);
  if (!s.ok()) Fail(s.ToString(), 2);
  SimulatedClock clock(0);
  StoreOptions options;
  options.clock = &clock;
  std::unique_ptr<EventStore> store;
  s = EventStore::Open(options, data, &store);
  if (s.ok()) s = exporter::Import(log, &clock, store.get());
  if (!s.ok()) Fail(s.ToString());
  std::cout << "imported " << log.size() << " events into " << data << "; every hash reproduced\n";
}

}  // namespace

void AddStoreCommands(CLI::App& app) {
  auto data = std::make_shared<std::string>("data");
  auto target = std::make_shared<std::string>();
  auto add = [&](const char* name, const char* what) {
    auto* c = app.add_subcommand(name, what);
    c->add_option("--data", *data, "data directory")->capture_default_str();
    return c;
  };
  add("verify", "recompute every hash chain; exit 1 naming the first broken link")
      ->callback([data] { Verify(*data); });
  add("stats", "events, instances and projections in a data directory")->callback([data] {
    Stats(*data);
  });
  add("rebuild-projections", "drop and rebuild every projection (not while the server runs)")
      ->callback([data] { RebuildProjections(*data); });
  auto* b = add("backup", "a consistent copy of the data directory (RocksDB checkpoint)");
  b->add_option("--to", *target, "new directory for the backup")->required();
  b->callback([data, target] { Backup(*data, *target); });
  auto* r = add("restore", "restore a backup into a new data directory");
  r->add_option("--from", *target, "the backup directory")->required();
  r->callback([data, target] { Restore(*target, *data); });
  auto* i = add("import", "load an exported log (JSON lines) into a new data directory");
  i->add_option("file", *target, "the log, as written by `export --what log`")->required();
  i->callback([data, target] { ImportLog(*data, *target); });
}

}  // namespace wijkflow::cli
