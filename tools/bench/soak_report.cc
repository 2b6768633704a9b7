#include "tools/bench/soak_report.h"

#include <algorithm>
#include <cstdio>

#include "tools/bench/bench.h"

namespace wijkflow::bench {
namespace {

// Memory is "bounded" when the last third's peak is within this of the middle third's: the
// first third is left out, as the store's memtables and caches fill during it.
constexpr double kMemoryGrowth = 1.10;
// p99 is "stable" when the last third's median window p99 is within this factor of the first
// third's: loose, because the machine is shared and the soak measures drift, not speed.
constexpr double kP99Growth = 2.0;

uint64_t Count(const Window& w, int from, int to) {  // statuses in [from, to)
  uint64_t n = 0;
  for (const auto& [status, count] : w.by_status) {
    if (status >= from && status < to) n += count;
  }
  return n;
}

uint64_t Requests(const Window& w) { return w.latencies_ms.size(); }

}  // namespace

void PrintWindowHeader() {
  std::printf("%6s %9s %8s %8s %8s %7s %7s %6s %9s %6s\n", "t s", "req/s", "p50 ms", "p99 ms",
              "2xx", "409", "422", "other", "RSS MiB", "load");
}

void PrintWindow(int index, const Window& w) {
  const uint64_t n = Requests(w);
  std::printf("%6.0f %9.0f %8.2f %8.2f %8llu %7llu %7llu %6llu %9.1f %6.2f\n",
              (index + 1) * w.seconds, static_cast<double>(n) / w.seconds,
              Percentile(w.latencies_ms, 0.5), Percentile(w.latencies_ms, 0.99),
              static_cast<unsigned long long>(Count(w, 200, 300)),
              static_cast<unsigned long long>(Count(w, 409, 410)),
              static_cast<unsigned long long>(Count(w, 422, 423)),
              static_cast<unsigned long long>(n - Count(w, 200, 300) - Count(w, 409, 410) -
                                              Count(w, 422, 423)),
              w.rss_mib, w.load);
  std::fflush(stdout);
}

void Report::Print(double minutes, int connections, uint64_t errors, bool passed) const {
  const size_t n = windows_.size();
  std::vector<double> all, p99s, rss, load;
  uint64_t ok = 0, conflict = 0, rule = 0;
  double seconds = 0;
  for (const Window& w : windows_) {
    all.insert(all.end(), w.latencies_ms.begin(), w.latencies_ms.end());
    p99s.push_back(Percentile(w.latencies_ms, 0.99));
    rss.push_back(w.rss_mib);
    load.push_back(w.load);
    ok += Count(w, 200, 300);
    conflict += Count(w, 409, 410);
    rule += Count(w, 422, 423);
    seconds += w.seconds;
  }
  // Thirds of the windows: [0, a), [a, b), [b, n).
  const size_t a = std::max<size_t>(1, n / 3), b = std::max(a, 2 * n / 3);
  auto slice = [](const std::vector<double>& v, size_t from, size_t to) {
    return std::vector<double>(v.begin() + static_cast<long>(std::min(from, v.size())),
                               v.begin() + static_cast<long>(std::min(to, v.size())));
  };
  auto max_of = [](const std::vector<double>& v) {
    return v.empty() ? 0.0 : *std::max_element(v.begin(), v.end());
  };
  const double rss_mid = max_of(slice(rss, a, b)), rss_last = max_of(slice(rss, b, n));
  const double p99_first = Median(slice(p99s, 0, a)), p99_last = Median(slice(p99s, b, n));
  const bool bounded = rss_last <= rss_mid * kMemoryGrowth;
  const bool stable = p99_last <= p99_first * kP99Growth;

  std::printf("requests %zu (%.0f/s): 2xx %llu, 409 %llu, 422 %llu; p50 %.2f ms, p99 %.2f ms\n",
              all.size(), seconds > 0 ? static_cast<double>(all.size()) / seconds : 0.0,
              static_cast<unsigned long long>(ok), static_cast<unsigned long long>(conflict),
              static_cast<unsigned long long>(rule), Percentile(all, 0.5), Percentile(all, 0.99));
  std::printf(
      "memory: %s (RSS %.1f MiB at the start, peak of the middle third %.1f, of the last "
      "third %.1f, %.1f after the load)\n",
      bounded ? "bounded" : "GROWING", rss_start_mib, rss_mid, rss_last, rss_end_mib);
  std::printf(
      "p99: %s (median window p99 %.2f ms in the first third, %.2f ms in the last; "
      "load average %.1f to %.1f)\n",
      stable ? "stable" : "RISING", p99_first, p99_last,
      load.empty() ? 0.0 : *std::min_element(load.begin(), load.end()), max_of(load));
  std::printf("result: %s\n", passed ? "pass" : "FAIL");
  JsonLine j;
  j.Add("bench", std::string("soak"))
      .Add("minutes", minutes)
      .Add("connections", int64_t{connections})
      .Add("requests", static_cast<int64_t>(all.size()))
      .Add("per_s", seconds > 0 ? static_cast<double>(all.size()) / seconds : 0.0)
      .Add("errors", static_cast<int64_t>(errors))
      .Add("status_409", static_cast<int64_t>(conflict))
      .Add("status_422", static_cast<int64_t>(rule))
      .Add("p50_ms", Percentile(all, 0.5))
      .Add("p99_ms", Percentile(all, 0.99))
      .Add("p99_ms_first", p99s.empty() ? 0.0 : p99s.front())
      .Add("p99_ms_last", p99s.empty() ? 0.0 : p99s.back())
      .Add("p99_ms_max_window", max_of(p99s))
      .Add("p99_ms_first_third", p99_first)
      .Add("p99_ms_last_third", p99_last)
      .Add("p99", std::string(stable ? "stable" : "rising"))
      .Add("rss_mib_start", rss_start_mib)
      .Add("rss_mib_end", rss_end_mib)
      .Add("rss_mib_max", max_of(rss))
      .Add("rss_mib_middle_third_max", rss_mid)
      .Add("rss_mib_last_third_max", rss_last)
      .Add("memory", std::string(bounded ? "bounded" : "growing"))
      .Add("load_max", max_of(load))
      .Add("result", std::string(passed ? "pass" : "fail"));
  j.Print();
}

}  // namespace wijkflow::bench
