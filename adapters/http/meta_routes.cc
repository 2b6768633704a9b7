// Workflow definitions and their diagrams, health, readiness, metrics, the OpenAPI document, and
// the simulated clock.
#include <google/protobuf/struct.pb.h>

#include "adapters/http/handlers.h"
#include "adapters/http/json.h"
#include "adapters/http/log.h"
#include "engine/diagram.h"

namespace wijkflow::http {
namespace {

void WriteWorkflow(JsonWriter& w, const engine::Workflow& wf) {
  const engine::WorkflowInfo& info = wf.Info();
  w.BeginObject()
      .Field("name", info.name)
      .Field("definitionVersion", uint64_t{info.definition_version})
      .Field("initialState", info.initial_state)
      .Field("dataType",
             wf.NewInstance(info.definition_version)->Data().GetDescriptor()->full_name());
  w.Key("states").BeginArray();
  for (const auto& s : info.states) w.String(s);
  w.EndArray().Key("events").BeginArray();
  for (const auto& e : info.events) w.String(e);
  w.EndArray().Key("transitions").BeginArray();
  for (const auto& t : info.transitions) {
    w.BeginObject().Field("from", t.from).Field("event", t.event).Field("to", t.to).EndObject();
  }
  w.EndArray().Key("commands").BeginArray();
  for (const auto& c : wf.Commands()) {
    w.BeginObject()
        .Field("name", c.name)
        .Field("path", "/v1/" + info.name + "/{id}/commands/" + c.name)
        .Field("bodyType", c.prototype->GetDescriptor()->full_name())
        .Field("decision", c.is_decision)
        .Key("roles")
        .BeginArray();
    for (const auto& r : c.roles) w.String(r);
    w.EndArray().EndObject();
  }
  w.EndArray().Field("diagram", "/v1/workflows/" + info.name + "/diagram").EndObject();
}

}  // namespace

Response ListWorkflows(Ctx& ctx, Call&) {
  JsonWriter w;
  w.BeginObject().Key("workflows").BeginArray();
  for (const auto& wf : ctx.registry.workflows()) WriteWorkflow(w, *wf);
  w.EndArray().EndObject();
  return JsonResponse(200, w.Take());
}

Response GetWorkflow(Ctx& ctx, Call& call) {
  const engine::Workflow* wf = ctx.registry.Find(call.Param("name"));
  if (wf == nullptr) return call.Fail(404, "not-found", "no workflow '" + call.Param("name") + "'");
  JsonWriter w;
  WriteWorkflow(w, *wf);
  return JsonResponse(200, w.Take());
}

Response GetDiagram(Ctx& ctx, Call& call) {
  const engine::Workflow* wf = ctx.registry.Find(call.Param("name"));
  if (wf == nullptr) return call.Fail(404, "not-found", "no workflow '" + call.Param("name") + "'");
  const std::string format(call.req.Query("format"));
  Response r;
  if (format.empty() || format == "mermaid") {
    r.body = engine::ToMermaid(wf->Info());
    r.SetHeader("content-type", "text/vnd.mermaid; charset=utf-8");
  } else if (format == "dot") {
    r.body = engine::ToDot(wf->Info());
    r.SetHeader("content-type", "text/vnd.graphviz; charset=utf-8");
  } else {
    return call.Fail(
        Problem(400, "invalid-argument", "format is mermaid or dot").With("field", "format"));
  }
  return r;
}

Response Healthz(Ctx&, Call&) { return JsonResponse(200, "{\"status\":\"ok\"}"); }

Response Readyz(Ctx& ctx, Call& call) {
  if (!ctx.ready.load()) return call.Fail(503, "unavailable", "not ready (starting or stopping)");
  const uint64_t last = ctx.store.LastPosition();
  JsonWriter w;
  w.BeginObject().Field("status", "ready").Field("lastPosition", last).Key("projectionLag");
  w.BeginObject();
  for (const auto& p : ctx.registry.projections()) {
    const uint64_t cp = ctx.projections.Checkpoint(p->Name());
    w.Field(p->Name(), last > cp ? last - cp : 0);
  }
  w.EndObject().EndObject();
  return JsonResponse(200, w.Take());
}

Response MetricsText(Ctx& ctx, Call&) {
  Response r;
  r.body = ctx.metrics.Render();
  r.SetHeader("content-type", "text/plain; version=0.0.4; charset=utf-8");
  return r;
}

Response OpenApi(Ctx& ctx, Call&) { return JsonResponse(200, ctx.openapi); }

// POST /v1/admin/clock {"advanceTo": "<RFC 3339>"}: moves the simulated clock forward and fires
// the timers that fall due.
Response AdvanceClock(Ctx& ctx, Call& call) {
  if (ctx.simulated_clock == nullptr) {
    return call.Fail(409, "conflict",
                     "the server runs on the system clock; start it with --clock simulated");
  }
  google::protobuf::Struct body;
  std::string error, field;
  if (!ParseMessageJson(call.req.body, &body, &error, &field)) {
    return call.Fail(400, "invalid-argument", error);
  }
  for (const auto& [key, value] : body.fields()) {
    if (key != "advanceTo") {
      return call.Fail(
          Problem(400, "invalid-argument", key + ": Cannot find field.").With("field", key));
    }
  }
  auto it = body.fields().find("advanceTo");
  std::optional<Micros> to;
  if (it != body.fields().end() && it->second.has_string_value())
    to = ParseTime(it->second.string_value());
  if (!to) {
    return call.Fail(Problem(400, "invalid-argument", "advanceTo must be an RFC 3339 date-time")
                         .With("field", "advanceTo"));
  }
  const Micros now = ctx.simulated_clock->Now();
  if (*to < now) {
    return call.Fail(Problem(400, "invalid-argument",
                             "advanceTo lies before the clock's now, " + FormatTime(now))
                         .With("field", "advanceTo"));
  }
  ctx.simulated_clock->AdvanceTo(*to);
  const size_t fired = ctx.engine.FireDueTimers();
  Log(spdlog::level::info, "clock advanced",
      {{"now", FormatTime(*to)}, {"timersFired", uint64_t{fired}}, {"requestId", call.request_id}});
  JsonWriter w;
  w.BeginObject().Field("now", FormatTime(ctx.simulated_clock->Now()));
  w.Field("timersFired", uint64_t{fired}).EndObject();
  return JsonResponse(200, w.Take());
}

}  // namespace wijkflow::http
