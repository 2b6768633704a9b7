// Shared pieces of wijkflow-bench: the subcommand registry, statistics, scratch directories and
// the one-line JSON result every subcommand prints last.
#pragma once

#include <chrono>
#include <cstdint>
#include <filesystem>
#include <functional>
#include <string>
#include <utility>
#include <vector>

namespace CLI {
class App;
}

namespace wijkflow::bench {

// Each subcommand lives in a file of its own and adds itself to the app with one of these; main.cc
// calls them all. A subcommand's callback throws CLI::RuntimeError(code) to fail.
void AddAppendBench(CLI::App& app);
void AddHttpBench(CLI::App& app);
void AddCommandBench(CLI::App& app);
void AddReplayBench(CLI::App& app);
void AddRestartBench(CLI::App& app);
void AddMemoryBench(CLI::App& app);
void AddSoakBench(CLI::App& app);

// One run of the append benchmark's store measurement (append_bench.cc): `callers` threads
// appending one-event commands (300-byte payload) to streams of their own for `duration`, into a
// fresh store under `dir` (temp dir when empty).
struct AppendFigures {
  double events_per_s = 0;
  double p50_us = 0;  // per Append call
  double p99_us = 0;
};
AppendFigures MeasureStoreAppend(const std::string& dir, int callers,
                                 std::chrono::milliseconds duration, bool sync);

// Options several subcommands share: --dir, where scratch data goes (default: the temp dir), and
// --runs, how many runs the median is taken over (`help` says what a run is).
void AddDirOption(CLI::App* cmd, std::string* dir);
void AddRunsOption(CLI::App* cmd, int* runs, const std::string& help);

// Runs a subcommand's body; an exception is printed as "<name>: <what>" and becomes exit status 1.
void RunOrFail(const char* name, const std::function<void()>& body);

// Seconds since `t0` on the steady clock.
double SecondsSince(std::chrono::steady_clock::time_point t0);
// CPU seconds of the whole process, every thread (RocksDB's too): steadier than wall time on a
// shared machine, so benchmarks print it beside the wall time.
double ProcessCpuSeconds();

// The median of `values` (0 for none).
double Median(std::vector<double> values);
// The q-quantile (0..1) of `values`, nearest rank (0 for none).
double Percentile(std::vector<double> values, double q);

// A fresh directory under `parent` (the system temp dir when empty), removed with its contents on
// destruction.
class ScratchDir {
 public:
  explicit ScratchDir(const std::string& parent, const std::string& prefix);
  ~ScratchDir();
  ScratchDir(const ScratchDir&) = delete;
  ScratchDir& operator=(const ScratchDir&) = delete;
  std::string path() const { return path_.string(); }

 private:
  std::filesystem::path path_;
};

// A flat JSON object built field by field, printed on one line.
class JsonLine {
 public:
  JsonLine& Add(const std::string& key, const std::string& value);
  JsonLine& Add(const std::string& key, double value);
  JsonLine& Add(const std::string& key, int64_t value);
  std::string str() const { return "{" + body_ + "}"; }
  // Prints it as the subcommand's last line, and flushes.
  void Print() const;

 private:
  void Key(const std::string& key);
  std::string body_;
};

}  // namespace wijkflow::bench
