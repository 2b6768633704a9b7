#include <gtest/gtest.h>

#include "engine/registry.h"
#include "wijkflow/subsidy_round.pb.h"
#include "workflows/common/time.h"
#include "workflows/register_all.h"
#include "workflows/subsidy_round/round_budget.h"
#include "workflows/subsidy_round/round_machine.h"
#include "workflows/subsidy_round/round_workflow.h"
#include "workflows/testing/world.h"

namespace wijkflow::workflows::subsidy_round {
namespace {

namespace pb = ::wijkflow::round;
using engine::Outcome;
using workflows::testing::MakeActor;

const Micros kStart = DateMicros(2024, 1, 8);

class RoundTest : public ::testing::Test {
 protected:
  RoundTest() : world_(&registry_) { RegisterAll(registry_); }

  pb::SetRound Terms(int64_t ceiling = 5'000'000, int64_t max = kMaxPerRequestLow) {
    pb::SetRound s;
    s.set_district("feijenoord");
    s.set_ceiling_cents(ceiling);
    s.set_max_per_request_cents(max);
    *s.mutable_period()->mutable_start() = ToTimestamp(kStart);
    *s.mutable_period()->mutable_end() = ToTimestamp(kStart + 26 * kWeek);
    return s;
  }
  Outcome Run(const engine::Message& c, Micros at, const std::string& role = "executive") {
    return world_.Run(kWorkflow, "feijenoord-2024-1", MakeActor("someone", role), at, c);
  }
  const pb::RoundData& Data() {
    return static_cast<const pb::RoundData&>(world_.Get(kWorkflow, "feijenoord-2024-1")->Data());
  }

  engine::WorkflowRegistry registry_;
  workflows::testing::World world_;
};

TEST_F(RoundTest, MaxPerRequestIsTenOrTwentyThousand) {
  EXPECT_EQ(Run(Terms(5'000'000, 1'500'000), kStart).rule(), "max-per-request");
  EXPECT_EQ(Run(Terms(0), kStart).rule(), "ceiling");
  pb::SetRound no_period = Terms();
  no_period.clear_period();
  EXPECT_EQ(Run(no_period, kStart).rule(), "round-period");
  EXPECT_TRUE(Run(Terms(5'000'000, kMaxPerRequestHigh), kStart - kWeek).ok());
  EXPECT_EQ(Data().distribution(), pb::DISTRIBUTION_FIRST_COME);
}

TEST_F(RoundTest, CannotOpenBeforePublication) {
  ASSERT_TRUE(Run(Terms(), kStart - 2 * kWeek).ok());
  EXPECT_EQ(Run(pb::OpenRound(), kStart).rule(), "published-before-open");
  pb::PublishRound p;
  p.set_publication_ref("Gemeenteblad 2024, 1");
  ASSERT_TRUE(Run(p, kStart - kWeek).ok());
  // Publication schedules the opening at the period's start.
  ASSERT_EQ(world_.timers().size(), 1u);
  EXPECT_EQ(world_.timers()[0].name, kOpeningTimer);
  EXPECT_EQ(world_.timers()[0].due, kStart);
  EXPECT_EQ(Run(pb::OpenRound(), kStart - 1).rule(), "round-period");
  ASSERT_TRUE(Run(pb::OpenRound(), kStart, "system").ok());
  EXPECT_EQ(world_.State(kWorkflow, "feijenoord-2024-1"), state::kOpen);
  ASSERT_EQ(world_.timers().size(), 2u);  // opening cancelled, closing set at the period's end
  EXPECT_EQ(world_.timers()[1].name, kClosingTimer);
  EXPECT_EQ(world_.timers()[1].due, kStart + 26 * kWeek);
}

TEST_F(RoundTest, CeilingHistoryServesRequestsByTheirSubmission) {
  ASSERT_TRUE(Run(Terms(5'000'000), kStart - 2 * kWeek).ok());
  pb::PublishRound p;
  p.set_publication_ref("Gemeenteblad 2024, 1");
  ASSERT_TRUE(Run(p, kStart - kWeek).ok());
  ASSERT_TRUE(Run(pb::OpenRound(), kStart).ok());
  pb::ChangeCeiling lower;
  lower.set_ceiling_cents(2'000'000);
  EXPECT_EQ(Run(lower, kStart + 4 * kWeek).rule(), "ceiling-publication");
  lower.set_publication_ref("Gemeenteblad 2024, 2");
  ASSERT_TRUE(Run(lower, kStart + 4 * kWeek).ok());
  EXPECT_EQ(CeilingAt(Data(), kStart + 4 * kWeek - 1), 5'000'000);
  EXPECT_EQ(CeilingAt(Data(), kStart + 4 * kWeek), 2'000'000);
  EXPECT_EQ(Data().ceiling_cents(), 2'000'000);
  EXPECT_EQ(RemainingFor(Data(), kStart + kDay), 5'000'000);
}

TEST_F(RoundTest, ClosingByTheTimerOnlyWhileOpen) {
  ASSERT_TRUE(Run(Terms(), kStart - 2 * kWeek).ok());
  EXPECT_EQ(Run(pb::CloseRound(), kStart, "system").rule(), "timer-stale");
  EXPECT_EQ(Run(pb::FinishRound(), kStart).kind(), Outcome::Kind::kInvalidTransition);
  pb::OpenRound open;
  EXPECT_EQ(
      world_.Run(kWorkflow, "unknown-round", MakeActor("c", "executive"), kStart, open).kind(),
      Outcome::Kind::kNotFound);
}

}  // namespace
}  // namespace wijkflow::workflows::subsidy_round
