// POST /v1/{workflow}/{id}/commands/{command} over a real socket: results, idempotency,
// preconditions, effective dates, authorisation, and every way a command is refused, each
// shown to write nothing.
#include "tests/http/http_fixture.h"

namespace wijkflow::http::testing {
namespace {

using CommandTest = HttpTest;

TEST_F(CommandTest, FirstCommandCreatesTheInstance) {
  ClientResponse r = Open("t1");
  ASSERT_EQ(r.status, 201) << r.body;
  EXPECT_EQ(r.Header("content-type"), "application/json");
  EXPECT_EQ(r.Header("etag"), "\"1\"");
  EXPECT_EQ(r.Header("location"), "/v1/toggles/t1");
  EXPECT_FALSE(r.Header("x-request-id").empty());
  EXPECT_EQ(JsonString(r.body, "state"), "open");
  EXPECT_EQ(JsonField(r.body, "version"), "1");
  EXPECT_EQ(JsonField(r.body, "created"), "true");
  EXPECT_EQ(JsonField(r.body, "duplicate"), "false");
  EXPECT_EQ(JsonField(r.body, "lastPosition"), "1");
  EXPECT_EQ(JsonString(r.body, "recordedAt"), "2024-01-01T08:00:00Z");
  EXPECT_EQ(LastPosition(), 1u);

  r = Command("t1", "Close", R"({"reason":"done"})");
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_EQ(r.Header("etag"), "\"2\"");
  EXPECT_EQ(JsonString(r.body, "state"), "closed");
  EXPECT_EQ(JsonField(r.body, "created"), "false");
}

TEST_F(CommandTest, RetryWithTheSameIdempotencyKeyReturnsTheFirstResultAndWritesNothing) {
  ClientResponse first = Open("t1", {{"Idempotency-Key", "open-t1"}});
  ASSERT_EQ(first.status, 201) << first.body;
  ASSERT_EQ(Command("t1", "Close", "{}").status, 200);  // the instance moves on
  const uint64_t before = LastPosition();

  ClientResponse retry = Open("t1", {{"Idempotency-Key", "open-t1"}});
  EXPECT_EQ(retry.status, 201) << retry.body;
  EXPECT_EQ(retry.Header("idempotent-replayed"), "true");
  EXPECT_EQ(JsonField(retry.body, "duplicate"), "true");
  for (const char* f : {"version", "state", "created", "firstPosition", "lastPosition",
                        "recordedAt", "commandId"}) {
    EXPECT_EQ(JsonField(retry.body, f), JsonField(first.body, f)) << f;
  }
  EXPECT_EQ(LastPosition(), before);
}

TEST_F(CommandTest, ACommandSentWithoutAKeyCanBeRetriedWithTheOneItWasGiven) {
  ClientResponse first = Open("t1");
  ASSERT_EQ(first.status, 201) << first.body;
  const std::string key = JsonString(first.body, "commandId");
  ASSERT_EQ(key.rfind("auto-", 0), 0u) << key;
  ASSERT_EQ(Command("t1", "Close", "{}").status, 200);
  const uint64_t before = LastPosition();

  ClientResponse retry = Open("t1", {{"Idempotency-Key", key}});
  EXPECT_EQ(retry.status, 201) << retry.body;
  EXPECT_EQ(JsonField(retry.body, "duplicate"), "true");
  EXPECT_EQ(JsonField(retry.body, "lastPosition"), JsonField(first.body, "lastPosition"));
  EXPECT_EQ(LastPosition(), before);
}

TEST_F(CommandTest, AnIdempotencyKeyReusedOnAnotherInstanceIsRefused) {
  ASSERT_EQ(Open("t1", {{"Idempotency-Key", "k-1"}}).status, 201);
  ExpectRejected(409, "idempotency-key-reused", [&] {
    return Open("t2", {{"Idempotency-Key", "k-1"}});
  });
}

TEST_F(CommandTest, IdempotencyKeysBelongToTheirCallingSystem) {
  ASSERT_EQ(Open("t1", {{"Idempotency-Key", "k-1"}}).status, 201);
  // Another system's key of the same text is another command.
  ClientResponse r =
      Command("c1", "Open", R"({"district":"charlois"})", kOtherDesk, {{"Idempotency-Key", "k-1"}});
  EXPECT_EQ(r.status, 201) << r.body;
  EXPECT_EQ(JsonField(r.body, "duplicate"), "false");
}

TEST_F(CommandTest, IfMatchWithAnotherVersionIsAPreconditionFailure) {
  ASSERT_EQ(Open("t1").status, 201);
  ExpectRejected(412, "precondition-failed", [&] {
    return Command("t1", "Close", "{}", kDesk, {{"If-Match", "\"7\""}});
  });
  ClientResponse ok = Command("t1", "Close", "{}", kDesk, {{"If-Match", "\"1\""}});
  EXPECT_EQ(ok.status, 200) << ok.body;
  ExpectRejected(400, "invalid-argument", [&] {
    return Command("t1", "Open", "{}", kDesk, {{"If-Match", "\"x\""}});
  });
}

TEST_F(CommandTest, EffectiveDateIsCheckedAndRecorded) {
  ClientResponse bad = ExpectRejected(400, "invalid-argument", [&] {
    return Post("/v1/toggles/t1/commands/Open?effectiveDate=yesterday",
                R"({"district":"feijenoord"})");
  });
  EXPECT_EQ(JsonString(bad.body, "field"), "effectiveDate");
  ExpectRejected(400, "invalid-argument", [&] {
    return Post("/v1/toggles/t1/commands/Open?effectiveDate=2024-02-01T00:00:00Z",
                R"({"district":"feijenoord"})");  // in the future
  });
  ClientResponse r = Post("/v1/toggles/t1/commands/Open?effectiveDate=2023-12-28T19:00:00%2B01:00",
                          R"({"district":"feijenoord"})");
  ASSERT_EQ(r.status, 201) << r.body;
  ClientResponse history = Get("/v1/toggles/t1/events");
  EXPECT_NE(history.body.find("\"effectiveDate\":\"2023-12-28T18:00:00Z\""), std::string::npos)
      << history.body;
  EXPECT_NE(history.body.find("\"recordedAt\":\"2024-01-01T08:00:00Z\""), std::string::npos);
  ExpectRejected(400, "invalid-argument", [&] {
    return Post("/v1/toggles/t1/commands/Close?effectiveDate=2023-12-01T00:00:00Z", "{}");
  });  // before the instance's last event
}

TEST_F(CommandTest, UnknownOrMalformedFieldsAreNamed) {
  ClientResponse r = ExpectRejected(400, "invalid-argument", [&] {
    return Command("t1", "Open", R"({"district":"feijenoord","colour":"red"})");
  });
  EXPECT_EQ(JsonString(r.body, "field"), "colour");
  r = ExpectRejected(400, "invalid-argument",
                     [&] { return Command("t1", "Open", R"({"district":5})"); });
  EXPECT_EQ(JsonString(r.body, "field"), "district");
  r = ExpectRejected(400, "invalid-argument", [&] {
    return Command("t1", "Open", R"({"district":"feijenoord","district":"noord"})");
  });
  EXPECT_EQ(JsonString(r.body, "field"), "district");
  r = ExpectRejected(400, "invalid-argument",
                     [&] { return Command("t1", "Decide", R"({"amountCents":"lots"})"); });
  EXPECT_EQ(JsonString(r.body, "field"), "amountCents");
  ExpectRejected(400, "invalid-argument", [&] { return Command("t1", "Open", R"({"district":)"); });
  ExpectRejected(400, "invalid-argument", [&] { return Command("t1", "Open", "[1,2]"); });
}

TEST_F(CommandTest, UnknownWorkflowOrCommandIsNotFound) {
  ExpectRejected(404, "not-found", [&] { return Post("/v1/nothing/x/commands/Open", "{}"); });
  ExpectRejected(404, "not-found", [&] { return Command("t1", "Explode", "{}"); });
  ExpectRejected(400, "invalid-argument", [&] {
    return Post("/v1/toggles/bad%20id/commands/Open", R"({"district":"feijenoord"})");
  });
}

TEST_F(CommandTest, RulesAndTransitionsAreEnforced) {
  ASSERT_EQ(Open("t1").status, 201);
  ClientResponse r = ExpectRejected(
      422, "rule-violated", [&] { return Command("t1", "Close", R"({"reason":"forbidden"})"); });
  EXPECT_EQ(JsonString(r.body, "rule"), "no-forbidden");
  r = ExpectRejected(409, "invalid-transition", [&] { return Open("t1"); });
  EXPECT_EQ(JsonString(r.body, "state"), "open");
}

TEST_F(CommandTest, NoAnonymousWrite) {
  ClientResponse r = ExpectRejected(401, "unauthenticated", [&] {
    return Command("t1", "Open", R"({"district":"feijenoord"})", "");
  });
  EXPECT_EQ(r.Header("www-authenticate"), "Bearer realm=\"wijkflow\"");
  ExpectRejected(401, "unauthenticated", [&] {
    return Command("t1", "Open", R"({"district":"feijenoord"})", "not-a-token");
  });
  ExpectRejected(401, "unauthenticated", [&] {
    return Post("/v1/toggles/t1/commands/Open", R"({"district":"feijenoord"})", "",
                {{"Authorization", "Basic dXNlcjpwYXNz"}});
  });
}

TEST_F(CommandTest, TheActorMustLieWithinTheTokensGrants) {
  // A district the token does not cover.
  ExpectRejected(403, "forbidden",
                 [&] { return Command("t1", "Open", R"({"district":"charlois"})", kDesk); });
  // A role the token does not grant.
  ExpectRejected(403, "forbidden", [&] {
    return Open("t1", {{"X-Actor-Role", "district-manager"}});
  });
  // The auditor reads everything and writes nothing.
  ExpectRejected(403, "forbidden", [&] {
    return Command("t1", "Open", R"({"district":"feijenoord"})", kAuditor,
                   {{"X-Actor-Role", "intake"}});
  });
  ExpectRejected(400, "invalid-argument", [&] { return Open("t1", {{"X-Actor-Id", "a b"}}); });
  // An admin may act in any role, anywhere, as a named actor.
  ClientResponse r = Command("t1", "Open", R"({"district":"charlois"})", kAdmin,
                             {{"X-Actor-Role", "intake"}, {"X-Actor-Id", "ops-anna"}});
  ASSERT_EQ(r.status, 201) << r.body;
  ClientResponse history = Get("/v1/toggles/t1/events", kAuditor);
  EXPECT_NE(history.body.find(R"("id":"ops-anna","role":"intake")"), std::string::npos)
      << history.body;
  EXPECT_NE(history.body.find(R"("system":"ops")"), std::string::npos);
}

TEST_F(CommandTest, ADistrictManagerDecidesOnlyUnderAMandate) {
  ASSERT_EQ(Open("t1").status, 201);
  ClientResponse r = ExpectRejected(403, "forbidden", [&] {
    return Command("t1", "Decide", R"({"amountCents":"50"})", kManager,
                   {{"X-Actor-Id", "wm-other"}});
  });
  EXPECT_EQ(JsonString(r.body, "rule"), "mandate-in-force");
  r = Command("t1", "Decide", R"({"amountCents":"50"})", kManager, {{"X-Actor-Id", "wm-ok"}});
  ASSERT_EQ(r.status, 200) << r.body;
  ClientResponse history = Get("/v1/toggles/t1/events");
  EXPECT_NE(history.body.find(R"("mandateRef":"mandate-1")"), std::string::npos) << history.body;
}

TEST_F(CommandTest, ABodyMustBeJson) {
  ExpectRejected(415, "unsupported-media-type", [&] {
    return Command("t1", "Open", R"({"district":"feijenoord"})", kDesk,
                   {{"Content-Type", "text/plain"}});
  });
  // An empty body is an empty command.
  ASSERT_EQ(Open("t1").status, 201);
  ClientResponse r = Post("/v1/toggles/t1/commands/Close", "", kDesk);
  EXPECT_EQ(r.status, 200) << r.body;
}

TEST_F(CommandTest, CorrelationAndCausationAreCarriedIntoTheEnvelopes) {
  ASSERT_EQ(Open("t1", {{"X-Correlation-Id", "case-42"}, {"X-Causation-Id", "mail-7"}}).status,
            201);
  ClientResponse history = Get("/v1/toggles/t1/events");
  EXPECT_NE(history.body.find(R"("correlationId":"case-42","causationId":"mail-7")"),
            std::string::npos)
      << history.body;
}

}  // namespace
}  // namespace wijkflow::http::testing
