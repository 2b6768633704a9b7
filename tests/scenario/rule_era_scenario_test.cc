// The rule change of 2023-10-01: before it, large requests went to the residents' vote and the
// executive decided; from it, the district council decides every request. A history recorded
// under the old rules replays and reads as it was decided then.
#include "tests/scenario/scenario.h"
#include "workflows/common/time.h"

namespace wijkflow::scenario {
namespace {

using workflows::DateMicros;
using workflows::kDay;
using workflows::kWeek;
using workflows::ToMicros;
using workflows::ToTimestamp;
using Kind = Outcome::Kind;

constexpr const char* kRound = "feijenoord-2023";

class RuleEraScenario : public Scenario {
 protected:
  RuleEraScenario() : Scenario(DateMicros(2023, 2, 27) + 9 * kHour) {}

  void SetUp() override {
    SetAndPublishRound(kRound, 10'000'000, 2'000'000, DateMicros(2023, 3, 1),
                       DateMicros(2024, 1, 1));
    AdvanceTo(DateMicros(2023, 3, 6) + 9 * kHour);
    ASSERT_EQ(State(kRounds, kRound), "open");
  }
  void Ok(const CommandResult& r) { ASSERT_TRUE(r.outcome.ok()) << r.outcome.ToString(); }
  void Reviewed(const std::string& id, int64_t cents) {
    Ok(Submit(id, kRound, cents));
    Ok(Review(id));
  }
  void Vote(const std::string& id, uint32_t for_online, uint32_t against_online, uint32_t for_paper,
            uint32_t against_paper) {
    ipb::OpenVote open;
    *open.mutable_closes_on() = ToTimestamp(Now() + 3 * kWeek);
    Ok(Do(kInitiatives, id, open, "wm-feijenoord", "district-manager"));
    ipb::CloseVote close;
    close.mutable_counts()->set_online_for(for_online);
    close.mutable_counts()->set_online_against(against_online);
    close.mutable_counts()->set_paper_for(for_paper);
    close.mutable_counts()->set_paper_against(against_paper);
    ExpectRejected(Kind::kRuleViolated, "vote-period", kInitiatives, id, close, "wm-feijenoord",
                   "district-manager");
    AdvanceTo(Now() + 3 * kWeek);
    Ok(Do(kInitiatives, id, close, "wm-feijenoord", "district-manager"));
  }
  ipb::Grant GrantOf(int64_t cents) {
    ipb::Grant g;
    g.set_amount_cents(cents);
    g.set_reasons("voted for; fits the regulation");
    return g;
  }
};

TEST_F(RuleEraScenario, LargeRequestsGoThroughTheVotingRound) {
  Reviewed("ini-1", 750'000);
  ExpectRejected(Kind::kRuleViolated, "voting-round", kInitiatives, "ini-1", GrantOf(750'000),
                 "college", "executive");
  Vote("ini-1", 312, 40, 57, 9);
  EXPECT_EQ(State(kInitiatives, "ini-1"), "vote-closed");
  ExpectRejected(Kind::kRuleViolated, "decider", kInitiatives, "ini-1", GrantOf(750'000),
                 "wr-feijenoord", "district-council");  // no council decisions yet
  Ok(Do(kInitiatives, "ini-1", GrantOf(750'000), "college", "executive"));
  const ipb::InitiativeData& d = Initiative("ini-1");
  EXPECT_EQ(d.decision().rule_version(), "bi-2022");
  EXPECT_EQ(d.votes().online_for() + d.votes().paper_for(), 369u);
}

TEST_F(RuleEraScenario, ALostVoteCannotBeGranted) {
  Reviewed("ini-1", 500'000);
  Vote("ini-1", 10, 30, 5, 1);
  ExpectRejected(Kind::kRuleViolated, "vote-outcome", kInitiatives, "ini-1", GrantOf(500'000),
                 "college", "executive");
  Ok(Refuse("ini-1", "the residents voted against it", "college", "executive"));
}

TEST_F(RuleEraScenario, SmallRequestsAreAnsweredDirectlyWithinFourWeeks) {
  const Micros submitted = Now();
  Reviewed("ini-1", 100'000);
  EXPECT_EQ(ToMicros(Initiative("ini-1").decision_deadline()), submitted + 4 * kWeek);
  ipb::OpenVote open;
  *open.mutable_closes_on() = ToTimestamp(Now() + kWeek);
  ExpectRejected(Kind::kRuleViolated, "voting-round", kInitiatives, "ini-1", open, "wm-feijenoord",
                 "district-manager");
  EXPECT_EQ(AdvanceTo(submitted + 4 * kWeek), 1u);
  EXPECT_TRUE(Initiative("ini-1").deadline_passed());
  Ok(Do(kInitiatives, "ini-1", GrantOf(100'000), "college", "executive"));
}

TEST_F(RuleEraScenario, FromTheFirstOfOctoberTheCouncilDecidesEveryRequest) {
  AdvanceTo(DateMicros(2023, 9, 25) + 9 * kHour);
  Reviewed("ini-1", 500'000);
  EXPECT_EQ(Initiative("ini-1").submission_rule_version(), "bi-2022");
  AdvanceTo(DateMicros(2023, 9, 29) + 9 * kHour);
  ExpectRejected(Kind::kRuleViolated, "voting-round", kInitiatives, "ini-1", GrantOf(500'000),
                 "college", "executive");
  ExpectRejected(Kind::kRuleViolated, "decider", kInitiatives, "ini-1", GrantOf(500'000),
                 "wr-feijenoord", "district-council");
  AdvanceTo(DateMicros(2023, 10, 2) + 19 * kHour);  // the council's first meeting
  ExpectRejected(Kind::kRuleViolated, "decider", kInitiatives, "ini-1", GrantOf(500'000), "college",
                 "executive");
  ipb::OpenVote open;
  *open.mutable_closes_on() = ToTimestamp(Now() + kWeek);
  ExpectRejected(Kind::kRuleViolated, "voting-round", kInitiatives, "ini-1", open, "wm-feijenoord",
                 "district-manager");
  Ok(Do(kInitiatives, "ini-1", GrantOf(500'000), "wr-feijenoord", "district-council"));
  EXPECT_EQ(Initiative("ini-1").decision().rule_version(), "bi-2023");
}

TEST_F(RuleEraScenario, AnOldHistoryReplaysAndReadsAsItWasDecided) {
  Reviewed("ini-1", 750'000);
  Vote("ini-1", 312, 40, 57, 9);
  Ok(Do(kInitiatives, "ini-1", GrantOf(750'000), "college", "executive"));
  const Micros granted_at = Now();
  AdvanceTo(Now() + kDay);
  ipb::Publish p;
  p.set_url("https://mijn.rotterdam.nl/initiatieven/ini-1");
  Ok(Do(kInitiatives, "ini-1", p, "mijn-rotterdam", "publisher"));
  // Settled under the new rules, by the council.
  AdvanceTo(DateMicros(2023, 11, 6) + 9 * kHour);
  ipb::SubmitAccounts acc;
  acc.set_spent_cents(750'000);
  Ok(Do(kInitiatives, "ini-1", acc, Applicant("ini-1"), "applicant"));
  ipb::Settle s;
  s.set_amount_cents(750'000);
  Ok(Do(kInitiatives, "ini-1", s, "wr-feijenoord", "district-council"));
  const std::string live = Initiative("ini-1").SerializeAsString();
  EXPECT_EQ(Initiative("ini-1").decision().rule_version(), "bi-2022");

  // A fresh engine replays the history from the store: the same state, the same data.
  engine_ = std::make_unique<engine::Engine>(store_.get(), &registry_, &clock_);
  EXPECT_EQ(State(kInitiatives, "ini-1"), "settled");
  EXPECT_EQ(Initiative("ini-1").SerializeAsString(), live);
  // And as it stood right after the grant.
  engine::InstanceView then;
  ASSERT_TRUE(engine_->Get(kInitiatives, "ini-1", granted_at, &then).ok());
  EXPECT_EQ(then.instance->StateName(), "granted");
  const auto& d = static_cast<const ipb::InitiativeData&>(then.instance->Data());
  EXPECT_EQ(d.decision().rule_version(), "bi-2022");
  EXPECT_EQ(d.decision().role(), "executive");
}

}  // namespace
}  // namespace wijkflow::scenario
