// The handlers behind the Api's routes, and what they share. Private to adapters/http.
#pragma once

#include <atomic>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>

#include "adapters/http/api.h"
#include "adapters/http/problem.h"
#include "adapters/http/router.h"

namespace wijkflow::http {

// Runs blocking work on one of the Api's workers; false once they are shut down.
using RunBlocking = std::function<bool(std::function<void()>)>;
// How a handler that answers later (from another thread) gives its answer.
using Reply = std::function<void(Response)>;

// What every handler may use.
struct Ctx {
  Ctx(engine::Engine& e, engine::ProjectionRunner& p, SimulatedClock* clock, Metrics& m,
      ApiOptions o)
      : engine(e),
        projections(p),
        store(e.store()),
        registry(e.registry()),
        simulated_clock(clock),
        metrics(m),
        options(o) {}

  engine::Engine& engine;
  engine::ProjectionRunner& projections;
  EventStore& store;
  const engine::WorkflowRegistry& registry;
  SimulatedClock* simulated_clock;
  Metrics& metrics;
  ApiOptions options;
  std::atomic<bool> ready{false};
  std::string openapi;  // built once
  RunBlocking run_blocking;
};

// One request on its way through the Api.
struct Call {
  Request req;
  std::string request_id;
  RouteMatch match;
  std::shared_ptr<const Tokens> tokens;          // keeps `principal` alive
  const engine::Principal* principal = nullptr;  // nullptr: anonymous

  const std::string& Param(const std::string& name) const { return match.params.at(name); }
  Response Fail(const Problem& p) const { return p.ToResponse(req.path, request_id); }
  Response Fail(int status, std::string kind, std::string detail) const {
    return Fail(Problem(status, std::move(kind), std::move(detail)));
  }
};

Response JsonResponse(int status, std::string body);
bool HasRole(const engine::Principal& p, std::string_view role);
// Reads are scoped by district, as commands are: auditors and admins read everything, other
// tokens what belongs to their districts, and what belongs to no district.
bool ReadsAllDistricts(const engine::Principal& p);
bool MayRead(const engine::Principal& p, std::string_view district);

// Query helpers. Each returns false after filling `*error` with a 400 response.
bool QueryUint(const Call& call, const char* name, uint64_t fallback, uint64_t max, uint64_t* out,
               Response* error);
bool QueryTime(const Call& call, const char* name, std::optional<Micros>* out, Response* error);
// Waits for ?minPosition= (if given) to be applied by every projection; 503 if it is not in time.
bool WaitForProjections(Ctx& ctx, const Call& call, Response* error);

// commands.cc. Decides the command on the calling (network) thread and answers once its append
// is durable.
void PostCommand(Ctx& ctx, const std::shared_ptr<Call>& call, Reply reply);
// reads.cc
Response GetInstance(Ctx& ctx, Call& call);
Response GetHistory(Ctx& ctx, Call& call);
Response ListInstances(Ctx& ctx, Call& call);
Response ListProjections(Ctx& ctx, Call& call);
Response GetProjection(Ctx& ctx, Call& call);
// log_routes.cc
Response GetLog(Ctx& ctx, Call& call);
// meta_routes.cc
Response ListWorkflows(Ctx& ctx, Call& call);
Response GetWorkflow(Ctx& ctx, Call& call);
Response GetDiagram(Ctx& ctx, Call& call);
Response Healthz(Ctx& ctx, Call& call);
Response Readyz(Ctx& ctx, Call& call);
Response MetricsText(Ctx& ctx, Call& call);
Response OpenApi(Ctx& ctx, Call& call);
Response AdvanceClock(Ctx& ctx, Call& call);

}  // namespace wijkflow::http
