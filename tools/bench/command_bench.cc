// wijkflow-bench command: durable commands end to end (authorise, load, decide, machine check,
// synced append) from 64 concurrent submitters, each submitting new initiatives of its own (one
// event per command), against the store's own append rate with as many callers (the append
// benchmark's measurement), alternating in the same run. The ratio says how much of the store's
// throughput survives the engine's work per command.
#include <CLI/CLI.hpp>
#include <atomic>
#include <chrono>
#include <cstdio>
#include <latch>
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
  int runs = 5;
  int callers = 64;
  std::chrono::milliseconds duration{2000};
};

struct Run {
  double commands_per_s = 0;
  double events_per_s = 0;
  double p50_us = 0;
  double p99_us = 0;
};

void Submitter(engine::Engine* engine, int caller, std::latch* start, const std::atomic<bool>* stop,
               std::vector<double>* latencies, uint64_t* done, std::string* error) {
  start->arrive_and_wait();
  const std::string prefix = "ini-bench-" + std::to_string(caller) + "-";
  for (uint64_t n = 0; !stop->load(std::memory_order_relaxed); ++n) {
    engine::CommandRequest r = SubmitRequest(*engine, prefix + std::to_string(n));
    const auto t0 = Clock::now();
    engine::CommandResult result = engine->Execute(std::move(r));
    const auto t1 = Clock::now();
    if (!result.outcome.ok()) {
      *error = result.outcome.ToString();
      return;
    }
    latencies->push_back(std::chrono::duration<double, std::micro>(t1 - t0).count());
    ++*done;
  }
}

Run RunCommands(const Settings& settings) {
  ScratchDir dir(settings.dir, "wijkflow-bench-command");
  SimulatedClock clock(0);
  engine::WorkflowRegistry registry;
  workflows::RegisterAll(registry);
  StoreOptions options;
  options.clock = &clock;
  options.sync = true;
  std::unique_ptr<EventStore> store;
  Status s = EventStore::Open(options, dir.path() + "/db", &store);
  if (!s.ok()) throw std::runtime_error("open: " + s.ToString());
  engine::Engine engine(store.get(), &registry, &clock);
  OpenBenchRound(&engine, &clock);

  const int n = settings.callers;
  std::latch start(n + 1);
  std::atomic<bool> stop{false};
  std::vector<std::vector<double>> latencies(n);
  std::vector<uint64_t> done(n, 0);
  std::vector<std::string> errors(n);
  std::vector<std::thread> threads;
  for (int c = 0; c < n; ++c) {
    threads.emplace_back(Submitter, &engine, c, &start, &stop, &latencies[c], &done[c], &errors[c]);
  }
  const uint64_t position0 = store->LastPosition();
  start.arrive_and_wait();
  const auto t0 = Clock::now();
  std::this_thread::sleep_for(settings.duration);
  stop = true;
  for (auto& t : threads) t.join();
  const double seconds = std::chrono::duration<double>(Clock::now() - t0).count();
  const uint64_t events = store->LastPosition() - position0;

  std::vector<double> all;
  uint64_t commands = 0;
  for (int c = 0; c < n; ++c) {
    if (!errors[c].empty()) throw std::runtime_error("command failed: " + errors[c]);
    all.insert(all.end(), latencies[c].begin(), latencies[c].end());
    commands += done[c];
  }
  return Run{commands / seconds, events / seconds, Percentile(all, 0.5), Percentile(all, 0.99)};
}

void RunCommandBench(const Settings& settings) {
  std::printf(
      "command: Submit of a new initiative (one event), %d concurrent submitters, sync on\n",
      settings.callers);
  std::printf("baseline: the store's Append of one-event commands, %d callers (as `append`)\n",
              settings.callers);
  std::printf("%d runs of %.1f s each, alternating, median; latency per Execute / Append call\n",
              settings.runs, settings.duration.count() / 1000.0);
  std::fflush(stdout);
  std::vector<double> cps, eps, p50, p99, base, base_p50, base_p99;
  for (int run = 0; run < settings.runs; ++run) {
    const Run r = RunCommands(settings);
    const AppendFigures a =
        MeasureStoreAppend(settings.dir, settings.callers, settings.duration, /*sync=*/true);
    std::printf("  run %d: %8.0f commands/s (p50 %6.0f us) | append %8.0f events/s | %.2f\n",
                run + 1, r.commands_per_s, r.p50_us, a.events_per_s,
                r.commands_per_s / a.events_per_s);
    std::fflush(stdout);
    cps.push_back(r.commands_per_s);
    eps.push_back(r.events_per_s);
    p50.push_back(r.p50_us);
    p99.push_back(r.p99_us);
    base.push_back(a.events_per_s);
    base_p50.push_back(a.p50_us);
    base_p99.push_back(a.p99_us);
  }
  const double ratio = Median(cps) / Median(base);
  std::printf("\n%8s %12s %12s %9s %9s | %14s %9s %9s | %6s\n", "callers", "commands/s", "events/s",
              "p50 us", "p99 us", "append evts/s", "p50 us", "p99 us", "ratio");
  std::printf("%8d %12.0f %12.0f %9.0f %9.0f | %14.0f %9.0f %9.0f | %6.2f\n", settings.callers,
              Median(cps), Median(eps), Median(p50), Median(p99), Median(base), Median(base_p50),
              Median(base_p99), ratio);
  JsonLine()
      .Add("bench", "command")
      .Add("callers", int64_t{settings.callers})
      .Add("commands_per_s", Median(cps))
      .Add("events_per_s", Median(eps))
      .Add("baseline_events_per_s", Median(base))
      .Add("ratio", ratio)
      .Add("p50_us", Median(p50))
      .Add("p99_us", Median(p99))
      .Print();
}

}  // namespace

void AddCommandBench(CLI::App& app) {
  auto settings = std::make_shared<Settings>();
  CLI::App* cmd =
      app.add_subcommand("command", "durable commands end to end vs the store's appends");
  cmd->add_flag("--quick", settings->quick, "short runs (under 30 s in all)");
  AddDirOption(cmd, &settings->dir);
  AddRunsOption(cmd, &settings->runs, "runs per figure; the median is reported");
  cmd->add_option("--callers", settings->callers, "concurrent submitters (default 64)")
      ->check(CLI::PositiveNumber);
  cmd->callback([settings] {
    Settings s = *settings;
    if (s.quick) {
      s.runs = 3;
      s.duration = std::chrono::milliseconds(1000);
    }
    RunOrFail("command", [&] { RunCommandBench(s); });
  });
}

}  // namespace wijkflow::bench
