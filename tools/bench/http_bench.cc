// wijkflow-bench http: the HTTP server end to end. It starts wijkflowd's service in-process (every
// workflow registered, a fresh data directory, durable appends, the system clock), opens a subsidy
// round through the API, and then drives 64 keep-alive connections (its own client: one thread on
// epoll, so that the load driver takes little of the CPU it measures), in three phases of the same
// length against the same server:
//   commands  POST /v1/initiatives/{new id}/commands/Submit (paper intake by Opzoomer Mee, as in
//             `wijkflow-bench command`: one event and a deadline timer, appended durably)
//   state     GET /v1/initiatives/{a submitted id}
//   healthz   GET /healthz (the server's floor: routing and HTTP only)
// It prints req/s, p50 and p99 (and CPU per request) per phase and run, their medians over the
// runs, and last a JSON line with "commands_per_s", "p99_ms" (of the commands) and "ratio"
// (commands per second over healthz per second), all medians.
#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <spdlog/spdlog.h>
#include <strings.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include <CLI/CLI.hpp>
#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdio>
#include <fstream>
#include <random>

#include "adapters/http/client.h"
#include "adapters/http/json.h"
#include "adapters/http/log.h"
#include "adapters/http/service.h"
#include "adapters/http/tokens.h"
#include "tools/bench/bench.h"
#include "workflows/register_all.h"

namespace wijkflow::bench {
namespace {

using Clock = std::chrono::steady_clock;

struct Settings {
  bool quick = false;
  std::string dir;
  int connections = 64;
  int runs = 3;         // the figures are the medians of the runs
  double seconds = 10;  // per phase
  size_t workers = 0;   // 0: the server's default
  size_t threads = 0;   // network threads; 0: one per core
  std::vector<std::string> phases = {"commands", "state", "healthz"};
  std::string log_level = "warn";  // "info" logs every request (JSON, to stderr)
};

struct Phase {
  std::string name;
  uint64_t requests = 0;
  uint64_t errors = 0;
  double per_s = 0;
  double p50_ms = 0;
  double p99_ms = 0;
  double cpu_us = 0;  // process CPU (server and load driver) per request
  std::string first_error;
};

const std::string kToken = "bench-intake-token";
const std::string kExecutiveToken = "bench-executive-token";
const std::string kDistrict = "feijenoord";
const std::string kRound = "feijenoord-bench";

// What one connection sends: the n-th request of connection c. Returns the expected status.
using MakeRequest = std::function<int(int c, uint64_t n, std::string* method, std::string* target,
                                      std::string* body)>;

// One keep-alive connection of the load driver: a small state machine on a non-blocking socket.
struct Conn {
  int fd = -1;
  int index = 0;
  uint64_t n = 0;  // requests sent
  int want = 0;    // the status the request in flight expects
  std::string target;
  std::string out;
  std::string in;
  Clock::time_point t0;
};

int ConnectSocket(uint16_t port) {
  const int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_port = htons(port);
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  if (fd < 0 || ::connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof(addr)) != 0) {
    throw std::runtime_error("cannot connect to the server");
  }
  int one = 1;
  ::setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
  ::fcntl(fd, F_SETFL, ::fcntl(fd, F_GETFL) | O_NONBLOCK);
  return fd;
}

// A complete response at the start of `in`: its status and total length; false if incomplete.
bool ResponseIn(const std::string& in, int* status, size_t* length) {
  const size_t head = in.find("\r\n\r\n");
  if (head == std::string::npos || in.size() < 12) return false;
  *status = std::atoi(in.c_str() + 9);
  size_t body = 0;
  for (size_t at = in.find("\r\n"); at < head; at = in.find("\r\n", at + 2)) {
    if (strncasecmp(in.c_str() + at + 2, "content-length:", 15) == 0) {
      body = std::strtoul(in.c_str() + at + 17, nullptr, 10);
    }
  }
  *length = head + 4 + body;
  return in.size() >= *length;
}

// Drives `s.connections` keep-alive connections from one thread (epoll), each sending its next
// request as soon as the previous response is in, for `s.seconds`.
class Driver {
 public:
  Driver(const std::string& name, uint16_t port, const Settings& s, const MakeRequest& make)
      : make_(make), conns_(static_cast<size_t>(s.connections)), seconds_(s.seconds) {
    phase_.name = name;
    ep_ = ::epoll_create1(EPOLL_CLOEXEC);
    for (int i = 0; i < s.connections; ++i) {
      Conn& c = conns_[static_cast<size_t>(i)];
      c.fd = ConnectSocket(port);
      c.index = i;
      epoll_event ev{};
      ev.events = EPOLLIN;
      ev.data.u32 = static_cast<uint32_t>(i);
      ::epoll_ctl(ep_, EPOLL_CTL_ADD, c.fd, &ev);
    }
  }
  ~Driver() {
    for (auto& c : conns_) ::close(c.fd);
    ::close(ep_);
  }

  Phase Run() {
    const auto start = Clock::now();
    const double cpu_start = ProcessCpuSeconds();
    const auto end = start + std::chrono::duration_cast<Clock::duration>(
                                 std::chrono::duration<double>(seconds_));
    for (auto& c : conns_) SendNext(c);
    std::vector<epoll_event> events(conns_.size());
    while (Clock::now() < end) {
      const int ready = ::epoll_wait(ep_, events.data(), static_cast<int>(events.size()), 100);
      for (int e = 0; e < ready; ++e) OnReadable(conns_[events[static_cast<size_t>(e)].data.u32]);
    }
    const double elapsed = std::chrono::duration<double>(Clock::now() - start).count();
    const double cpu = ProcessCpuSeconds() - cpu_start;
    phase_.requests = latencies_.size();
    phase_.per_s = static_cast<double>(latencies_.size()) / elapsed;
    phase_.cpu_us = latencies_.empty() ? 0 : cpu * 1e6 / static_cast<double>(latencies_.size());
    phase_.p50_ms = Percentile(latencies_, 0.5);
    phase_.p99_ms = Percentile(latencies_, 0.99);
    return phase_;
  }

 private:
  void SendNext(Conn& c) {
    std::string method, target, body;
    c.want = make_(c.index, c.n++, &method, &target, &body);
    c.target = target;
    c.out = method + " " + target + " HTTP/1.1\r\nHost: bench\r\nAuthorization: Bearer " + kToken +
            "\r\nContent-Type: application/json\r\nContent-Length: " + std::to_string(body.size()) +
            "\r\n\r\n" + body;
    c.t0 = Clock::now();
    for (size_t sent = 0; sent < c.out.size();) {  // requests are small: this rarely loops
      const ssize_t n = ::send(c.fd, c.out.data() + sent, c.out.size() - sent, MSG_NOSIGNAL);
      if (n < 0 && errno != EAGAIN) throw std::runtime_error("the server closed");
      if (n > 0) sent += static_cast<size_t>(n);
    }
  }

  void OnReadable(Conn& c) {
    char buf[65536];
    const ssize_t n = ::recv(c.fd, buf, sizeof(buf), 0);
    if (n == 0 || (n < 0 && errno != EAGAIN)) throw std::runtime_error("the server closed");
    if (n > 0) c.in.append(buf, static_cast<size_t>(n));
    int status = 0;
    size_t length = 0;
    if (!ResponseIn(c.in, &status, &length)) return;
    latencies_.push_back(std::chrono::duration<double, std::milli>(Clock::now() - c.t0).count());
    if (status != c.want && phase_.errors++ == 0) {
      phase_.first_error = c.target + ": " + c.in.substr(0, length);
    }
    c.in.erase(0, length);
    SendNext(c);
  }

  const MakeRequest& make_;
  std::vector<Conn> conns_;
  const double seconds_;
  int ep_ = -1;
  std::vector<double> latencies_;
  Phase phase_;
};

Phase Drive(const std::string& name, uint16_t port, const Settings& s, const MakeRequest& make) {
  Driver driver(name, port, s, make);
  return driver.Run();
}

// Sets and opens a round for the submissions, through the API.
void OpenRound(uint16_t port) {
  auto c = http::HttpClient::Connect("127.0.0.1", port);
  if (!c) throw std::runtime_error("cannot connect to the server");
  const Micros now = SystemClock::Default()->Now();
  const std::string period = R"({"start":")" + http::FormatTime(now - 3'600'000'000) +
                             R"(","end":")" + http::FormatTime(now + 86'400'000'000 * 365) + "\"}";
  const std::vector<std::pair<std::string, std::string>> steps = {
      {"SetRound", R"({"district":")" + kDistrict +
                       R"(","ceilingCents":"100000000000","maxPerRequestCents":"1000000",)"
                       R"("distribution":"DISTRIBUTION_FIRST_COME","period":)" +
                       period + "}"},
      {"PublishRound", R"({"publicationRef":"Gemeenteblad bench"})"},
      {"OpenRound", "{}"}};
  for (const auto& [command, body] : steps) {
    http::ClientResponse r;
    if (!c->Post("/v1/subsidy-rounds/" + kRound + "/commands/" + command, kExecutiveToken, body,
                 &r) ||
        (r.status != 200 && r.status != 201)) {
      throw std::runtime_error(command + " failed: " + std::to_string(r.status) + " " + r.body);
    }
  }
}

std::string InitiativeId(int run, int c, uint64_t n) {
  return "ini-" + std::to_string(run) + "-" + std::to_string(c) + "-" + std::to_string(n);
}

void Print(const Phase& p) {
  std::printf("%-10s %10llu %12.0f %10.2f %10.2f %12.1f %8llu\n", p.name.c_str(),
              static_cast<unsigned long long>(p.requests), p.per_s, p.p50_ms, p.p99_ms, p.cpu_us,
              static_cast<unsigned long long>(p.errors));
  if (!p.first_error.empty()) std::fprintf(stderr, "  first error: %s\n", p.first_error.c_str());
}

// The service under test, on a fresh data directory, with the two tokens of the load.
std::unique_ptr<http::Service> StartService(const Settings& s, const ScratchDir& scratch,
                                            engine::WorkflowRegistry* registry) {
  {
    std::ofstream tokens(scratch.path() + "/tokens");
    tokens << http::TokenLine(kToken, {"opzoomer-mee", {"intake"}, {kDistrict}}) << "\n"
           << http::TokenLine(kExecutiveToken, {"college", {"executive"}, {"*"}}) << "\n";
  }
  workflows::RegisterAll(*registry);
  http::ServiceOptions o;
  o.data_dir = scratch.path() + "/data";
  o.tokens_path = scratch.path() + "/tokens";
  o.server.port = 0;
  o.server.threads = s.threads;
  if (s.workers > 0) o.api.workers = s.workers;
  auto service = std::make_unique<http::Service>(o, registry);
  if (Status st = service->Start(); !st.ok()) throw std::runtime_error(st.ToString());
  OpenRound(service->port());
  return service;
}

// One run: the three phases, each connection submitting initiatives of its own, then reading
// back the ones it submitted.
std::vector<Phase> RunOnce(const Settings& s, uint16_t port, int run) {
  std::vector<uint64_t> submitted(static_cast<size_t>(s.connections), 0);
  MakeRequest submit = [&](int c, uint64_t n, std::string* m, std::string* t, std::string* b) {
    *m = "POST";
    *t = "/v1/initiatives/" + InitiativeId(run, c, n) + "/commands/Submit";
    *b = R"({"district":")" + kDistrict + R"(","roundId":")" + kRound +
         R"(","title":"Buurtfeest","description":"Een feest voor de straat",)"
         R"("requestedCents":"150000","channel":"CHANNEL_PAPER_OPZOOMER_MEE",)"
         R"("applicant":{"id":"r-)" +
         std::to_string(n) + R"(","name":"Bewoner"}})";
    submitted[static_cast<size_t>(c)] = n + 1;
    return 201;
  };
  MakeRequest state = [&](int c, uint64_t n, std::string* m, std::string* t, std::string* b) {
    *m = "GET";
    const uint64_t have = submitted[static_cast<size_t>(c)];
    *t = "/v1/initiatives/" + InitiativeId(run, c, have <= 1 ? 0 : (n * 7919) % (have - 1));
    b->clear();
    return 200;
  };
  MakeRequest health = [](int, uint64_t, std::string* m, std::string* t, std::string* b) {
    *m = "GET";
    *t = "/healthz";
    b->clear();
    return 200;
  };
  std::vector<Phase> phases;
  for (const auto& [name, make] : {std::pair{"commands", &submit}, std::pair{"state", &state},
                                   std::pair{"healthz", &health}}) {
    Phase p;
    p.name = name;
    if (std::find(s.phases.begin(), s.phases.end(), name) != s.phases.end()) {
      p = Drive(name, port, s, *make);
      Print(p);
    }
    phases.push_back(p);
  }
  return phases;
}

// The median across runs of each figure of a phase.
Phase MedianOf(const std::vector<std::vector<Phase>>& runs, size_t i) {
  Phase m = runs.front()[i];
  auto median = [&](double Phase::*field) {
    std::vector<double> v;
    for (const auto& r : runs) v.push_back(r[i].*field);
    return Median(v);
  };
  m.per_s = median(&Phase::per_s);
  m.p50_ms = median(&Phase::p50_ms);
  m.p99_ms = median(&Phase::p99_ms);
  m.cpu_us = median(&Phase::cpu_us);
  std::vector<double> requests;
  for (const auto& r : runs) requests.push_back(static_cast<double>(r[i].requests));
  m.requests = static_cast<uint64_t>(Median(requests));
  m.errors = 0;
  for (const auto& r : runs) m.errors += r[i].errors;
  return m;
}

void RunHttpBench(const Settings& s) {
  http::ConfigureLogging(spdlog::level::from_str(s.log_level), http::LogFormat::kJson);
  ScratchDir scratch(s.dir, "wijkflow-http-bench");
  engine::WorkflowRegistry registry;
  auto service = StartService(s, scratch, &registry);
  std::printf(
      "wijkflow-bench http: %d keep-alive connections, %d runs of %.0f s per phase, "
      "durable appends\n",
      s.connections, s.runs, s.seconds);
  std::printf("%-10s %10s %12s %10s %10s %12s %8s\n", "phase", "requests", "req/s", "p50 ms",
              "p99 ms", "CPU us/req", "errors");
  std::vector<std::vector<Phase>> runs;
  for (int r = 0; r < s.runs; ++r) runs.push_back(RunOnce(s, service->port(), r));
  service->Stop();
  const Phase commands = MedianOf(runs, 0), reads = MedianOf(runs, 1), healthz = MedianOf(runs, 2);
  std::printf("median of %d runs:\n", s.runs);
  for (const Phase* p : {&commands, &reads, &healthz}) Print(*p);
  JsonLine j;
  j.Add("bench", std::string("http"))
      .Add("connections", int64_t{s.connections})
      .Add("runs", int64_t{s.runs})
      .Add("commands_per_s", commands.per_s)
      .Add("commands_cpu_us", commands.cpu_us)
      .Add("p50_ms", commands.p50_ms)
      .Add("p99_ms", commands.p99_ms)
      .Add("state_per_s", reads.per_s)
      .Add("state_p99_ms", reads.p99_ms)
      .Add("healthz_per_s", healthz.per_s)
      .Add("healthz_p99_ms", healthz.p99_ms)
      .Add("errors", static_cast<int64_t>(commands.errors + reads.errors + healthz.errors))
      .Add("ratio", healthz.per_s > 0 ? commands.per_s / healthz.per_s : 0.0);
  j.Print();
  if (commands.errors + reads.errors + healthz.errors > 0) {
    throw std::runtime_error("some requests failed");
  }
}

}  // namespace

void AddHttpBench(CLI::App& app) {
  auto settings = std::make_shared<Settings>();
  CLI::App* cmd = app.add_subcommand(
      "http", "the HTTP server: durable commands and state reads against /healthz");
  cmd->add_flag("--quick", settings->quick, "short phases (under 60 s in all)");
  AddDirOption(cmd, &settings->dir);
  cmd->add_option("--connections", settings->connections, "keep-alive connections")
      ->check(CLI::PositiveNumber);
  cmd->add_option("--seconds", settings->seconds, "length of each phase")
      ->check(CLI::PositiveNumber);
  cmd->add_option("--log-level", settings->log_level,
                  "the server's log level; info writes a JSON line per request to stderr");
  AddRunsOption(cmd, &settings->runs, "runs; the figures are their medians");
  cmd->add_option("--workers", settings->workers, "server handler threads (0: its default)");
  cmd->add_option("--threads", settings->threads, "server network threads (0: one per core)");
  cmd->add_option("--phases", settings->phases, "phases to run (commands state healthz)")
      ->check(CLI::IsMember({"commands", "state", "healthz"}));
  cmd->callback([settings] {
    Settings s = *settings;
    if (s.quick) s.seconds = std::min(s.seconds, 4.0);  // 3 runs of 3 phases: under 60 s
    RunOrFail("http", [&] { RunHttpBench(s); });
  });
}

}  // namespace wijkflow::bench
