// Storage faults: the store runs on RocksDB's own file-system seam with faults switched on and off
// (a full disk refusing every write, or a sync that fails after the bytes reached the file).
// While faults last, appends fail with a storage error (503 over HTTP) and nothing is visible,
// not even half an append; when they stop, the store takes appends again by itself (it reopens
// its database) and holds every acknowledged append, whole, with chains that verify. A full disk
// writes nothing at all; a failed sync may have put a whole append in the write-ahead log that
// reappears on reopen, so a 503 means "retry with the same Idempotency-Key", which then returns the
// first result.
#include <gtest/gtest.h>
#include <rocksdb/env.h>

#include <map>
#include <memory>
#include <set>
#include <string>

#include "events/event_store.h"
#include "events/test_util.h"
#include "tests/testing/fault_file_system.h"
#include "tests/testing/temp_dir.h"

namespace wijkflow {
namespace {

using testing::Fault;
using testing::FaultFileSystem;

// A grant-like append: one event on an initiative and one on its round, atomically.
AppendRequest Pair(const std::string& command_id, int i) {
  AppendRequest r;
  r.command_id = command_id;
  r.streams.push_back(
      testing::Events("initiatives/ini-" + std::to_string(i), ExpectedVersion::NoStream(), 1));
  r.streams.push_back(testing::Events("subsidy-rounds/r1", ExpectedVersion::Any(), 1));
  return r;
}

class StorageFaultTest : public ::testing::TestWithParam<Fault> {
 protected:
  StorageFaultTest()
      : fs_(std::make_shared<FaultFileSystem>()), env_(rocksdb::NewCompositeEnv(fs_)) {}

  testing::TempDir dir_;
  std::shared_ptr<FaultFileSystem> fs_;
  std::unique_ptr<rocksdb::Env> env_;
};

TEST_P(StorageFaultTest, AppendsFailWriteNothingAndTheStoreRecovers) {
  const std::string path = dir_.Sub("store");
  std::set<std::string> acked;
  {
    StoreOptions options;
    options.env = env_.get();
    auto store = testing::OpenStore(path, options);
    ASSERT_TRUE(store);
    int n = 0;
    for (; n < 10; ++n) {
      const std::string id = "ok-" + std::to_string(n);
      AppendOutcome o = store->Append(Pair(id, n));
      ASSERT_TRUE(o.status.ok()) << o.status.ToString();
      acked.insert(id);
    }
    const uint64_t last = store->LastPosition();
    StreamHead round_before;
    ASSERT_TRUE(store->Head("subsidy-rounds/r1", &round_before).ok());

    fs_->Set(GetParam());
    for (int k = 0; k < 5; ++k, ++n) {
      const std::string id = "failed-" + std::to_string(k);
      AppendOutcome o = store->Append(Pair(id, n));
      EXPECT_TRUE(o.status.IsStorageError() || o.status.IsUnavailable()) << o.status.ToString();
    }
    // Nothing of the failed appends is visible: no position, no head moved, no receipt.
    EXPECT_EQ(store->LastPosition(), last);
    StreamHead round_after;
    ASSERT_TRUE(store->Head("subsidy-rounds/r1", &round_after).ok());
    EXPECT_EQ(round_after.version, round_before.version);
    for (int k = 0; k < 5; ++k) {
      AppendReceipt receipt;
      Status s = store->FindCommand("failed-" + std::to_string(k), &receipt);
      EXPECT_FALSE(s.ok()) << "failed-" << k << " left a receipt";
      StreamHead head;
      Status hs = store->Head("initiatives/ini-" + std::to_string(10 + k), &head);
      EXPECT_TRUE(hs.IsNotFound() || (hs.ok() && head.version == 0))
          << "a failed append created its stream";
    }

    EXPECT_TRUE(store->Verify().ok);
    fs_->Set(Fault::kNone);
  }
  // Space returns. Here the store is opened again by a restart; RecoversWithoutARestart below
  // checks the same without one.
  {
    auto store = testing::OpenStore(path);
    ASSERT_TRUE(store);
    int n = 20;
    for (int k = 0; k < 5; ++k, ++n) {
      const std::string id = "after-" + std::to_string(k);
      AppendOutcome o = store->Append(Pair(id, n));
      ASSERT_TRUE(o.status.ok()) << o.status.ToString();
      acked.insert(id);
    }
    // A command that failed may be retried with its id. After a full disk it was never
    // recorded. After a failed sync its bytes may have reached the write-ahead log all the same
    // and come back when the store reopens: then the retry finds the first append, whole, and
    // gets its receipt, so the command still counts once.
    AppendOutcome retry = store->Append(Pair("failed-0", 10));
    if (GetParam() == Fault::kNoSpace) {
      ASSERT_TRUE(retry.status.ok()) << retry.status.ToString();
    } else {
      ASSERT_TRUE(retry.status.ok() || retry.status.IsDuplicateCommand())
          << retry.status.ToString();
    }
    acked.insert("failed-0");
  }

  // Reopened without faults: exactly the acknowledged appends, each whole, chains intact.
  auto store = testing::OpenStore(path);
  ASSERT_TRUE(store);
  const VerifyReport report = store->Verify();
  EXPECT_TRUE(report.ok) << report.reason << " at " << report.position;
  std::map<std::string, int> events_of;
  for (const EventEnvelope& e : testing::ReadWholeLog(*store)) events_of[e.command_id()]++;
  for (const std::string& command : acked) EXPECT_TRUE(events_of.count(command)) << command;
  for (const auto& [command, count] : events_of) {
    const bool failed_sync = GetParam() == Fault::kSyncFails && command.rfind("failed-", 0) == 0;
    EXPECT_TRUE(acked.count(command) || failed_sync)
        << command << " was not acknowledged but is in the log";
    EXPECT_EQ(count, 2) << command << " is not whole";
  }
}

// Once the fault is gone the store takes appends again by itself, without a restart: after a
// failed write it reopens its database before the next append. While the fault lasts those
// reopens fail too, and so do the appends, without writing anything. After a failed sync the
// reopened database may hold the failed append, whole: then its retry gets the first receipt.
TEST_P(StorageFaultTest, RecoversWithoutARestart) {
  StoreOptions options;
  options.env = env_.get();
  auto store = testing::OpenStore(dir_.Sub("store"), options);
  ASSERT_TRUE(store);
  ASSERT_TRUE(store->Append(Pair("ok", 0)).status.ok());
  fs_->Set(GetParam());
  EXPECT_FALSE(store->Append(Pair("failed", 1)).status.ok());
  EXPECT_FALSE(store->Append(Pair("failed-again", 2)).status.ok());
  EXPECT_EQ(store->LastPosition(), 2u);
  fs_->Set(Fault::kNone);

  AppendOutcome o = store->Append(Pair("after", 3));
  ASSERT_TRUE(o.status.ok()) << o.status.ToString();
  AppendOutcome retry = store->Append(Pair("failed", 1));
  if (GetParam() == Fault::kNoSpace) {
    ASSERT_TRUE(retry.status.ok()) << retry.status.ToString();
  } else {
    ASSERT_TRUE(retry.status.ok() || retry.status.IsDuplicateCommand()) << retry.status.ToString();
  }
  // The positions, heads and chains the writer kept in memory match the disk: the new appends
  // follow the log's real tail, and every event is there once.
  EXPECT_EQ(store->LastPosition(), 6u);
  VerifyReport report = store->Verify();
  EXPECT_TRUE(report.ok) << report.reason << " at " << report.position;
  std::map<std::string, int> events_of;
  for (const EventEnvelope& e : testing::ReadWholeLog(*store)) events_of[e.command_id()]++;
  EXPECT_EQ(events_of, (std::map<std::string, int>{{"ok", 2}, {"after", 2}, {"failed", 2}}));
  StreamHead round;
  ASSERT_TRUE(store->Head("subsidy-rounds/r1", &round).ok());
  EXPECT_EQ(round.version, 3u);

  // And the disk agrees after a restart.
  store.reset();
  store = testing::OpenStore(dir_.Sub("store"));
  ASSERT_TRUE(store);
  report = store->Verify();
  EXPECT_TRUE(report.ok) << report.reason << " at " << report.position;
  EXPECT_EQ(testing::ReadWholeLog(*store).size(), 6u);
}

INSTANTIATE_TEST_SUITE_P(Faults, StorageFaultTest,
                         ::testing::Values(Fault::kNoSpace, Fault::kSyncFails),
                         [](const ::testing::TestParamInfo<Fault>& p) {
                           return p.param == Fault::kNoSpace ? std::string("FullDisk")
                                                             : std::string("SyncFails");
                         });

}  // namespace
}  // namespace wijkflow
