// The figures of `wijkflow-bench soak`: one window per 10 s, then the whole run's totals, the
// verdicts on memory and p99, and the JSON line.
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <vector>

namespace wijkflow::bench {

struct Window {
  std::vector<double> latencies_ms;
  std::map<int, uint64_t> by_status;
  double seconds = 0;
  double rss_mib = 0;  // the server's, at the end of the window
  double load = 0;     // the machine's 1-minute load average, at the end of the window
};

void PrintWindowHeader();
void PrintWindow(int index, const Window& w);

class Report {
 public:
  void Add(Window w) { windows_.push_back(std::move(w)); }
  // Prints the totals and verdicts, then the JSON line last. `errors`: answers the script did
  // not expect plus connections that broke.
  void Print(double minutes, int connections, uint64_t errors, bool passed) const;

  double rss_start_mib = 0;
  double rss_end_mib = 0;  // after the load, before the stop

 private:
  std::vector<Window> windows_;
};

}  // namespace wijkflow::bench
