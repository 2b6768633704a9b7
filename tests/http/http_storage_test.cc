// Storage failure over HTTP: while the disk refuses writes, a command answers 503 (retry later,
// with the same Idempotency-Key) and nothing is appended; once space returns, the retry succeeds
// in the same running server.
#include <rocksdb/env.h>
#include <rocksdb/file_system.h>

#include <atomic>

#include "tests/http/http_fixture.h"

namespace wijkflow::http::testing {
namespace {

using rocksdb::IODebugContext;
using rocksdb::IOOptions;
using rocksdb::IOStatus;

// Every file the database writes refuses writes while `full` is set, as a full disk would.
class FullDiskFile : public rocksdb::FSWritableFileOwnerWrapper {
 public:
  FullDiskFile(std::unique_ptr<rocksdb::FSWritableFile> f, const std::atomic<bool>* full)
      : FSWritableFileOwnerWrapper(std::move(f)), full_(full) {}
  IOStatus Append(const rocksdb::Slice& d, const IOOptions& o, IODebugContext* c) override {
    return *full_ ? IOStatus::NoSpace("injected") : target()->Append(d, o, c);
  }
  IOStatus Append(const rocksdb::Slice& d, const IOOptions& o,
                  const rocksdb::DataVerificationInfo& v, IODebugContext* c) override {
    return *full_ ? IOStatus::NoSpace("injected") : target()->Append(d, o, v, c);
  }
  IOStatus Sync(const IOOptions& o, IODebugContext* c) override {
    return *full_ ? IOStatus::NoSpace("injected") : target()->Sync(o, c);
  }
  IOStatus Fsync(const IOOptions& o, IODebugContext* c) override {
    return *full_ ? IOStatus::NoSpace("injected") : target()->Fsync(o, c);
  }

 private:
  const std::atomic<bool>* full_;
};

class FullDiskFileSystem : public rocksdb::FileSystemWrapper {
 public:
  FullDiskFileSystem() : FileSystemWrapper(rocksdb::FileSystem::Default()) {}
  const char* Name() const override { return "wijkflow.FullDiskFileSystem"; }
  IOStatus NewWritableFile(const std::string& name, const rocksdb::FileOptions& o,
                           std::unique_ptr<rocksdb::FSWritableFile>* out,
                           IODebugContext* d) override {
    if (full) return IOStatus::NoSpace("injected");
    std::unique_ptr<rocksdb::FSWritableFile> file;
    IOStatus s = target()->NewWritableFile(name, o, &file, d);
    if (s.ok()) *out = std::make_unique<FullDiskFile>(std::move(file), &full);
    return s;
  }
  std::atomic<bool> full{false};
};

class StorageTest : public HttpTest {
 protected:
  StorageTest() : fs_(std::make_shared<FullDiskFileSystem>()), env_(rocksdb::NewCompositeEnv(fs_)) {
    StopService();
    std::filesystem::remove_all(dir_.Sub("data"));
    StartService([this](ServiceOptions& o) { o.store.env = env_.get(); });
  }
  ~StorageTest() override { StopService(); }

  std::shared_ptr<FullDiskFileSystem> fs_;
  std::unique_ptr<rocksdb::Env> env_;
};

TEST_F(StorageTest, AFullDiskAnswers503AndAppendsNothing) {
  ASSERT_EQ(Open("t1").status, 201);
  fs_->full = true;
  ExpectRejected(503, "unavailable", [&] { return Open("t2", {{"Idempotency-Key", "k2"}}); });
  EXPECT_EQ(Get("/v1/toggles/t2").status, 404);
  EXPECT_EQ(Get("/v1/toggles/t1").status, 200) << "reads go on";
}

TEST_F(StorageTest, WhenSpaceReturnsTheRetrySucceedsWithoutARestart) {
  ASSERT_EQ(Open("t1").status, 201);
  fs_->full = true;
  // The first failure is RocksDB's; the second comes from the store's reopen, refused too.
  ExpectRejected(503, "unavailable", [&] { return Open("t2", {{"Idempotency-Key", "k2"}}); });
  ExpectRejected(503, "unavailable", [&] { return Open("t2", {{"Idempotency-Key", "k2"}}); });
  EXPECT_EQ(Get("/v1/toggles/t1").status, 200) << "reads go on";
  fs_->full = false;

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
