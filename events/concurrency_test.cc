// Concurrency tests: group commit under many callers (durably), version races, idempotency inside
// one group, and subscriptions switching from catch-up to live while writers append.
#include <gtest/gtest.h>

#include <atomic>
#include <condition_variable>
#include <future>
#include <latch>
#include <map>
#include <mutex>
#include <semaphore>
#include <thread>

#include "events/event_store.h"
#include "events/test_util.h"
#include "tests/testing/temp_dir.h"

namespace wijkflow {
namespace {

using testing::Events;
using testing::OneEvent;
using testing::OpenStore;
using testing::ReadWholeLog;
using testing::Scaled;

TEST(ConcurrencyTest, ManyDurableAppendersGetGapFreePositionsAndContiguousVersions) {
  wijkflow::testing::TempDir dir;
  StoreOptions options;
  options.sync = true;
  options.head_cache_entries = 16;  // fewer than the streams: heads also come from disk
  auto store = OpenStore(dir.Sub("db"), options);
  ASSERT_NE(store, nullptr);

  const int threads = 8;
  const size_t per_thread = Scaled(10'000);
  const int streams = 40;  // shared by all threads, so appends to one stream race
  // Each thread keeps a window of appends in flight (as a server with many clients would), so
  // that groups fill up and 80,000 synced appends take ~300 fsyncs instead of 10,000. Every 50th
  // append blocks, so both entry points are in the mix.
  constexpr ptrdiff_t kWindow = 32;
  std::vector<std::vector<uint64_t>> positions(threads, std::vector<uint64_t>(per_thread, 0));
  std::atomic<int> failures{0};
  std::vector<std::thread> workers;
  for (int t = 0; t < threads; ++t) {
    workers.emplace_back([&, t] {
      std::counting_semaphore<kWindow> slots(kWindow);
      for (size_t i = 0; i < per_thread; ++i) {
        AppendRequest r = OneEvent("stream-" + std::to_string((t * 7 + i) % streams));
        if (i % 50 == 0) {
          AppendOutcome out = store->Append(std::move(r));
          if (!out.status.ok()) failures++;
          positions[t][i] = out.receipt.first_position();
          continue;
        }
        slots.acquire();
        store->AppendAsync(std::move(r), [&, t, i](AppendOutcome out) {
          if (!out.status.ok()) failures++;
          positions[t][i] = out.receipt.first_position();
          slots.release();
        });
      }
      for (ptrdiff_t k = 0; k < kWindow; ++k) slots.acquire();  // all completed
    });
  }
  for (auto& w : workers) w.join();
  ASSERT_EQ(failures.load(), 0);

  const uint64_t total = threads * per_thread;
  EXPECT_EQ(store->LastPosition(), total);
  // Each caller's appends commit in the order it made them.
  for (const auto& p : positions) EXPECT_TRUE(std::is_sorted(p.begin(), p.end()));

  auto log = ReadWholeLog(*store);
  ASSERT_EQ(log.size(), total);
  std::map<std::string, StreamHead> last;
  for (size_t i = 0; i < log.size(); ++i) {
    ASSERT_EQ(log[i].position(), i + 1);
    StreamHead& head = last[log[i].stream_id()];
    ASSERT_EQ(log[i].stream_version(), head.version + 1) << log[i].stream_id();
    head = StreamHead{log[i].stream_version(), log[i].position()};
  }
  EXPECT_EQ(last.size(), static_cast<size_t>(streams));
  for (const auto& [stream, expected] : last) {
    StreamHead head;
    ASSERT_TRUE(store->Head(stream, &head).ok());
    EXPECT_EQ(head.version, expected.version) << stream;
    EXPECT_EQ(head.position, expected.position) << stream;
  }
  VerifyReport report = store->Verify();
  EXPECT_TRUE(report.ok) << report.reason;
  EXPECT_EQ(report.events_checked, total);
  EXPECT_EQ(report.streams_checked, static_cast<uint64_t>(streams));
}

TEST(ConcurrencyTest, RacingAppendsAtTheSameVersionHaveOneWinner) {
  wijkflow::testing::TempDir dir;
  auto store = OpenStore(dir.Sub("db"));
  ASSERT_NE(store, nullptr);
  AppendRequest setup;
  setup.streams.push_back(Events("initiative-1", ExpectedVersion::NoStream(), 3));
  ASSERT_TRUE(store->Append(std::move(setup)).status.ok());

  const int racers = 32;
  std::latch start(racers);
  std::vector<Status> results(racers);
  std::vector<std::thread> threads;
  for (int i = 0; i < racers; ++i) {
    threads.emplace_back([&, i] {
      start.arrive_and_wait();
      results[i] = store->Append(OneEvent("initiative-1", ExpectedVersion::Exact(3))).status;
    });
  }
  for (auto& t : threads) t.join();

  int winners = 0;
  for (const Status& s : results) {
    if (s.ok()) {
      winners++;
      continue;
    }
    ASSERT_TRUE(s.IsWrongExpectedVersion()) << s.ToString();
    EXPECT_EQ(s.stream(), "initiative-1");
    EXPECT_EQ(s.actual_version(), 4u);
  }
  EXPECT_EQ(winners, 1);
  StreamHead head;
  ASSERT_TRUE(store->Head("initiative-1", &head).ok());
  EXPECT_EQ(head.version, 4u);
  EXPECT_EQ(store->LastPosition(), 4u);
}

TEST(ConcurrencyTest, SameCommandIdInOneGroupIsStoredOnce) {
  wijkflow::testing::TempDir dir;
  auto store = OpenStore(dir.Sub("db"));
  ASSERT_NE(store, nullptr);
  // A large append keeps the writer busy while the duplicates queue up behind it, so that they
  // are taken as one group.
  AppendRequest big;
  big.streams.push_back(Events("bulk", ExpectedVersion::Any(), 5000));
  std::promise<AppendOutcome> big_done;
  store->AppendAsync(std::move(big), [&](AppendOutcome o) { big_done.set_value(std::move(o)); });

  const int copies = 16;
  std::vector<std::promise<AppendOutcome>> done(copies);
  for (int i = 0; i < copies; ++i) {
    // Different streams: only the command id makes them the same command.
    store->AppendAsync(OneEvent("s-" + std::to_string(i), ExpectedVersion::Any(), "cmd-dup"),
                       [&, i](AppendOutcome o) { done[i].set_value(std::move(o)); });
  }
  ASSERT_TRUE(big_done.get_future().get().status.ok());
  std::vector<AppendOutcome> outcomes;
  for (auto& d : done) outcomes.push_back(d.get_future().get());

  int ok = 0;
  std::string receipt;
  for (const AppendOutcome& o : outcomes) {
    if (o.status.ok()) {
      ok++;
      receipt = o.receipt.SerializeAsString();
    }
  }
  ASSERT_EQ(ok, 1);
  for (const AppendOutcome& o : outcomes) {
    if (o.status.ok()) continue;
    EXPECT_TRUE(o.status.IsDuplicateCommand()) << o.status.ToString();
    EXPECT_EQ(o.receipt.SerializeAsString(), receipt);
  }
  EXPECT_EQ(store->LastPosition(), 5001u);
  EXPECT_TRUE(store->Verify().ok);
}

TEST(ConcurrencyTest, RejectedRequestsDoNotPoisonTheirGroup) {
  wijkflow::testing::TempDir dir;
  auto store = OpenStore(dir.Sub("db"));
  ASSERT_NE(store, nullptr);
  ASSERT_TRUE(store->Append(OneEvent("taken")).status.ok());
  // Keep the writer busy so that what follows queues up and is staged together.
  AppendRequest big;
  big.streams.push_back(Events("bulk", ExpectedVersion::Any(), 5000));
  std::promise<AppendOutcome> big_done;
  store->AppendAsync(std::move(big), [&](AppendOutcome o) { big_done.set_value(std::move(o)); });

  std::vector<AppendRequest> requests;
  requests.push_back(OneEvent("a", ExpectedVersion::NoStream()));      // ok
  requests.push_back(OneEvent("taken", ExpectedVersion::NoStream()));  // conflict
  requests.back().side_writes.push_back({Space::kTimers, "from-the-rejected-one", "x"});
  requests.push_back(OneEvent("a", ExpectedVersion::NoStream()));  // conflict with the first
  requests.push_back(OneEvent("b", ExpectedVersion::NoStream()));  // ok
  requests.push_back(OneEvent("a", ExpectedVersion::Exact(1)));    // ok: sees the first
  std::vector<std::promise<AppendOutcome>> done(requests.size());
  for (size_t i = 0; i < requests.size(); ++i) {
    store->AppendAsync(std::move(requests[i]),
                       [&, i](AppendOutcome o) { done[i].set_value(std::move(o)); });
  }
  ASSERT_TRUE(big_done.get_future().get().status.ok());
  std::vector<Status> results;
  for (auto& d : done) results.push_back(d.get_future().get().status);

  EXPECT_TRUE(results[0].ok()) << results[0].ToString();
  EXPECT_TRUE(results[1].IsWrongExpectedVersion()) << results[1].ToString();
  EXPECT_TRUE(results[2].IsWrongExpectedVersion()) << results[2].ToString();
  EXPECT_EQ(results[2].actual_version(), 1u);
  EXPECT_TRUE(results[3].ok()) << results[3].ToString();
  EXPECT_TRUE(results[4].ok()) << results[4].ToString();
  EXPECT_EQ(store->LastPosition(), 1u + 5000u + 3u);
  StreamHead head;
  ASSERT_TRUE(store->Head("a", &head).ok());
  EXPECT_EQ(head.version, 2u);
  ASSERT_TRUE(store->Head("taken", &head).ok());
  EXPECT_EQ(head.version, 1u);
  std::string value;
  EXPECT_TRUE(store->Get(Space::kTimers, "from-the-rejected-one", &value).IsNotFound());
  EXPECT_TRUE(store->Verify().ok);
}

TEST(ConcurrencyTest, SmallGroupBoundStillCommitsEverythingInOrder) {
  wijkflow::testing::TempDir dir;
  StoreOptions options;
  options.sync = false;
  options.max_group_events = 3;  // the writer often waits for room in the open group
  auto store = OpenStore(dir.Sub("db"), options);
  ASSERT_NE(store, nullptr);
  const int threads = 4;
  const size_t per_thread = Scaled(500);
  std::vector<std::thread> workers;
  std::atomic<int> failures{0};
  for (int t = 0; t < threads; ++t) {
    workers.emplace_back([&, t] {
      for (size_t i = 0; i < per_thread; ++i) {
        AppendRequest r;
        r.streams.push_back(
            Events(std::string("s") + std::to_string(t), ExpectedVersion::Exact(2 * i), 2));
        if (!store->Append(std::move(r)).status.ok()) failures++;
      }
    });
  }
  for (auto& w : workers) w.join();
  EXPECT_EQ(failures.load(), 0);
  EXPECT_EQ(store->LastPosition(), threads * per_thread * 2);
  VerifyReport report = store->Verify();
  EXPECT_TRUE(report.ok) << report.reason;
  EXPECT_EQ(report.events_checked, threads * per_thread * 2);
}

// Collects delivered positions and lets the test wait for a count.
class Collector {
 public:
  bool Deliver(const EventEnvelope& e) {
    std::lock_guard<std::mutex> lock(mu_);
    positions_.push_back(e.position());
    cv_.notify_all();
    return true;
  }
  // Waits (bounded, so that a bug fails the test instead of hanging it) for n deliveries.
  std::vector<uint64_t> WaitFor(size_t n) {
    std::unique_lock<std::mutex> lock(mu_);
    cv_.wait_for(lock, std::chrono::seconds(120), [&] { return positions_.size() >= n; });
    return positions_;
  }
  std::vector<uint64_t> Positions() {
    std::lock_guard<std::mutex> lock(mu_);
    return positions_;
  }

 private:
  std::mutex mu_;
  std::condition_variable cv_;
  std::vector<uint64_t> positions_;
};

TEST(SubscriptionTest, SwitchesFromCatchUpToLiveWithoutGapOrDuplicate) {
  wijkflow::testing::TempDir dir;
  StoreOptions options;
  options.sync = false;  // the test is about ordering, not durability
  auto store = OpenStore(dir.Sub("db"), options);
  ASSERT_NE(store, nullptr);

  const int writers = 4;
  const size_t per_writer = Scaled(5'000);
  std::latch half_written(writers);
  std::vector<std::thread> threads;
  for (int w = 0; w < writers; ++w) {
    threads.emplace_back([&, w] {
      for (size_t i = 0; i < per_writer; ++i) {
        if (i == per_writer / 2) half_written.count_down();
        AppendRequest r = OneEvent(std::string("w") + std::to_string(w));
        if (i % 10 == 0)
          r.streams.push_back(Events("shared-" + std::to_string(i), ExpectedVersion::Any(), 2));
        ASSERT_TRUE(store->Append(std::move(r)).status.ok());
      }
    });
  }
  // Subscribe while the writers are half way: it catches up from disk, then follows live.
  half_written.wait();
  Collector collector;
  auto sub = store->Subscribe(1, [&](const EventEnvelope& e) { return collector.Deliver(e); });
  for (auto& t : threads) t.join();

  const uint64_t total = store->LastPosition();
  EXPECT_EQ(total, writers * per_writer + writers * ((per_writer + 9) / 10) * 2);
  std::vector<uint64_t> seen = collector.WaitFor(total);
  sub->Stop();
  ASSERT_EQ(seen.size(), total);
  for (size_t i = 0; i < seen.size(); ++i) ASSERT_EQ(seen[i], i + 1);
  EXPECT_EQ(sub->next_position(), total + 1);
  // Stopped: nothing more arrives.
  ASSERT_TRUE(store->Append(OneEvent("after")).status.ok());
  EXPECT_EQ(collector.Positions().size(), total);
}

TEST(SubscriptionTest, StartsAtAPositionAndStopsWhenTheHandlerSaysSo) {
  wijkflow::testing::TempDir dir;
  auto store = OpenStore(dir.Sub("db"));
  ASSERT_NE(store, nullptr);
  AppendRequest r;
  r.streams.push_back(Events("s", ExpectedVersion::Any(), 10));
  ASSERT_TRUE(store->Append(std::move(r)).status.ok());

  std::promise<void> stopped;
  std::vector<uint64_t> seen;
  auto sub = store->Subscribe(4, [&](const EventEnvelope& e) {
    seen.push_back(e.position());
    if (e.position() == 6) {
      stopped.set_value();
      return false;
    }
    return true;
  });
  stopped.get_future().wait();
  sub->Stop();
  EXPECT_EQ(seen, (std::vector<uint64_t>{4, 5, 6}));
  EXPECT_EQ(sub->next_position(), 7u);
}

TEST(SubscriptionTest, ClosingTheStoreStopsSubscriptionsThatOutliveIt) {
  wijkflow::testing::TempDir dir;
  auto store = OpenStore(dir.Sub("db"));
  ASSERT_NE(store, nullptr);
  Collector collector;
  auto live = store->Subscribe(1, [&](const EventEnvelope& e) { return collector.Deliver(e); });
  ASSERT_TRUE(store->Append(OneEvent("s")).status.ok());
  EXPECT_EQ(collector.WaitFor(1).size(), 1u);
  store.reset();  // the subscription is waiting for position 2 when the store goes
  EXPECT_EQ(live->next_position(), 2u);
  live->Stop();  // touches nothing of the closed store
  live.reset();
  EXPECT_EQ(collector.Positions().size(), 1u);
}

}  // namespace
}  // namespace wijkflow
