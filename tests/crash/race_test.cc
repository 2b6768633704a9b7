// Races: 100 commands at once on one instance, through the engine on a real store. Exactly the
// legal ones succeed, whatever the interleaving; every other one is refused and writes nothing.
#include <atomic>
#include <thread>

#include "tests/scenario/scenario.h"
#include "workflows/common/time.h"

namespace wijkflow::scenario {
namespace {

using workflows::DateMicros;

constexpr const char* kRound = "feijenoord-2024-1";
constexpr int kRacers = 100;

engine::EngineOptions Patient() {
  engine::EngineOptions o;
  // Each attempt lets at least one racer through, so kRacers attempts always suffice: a racer is
  // never refused for having lost a version conflict too often.
  o.max_attempts = 2 * kRacers;
  return o;
}

class Races : public Scenario {
 protected:
  Races() : Scenario(DateMicros(2024, 1, 2) + 9 * kHour, Patient()) {}

  void OpenRound(int64_t ceiling_cents) {
    SetAndPublishRound(kRound, ceiling_cents, 1'000'000, DateMicros(2024, 1, 8),
                       DateMicros(2024, 7, 1));
    AdvanceTo(DateMicros(2024, 1, 8) + 9 * kHour);
  }

  // Runs `command(i)` for i in [0, kRacers) on as many threads, released at once.
  template <typename Fn>
  std::vector<CommandResult> Race(Fn command) {
    std::vector<CommandResult> results(kRacers);
    std::vector<std::thread> threads;
    std::atomic<int> ready{0};
    for (int i = 0; i < kRacers; ++i) {
      threads.emplace_back([&, i] {
        ready++;
        while (ready.load() < kRacers) std::this_thread::yield();
        results[static_cast<size_t>(i)] = command(i);
      });
    }
    for (auto& t : threads) t.join();
    return results;
  }
};

// 50 grants and 50 refusals of one initiative under review: exactly one decision is taken; the
// other 99 find it decided and are refused as invalid transitions, writing nothing.
TEST_F(Races, OneDecisionOfOneInitiativeWins) {
  OpenRound(10'000'000);
  ASSERT_TRUE(Submit("ini-1", kRound, 100'000).outcome.ok());
  ASSERT_TRUE(Review("ini-1").outcome.ok());
  const uint64_t before = store_->LastPosition();
  auto results = Race([&](int i) {
    return i % 2 == 0 ? Grant("ini-1", 100'000)
                      : Refuse("ini-1", "does not fit, racer " + std::to_string(i));
  });
  int ok = 0;
  int granted = 0;
  for (int i = 0; i < kRacers; ++i) {
    const Outcome& o = results[static_cast<size_t>(i)].outcome;
    if (o.ok()) {
      ++ok;
      if (i % 2 == 0) ++granted;
    } else {
      EXPECT_EQ(o.kind(), Outcome::Kind::kInvalidTransition) << i << ": " << o.ToString();
    }
  }
  ASSERT_EQ(ok, 1);
  const std::string state = State(kInitiatives, "ini-1");
  EXPECT_EQ(state, granted == 1 ? "granted" : "refused");
  // A grant appends to the initiative and reserves on the round; a refusal appends to the
  // initiative and ends its claim on the round.
  EXPECT_EQ(store_->LastPosition(), before + 2u);
  EXPECT_EQ(Round(kRound).reserved_cents(), granted == 1 ? 100'000 : 0);
  EXPECT_TRUE(store_->Verify().ok);
}

// 100 grants of EUR 1,000 on 100 initiatives race for one round's EUR 37,000: exactly 37 are
// made, the other 63 are refused by the ceiling rule and write nothing.
TEST_F(Races, ExactlyTheGrantsThatFitOneRoundAreMade) {
  OpenRound(3'700'000);
  for (int i = 0; i < kRacers; ++i) {
    const std::string id = "ini-" + std::to_string(i);
    ASSERT_TRUE(Submit(id, kRound, 100'000).outcome.ok());
    ASSERT_TRUE(Review(id).outcome.ok());
  }
  const uint64_t before = store_->LastPosition();
  auto results = Race([&](int i) { return Grant("ini-" + std::to_string(i), 100'000); });
  int granted = 0;
  for (int i = 0; i < kRacers; ++i) {
    const Outcome& o = results[static_cast<size_t>(i)].outcome;
    if (o.ok()) {
      ++granted;
      EXPECT_EQ(State(kInitiatives, "ini-" + std::to_string(i)), "granted");
    } else {
      EXPECT_EQ(o.rule(), "ceiling") << i << ": " << o.ToString();
      EXPECT_EQ(State(kInitiatives, "ini-" + std::to_string(i)), "under-review");
    }
  }
  EXPECT_EQ(granted, 37);
  EXPECT_EQ(store_->LastPosition(), before + 2 * 37u);
  EXPECT_EQ(Round(kRound).reserved_cents(), 3'700'000);
  EXPECT_EQ(Round(kRound).allocations_size(), 37);
  EXPECT_TRUE(store_->Verify().ok);
}

}  // namespace
}  // namespace wijkflow::scenario
