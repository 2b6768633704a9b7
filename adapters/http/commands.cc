// POST /v1/{workflow}/{id}/commands/{command}
//
//   body                the command message, protobuf JSON mapping; unknown fields are refused
//   Authorization       Bearer <token>: the calling system and its grants
//   X-Actor-Id          who acts (default: the calling system); X-Actor-Role: in which role
//                       (default: the token's role, if it has exactly one)
//   Idempotency-Key     a retry with the same key returns the first result and writes nothing
//   If-Match: "<n>"     refuse (412) unless the instance is at version n
//   ?effectiveDate=     RFC 3339: when the act counts (default: now); not in the future, not
//                       before the instance's last event
//   X-Correlation-Id, X-Causation-Id   carried into the envelopes
#include <algorithm>
#include <chrono>
#include <random>

#include "absl/strings/str_cat.h"
#include "adapters/http/handlers.h"
#include "adapters/http/json.h"

namespace wijkflow::http {
namespace {

bool ValidToken(std::string_view s, size_t max) {
  return !s.empty() && s.size() <= max && std::all_of(s.begin(), s.end(), [](char c) {
    return std::isalnum(static_cast<unsigned char>(c)) || c == '-' || c == '_' || c == '.' ||
           c == ':' || c == '@';
  });
}

std::string RandomKey() {
  thread_local std::mt19937_64 rng{std::random_device{}()};
  static const char kHex[] = "0123456789abcdef";
  std::string key = "auto-";
  for (int i = 0; i < 2; ++i) {
    uint64_t r = rng();
    for (int j = 0; j < 16; ++j, r >>= 4) key.push_back(kHex[r & 15]);
  }
  return key;
}

// "\"12\"", "12" or W/"12" -> 12.
std::optional<uint64_t> ParseVersionTag(std::string_view tag) {
  if (tag.rfind("W/", 0) == 0) tag.remove_prefix(2);
  if (tag.size() >= 2 && tag.front() == '"' && tag.back() == '"') {
    tag = tag.substr(1, tag.size() - 2);
  }
  if (tag.empty() || tag.size() > 19) return std::nullopt;
  uint64_t v = 0;
  for (char c : tag) {
    if (c < '0' || c > '9') return std::nullopt;
    v = v * 10 + static_cast<uint64_t>(c - '0');
  }
  return v;
}

// The state an instance reached at `version`, by replaying its events (for a retried command,
// whose first answer is not kept).
std::string StateAt(Ctx& ctx, const engine::Workflow& wf, const std::string& stream,
                    uint64_t version) {
  std::vector<EventEnvelope> events;
  if (version == 0 || !ctx.store.ReadStream(stream, 1, version, &events).ok() || events.empty()) {
    return "";
  }
  auto instance = wf.NewInstance(events.front().definition_version());
  for (const auto& e : events) {
    auto payload = engine::DecodePayload(e);
    if (!payload || !instance->Apply(e, *payload).ok()) return "";
  }
  return std::string(instance->StateName());
}

// Fills the request's actor, command id, precondition and dates from the headers and query.
bool ReadCommandHeaders(const Call& call, engine::CommandRequest* r, std::string* key,
                        Response* error) {
  const Request& req = call.req;
  auto bad = [&](std::string detail, std::string field) {
    *error = call.Fail(Problem(400, "invalid-argument", std::move(detail)).With("field", field));
    return false;
  };
  if (auto id = req.Header("x-actor-id"); !id.empty()) {
    if (!ValidToken(id, 128))
      return bad("X-Actor-Id must be 1-128 of [A-Za-z0-9._:@-]", "X-Actor-Id");
    r->actor.set_id(std::string(id));
  }
  if (auto role = req.Header("x-actor-role"); !role.empty()) {
    if (!ValidToken(role, 64)) return bad("X-Actor-Role is malformed", "X-Actor-Role");
    r->actor.set_role(std::string(role));
  }
  *key = std::string(req.Header("idempotency-key"));
  if (key->empty()) {
    *key = RandomKey();
    r->command_id_is_new = true;
  } else if (!ValidToken(*key, 128)) {
    return bad("Idempotency-Key must be 1-128 of [A-Za-z0-9._:@-]", "Idempotency-Key");
  }
  r->command_id = call.principal->system + "/" + *key;
  if (auto tag = req.Header("if-match"); !tag.empty()) {
    r->if_match = ParseVersionTag(tag);
    if (!r->if_match) return bad("If-Match must be a version tag such as \"3\"", "If-Match");
  }
  std::optional<Micros> effective;
  if (!QueryTime(call, "effectiveDate", &effective, error)) return false;
  r->effective = effective;
  for (auto [header, out] : {std::pair{"x-correlation-id", &r->correlation_id},
                             std::pair{"x-causation-id", &r->causation_id}}) {
    auto v = req.Header(header);
    if (v.empty()) continue;
    if (!ValidToken(v, 128)) return bad(std::string(header) + " is malformed", header);
    *out = std::string(v);
  }
  return true;
}

bool JsonContent(std::string_view content_type) {
  if (content_type.empty()) return true;
  std::string t(content_type.substr(0, content_type.find(';')));
  std::transform(t.begin(), t.end(), t.begin(), [](char c) { return std::tolower(c); });
  while (!t.empty() && t.back() == ' ') t.pop_back();
  return t == "application/json";
}

Response Result(Ctx& ctx, const Call& call, const engine::Workflow& wf,
                const engine::CommandResult& result, const std::string& key) {
  const std::string& workflow = call.Param("workflow");
  const std::string& id = call.Param("id");
  const std::string stream = engine::Engine::StreamId(workflow, id);
  bool created = false, in_receipt = false;
  for (const auto& s : result.receipt.streams()) {
    if (s.stream_id() != stream) continue;
    in_receipt = true;
    created = s.first_version() == 1;
  }
  if (result.duplicate && !in_receipt) {
    return call.Fail(409, "idempotency-key-reused",
                     "Idempotency-Key '" + key + "' was used for a command on another instance");
  }
  const std::string state =
      result.duplicate ? StateAt(ctx, wf, stream, result.version) : result.state;
  JsonWriter w;
  w.BeginObject()
      .Field("workflow", workflow)
      .Field("id", id)
      .Field("command", call.Param("command"))
      .Field("commandId", key)
      .Field("version", result.version)
      .Field("state", state)
      .Field("created", created)
      .Field("duplicate", result.duplicate)
      .Field("firstPosition", result.receipt.first_position())
      .Field("lastPosition", result.receipt.last_position());
  if (result.receipt.has_recorded_at()) {
    w.Field("recordedAt", FormatTime(result.receipt.recorded_at()));
  }
  w.EndObject();
  Response r = JsonResponse(created ? 201 : 200, w.Take());
  r.SetHeader("etag", absl::StrCat("\"", result.version, "\""));
  if (created) r.SetHeader("location", "/v1/" + workflow + "/" + id);
  if (result.duplicate) r.SetHeader("idempotent-replayed", "true");
  return r;
}

}  // namespace

void PostCommand(Ctx& ctx, const std::shared_ptr<Call>& call, Reply reply) {
  const std::string& workflow = call->Param("workflow");
  const std::string& command = call->Param("command");
  const engine::Workflow* wf = ctx.registry.Find(workflow);
  if (wf == nullptr) return reply(call->Fail(404, "not-found", "no workflow '" + workflow + "'"));
  if (!JsonContent(call->req.Header("content-type"))) {
    return reply(call->Fail(415, "unsupported-media-type", "a command body is application/json"));
  }
  const engine::CommandSpec* spec = nullptr;
  for (const auto& c : wf->Commands()) {
    if (c.name == command) spec = &c;
  }
  if (spec == nullptr) {
    return reply(call->Fail(404, "not-found",
                            "workflow '" + workflow + "' has no command '" + command + "'"));
  }
  std::string_view json = call->req.body;
  if (json.find_first_not_of(" \t\r\n") == std::string_view::npos) json = "{}";
  std::unique_ptr<engine::Message> body(spec->prototype->New());
  std::string parse_error, field;
  if (!ParseMessageJson(json, body.get(), &parse_error, &field)) {
    Problem p(400, "invalid-argument", parse_error);
    if (!field.empty()) p.With("field", field);
    return reply(call->Fail(p));
  }
  engine::CommandRequest r;
  std::string key;
  Response error;
  if (!ReadCommandHeaders(*call, &r, &key, &error)) return reply(std::move(error));
  r.workflow = workflow;
  r.instance_id = call->Param("id");
  r.command = command;
  r.body = std::move(body);
  r.principal = *call->principal;
  const auto start = std::chrono::steady_clock::now();
  // Runs on the store's sync thread for most commands: the answer is quick to build, except a
  // retried command's, whose state is replayed from the store on a worker.
  engine::Engine::Done done = [&ctx, call, reply, wf, key, start](engine::CommandResult result) {
    const std::string& workflow = call->Param("workflow");
    ctx.metrics.Observe(
        "wijkflow_command_duration_seconds", {{"workflow", workflow}},
        std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count());
    const char* outcome =
        result.duplicate ? "duplicate" : engine::Outcome::KindName(result.outcome.kind());
    ctx.metrics.Add(
        "wijkflow_commands_total",
        {{"workflow", workflow}, {"command", call->Param("command")}, {"outcome", outcome}});
    if (!result.outcome.ok()) return reply(call->Fail(Problem::FromOutcome(result.outcome)));
    if (!result.duplicate) return reply(Result(ctx, *call, *wf, result, key));
    auto kept = std::make_shared<engine::CommandResult>(std::move(result));
    if (!ctx.run_blocking(
            [&ctx, call, reply, wf, key, kept] { reply(Result(ctx, *call, *wf, *kept, key)); })) {
      reply(call->Fail(503, "unavailable", "shutting down"));
    }
  };
  // Where the engine would have to wait (a command in flight on the same instance, a lost race),
  // the command runs on a worker.
  engine::Engine::Waiting wait = [&ctx, call](engine::CommandRequest request,
                                              engine::Engine::Done done) {
    auto kept = std::make_shared<engine::CommandRequest>(std::move(request));
    if (!ctx.run_blocking([&ctx, kept, done] { done(ctx.engine.Execute(std::move(*kept))); })) {
      engine::CommandResult refused;
      refused.outcome = engine::Outcome::Unavailable("shutting down");
      done(std::move(refused));
    }
  };
  ctx.engine.ExecuteAsync(std::move(r), std::move(done), std::move(wait));
}

}  // namespace wijkflow::http
