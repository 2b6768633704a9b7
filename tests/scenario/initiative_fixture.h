// The fixture of the initiative scenarios: the rules in force since 2023-10-01, a district
// manager with a mandate up to EUR 2,500, and an open round of EUR 50,000 (max EUR 10,000).
#pragma once

#include "tests/scenario/scenario.h"
#include "workflows/common/time.h"

namespace wijkflow::scenario {

using workflows::DateMicros;
using workflows::kDay;
using workflows::kWeek;
using workflows::ToMicros;
using workflows::ToTimestamp;
using Kind = Outcome::Kind;

inline const Micros kRoundStart = DateMicros(2024, 1, 8);
inline const Micros kRoundEnd = DateMicros(2024, 7, 1);
inline constexpr const char* kRound = "feijenoord-2024-1";

class InitiativeScenario : public Scenario {
 protected:
  InitiativeScenario() : Scenario(DateMicros(2024, 1, 2) + 9 * kHour) {}

  void SetUp() override {
    GrantMandate("wm-feijenoord", 250'000, DateMicros(2024, 1, 1));
    SetAndPublishRound(kRound, 5'000'000, 1'000'000, kRoundStart, kRoundEnd);
    EXPECT_EQ(AdvanceTo(kRoundStart + 9 * kHour), 1u);  // the opening timer
    ASSERT_EQ(State(kRounds, kRound), "open");
    t0_ = Now();
  }
  // Submitted and under review, at t0.
  void Reviewed(const std::string& id, int64_t cents) {
    ASSERT_TRUE(Submit(id, kRound, cents).outcome.ok());
    ASSERT_TRUE(Review(id).outcome.ok());
  }
  void Ok(const CommandResult& r) { ASSERT_TRUE(r.outcome.ok()) << r.outcome.ToString(); }

  Micros t0_ = 0;
};

}  // namespace wijkflow::scenario
