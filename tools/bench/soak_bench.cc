// wijkflow-bench soak: the long mode of the HTTP server, outside CI. It starts the real wijkflowd
// (durable appends, system clock) on a fresh data directory and runs the mixed load of
// soak_mix.h over keep-alive connections for N minutes, with one Server-Sent Events follower of
// the global log. Every 10 s it prints a window: requests per second, p50 and p99 latency of
// that window, answers by status, the server's resident memory and the machine's load.
//
// It fails (exit 1) on any answer the script did not expect (anything but 2xx, the expected 409
// and 422), a broken connection, a server that dies, or a failed check at the end: /readyz ready
// with every projection caught up, the follower saw every position once and in order, each
// finished round's budget holds exactly its grants, a clean SIGTERM exit, and
// `wijkflow verify` on the stopped store. Memory and p99 are judged from the windows and printed
// as verdicts, not asserted: the machine is shared, and a threshold on timing would fail on
// another process's build.
#include <CLI/CLI.hpp>
#include <algorithm>
#include <atomic>
#include <cstdio>
#include <fstream>
#include <mutex>
#include <thread>

#include "adapters/http/client.h"
#include "adapters/http/tokens.h"
#include "tools/bench/bench.h"
#include "tools/bench/soak_checks.h"
#include "tools/bench/soak_mix.h"
#include "tools/bench/soak_report.h"
#include "tools/bench/soak_server.h"

namespace wijkflow::bench {
namespace {

using Clock = std::chrono::steady_clock;
constexpr auto kWindow = std::chrono::seconds(10);

struct Settings {
  double minutes = 10;
  bool quick = false;
  int connections = 16;
  std::string dir;
  std::string bin;  // where wijkflowd and wijkflow are; default: beside wijkflow-bench
};

// What the connections saw since the last window was taken; they add, the sampler takes.
class Tally {
 public:
  void Add(int status, double ms, bool accepted, const std::string& what) {
    std::lock_guard<std::mutex> lock(mu_);
    current_.latencies_ms.push_back(ms);
    ++current_.by_status[status];
    if (!accepted && ++unexpected_ <= 5) std::fprintf(stderr, "unexpected: %s\n", what.c_str());
  }
  Window Take() {
    std::lock_guard<std::mutex> lock(mu_);
    Window w = std::move(current_);
    current_ = {};
    return w;
  }
  uint64_t unexpected() const {
    std::lock_guard<std::mutex> lock(mu_);
    return unexpected_;
  }

 private:
  mutable std::mutex mu_;
  Window current_;
  uint64_t unexpected_ = 0;
};

struct Shared {
  uint16_t port = 0;
  std::atomic<bool> stop{false};
  std::atomic<int> broken{0};  // connections lost before the end
  Tally tally;
  std::vector<uint64_t> cycles_done;  // per connection; read after the joins
};

// One keep-alive connection running the mix until `stop`, then finishing its request in flight.
void RunConnection(Shared* shared, int conn) {
  auto client = http::HttpClient::Connect("127.0.0.1", shared->port);
  if (!client) {
    ++shared->broken;
    return;
  }
  uint64_t last_position = 0;  // of this connection's last write
  for (uint64_t cycle = 0; !shared->stop; ++cycle) {
    for (const SoakRequest& r : SoakCycle(conn, cycle, SystemClock::Default()->Now())) {
      if (shared->stop) return;
      std::vector<std::pair<std::string, std::string>> headers = {
          {"Authorization", "Bearer " + r.token}};
      if (r.method == "POST") {
        headers.insert(headers.end(), {{"Content-Type", "application/json"},
                                       {"X-Actor-Role", r.role},
                                       {"Idempotency-Key", r.key}});
      }
      const std::string target =
          r.target + (r.own_write ? "&minPosition=" + std::to_string(last_position) : "");
      http::ClientResponse out;
      const auto t0 = Clock::now();
      if (!client->Request(r.method, target, headers, r.body, &out)) {
        std::fprintf(stderr, "connection %d: %s %s: %s\n", conn, r.method.c_str(), r.target.c_str(),
                     client->error().c_str());
        ++shared->broken;
        return;
      }
      const double ms = std::chrono::duration<double, std::milli>(Clock::now() - t0).count();
      if (r.method == "POST" && out.status / 100 == 2) {
        if (const uint64_t p = NumberAfter(out.body, "lastPosition")) last_position = p;
      }
      const bool expected = r.Accepts(out.status);
      shared->tally.Add(out.status, ms, expected,
                        expected
                            ? std::string()
                            : r.method + " " + r.target + " expected " + std::to_string(r.expect) +
                                  ", got " + std::to_string(out.status) + " " + out.body);
    }
    shared->cycles_done[static_cast<size_t>(conn)] = cycle + 1;
  }
}

// Follows /v1/events as Server-Sent Events from position 1 until the server closes the stream.
struct Follower {
  std::atomic<uint64_t> last{0};
  std::atomic<uint64_t> out_of_order{0};  // an id that is not the previous one plus one
  std::string error;

  void Run(uint16_t port) {
    auto c = http::HttpClient::Connect("127.0.0.1", port, &error);
    if (!c) return;
    c->set_timeout(std::chrono::minutes(2));  // heartbeats keep a quiet stream alive
    http::ClientResponse head;
    if (!c->SendRequest(
            "GET", "/v1/events?from=1",
            {{"Authorization", "Bearer " + SoakAuditorToken()}, {"Accept", "text/event-stream"}},
            "") ||
        !c->ReadResponseHeader(&head) || head.status != 200) {
      error = "the event stream did not start: " + std::to_string(head.status) + c->error();
      return;
    }
    http::SseEvent e;
    while (c->ReadEvent(&e)) {
      if (e.id.empty()) continue;  // every event of the log carries its position
      const uint64_t id = std::stoull(e.id);
      if (id != last + 1) ++out_of_order;
      last = id;
    }
  }
};

void WriteTokens(const std::string& path) {
  std::ofstream tokens(path);
  for (const auto& [token, principal] : SoakSystems()) {
    tokens << http::TokenLine(token, principal) << "\n";
  }
}

void RunSoak(const Settings& s) {
  ScratchDir scratch(s.dir, "wijkflow-soak");
  const std::string bin = s.bin.empty() ? OwnBinDir() : s.bin;
  const std::string data = scratch.path() + "/data", log = scratch.path() + "/wijkflowd.log";
  WriteTokens(scratch.path() + "/tokens");
  ServerProcess server;
  server.Start(bin + "/wijkflowd",
               {"--data", data, "--tokens", scratch.path() + "/tokens", "--log-level", "warn"},
               log);
  const int windows = std::max(1, static_cast<int>(s.minutes * 6 + 0.5));
  std::printf(
      "wijkflow-bench soak: wijkflowd pid %d, %d keep-alive connections and an event-stream "
      "follower, %d windows of 10 s\n",
      static_cast<int>(server.pid()), s.connections, windows);
  PrintWindowHeader();

  Shared shared;
  shared.port = server.port();
  shared.cycles_done.assign(static_cast<size_t>(s.connections), 0);
  Follower follower;
  std::thread follow([&] { follower.Run(server.port()); });
  std::vector<std::thread> conns;
  for (int c = 0; c < s.connections; ++c) conns.emplace_back(RunConnection, &shared, c);

  Report report;
  report.rss_start_mib = server.ResidentMiB();
  auto next = Clock::now();
  for (int w = 0; w < windows && server.Alive() && shared.broken == 0; ++w) {
    next += kWindow;
    std::this_thread::sleep_until(next);
    Window window = shared.tally.Take();
    window.seconds = std::chrono::duration<double>(kWindow).count();
    window.rss_mib = server.ResidentMiB();
    window.load = LoadAverage();
    PrintWindow(w, window);
    report.Add(std::move(window));
  }
  shared.stop = true;
  for (auto& t : conns) t.join();

  std::vector<std::string> failures;
  const bool alive = server.Alive();
  if (!alive) failures.push_back("wijkflowd died: " + server.exit_note());
  if (shared.broken > 0) failures.push_back(std::to_string(shared.broken) + " connections broke");
  if (shared.tally.unexpected() > 0) {
    failures.push_back(std::to_string(shared.tally.unexpected()) + " unexpected answers");
  }
  if (alive) {
    CheckAtEnd(server.port(), shared.cycles_done, &follower.last, &failures);
    if (follower.out_of_order > 0) {
      failures.push_back("the event stream skipped or repeated a position " +
                         std::to_string(follower.out_of_order) + " times");
    }
    report.rss_end_mib = server.ResidentMiB();
    const int code = server.Stop();
    if (code != 0) failures.push_back("wijkflowd stopped with " + server.exit_note());
  }
  follow.join();
  if (!follower.error.empty()) failures.push_back("event stream: " + follower.error);
  std::printf("wijkflow verify --data DIR:\n");
  std::fflush(stdout);
  if (RunToCompletion(bin + "/wijkflow", {"verify", "--data", data}) != 0) {
    failures.push_back("wijkflow verify failed");
  }
  report.Print(s.minutes, s.connections,
               shared.tally.unexpected() + static_cast<uint64_t>(shared.broken.load()),
               failures.empty());
  if (!failures.empty()) {
    std::fprintf(stderr, "server log (tail):\n%s\n", Tail(log, 3000).c_str());
    std::string all;
    for (const auto& f : failures) all += (all.empty() ? "" : "; ") + f;
    throw std::runtime_error(all);
  }
}

}  // namespace

void AddSoakBench(CLI::App& app) {
  auto settings = std::make_shared<Settings>();
  CLI::App* cmd = app.add_subcommand(
      "soak", "long mode: N minutes of mixed load on a real wijkflowd, checked at the end");
  cmd->add_option("--minutes", settings->minutes, "length of the load")
      ->check(CLI::PositiveNumber)
      ->capture_default_str();
  cmd->add_flag("--quick", settings->quick, "one minute");
  AddDirOption(cmd, &settings->dir);
  cmd->add_option("--connections", settings->connections, "keep-alive connections")
      ->check(CLI::PositiveNumber)
      ->capture_default_str();
  cmd->add_option("--bin", settings->bin,
                  "directory of wijkflowd and wijkflow (default: beside wijkflow-bench)");
  cmd->callback([settings] {
    Settings s = *settings;
    if (s.quick) s.minutes = 1;
    RunOrFail("soak", [&] { RunSoak(s); });
  });
}

}  // namespace wijkflow::bench
