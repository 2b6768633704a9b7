// Api: the HTTP contract (architecture.md, "HTTP adapter") on top of the engine. It routes
// requests, authenticates bearer tokens, runs handlers (reads that touch storage on a worker
// pool; commands on the calling thread, answered once durable), and turns every rejection into
// problem+json. It knows nothing of sockets: the Server
// feeds it Requests.
#pragma once

#include <chrono>
#include <cstddef>
#include <memory>

#include "adapters/http/metrics.h"
#include "adapters/http/tokens.h"
#include "adapters/http/types.h"
#include "engine/engine.h"
#include "engine/projection_runner.h"
#include "events/clock.h"

namespace wijkflow::http {

struct ApiOptions {
  // Threads for handlers that block on storage. Each in-flight command holds one until its group
  // commit is durable, so this bounds the commands in flight, and so the size of a commit group.
  size_t workers = 128;
  // How long a read with ?minPosition= may wait for the projections to catch up.
  std::chrono::milliseconds projection_wait{5000};
  // Longest page a list or history returns.
  size_t max_page = 10'000;
};

struct ApiDeps {
  engine::Engine* engine = nullptr;
  engine::ProjectionRunner* projections = nullptr;
  // Set when the server runs on a simulated clock: POST /v1/admin/clock moves it.
  SimulatedClock* simulated_clock = nullptr;
  Metrics* metrics = nullptr;
};

class Api final : public RequestHandler {
 public:
  // REQUIRES: every dependency outlives the Api.
  Api(ApiDeps deps, ApiOptions options);
  ~Api() override;
  Api(const Api&) = delete;
  Api& operator=(const Api&) = delete;

  void Handle(Request request, Responder done) override;
  Response Rejected(ReadFailure why, const std::string& detail) override;

  // Replaces the tokens; requests already authenticated keep the grants they were given.
  void SetTokens(std::shared_ptr<const Tokens> tokens);
  // /readyz answers 200 only while ready.
  void SetReady(bool ready);
  // Answers every command in flight, finishes every queued handler and joins the workers; later
  // requests get 503. The destructor drains too.
  void Drain();

 private:
  class Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace wijkflow::http
