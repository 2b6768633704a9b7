// Builds the OpenAPI 3.1 document. Static pieces (shared parameters, problem responses, the
// adapter's own schemas) come from openapi_static.cc; the paths of every workflow, and the schemas
// of its commands, data and events, come from the registry and the protobuf descriptors.
#include "adapters/http/openapi.h"

#include <google/protobuf/descriptor.h>
#include <google/protobuf/message.h>

#include <set>
#include <utility>
#include <vector>

#include "adapters/http/openapi_schema.h"
#include "adapters/http/openapi_static.h"

namespace wijkflow::http {
namespace {

using google::protobuf::Descriptor;
using Descriptors = std::set<const Descriptor*>;

struct Op {
  Op(std::string m, std::string id, std::string t, std::string s, std::string d = "",
     std::vector<std::string> p = {})
      : method(std::move(m)),
        operation_id(std::move(id)),
        tag(std::move(t)),
        summary(std::move(s)),
        description(std::move(d)),
        params(std::move(p)) {}

  std::string method;  // "get", "post"
  std::string operation_id;
  std::string tag;
  std::string summary;
  std::string description;
  std::vector<std::string> params;                                // names in components/parameters
  std::vector<std::pair<std::string, std::string>> extra_params;  // raw parameter objects
  std::string body_ref;                                 // request body schema ($ref), if any
  std::vector<std::pair<std::string, std::string>> ok;  // status -> raw response object
  std::vector<std::string> errors;                      // names in components/responses
  bool secured = true;
};

std::string JsonContent(const std::string& schema_ref, const std::string& description,
                        const std::string& headers = "") {
  std::string r = "{\"description\": \"" + description + "\"";
  if (!headers.empty()) r += ", \"headers\": {" + headers + "}";
  return r + ", \"content\": {\"application/json\": {\"schema\": {\"$ref\": \"" + schema_ref +
         "\"}}}}";
}

std::string Ref(const std::string& name) { return "#/components/schemas/" + name; }

// Errors any request can meet, whatever its route.
const std::vector<std::string> kAnyRequest = {"BadRequest", "RequestTimeout", "PayloadTooLarge",
                                              "HeaderTooLarge", "Unavailable"};

int StatusOfResponse(const std::string& name) {
  static const std::pair<const char*, int> kStatus[] = {
      {"BadRequest", 400},       {"Unauthorized", 401},
      {"Forbidden", 403},        {"NotFound", 404},
      {"MethodNotAllowed", 405}, {"RequestTimeout", 408},
      {"Conflict", 409},         {"PreconditionFailed", 412},
      {"PayloadTooLarge", 413},  {"UnsupportedMediaType", 415},
      {"RuleViolated", 422},     {"HeaderTooLarge", 431},
      {"Unavailable", 503}};
  for (const auto& [n, s] : kStatus) {
    if (name == n) return s;
  }
  return 500;
}

void WriteOp(JsonWriter& w, const Op& op) {
  w.Key(op.method).BeginObject().Field("operationId", op.operation_id);
  w.Key("tags").BeginArray().String(op.tag).EndArray().Field("summary", op.summary);
  if (!op.description.empty()) w.Field("description", op.description);
  if (!op.secured) w.Key("security").BeginArray().EndArray();
  w.Key("parameters").BeginArray();
  w.BeginObject().Field("$ref", "#/components/parameters/RequestId").EndObject();
  for (const auto& p : op.params) {
    w.BeginObject().Field("$ref", "#/components/parameters/" + p).EndObject();
  }
  for (const auto& [name, raw] : op.extra_params) w.Raw(raw);
  w.EndArray();
  if (!op.body_ref.empty()) {
    w.Key("requestBody").BeginObject().Field("required", true).Key("content").BeginObject();
    w.Key("application/json").BeginObject().Key("schema").BeginObject();
    w.Field("$ref", op.body_ref).EndObject().EndObject().EndObject().EndObject();
  }
  w.Key("responses").BeginObject();
  for (const auto& [status, raw] : op.ok) w.Key(status).Raw(raw);
  std::set<std::pair<int, std::string>> errors;
  for (const auto& e : op.errors) errors.emplace(StatusOfResponse(e), e);
  for (const auto& e : kAnyRequest) errors.emplace(StatusOfResponse(e), e);
  if (op.secured) errors.emplace(401, "Unauthorized");
  for (const auto& [status, name] : errors) {
    w.Key(std::to_string(status)).BeginObject();
    w.Field("$ref", "#/components/responses/" + name).EndObject();
  }
  w.EndObject().EndObject();
}

void WritePath(JsonWriter& w, const std::string& path, const std::vector<Op>& ops) {
  w.Key(path).BeginObject();
  for (const auto& op : ops) WriteOp(w, op);
  w.EndObject();
}

std::string StateEnum(const engine::WorkflowInfo& info) {
  std::string s = "[";
  for (const auto& st : info.states) s += (s.size() > 1 ? ", \"" : "\"") + st + "\"";
  return s + "]";
}

// One path per command, its body the command message's schema.
void WriteCommandPaths(JsonWriter& w, const engine::Workflow& wf, const std::string& etag,
                       Descriptors* needed) {
  const std::string& n = wf.Info().name;
  const std::string base = "/v1/" + n;
  for (const auto& c : wf.Commands()) {
    const Descriptor* d = c.prototype->GetDescriptor();
    needed->insert(d);
    std::string roles;
    for (const auto& r : c.roles) roles += (roles.empty() ? "" : ", ") + r;
    Op cmd{"post",
           n + "-" + c.name,
           n,
           c.name + " (" + d->full_name() + ")",
           "Roles: " + roles + "." +
               (c.is_decision ? " A decision: a district manager needs a mandate in force on "
                                "the effective date and acts in the council's name."
                              : ""),
           {"Id", "IdempotencyKey", "IfMatch", "EffectiveDate", "ActorId", "ActorRole",
            "CorrelationId", "CausationId"}};
    cmd.body_ref = SchemaRef(d);
    const std::string headers = etag +
                                ", \"Idempotent-Replayed\": {\"description\": \"true for a "
                                "retry.\", \"schema\": {\"type\": \"string\"}}";
    cmd.ok = {
        {"200", JsonContent(Ref("CommandResult"), "Applied (or a retry's first result).", headers)},
        {"201", JsonContent(Ref("CommandResult"), "Applied; it started the instance.",
                            headers + ", \"Location\": {\"schema\": {\"type\": \"string\"}}")}};
    cmd.errors = {"BadRequest",  "Forbidden",          "NotFound",
                  "Conflict",    "PreconditionFailed", "UnsupportedMediaType",
                  "RuleViolated"};
    WritePath(w, base + "/{id}/commands/" + c.name, {cmd});
  }
}

void WriteWorkflowPaths(JsonWriter& w, const engine::Workflow& wf, Descriptors* needed) {
  const engine::WorkflowInfo& info = wf.Info();
  const std::string& n = info.name;
  const std::string base = "/v1/" + n;
  Op list{"get",
          "list-" + n,
          n,
          "List " + n + " from the instance index",
          "Filters combine. The list comes from a read model: pass a command's lastPosition as "
          "minPosition to include it.",
          {"After", "Limit", "MinPosition"}};
  list.extra_params = {
      {"state",
       "{\"name\": \"state\", \"in\": \"query\", \"schema\": {\"type\": \"string\", "
       "\"enum\": " +
           StateEnum(info) + "}}"},
      {"district",
       "{\"name\": \"district\", \"in\": \"query\", \"schema\": {\"type\": "
       "\"string\"}}"}};
  list.ok = {{"200", JsonContent(Ref("InstanceList"), "A page of instances.")}};
  list.errors = {"BadRequest", "Forbidden", "NotFound"};
  WritePath(w, base, {list});

  const std::string etag =
      "\"ETag\": {\"description\": \"The version, quoted.\", \"schema\": "
      "{\"type\": \"string\"}}";
  Op get{"get", "get-" + n,
         n,     "One instance's state, now or as of a moment",
         "",    {"Id", "AsOf", "IfNoneMatch"}};
  get.ok = {{"200", JsonContent(Ref("InstanceState-" + n), "The state.", etag)},
            {"304", "{\"description\": \"Not modified since the version in If-None-Match.\"}"}};
  get.errors = {"BadRequest", "Forbidden", "NotFound"};
  WritePath(w, base + "/{id}", {get});

  Op history{"get", "history-" + n,
             n,     "The instance's full history, with envelopes",
             "",    {"Id", "FromVersion", "Limit"}};
  history.ok = {{"200", JsonContent(Ref("History"), "Events in stream order.")}};
  history.errors = {"BadRequest", "Forbidden", "NotFound"};
  WritePath(w, base + "/{id}/events", {history});

  WriteCommandPaths(w, wf, etag, needed);
}

void WriteOperationsPaths(JsonWriter& w) {
  auto simple = [](std::string id, std::string tag, std::string summary, std::string schema,
                   bool secured) {
    Op op{"get", std::move(id), std::move(tag), std::move(summary)};
    op.ok = {{"200", JsonContent(Ref(schema), "OK.")}};
    op.secured = secured;
    return op;
  };
  WritePath(w, "/healthz", {simple("healthz", "operations", "Liveness", "Health", false)});
  Op ready = simple("readyz", "operations", "Readiness, with projection lag", "Ready", false);
  WritePath(w, "/readyz", {ready});
  Op metrics{"get", "metrics", "operations", "Prometheus metrics"};
  metrics.description =
      "wijkflow_http_requests_total{method,route,status}, "
      "wijkflow_http_request_duration_seconds{method,route} (histogram), "
      "wijkflow_commands_total{workflow,command,outcome}, wijkflow_command_duration_seconds, "
      "wijkflow_store_append_seconds (histogram: queue, group commit and fsync), "
      "wijkflow_store_sync_seconds (histogram: one group's synced write, WAL write and fsync), "
      "wijkflow_projection_lag_events{projection}, wijkflow_log_last_position.";
  metrics.ok = {{"200",
                 "{\"description\": \"Prometheus text format 0.0.4.\", \"content\": "
                 "{\"text/plain\": {\"schema\": {\"type\": \"string\"}}}}"}};
  metrics.secured = false;
  WritePath(w, "/metrics", {metrics});
  Op doc{"get", "openapi", "operations", "This document"};
  doc.ok = {{"200",
             "{\"description\": \"OpenAPI 3.1.\", \"content\": {\"application/json\": "
             "{\"schema\": {\"type\": \"object\"}}}}"}};
  doc.secured = false;
  WritePath(w, "/openapi.json", {doc});
}

Op Simple(std::string id, std::string tag, std::string summary, std::string schema) {
  Op op{"get", std::move(id), std::move(tag), std::move(summary)};
  op.ok = {{"200", JsonContent(Ref(schema), "OK.")}};
  return op;
}

void WriteDefinitionPaths(JsonWriter& w) {
  WritePath(w, "/v1/workflows",
            {Simple("list-workflows", "workflows", "Workflow definitions", "WorkflowList")});
  Op wf = Simple("get-workflow", "workflows", "One workflow definition", "Workflow");
  wf.params = {"WorkflowName"};
  wf.errors = {"NotFound"};
  WritePath(w, "/v1/workflows/{name}", {wf});
  Op diagram{"get", "get-diagram",   "workflows", "The workflow's state diagram",
             "",    {"WorkflowName"}};
  diagram.extra_params = {{"format",
                           "{\"name\": \"format\", \"in\": \"query\", \"schema\": {\"enum\": "
                           "[\"mermaid\", \"dot\"], \"default\": \"mermaid\"}}"}};
  diagram.ok = {{"200",
                 "{\"description\": \"Mermaid stateDiagram-v2 or Graphviz DOT.\", "
                 "\"content\": {\"text/vnd.mermaid\": {\"schema\": {\"type\": "
                 "\"string\"}}, \"text/vnd.graphviz\": {\"schema\": {\"type\": "
                 "\"string\"}}}}"}};
  diagram.errors = {"BadRequest", "NotFound"};
  WritePath(w, "/v1/workflows/{name}/diagram", {diagram});
}

void WriteLogAndModelPaths(JsonWriter& w) {
  Op log{"get",
         "global-log",
         "events",
         "The global log, as pages or as a live event stream",
         "With Accept: text/event-stream: Server-Sent Events, one per event (id: position, "
         "event: event type, data: the envelope), first the recorded ones from 'from', then "
         "live. Reconnect with Last-Event-ID to resume without gap or duplicate.",
         {"FromPosition", "Limit", "WorkflowFilter", "LastEventId"}};
  log.ok = {{"200",
             "{\"description\": \"A page, or the stream.\", \"content\": "
             "{\"application/json\": {\"schema\": {\"$ref\": \"" +
                 Ref("LogPage") +
                 "\"}}, \"text/event-stream\": {\"schema\": {\"type\": \"string\"}}}}"}};
  log.errors = {"BadRequest", "Forbidden", "NotFound"};
  WritePath(w, "/v1/events", {log});

  Op projections = Simple("list-projections", "projections", "Read models, with checkpoint and lag",
                          "ProjectionList");
  projections.errors = {"Forbidden"};
  WritePath(w, "/v1/projections", {projections});
  Op proj{"get",
          "get-projection",
          "projections",
          "A read model: one key, or a page of keys",
          "?key= reads one key; otherwise keys with ?prefix=, in order.",
          {"ProjectionName", "After", "Limit", "MinPosition"}};
  proj.extra_params = {
      {"key", "{\"name\": \"key\", \"in\": \"query\", \"schema\": {\"type\": \"string\"}}"},
      {"prefix", "{\"name\": \"prefix\", \"in\": \"query\", \"schema\": {\"type\": \"string\"}}"}};
  proj.ok = {{"200", JsonContent(Ref("ProjectionPage"), "The key or the page.")}};
  proj.errors = {"BadRequest", "Forbidden", "NotFound"};
  WritePath(w, "/v1/projections/{name}", {proj});

  Op clock{"post", "advance-clock", "admin", "Move the simulated clock forward (admin only)",
           "Fires the timers that fall due. Only when the server runs with --clock simulated."};
  clock.body_ref = Ref("ClockAdvance");
  clock.ok = {{"200", JsonContent(Ref("ClockResult"), "The clock's new now.")}};
  clock.errors = {"BadRequest", "Forbidden", "Conflict"};
  WritePath(w, "/v1/admin/clock", {clock});
}

void WriteStaticPaths(JsonWriter& w) {
  WriteOperationsPaths(w);
  WriteDefinitionPaths(w);
  WriteLogAndModelPaths(w);
}

void WriteStateSchema(JsonWriter& w, const engine::Workflow& wf, Descriptors* needed) {
  const engine::WorkflowInfo& info = wf.Info();
  const Descriptor* data = wf.NewInstance(info.definition_version)->Data().GetDescriptor();
  needed->insert(data);
  w.Key("InstanceState-" + info.name);
  w.Raw("{\"type\": \"object\", \"properties\": {\"workflow\": {\"const\": \"" + info.name +
        "\"}, \"id\": {\"type\": \"string\"}, \"state\": {\"enum\": " + StateEnum(info) +
        "}, \"version\": {\"type\": \"integer\"}, \"definitionVersion\": {\"type\": "
        "\"integer\"}, \"lastEffective\": {\"type\": \"string\", \"format\": \"date-time\"}, "
        "\"asOf\": {\"type\": \"string\", \"format\": \"date-time\"}, \"data\": {\"$ref\": \"" +
        SchemaRef(data) + "\"}}}");
}

void WriteComponents(JsonWriter& w, const engine::WorkflowRegistry& registry, Descriptors needed) {
  w.Key("components").BeginObject();
  w.Key("securitySchemes")
      .Raw(
          "{\"bearer\": {\"type\": \"http\", \"scheme\": \"bearer\", \"description\": \"A token "
          "from the server's tokens file; it names the calling system, its roles and "
          "districts.\"}}");
  w.Key("parameters").Raw(std::string("{") + openapi::kParameters + "}");
  w.Key("responses").Raw(std::string("{") + openapi::kResponses + "}");
  w.Key("schemas").BeginObject();
  w.Raw(openapi::kSchemas);  // members of this object, written as they are
  std::set<std::string> events;
  for (const auto& wf : registry.workflows()) {
    WriteStateSchema(w, *wf, &needed);
    for (const auto& e : wf->Info().events) events.insert(e);
  }
  w.Key("EventPayload").BeginObject().Field("description", "The event, by its eventType.");
  w.Key("anyOf").BeginArray();
  for (const auto& e : events) {
    const Descriptor* d =
        google::protobuf::DescriptorPool::generated_pool()->FindMessageTypeByName(e);
    if (d == nullptr) continue;
    needed.insert(d);
    w.BeginObject().Field("$ref", SchemaRef(d)).EndObject();
  }
  w.EndArray().EndObject();
  needed.insert(Actor::descriptor());
  WriteMessageSchemas(w, needed);
  w.EndObject().EndObject();
}

}  // namespace

std::string BuildOpenApi(const engine::WorkflowRegistry& registry) {
  JsonWriter w;
  w.BeginObject().Field("openapi", "3.1.0");
  w.Key("info").Raw(
      "{\"title\": \"wijkflow\", \"version\": \"1\", \"description\": \"Commands, state, "
      "history and read models of Rotterdam's Wijk aan Zet decision workflows. Bodies use "
      "protobuf's JSON mapping (lowerCamelCase names, 64-bit integers as strings, timestamps in "
      "RFC 3339); unknown fields are refused. Errors are RFC 9457 problem details.\"}");
  w.Key("jsonSchemaDialect").String("https://spec.openapis.org/oas/3.1/dialect/base");
  w.Key("security").Raw("[{\"bearer\": []}]");
  Descriptors needed;
  w.Key("paths").BeginObject();
  WriteStaticPaths(w);
  for (const auto& wf : registry.workflows()) WriteWorkflowPaths(w, *wf, &needed);
  w.EndObject();
  WriteComponents(w, registry, needed);
  w.EndObject();
  return w.Take();
}

}  // namespace wijkflow::http
