#include "adapters/http/api.h"

#include <chrono>
#include <condition_variable>
#include <mutex>
#include <random>

#include "adapters/http/handlers.h"
#include "adapters/http/json.h"
#include "adapters/http/log.h"
#include "adapters/http/openapi.h"
#include "adapters/http/worker_pool.h"

namespace wijkflow::http {

Response JsonResponse(int status, std::string body) {
  Response r;
  r.status = status;
  r.body = std::move(body);
  r.SetHeader("content-type", "application/json");
  return r;
}

bool HasRole(const engine::Principal& p, std::string_view role) {
  return std::find(p.roles.begin(), p.roles.end(), role) != p.roles.end();
}

bool ReadsAllDistricts(const engine::Principal& p) {
  return HasRole(p, kRoleAuditor) || HasRole(p, kRoleAdmin) ||
         std::find(p.districts.begin(), p.districts.end(), "*") != p.districts.end();
}

bool MayRead(const engine::Principal& p, std::string_view district) {
  return district.empty() || ReadsAllDistricts(p) ||
         std::find(p.districts.begin(), p.districts.end(), district) != p.districts.end();
}

bool QueryUint(const Call& call, const char* name, uint64_t fallback, uint64_t max, uint64_t* out,
               Response* error) {
  *out = fallback;
  if (!call.req.HasQuery(name)) return true;
  std::string_view v = call.req.Query(name);
  uint64_t n = 0;
  bool ok = !v.empty() && v.size() <= 19;
  for (char c : v) {
    ok = ok && c >= '0' && c <= '9';
    n = n * 10 + static_cast<uint64_t>(c - '0');
  }
  if (!ok || n > max) {
    *error = call.Fail(
        Problem(400, "invalid-argument",
                std::string(name) + " must be a whole number up to " + std::to_string(max))
            .With("field", name));
    return false;
  }
  *out = n;
  return true;
}

bool QueryTime(const Call& call, const char* name, std::optional<Micros>* out, Response* error) {
  out->reset();
  if (!call.req.HasQuery(name)) return true;
  *out = ParseTime(call.req.Query(name));
  if (*out) return true;
  *error = call.Fail(
      Problem(400, "invalid-argument",
              std::string(name) + " must be an RFC 3339 date-time, e.g. 2023-10-01T09:00:00Z")
          .With("field", name));
  return false;
}

bool WaitForProjections(Ctx& ctx, const Call& call, Response* error) {
  uint64_t position = 0;
  if (!QueryUint(call, "minPosition", 0, UINT64_MAX, &position, error)) return false;
  if (position == 0 || ctx.projections.WaitFor(position, ctx.options.projection_wait)) return true;
  *error = call.Fail(503, "unavailable",
                     "the read models have not reached position " + std::to_string(position));
  error->SetHeader("retry-after", "1");
  return false;
}

namespace {

// kRead: any token (instance reads are then scoped to its districts); kReadAll: a token that
// reads every district, since the route's data spans them all (the log, the read models).
enum class Access { kPublic, kRead, kReadAll, kAdmin };

using HandlerFn = Response (*)(Ctx&, Call&);
using LaterFn = void (*)(Ctx&, const std::shared_ptr<Call>&, Reply);

struct RouteSpec {
  const char* method;
  const char* pattern;
  HandlerFn fn;
  Access access;
  bool blocking;            // touches storage: runs on a worker
  LaterFn later = nullptr;  // instead of fn: starts on the network thread, answers later
};

const RouteSpec kRoutes[] = {
    {"GET", "/healthz", Healthz, Access::kPublic, false},
    {"GET", "/readyz", Readyz, Access::kPublic, false},
    {"GET", "/metrics", MetricsText, Access::kPublic, false},
    {"GET", "/openapi.json", OpenApi, Access::kPublic, false},
    {"GET", "/v1/workflows", ListWorkflows, Access::kRead, false},
    {"GET", "/v1/workflows/{name}", GetWorkflow, Access::kRead, false},
    {"GET", "/v1/workflows/{name}/diagram", GetDiagram, Access::kRead, false},
    {"GET", "/v1/events", GetLog, Access::kReadAll, true},
    {"GET", "/v1/projections", ListProjections, Access::kReadAll, false},
    {"GET", "/v1/projections/{name}", GetProjection, Access::kReadAll, true},
    {"POST", "/v1/admin/clock", AdvanceClock, Access::kAdmin, true},
    {"GET", "/v1/{workflow}", ListInstances, Access::kRead, true},
    {"GET", "/v1/{workflow}/{id}", GetInstance, Access::kRead, true},
    {"GET", "/v1/{workflow}/{id}/events", GetHistory, Access::kRead, true},
    {"POST", "/v1/{workflow}/{id}/commands/{command}", nullptr, Access::kRead, false, PostCommand},
};

std::string NewRequestId() {
  thread_local std::mt19937_64 rng{std::random_device{}()};
  static const char kHex[] = "0123456789abcdef";
  std::string id(16, '0');
  uint64_t r = rng();
  for (char& c : id) {
    c = kHex[r & 15];
    r >>= 4;
  }
  return id;
}

// The caller's X-Request-Id if it is sane, else a new one.
std::string RequestIdOf(const Request& req) {
  std::string_view given = req.Header("x-request-id");
  bool ok = !given.empty() && given.size() <= 64;
  for (char c : given)
    ok = ok && (std::isalnum(static_cast<unsigned char>(c)) || c == '-' || c == '_' || c == '.');
  return ok ? std::string(given) : NewRequestId();
}

std::string_view BearerToken(const Request& req) {
  std::string_view auth = req.Header("authorization");
  if (auth.size() < 7 || (auth.substr(0, 7) != "Bearer " && auth.substr(0, 7) != "bearer ")) {
    return {};
  }
  auth.remove_prefix(7);
  while (!auth.empty() && auth.front() == ' ') auth.remove_prefix(1);
  while (!auth.empty() && auth.back() == ' ') auth.remove_suffix(1);
  return auth;
}

}  // namespace

class Api::Impl {
 public:
  Impl(ApiDeps deps, ApiOptions options)
      : ctx_(*deps.engine, *deps.projections, deps.simulated_clock, *deps.metrics, options),
        workers_(options.workers) {
    for (const RouteSpec& r : kRoutes) router_.Add(r.method, r.pattern);
    ctx_.openapi = BuildOpenApi(ctx_.registry);
    ctx_.run_blocking = [this](std::function<void()> task) {
      return workers_.Post(std::move(task));
    };
    DeclareMetrics();
  }
  ~Impl() { Drain(); }

  void Handle(Request req, Responder done) {
    auto call = std::make_shared<Call>();
    call->req = std::move(req);
    call->request_id = RequestIdOf(call->req);
    const auto start = std::chrono::steady_clock::now();
    call->match = router_.Match(call->req.method, call->req.path);
    if (call->match.route < 0) {
      Response r = call->match.allow.empty()
                       ? call->Fail(404, "not-found", "no resource at " + call->req.path)
                       : call->Fail(405, "method-not-allowed",
                                    call->req.method + " is not allowed on " + call->req.path);
      if (!call->match.allow.empty()) r.SetHeader("allow", call->match.allow);
      return Finish(*call, start, std::move(r), done);
    }
    const RouteSpec& route = kRoutes[call->match.route];
    if (route.access != Access::kPublic) {
      if (Response denied; !Authenticate(*call, route.access, &denied)) {
        return Finish(*call, start, std::move(denied), done);
      }
    }
    if (route.later != nullptr) return StartLater(route.later, call, start, std::move(done));
    if (!route.blocking) return Finish(*call, start, route.fn(ctx_, *call), done);
    bool posted = workers_.Post(
        [this, call, start, done, fn = route.fn] { Finish(*call, start, fn(ctx_, *call), done); });
    if (!posted) Finish(*call, start, call->Fail(503, "unavailable", "shutting down"), done);
  }

  Response Rejected(ReadFailure why, const std::string& detail) {
    static const struct {
      int status;
      const char* kind;
    } kMap[] = {{400, "malformed-request"},
                {431, "header-too-large"},
                {413, "payload-too-large"},
                {408, "request-timeout"}};
    const auto& m = kMap[static_cast<int>(why)];
    Response r = Problem(m.status, m.kind, detail).ToResponse("", NewRequestId());
    const std::string status = std::to_string(m.status);
    ctx_.metrics.Add("wijkflow_http_requests_total",
                     {{"method", "-"}, {"route", "-"}, {"status", status}});
    Log(spdlog::level::info, "request rejected", {{"status", m.status}, {"detail", detail}});
    return r;
  }

  void SetTokens(std::shared_ptr<const Tokens> tokens) {
    std::lock_guard<std::mutex> lock(tokens_mu_);
    tokens_ = std::move(tokens);
  }
  void SetReady(bool ready) { ctx_.ready = ready; }
  // Answers what is in flight, then joins the workers.
  void Drain() {
    {
      std::unique_lock<std::mutex> lock(later_mu_);
      draining_ = true;
      later_cv_.wait(lock, [&] { return later_in_flight_ == 0; });
    }
    workers_.Shutdown();
  }

 private:
  // A handler that answers later; Drain waits for its answer.
  void StartLater(LaterFn fn, const std::shared_ptr<Call>& call,
                  std::chrono::steady_clock::time_point start, Responder done) {
    {
      std::lock_guard<std::mutex> lock(later_mu_);
      if (draining_) {
        return Finish(*call, start, call->Fail(503, "unavailable", "shutting down"), done);
      }
      ++later_in_flight_;
    }
    fn(ctx_, call, [this, call, start, done = std::move(done)](Response r) {
      Finish(*call, start, std::move(r), done);
      std::lock_guard<std::mutex> lock(later_mu_);
      if (--later_in_flight_ == 0) later_cv_.notify_all();
    });
  }

  bool Authenticate(Call& call, Access access, Response* denied) {
    {
      std::lock_guard<std::mutex> lock(tokens_mu_);
      call.tokens = tokens_;
    }
    std::string_view token = BearerToken(call.req);
    call.principal = call.tokens && !token.empty() ? call.tokens->Find(token) : nullptr;
    if (call.principal == nullptr) {
      *denied = call.Fail(401, "unauthenticated",
                          token.empty() ? "this resource needs an Authorization: Bearer token"
                                        : "the bearer token is not known");
      return false;
    }
    if (access == Access::kAdmin && !HasRole(*call.principal, kRoleAdmin)) {
      *denied = call.Fail(403, "forbidden", "only an admin token may do this");
      return false;
    }
    if (access == Access::kReadAll && !ReadsAllDistricts(*call.principal)) {
      *denied = call.Fail(403, "forbidden",
                          "this resource spans every district: it needs an auditor or admin token, "
                          "or one granted all districts (\"*\")");
      return false;
    }
    return true;
  }

  void Finish(const Call& call, std::chrono::steady_clock::time_point start, Response r,
              const Responder& done) {
    r.SetHeader("x-request-id", call.request_id);
    const double seconds =
        std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    const std::string& route = call.match.route >= 0 ? call.match.pattern : kUnmatched;
    const std::string status = std::to_string(r.status);
    ctx_.metrics.Add("wijkflow_http_requests_total",
                     {{"method", call.req.method}, {"route", route}, {"status", status}});
    ctx_.metrics.Observe("wijkflow_http_request_duration_seconds",
                         {{"method", call.req.method}, {"route", route}}, seconds);
    if (LogEnabled(spdlog::level::info)) {
      Log(spdlog::level::info, "request",
          {{"requestId", call.request_id},
           {"method", call.req.method},
           {"path", call.req.path},
           {"route", route},
           {"status", r.status},
           {"ms", seconds * 1000},
           {"system", call.principal ? call.principal->system : ""},
           {"remote", call.req.remote}});
    }
    done(std::move(r));
  }

  void DeclareMetrics() {
    Metrics& m = ctx_.metrics;
    m.DeclareCounter("wijkflow_http_requests_total", "HTTP requests by method, route and status.");
    m.DeclareHistogram("wijkflow_http_request_duration_seconds",
                       "Time from a request's arrival to its response, by method and route.",
                       Metrics::LatencyBuckets());
    m.DeclareCounter("wijkflow_commands_total", "Commands by workflow, command and outcome.");
    m.DeclareHistogram("wijkflow_command_duration_seconds",
                       "Engine time of a command (authorise, load, decide, durable append).",
                       Metrics::LatencyBuckets());
    m.DeclareGauge("wijkflow_log_last_position", "Position of the last event in the global log.");
    m.DeclareGauge("wijkflow_projection_lag_events",
                   "Events in the log that a projection has not applied yet.");
    m.AddCollector([this](Metrics& metrics) {
      const uint64_t last = ctx_.store.LastPosition();
      metrics.Set("wijkflow_log_last_position", {}, static_cast<double>(last));
      for (const auto& p : ctx_.registry.projections()) {
        const uint64_t cp = ctx_.projections.Checkpoint(p->Name());
        metrics.Set("wijkflow_projection_lag_events", {{"projection", p->Name()}},
                    static_cast<double>(last > cp ? last - cp : 0));
      }
    });
  }

  inline static const std::string kUnmatched = "unmatched";

  Ctx ctx_;
  Router router_;
  WorkerPool workers_;
  std::mutex later_mu_;
  std::condition_variable later_cv_;
  size_t later_in_flight_ = 0;  // GUARDED_BY(later_mu_)
  bool draining_ = false;       // GUARDED_BY(later_mu_)
  std::mutex tokens_mu_;
  std::shared_ptr<const Tokens> tokens_;
};

Api::Api(ApiDeps deps, ApiOptions options) : impl_(std::make_unique<Impl>(deps, options)) {}
Api::~Api() = default;
void Api::Handle(Request request, Responder done) {
  impl_->Handle(std::move(request), std::move(done));
}
Response Api::Rejected(ReadFailure why, const std::string& detail) {
  return impl_->Rejected(why, detail);
}
void Api::SetTokens(std::shared_ptr<const Tokens> tokens) { impl_->SetTokens(std::move(tokens)); }
void Api::SetReady(bool ready) { impl_->SetReady(ready); }
void Api::Drain() { impl_->Drain(); }

}  // namespace wijkflow::http
