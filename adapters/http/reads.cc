// Reads: an instance's state (now or as of a moment), its history, lists of instances from the
// instance index, and the projections' read models.
#include <google/protobuf/stubs/common.h>
#include <google/protobuf/util/time_util.h>

#include "absl/strings/str_cat.h"
#include "adapters/http/handlers.h"
#include "adapters/http/instance_index.h"
#include "adapters/http/json.h"
#include "wijkflow/engine.pb.h"

namespace wijkflow::http {
namespace {

using google::protobuf::util::TimeUtil;

const engine::Workflow* FindWorkflow(Ctx& ctx, const Call& call, Response* error) {
  const std::string& name = call.Param("workflow");
  const engine::Workflow* wf = ctx.registry.Find(name);
  if (wf == nullptr) *error = call.Fail(404, "not-found", "no workflow '" + name + "'");
  return wf;
}

// A model value as JSON: decoded through the projection's value type, else as text.
void WriteValue(JsonWriter& w, const engine::Projection* p, const std::string& value) {
  if (p != nullptr && p->ValueType() != nullptr) {
    std::unique_ptr<engine::Message> m(p->ValueType()->New());
    if (m->ParseFromString(value)) {
      w.Key("value").Raw(MessageJson(*m));
      return;
    }
  }
  if (google::protobuf::internal::IsStructurallyValidUTF8(value)) {
    w.Field("value", value);
  } else {
    w.Field("valueHex", Hex(value));
  }
}

const engine::Projection* FindProjection(Ctx& ctx, std::string_view name) {
  for (const auto& p : ctx.registry.projections()) {
    if (p->Name() == name) return p.get();
  }
  return nullptr;
}

// Fills `*error` with a 403 unless the caller may read an instance holding `data`.
bool InScope(const Call& call, const engine::Workflow& wf, const engine::Instance& instance,
             Response* error) {
  if (MayRead(*call.principal, DistrictOf(wf, instance))) return true;
  *error = call.Fail(403, "forbidden", "the instance belongs to a district outside this token's");
  return false;
}

// The district of an instance as the index holds it; empty if it has none (or cannot restore).
std::string SnapshotDistrict(const engine::Workflow& wf, const Snapshot& snap) {
  auto instance = wf.NewInstance(snap.definition_version());
  if (!instance->Restore(snap.state(), snap.data()).ok()) return "";
  return DistrictOf(wf, *instance);
}

}  // namespace

Response GetInstance(Ctx& ctx, Call& call) {
  Response error;
  const engine::Workflow* wf = FindWorkflow(ctx, call, &error);
  if (wf == nullptr) return error;
  std::optional<Micros> as_of;
  if (!QueryTime(call, "asOf", &as_of, &error)) return error;
  engine::InstanceView view;
  engine::Outcome o = ctx.engine.Get(call.Param("workflow"), call.Param("id"), as_of, &view);
  if (!o.ok()) return call.Fail(Problem::FromOutcome(o));
  if (!InScope(call, *wf, *view.instance, &error)) return error;
  const std::string etag = absl::StrCat("\"", view.version, "\"");
  if (!as_of && call.req.Header("if-none-match") == etag) {
    Response r;
    r.status = 304;
    r.SetHeader("etag", etag);
    return r;
  }
  JsonWriter w;
  w.BeginObject()
      .Field("workflow", call.Param("workflow"))
      .Field("id", call.Param("id"))
      .Field("state", view.instance->StateName())
      .Field("version", view.version)
      .Field("definitionVersion", uint64_t{view.definition_version})
      .Field("lastEffective", FormatTime(view.last_effective));
  if (as_of) w.Field("asOf", FormatTime(*as_of));
  w.Key("data").Raw(MessageJson(view.instance->Data())).EndObject();
  Response r = JsonResponse(200, w.Take());
  r.SetHeader("etag", etag);
  return r;
}

Response GetHistory(Ctx& ctx, Call& call) {
  Response error;
  const engine::Workflow* wf = FindWorkflow(ctx, call, &error);
  if (wf == nullptr) return error;
  uint64_t from = 1, limit = 1000;
  if (!QueryUint(call, "from", 1, UINT64_MAX, &from, &error) ||
      !QueryUint(call, "limit", 1000, ctx.options.max_page, &limit, &error)) {
    return error;
  }
  const std::string stream = engine::Engine::StreamId(call.Param("workflow"), call.Param("id"));
  StreamHead head;
  Status s = ctx.store.Head(stream, &head);
  if (!s.ok() && !s.IsNotFound()) return call.Fail(503, "unavailable", s.ToString());
  if (head.version == 0) return call.Fail(404, "not-found", stream + " has no events");
  if (!ReadsAllDistricts(*call.principal)) {
    engine::InstanceView view;
    engine::Outcome o = ctx.engine.Get(call.Param("workflow"), call.Param("id"), {}, &view);
    if (!o.ok()) return call.Fail(Problem::FromOutcome(o));
    if (!InScope(call, *wf, *view.instance, &error)) return error;
  }
  std::vector<EventEnvelope> events;
  s = ctx.store.ReadStream(stream, std::max<uint64_t>(from, 1), limit, &events);
  if (!s.ok()) return call.Fail(503, "unavailable", s.ToString());
  JsonWriter w;
  w.BeginObject().Field("streamId", stream).Field("version", head.version).Key("events");
  w.BeginArray();
  for (const auto& e : events) WriteEnvelope(w, e);
  w.EndArray().Key("next");
  if (!events.empty() && events.back().stream_version() < head.version) {
    w.Uint(events.back().stream_version() + 1);
  } else {
    w.Null();
  }
  w.EndObject();
  return JsonResponse(200, w.Take());
}

Response ListInstances(Ctx& ctx, Call& call) {
  Response error;
  const engine::Workflow* workflow = FindWorkflow(ctx, call, &error);
  if (workflow == nullptr) return error;
  const std::string& wf = call.Param("workflow");
  const std::string state(call.req.Query("state")), district(call.req.Query("district"));
  if (!MayRead(*call.principal, district)) {
    return call.Fail(403, "forbidden", "district '" + district + "' is not among this token's");
  }
  uint64_t limit = 100;
  if (!QueryUint(call, "limit", 100, ctx.options.max_page, &limit, &error) ||
      !WaitForProjections(ctx, call, &error)) {
    return error;
  }
  // A token for some districts sees only their instances (and those of no district).
  const bool scoped = district.empty() && !ReadsAllDistricts(*call.principal);
  const std::string after(call.req.Query("after"));
  // Scan the narrowest index; check the other filter on each record.
  const std::string prefix = !district.empty() ? index_keys::ByDistrict(wf, district)
                             : !state.empty()  ? index_keys::ByState(wf, state)
                                               : index_keys::Instance(wf, "");
  const std::string begin = after.empty() ? "" : after + '\0';
  JsonWriter w;
  w.BeginObject().Field("workflow", wf).Key("items").BeginArray();
  uint64_t n = 0;
  std::string last, more;
  Status s = ctx.projections.Scan(
      kInstanceIndex, prefix + begin, "", [&](const std::string& key, const std::string& value) {
        if (key.compare(0, prefix.size(), prefix) != 0) return false;
        const std::string id = key.substr(prefix.size());
        std::string bytes = value;
        if (prefix[0] != 'i' &&
            !ctx.projections.Get(kInstanceIndex, index_keys::Instance(wf, id), &bytes).ok()) {
          return true;
        }
        Snapshot snap;
        if (!snap.ParseFromString(bytes) || (!state.empty() && snap.state() != state)) return true;
        if (scoped && !MayRead(*call.principal, SnapshotDistrict(*workflow, snap))) return true;
        if (n == limit) {
          more = last;
          return false;
        }
        w.BeginObject()
            .Field("id", id)
            .Field("state", snap.state())
            .Field("version", snap.version());
        w.Field("lastEffective", FormatTime(snap.last_effective_micros())).EndObject();
        last = id;
        ++n;
        return true;
      });
  if (!s.ok()) return call.Fail(503, "unavailable", s.ToString());
  w.EndArray().Key("next");
  more.empty() ? w.Null() : w.String(more);
  w.Field("position", ctx.projections.Checkpoint(kInstanceIndex)).EndObject();
  return JsonResponse(200, w.Take());
}

Response ListProjections(Ctx& ctx, Call&) {
  const uint64_t last = ctx.store.LastPosition();
  JsonWriter w;
  w.BeginObject().Key("projections").BeginArray();
  for (const auto& p : ctx.registry.projections()) {
    const uint64_t cp = ctx.projections.Checkpoint(p->Name());
    w.BeginObject().Field("name", p->Name()).Field("checkpoint", cp);
    w.Field("lag", last > cp ? last - cp : 0);
    w.Field("valueType", p->ValueType() ? p->ValueType()->GetDescriptor()->full_name() : "");
    w.EndObject();
  }
  w.EndArray().Field("lastPosition", last).EndObject();
  return JsonResponse(200, w.Take());
}

Response GetProjection(Ctx& ctx, Call& call) {
  const std::string& name = call.Param("name");
  const engine::Projection* p = FindProjection(ctx, name);
  if (p == nullptr) return call.Fail(404, "not-found", "no projection '" + name + "'");
  Response error;
  uint64_t limit = 100;
  if (!QueryUint(call, "limit", 100, ctx.options.max_page, &limit, &error) ||
      !WaitForProjections(ctx, call, &error)) {
    return error;
  }
  JsonWriter w;
  if (call.req.HasQuery("key")) {
    const std::string key(call.req.Query("key"));
    std::string value;
    Status s = ctx.projections.Get(name, key, &value);
    if (s.IsNotFound()) return call.Fail(404, "not-found", "no key '" + key + "' in " + name);
    if (!s.ok()) return call.Fail(503, "unavailable", s.ToString());
    w.BeginObject().Field("projection", name).Field("key", key);
    WriteValue(w, p, value);
    w.Field("checkpoint", ctx.projections.Checkpoint(name)).EndObject();
    return JsonResponse(200, w.Take());
  }
  const std::string prefix(call.req.Query("prefix")), after(call.req.Query("after"));
  const std::string begin = after.empty() ? prefix : std::max(prefix, after + '\0');
  w.BeginObject().Field("projection", name).Key("items").BeginArray();
  uint64_t n = 0;
  std::string last, more;
  Status s = ctx.projections.Scan(name, begin, "", [&](const std::string& k, const std::string& v) {
    if (k.compare(0, prefix.size(), prefix) != 0) return false;
    if (n == limit) {
      more = last;
      return false;
    }
    w.BeginObject().Field("key", k);
    WriteValue(w, p, v);
    w.EndObject();
    last = k;
    ++n;
    return true;
  });
  if (!s.ok()) return call.Fail(503, "unavailable", s.ToString());
  w.EndArray().Key("next");
  more.empty() ? w.Null() : w.String(more);
  w.Field("checkpoint", ctx.projections.Checkpoint(name)).EndObject();
  return JsonResponse(200, w.Take());
}

}  // namespace wijkflow::http
