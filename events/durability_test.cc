// Durability and tamper evidence: a store closed and reopened continues where it was, and Verify
// names the first broken link when the bytes on disk are changed behind the store's back.
#include <gtest/gtest.h>
#include <rocksdb/db.h>

#include <filesystem>

#include "events/event_store.h"
#include "events/format.h"
#include "events/keys.h"
#include "events/test_util.h"
#include "tests/testing/raw_db.h"
#include "tests/testing/temp_dir.h"

namespace wijkflow {
namespace {

using testing::Events;
using testing::OneEvent;
using testing::OpenStore;
using testing::RawDb;
using testing::ReadWholeLog;

class DurabilityTest : public ::testing::Test {
 protected:
  // Three streams, interleaved: initiative-1 holds versions 1..4 at positions 1, 3, 5, 7.
  void SetUp() override {
    auto store = OpenStore(Path());
    ASSERT_NE(store, nullptr);
    for (int i = 0; i < 4; ++i) {
      ASSERT_TRUE(
          store
              ->Append(OneEvent("initiative-1", ExpectedVersion::Any(),
                                "cmd-i-" + std::to_string(i), "payload-" + std::to_string(i)))
              .status.ok());
      ASSERT_TRUE(store->Append(OneEvent(i % 2 ? "round-1" : "initiative-2")).status.ok());
    }
  }

  std::string Path() const { return dir_.Sub("db"); }

  VerifyReport VerifyReopened() {
    auto store = OpenStore(Path());
    EXPECT_NE(store, nullptr);
    return store ? store->Verify() : VerifyReport{};
  }

  wijkflow::testing::TempDir dir_;
};

TEST_F(DurabilityTest, ReopenContinuesVersionsPositionsChainsAndIdempotency) {
  std::vector<EventEnvelope> before;
  {
    auto store = OpenStore(Path());
    before = ReadWholeLog(*store);
  }
  ASSERT_EQ(before.size(), 8u);

  auto store = OpenStore(Path());
  ASSERT_NE(store, nullptr);
  EXPECT_EQ(store->LastPosition(), 8u);
  auto after = ReadWholeLog(*store);
  ASSERT_EQ(after.size(), before.size());
  for (size_t i = 0; i < after.size(); ++i) {
    EXPECT_EQ(after[i].SerializeAsString(), before[i].SerializeAsString()) << i;
  }
  StreamHead head;
  ASSERT_TRUE(store->Head("initiative-1", &head).ok());
  EXPECT_EQ(head.version, 4u);
  EXPECT_EQ(head.position, 7u);

  AppendOutcome dup = store->Append(OneEvent("initiative-1", ExpectedVersion::Any(), "cmd-i-2"));
  ASSERT_TRUE(dup.status.IsDuplicateCommand()) << dup.status.ToString();
  EXPECT_EQ(dup.receipt.first_position(), 5u);

  AppendOutcome next = store->Append(OneEvent("initiative-1", ExpectedVersion::Exact(4)));
  ASSERT_TRUE(next.status.ok()) << next.status.ToString();
  EXPECT_EQ(next.receipt.first_position(), 9u);
  EXPECT_EQ(next.receipt.streams(0).first_version(), 5u);

  std::vector<EventEnvelope> tail;
  ASSERT_TRUE(store->ReadStream("initiative-1", 5, 10, &tail).ok());
  ASSERT_EQ(tail.size(), 1u);
  EXPECT_EQ(tail[0].prev_hash(), before[6].hash());                // initiative-1 v4
  EXPECT_EQ(tail[0].prev_global_hash(), before[7].global_hash());  // position 8
  VerifyReport report = store->Verify();
  EXPECT_TRUE(report.ok) << report.reason;
  EXPECT_EQ(report.events_checked, 9u);
  EXPECT_EQ(report.streams_checked, 3u);
}

// What the next open would have to replay: the write-ahead log's bytes.
uintmax_t WriteAheadLogBytes(const std::string& dir) {
  uintmax_t bytes = 0;
  for (const auto& f : std::filesystem::directory_iterator(dir)) {
    if (f.path().extension() == ".log") bytes += f.file_size();
  }
  return bytes;
}

TEST_F(DurabilityTest, ACleanCloseLeavesNoLogToReplay) {
  // SetUp closed the store after eight appends: its memtables were flushed, so a restart reads
  // the tables and replays nothing.
  EXPECT_EQ(WriteAheadLogBytes(Path()), 0u);
  auto store = OpenStore(Path());
  ASSERT_NE(store, nullptr);
  ASSERT_TRUE(store->Append(OneEvent("initiative-3")).status.ok());
  EXPECT_GT(WriteAheadLogBytes(Path()), 0u);  // an open store logs its appends
}

TEST_F(DurabilityTest, FlippedByteInABodyIsNamed) {
  {
    RawDb raw(Path());
    std::string record = raw.Get(keys::kLog, keys::PositionKey(5));  // initiative-1 v3
    const size_t at = record.find("payload-2");
    ASSERT_NE(at, std::string::npos);
    record[at + 8] ^= 0x01;  // "payload-2" -> "payload-3": still parses
    raw.Put(keys::kLog, keys::PositionKey(5), record);
  }
  VerifyReport report = VerifyReopened();
  EXPECT_FALSE(report.ok);
  EXPECT_EQ(report.stream_id, "initiative-1");
  EXPECT_EQ(report.stream_version, 3u);
  EXPECT_EQ(report.position, 5u);
  EXPECT_NE(report.reason.find("hash"), std::string::npos) << report.reason;
  EXPECT_EQ(report.events_checked, 4u);
}

TEST_F(DurabilityTest, ChangedStoredHashIsNamed) {
  {
    RawDb raw(Path());
    std::string record = raw.Get(keys::kLog, keys::PositionKey(6));
    record[record.size() - 1] ^= 0x80;  // the last byte of the global hash
    raw.Put(keys::kLog, keys::PositionKey(6), record);
  }
  VerifyReport report = VerifyReopened();
  EXPECT_FALSE(report.ok);
  EXPECT_EQ(report.position, 6u);
  EXPECT_EQ(report.stream_id, "initiative-2");
  EXPECT_NE(report.reason.find("global hash"), std::string::npos) << report.reason;
}

TEST_F(DurabilityTest, RecordThatDoesNotParseIsNamed) {
  {
    RawDb raw(Path());
    raw.Put(keys::kLog, keys::PositionKey(3), std::string(70, '\xff'));
  }
  VerifyReport report = VerifyReopened();
  EXPECT_FALSE(report.ok);
  EXPECT_EQ(report.position, 3u);
  EXPECT_NE(report.reason.find("parse"), std::string::npos) << report.reason;
  auto store = OpenStore(Path());
  std::vector<EventEnvelope> out;
  EXPECT_TRUE(store->ReadAll(1, 10, &out).IsCorruption());
}

TEST_F(DurabilityTest, DeletedRecordIsNamed) {
  {
    RawDb raw(Path());
    raw.Delete(keys::kLog, keys::PositionKey(4));
  }
  VerifyReport report = VerifyReopened();
  EXPECT_FALSE(report.ok);
  EXPECT_EQ(report.position, 4u);
}

TEST_F(DurabilityTest, RedirectedStreamIndexIsNamed) {
  {
    RawDb raw(Path());
    std::string position;
    keys::PutBE64(&position, 1);  // initiative-1 v2 now claims to be at position 1
    raw.Put(keys::kStreams, keys::StreamIndexKey("initiative-1", 2), position);
  }
  VerifyReport report = VerifyReopened();
  EXPECT_FALSE(report.ok);
  EXPECT_EQ(report.stream_id, "initiative-1");
  EXPECT_EQ(report.stream_version, 2u);
  EXPECT_EQ(report.position, 3u);
  EXPECT_NE(report.reason.find("index"), std::string::npos) << report.reason;
}

TEST_F(DurabilityTest, StrayStreamIndexEntryIsNamed) {
  {
    RawDb raw(Path());
    std::string position;
    keys::PutBE64(&position, 8);
    raw.Put(keys::kStreams, keys::StreamIndexKey("initiative-1", 9), position);
  }
  VerifyReport report = VerifyReopened();
  EXPECT_FALSE(report.ok);
  EXPECT_EQ(report.stream_id, "initiative-1");
  EXPECT_EQ(report.stream_version, 9u);
}

TEST_F(DurabilityTest, HeadThatDisagreesIsNamed) {
  {
    RawDb raw(Path());
    HeadValue head;
    ASSERT_TRUE(DecodeHead(raw.Get(keys::kHeads, "initiative-2"), &head));
    head.version += 1;
    std::string value;
    EncodeHead(head, &value);
    raw.Put(keys::kHeads, "initiative-2", value);
  }
  VerifyReport report = VerifyReopened();
  EXPECT_FALSE(report.ok);
  EXPECT_EQ(report.stream_id, "initiative-2");
  EXPECT_NE(report.reason.find("head"), std::string::npos) << report.reason;
}

}  // namespace
}  // namespace wijkflow
