// wijkflow-bench append: durable appends of one-event commands through the EventStore, from 1, 16
// and 64 concurrent callers, against the raw RocksDB baseline: the same record bytes written as
// synced WriteBatches of 1, 16 and 64 events by one writer. The ratio at 64 callers says how much
// of the disk's synced-write rate the store keeps.
#include <rocksdb/db.h>
#include <rocksdb/write_batch.h>

#include <CLI/CLI.hpp>
#include <atomic>
#include <chrono>
#include <cstdio>
#include <latch>
#include <random>
#include <thread>

#include "events/event_store.h"
#include "events/keys.h"
#include "tools/bench/bench.h"

namespace wijkflow::bench {
namespace {

using Clock = std::chrono::steady_clock;

struct Settings {
  bool quick = false;
  std::string dir;
  int runs = 5;
  std::chrono::milliseconds duration{2000};
  size_t payload_bytes = 300;
  std::vector<int> callers = {1, 16, 64};
  bool sync = true;
  bool baseline = true;
};

struct Run {
  double events_per_s = 0;
  double p50_us = 0;
  double p99_us = 0;
  double cpu_us_per_event = 0;  // user + system time of the whole process, per event
};

std::string Payload(size_t bytes) {
  std::mt19937 rng(42);
  std::string s(bytes, ' ');
  for (char& c : s) c = static_cast<char>('a' + rng() % 26);
  return s;
}

EventEnvelope MakeEvent(const std::string& payload) {
  EventEnvelope e;
  e.set_workflow("initiatives");
  e.set_definition_version(1);
  e.set_event_type("wijkflow.initiatives.Submitted");
  e.set_schema_version(1);
  e.mutable_actor()->set_id("mijn-rotterdam");
  e.mutable_actor()->set_role("intake");
  e.set_correlation_id("corr-0123456789");
  e.set_payload(payload);
  return e;
}

// Each caller appends to streams of its own, 100 events per stream, with exact expected versions
// and a command id per append, as the engine would.
void Caller(EventStore* store, int caller, const std::string& payload, std::latch* start,
            const std::atomic<bool>* stop, std::vector<double>* latencies, uint64_t* appended,
            std::string* error) {
  start->arrive_and_wait();
  const std::string prefix = "initiative-" + std::to_string(caller) + "-";
  for (uint64_t n = 0; !stop->load(std::memory_order_relaxed); ++n) {
    AppendRequest r;
    r.command_id = prefix + std::to_string(n);
    r.streams.push_back({prefix + std::to_string(n / 100), ExpectedVersion::Exact(n % 100), {}});
    r.streams[0].events.push_back(MakeEvent(payload));
    const auto t0 = Clock::now();
    AppendOutcome out = store->Append(std::move(r));
    const auto t1 = Clock::now();
    if (!out.status.ok()) {
      *error = out.status.ToString();
      return;
    }
    latencies->push_back(std::chrono::duration<double, std::micro>(t1 - t0).count());
    ++*appended;
  }
}

Run RunStore(const Settings& settings, int callers, const std::string& payload) {
  ScratchDir dir(settings.dir, "wijkflow-bench-store");
  StoreOptions options;
  options.sync = settings.sync;
  std::unique_ptr<EventStore> store;
  Status s = EventStore::Open(options, dir.path() + "/db", &store);
  if (!s.ok()) throw std::runtime_error("open: " + s.ToString());

  std::latch start(callers + 1);
  std::atomic<bool> stop{false};
  std::vector<std::vector<double>> latencies(callers);
  std::vector<uint64_t> appended(callers, 0);
  std::vector<std::string> errors(callers);
  std::vector<std::thread> threads;
  for (int c = 0; c < callers; ++c) {
    threads.emplace_back(Caller, store.get(), c, std::cref(payload), &start, &stop, &latencies[c],
                         &appended[c], &errors[c]);
  }
  start.arrive_and_wait();
  const auto t0 = Clock::now();
  const double cpu0 = ProcessCpuSeconds();
  std::this_thread::sleep_for(settings.duration);
  stop = true;
  for (auto& t : threads) t.join();
  const double seconds = std::chrono::duration<double>(Clock::now() - t0).count();
  const double cpu = ProcessCpuSeconds() - cpu0;

  std::vector<double> all;
  uint64_t events = 0;
  for (int c = 0; c < callers; ++c) {
    if (!errors[c].empty()) throw std::runtime_error("append failed: " + errors[c]);
    all.insert(all.end(), latencies[c].begin(), latencies[c].end());
    events += appended[c];
  }
  return Run{events / seconds, Percentile(all, 0.5), Percentile(all, 0.99), cpu * 1e6 / events};
}

// One writer, synced batches of `group` records of the size the store writes to its log.
Run RunBaseline(const Settings& settings, int group, const std::string& record) {
  ScratchDir dir(settings.dir, "wijkflow-bench-raw");
  rocksdb::Options options;
  options.create_if_missing = true;
  rocksdb::DB* raw = nullptr;
  rocksdb::Status s = rocksdb::DB::Open(options, dir.path() + "/db", &raw);
  if (!s.ok()) throw std::runtime_error("open raw: " + s.ToString());
  std::unique_ptr<rocksdb::DB> db(raw);

  rocksdb::WriteOptions write_options;
  write_options.sync = settings.sync;
  rocksdb::WriteBatch batch;
  std::vector<double> latencies;
  uint64_t position = 0;
  const auto t0 = Clock::now();
  const double cpu0 = ProcessCpuSeconds();
  const auto deadline = t0 + settings.duration;
  while (Clock::now() < deadline) {
    batch.Clear();
    for (int i = 0; i < group; ++i) {
      if (!batch.Put(keys::PositionKey(++position), record).ok()) throw std::runtime_error("put");
    }
    const auto b0 = Clock::now();
    s = db->Write(write_options, &batch);
    if (!s.ok()) throw std::runtime_error("write raw: " + s.ToString());
    latencies.push_back(std::chrono::duration<double, std::micro>(Clock::now() - b0).count());
  }
  const double seconds = std::chrono::duration<double>(Clock::now() - t0).count();
  const double cpu = ProcessCpuSeconds() - cpu0;
  if (!db->Close().ok()) throw std::runtime_error("close raw");
  return Run{position / seconds, Percentile(latencies, 0.5), Percentile(latencies, 0.99),
             cpu * 1e6 / position};
}

Run MedianRun(const std::vector<Run>& runs) {
  std::vector<double> rate, p50, p99, cpu;
  for (const Run& r : runs) {
    rate.push_back(r.events_per_s);
    p50.push_back(r.p50_us);
    p99.push_back(r.p99_us);
    cpu.push_back(r.cpu_us_per_event);
  }
  return Run{Median(rate), Median(p50), Median(p99), Median(cpu)};
}

void RunAppendBench(const Settings& settings) {
  const std::string payload = Payload(settings.payload_bytes);
  // The baseline writes records of the size the store keeps: envelope, stream id, command id,
  // position, version, time, and the two 32-byte hashes.
  EventEnvelope sample = MakeEvent(payload);
  sample.set_position(1'000'000);
  sample.set_stream_id("initiative-63-1000");
  sample.set_stream_version(100);
  sample.set_command_id("initiative-63-100000");
  sample.mutable_recorded_at()->set_seconds(1'700'000'000);
  const std::string record = sample.SerializeAsString() + std::string(64, 'h');

  std::printf("append: one-event commands, %zu-byte payload (%zu-byte records), sync %s\n",
              settings.payload_bytes, record.size(), settings.sync ? "on" : "OFF");
  std::printf("%d runs of %.1f s per figure, median; latency per Append call / per raw batch\n",
              settings.runs, settings.duration.count() / 1000.0);
  std::fflush(stdout);
  std::vector<std::vector<Run>> store_runs(settings.callers.size()),
      raw_runs(settings.callers.size());
  // Alternate store and baseline so that drift in the disk's speed hits both alike.
  for (int run = 0; run < settings.runs; ++run) {
    for (size_t i = 0; i < settings.callers.size(); ++i) {
      store_runs[i].push_back(RunStore(settings, settings.callers[i], payload));
      if (settings.baseline)
        raw_runs[i].push_back(RunBaseline(settings, settings.callers[i], record));
    }
  }

  std::printf("\n%8s %12s %9s %9s %8s | %9s %12s %9s %8s | %6s\n", "callers", "events/s", "p50 us",
              "p99 us", "cpu us", "raw batch", "raw events/s", "raw p50", "raw cpu", "ratio");
  // The JSON line carries the figures of the most callers (64 by default).
  size_t top = 0;
  for (size_t i = 0; i < settings.callers.size(); ++i) {
    const Run store = MedianRun(store_runs[i]);
    const Run raw = MedianRun(raw_runs[i]);
    std::printf("%8d %12.0f %9.0f %9.0f %8.1f | %9d %12.0f %9.0f %8.1f | %6.2f\n",
                settings.callers[i], store.events_per_s, store.p50_us, store.p99_us,
                store.cpu_us_per_event, settings.callers[i], raw.events_per_s, raw.p50_us,
                raw.cpu_us_per_event, store.events_per_s / raw.events_per_s);
    if (settings.callers[i] > settings.callers[top]) top = i;
  }
  const Run store = MedianRun(store_runs[top]);
  const Run raw = MedianRun(raw_runs[top]);
  JsonLine()
      .Add("bench", "append")
      .Add("callers", int64_t{settings.callers[top]})
      .Add("events_per_s", store.events_per_s)
      .Add("baseline_events_per_s", raw.events_per_s)
      .Add("ratio", store.events_per_s / raw.events_per_s)
      .Add("p50_us", store.p50_us)
      .Add("p99_us", store.p99_us)
      .Print();
}

}  // namespace

AppendFigures MeasureStoreAppend(const std::string& dir, int callers,
                                 std::chrono::milliseconds duration, bool sync) {
  Settings settings;
  settings.dir = dir;
  settings.duration = duration;
  settings.sync = sync;
  const Run r = RunStore(settings, callers, Payload(settings.payload_bytes));
  return AppendFigures{r.events_per_s, r.p50_us, r.p99_us};
}

void AddAppendBench(CLI::App& app) {
  auto settings = std::make_shared<Settings>();
  CLI::App* cmd = app.add_subcommand("append", "durable appends vs raw synced RocksDB batches");
  cmd->add_flag("--quick", settings->quick, "short runs (under 30 s in all)");
  AddDirOption(cmd, &settings->dir);
  AddRunsOption(cmd, &settings->runs, "runs per figure; the median is reported");
  cmd->add_option("--callers", settings->callers, "caller counts to measure (default 1 16 64)")
      ->check(CLI::PositiveNumber);
  cmd->add_flag_callback(
      "--no-sync", [settings] { settings->sync = false; },
      "skip the fsync, in the store and the baseline alike: measures the CPU path only");
  cmd->add_flag_callback(
      "--no-baseline", [settings] { settings->baseline = false; },
      "measure the store only (for profiling); the ratio is then meaningless");
  cmd->callback([settings] {
    Settings s = *settings;
    if (s.quick) {
      s.runs = 3;
      s.duration = std::chrono::milliseconds(600);
    }
    RunOrFail("append", [&] { RunAppendBench(s); });
  });
}

}  // namespace wijkflow::bench
