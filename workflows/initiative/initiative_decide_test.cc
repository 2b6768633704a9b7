// Decide of the initiative, run directly (workflows/testing/world.h). The same rules are driven
// end to end through the engine in tests/scenario.
#include "workflows/initiative/initiative_decide.h"

#include <gtest/gtest.h>

#include "engine/registry.h"
#include "wijkflow/initiative.pb.h"
#include "wijkflow/subsidy_round.pb.h"
#include "workflows/common/time.h"
#include "workflows/initiative/initiative_machine.h"
#include "workflows/register_all.h"
#include "workflows/testing/world.h"

namespace wijkflow::workflows::initiative {
namespace {

using engine::Outcome;
using workflows::testing::MakeActor;
namespace rpb = ::wijkflow::round;

const Micros kNew = DateMicros(2024, 3, 4);  // bi-2023
const Micros kOld = DateMicros(2023, 3, 6);  // bi-2022

class InitiativeDecideTest : public ::testing::Test {
 protected:
  InitiativeDecideTest() : world_(&registry_) { RegisterAll(registry_); }

  void Round(const std::string& id, Micros start, int64_t ceiling = 1'000'000) {
    ASSERT_TRUE(
        workflows::testing::OpenRound(world_, id, "feijenoord", ceiling, 1'000'000, start).ok());
  }
  Outcome Submit(const std::string& id, int64_t cents, Micros at, const std::string& round,
                 pb::Channel channel = pb::CHANNEL_DIGITAL) {
    pb::Submit s;
    s.set_district("feijenoord");
    s.set_round_id(round);
    s.set_title("Buurtfeest " + id);
    s.set_requested_cents(cents);
    s.set_channel(channel);
    s.mutable_applicant()->set_id("resident-" + id);
    s.mutable_applicant()->set_email(id + "@example.org");
    return Run(id, MakeActor("resident-" + id, "applicant"), at, s);
  }
  Outcome Run(const std::string& id, const Actor& actor, Micros at, const engine::Message& c) {
    return world_.Run(kWorkflow, id, actor, at, c);
  }
  Outcome Review(const std::string& id, Micros at) {
    return Run(id, Manager(), at, pb::StartReview());
  }
  Outcome Grant(const std::string& id, int64_t cents, Micros at, Actor who = Council()) {
    pb::Grant g;
    g.set_amount_cents(cents);
    g.set_reasons("fits the regulation");
    return Run(id, who, at, g);
  }
  static Actor Council() { return MakeActor("wr-feijenoord", "district-council"); }
  static Actor Manager() { return MakeActor("wm-feijenoord", "district-manager"); }
  const pb::InitiativeData& Data(const std::string& id) {
    return static_cast<const pb::InitiativeData&>(world_.Get(kWorkflow, id)->Data());
  }
  const rpb::RoundData& RoundData(const std::string& id) {
    return static_cast<const rpb::RoundData&>(world_.Get("subsidy-rounds", id)->Data());
  }

  engine::WorkflowRegistry registry_;
  workflows::testing::World world_;
};

TEST_F(InitiativeDecideTest, DigitalSubmissionIsAcknowledgedAndStartsTheDeadline) {
  Round("r", kNew - kWeek);
  ASSERT_TRUE(Submit("a", 100'000, kNew, "r").ok());
  ASSERT_EQ(world_.events().size(), 3u);
  EXPECT_EQ(world_.events()[1].payload->GetDescriptor()->name(), "ReceiptAcknowledged");
  EXPECT_EQ(world_.events()[2].payload->GetDescriptor()->name(), "ClaimLodged");  // on the round
  ASSERT_EQ(world_.timers().size(), 1u);
  EXPECT_EQ(world_.timers()[0].name, kDecisionDeadlineTimer);
  EXPECT_EQ(world_.timers()[0].due, kNew + 8 * kWeek);
  EXPECT_EQ(Data("a").submission_rule_version(), "bi-2023");
  EXPECT_TRUE(Data("a").receipt_acknowledged());

  ASSERT_TRUE(Submit("b", 100'000, kNew, "r", pb::CHANNEL_PAPER_OPZOOMER_MEE).ok());
  EXPECT_EQ(world_.events().size(), 2u);  // no acknowledgement for paper; the claim
  EXPECT_FALSE(Data("b").receipt_acknowledged());
}

TEST_F(InitiativeDecideTest, IntakeRules) {
  Round("r", kNew - kWeek);
  EXPECT_EQ(Submit("a", 100'000, DateMicros(2022, 2, 28), "r").rule(), "rules-in-force");
  EXPECT_EQ(Submit("a", 2'000'001, kNew, "r").rule(), "max-request");
  EXPECT_EQ(Submit("a", 100'000, kNew, "no-round").rule(), "round-open");
  EXPECT_EQ(Submit("a", 0, kNew, "r").kind(), Outcome::Kind::kInvalidArgument);
  EXPECT_EQ(Run("a", Council(), kNew, pb::StartReview()).kind(), Outcome::Kind::kNotFound);
}

TEST_F(InitiativeDecideTest, GrantGuardsMaximumAndCeilingAndReservesOnTheRound) {
  Round("r", kNew - kWeek, 1'500'000);
  ASSERT_TRUE(Submit("a", 1'200'000, kNew, "r").ok());
  ASSERT_TRUE(Review("a", kNew).ok());
  EXPECT_EQ(Grant("a", 1'200'000, kNew + kDay).rule(), "max-per-request");
  EXPECT_EQ(Grant("a", 1'300'000, kNew + kDay).rule(), "grant-exceeds-request");
  ASSERT_TRUE(Grant("a", 1'000'000, kNew + kDay).ok());
  EXPECT_EQ(world_.State(kWorkflow, "a"), state::kGranted);
  EXPECT_EQ(RoundData("r").reserved_cents(), 1'000'000);
  EXPECT_EQ(Data("a").decision().rule_version(), "bi-2023");

  ASSERT_TRUE(Submit("b", 600'000, kNew, "r").ok());
  ASSERT_TRUE(Review("b", kNew).ok());
  EXPECT_EQ(Grant("b", 500'001, kNew + kDay).rule(), "ceiling");
  EXPECT_EQ(RoundData("r").reserved_cents(), 1'000'000);  // a rejection changes nothing
  ASSERT_TRUE(Grant("b", 500'000, kNew + kDay).ok());     // exactly what is left
  EXPECT_EQ(RoundData("r").reserved_cents(), 1'500'000);
}

TEST_F(InitiativeDecideTest, RefusalNeedsReasonsAndTheRightDecider) {
  Round("r", kNew - kWeek);
  ASSERT_TRUE(Submit("a", 100'000, kNew, "r").ok());
  ASSERT_TRUE(Review("a", kNew).ok());
  pb::Refuse refuse;
  EXPECT_EQ(Run("a", Council(), kNew + kDay, refuse).rule(), "reasons-required");
  refuse.set_reasons("not an activity in the district");
  EXPECT_EQ(Run("a", MakeActor("college", "executive"), kNew + kDay, refuse).rule(), "decider");
  ASSERT_TRUE(Run("a", Council(), kNew + kDay, refuse).ok());
  EXPECT_EQ(world_.State(kWorkflow, "a"), state::kRefused);
  ASSERT_EQ(world_.timers().size(), 2u);
  EXPECT_EQ(world_.timers()[1].name, kObjectionTimer);
  EXPECT_EQ(world_.timers()[1].due, ObjectionWindowEnd(kNew + kDay));
}

TEST_F(InitiativeDecideTest, OldRulesPutLargeRequestsToTheVote) {
  Round("old", kOld - kWeek);
  const Actor college = MakeActor("college", "executive");
  ASSERT_TRUE(Submit("small", 100'000, kOld, "old").ok());
  EXPECT_EQ(world_.timers()[0].due, kOld + 4 * kWeek);  // small: within 4 weeks
  ASSERT_TRUE(Review("small", kOld).ok());
  EXPECT_EQ(Run("small", Manager(), kOld, pb::OpenVote()).rule(), "voting-round");
  EXPECT_EQ(Grant("small", 100'000, kOld + kDay).rule(), "decider");  // no council yet
  ASSERT_TRUE(Grant("small", 100'000, kOld + kDay, college).ok());
  EXPECT_EQ(Data("small").decision().rule_version(), "bi-2022");

  ASSERT_TRUE(Submit("large", 500'000, kOld, "old").ok());
  ASSERT_TRUE(Review("large", kOld).ok());
  EXPECT_EQ(Grant("large", 500'000, kOld + kDay, college).rule(), "voting-round");
  pb::OpenVote open;
  *open.mutable_closes_on() = ToTimestamp(kOld + 3 * kWeek);
  ASSERT_TRUE(Run("large", Manager(), kOld + kDay, open).ok());
  pb::CloseVote close;
  close.mutable_counts()->set_online_for(10);
  close.mutable_counts()->set_paper_against(11);
  EXPECT_EQ(Run("large", Manager(), kOld + 2 * kWeek, close).rule(), "vote-period");
  ASSERT_TRUE(Run("large", Manager(), kOld + 3 * kWeek, close).ok());
  EXPECT_EQ(Grant("large", 500'000, kOld + 3 * kWeek, college).rule(), "vote-outcome");
}

TEST_F(InitiativeDecideTest, CompletionPausesTheDecisionClock) {
  Round("r", kNew - kWeek);
  ASSERT_TRUE(Submit("a", 100'000, kNew, "r").ok());
  pb::RequestCompletion rc;
  rc.add_missing("budget");
  *rc.mutable_term_until() = ToTimestamp(kNew + 3 * kWeek);
  ASSERT_TRUE(Run("a", Manager(), kNew + kWeek, rc).ok());
  pb::CompleteRequest done;
  done.set_supplied("budget attached");
  ASSERT_TRUE(Run("a", MakeActor("resident-a", "applicant"), kNew + 3 * kWeek, done).ok());
  EXPECT_EQ(ToMicros(Data("a").decision_deadline()), kNew + 10 * kWeek);  // 8 + 2 paused
  EXPECT_EQ(world_.State(kWorkflow, "a"), state::kSubmitted);
}

TEST_F(InitiativeDecideTest, WhoDecidedUnderMandateMayNotDecideTheObjection) {
  Round("r", kNew - kWeek);
  ASSERT_TRUE(Submit("a", 100'000, kNew, "r").ok());
  ASSERT_TRUE(Review("a", kNew).ok());
  Actor mandated = Manager();
  mandated.set_mandate_ref("m-1");
  mandated.set_on_behalf_of("district-council:feijenoord");
  pb::Refuse refuse;
  refuse.set_reasons("outside the district");
  ASSERT_TRUE(Run("a", mandated, kNew + kDay, refuse).ok());
  pb::LodgeObjection lodge;
  lodge.set_objector("resident-a");
  lodge.set_grounds("it is in the district");
  ASSERT_TRUE(Run("a", MakeActor("resident-a", "applicant"), kNew + 2 * kWeek, lodge).ok());
  pb::DecideObjection d;
  d.set_outcome(pb::OBJECTION_OUTCOME_UPHELD);
  d.set_revised_kind(pb::DECISION_KIND_GRANT);
  d.set_revised_amount_cents(100'000);
  d.set_reasons("the address is in Feijenoord");
  Outcome o = Run("a", mandated, kNew + 4 * kWeek, d);
  EXPECT_EQ(o.kind(), Outcome::Kind::kForbidden);
  EXPECT_EQ(o.rule(), "objection-decider");
  ASSERT_TRUE(Run("a", Council(), kNew + 4 * kWeek, d).ok());
  EXPECT_EQ(world_.State(kWorkflow, "a"), state::kGranted);
  EXPECT_EQ(RoundData("r").reserved_cents(), 100'000);
}

TEST_F(InitiativeDecideTest, LowerSettlementNeedsAGroundAndReleasesTheDifference) {
  Round("r", kNew - kWeek);
  ASSERT_TRUE(Submit("a", 400'000, kNew, "r").ok());
  ASSERT_TRUE(Review("a", kNew).ok());
  ASSERT_TRUE(Grant("a", 400'000, kNew + kDay).ok());
  pb::Publish pub;
  pub.set_url("https://example.org/a");
  ASSERT_TRUE(Run("a", MakeActor("mr", "publisher"), kNew + kDay, pub).ok());
  pb::SubmitAccounts acc;
  acc.set_spent_cents(300'000);
  ASSERT_TRUE(Run("a", MakeActor("resident-a", "applicant"), kNew + 9 * kWeek, acc).ok());
  pb::Settle s;
  s.set_amount_cents(300'000);
  EXPECT_EQ(Run("a", Council(), kNew + 10 * kWeek, s).rule(), "settlement-reason");
  s.set_lowering_reason(pb::LOWERING_REASON_ACTIVITY_NOT_DONE);
  EXPECT_EQ(Run("a", Council(), kNew + 10 * kWeek, s).rule(), "reasons-required");
  s.set_reasons("the second evening was cancelled");
  s.set_amount_cents(400'001);
  EXPECT_EQ(Run("a", Council(), kNew + 10 * kWeek, s).rule(), "settlement-exceeds-grant");
  s.set_amount_cents(300'000);
  ASSERT_TRUE(Run("a", Council(), kNew + 10 * kWeek, s).ok());
  EXPECT_EQ(world_.State(kWorkflow, "a"), state::kSettled);
  EXPECT_EQ(RoundData("r").reserved_cents(), 300'000);
  EXPECT_EQ(RoundData("r").released_cents(), 100'000);
  EXPECT_EQ(RoundData("r").settled_cents(), 300'000);
}

}  // namespace
}  // namespace wijkflow::workflows::initiative
