// Service: wijkflowd's parts wired together: the event store in the data directory, the engine,
// the projections (live), the timer scheduler, the tokens, the Api and the Server. wijkflowd
// builds one from its flags; tests and the benchmark build one in-process.
#pragma once

#include <chrono>
#include <cstdint>
#include <memory>
#include <string>

#include "adapters/http/api.h"
#include "adapters/http/server.h"
#include "engine/engine.h"
#include "engine/registry.h"
#include "events/status.h"

namespace wijkflow::http {

struct ServiceOptions {
  std::string data_dir;
  // The tokens file; empty: <data_dir>/tokens. Created with an admin token if missing.
  std::string tokens_path;
  ServerOptions server;
  ApiOptions api;
  engine::EngineOptions engine;
  // The event store's options (durable appends by default); its clock is the service's.
  StoreOptions store;
  // A simulated clock standing at clock_start (UTC micros), moved only by POST /v1/admin/clock.
  // For demos and acceptance runs; never the default.
  bool simulated_clock = false;
  Micros clock_start = 0;
  // How often the scheduler fires due timers (system clock).
  std::chrono::milliseconds timer_interval{1000};
  // How long Stop() lets connections finish their requests.
  std::chrono::milliseconds shutdown_grace{30'000};
};

class Service {
 public:
  // Adds the adapter's instance index to `registry` (if it is not there yet).
  // REQUIRES: registry outlives the service and is not changed after Start().
  Service(ServiceOptions options, engine::WorkflowRegistry* registry);
  ~Service();  // Stop()s
  Service(const Service&) = delete;
  Service& operator=(const Service&) = delete;

  // Opens everything and starts listening.
  Status Start();
  // Graceful shutdown: not ready, stop accepting, finish the requests already read (every
  // acknowledged command is durable before its response is sent), stop timers and projections,
  // close the store. Idempotent. Returns whether every connection finished within the grace
  // period (the store is closed either way).
  bool Stop();
  // Reads the tokens file again; on error keeps the tokens it has.
  Status ReloadTokens();

  uint16_t port() const;
  const std::string& tokens_path() const { return tokens_path_; }
  // If Start() created the tokens file: the admin token, and the file (mode 0600) holding it.
  const std::string& created_admin_token() const { return admin_token_; }
  std::string admin_token_path() const { return tokens_path_ + ".admin"; }

  // For tests and tools. REQUIRES: Start() succeeded and Stop() has not run.
  engine::Engine& engine();
  EventStore& store();

 private:
  class Impl;
  std::unique_ptr<Impl> impl_;
  std::string tokens_path_;
  std::string admin_token_;
};

}  // namespace wijkflow::http
