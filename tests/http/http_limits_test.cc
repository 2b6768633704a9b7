// The connection layer: keep-alive, pipelining (bounded), body and header limits, slow
// requests, idle connections, malformed requests, Expect: 100-continue, HTTP/1.0.
#include "absl/strings/str_cat.h"
#include "tests/http/http_fixture.h"

namespace wijkflow::http::testing {
namespace {

class LimitsTest : public HttpTest {
 protected:
  LimitsTest() {
    StartService([](ServiceOptions& o) {
      o.server.max_body_bytes = 1024;
      o.server.max_header_bytes = 4096;
      o.server.read_timeout = std::chrono::milliseconds(300);
      o.server.idle_timeout = std::chrono::milliseconds(300);
      o.server.max_pipelined = 4;
    });
  }
  static std::string OpenRequest(const std::string& id, const std::string& request_id = "") {
    const std::string body = R"({"district":"feijenoord"})";
    std::string r = "POST /v1/toggles/" + id + "/commands/Open HTTP/1.1\r\nHost: t\r\n" +
                    "Authorization: Bearer " + kDesk + "\r\nContent-Type: application/json\r\n";
    if (!request_id.empty()) r += "X-Request-Id: " + request_id + "\r\n";
    return r + "Content-Length: " + std::to_string(body.size()) + "\r\n\r\n" + body;
  }
};

TEST_F(LimitsTest, KeepAliveServesManyRequestsOnOneConnection) {
  auto c = Connect();
  for (int i = 0; i < 5; ++i) {
    ClientResponse r;
    ASSERT_TRUE(c->Post("/v1/toggles/t" + std::to_string(i) + "/commands/Open", kDesk,
                        R"({"district":"feijenoord"})", &r))
        << c->error();
    EXPECT_EQ(r.status, 201);
  }
}

TEST_F(LimitsTest, PipelinedRequestsAreAnsweredInOrderBeyondTheReadAheadBound) {
  auto c = Connect();
  std::string batch;
  for (int i = 0; i < 12; ++i) batch += OpenRequest(absl::StrCat("p", i), absl::StrCat("r", i));
  ASSERT_TRUE(c->SendRaw(batch));  // three times max_pipelined, in one write
  for (int i = 0; i < 12; ++i) {
    ClientResponse r;
    ASSERT_TRUE(c->ReadResponse(&r)) << i << ": " << c->error();
    EXPECT_EQ(r.status, 201) << r.body;
    EXPECT_EQ(r.Header("x-request-id"), absl::StrCat("r", i));
  }
  EXPECT_EQ(LastPosition(), 12u);
}

TEST_F(LimitsTest, AnOversizedBodyIsRefusedAndWritesNothing) {
  const std::string big = R"({"district":")" + std::string(2000, 'x') + "\"}";
  ExpectRejected(413, "payload-too-large", [&] { return Command("t1", "Open", big); });
  // Declared too large: refused before the body is read.
  auto c = Connect();
  ASSERT_TRUE(
      c->SendRaw("POST /v1/toggles/t1/commands/Open HTTP/1.1\r\nHost: t\r\n"
                 "Authorization: Bearer " +
                 kDesk + "\r\nContent-Length: 1000000\r\n\r\n{"));
  ClientResponse r;
  ASSERT_TRUE(c->ReadResponse(&r)) << c->error();
  EXPECT_EQ(r.status, 413);
  EXPECT_EQ(r.Header("connection"), "close");
  EXPECT_TRUE(c->WaitForClose());
  EXPECT_EQ(LastPosition(), 0u);
}

TEST_F(LimitsTest, ASlowRequestTimesOutAndWritesNothing) {
  auto c = Connect();
  const std::string full = OpenRequest("t1");
  ASSERT_TRUE(c->SendRaw(full.substr(0, full.size() - 5)));  // the body never completes
  ClientResponse r;
  ASSERT_TRUE(c->ReadResponse(&r)) << c->error();
  EXPECT_EQ(r.status, 408) << r.body;
  EXPECT_EQ(JsonString(r.body, "type"), "urn:wijkflow:problem:request-timeout");
  EXPECT_TRUE(c->WaitForClose());

  auto headers = Connect();
  ASSERT_TRUE(headers->SendRaw("GET /healthz HTTP/1.1\r\nHost: t\r\n"));  // headers never end
  ASSERT_TRUE(headers->ReadResponse(&r)) << headers->error();
  EXPECT_EQ(r.status, 408);
  EXPECT_EQ(LastPosition(), 0u);
}

TEST_F(LimitsTest, AnIdleConnectionIsClosed) {
  auto c = Connect();
  ClientResponse r;
  ASSERT_TRUE(c->Get("/healthz", "", &r));
  EXPECT_TRUE(c->WaitForClose()) << c->error();
}

TEST_F(LimitsTest, HugeHeadersAndGarbageAreRefused) {
  auto c = Connect();
  ASSERT_TRUE(c->SendRaw("GET /healthz HTTP/1.1\r\nHost: t\r\nX-Big: " + std::string(8000, 'a') +
                         "\r\n\r\n"));
  ClientResponse r;
  ASSERT_TRUE(c->ReadResponse(&r)) << c->error();
  EXPECT_EQ(r.status, 431);

  auto g = Connect();
  ASSERT_TRUE(g->SendRaw("HELLO THERE\r\n\r\n"));
  ASSERT_TRUE(g->ReadResponse(&r)) << g->error();
  EXPECT_EQ(r.status, 400);
  EXPECT_EQ(JsonString(r.body, "type"), "urn:wijkflow:problem:malformed-request");

  auto t = Connect();
  ASSERT_TRUE(t->SendRaw("GET /v1/%zz HTTP/1.1\r\nHost: t\r\n\r\n"));
  ASSERT_TRUE(t->ReadResponse(&r)) << t->error();
  EXPECT_EQ(r.status, 400);
}

TEST_F(LimitsTest, ExpectContinueAndConnectionClose) {
  auto c = Connect();
  const std::string body = R"({"district":"feijenoord"})";
  ASSERT_TRUE(
      c->SendRaw("POST /v1/toggles/t1/commands/Open HTTP/1.1\r\nHost: t\r\n"
                 "Authorization: Bearer " +
                 kDesk +
                 "\r\nExpect: 100-continue\r\n"
                 "Connection: close\r\nContent-Length: " +
                 std::to_string(body.size()) + "\r\n\r\n"));
  ClientResponse r;
  // The server asks for the body; the client sends it only then.
  std::string line;
  ASSERT_TRUE(c->SendRaw(body));
  ASSERT_TRUE(c->ReadResponse(&r)) << c->error();  // skips the interim 100
  EXPECT_EQ(r.status, 201) << r.body;
  EXPECT_EQ(r.Header("connection"), "close");
  EXPECT_TRUE(c->WaitForClose());
}

TEST_F(LimitsTest, Http10IsServedAndClosed) {
  auto c = Connect();
  ASSERT_TRUE(c->SendRaw("GET /healthz HTTP/1.0\r\n\r\n"));
  ClientResponse r;
  ASSERT_TRUE(c->ReadResponse(&r)) << c->error();
  EXPECT_EQ(r.status, 200);
  EXPECT_TRUE(c->WaitForClose());
}

}  // namespace
}  // namespace wijkflow::http::testing
