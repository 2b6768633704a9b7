// 32 grants race for the last euros of a round's ceiling ("first come, first served, gone is
// gone", Awb 4:25). Each grant appends to its initiative and reserves on the round in one
// append that expects the round unchanged since it was read; a loser re-reads and re-decides.
// Exactly the grants that fit are made, whatever the interleaving.
#include <atomic>
#include <thread>

#include "tests/scenario/scenario.h"
#include "workflows/common/time.h"

namespace wijkflow::scenario {
namespace {

using workflows::DateMicros;

constexpr const char* kRound = "feijenoord-2024-1";
constexpr int kGrants = 32;

engine::EngineOptions Patient() {
  engine::EngineOptions o;
  // Every attempt lets at least one of the racers through, so kGrants attempts always suffice.
  o.max_attempts = 2 * kGrants;
  return o;
}

class GrantRace : public Scenario {
 protected:
  GrantRace() : Scenario(DateMicros(2024, 1, 2) + 9 * kHour, Patient()) {}

  // Runs kGrants grants of `cents` each at once; returns how many were granted and checks that
  // every other one was refused by the ceiling rule, writing nothing.
  int Race(const std::string& prefix, int64_t cents) {
    for (int i = 0; i < kGrants; ++i) {
      const std::string id = prefix + std::to_string(i);
      EXPECT_TRUE(Submit(id, kRound, cents).outcome.ok());
      EXPECT_TRUE(Review(id).outcome.ok());
    }
    std::atomic<int> granted{0};
    std::atomic<int> ceiling{0};
    std::vector<std::thread> threads;
    std::atomic<bool> go{false};
    for (int i = 0; i < kGrants; ++i) {
      threads.emplace_back([&, i] {
        while (!go.load()) std::this_thread::yield();
        CommandResult r = Grant(prefix + std::to_string(i), cents);
        if (r.outcome.ok()) {
          granted++;
        } else if (r.outcome.rule() == "ceiling") {
          ceiling++;
        } else {
          ADD_FAILURE() << r.outcome.ToString();
        }
      });
    }
    const uint64_t before = store_->LastPosition();
    go = true;
    for (auto& t : threads) t.join();
    EXPECT_EQ(granted + ceiling, kGrants);
    // Each grant is one append of two events (initiative and round); a refusal appends nothing.
    EXPECT_EQ(store_->LastPosition(), before + 2 * static_cast<uint64_t>(granted.load()));
    return granted;
  }
};

TEST_F(GrantRace, ExactlyTheGrantsThatFitTheCeilingAreMade) {
  // EUR 10,500 for 32 requests of EUR 1,000: ten fit, EUR 500 stays.
  SetAndPublishRound(kRound, 1'050'000, 1'000'000, DateMicros(2024, 1, 8), DateMicros(2024, 7, 1));
  AdvanceTo(DateMicros(2024, 1, 8) + 9 * kHour);
  EXPECT_EQ(Race("ini-", 100'000), 10);
  const rpb::RoundData& round = Round(kRound);
  EXPECT_EQ(round.reserved_cents(), 1'000'000);
  EXPECT_LE(round.reserved_cents(), round.ceiling_cents());
  EXPECT_EQ(round.allocations_size(), 10);
  int granted_states = 0;
  for (int i = 0; i < kGrants; ++i) {
    const std::string state = State(kInitiatives, "ini-" + std::to_string(i));
    if (state == "granted") {
      ++granted_states;
      EXPECT_EQ(round.allocations().at("ini-" + std::to_string(i)).reserved_cents(), 100'000);
    } else {
      EXPECT_EQ(state, "under-review");
    }
  }
  EXPECT_EQ(granted_states, 10);
}

TEST_F(GrantRace, UnevenAmountsNeverOvershoot) {
  // EUR 7,777.77 for 32 requests of EUR 333.33: 23 fit (EUR 7,666.59), EUR 111.18 stays.
  SetAndPublishRound(kRound, 777'777, 1'000'000, DateMicros(2024, 1, 8), DateMicros(2024, 7, 1));
  AdvanceTo(DateMicros(2024, 1, 8) + 9 * kHour);
  EXPECT_EQ(Race("ini-u", 33'333), 23);
  EXPECT_EQ(Round(kRound).reserved_cents(), 23 * 33'333);
}

}  // namespace
}  // namespace wijkflow::scenario
