// Operations and definitions: health, readiness, metrics, the OpenAPI document, workflow
// definitions and diagrams, routing errors, and the simulated clock.
#include <google/protobuf/struct.pb.h>
#include <google/protobuf/util/json_util.h>

#include <regex>

#include "tests/http/http_fixture.h"

namespace wijkflow::http::testing {
namespace {

using MetaTest = HttpTest;

TEST_F(MetaTest, HealthAndReadinessNeedNoToken) {
  ClientResponse h = Get("/healthz", "");
  EXPECT_EQ(h.status, 200);
  EXPECT_EQ(h.body, R"({"status":"ok"})");
  // Ready once the projections have caught up with the log as it was at start.
  ClientResponse r;
  for (int i = 0; i < 500 && r.status != 200; ++i) r = Get("/readyz", "");
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_NE(r.body.find(R"("projectionLag":{"event-count":)"), std::string::npos) << r.body;
}

TEST_F(MetaTest, MetricsCountRequestsCommandsAppendsAndLag) {
  ASSERT_EQ(Open("t1").status, 201);
  ASSERT_EQ(Open("t1").status, 409);
  ClientResponse m = Get("/metrics", "");
  ASSERT_EQ(m.status, 200);
  EXPECT_EQ(m.Header("content-type"), "text/plain; version=0.0.4; charset=utf-8");
  for (
      const char* line :
      {R"(wijkflow_http_requests_total{method="POST",route="/v1/{workflow}/{id}/commands/{command}",status="201"} 1)",
       R"(wijkflow_http_requests_total{method="POST",route="/v1/{workflow}/{id}/commands/{command}",status="409"} 1)",
       R"(wijkflow_commands_total{workflow="toggles",command="Open",outcome="ok"} 1)",
       R"(wijkflow_commands_total{workflow="toggles",command="Open",outcome="invalid-transition"} 1)",
       R"(wijkflow_http_request_duration_seconds_count{method="POST",route="/v1/{workflow}/{id}/commands/{command}"} 2)",
       R"(wijkflow_store_append_seconds_count 1)", "# TYPE wijkflow_store_sync_seconds histogram",
       R"(wijkflow_store_sync_seconds_count 1)",
       "# TYPE wijkflow_http_request_duration_seconds histogram",
       R"(wijkflow_projection_lag_events{projection="instances"})",
       "wijkflow_log_last_position 1"}) {
    EXPECT_NE(m.body.find(line), std::string::npos) << line << "\n" << m.body;
  }
}

TEST_F(MetaTest, OpenApiDescribesEveryRouteCommandAndError) {
  ClientResponse r = Get("/openapi.json", "");
  ASSERT_EQ(r.status, 200);
  google::protobuf::Struct doc;
  ASSERT_TRUE(google::protobuf::util::JsonStringToMessage(r.body, &doc).ok()) << "not JSON";
  EXPECT_EQ(doc.fields().at("openapi").string_value(), "3.1.0");
  const auto& paths = doc.fields().at("paths").struct_value().fields();
  for (const char* p :
       {"/healthz", "/readyz", "/metrics", "/openapi.json", "/v1/workflows", "/v1/workflows/{name}",
        "/v1/workflows/{name}/diagram", "/v1/events", "/v1/projections", "/v1/projections/{name}",
        "/v1/admin/clock", "/v1/toggles", "/v1/toggles/{id}", "/v1/toggles/{id}/events",
        "/v1/toggles/{id}/commands/Open", "/v1/toggles/{id}/commands/Close",
        "/v1/toggles/{id}/commands/Decide"}) {
    EXPECT_TRUE(paths.count(p)) << p;
  }
  const auto& open = paths.at("/v1/toggles/{id}/commands/Open").struct_value().fields().at("post");
  const auto& responses = open.struct_value().fields().at("responses").struct_value().fields();
  for (const char* status : {"200", "201", "400", "401", "403", "404", "408", "409", "412", "413",
                             "415", "422", "431", "503"}) {
    EXPECT_TRUE(responses.count(status)) << status;
  }
  const auto& schemas =
      doc.fields().at("components").struct_value().fields().at("schemas").struct_value().fields();
  ASSERT_TRUE(schemas.count("wijkflow.testing.Open"));
  const auto& props = schemas.at("wijkflow.testing.Open").struct_value().fields().at("properties");
  EXPECT_TRUE(props.struct_value().fields().count("tallyId"));
  EXPECT_TRUE(schemas.count("wijkflow.testing.ToggleData"));  // the state's data
  EXPECT_TRUE(schemas.count("wijkflow.testing.Opened"));      // an event payload
  // Every $ref points at something that exists.
  std::smatch m;
  std::string rest = r.body;
  const std::regex ref(R"re("\$ref":"#/components/(schemas|parameters|responses)/([^"]+)")re");
  const auto& components = doc.fields().at("components").struct_value().fields();
  while (std::regex_search(rest, m, ref)) {
    EXPECT_TRUE(components.at(m[1]).struct_value().fields().count(m[2])) << m[0];
    rest = m.suffix();
  }
}

TEST_F(MetaTest, WorkflowDefinitionsAndDiagrams) {
  ClientResponse all = Get("/v1/workflows");
  ASSERT_EQ(all.status, 200);
  EXPECT_NE(all.body.find(R"("name":"toggles")"), std::string::npos);
  ClientResponse one = Get("/v1/workflows/toggles");
  ASSERT_EQ(one.status, 200);
  EXPECT_NE(one.body.find(R"("initialState":"closed")"), std::string::npos) << one.body;
  EXPECT_NE(one.body.find(R"("name":"Decide","path":"/v1/toggles/{id}/commands/Decide")"),
            std::string::npos);
  EXPECT_NE(one.body.find(R"("decision":true,"roles":["district-manager"])"), std::string::npos);
  ClientResponse mermaid = Get("/v1/workflows/toggles/diagram");
  EXPECT_EQ(mermaid.status, 200);
  EXPECT_NE(mermaid.body.find("stateDiagram-v2"), std::string::npos);
  ClientResponse dot = Get("/v1/workflows/toggles/diagram?format=dot");
  EXPECT_NE(dot.body.find("digraph"), std::string::npos);
  EXPECT_EQ(Get("/v1/workflows/toggles/diagram?format=png").status, 400);
  EXPECT_EQ(Get("/v1/workflows/nothing").status, 404);
}

TEST_F(MetaTest, UnknownPathsAndMethods) {
  ClientResponse r = ExpectRejected(404, "not-found", [&] { return Get("/v2/whatever"); });
  EXPECT_EQ(JsonString(r.body, "instance"), "/v2/whatever");
  r = ExpectRejected(405, "method-not-allowed",
                     [&] { return Post("/v1/toggles/t1", R"({"district":"feijenoord"})"); });
  EXPECT_EQ(r.Header("allow"), "GET");
  r = ExpectRejected(405, "method-not-allowed",
                     [&] { return Get("/v1/toggles/t1/commands/Open"); });
  EXPECT_EQ(r.Header("allow"), "POST");
}

TEST_F(MetaTest, TheRequestIdIsEchoedOrMade) {
  ClientResponse r = Get("/healthz", "", {{"X-Request-Id", "abc-123"}});
  EXPECT_EQ(r.Header("x-request-id"), "abc-123");
  ClientResponse made = Get("/healthz", "", {{"X-Request-Id", "no spaces please"}});
  EXPECT_EQ(made.Header("x-request-id").size(), 16u);
}

TEST_F(MetaTest, OnlyAnAdminMovesTheSimulatedClockAndDueTimersFire) {
  ASSERT_EQ(Open("t1").status, 201);  // sets its auto-close timer an hour on
  ExpectRejected(403, "forbidden", [&] {
    return Post("/v1/admin/clock", R"({"advanceTo":"2024-01-01T10:00:00Z"})", kDesk);
  });
  ExpectRejected(400, "invalid-argument", [&] {
    return Post("/v1/admin/clock", R"({"advanceTo":"2023-01-01T10:00:00Z"})", kAdmin);
  });
  ClientResponse bad = ExpectRejected(400, "invalid-argument", [&] {
    return Post("/v1/admin/clock", R"({"advanceTo":"2024-01-01T10:00:00Z","speed":2})", kAdmin);
  });
  EXPECT_EQ(JsonString(bad.body, "field"), "speed");
  ClientResponse r = Post("/v1/admin/clock", R"({"advanceTo":"2024-01-01T10:00:00Z"})", kAdmin);
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_EQ(JsonString(r.body, "now"), "2024-01-01T10:00:00Z");
  EXPECT_EQ(JsonField(r.body, "timersFired"), "1");
  ClientResponse state = Get("/v1/toggles/t1");
  EXPECT_EQ(JsonString(state.body, "state"), "closed");
  EXPECT_NE(Get("/v1/toggles/t1/events").body.find(R"("role":"system")"), std::string::npos);
}

TEST_F(MetaTest, TheSystemClockCannotBeMoved) {
  StartService([](ServiceOptions& o) { o.simulated_clock = false; });
  ExpectRejected(409, "conflict", [&] {
    return Post("/v1/admin/clock", R"({"advanceTo":"2030-01-01T10:00:00Z"})", kAdmin);
  });
}

}  // namespace
}  // namespace wijkflow::http::testing
