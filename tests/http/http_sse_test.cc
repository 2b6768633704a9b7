// The live global log as Server-Sent Events: recorded events first, then live ones, and a
// reconnecting client resumes after Last-Event-ID without gap or duplicate.
#include "absl/strings/str_cat.h"
#include "tests/http/http_fixture.h"

namespace wijkflow::http::testing {
namespace {

class SseTest : public HttpTest {
 protected:
  std::unique_ptr<HttpClient> OpenStream(const std::string& target, const Headers& extra = {}) {
    auto c = Connect();
    Headers h = {{"Authorization", "Bearer " + kAuditor}, {"Accept", "text/event-stream"}};
    h.insert(h.end(), extra.begin(), extra.end());
    EXPECT_TRUE(c->SendRequest("GET", target, h, ""));
    ClientResponse head;
    EXPECT_TRUE(c->ReadResponseHeader(&head)) << c->error();
    EXPECT_EQ(head.status, 200);
    EXPECT_EQ(head.Header("content-type"), "text/event-stream");
    EXPECT_EQ(head.Header("transfer-encoding"), "chunked");
    EXPECT_FALSE(head.Header("x-request-id").empty());
    return c;
  }
};

// Reads events until `count` have come; returns their ids.
std::vector<std::string> ReadIds(HttpClient& c, size_t count) {
  std::vector<std::string> ids;
  SseEvent e;
  while (ids.size() < count && c.ReadEvent(&e)) ids.push_back(e.id);
  EXPECT_EQ(ids.size(), count) << c.error();
  return ids;
}

TEST_F(SseTest, RecordedEventsThenLiveOnes) {
  ASSERT_EQ(Open("t1").status, 201);
  ASSERT_EQ(Command("t1", "Close", "{}").status, 200);
  auto stream = OpenStream("/v1/events");
  SseEvent e;
  ASSERT_TRUE(stream->ReadEvent(&e)) << stream->error();
  EXPECT_EQ(e.id, "1");
  EXPECT_EQ(e.event, "wijkflow.testing.Opened");
  EXPECT_NE(e.data.find(R"("position":1,"streamId":"toggles/t1")"), std::string::npos) << e.data;
  EXPECT_NE(e.data.find(R"("payload":{"district":"feijenoord"})"), std::string::npos);
  ASSERT_TRUE(stream->ReadEvent(&e));
  EXPECT_EQ(e.id, "2");

  ASSERT_EQ(Open("t2").status, 201);  // live, after the stream caught up
  ASSERT_TRUE(stream->ReadEvent(&e)) << stream->error();
  EXPECT_EQ(e.id, "3");
  EXPECT_NE(e.data.find(R"("streamId":"toggles/t2")"), std::string::npos);
}

TEST_F(SseTest, ResumeAfterLastEventIdWithoutGapOrDuplicate) {
  for (int i = 0; i < 5; ++i) ASSERT_EQ(Open(absl::StrCat("t", i)).status, 201);
  {
    auto first = OpenStream("/v1/events");
    EXPECT_EQ(ReadIds(*first, 3), (std::vector<std::string>{"1", "2", "3"}));
  }  // the client goes away after event 3
  for (int i = 5; i < 8; ++i) ASSERT_EQ(Open(absl::StrCat("t", i)).status, 201);
  auto again = OpenStream("/v1/events", {{"Last-Event-ID", "3"}});
  EXPECT_EQ(ReadIds(*again, 5), (std::vector<std::string>{"4", "5", "6", "7", "8"}));
  ASSERT_EQ(Command("t7", "Close", "{}").status, 200);
  EXPECT_EQ(ReadIds(*again, 1), (std::vector<std::string>{"9"}));
}

TEST_F(SseTest, FromAPositionAndForOneWorkflow) {
  ASSERT_EQ(Open("t1").status, 201);
  ASSERT_EQ(Open("t2").status, 201);
  auto stream = OpenStream("/v1/events?from=2&workflow=toggles");
  EXPECT_EQ(ReadIds(*stream, 1), (std::vector<std::string>{"2"}));
}

TEST_F(SseTest, AMalformedLastEventIdIsRefused) {
  ClientResponse r =
      Get("/v1/events", kAuditor, {{"Accept", "text/event-stream"}, {"Last-Event-ID", "three"}});
  EXPECT_EQ(r.status, 400);
  EXPECT_EQ(JsonString(r.body, "field"), "Last-Event-ID");
}

TEST_F(SseTest, StreamsEndOnShutdown) {
  ASSERT_EQ(Open("t1").status, 201);
  auto stream = OpenStream("/v1/events");
  EXPECT_EQ(ReadIds(*stream, 1), (std::vector<std::string>{"1"}));
  StopService();
  SseEvent e;
  EXPECT_FALSE(stream->ReadEvent(&e));
  EXPECT_NE(stream->error(), "timeout");
}

}  // namespace
}  // namespace wijkflow::http::testing
