// Shared pieces of wijkflow-bench: the subcommand registry, statistics, scratch directories and
// the one-line JSON result every subcommand prints last.
#pragma once

#include <cstdint>
#include <filesystem>
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

 private:
  void Key(const std::string& key);
  std::string body_;
};

}  // namespace wijkflow::bench
