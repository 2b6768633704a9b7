// Functional tests of the event store on a real RocksDB in a temp dir: appends and reads, the
// hash fields, validation, idempotency, atomicity across streams and side writes, the clock.
#include "events/event_store.h"

#include <gtest/gtest.h>

#include <atomic>
#include <filesystem>
#include <future>
#include <thread>

#include "events/store_maintenance.h"
#include "events/test_util.h"
#include "tests/testing/temp_dir.h"

namespace wijkflow {
namespace {

using testing::Events;
using testing::MakeEvent;
using testing::OneEvent;
using testing::OpenStore;
using testing::ReadWholeLog;

class EventStoreTest : public ::testing::Test {
 protected:
  void SetUp() override {
    options_.sync = true;
    store_ = OpenStore(dir_.Sub("db"), options_);
    ASSERT_NE(store_, nullptr);
  }

  StreamHead HeadOf(const std::string& stream) {
    StreamHead head;
    Status s = store_->Head(stream, &head);
    EXPECT_TRUE(s.ok()) << s.ToString();
    return head;
  }

  std::vector<EventEnvelope> Stream(const std::string& stream, uint64_t from = 1) {
    std::vector<EventEnvelope> out;
    Status s = store_->ReadStream(stream, from, 1000, &out);
    EXPECT_TRUE(s.ok()) << s.ToString();
    return out;
  }

  // The keys of `space` in [begin, end) with their values, as "k=v;" in order.
  std::string Dump(Space space, const std::string& begin = "", const std::string& end = "") {
    std::string seen;
    EXPECT_TRUE(store_
                    ->Scan(space, begin, end,
                           [&](const std::string& k, const std::string& v) {
                             seen += k + "=" + v + ";";
                             return true;
                           })
                    .ok());
    return seen;
  }

  wijkflow::testing::TempDir dir_;
  StoreOptions options_;
  std::unique_ptr<EventStore> store_;
};

TEST_F(EventStoreTest, AppendAssignsPositionsVersionsAndReceipt) {
  AppendRequest r;
  r.command_id = "cmd-1";
  r.streams.push_back(Events("initiative-1", ExpectedVersion::NoStream(), 2));
  r.streams.push_back(Events("round-1", ExpectedVersion::NoStream(), 1));
  AppendOutcome out = store_->Append(std::move(r));
  ASSERT_TRUE(out.status.ok()) << out.status.ToString();
  EXPECT_EQ(out.receipt.first_position(), 1u);
  EXPECT_EQ(out.receipt.last_position(), 3u);
  ASSERT_EQ(out.receipt.streams_size(), 2);
  EXPECT_EQ(out.receipt.streams(0).stream_id(), "initiative-1");
  EXPECT_EQ(out.receipt.streams(0).first_version(), 1u);
  EXPECT_EQ(out.receipt.streams(0).last_version(), 2u);
  EXPECT_EQ(out.receipt.streams(1).stream_id(), "round-1");
  EXPECT_EQ(out.receipt.streams(1).last_version(), 1u);

  EXPECT_EQ(store_->LastPosition(), 3u);
  EXPECT_EQ(HeadOf("initiative-1").version, 2u);
  EXPECT_EQ(HeadOf("initiative-1").position, 2u);
  EXPECT_EQ(HeadOf("round-1").position, 3u);
  EXPECT_EQ(HeadOf("nobody").version, 0u);

  auto events = Stream("initiative-1");
  ASSERT_EQ(events.size(), 2u);
  EXPECT_EQ(events[1].stream_version(), 2u);
  EXPECT_EQ(events[1].position(), 2u);
  EXPECT_EQ(events[1].command_id(), "cmd-1");
  EXPECT_EQ(events[1].event_type(), "test.Event");
  EXPECT_EQ(events[1].actor().id(), "wm-feijenoord-1");

  auto round = Stream("round-1");
  ASSERT_EQ(round.size(), 1u);
  EXPECT_EQ(round[0].position(), 3u);
  EXPECT_EQ(round[0].recorded_at().seconds(), events[0].recorded_at().seconds());
}

TEST_F(EventStoreTest, StoreOverwritesFieldsItOwns) {
  EventEnvelope e = MakeEvent("test.Event");
  e.set_position(999);
  e.set_stream_id("elsewhere");
  e.set_stream_version(42);
  e.set_hash("forged");
  e.set_command_id("forged");
  AppendRequest r;
  r.command_id = "real";
  r.streams.push_back(StreamAppend{"s", ExpectedVersion::Any(), {e}});
  ASSERT_TRUE(store_->Append(std::move(r)).status.ok());
  auto events = Stream("s");
  ASSERT_EQ(events.size(), 1u);
  EXPECT_EQ(events[0].position(), 1u);
  EXPECT_EQ(events[0].stream_id(), "s");
  EXPECT_EQ(events[0].stream_version(), 1u);
  EXPECT_EQ(events[0].command_id(), "real");
  EXPECT_EQ(events[0].hash().size(), 32u);
  EXPECT_TRUE(Stream("elsewhere").empty());
}

TEST_F(EventStoreTest, ReadsFillBothHashChains) {
  // Interleave two streams so that stream and global predecessors differ.
  for (int i = 0; i < 3; ++i) {
    ASSERT_TRUE(store_->Append(OneEvent("a")).status.ok());
    ASSERT_TRUE(store_->Append(OneEvent("b")).status.ok());
  }
  auto log = ReadWholeLog(*store_);
  ASSERT_EQ(log.size(), 6u);
  const std::string zeros(32, '\0');
  EXPECT_EQ(log[0].prev_global_hash(), zeros);
  EXPECT_EQ(log[0].prev_hash(), zeros);
  for (size_t i = 1; i < log.size(); ++i) {
    EXPECT_EQ(log[i].prev_global_hash(), log[i - 1].global_hash()) << i;
    EXPECT_NE(log[i].global_hash(), log[i - 1].global_hash());
  }
  EXPECT_EQ(log[2].prev_hash(), log[0].hash());  // a@2 follows a@1
  EXPECT_EQ(log[3].prev_hash(), log[1].hash());  // b@2 follows b@1

  // Reading from the middle gives the same hashes as reading from the start.
  auto a_from_2 = Stream("a", 2);
  ASSERT_EQ(a_from_2.size(), 2u);
  EXPECT_EQ(a_from_2[0].prev_hash(), log[0].hash());
  EXPECT_EQ(a_from_2[0].hash(), log[2].hash());
  EXPECT_EQ(a_from_2[0].prev_global_hash(), log[1].global_hash());
  EXPECT_EQ(a_from_2[1].prev_hash(), log[2].hash());
  std::vector<EventEnvelope> tail;
  ASSERT_TRUE(store_->ReadAll(4, 10, &tail).ok());
  ASSERT_EQ(tail.size(), 3u);
  EXPECT_EQ(tail[0].position(), 4u);
  EXPECT_EQ(tail[0].prev_global_hash(), log[2].global_hash());
  EXPECT_EQ(tail[0].prev_hash(), log[1].hash());
  EXPECT_TRUE(store_->Verify().ok);
}

TEST_F(EventStoreTest, ScanAllVisitsTheLogInOrderWithItsStoredHashes) {
  for (int i = 0; i < 3; ++i) {
    ASSERT_TRUE(store_->Append(OneEvent("a")).status.ok());
    ASSERT_TRUE(store_->Append(OneEvent("b")).status.ok());
  }
  const auto log = ReadWholeLog(*store_);
  std::vector<EventEnvelope> seen;
  ASSERT_TRUE(store_
                  ->ScanAll(2,
                            [&](const EventEnvelope& e) {
                              seen.push_back(e);
                              return true;
                            })
                  .ok());
  ASSERT_EQ(seen.size(), 5u);
  for (size_t i = 0; i < seen.size(); ++i) {
    const EventEnvelope& full = log[i + 1];
    EXPECT_EQ(seen[i].position(), full.position());
    EXPECT_EQ(seen[i].stream_id(), full.stream_id());
    EXPECT_EQ(seen[i].payload(), full.payload());
    EXPECT_EQ(seen[i].hash(), full.hash());
    EXPECT_EQ(seen[i].global_hash(), full.global_hash());
    EXPECT_TRUE(seen[i].prev_hash().empty());  // chains are Verify's and ReadAll's business
  }
  // The visitor stops the scan; past the end there is nothing to visit.
  int visited = 0;
  ASSERT_TRUE(store_->ScanAll(1, [&](const EventEnvelope&) { return ++visited < 2; }).ok());
  EXPECT_EQ(visited, 2);
  visited = 0;
  ASSERT_TRUE(store_->ScanAll(7, [&](const EventEnvelope&) { return ++visited > 0; }).ok());
  EXPECT_EQ(visited, 0);
}

TEST_F(EventStoreTest, ReadLimitsAndPastTheEnd) {
  ASSERT_TRUE(
      store_->Append(AppendRequest{"", {Events("s", ExpectedVersion::Any(), 5)}, {}}).status.ok());
  std::vector<EventEnvelope> out;
  ASSERT_TRUE(store_->ReadAll(2, 2, &out).ok());
  ASSERT_EQ(out.size(), 2u);
  EXPECT_EQ(out[0].position(), 2u);
  EXPECT_EQ(out[1].position(), 3u);
  ASSERT_TRUE(store_->ReadAll(6, 10, &out).ok());
  EXPECT_TRUE(out.empty());
  ASSERT_TRUE(store_->ReadAll(0, 10, &out).ok());
  EXPECT_EQ(out.size(), 5u);
  ASSERT_TRUE(store_->ReadStream("s", 4, 10, &out).ok());
  ASSERT_EQ(out.size(), 2u);
  EXPECT_EQ(out[0].stream_version(), 4u);
  ASSERT_TRUE(store_->ReadStream("s", 9, 10, &out).ok());
  EXPECT_TRUE(out.empty());
  // A stream whose id extends another's is a different stream.
  ASSERT_TRUE(store_->ReadStream("s2", 1, 10, &out).ok());
  EXPECT_TRUE(out.empty());
}

TEST_F(EventStoreTest, ExpectedVersionIsChecked) {
  ASSERT_TRUE(store_->Append(OneEvent("s", ExpectedVersion::NoStream())).status.ok());
  AppendOutcome again = store_->Append(OneEvent("s", ExpectedVersion::NoStream()));
  ASSERT_TRUE(again.status.IsWrongExpectedVersion()) << again.status.ToString();
  EXPECT_EQ(again.status.stream(), "s");
  EXPECT_EQ(again.status.actual_version(), 1u);
  AppendOutcome stale = store_->Append(OneEvent("s", ExpectedVersion::Exact(5)));
  ASSERT_TRUE(stale.status.IsWrongExpectedVersion());
  EXPECT_EQ(stale.status.actual_version(), 1u);
  EXPECT_TRUE(store_->Append(OneEvent("s", ExpectedVersion::Exact(1))).status.ok());
  EXPECT_TRUE(store_->Append(OneEvent("s", ExpectedVersion::Any())).status.ok());
  EXPECT_EQ(HeadOf("s").version, 3u);
  EXPECT_EQ(store_->LastPosition(), 3u);
}

TEST_F(EventStoreTest, ConflictOnOneStreamWritesNothingOnAny) {
  ASSERT_TRUE(store_->Append(OneEvent("initiative-1")).status.ok());
  ASSERT_TRUE(store_->Append(OneEvent("round-1")).status.ok());
  const uint64_t before = store_->LastPosition();
  const StreamHead initiative_before = HeadOf("initiative-1");

  AppendRequest r;
  r.command_id = "grant-1";
  r.streams.push_back(Events("initiative-1", ExpectedVersion::Exact(1), 2));
  r.streams.push_back(Events("round-1", ExpectedVersion::Exact(7), 1));  // actual: 1
  r.streams.push_back(Events("new-stream", ExpectedVersion::NoStream(), 1));
  r.side_writes.push_back({Space::kTimers, "deadline/initiative-1", "due"});
  AppendOutcome out = store_->Append(std::move(r));
  ASSERT_TRUE(out.status.IsWrongExpectedVersion()) << out.status.ToString();
  EXPECT_EQ(out.status.stream(), "round-1");
  EXPECT_EQ(out.status.actual_version(), 1u);

  EXPECT_EQ(store_->LastPosition(), before);
  EXPECT_EQ(HeadOf("initiative-1").version, initiative_before.version);
  EXPECT_EQ(HeadOf("initiative-1").position, initiative_before.position);
  EXPECT_EQ(HeadOf("round-1").version, 1u);
  EXPECT_EQ(HeadOf("new-stream").version, 0u);
  EXPECT_EQ(Stream("initiative-1").size(), 1u);
  EXPECT_TRUE(Stream("new-stream").empty());
  EXPECT_EQ(ReadWholeLog(*store_).size(), before);
  std::string value;
  EXPECT_TRUE(store_->Get(Space::kTimers, "deadline/initiative-1", &value).IsNotFound());
  AppendReceipt receipt;
  EXPECT_TRUE(store_->FindCommand("grant-1", &receipt).IsNotFound());

  // The rejected command id is free: the corrected append succeeds under it.
  AppendRequest retry;
  retry.command_id = "grant-1";
  retry.streams.push_back(Events("initiative-1", ExpectedVersion::Exact(1), 2));
  retry.streams.push_back(Events("round-1", ExpectedVersion::Exact(1), 1));
  EXPECT_TRUE(store_->Append(std::move(retry)).status.ok());
  EXPECT_EQ(store_->LastPosition(), before + 3);
}

TEST_F(EventStoreTest, EmptyStreamEntryOnlyChecksItsVersion) {
  ASSERT_TRUE(store_->Append(OneEvent("round-1")).status.ok());
  AppendRequest ok;
  ok.streams.push_back(Events("initiative-1", ExpectedVersion::NoStream(), 1));
  ok.streams.push_back(StreamAppend{"round-1", ExpectedVersion::Exact(1), {}});
  AppendOutcome out = store_->Append(std::move(ok));
  ASSERT_TRUE(out.status.ok()) << out.status.ToString();
  EXPECT_EQ(out.receipt.streams_size(), 1);
  EXPECT_EQ(HeadOf("round-1").version, 1u);

  AppendRequest stale;
  stale.streams.push_back(Events("initiative-1", ExpectedVersion::Any(), 1));
  stale.streams.push_back(StreamAppend{"round-1", ExpectedVersion::NoStream(), {}});
  EXPECT_TRUE(store_->Append(std::move(stale)).status.IsWrongExpectedVersion());
  EXPECT_EQ(HeadOf("initiative-1").version, 1u);
}

TEST_F(EventStoreTest, SameCommandIdTwiceReturnsTheFirstReceipt) {
  AppendOutcome first = store_->Append(OneEvent("s", ExpectedVersion::Any(), "cmd-7"));
  ASSERT_TRUE(first.status.ok());
  AppendOutcome second = store_->Append(OneEvent("other", ExpectedVersion::Any(), "cmd-7"));
  ASSERT_TRUE(second.status.IsDuplicateCommand()) << second.status.ToString();
  EXPECT_EQ(second.receipt.SerializeAsString(), first.receipt.SerializeAsString());
  EXPECT_EQ(store_->LastPosition(), 1u);
  EXPECT_EQ(HeadOf("other").version, 0u);
  EXPECT_EQ(ReadWholeLog(*store_).size(), 1u);
  AppendReceipt found;
  ASSERT_TRUE(store_->FindCommand("cmd-7", &found).ok());
  EXPECT_EQ(found.SerializeAsString(), first.receipt.SerializeAsString());
  // A duplicate is reported even if its expected version would now fail.
  AppendOutcome third = store_->Append(OneEvent("s", ExpectedVersion::NoStream(), "cmd-7"));
  EXPECT_TRUE(third.status.IsDuplicateCommand());
}

TEST_F(EventStoreTest, BadInputIsRejectedAndWritesNothing) {
  ASSERT_TRUE(store_->Append(OneEvent("s")).status.ok());
  std::vector<std::pair<std::string, AppendRequest>> cases;
  cases.push_back({"empty stream id", OneEvent("")});
  cases.push_back({"oversized stream id", OneEvent(std::string(201, 'x'))});
  cases.push_back({"non-printable stream id", OneEvent("s\n")});
  cases.push_back({"space in stream id", OneEvent("s t")});
  cases.push_back({"oversized event",
                   OneEvent("s", ExpectedVersion::Any(), "", std::string((1 << 20) + 1, 'p'))});
  cases.push_back({"no streams", AppendRequest{}});
  cases.push_back({"streams without events",
                   AppendRequest{"", {StreamAppend{"s", ExpectedVersion::Any(), {}}}, {}}});
  AppendRequest twice;
  twice.streams.push_back(Events("s", ExpectedVersion::Any(), 1));
  twice.streams.push_back(Events("s", ExpectedVersion::Any(), 1));
  cases.push_back({"same stream twice", std::move(twice)});
  AppendRequest empty_key = OneEvent("s");
  empty_key.side_writes.push_back({Space::kMeta, "", "v"});
  cases.push_back({"side write without key", std::move(empty_key)});
  AppendRequest too_many;
  too_many.streams.push_back(Events("s", ExpectedVersion::Any(), 10'001));
  cases.push_back({"too many events", std::move(too_many)});

  for (auto& [name, request] : cases) {
    AppendOutcome out = store_->Append(std::move(request));
    EXPECT_TRUE(out.status.IsInvalidArgument()) << name << ": " << out.status.ToString();
    EXPECT_EQ(store_->LastPosition(), 1u) << name;
    EXPECT_EQ(HeadOf("s").version, 1u) << name;
  }
  EXPECT_EQ(ReadWholeLog(*store_).size(), 1u);
  EXPECT_EQ(HeadOf(std::string(201, 'x')).version, 0u);

  std::promise<Status> async;
  store_->AppendAsync(OneEvent(""), [&](AppendOutcome o) { async.set_value(o.status); });
  EXPECT_TRUE(async.get_future().get().IsInvalidArgument());
  EXPECT_TRUE(store_->Write({{Space::kMeta, "", "v"}}, false).IsInvalidArgument());
}

TEST_F(EventStoreTest, SideWritesLandWithTheEvents) {
  ASSERT_TRUE(store_->Write({{Space::kProjections, "stale", "old"}}, true).ok());
  AppendRequest r = OneEvent("initiative-1", ExpectedVersion::NoStream());
  r.side_writes.push_back({Space::kTimers, "2024-03-01/initiative-1", "ExpireDecisionDeadline"});
  r.side_writes.push_back({Space::kProjections, "stale", std::nullopt});
  ASSERT_TRUE(store_->Append(std::move(r)).status.ok());
  std::string value;
  ASSERT_TRUE(store_->Get(Space::kTimers, "2024-03-01/initiative-1", &value).ok());
  EXPECT_EQ(value, "ExpireDecisionDeadline");
  EXPECT_TRUE(store_->Get(Space::kProjections, "stale", &value).IsNotFound());
  // Spaces are separate: the same key elsewhere is absent.
  EXPECT_TRUE(store_->Get(Space::kSnapshots, "2024-03-01/initiative-1", &value).IsNotFound());

  AppendRequest rejected = OneEvent("initiative-1", ExpectedVersion::NoStream());
  rejected.side_writes.push_back({Space::kTimers, "2024-04-01/initiative-1", "x"});
  ASSERT_TRUE(store_->Append(std::move(rejected)).status.IsWrongExpectedVersion());
  EXPECT_TRUE(store_->Get(Space::kTimers, "2024-04-01/initiative-1", &value).IsNotFound());
}

TEST_F(EventStoreTest, ScanVisitsARangeInOrder) {
  std::vector<SideWrite> writes;
  for (const char* k : {"b", "a", "d", "c", "e"}) writes.push_back({Space::kMeta, k, k});
  ASSERT_TRUE(store_->Write(writes, false).ok());
  EXPECT_EQ(Dump(Space::kMeta, "b", "e"), "b=b;c=c;d=d;");
  std::string seen;
  ASSERT_TRUE(store_
                  ->Scan(Space::kMeta, "", "",
                         [&](const std::string& k, const std::string&) {
                           seen += k;
                           return k != "c";
                         })
                  .ok());
  EXPECT_EQ(seen, "abc");
}

TEST_F(EventStoreTest, RangeDeleteRemovesExactlyItsRange) {
  std::vector<SideWrite> writes;
  for (const char* k : {"m/1", "m/2", "m0", "n/1", "m"}) writes.push_back({Space::kMeta, k, k});
  ASSERT_TRUE(store_->Write(writes, false).ok());
  // A range delete with a value, or with an end not after its key, is refused and deletes nothing.
  SideWrite with_value = SideWrite::DeleteRange(Space::kMeta, "m/", "m0");
  with_value.value = "x";
  EXPECT_TRUE(store_->Write({with_value}, false).IsInvalidArgument());
  EXPECT_TRUE(
      store_->Write({SideWrite::DeleteRange(Space::kMeta, "m0", "m/")}, false).IsInvalidArgument());
  std::string value;
  EXPECT_TRUE(store_->Get(Space::kMeta, "m/1", &value).ok());

  ASSERT_TRUE(store_->Write({SideWrite::DeleteRange(Space::kMeta, "m/", "m0")}, true).ok());
  std::string left;
  ASSERT_TRUE(store_
                  ->Scan(Space::kMeta, "", "",
                         [&](const std::string& k, const std::string&) {
                           left += k + ";";
                           return true;
                         })
                  .ok());
  EXPECT_EQ(left, "m;m0;n/1;");
}

TEST_F(EventStoreTest, TablesAreIngestedTogetherAndABadOneIsRefusedAndLeavesNothing) {
  ASSERT_TRUE(store_->Write({{Space::kMeta, "b", "old"}, {Space::kMeta, "c", "gone"}}, true).ok());
  const std::string table_dir = dir_.Sub("db") + "/ingest";
  // Refused, with no file left behind: keys out of order, a range delete, another space's write.
  const std::vector<std::vector<SideWrite>> bad = {
      {{Space::kMeta, "b", "1"}, {Space::kMeta, "a", "2"}},
      {SideWrite::DeleteRange(Space::kMeta, "a", "b")},
      {{Space::kProjections, "a", "1"}},
  };
  for (const auto& writes : bad) {
    std::string path;
    EXPECT_FALSE(store_->Maintenance().WriteTable(Space::kMeta, writes, &path).ok());
    EXPECT_TRUE(std::filesystem::is_empty(table_dir)) << path;
  }
  EXPECT_EQ(Dump(Space::kMeta), "b=old;c=gone;");
  // A table written into but not finished, or finished with nothing in it, leaves no file; an
  // empty key is refused.
  {
    std::unique_ptr<TableWriter> table;
    ASSERT_TRUE(store_->Maintenance().NewTable(Space::kMeta, &table).ok());
    table->Put("a", "1");
  }
  EXPECT_TRUE(std::filesystem::is_empty(table_dir));
  std::unique_ptr<TableWriter> empty, keyless;
  ASSERT_TRUE(store_->Maintenance().NewTable(Space::kMeta, &empty).ok());
  std::string path = "unchanged";
  EXPECT_TRUE(empty->Finish(&path).ok());
  EXPECT_EQ(path, "");
  ASSERT_TRUE(store_->Maintenance().NewTable(Space::kMeta, &keyless).ok());
  keyless->Put("", "1");
  keyless->Put("z", "2");
  EXPECT_FALSE(keyless->Finish(&path).ok());
  EXPECT_TRUE(std::filesystem::is_empty(table_dir));

  std::string meta, models;
  ASSERT_TRUE(store_->Maintenance()
                  .WriteTable(Space::kMeta,
                              {{Space::kMeta, "a", "1"},
                               {Space::kMeta, "b", "2"},
                               {Space::kMeta, "c", std::nullopt}},
                              &meta)
                  .ok());
  ASSERT_TRUE(store_->Maintenance()
                  .WriteTable(Space::kProjections, {{Space::kProjections, "p", "3"}}, &models)
                  .ok());
  EXPECT_EQ(Dump(Space::kMeta), "b=old;c=gone;") << "a table written is not yet in the store";
  ASSERT_TRUE(store_->Maintenance()
                  .IngestTables({{Space::kMeta, meta}, {Space::kProjections, models}})
                  .ok());
  EXPECT_EQ(Dump(Space::kMeta), "a=1;b=2;");
  EXPECT_EQ(Dump(Space::kProjections), "p=3;");
  EXPECT_TRUE(std::filesystem::is_empty(table_dir)) << "ingested tables leave no file";
}

TEST_F(EventStoreTest, WaitForBackgroundWorkReturnsWithEveryKeyInPlace) {
  // Overlapping tables, each ingested alone, pile up in the first level until a compaction
  // merges them: the wait returns (a read-only store's too), with the last table's values read.
  for (int t = 0; t < 12; ++t) {
    std::vector<SideWrite> writes;
    for (int k = 0; k < 100; ++k) {
      writes.push_back(
          {Space::kProjections, std::string("k") + std::to_string(1000 + k), std::to_string(t)});
    }
    std::string path;
    ASSERT_TRUE(store_->Maintenance().WriteTable(Space::kProjections, writes, &path).ok());
    ASSERT_TRUE(store_->Maintenance().IngestTables({{Space::kProjections, path}}).ok());
  }
  ASSERT_TRUE(store_->Maintenance().WaitForBackgroundWork().ok());
  std::string value;
  ASSERT_TRUE(store_->Get(Space::kProjections, "k1042", &value).ok());
  EXPECT_EQ(value, "11");
  std::unique_ptr<EventStore> reader;
  ASSERT_TRUE(EventStore::OpenReadOnly(options_, dir_.Sub("db"), &reader).ok());
  EXPECT_TRUE(reader->Maintenance().WaitForBackgroundWork().ok());
}

TEST_F(EventStoreTest, AStoreOpenReadOnlyRefusesSideWritesAndTables) {
  ASSERT_TRUE(store_->Write({{Space::kMeta, "a", "1"}}, true).ok());
  std::unique_ptr<EventStore> reader;
  ASSERT_TRUE(EventStore::OpenReadOnly(options_, dir_.Sub("db"), &reader).ok());
  EXPECT_FALSE(reader->Write({{Space::kMeta, "a", "2"}}, true).ok());
  std::unique_ptr<TableWriter> table;
  EXPECT_FALSE(reader->Maintenance().NewTable(Space::kMeta, &table).ok());
  EXPECT_EQ(table, nullptr);
  std::string path;
  EXPECT_FALSE(
      reader->Maintenance().WriteTable(Space::kMeta, {{Space::kMeta, "b", "1"}}, &path).ok());
  // A table the writable store made is not ingested through the read-only one either.
  ASSERT_TRUE(
      store_->Maintenance().WriteTable(Space::kMeta, {{Space::kMeta, "b", "1"}}, &path).ok());
  EXPECT_FALSE(reader->Maintenance().IngestTables({{Space::kMeta, path}}).ok());
  EXPECT_EQ(Dump(Space::kMeta), "a=1;");
}

TEST(EventStoreSyncHookTest, EveryDurableGroupIsReportedOnceWithItsEvents) {
  wijkflow::testing::TempDir dir;
  std::atomic<size_t> groups{0}, events{0};
  StoreOptions options;
  options.on_group_commit = [&](std::chrono::nanoseconds sync, size_t n) {
    EXPECT_GE(sync.count(), 0);
    ++groups;
    events += n;
  };
  auto store = OpenStore(dir.Sub("db"), options);
  ASSERT_NE(store, nullptr);
  ASSERT_TRUE(
      store->Append(AppendRequest{"", {Events("s", ExpectedVersion::Any(), 3)}, {}}).status.ok());
  ASSERT_TRUE(store->Append(OneEvent("t")).status.ok());
  EXPECT_EQ(groups.load(), 2u);
  EXPECT_EQ(events.load(), 4u);
  // A rejected append writes nothing, so no group reaches the disk.
  ASSERT_TRUE(
      store->Append(OneEvent("t", ExpectedVersion::NoStream())).status.IsWrongExpectedVersion());
  EXPECT_EQ(groups.load(), 2u);
  EXPECT_EQ(events.load(), 4u);
}

TEST(EventStoreClockTest, AppendAsyncStampsRecordedAtFromTheClock) {
  wijkflow::testing::TempDir dir;
  SimulatedClock clock(1'696'118'400'000'000);  // 2023-10-01T00:00:00Z
  StoreOptions options;
  options.clock = &clock;
  auto store = OpenStore(dir.Sub("db"), options);
  ASSERT_NE(store, nullptr);

  std::promise<AppendOutcome> first;
  store->AppendAsync(OneEvent("s"), [&](AppendOutcome o) { first.set_value(std::move(o)); });
  AppendOutcome out = first.get_future().get();
  ASSERT_TRUE(out.status.ok()) << out.status.ToString();
  EXPECT_EQ(out.receipt.recorded_at().seconds(), 1'696'118'400);

  clock.Advance(std::chrono::hours(24) + std::chrono::microseconds(5));
  std::promise<AppendOutcome> second;
  store->AppendAsync(OneEvent("s"), [&](AppendOutcome o) { second.set_value(std::move(o)); });
  ASSERT_TRUE(second.get_future().get().status.ok());

  auto log = ReadWholeLog(*store);
  ASSERT_EQ(log.size(), 2u);
  EXPECT_EQ(log[0].recorded_at().seconds(), 1'696'118'400);
  EXPECT_EQ(log[0].recorded_at().nanos(), 0);
  EXPECT_EQ(log[1].recorded_at().seconds(), 1'696'118'400 + 86'400);
  EXPECT_EQ(log[1].recorded_at().nanos(), 5'000);
}

TEST(EventStoreCloseTest, ClosingCommitsWhatIsQueued) {
  wijkflow::testing::TempDir dir;
  const int n = 200;
  std::atomic<int> ok{0};
  {
    auto store = OpenStore(dir.Sub("db"));
    ASSERT_NE(store, nullptr);
    for (int i = 0; i < n; ++i) {
      store->AppendAsync(OneEvent("s-" + std::to_string(i % 7)),
                         [&](AppendOutcome o) { ok += o.status.ok() ? 1 : 0; });
    }
  }  // the destructor drains the queue before it closes
  EXPECT_EQ(ok.load(), n);
  auto store = OpenStore(dir.Sub("db"));
  ASSERT_NE(store, nullptr);
  EXPECT_EQ(store->LastPosition(), static_cast<uint64_t>(n));
}

TEST(EventStoreCloseTest, AppendsWhileClosingGetUnavailableAndWriteNothing) {
  wijkflow::testing::TempDir dir;
  StoreOptions options;
  options.sync = false;
  std::atomic<uint64_t> appended{0};
  Status last;
  {
    auto store = OpenStore(dir.Sub("db"), options);
    ASSERT_NE(store, nullptr);
    ASSERT_TRUE(store->Append(OneEvent("s")).status.ok());
    // The handler appends until the store refuses: closing stops the writer before it stops
    // subscriptions, so the refusal is bound to come.
    EventStore* raw = store.get();  // reset() empties `store` before it destroys the store
    auto sub = store->Subscribe(1, [&](const EventEnvelope&) {
      for (;;) {
        last = raw->Append(OneEvent("from-handler")).status;
        if (!last.ok()) return false;
        ++appended;
      }
    });
    // Close only once the handler is appending, or there would be nothing to refuse.
    while (appended.load() == 0) std::this_thread::yield();
    store.reset();
  }
  EXPECT_TRUE(last.IsUnavailable()) << last.ToString();
  auto reopened = OpenStore(dir.Sub("db"), options);
  ASSERT_NE(reopened, nullptr);
  EXPECT_EQ(reopened->LastPosition(), 1 + appended.load());
  EXPECT_TRUE(reopened->Verify().ok);
}

TEST(EventStoreOpenTest, RejectsBadOptionsAndMissingStore) {
  wijkflow::testing::TempDir dir;
  std::unique_ptr<EventStore> store;
  StoreOptions missing;
  missing.create_if_missing = false;
  EXPECT_FALSE(EventStore::Open(missing, dir.Sub("nothing-here"), &store).ok());
  StoreOptions bad;
  bad.max_group_events = 0;
  EXPECT_TRUE(EventStore::Open(bad, dir.Sub("db"), &store).IsInvalidArgument());
  EXPECT_EQ(store, nullptr);
}

}  // namespace
}  // namespace wijkflow
