// Metrics: counters, gauges and histograms with labels, rendered in the Prometheus text format
// (version 0.0.4). Families are declared once with their help text; series appear on first use.
// Thread-safe; one short lock per update.
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <mutex>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace wijkflow::http {

using Labels = std::vector<std::pair<std::string_view, std::string_view>>;

class Metrics {
 public:
  // Latency buckets in seconds, from half a millisecond to ten seconds.
  static const std::vector<double>& LatencyBuckets();

  void DeclareCounter(std::string name, std::string help);
  void DeclareGauge(std::string name, std::string help);
  void DeclareHistogram(std::string name, std::string help, std::vector<double> bounds);

  // REQUIRES: the family was declared with the matching kind.
  void Add(std::string_view name, const Labels& labels, double delta = 1);
  void Set(std::string_view name, const Labels& labels, double value);
  void Observe(std::string_view name, const Labels& labels, double value);

  // Runs before each Render, e.g. to Set gauges that are cheaper to read than to track.
  void AddCollector(std::function<void(Metrics&)> collector);

  // The exposition text: families in name order, series in label order.
  std::string Render();

 private:
  enum class Type { kCounter, kGauge, kHistogram };
  struct Series {
    double value = 0;               // counter, gauge
    std::vector<uint64_t> buckets;  // histogram: count per bound (not cumulative)
    uint64_t count = 0;
    double sum = 0;
  };
  struct Family {
    Type type;
    std::string help;
    std::vector<double> bounds;
    std::map<std::string, Series> series;  // by rendered labels: a="x",b="y"
  };

  void Declare(std::string name, Type type, std::string help, std::vector<double> bounds);
  Series* Find(std::string_view name, const Labels& labels, Type type);

  std::mutex mu_;
  std::map<std::string, Family, std::less<>> families_;
  std::vector<std::function<void(Metrics&)>> collectors_;
};

}  // namespace wijkflow::http
