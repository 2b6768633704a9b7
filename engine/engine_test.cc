// The command pipeline, end to end on a real store: the toggle workflow of testdata/.
#include "engine/engine.h"

#include <gtest/gtest.h>

#include <atomic>
#include <filesystem>
#include <future>
#include <map>
#include <mutex>
#include <thread>

#include "absl/strings/str_cat.h"
#include "engine/projection_runner.h"
#include "engine/testdata/toggle_workflow.h"
#include "events/keys.h"
#include "testdata/toggle.pb.h"
#include "tests/testing/raw_db.h"
#include "tests/testing/temp_dir.h"

namespace wijkflow::engine {
namespace {

namespace pb = ::wijkflow::testing;
constexpr Micros kStart = 1'704'096'000'000'000;  // 2024-01-01T08:00:00Z
constexpr Micros kMinute = 60'000'000;

// Every key of projection `name`'s model, as committed.
std::map<std::string, std::string> Dump(const ProjectionRunner& runner, const std::string& name) {
  std::map<std::string, std::string> m;
  EXPECT_TRUE(runner
                  .Scan(name, "", "",
                        [&](const std::string& k, const std::string& v) {
                          m[k] = v;
                          return true;
                        })
                  .ok());
  return m;
}

class EngineTest : public ::testing::Test {
 protected:
  EngineTest() : clock_(kStart) {
    wijkflow::testing::RegisterToggle(registry_);
    Reopen();
  }

  void Reopen(EngineOptions options = {}) {
    engine_.reset();
    store_.reset();
    StoreOptions so;
    so.clock = &clock_;
    EXPECT_TRUE(EventStore::Open(so, dir_.Sub("db"), &store_).ok());
    engine_ = std::make_unique<Engine>(store_.get(), &registry_, &clock_, options);
  }

  static Principal Desk() { return {"intake-desk", {"intake"}, {"feijenoord"}}; }

  CommandRequest Request(const std::string& id, const std::string& command,
                         std::unique_ptr<Message> body, Principal who = Desk()) {
    CommandRequest r;
    r.workflow = "toggles";
    r.instance_id = id;
    r.command = command;
    r.body = std::move(body);
    r.principal = std::move(who);
    return r;
  }
  CommandResult Open(const std::string& id, const std::string& tally = "",
                     const std::string& command_id = "") {
    auto body = std::make_unique<pb::Open>();
    body->set_district("feijenoord");
    body->set_tally_id(tally);
    CommandRequest r = Request(id, "Open", std::move(body));
    r.command_id = command_id;
    return engine_->Execute(std::move(r));
  }
  CommandResult Close(const std::string& id, const std::string& reason = "done") {
    auto body = std::make_unique<pb::Close>();
    body->set_reason(reason);
    return engine_->Execute(Request(id, "Close", std::move(body)));
  }
  // Engine::ExecuteAsync, waiting for its answer. A request handed to `wait` runs Execute on a
  // thread of its own, as the HTTP adapter runs it on a worker; *waited counts those.
  CommandResult ExecuteAsync(CommandRequest r, std::atomic<int>* waited = nullptr,
                             Engine* engine = nullptr) {
    Engine* e = engine != nullptr ? engine : engine_.get();
    auto answer = std::make_shared<std::promise<CommandResult>>();
    std::future<CommandResult> result = answer->get_future();
    e->ExecuteAsync(
        std::move(r), [answer](CommandResult out) { answer->set_value(std::move(out)); },
        [this, e, waited](CommandRequest request, Engine::Done done) {
          if (waited != nullptr) ++*waited;
          std::lock_guard<std::mutex> lock(waiters_mu_);
          waiters_.emplace_back([e, request = std::move(request), done]() mutable {
            done(e->Execute(std::move(request)));
          });
        });
    return result.get();
  }
  ~EngineTest() override {
    std::lock_guard<std::mutex> lock(waiters_mu_);
    for (auto& t : waiters_) t.join();
  }
  std::unique_ptr<Message> OpenBody() {
    auto body = std::make_unique<pb::Open>();
    body->set_district("feijenoord");
    return body;
  }

  // 8 threads, 25 commands each, alternately opening and closing t1 (`command(thread, open)`):
  // exactly the legal ones succeed, the others are invalid transitions, and the history
  // alternates open, close, open, ..., never twice the same.
  void RaceOnT1(const std::function<CommandResult(int thread, bool open)>& command) {
    std::atomic<int> ok{0};
    std::vector<std::thread> threads;
    for (int t = 0; t < 8; ++t) {
      threads.emplace_back([&, t] {
        for (int i = 0; i < 25; ++i) {
          CommandResult r = command(t, (i + t) % 2 == 0);
          if (r.outcome.ok()) {
            ++ok;
          } else {
            EXPECT_EQ(r.outcome.kind(), Outcome::Kind::kInvalidTransition);
          }
        }
      });
    }
    for (auto& th : threads) th.join();
    auto h = History("t1");
    EXPECT_EQ(static_cast<int>(h.size()), ok.load());
    for (size_t i = 0; i < h.size(); ++i) {
      EXPECT_EQ(h[i].event_type(), i % 2 ? "wijkflow.testing.Closed" : "wijkflow.testing.Opened");
    }
  }

  std::string State(const std::string& id) {
    InstanceView v;
    if (!engine_->Get("toggles", id, std::nullopt, &v).ok()) return "<none>";
    return std::string(v.instance->StateName());
  }
  std::vector<EventEnvelope> History(const std::string& id) {
    std::vector<EventEnvelope> out;
    EXPECT_TRUE(store_->ReadStream(Engine::StreamId("toggles", id), 1, 1000, &out).ok());
    return out;
  }

  // Runs `fn` and checks that it appended nothing and returned `kind`.
  void ExpectRejected(Outcome::Kind kind, const std::function<CommandResult()>& fn) {
    const uint64_t before = store_->LastPosition();
    CommandResult r = fn();
    EXPECT_EQ(r.outcome.kind(), kind) << r.outcome.ToString();
    EXPECT_EQ(store_->LastPosition(), before) << "a rejected command appended";
  }

  wijkflow::testing::TempDir dir_;
  SimulatedClock clock_;
  WorkflowRegistry registry_;
  std::unique_ptr<EventStore> store_;
  std::unique_ptr<Engine> engine_;
  std::mutex waiters_mu_;
  std::vector<std::thread> waiters_;  // ExecuteAsync's `wait`s, joined at the end
};

TEST_F(EngineTest, CommandAppendsEventsWithTheirEnvelope) {
  CommandResult r = Open("t1");
  ASSERT_TRUE(r.outcome.ok()) << r.outcome.ToString();
  EXPECT_EQ(r.version, 1u);
  EXPECT_EQ(r.state, "open");
  auto h = History("t1");
  ASSERT_EQ(h.size(), 1u);
  EXPECT_EQ(h[0].event_type(), "wijkflow.testing.Opened");
  EXPECT_EQ(h[0].workflow(), "toggles");
  EXPECT_EQ(h[0].actor().system(), "intake-desk");
  EXPECT_EQ(h[0].actor().role(), "intake");
  EXPECT_EQ(h[0].effective_date().seconds(), kStart / 1'000'000);
  EXPECT_FALSE(h[0].command_id().empty());
  EXPECT_EQ(State("t1"), "open");
}

TEST_F(EngineTest, EveryRejectionWritesNothing) {
  ASSERT_TRUE(Open("t1").outcome.ok());
  ExpectRejected(Outcome::Kind::kInvalidTransition, [&] { return Open("t1"); });
  ExpectRejected(Outcome::Kind::kRuleViolated, [&] { return Close("t1", "forbidden"); });
  ExpectRejected(Outcome::Kind::kUnauthenticated, [&] {
    return engine_->Execute(Request("t2", "Open", std::make_unique<pb::Open>(), Principal{}));
  });
  ExpectRejected(Outcome::Kind::kForbidden, [&] {  // a role the command does not allow
    return engine_->Execute(Request("t2", "Open", std::make_unique<pb::Open>(),
                                    {"council-tool", {"district-council"}, {"*"}}));
  });
  ExpectRejected(Outcome::Kind::kForbidden, [&] {  // a district the token does not grant
    auto body = std::make_unique<pb::Open>();
    body->set_district("delfshaven");
    return engine_->Execute(Request("t2", "Open", std::move(body)));
  });
  ExpectRejected(Outcome::Kind::kForbidden, [&] {  // the system role is the timers' own
    auto r =
        Request("t1", "Close", std::make_unique<pb::Close>(), {"admin-tool", {"admin"}, {"*"}});
    r.actor.set_role("system");
    return engine_->Execute(std::move(r));
  });
  ExpectRejected(Outcome::Kind::kNotFound, [&] {
    return engine_->Execute(Request("t1", "Explode", std::make_unique<pb::Close>()));
  });
  ExpectRejected(Outcome::Kind::kInvalidArgument, [&] {  // wrong body type
    return engine_->Execute(Request("t1", "Close", std::make_unique<pb::Open>()));
  });
  ExpectRejected(Outcome::Kind::kInvalidArgument, [&] {
    return engine_->Execute(Request("bad id!", "Close", std::make_unique<pb::Close>()));
  });
  ExpectRejected(Outcome::Kind::kPreconditionFailed, [&] {
    auto r = Request("t1", "Close", std::make_unique<pb::Close>());
    r.if_match = 7;
    return engine_->Execute(std::move(r));
  });
  ExpectRejected(Outcome::Kind::kInvalidArgument, [&] {  // a timer that could never fire
    return Close("t1", "bad-timer");
  });
  ExpectRejected(Outcome::Kind::kInvalidArgument, [&] {
    auto r = Request("t1", "Close", std::make_unique<pb::Close>());
    r.effective = kStart + kMinute;  // in the future
    return engine_->Execute(std::move(r));
  });
  ExpectRejected(Outcome::Kind::kInvalidArgument, [&] {
    auto r = Request("t1", "Close", std::make_unique<pb::Close>());
    r.effective = kStart - kMinute;  // before the instance's last event
    return engine_->Execute(std::move(r));
  });
  EXPECT_EQ(State("t1"), "open");
}

TEST_F(EngineTest, IfMatchWithTheCurrentVersionSucceeds) {
  ASSERT_TRUE(Open("t1").outcome.ok());
  auto r = Request("t1", "Close", std::make_unique<pb::Close>());
  r.if_match = 1;
  CommandResult res = engine_->Execute(std::move(r));
  ASSERT_TRUE(res.outcome.ok()) << res.outcome.ToString();
  EXPECT_EQ(res.version, 2u);
}

TEST_F(EngineTest, SameCommandIdTwiceReturnsTheFirstResultAndAppendsOnce) {
  CommandResult first = Open("t1", "", "key-1");
  ASSERT_TRUE(first.outcome.ok());
  const uint64_t after_first = store_->LastPosition();
  CommandResult again = Open("t1", "", "key-1");  // would be an invalid transition if re-run
  EXPECT_TRUE(again.outcome.ok()) << again.outcome.ToString();
  EXPECT_TRUE(again.duplicate);
  EXPECT_EQ(again.receipt.first_position(), first.receipt.first_position());
  EXPECT_EQ(again.version, 1u);
  EXPECT_EQ(store_->LastPosition(), after_first);
}

TEST_F(EngineTest, DecisionByDistrictManagerNeedsAMandateAndIsStampedWithIt) {
  ASSERT_TRUE(Open("t1").outcome.ok());
  Principal manager{"manager-tool", {"district-manager"}, {"feijenoord"}};
  auto decide = [&](const std::string& who, int64_t amount) {
    auto body = std::make_unique<pb::Decide>();
    body->set_amount_cents(amount);
    auto r = Request("t1", "Decide", std::move(body), manager);
    r.actor.set_id(who);
    r.actor.set_mandate_ref("self-asserted");  // the caller cannot name its own mandate
    return engine_->Execute(std::move(r));
  };
  ExpectRejected(Outcome::Kind::kForbidden, [&] { return decide("wm-other", 50); });
  ExpectRejected(Outcome::Kind::kForbidden, [&] { return decide("wm-ok", 500); });
  CommandResult ok = decide("wm-ok", 50);
  ASSERT_TRUE(ok.outcome.ok()) << ok.outcome.ToString();
  auto h = History("t1");
  EXPECT_EQ(h.back().actor().mandate_ref(), "mandate-1");
  EXPECT_EQ(h.back().actor().on_behalf_of(), "district-council:feijenoord");
}

TEST_F(EngineTest, TimerFiresOnceAsTheSystemAtItsDueTime) {
  ASSERT_TRUE(Open("t1").outcome.ok());
  EXPECT_EQ(engine_->FireDueTimers(), 0u);  // not due yet
  clock_.AdvanceTo(kStart + 61 * kMinute);
  EXPECT_EQ(engine_->FireDueTimers(), 1u);
  EXPECT_EQ(State("t1"), "closed");
  auto h = History("t1");
  ASSERT_EQ(h.size(), 2u);
  EXPECT_EQ(h[1].actor().role(), "system");
  EXPECT_EQ(h[1].effective_date().seconds(), (kStart + 60 * kMinute) / 1'000'000);
  EXPECT_EQ(engine_->FireDueTimers(), 0u);  // gone once fired
  EXPECT_EQ(History("t1").size(), 2u);
}

TEST_F(EngineTest, TimerCancelledByTheDecisionDoesNotFire) {
  ASSERT_TRUE(Open("t1").outcome.ok());
  ASSERT_TRUE(Close("t1").outcome.ok());
  clock_.AdvanceTo(kStart + 2 * 60 * kMinute);
  EXPECT_EQ(engine_->FireDueTimers(), 0u);
  EXPECT_EQ(History("t1").size(), 2u);
}

TEST_F(EngineTest, TimerWhoseCommandChangesNothingIsRemoved) {
  ASSERT_TRUE(Open("t1").outcome.ok());
  ASSERT_TRUE(Close("t1", "keep-timer").outcome.ok());  // leaves the auto-close timer set
  clock_.AdvanceTo(kStart + 61 * kMinute);
  EXPECT_EQ(engine_->FireDueTimers(), 1u);  // Close on a closed toggle: ok, no event
  EXPECT_EQ(History("t1").size(), 2u);
  EXPECT_EQ(engine_->FireDueTimers(), 0u);  // and the timer is gone
  EXPECT_FALSE(engine_->NextTimerDue(clock_.Now()).has_value());
}

TEST_F(EngineTest, TimersSurviveARestart) {
  ASSERT_TRUE(Open("t1").outcome.ok());
  Reopen();
  clock_.AdvanceTo(kStart + 61 * kMinute);
  EXPECT_EQ(engine_->FireDueTimers(), 1u);
  EXPECT_EQ(State("t1"), "closed");
}

TEST_F(EngineTest, SnapshotsAndReplayGiveTheSameState) {
  Reopen({.cache_entries = 0, .snapshot_every = 2});
  for (int i = 0; i < 3; ++i) {
    ASSERT_TRUE(Open("t1").outcome.ok());
    ASSERT_TRUE(Close("t1", "round " + std::to_string(i)).outcome.ok());
  }
  ASSERT_TRUE(Open("t1").outcome.ok());  // version 7: snapshot at 6, then one event
  std::string snap;
  ASSERT_TRUE(store_->Get(Space::kSnapshots, "toggles/t1", &snap).ok());
  InstanceView from_snapshot;
  ASSERT_TRUE(engine_->Get("toggles", "t1", std::nullopt, &from_snapshot).ok());
  InstanceView replayed;  // as-of reads never use snapshots
  ASSERT_TRUE(engine_->Get("toggles", "t1", clock_.Now(), &replayed).ok());
  EXPECT_EQ(from_snapshot.version, 7u);
  EXPECT_EQ(replayed.version, 7u);
  EXPECT_EQ(from_snapshot.instance->StateName(), "open");
  EXPECT_EQ(from_snapshot.instance->Data().SerializeAsString(),
            replayed.instance->Data().SerializeAsString());
  const auto& d = static_cast<const pb::ToggleData&>(from_snapshot.instance->Data());
  EXPECT_EQ(d.opens(), 4);
  EXPECT_EQ(d.last_reason(), "round 2");
}

TEST_F(EngineTest, AsOfShowsTheStateAtThatMoment) {
  ASSERT_TRUE(Open("t1").outcome.ok());
  clock_.AdvanceTo(kStart + 10 * kMinute);
  ASSERT_TRUE(Close("t1").outcome.ok());
  InstanceView then;
  ASSERT_TRUE(engine_->Get("toggles", "t1", kStart + 5 * kMinute, &then).ok());
  EXPECT_EQ(then.instance->StateName(), "open");
  EXPECT_EQ(then.version, 1u);
  EXPECT_EQ(engine_->Get("toggles", "t1", kStart - kMinute, &then).kind(),
            Outcome::Kind::kNotFound);
}

TEST_F(EngineTest, ConcurrentCommandsOnOneInstanceAlternateLegally) {
  RaceOnT1([&](int, bool open) { return open ? Open("t1") : Close("t1"); });
}

TEST_F(EngineTest, AnAsyncCommandIsAnsweredOnceDurableAndCachedForTheNext) {
  std::atomic<int> waited{0};
  CommandResult r = ExecuteAsync(Request("t1", "Open", OpenBody()), &waited);
  ASSERT_TRUE(r.outcome.ok()) << r.outcome.ToString();
  EXPECT_EQ(r.version, 1u);
  EXPECT_EQ(r.state, "open");
  EXPECT_EQ(r.receipt.first_position(), 1u);
  EXPECT_EQ(store_->LastPosition(), 1u);
  EXPECT_EQ(waited, 0);
  // The next command starts from the state the first one left (version 2 expects 1).
  r = Close("t1");
  ASSERT_TRUE(r.outcome.ok()) << r.outcome.ToString();
  EXPECT_EQ(r.version, 2u);
}

TEST_F(EngineTest, AnAsyncCommandRefusedBeforeItsAppendIsAnsweredAtOnceAndWritesNothing) {
  ASSERT_TRUE(Open("t1").outcome.ok());
  std::atomic<int> waited{0};
  bool answered = false;
  ExpectRejected(Outcome::Kind::kInvalidTransition, [&] {
    CommandResult out;
    engine_->ExecuteAsync(
        Request("t1", "Open", OpenBody()),
        [&](CommandResult r) {
          answered = true;
          out = std::move(r);
        },
        [&](CommandRequest, Engine::Done) { ++waited; });
    EXPECT_TRUE(answered) << "a refusal is answered on the calling thread";
    return out;
  });
  ExpectRejected(Outcome::Kind::kUnauthenticated, [&] {
    return ExecuteAsync(Request("t1", "Close", std::make_unique<pb::Close>(), Principal{}));
  });
  EXPECT_EQ(waited, 0);
}

TEST_F(EngineTest, AnAsyncCommandThatLosesARaceIsHandedToWaitAndDecidedAgain) {
  ASSERT_TRUE(Open("t1").outcome.ok());  // this engine now holds t1 at version 1, open
  {
    // Another engine on the same store closes it: ours does not know.
    Engine other(store_.get(), &registry_, &clock_);
    auto body = std::make_unique<pb::Close>();
    ASSERT_TRUE(other.Execute(Request("t1", "Close", std::move(body))).outcome.ok());
  }
  std::atomic<int> waited{0};
  ExpectRejected(Outcome::Kind::kInvalidTransition, [&] {
    auto body = std::make_unique<pb::Close>();
    return ExecuteAsync(Request("t1", "Close", std::move(body)), &waited);
  });
  EXPECT_EQ(waited, 1) << "the append expected version 1, found 2, and went to wait";
  EXPECT_EQ(History("t1").size(), 2u);
}

TEST_F(EngineTest, AsyncAndBlockingCommandsOnOneInstanceAlternateLegally) {
  std::atomic<int> waited{0};
  RaceOnT1([&](int thread, bool open) {
    if (thread % 2 == 0) return open ? Open("t1") : Close("t1");
    return ExecuteAsync(open ? Request("t1", "Open", OpenBody())
                             : Request("t1", "Close", std::make_unique<pb::Close>()),
                        &waited);
  });
}

TEST_F(EngineTest, CrossStreamAppendsAreAtomicAndRetriedOnConflict) {
  // 8 threads open distinct toggles, each counted on one shared tally: every opening lands on
  // the tally exactly once, though the tally's version conflicts all the time.
  std::vector<std::thread> threads;
  for (int t = 0; t < 8; ++t) {
    threads.emplace_back([&, t] {
      for (int i = 0; i < 10; ++i) {
        CommandResult r = Open(absl::StrCat("t", t, "-", i), "tally");
        EXPECT_TRUE(r.outcome.ok()) << r.outcome.ToString();
      }
    });
  }
  for (auto& th : threads) th.join();
  InstanceView tally;
  ASSERT_TRUE(engine_->Get("toggles", "tally", std::nullopt, &tally).ok());
  EXPECT_EQ(tally.version, 80u);
  EXPECT_EQ(static_cast<const pb::ToggleData&>(tally.instance->Data()).count(), 80);
  EXPECT_EQ(store_->LastPosition(), 160u);
  EXPECT_TRUE(store_->Verify().ok);
}

TEST_F(EngineTest, ProjectionRebuildEqualsTheLiveModel) {
  ProjectionRunner runner(store_.get(), &registry_);
  runner.Start();
  for (int i = 0; i < 20; ++i) {
    ASSERT_TRUE(Open(absl::StrCat("t", i), "tally").outcome.ok());
    if (i % 3 == 0) {
      ASSERT_TRUE(Close(absl::StrCat("t", i)).outcome.ok());
    }
  }
  ASSERT_TRUE(runner.WaitFor(store_->LastPosition(), std::chrono::seconds(10)));
  runner.Stop();
  auto dump = [&] { return Dump(runner, "event-count"); };
  auto live = dump();
  auto count = [&](const std::string& type) {
    pb::ToggleData n;
    EXPECT_TRUE(n.ParseFromString(live[type])) << type;
    return n.count();
  };
  EXPECT_EQ(count("wijkflow.testing.Opened"), 20);
  EXPECT_EQ(count("wijkflow.testing.Counted"), 20);
  EXPECT_EQ(count("wijkflow.testing.Closed"), 7);
  EXPECT_EQ(runner.Checkpoint("event-count"), store_->LastPosition());
  ASSERT_TRUE(runner.Rebuild("event-count").ok());
  EXPECT_EQ(dump(), live);
  // A second runner over the same store resumes from the checkpoint and counts nothing twice.
  ProjectionRunner again(store_.get(), &registry_);
  ASSERT_TRUE(again.CatchUp().ok());
  EXPECT_EQ(dump(), live);
}

TEST_F(EngineTest, AModelWithoutACheckpointHoldsNothingAndIsNotReadBack) {
  // A model's changes are committed only with its checkpoint, and dropped with it: a model
  // without one holds nothing, and a runner reads none of its keys back. A value that no runner
  // could have written there (one without a checkpoint) shows it: it is not counted on.
  pb::ToggleData stray;
  stray.set_count(100);
  ASSERT_TRUE(store_
                  ->Write({{Space::kProjections, "event-count/wijkflow.testing.Opened",
                            stray.SerializeAsString()}},
                          true)
                  .ok());
  ASSERT_TRUE(Open("t1").outcome.ok());
  auto opened = [&](const ProjectionRunner& runner) {
    pb::ToggleData n;
    EXPECT_TRUE(n.ParseFromString(Dump(runner, "event-count")["wijkflow.testing.Opened"]));
    return n.count();
  };
  {
    ProjectionRunner runner(store_.get(), &registry_);
    ASSERT_TRUE(runner.CatchUp().ok());
    EXPECT_EQ(opened(runner), 1);
  }
  // Once the model has a checkpoint, a runner reads it back and counts on.
  ASSERT_TRUE(Open("t2").outcome.ok());
  ProjectionRunner again(store_.get(), &registry_);
  ASSERT_TRUE(again.CatchUp().ok());
  EXPECT_EQ(opened(again), 2);
}

TEST_F(EngineTest, RebuildAllEqualsTheLiveModelWhateverTheCacheHolds) {
  ProjectionRunner live(store_.get(), &registry_);
  // 1,200 events: more than one batch of the runner's (1,024), so that a rebuild can commit in
  // more than one chunk.
  for (int i = 0; i < 400; ++i) {
    ASSERT_TRUE(Open(absl::StrCat("t", i % 7), "tally").outcome.ok());
    ASSERT_TRUE(Close(absl::StrCat("t", i % 7)).outcome.ok());
    if (i % 10 == 0) {
      ASSERT_TRUE(live.CatchUp().ok());  // commits in several chunks
    }
  }
  ASSERT_TRUE(live.CatchUp().ok());
  const auto tallies = Dump(live, "stream-tally");
  // t0..t6 and the tally, each once by id and once by parity, and every tenth count: 800 events
  // on t0..t6 (114 or 116 each), 400 on the tally.
  ASSERT_EQ(tallies.size(), 16u + 7 * 11 + 40);
  pb::ToggleData t3;
  ASSERT_TRUE(t3.ParseFromString(tallies.at("toggles/t3")));
  // t3 was opened and closed 57 times (i = 3, 10, ..., 395); each open counts on the tally too.
  EXPECT_EQ(t3.count(), 114);
  EXPECT_EQ(tallies.count("by-parity/even/toggles/t3"), 1u);
  EXPECT_EQ(tallies.count("by-parity/odd/toggles/t3"), 0u);
  pb::ToggleData tenth;
  ASSERT_TRUE(tenth.ParseFromString(tallies.at("tenth/toggles/t3/110")));
  EXPECT_EQ(tenth.count(), 110);

  // A runner that keeps nothing cached between chunks reads back through the store; one that
  // keeps everything reads its cache; one commits after every batch; one evicts part of its
  // cache after every batch; and one as `rebuild-projections` runs it, committing once at the
  // end; the last two also committing as ingested tables, whole or in parts of a few keys each:
  // all rebuild the live models.
  using Options = ProjectionRunner::Options;
  Options tables = ProjectionRunner::ForRebuild();
  tables.table_writes_from = 1;
  Options parts = tables;
  parts.table_part_writes = 5;
  const std::vector<std::pair<std::string, Options>> runs = {
      {"no cache", Options{.model_cache_bytes = 0}},
      {"full cache", Options{.model_cache_bytes = size_t{1} << 30}},
      {"a commit per batch", Options{.model_cache_bytes = size_t{1} << 30, .chunk_events = 1}},
      {"a small cache", Options{.model_cache_bytes = 2048, .chunk_events = 1}},
      {"a small cache, as tables",
       Options{.model_cache_bytes = 2048, .chunk_events = 1, .table_writes_from = 1}},
      {"a small cache, as tables in parts", Options{.model_cache_bytes = 2048,
                                                    .chunk_events = 1,
                                                    .table_writes_from = 1,
                                                    .table_part_writes = 2}},
      {"for rebuild", ProjectionRunner::ForRebuild()},
      {"for rebuild, as tables", tables},
      {"for rebuild, as tables in parts", parts},
  };
  for (size_t i = 0; i < runs.size(); ++i) {
    const auto& [name, options] = runs[i];
    ASSERT_TRUE(live.CatchUp().ok());
    ProjectionRunner rebuilt(store_.get(), &registry_, options);
    ASSERT_TRUE(rebuilt.RebuildAll().ok());
    EXPECT_EQ(Dump(rebuilt, "event-count"), Dump(live, "event-count")) << name;
    EXPECT_EQ(Dump(rebuilt, "stream-tally"), Dump(live, "stream-tally")) << name;
    EXPECT_EQ(rebuilt.Checkpoint("stream-tally"), store_->LastPosition());
    // Events after the rebuild are applied on top of what it committed.
    const std::string fresh = absl::StrCat("n", i);
    ASSERT_TRUE(Open(fresh, "tally").outcome.ok());
    ASSERT_TRUE(rebuilt.CatchUp().ok());
    pb::ToggleData n;
    ASSERT_TRUE(n.ParseFromString(Dump(rebuilt, "stream-tally").at("toggles/" + fresh)));
    EXPECT_EQ(n.count(), 1);
  }
}

TEST_F(EngineTest, ARecordThatDoesNotParseStopsTheProjectionsAndCommitsNothing) {
  // 2,600 opens and closes: 5,200 events, six batches of the runner's, more than its ring holds,
  // and a record in the first that does not parse.
  for (int i = 0; i < 2600; ++i) {
    ASSERT_TRUE(Open(absl::StrCat("t", i % 9)).outcome.ok());
    ASSERT_TRUE(Close(absl::StrCat("t", i % 9)).outcome.ok());
  }
  engine_.reset();
  store_.reset();
  {
    wijkflow::testing::RawDb raw(dir_.Sub("db"));
    raw.Put(keys::kLog, keys::PositionKey(100), std::string(100, '\xff'));
  }
  Reopen();
  for (const auto& options : {ProjectionRunner::Options(), ProjectionRunner::ForRebuild()}) {
    ProjectionRunner runner(store_.get(), &registry_, options);
    Status s = runner.CatchUp();
    EXPECT_TRUE(s.IsCorruption()) << s.ToString();
    EXPECT_NE(s.ToString().find("position 100:"), std::string::npos) << s.ToString();
    EXPECT_EQ(runner.Checkpoint("stream-tally"), 0u);
    EXPECT_TRUE(Dump(runner, "stream-tally").empty()) << "a model was committed";
  }
}

TEST_F(EngineTest, ModelsIngestedAsTablesAreThereAfterAReopen) {
  for (int i = 0; i < 50; ++i) {
    ASSERT_TRUE(Open(absl::StrCat("t", i % 5), "tally").outcome.ok());
    ASSERT_TRUE(Close(absl::StrCat("t", i % 5)).outcome.ok());
  }
  std::map<std::string, std::string> live;
  {
    ProjectionRunner runner(store_.get(), &registry_);
    ASSERT_TRUE(runner.CatchUp().ok());
    live = Dump(runner, "stream-tally");
    ProjectionRunner::Options tables = ProjectionRunner::ForRebuild();
    tables.table_writes_from = 1;
    ProjectionRunner rebuilt(store_.get(), &registry_, tables);
    ASSERT_TRUE(rebuilt.RebuildAll().ok());
    // The tables were written beside the database, and are gone into it.
    const std::string written = dir_.Sub("db") + "/ingest";
    ASSERT_TRUE(std::filesystem::exists(written));
    EXPECT_TRUE(std::filesystem::is_empty(written));
  }
  Reopen();
  ProjectionRunner after(store_.get(), &registry_);
  EXPECT_EQ(after.Checkpoint("stream-tally"), store_->LastPosition());
  EXPECT_EQ(Dump(after, "stream-tally"), live);
}

}  // namespace
}  // namespace wijkflow::engine
