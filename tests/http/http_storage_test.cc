// Storage failure over HTTP: while the disk refuses writes, a command answers 503 (retry later,
// with the same Idempotency-Key) and nothing is appended; once space returns, the retry succeeds
// in the same running server.
#include <rocksdb/env.h>

#include "tests/http/http_fixture.h"
#include "tests/testing/fault_file_system.h"

namespace wijkflow::http::testing {
namespace {

using wijkflow::testing::Fault;
using wijkflow::testing::FaultFileSystem;

class StorageTest : public HttpTest {
 protected:
  StorageTest() : fs_(std::make_shared<FaultFileSystem>()), env_(rocksdb::NewCompositeEnv(fs_)) {
    StopService();
    std::filesystem::remove_all(dir_.Sub("data"));
    StartService([this](ServiceOptions& o) { o.store.env = env_.get(); });
  }
  ~StorageTest() override { StopService(); }

  std::shared_ptr<FaultFileSystem> fs_;
  std::unique_ptr<rocksdb::Env> env_;
};

TEST_F(StorageTest, AFullDiskAnswers503AndAppendsNothing) {
  ASSERT_EQ(Open("t1").status, 201);
  fs_->Set(Fault::kNoSpace);
  ExpectRejected(503, "unavailable", [&] { return Open("t2", {{"Idempotency-Key", "k2"}}); });
  EXPECT_EQ(Get("/v1/toggles/t2").status, 404);
  EXPECT_EQ(Get("/v1/toggles/t1").status, 200) << "reads go on";
}

TEST_F(StorageTest, WhenSpaceReturnsTheRetrySucceedsWithoutARestart) {
  ASSERT_EQ(Open("t1").status, 201);
  fs_->Set(Fault::kNoSpace);
  // The first failure is RocksDB's; the second comes from the store's reopen, refused too.
  ExpectRejected(503, "unavailable", [&] { return Open("t2", {{"Idempotency-Key", "k2"}}); });
  ExpectRejected(503, "unavailable", [&] { return Open("t2", {{"Idempotency-Key", "k2"}}); });
  EXPECT_EQ(Get("/v1/toggles/t1").status, 200) << "reads go on";
  fs_->Set(Fault::kNone);

  ClientResponse r = Open("t2", {{"Idempotency-Key", "k2"}});
  ASSERT_EQ(r.status, 201) << r.body;
  EXPECT_EQ(JsonField(r.body, "duplicate"), "false");
  EXPECT_EQ(Get("/v1/toggles/t2").status, 200);
  ClientResponse again = Open("t2", {{"Idempotency-Key", "k2"}});
  EXPECT_EQ(again.status, 201) << again.body;
  EXPECT_EQ(JsonField(again.body, "duplicate"), "true");
}

}  // namespace
}  // namespace wijkflow::http::testing
