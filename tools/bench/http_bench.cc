// wijkflow-bench http: the HTTP server end to end. It starts wijkflowd's service in-process (every
// workflow registered, a fresh data directory, durable appends, the system clock), opens a subsidy
// round through the API, and then drives 64 keep-alive connections, each with its own client
// thread, in three phases of the same length against the same server:
//   commands  POST /v1/initiatives/{new id}/commands/Submit (a digital submission: two events and
//             a deadline timer, appended durably)
//   state     GET /v1/initiatives/{a submitted id}
//   healthz   GET /healthz (the server's floor: routing and HTTP only)
// It prints req/s, p50 and p99 per phase, and last a JSON line with "commands_per_s", "p99_ms"
// (of the commands) and "ratio" (commands per second over healthz per second).
#include <spdlog/spdlog.h>

#include <CLI/CLI.hpp>
#include <atomic>
#include <chrono>
#include <cstdio>
#include <fstream>
#include <mutex>
#include <random>
#include <thread>

#include "adapters/http/client.h"
#include "adapters/http/json.h"
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
  double seconds = 10;  // per phase
  size_t workers = 0;   // 0: the server's default
  size_t threads = 0;   // network threads; 0: one per core
};

struct Phase {
  std::string name;
  uint64_t requests = 0;
  uint64_t errors = 0;
  double per_s = 0;
  double p50_ms = 0;
  double p99_ms = 0;
  std::string first_error;
};

const std::string kToken = "bench-intake-token";
const std::string kExecutiveToken = "bench-executive-token";
const std::string kDistrict = "feijenoord";
const std::string kRound = "feijenoord-bench";

// What one connection sends: the n-th request of connection c. Returns the expected status.
using MakeRequest = std::function<int(int c, uint64_t n, std::string* method, std::string* target,
                                      std::string* body)>;

Phase Drive(const std::string& name, uint16_t port, const Settings& s, const MakeRequest& make) {
  std::vector<std::vector<double>> latencies(static_cast<size_t>(s.connections));
  std::atomic<uint64_t> errors{0};
  std::atomic<bool> stop{false};
  std::mutex first_error_mu;
  std::string first_error;
  std::vector<std::thread> threads;
  const auto start = Clock::now();
  for (int c = 0; c < s.connections; ++c) {
    threads.emplace_back([&, c] {
      auto client = http::HttpClient::Connect("127.0.0.1", port);
      if (!client) {
        errors++;
        return;
      }
      const std::vector<std::pair<std::string, std::string>> headers = {
          {"Authorization", "Bearer " + kToken}, {"Content-Type", "application/json"}};
      std::string method, target, body;
      http::ClientResponse r;
      auto& mine = latencies[static_cast<size_t>(c)];
      for (uint64_t n = 0; !stop.load(std::memory_order_relaxed); ++n) {
        const int want = make(c, n, &method, &target, &body);
        const auto t0 = Clock::now();
        if (!client->Request(method, target, headers, body, &r)) {
          errors++;
          return;
        }
        mine.push_back(std::chrono::duration<double, std::milli>(Clock::now() - t0).count());
        if (r.status != want && errors++ == 0) {
          std::lock_guard<std::mutex> lock(first_error_mu);
          first_error = method + " " + target + ": " + std::to_string(r.status) + " " + r.body;
        }
      }
    });
  }
  std::this_thread::sleep_for(std::chrono::duration<double>(s.seconds));
  stop = true;
  for (auto& t : threads) t.join();
  const double elapsed = std::chrono::duration<double>(Clock::now() - start).count();
  std::vector<double> all;
  for (auto& v : latencies) all.insert(all.end(), v.begin(), v.end());
  Phase p;
  p.name = name;
  p.requests = all.size();
  p.errors = errors.load();
  p.first_error = first_error;
  p.per_s = static_cast<double>(all.size()) / elapsed;
  p.p50_ms = Percentile(all, 0.5);
  p.p99_ms = Percentile(std::move(all), 0.99);
  return p;
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

std::string InitiativeId(int c, uint64_t n) {
  return "ini-" + std::to_string(c) + "-" + std::to_string(n);
}

void Print(const Phase& p) {
  std::printf("%-10s %10llu %12.0f %10.2f %10.2f %8llu\n", p.name.c_str(),
              static_cast<unsigned long long>(p.requests), p.per_s, p.p50_ms, p.p99_ms,
              static_cast<unsigned long long>(p.errors));
  if (!p.first_error.empty()) std::fprintf(stderr, "  first error: %s\n", p.first_error.c_str());
}

void RunHttpBench(const Settings& s) {
  spdlog::set_level(spdlog::level::warn);
  ScratchDir scratch(s.dir, "wijkflow-http-bench");
  {
    std::ofstream tokens(scratch.path() + "/tokens");
    tokens << http::TokenLine(kToken, {"mijn-rotterdam", {"intake"}, {kDistrict}}) << "\n"
           << http::TokenLine(kExecutiveToken, {"college", {"executive"}, {"*"}}) << "\n";
  }
  engine::WorkflowRegistry registry;
  workflows::RegisterAll(registry);
  http::ServiceOptions o;
  o.data_dir = scratch.path() + "/data";
  o.tokens_path = scratch.path() + "/tokens";
  o.server.port = 0;
  o.server.threads = s.threads;
  if (s.workers > 0) o.api.workers = s.workers;
  http::Service service(o, &registry);
  if (Status st = service.Start(); !st.ok()) throw std::runtime_error(st.ToString());
  const uint16_t port = service.port();
  OpenRound(port);

  std::vector<uint64_t> submitted(static_cast<size_t>(s.connections), 0);
  MakeRequest submit = [&](int c, uint64_t n, std::string* m, std::string* t, std::string* b) {
    *m = "POST";
    *t = "/v1/initiatives/" + InitiativeId(c, n) + "/commands/Submit";
    *b = R"({"district":")" + kDistrict + R"(","roundId":")" + kRound +
         R"(","title":"Buurtfeest","description":"Een feest voor de straat",)"
         R"("requestedCents":"150000","channel":"CHANNEL_DIGITAL",)"
         R"("applicant":{"id":"r-)" +
         std::to_string(n) + R"(","name":"Bewoner","email":"bewoner@example.org"}})";
    submitted[static_cast<size_t>(c)] = n + 1;
    return 201;
  };
  MakeRequest state = [&](int c, uint64_t n, std::string* m, std::string* t, std::string* b) {
    *m = "GET";
    const uint64_t have = std::max<uint64_t>(submitted[static_cast<size_t>(c)], 1) - 1;
    *t = "/v1/initiatives/" + InitiativeId(c, have == 0 ? 0 : (n * 7919) % have);
    b->clear();
    return 200;
  };
  MakeRequest health = [](int, uint64_t, std::string* m, std::string* t, std::string* b) {
    *m = "GET";
    *t = "/healthz";
    b->clear();
    return 200;
  };

  std::printf("wijkflow-bench http: %d keep-alive connections, %.0f s per phase, durable appends\n",
              s.connections, s.seconds);
  std::printf("%-10s %10s %12s %10s %10s %8s\n", "phase", "requests", "req/s", "p50 ms", "p99 ms",
              "errors");
  const Phase commands = Drive("commands", port, s, submit);
  Print(commands);
  const Phase reads = Drive("state", port, s, state);
  Print(reads);
  const Phase healthz = Drive("healthz", port, s, health);
  Print(healthz);
  service.Stop();

  JsonLine j;
  j.Add("bench", std::string("http"))
      .Add("connections", int64_t{s.connections})
      .Add("commands_per_s", commands.per_s)
      .Add("p50_ms", commands.p50_ms)
      .Add("p99_ms", commands.p99_ms)
      .Add("state_per_s", reads.per_s)
      .Add("state_p99_ms", reads.p99_ms)
      .Add("healthz_per_s", healthz.per_s)
      .Add("healthz_p99_ms", healthz.p99_ms)
      .Add("errors", static_cast<int64_t>(commands.errors + reads.errors + healthz.errors))
      .Add("ratio", healthz.per_s > 0 ? commands.per_s / healthz.per_s : 0.0);
  std::printf("%s\n", j.str().c_str());
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
  cmd->add_option("--dir", settings->dir, "where to create the scratch data (default: temp)");
  cmd->add_option("--connections", settings->connections, "keep-alive connections")
      ->check(CLI::PositiveNumber);
  cmd->add_option("--seconds", settings->seconds, "length of each phase")
      ->check(CLI::PositiveNumber);
  cmd->add_option("--workers", settings->workers, "server handler threads (0: its default)");
  cmd->add_option("--threads", settings->threads, "server network threads (0: one per core)");
  cmd->callback([settings] {
    Settings s = *settings;
    if (s.quick) s.seconds = std::min(s.seconds, 5.0);
    try {
      RunHttpBench(s);
    } catch (const std::exception& e) {
      std::fprintf(stderr, "http: %s\n", e.what());
      throw CLI::RuntimeError(1);
    }
  });
}

}  // namespace wijkflow::bench
