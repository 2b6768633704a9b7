// wijkflow-bench replay: how fast every projection is rebuilt from the log. A log of about N events
// (default 1,000,000) is generated through the engine by the simulation (not timed, no fsync); its
// projections are caught up; then, timed, every projection is rebuilt as `wijkflow
// rebuild-projections` does it: ProjectionRunner::RebuildAll with the options ForRebuild, one
// pass of the log for all of them, models and checkpoints committed per chunk. The baseline, in
// the same run, is the raw scan of the same log the runner reads it with: EventStore::ScanAll,
// each envelope decoded, nothing else done. Each rebuild and each scan starts once the store's
// background work is done (the compaction of the tables the rebuild before ingested, say), so
// that it has the machine to itself. With --data, an existing store (say, a copy of a production
// one) is used instead of a generated log: its projections are rebuilt, as `wijkflow
// rebuild-projections` would.
#include <CLI/CLI.hpp>
#include <chrono>
#include <cstdio>
#include <optional>

#include "engine/engine.h"
#include "engine/projection_runner.h"
#include "events/store_maintenance.h"
#include "tools/bench/bench.h"
#include "tools/simulate/simulation.h"
#include "workflows/register_all.h"

namespace wijkflow::bench {
namespace {

using Clock = std::chrono::steady_clock;

struct Settings {
  bool quick = false;
  std::string dir;
  std::string data;  // an existing store, instead of a generated one
  uint64_t events = 1'000'000;
  int runs = 3;
};

// Waits for the store's flushes and compactions, so that a measurement has the machine to itself.
void Quiet(EventStore& store) {
  Status s = store.Maintenance().WaitForBackgroundWork();
  if (!s.ok()) throw std::runtime_error("wait for background work: " + s.ToString());
}

// Reads the whole log; returns the number of events read.
uint64_t Scan(const EventStore& store) {
  uint64_t n = 0;
  Status s = store.ScanAll(1, [&](const EventEnvelope&) {
    ++n;
    return true;
  });
  if (!s.ok()) throw std::runtime_error("scan: " + s.ToString());
  return n;
}

void RunReplayBench(const Settings& settings) {
  std::optional<ScratchDir> scratch;
  if (settings.data.empty()) scratch.emplace(settings.dir, "wijkflow-bench-replay");
  SimulatedClock clock(0);
  engine::WorkflowRegistry registry;
  workflows::RegisterAll(registry);
  StoreOptions options;
  options.clock = &clock;
  options.sync = false;  // generated data
  options.create_if_missing = settings.data.empty();
  std::unique_ptr<EventStore> store;
  Status s = EventStore::Open(options, scratch ? scratch->path() + "/db" : settings.data, &store);
  if (!s.ok()) throw std::runtime_error("open: " + s.ToString());

  auto t0 = Clock::now();
  if (scratch) {
    std::printf("replay: generating about %llu events with the simulation (not timed)\n",
                static_cast<unsigned long long>(settings.events));
    std::fflush(stdout);
    engine::Engine engine(store.get(), &registry, &clock);
    simulation::Options sim;
    sim.events = settings.events;
    simulation::Report report;
    s = simulation::Simulate(sim, &engine, &clock, &report);
    if (!s.ok()) throw std::runtime_error("simulate: " + s.ToString());
  }
  const uint64_t events = store->LastPosition();
  const double generate_s = SecondsSince(t0);
  auto runner = std::make_unique<engine::ProjectionRunner>(store.get(), &registry);
  t0 = Clock::now();
  s = runner->CatchUp();
  if (!s.ok()) throw std::runtime_error("catch up: " + s.ToString());
  const double catchup_s = SecondsSince(t0);
  std::printf("%s %llu events", scratch ? "generated" : "the store holds",
              static_cast<unsigned long long>(events));
  if (scratch) std::printf(" in %.1f s", generate_s);
  std::printf("; first catch-up of %zu projections (one pass) %.2f s\n",
              registry.projections().size(), catchup_s);
  std::printf("%d runs, median; rebuild = ProjectionRunner::RebuildAll (one pass, all of them)\n",
              settings.runs);
  std::printf("baseline = EventStore::ScanAll of the same log, envelopes decoded\n\n");
  std::printf("%4s %10s %8s %12s %8s %8s %12s %6s\n", "run", "rebuild s", "cpu s", "events/s",
              "scan s", "cpu s", "events/s", "ratio");
  std::fflush(stdout);

  std::vector<double> rates, base_rates;
  for (int run = 0; run < settings.runs; ++run) {
    // A fresh runner, as `wijkflow rebuild-projections` starts with: no cache to tear down.
    runner = std::make_unique<engine::ProjectionRunner>(store.get(), &registry,
                                                        engine::ProjectionRunner::ForRebuild());
    Quiet(*store);
    t0 = Clock::now();
    double cpu0 = ProcessCpuSeconds();
    s = runner->RebuildAll();
    if (!s.ok()) throw std::runtime_error("rebuild: " + s.ToString());
    const double rebuild_s = SecondsSince(t0);
    const double rebuild_cpu = ProcessCpuSeconds() - cpu0;
    for (const auto& p : registry.projections()) {
      if (runner->Checkpoint(p->Name()) != events)
        throw std::runtime_error("rebuild stopped short");
    }
    Quiet(*store);
    t0 = Clock::now();
    cpu0 = ProcessCpuSeconds();
    if (Scan(*store) != events) throw std::runtime_error("scan read a different log");
    const double scan_s = SecondsSince(t0);
    const double scan_cpu = ProcessCpuSeconds() - cpu0;
    rates.push_back(events / rebuild_s);
    base_rates.push_back(events / scan_s);
    std::printf("%4d %10.2f %8.2f %12.0f %8.2f %8.2f %12.0f %6.2f\n", run + 1, rebuild_s,
                rebuild_cpu, events / rebuild_s, scan_s, scan_cpu, events / scan_s,
                (events / rebuild_s) / (events / scan_s));
    std::fflush(stdout);
  }
  const double rate = Median(rates);
  const double base = Median(base_rates);
  JsonLine()
      .Add("bench", "replay")
      .Add("events", static_cast<int64_t>(events))
      .Add("events_per_s", rate)
      .Add("baseline_events_per_s", base)
      .Add("ratio", rate / base)
      .Print();
}

}  // namespace

void AddReplayBench(CLI::App& app) {
  auto settings = std::make_shared<Settings>();
  CLI::App* cmd = app.add_subcommand("replay", "rebuild every projection vs a scan of the log");
  cmd->add_flag("--quick", settings->quick, "a log of 100,000 events, 5 runs (under 60 s in all)");
  cmd->add_option("--events", settings->events, "about this many events in the log")
      ->check(CLI::PositiveNumber);
  AddDirOption(cmd, &settings->dir);
  cmd->add_option("--data", settings->data,
                  "an existing store to rebuild the projections of, instead of a generated log")
      ->check(CLI::ExistingDirectory);
  AddRunsOption(cmd, &settings->runs, "timed runs; the median is reported");
  cmd->callback([settings, cmd] {
    Settings s = *settings;
    if (s.quick) {
      if (cmd->count("--events") == 0) s.events = 100'000;
      if (cmd->count("--runs") == 0) s.runs = 5;  // short runs vary more: a median of more
    }
    RunOrFail("replay", [&] { RunReplayBench(s); });
  });
}

}  // namespace wijkflow::bench
