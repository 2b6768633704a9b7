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
constexpr Micros kMinute = int64_t{60} * 1'000'000;
constexpr Micros kHour = 60 * kMinute;

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
  EXPECT_EQ(CeilingAt(Data().ceilings(), kStart + 4 * kWeek - 1), 5'000'000);
  EXPECT_EQ(CeilingAt(Data().ceilings(), kStart + 4 * kWeek), 2'000'000);
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

// The order of the waiting claims: days in Amsterdam, then the round's same-day rule.
std::vector<std::string> Ranked(pb::SameDayRank rank,
                                const std::vector<std::pair<std::string, Micros>>& claims,
                                int64_t ceiling = 1'000'000, int64_t granted = 0) {
  google::protobuf::RepeatedPtrField<pb::CeilingEntry> ceilings;
  pb::CeilingEntry* c = ceilings.Add();
  *c->mutable_from() = ToTimestamp(kStart);
  c->set_ceiling_cents(ceiling);
  Places waiting;
  for (const auto& [id, at] : claims) {
    pb::PlaceInOrder* p = waiting.Add();
    p->set_initiative_id(id);
    p->set_amount_cents(400'000);
    *p->mutable_received_at() = ToTimestamp(at);
  }
  const std::string seed = "drawn by the notary";
  RankWaiting({ceilings, rank, seed, granted}, &waiting);
  std::vector<std::string> out;
  for (const pb::PlaceInOrder& p : waiting) {
    out.push_back(std::to_string(p.place()) + " " + p.initiative_id() + " " +
                  std::to_string(p.available_cents()));
  }
  return out;
}

TEST(OrderOfReceipt, ByTimeTheEarlierFirstAndTheLastReachedGetsTheRest) {
  // 2024-01-08 is a Monday: 23:30 UTC is already Tuesday 00:30 in Amsterdam.
  const Micros monday_late_utc = DateMicros(2024, 1, 8) + 23 * kHour + 30 * kMinute;
  const Micros tuesday = DateMicros(2024, 1, 9) + 10 * kHour;
  EXPECT_EQ(Ranked(pb::SAME_DAY_RANK_TIME_OF_RECEIPT,
                   {{"b", tuesday}, {"a", monday_late_utc}, {"c", tuesday + 1}}),
            (std::vector<std::string>{"1 a 400000", "2 b 400000", "3 c 200000"}));
  EXPECT_EQ(Ranked(pb::SAME_DAY_RANK_TIME_OF_RECEIPT, {{"a", tuesday}, {"b", tuesday + 1}},
                   1'000'000, 700'000),
            (std::vector<std::string>{"1 a 300000", "2 b 0"}));
}

TEST(OrderOfReceipt, ByLotWithinADayInAmsterdamAndByDayAcrossDays) {
  const Micros monday = DateMicros(2024, 1, 8) + 9 * kHour;
  const Micros monday_late_utc = DateMicros(2024, 1, 8) + 23 * kHour + 30 * kMinute;
  const Micros tuesday = DateMicros(2024, 1, 9) + 10 * kHour;
  // The lot decides among the Tuesday requests (in Amsterdam) whatever their times, the same
  // way every time; a Monday request comes before them all.
  const auto tuesday_first =
      Ranked(pb::SAME_DAY_RANK_LOT, {{"t1", monday_late_utc}, {"t2", tuesday}});
  const auto tuesday_swapped =
      Ranked(pb::SAME_DAY_RANK_LOT, {{"t1", tuesday}, {"t2", monday_late_utc}});
  EXPECT_EQ(tuesday_first, tuesday_swapped);
  const auto with_monday =
      Ranked(pb::SAME_DAY_RANK_LOT, {{"t1", monday_late_utc}, {"t2", tuesday}, {"m", monday}});
  EXPECT_EQ(with_monday[0], "1 m 400000");
  // Some pair of ids that the lot puts against their time order.
  bool reversed = false;
  for (int i = 0; i < 20 && !reversed; ++i) {
    const std::string x = "x" + std::to_string(i), y = "y" + std::to_string(i);
    reversed = Ranked(pb::SAME_DAY_RANK_LOT, {{x, tuesday}, {y, tuesday + 1}})[0].find(y) !=
               std::string::npos;
  }
  EXPECT_TRUE(reversed);
}

}  // namespace
}  // namespace wijkflow::workflows::subsidy_round
