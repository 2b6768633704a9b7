// wijkflow-bench memory: resident memory after N instances (default 1,000,000) have gone through
// the engine, one Submit each (a new initiative, one event), from 16 threads, with the default
// EngineOptions (instance cache bounded by cache_entries) and StoreOptions (stream heads bounded by
// head_cache_entries). Appends are not synced (StoreOptions::sync = false) to save time; syncing
// changes how long it takes, not what stays in memory.
#include <CLI/CLI.hpp>
#include <atomic>
#include <chrono>
#include <cstdio>
#include <mutex>
#include <thread>

#include "engine/engine.h"
#include "tools/bench/bench.h"
#include "tools/bench/workload.h"
#include "workflows/register_all.h"

namespace wijkflow::bench {
namespace {

using Clock = std::chrono::steady_clock;

struct Settings {
  bool quick = false;
  std::string dir;
  uint64_t instances = 1'000'000;
  int threads = 16;
};

void RunMemoryBench(const Settings& settings) {
  ScratchDir dir(settings.dir, "wijkflow-bench-memory");
  SimulatedClock clock(0);
  engine::WorkflowRegistry registry;
  workflows::RegisterAll(registry);
  StoreOptions options;
  options.clock = &clock;
  options.sync = false;
  std::unique_ptr<EventStore> store;
  Status s = EventStore::Open(options, dir.path() + "/db", &store);
  if (!s.ok()) throw std::runtime_error("open: " + s.ToString());
  const engine::EngineOptions engine_options;
  engine::Engine engine(store.get(), &registry, &clock, engine_options);
  OpenBenchRound(&engine, &clock);
  const double rss0 = ResidentMiB();
  std::printf("memory: %llu instances, one Submit each, %d threads, sync off\n",
              static_cast<unsigned long long>(settings.instances), settings.threads);
  std::printf(
      "cache_entries %zu, head_cache_entries %zu, block cache %zu MiB; RSS before %.0f MiB\n",
      engine_options.cache_entries, options.head_cache_entries, options.block_cache_bytes >> 20,
      rss0);
  std::fflush(stdout);

  std::atomic<uint64_t> next{0};
  std::atomic<bool> failed{false};
  std::string error;
  std::mutex error_mu;
  const auto t0 = Clock::now();
  std::vector<std::thread> threads;
  for (int t = 0; t < settings.threads; ++t) {
    threads.emplace_back([&] {
      for (;;) {
        const uint64_t n = next.fetch_add(1);
        if (n >= settings.instances || failed) return;
        engine::CommandResult r =
            engine.Execute(SubmitRequest(engine, "ini-m-" + std::to_string(n)));
        if (!r.outcome.ok()) {
          std::lock_guard<std::mutex> lock(error_mu);
          error = r.outcome.ToString();
          failed = true;
          return;
        }
        if (n > 0 && n % 200'000 == 0) {
          std::printf("  %llu instances: RSS %.0f MiB\n", static_cast<unsigned long long>(n),
                      ResidentMiB());
          std::fflush(stdout);
        }
      }
    });
  }
  for (auto& t : threads) t.join();
  if (failed) throw std::runtime_error("Submit failed: " + error);
  const double seconds = std::chrono::duration<double>(Clock::now() - t0).count();
  const double rss = ResidentMiB();
  std::printf("\n%12s %10s %12s %12s\n", "instances", "seconds", "RSS before", "RSS after");
  std::printf("%12llu %10.1f %10.0f M %10.0f M\n",
              static_cast<unsigned long long>(settings.instances), seconds, rss0, rss);
  JsonLine()
      .Add("bench", "memory")
      .Add("instances", static_cast<int64_t>(settings.instances))
      .Add("rss_mib", rss)
      .Print();
}

}  // namespace

void AddMemoryBench(CLI::App& app) {
  auto settings = std::make_shared<Settings>();
  CLI::App* cmd = app.add_subcommand("memory", "resident memory after 1,000,000 instances");
  cmd->add_flag("--quick", settings->quick, "100,000 instances");
  cmd->add_option("--instances", settings->instances, "instances to create")
      ->check(CLI::PositiveNumber);
  cmd->add_option("--threads", settings->threads, "submitting threads")->check(CLI::PositiveNumber);
  AddDirOption(cmd, &settings->dir);
  cmd->callback([settings, cmd] {
    Settings s = *settings;
    if (s.quick && cmd->count("--instances") == 0) s.instances = 100'000;
    RunOrFail("memory", [&] { RunMemoryBench(s); });
  });
}

}  // namespace wijkflow::bench
