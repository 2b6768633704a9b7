// Reads over a real socket: state with ETag and ?asOf=, history, lists, projections and the
// global log as pages.
#include "tests/http/http_fixture.h"

namespace wijkflow::http::testing {
namespace {

using ReadTest = HttpTest;

TEST_F(ReadTest, StateCarriesAnETagAndTheDataByTheProtobufJsonMapping) {
  ASSERT_EQ(Open("t1").status, 201);
  ClientResponse r = Get("/v1/toggles/t1");
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_EQ(r.Header("etag"), "\"1\"");
  EXPECT_EQ(JsonString(r.body, "state"), "open");
  EXPECT_EQ(JsonField(r.body, "version"), "1");
  EXPECT_NE(
      r.body.find(R"("data":{"opens":1,"lastReason":"","district":"feijenoord","count":"0"})"),
      std::string::npos)
      << r.body;

  ClientResponse same = Get("/v1/toggles/t1", kDesk, {{"If-None-Match", "\"1\""}});
  EXPECT_EQ(same.status, 304);
  EXPECT_EQ(same.Header("etag"), "\"1\"");
  EXPECT_TRUE(same.body.empty());
}

TEST_F(ReadTest, AsOfShowsTheStateAsItStoodThen) {
  ASSERT_EQ(Open("t1").status, 201);
  ASSERT_EQ(Post("/v1/admin/clock", R"({"advanceTo":"2024-01-01T08:30:00Z"})", kAdmin).status, 200);
  ASSERT_EQ(Command("t1", "Close", R"({"reason":"lunch"})").status, 200);

  EXPECT_EQ(JsonString(Get("/v1/toggles/t1").body, "state"), "closed");
  ClientResponse then = Get("/v1/toggles/t1?asOf=2024-01-01T08:10:00Z", kAuditor);
  ASSERT_EQ(then.status, 200) << then.body;
  EXPECT_EQ(JsonString(then.body, "state"), "open");
  EXPECT_EQ(JsonField(then.body, "version"), "1");
  EXPECT_EQ(JsonString(then.body, "asOf"), "2024-01-01T08:10:00Z");
  EXPECT_EQ(then.Header("etag"), "\"1\"");

  ClientResponse before = Get("/v1/toggles/t1?asOf=2023-12-31T00:00:00Z", kAuditor);
  EXPECT_EQ(before.status, 404) << before.body;
  ClientResponse bad = Get("/v1/toggles/t1?asOf=last-tuesday", kAuditor);
  EXPECT_EQ(bad.status, 400);
  EXPECT_EQ(JsonString(bad.body, "field"), "asOf");
}

TEST_F(ReadTest, UnknownInstancesAndWorkflowsAreNotFound) {
  EXPECT_EQ(Get("/v1/toggles/never").status, 404);
  EXPECT_EQ(Get("/v1/toggles/never/events").status, 404);
  EXPECT_EQ(Get("/v1/nothing/x").status, 404);
  EXPECT_EQ(Get("/v1/nothing").status, 404);
  ClientResponse r = Get("/v1/toggles/t1", "");
  EXPECT_EQ(r.status, 401);  // reads need a token too
}

TEST_F(ReadTest, HistoryHasEveryEnvelopeWithItsHashChain) {
  ASSERT_EQ(Open("t1").status, 201);
  ASSERT_EQ(Command("t1", "Close", "{}").status, 200);
  ASSERT_EQ(Open("t1").status, 200);
  ClientResponse r = Get("/v1/toggles/t1/events");
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_EQ(JsonField(r.body, "version"), "3");
  EXPECT_EQ(JsonField(r.body, "next"), "null");
  EXPECT_NE(r.body.find(R"("eventType":"wijkflow.testing.Opened")"), std::string::npos);
  EXPECT_NE(r.body.find(R"("payload":{"district":"feijenoord"})"), std::string::npos) << r.body;
  EXPECT_NE(r.body.find(R"("prevHash":"0000000000000000)"), std::string::npos);
  EXPECT_EQ(r.body.find(R"("hash":"")"), std::string::npos);

  ClientResponse page = Get("/v1/toggles/t1/events?from=2&limit=1");
  ASSERT_EQ(page.status, 200);
  EXPECT_NE(page.body.find(R"("streamVersion":2)"), std::string::npos);
  EXPECT_EQ(page.body.find(R"("streamVersion":1)"), std::string::npos);
  EXPECT_EQ(JsonField(page.body, "next"), "3");
  EXPECT_EQ(Get("/v1/toggles/t1/events?limit=lots").status, 400);
}

TEST_F(ReadTest, ListsComeFromTheInstanceIndex) {
  for (const char* id : {"a", "b", "c", "d"}) ASSERT_EQ(Open(id).status, 201);
  ClientResponse closed = Command("b", "Close", "{}");
  ASSERT_EQ(closed.status, 200);
  const std::string min = "minPosition=" + JsonField(closed.body, "lastPosition");

  ClientResponse all = Get("/v1/toggles?" + min);
  ASSERT_EQ(all.status, 200) << all.body;
  for (const char* id : {"\"a\"", "\"b\"", "\"c\"", "\"d\""}) {
    EXPECT_NE(all.body.find(std::string("\"id\":") + id), std::string::npos) << all.body;
  }
  ClientResponse open = Get("/v1/toggles?state=open&" + min);
  EXPECT_EQ(open.body.find(R"("id":"b")"), std::string::npos) << open.body;
  EXPECT_NE(open.body.find(R"("id":"c")"), std::string::npos);
  ClientResponse only_closed = Get("/v1/toggles?state=closed&district=feijenoord&" + min);
  EXPECT_NE(only_closed.body.find(R"("id":"b","state":"closed")"), std::string::npos)
      << only_closed.body;
  EXPECT_EQ(only_closed.body.find(R"("id":"a")"), std::string::npos);

  ClientResponse page = Get("/v1/toggles?limit=2&" + min);
  EXPECT_EQ(JsonString(page.body, "next"), "b") << page.body;
  ClientResponse rest = Get("/v1/toggles?limit=2&after=b&" + min);
  EXPECT_NE(rest.body.find(R"("id":"c")"), std::string::npos) << rest.body;
  EXPECT_EQ(rest.body.find(R"("id":"a")"), std::string::npos);
  EXPECT_EQ(JsonField(rest.body, "next"), "null");
}

TEST_F(ReadTest, ReadModelsByKeyAndByPrefix) {
  ASSERT_EQ(Open("t1").status, 201);
  ClientResponse last = Command("t1", "Close", "{}");
  const std::string min = "minPosition=" + JsonField(last.body, "lastPosition");

  ClientResponse list = Get("/v1/projections", kAuditor);
  ASSERT_EQ(list.status, 200);
  EXPECT_NE(list.body.find(R"("name":"event-count")"), std::string::npos) << list.body;
  EXPECT_NE(list.body.find(R"("name":"instances","checkpoint")"), std::string::npos);

  ClientResponse one =
      Get("/v1/projections/event-count?key=wijkflow.testing.Closed&" + min, kAuditor);
  ASSERT_EQ(one.status, 200) << one.body;
  EXPECT_NE(JsonField(one.body, "value").find(R"("count":"1")"), std::string::npos) << one.body;
  ClientResponse scan =
      Get("/v1/projections/event-count?prefix=wijkflow.testing.&" + min, kAuditor);
  const size_t opened = scan.body.find(R"({"key":"wijkflow.testing.Opened","value":{)");
  ASSERT_NE(opened, std::string::npos) << scan.body;
  EXPECT_NE(scan.body.substr(opened, scan.body.find('}', opened) - opened).find(R"("count":"1")"),
            std::string::npos)
      << scan.body;
  // A typed model is decoded through the type its projection declares.
  ClientResponse typed = Get("/v1/projections/instances?key=i/toggles/t1&" + min, kAuditor);
  EXPECT_NE(typed.body.find(R"("state":"closed")"), std::string::npos) << typed.body;

  EXPECT_EQ(Get("/v1/projections/event-count?key=nope", kAuditor).status, 404);
  EXPECT_EQ(Get("/v1/projections/nope", kAuditor).status, 404);
  ClientResponse ahead = Get("/v1/projections/event-count?minPosition=1000", kAuditor);
  EXPECT_EQ(ahead.status, 503);
  EXPECT_EQ(ahead.Header("retry-after"), "1");
}

TEST_F(ReadTest, TheGlobalLogInPages) {
  ASSERT_EQ(Open("t1").status, 201);
  ASSERT_EQ(Open("t2").status, 201);
  ASSERT_EQ(Command("t1", "Close", "{}").status, 200);
  ClientResponse r = Get("/v1/events?from=2&limit=1", kAuditor);
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_NE(r.body.find(R"("position":2,"streamId":"toggles/t2")"), std::string::npos) << r.body;
  EXPECT_EQ(JsonField(r.body, "next"), "3");
  EXPECT_EQ(JsonField(r.body, "lastPosition"), "3");
  ClientResponse end = Get("/v1/events?from=4", kAuditor);
  EXPECT_EQ(JsonField(end.body, "events"), "[]");
  EXPECT_EQ(JsonField(end.body, "next"), "4");
  EXPECT_EQ(Get("/v1/events?workflow=nothing", kAuditor).status, 404);
}

TEST_F(ReadTest, ReadsAreScopedToTheTokensDistricts) {
  ASSERT_EQ(Open("t1").status, 201);  // a toggle in feijenoord
  ClientResponse closed = Command("t1", "Close", "{}");
  ASSERT_EQ(closed.status, 200);
  const std::string min = "minPosition=" + JsonField(closed.body, "lastPosition");

  // The charlois desk reads neither the state nor the history of a feijenoord instance.
  for (const char* target : {"/v1/toggles/t1", "/v1/toggles/t1/events"}) {
    ExpectRejected(403, "forbidden", [&] { return Get(target, kOtherDesk); });
    EXPECT_EQ(Get(target, kDesk).status, 200) << target;
    EXPECT_EQ(Get(target, kAuditor).status, 200) << target;
  }
  // Its lists leave feijenoord out, and asking for feijenoord is refused.
  ClientResponse list = Get("/v1/toggles?" + min, kOtherDesk);
  ASSERT_EQ(list.status, 200) << list.body;
  EXPECT_EQ(list.body.find(R"("id":"t1")"), std::string::npos) << list.body;
  EXPECT_EQ(Get("/v1/toggles?district=feijenoord&" + min, kOtherDesk).status, 403);
  EXPECT_NE(Get("/v1/toggles?" + min, kDesk).body.find(R"("id":"t1")"), std::string::npos);

  // The global log and the read models span every district: auditors and admins only.
  for (const char* target : {"/v1/events", "/v1/projections", "/v1/projections/event-count"}) {
    EXPECT_EQ(Get(target, kDesk).status, 403) << target;
    EXPECT_EQ(Get(target, kAuditor).status, 200) << target;
    EXPECT_EQ(Get(target, kAdmin).status, 200) << target;
  }
}

}  // namespace
}  // namespace wijkflow::http::testing
