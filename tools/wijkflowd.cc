// wijkflowd: the HTTP server municipal systems integrate with.
//
//   wijkflowd --data DIR --port N [--config FILE] [...]      serve
//   wijkflowd issue-token --tokens FILE --system S --roles R[,R] --districts D[,D]|*
//
// Options come from flags or from a config file (TOML or INI, keys as the long flag names, e.g.
// `port = 8080`); flags win. SIGTERM and SIGINT shut down gracefully (stop accepting, finish the
// requests in flight, close the store) and exit 0; SIGHUP reloads the tokens file.
#include <signal.h>

#include <CLI/CLI.hpp>
#include <cstdio>
#include <iostream>

#include "adapters/http/json.h"
#include "adapters/http/log.h"
#include "adapters/http/service.h"
#include "adapters/http/tokens.h"
#include "workflows/register_all.h"

namespace {

using namespace wijkflow;  // NOLINT: a program's main file
using http::Log;

struct Flags {
  http::ServiceOptions service;
  double read_timeout_s = 10, idle_timeout_s = 60, shutdown_grace_s = 30;
  std::string log_level = "info";
  std::string log_format = "json";
  std::string clock = "system";
  std::string clock_start = "2023-01-01T09:00:00Z";
};

void AddServeOptions(CLI::App& app, Flags& f) {
  http::ServiceOptions& s = f.service;
  s.data_dir = "./data";
  app.add_option("--data", s.data_dir, "Data directory (the event store lives here)")
      ->capture_default_str();
  app.add_option("--listen", s.server.address, "Address to listen on")->capture_default_str();
  app.add_option("--port", s.server.port, "Port to listen on (0: any free port)")
      ->capture_default_str();
  app.add_option("--threads", s.server.threads, "Network threads (0: one per core)")
      ->capture_default_str();
  app.add_option("--workers", s.api.workers,
                 "Threads for handlers that wait on storage; bounds the commands in flight")
      ->capture_default_str();
  app.add_option("--tokens", s.tokens_path,
                 "Tokens file (default: DATA/tokens; created with an admin token if missing)");
  app.add_option("--log-level", f.log_level, "trace, debug, info, warn, error, critical, off")
      ->capture_default_str();
  app.add_option("--log-format", f.log_format, "json or text")
      ->check(CLI::IsMember({"json", "text"}))
      ->capture_default_str();
  app.add_option("--clock", f.clock, "system, or simulated (for demos: moved by an admin)")
      ->check(CLI::IsMember({"system", "simulated"}))
      ->capture_default_str();
  app.add_option("--clock-start", f.clock_start, "Where a simulated clock starts (RFC 3339)")
      ->capture_default_str();
  app.add_option("--max-body", s.server.max_body_bytes, "Largest request body, in bytes")
      ->capture_default_str();
  app.add_option("--max-pipelined", s.server.max_pipelined,
                 "Requests a connection may send ahead of their responses")
      ->capture_default_str();
  app.add_option("--read-timeout", f.read_timeout_s, "Seconds for a request to arrive")
      ->capture_default_str();
  app.add_option("--idle-timeout", f.idle_timeout_s, "Seconds a keep-alive connection may idle")
      ->capture_default_str();
  app.add_option("--shutdown-grace", f.shutdown_grace_s,
                 "Seconds a shutdown waits for requests in flight")
      ->capture_default_str();
}

std::chrono::milliseconds Millis(double seconds) {
  return std::chrono::milliseconds(static_cast<int64_t>(seconds * 1000));
}

// Blocks the signals we handle, in this thread and every thread it starts; sigwait takes them.
sigset_t HandledSignals() {
  // A shell starts background jobs with SIGINT ignored; an ignored signal never reaches sigwait.
  signal(SIGINT, SIG_DFL);
  signal(SIGTERM, SIG_DFL);
  sigset_t set;
  sigemptyset(&set);
  sigaddset(&set, SIGINT);
  sigaddset(&set, SIGTERM);
  sigaddset(&set, SIGHUP);
  pthread_sigmask(SIG_BLOCK, &set, nullptr);
  return set;
}

int Serve(Flags& f) {
  const auto level = spdlog::level::from_str(f.log_level);
  http::ConfigureLogging(level,
                         f.log_format == "json" ? http::LogFormat::kJson : http::LogFormat::kText);
  http::ServiceOptions& s = f.service;
  s.server.read_timeout = Millis(f.read_timeout_s);
  s.server.idle_timeout = Millis(f.idle_timeout_s);
  s.shutdown_grace = Millis(f.shutdown_grace_s);
  if (f.clock == "simulated") {
    auto start = http::ParseTime(f.clock_start);
    if (!start) {
      std::cerr << "wijkflowd: --clock-start must be RFC 3339, e.g. 2023-01-01T09:00:00Z\n";
      return 2;
    }
    s.simulated_clock = true;
    s.clock_start = *start;
  }
  const sigset_t signals = HandledSignals();
  engine::WorkflowRegistry registry;
  workflows::RegisterAll(registry);
  http::Service service(s, &registry);
  if (Status st = service.Start(); !st.ok()) {
    Log(spdlog::level::critical, "cannot start", {{"error", st.ToString()}});
    return 1;
  }
  if (!service.created_admin_token().empty()) {
    std::printf("wijkflowd: created %s with an admin token; the token is in %s (mode 0600)\n",
                service.tokens_path().c_str(), service.admin_token_path().c_str());
  }
  std::printf("wijkflowd: listening on http://%s:%u (data in %s)\n", s.server.address.c_str(),
              service.port(), s.data_dir.c_str());
  std::fflush(stdout);
  for (;;) {
    int sig = 0;
    if (sigwait(&signals, &sig) != 0) continue;
    if (sig != SIGHUP) {
      Log(spdlog::level::info, "signal", {{"signal", sig == SIGTERM ? "SIGTERM" : "SIGINT"}});
      break;
    }
    Status st = service.ReloadTokens();
    Log(st.ok() ? spdlog::level::info : spdlog::level::err, "tokens reloaded",
        {{"status", st.ToString()}});
  }
  service.Stop();
  return 0;
}

void AddIssueToken(CLI::App& app, std::string& path, engine::Principal& p) {
  app.add_option("--tokens", path, "Tokens file (created, mode 0600, if missing)")->required();
  app.add_option("--system", p.system, "The calling system, e.g. mijn-rotterdam")->required();
  app.add_option("--roles", p.roles, "Roles it may act in, e.g. intake")
      ->required()
      ->delimiter(',');
  app.add_option("--districts", p.districts, "Districts it may act for, or *")
      ->required()
      ->delimiter(',');
}

}  // namespace

int main(int argc, char** argv) {
  CLI::App app{"wijkflowd: the wijkflow HTTP server"};
  app.set_config("--config", "", "Read options from a TOML or INI file");
  Flags flags;
  AddServeOptions(app, flags);
  std::string tokens_path;
  engine::Principal principal;
  CLI::App* issue = app.add_subcommand("issue-token", "Add a token for a calling system");
  AddIssueToken(*issue, tokens_path, principal);
  CLI11_PARSE(app, argc, argv);
  if (issue->parsed()) {
    std::string token;
    if (Status s = http::IssueToken(tokens_path, principal, &token); !s.ok()) {
      std::cerr << "wijkflowd: " << s.ToString() << "\n";
      return 1;
    }
    std::cout << token << "\n";
    return 0;
  }
  return Serve(flags);
}
