// Objection (bezwaar) against a decision: the six-week window (Awb 6:7, 6:8), the decision on
// objection (7:11) and who may take it (10:3).
#include "tests/scenario/initiative_fixture.h"
#include "workflows/initiative/rules.h"

namespace wijkflow::scenario {
namespace {

class ObjectionScenario : public InitiativeScenario {
 protected:
  static ipb::LodgeObjection Objection(const std::string& grounds = "the reasons are wrong") {
    ipb::LodgeObjection o;
    o.set_objector("resident-neighbour");
    o.set_grounds(grounds);
    return o;
  }
  static ipb::DecideObjection Upheld(ipb::DecisionKind kind, int64_t cents) {
    ipb::DecideObjection d;
    d.set_outcome(ipb::OBJECTION_OUTCOME_UPHELD);
    d.set_revised_kind(kind);
    d.set_revised_amount_cents(cents);
    d.set_reasons("on reconsideration");
    return d;
  }
  void Publish(const std::string& id) {
    ipb::Publish p;
    p.set_url("https://mijn.rotterdam.nl/initiatieven/" + id);
    Ok(Do(kInitiatives, id, p, "mijn-rotterdam", "publisher"));
  }
};

TEST_F(ObjectionScenario, TheWindowClosesSixWeeksAfterTheDayOfTheDecision) {
  Reviewed("ini-a", 100'000);
  Reviewed("ini-b", 100'000);
  Ok(Refuse("ini-a", "not in the district"));
  Ok(Refuse("ini-b", "not in the district"));
  // Decided on Monday 8 January: the window runs from the 9th to the end of Monday 19 February.
  const Micros end = workflows::initiative::ObjectionWindowEnd(t0_);
  EXPECT_EQ(end, DateMicros(2024, 2, 20));
  EXPECT_EQ(ToMicros(Initiative("ini-a").objection_until()), end);
  EXPECT_EQ(AdvanceTo(end - 1), 0u);
  ExpectRejected(Kind::kRuleViolated, "objection-grounds", kInitiatives, "ini-a", Objection(""),
                 "desk-opzoomer-mee", "intake");
  Ok(Do(kInitiatives, "ini-a", Objection(), Applicant("ini-a"), "applicant"));
  EXPECT_EQ(AdvanceTo(end), 1u);  // ini-a's window timer went when its objection came in
  EXPECT_EQ(EventTypes(kInitiatives, "ini-b").back(), "ObjectionWindowClosed");
  EXPECT_TRUE(Initiative("ini-b").objection_window_closed());
  ExpectRejected(Kind::kRuleViolated, "objection-term", kInitiatives, "ini-b", Objection(),
                 Applicant("ini-b"), "applicant");
  EXPECT_EQ(State(kInitiatives, "ini-a"), "objection-lodged");
}

TEST_F(ObjectionScenario, WhoDecidedUnderMandateMayNotDecideTheObjection) {
  GrantMandate("wm-deputy", 0, DateMicros(2024, 1, 1));
  Reviewed("ini-1", 200'000);
  Ok(Refuse("ini-1", "the budget is unclear", "wm-feijenoord", "district-manager"));
  EXPECT_EQ(Initiative("ini-1").decision().mandate_ref(), "m-1");
  AdvanceTo(t0_ + 2 * kWeek);
  Ok(Do(kInitiatives, "ini-1", Objection("the budget was attached"), Applicant("ini-1"),
        "applicant"));
  const ipb::DecideObjection upheld = Upheld(ipb::DECISION_KIND_GRANT, 200'000);
  ExpectRejected(Kind::kForbidden, "objection-decider", kInitiatives, "ini-1", upheld,
                 "wm-feijenoord", "district-manager");
  CommandResult r = Do(kInitiatives, "ini-1", upheld, "wm-deputy", "district-manager");
  Ok(r);
  EXPECT_EQ(r.state, "granted");
  const ipb::InitiativeData& d = Initiative("ini-1");
  EXPECT_EQ(d.decision().kind(), ipb::DECISION_KIND_GRANT);
  EXPECT_EQ(d.decision().decided_by(), "wm-deputy");
  EXPECT_EQ(d.decision().mandate_ref(), "m-2");
  EXPECT_EQ(d.objection().outcome(), ipb::OBJECTION_OUTCOME_UPHELD);
  EXPECT_EQ(d.granted_cents(), 200'000);
  EXPECT_EQ(Round(kRound).reserved_cents(), 200'000);  // reserved with the revision
}

TEST_F(ObjectionScenario, AGrantRevokedOnObjectionReleasesTheBudget) {
  Reviewed("ini-1", 300'000);
  Ok(Grant("ini-1", 300'000));
  Publish("ini-1");
  Ok(Do(kInitiatives, "ini-1", Objection("it blocks the street for a week"), "desk-opzoomer-mee",
        "intake"));
  EXPECT_EQ(State(kInitiatives, "ini-1"), "objection-lodged");
  CommandResult r = Do(kInitiatives, "ini-1", Upheld(ipb::DECISION_KIND_REFUSAL, 0),
                       "wr-feijenoord", "district-council");
  Ok(r);
  EXPECT_EQ(r.state, "refused");
  const rpb::RoundData& round = Round(kRound);
  EXPECT_EQ(round.reserved_cents(), 0);
  EXPECT_EQ(round.released_cents(), 300'000);
  const std::vector<EventEnvelope> h = History(kRounds, kRound);
  rpb::BudgetReleased released;
  ASSERT_TRUE(released.ParseFromString(h.back().payload()));
  EXPECT_EQ(released.reason(), rpb::RELEASE_REASON_REFUSED_AFTER_OBJECTION);
  // One objection: what remains is appeal to court.
  ExpectRejected(Kind::kRuleViolated, "objection-decided", kInitiatives, "ini-1", Objection(),
                 Applicant("ini-1"), "applicant");
}

TEST_F(ObjectionScenario, ARejectedObjectionLeavesThePublishedGrantStanding) {
  Reviewed("ini-1", 300'000);
  Ok(Grant("ini-1", 300'000));
  Publish("ini-1");
  Ok(Do(kInitiatives, "ini-1", Objection(), "desk-opzoomer-mee", "intake"));
  ipb::DecideObjection rejected;
  rejected.set_outcome(ipb::OBJECTION_OUTCOME_REJECTED);
  ExpectRejected(Kind::kRuleViolated, "reasons-required", kInitiatives, "ini-1", rejected,
                 "wr-feijenoord", "district-council");
  rejected.set_reasons("the street stays open for pedestrians");
  CommandResult r = Do(kInitiatives, "ini-1", rejected, "wr-feijenoord", "district-council");
  Ok(r);
  EXPECT_EQ(r.state, "published");
  EXPECT_EQ(Initiative("ini-1").decision().decided_by(), "wr-feijenoord");
  EXPECT_EQ(Initiative("ini-1").granted_cents(), 300'000);
  EXPECT_EQ(Round(kRound).reserved_cents(), 300'000);
}

TEST_F(ObjectionScenario, ARaiseOnObjectionMustFitTheCeiling) {
  Reviewed("ini-1", 1'000'000);
  Ok(Grant("ini-1", 600'000));
  for (int i = 0; i < 4; ++i) {
    const std::string id = "ini-f" + std::to_string(i);
    Reviewed(id, 1'000'000);
    Ok(Grant(id, 1'000'000));
  }
  Reviewed("ini-g", 100'000);
  Ok(Grant("ini-g", 100'000));  // EUR 47,000 of 50,000 reserved
  Ok(Do(kInitiatives, "ini-1", Objection("we asked for 10,000"), Applicant("ini-1"), "applicant"));
  ExpectRejected(Kind::kRuleViolated, "ceiling", kInitiatives, "ini-1",
                 Upheld(ipb::DECISION_KIND_GRANT, 1'000'000), "wr-feijenoord", "district-council");
  Ok(Do(kInitiatives, "ini-1", Upheld(ipb::DECISION_KIND_GRANT, 900'000), "wr-feijenoord",
        "district-council"));
  EXPECT_EQ(Round(kRound).reserved_cents(), 5'000'000);
  EXPECT_EQ(Initiative("ini-1").granted_cents(), 900'000);
}

}  // namespace
}  // namespace wijkflow::scenario
