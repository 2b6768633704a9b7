// The initiative under the rules in force since 2023-10-01, end to end.
#include "tests/scenario/initiative_fixture.h"

namespace wijkflow::scenario {
namespace {

TEST_F(InitiativeScenario, GrantedUnderMandateInTheCouncilsName) {
  Reviewed("ini-1", 200'000);
  CommandResult r = Grant("ini-1", 200'000, "wm-feijenoord", "district-manager");
  Ok(r);
  EXPECT_EQ(r.state, "granted");
  // The grant and the reservation are one append across both streams.
  ASSERT_EQ(r.receipt.streams_size(), 2);
  const EventEnvelope granted = History(kInitiatives, "ini-1").back();
  EXPECT_EQ(granted.event_type(), "wijkflow.initiative.Granted");
  EXPECT_EQ(granted.actor().mandate_ref(), "m-1");
  EXPECT_EQ(granted.actor().on_behalf_of(), "district-council:feijenoord");
  const ipb::InitiativeData& d = Initiative("ini-1");
  EXPECT_EQ(d.decision().rule_version(), "bi-2023");
  EXPECT_EQ(d.decision().mandate_ref(), "m-1");
  EXPECT_EQ(Round(kRound).reserved_cents(), 200'000);
  EXPECT_EQ(EventTypes(kRounds, kRound).back(), "BudgetReserved");
}

TEST_F(InitiativeScenario, DigitalAndEmailAreAcknowledgedPaperIsNot) {
  Ok(Submit("ini-d", kRound, 100'000, ipb::CHANNEL_DIGITAL));
  Ok(Submit("ini-e", kRound, 100'000, ipb::CHANNEL_EMAIL));
  Ok(Submit("ini-p", kRound, 100'000, ipb::CHANNEL_PAPER_DISTRICT_NETWORKER));
  const std::vector<std::string> acked = {"InitiativeSubmitted", "ReceiptAcknowledged"};
  EXPECT_EQ(EventTypes(kInitiatives, "ini-d"), acked);
  EXPECT_EQ(EventTypes(kInitiatives, "ini-e"), acked);
  EXPECT_EQ(EventTypes(kInitiatives, "ini-p"), std::vector<std::string>{"InitiativeSubmitted"});
  EXPECT_EQ(Initiative("ini-p").channel(), ipb::CHANNEL_PAPER_DISTRICT_NETWORKER);
}

TEST_F(InitiativeScenario, DistrictManagerNeedsAMandateCoveringTheRequest) {
  Reviewed("ini-1", 500'000);  // above the mandate's EUR 2,500
  ipb::Grant g;
  g.set_amount_cents(500'000);
  g.set_reasons("fits");
  ExpectRejected(Kind::kForbidden, "mandate-in-force", kInitiatives, "ini-1", g, "wm-feijenoord",
                 "district-manager");
  ExpectRejected(Kind::kForbidden, "mandate-in-force", kInitiatives, "ini-1", g, "wm-other",
                 "district-manager");
  Ok(Grant("ini-1", 500'000));  // the council itself
  EXPECT_EQ(History(kInitiatives, "ini-1").back().actor().role(), "district-council");
  EXPECT_TRUE(History(kInitiatives, "ini-1").back().actor().mandate_ref().empty());
}

TEST_F(InitiativeScenario, TheMandateMustBeInForceOnTheDecisionsDate) {
  mpb::RevokeMandate revoke;
  revoke.set_mandate_id("m-1");
  revoke.set_reason("the council decides itself from now on");
  Reviewed("ini-1", 100'000);
  AdvanceTo(t0_ + 2 * kWeek);
  Ok(Do(kMandates, kDistrict, revoke, "wr-feijenoord", "district-council"));
  ipb::Grant g;
  g.set_amount_cents(100'000);
  g.set_reasons("fits");
  ExpectRejected(Kind::kForbidden, "mandate-in-force", kInitiatives, "ini-1", g, "wm-feijenoord",
                 "district-manager");
  // Decided before the revocation (entered afterwards): the mandate held on that date.
  CommandResult r = Grant("ini-1", 100'000, "wm-feijenoord", "district-manager", t0_ + kWeek);
  Ok(r);
  EXPECT_EQ(ToMicros(History(kInitiatives, "ini-1").back().effective_date()), t0_ + kWeek);
}

TEST_F(InitiativeScenario, RefusalWithoutReasonsIsRejected) {
  Reviewed("ini-1", 100'000);
  ExpectRejected(Kind::kRuleViolated, "reasons-required", kInitiatives, "ini-1", ipb::Refuse(),
                 "wr-feijenoord", "district-council");
  ipb::Grant no_reasons;
  no_reasons.set_amount_cents(100'000);
  ExpectRejected(Kind::kRuleViolated, "reasons-required", kInitiatives, "ini-1", no_reasons,
                 "wr-feijenoord", "district-council");
  ExpectRejected(Kind::kRuleViolated, "decider", kInitiatives, "ini-1", no_reasons, "college",
                 "executive");
  Ok(Refuse("ini-1", "the activity is commercial"));
  EXPECT_EQ(Initiative("ini-1").decision().reasons(), "the activity is commercial");
}

TEST_F(InitiativeScenario, GrantGuardsTheRoundMaximumAndTheCeiling) {
  Reviewed("ini-big", 1'500'000);
  ipb::Grant g;
  g.set_amount_cents(1'500'000);
  g.set_reasons("fits");
  ExpectRejected(Kind::kRuleViolated, "max-per-request", kInitiatives, "ini-big", g,
                 "wr-feijenoord", "district-council");
  // Waiting, it holds its place and EUR 10,000 (the round's maximum) of the ceiling, until
  // refused.
  Ok(Refuse("ini-big", "above the round's maximum of EUR 10,000 per request"));
  // Fill the ceiling (EUR 50,000) to EUR 45,000.
  for (int i = 0; i < 5; ++i) {
    const std::string id = "ini-" + std::to_string(i);
    Reviewed(id, 900'000);
    Ok(Grant(id, 900'000));
  }
  Reviewed("ini-last", 600'000);
  g.set_amount_cents(500'001);
  ExpectRejected(Kind::kRuleViolated, "ceiling", kInitiatives, "ini-last", g, "wr-feijenoord",
                 "district-council");
  Ok(Grant("ini-last", 500'000));  // what is left
  EXPECT_EQ(Round(kRound).reserved_cents(), 5'000'000);
  g.set_amount_cents(1);
  Reviewed("ini-late", 100'000);
  ExpectRejected(Kind::kRuleViolated, "ceiling", kInitiatives, "ini-late", g, "wr-feijenoord",
                 "district-council");
}

TEST_F(InitiativeScenario, IllegalStepsAreInvalidTransitionsAndWriteNothing) {
  Ok(Submit("ini-1", kRound, 100'000));
  ipb::Grant g;  // not under review yet
  g.set_amount_cents(100'000);
  g.set_reasons("fits");
  ExpectRejected(Kind::kInvalidTransition, "", kInitiatives, "ini-1", g, "wr-feijenoord",
                 "district-council");
  ipb::Publish p;
  p.set_url("https://example.org");
  ExpectRejected(Kind::kInvalidTransition, "", kInitiatives, "ini-1", p, "mijn-rotterdam",
                 "publisher");
  ExpectRejected(Kind::kNotFound, "", kInitiatives, "ini-unknown", ipb::StartReview(),
                 "wm-feijenoord", "district-manager");
  ExpectRejected(Kind::kForbidden, "", kInitiatives, "ini-1", ipb::StartReview(),
                 Applicant("ini-1"), "applicant");
}

TEST_F(InitiativeScenario, IncompleteRequestIsSetAsideAfterTheTerm) {
  Ok(Submit("ini-1", kRound, 100'000));
  ipb::RequestCompletion rc;
  rc.add_missing("a budget");
  *rc.mutable_term_until() = ToTimestamp(t0_ + 2 * kWeek);
  ExpectRejected(
      Kind::kRuleViolated, "completion-term", kInitiatives, "ini-1",
      [&] {
        ipb::RequestCompletion past = rc;
        *past.mutable_term_until() = ToTimestamp(t0_ - 1);
        return past;
      }(),
      "wm-feijenoord", "district-manager");
  Ok(Do(kInitiatives, "ini-1", rc, "wm-feijenoord", "district-manager"));
  EXPECT_EQ(AdvanceTo(t0_ + 2 * kWeek - 1), 0u);
  EXPECT_EQ(State(kInitiatives, "ini-1"), "completion-requested");
  EXPECT_EQ(AdvanceTo(t0_ + 2 * kWeek), 1u);
  EXPECT_EQ(State(kInitiatives, "ini-1"), "set-aside");
  const EventEnvelope set_aside = History(kInitiatives, "ini-1").back();
  EXPECT_EQ(set_aside.actor().role(), "system");
  EXPECT_EQ(ToMicros(set_aside.effective_date()), t0_ + 2 * kWeek);
  // The decision clock was paused: its deadline never fires.
  AdvanceTo(t0_ + 12 * kWeek);
  EXPECT_EQ(EventTypes(kInitiatives, "ini-1").back(), "SetAside");
}

TEST_F(InitiativeScenario, CompletionPausesTheEightWeekDeadline) {
  Ok(Submit("ini-1", kRound, 100'000));
  EXPECT_EQ(ToMicros(Initiative("ini-1").decision_deadline()), t0_ + 8 * kWeek);
  AdvanceTo(t0_ + kWeek);
  ipb::RequestCompletion rc;
  rc.add_missing("a budget");
  *rc.mutable_term_until() = ToTimestamp(t0_ + 4 * kWeek);
  Ok(Do(kInitiatives, "ini-1", rc, "wm-feijenoord", "district-manager"));
  AdvanceTo(t0_ + 3 * kWeek);  // paused for two weeks
  ipb::CompleteRequest done;
  done.set_supplied("budget attached");
  Ok(Do(kInitiatives, "ini-1", done, Applicant("ini-1"), "applicant"));
  EXPECT_EQ(ToMicros(Initiative("ini-1").decision_deadline()), t0_ + 10 * kWeek);
  EXPECT_EQ(AdvanceTo(t0_ + 10 * kWeek - 1), 0u);  // the completion term timer is gone too
  EXPECT_FALSE(Initiative("ini-1").deadline_passed());
  EXPECT_EQ(AdvanceTo(t0_ + 10 * kWeek), 1u);
  EXPECT_TRUE(Initiative("ini-1").deadline_passed());
  EXPECT_EQ(EventTypes(kInitiatives, "ini-1").back(), "DecisionDeadlinePassed");
}

TEST_F(InitiativeScenario, TheDeadlineIsExtendedOnceBeforeItPasses) {
  Reviewed("ini-1", 100'000);
  ipb::ExtendDecisionDeadline ext;
  *ext.mutable_new_deadline() = ToTimestamp(t0_ + 12 * kWeek);
  ExpectRejected(Kind::kRuleViolated, "extension-notice", kInitiatives, "ini-1", ext,
                 "wm-feijenoord", "district-manager");
  ext.set_notice("the council meets after the summer");
  AdvanceTo(t0_ + 7 * kWeek);
  Ok(Do(kInitiatives, "ini-1", ext, "wm-feijenoord", "district-manager"));
  *ext.mutable_new_deadline() = ToTimestamp(t0_ + 16 * kWeek);
  ExpectRejected(Kind::kRuleViolated, "deadline-extended-once", kInitiatives, "ini-1", ext,
                 "wm-feijenoord", "district-manager");
  EXPECT_EQ(AdvanceTo(t0_ + 8 * kWeek), 0u);  // the original deadline was replaced
  EXPECT_EQ(AdvanceTo(t0_ + 12 * kWeek), 1u);
  EXPECT_TRUE(Initiative("ini-1").deadline_passed());
}

TEST_F(InitiativeScenario, NoExtensionAfterTheDeadlinePassed) {
  Reviewed("ini-1", 100'000);
  EXPECT_EQ(AdvanceTo(t0_ + 8 * kWeek), 1u);
  ipb::ExtendDecisionDeadline ext;
  *ext.mutable_new_deadline() = ToTimestamp(t0_ + 12 * kWeek);
  ext.set_notice("late");
  ExpectRejected(Kind::kRuleViolated, "extension-before-deadline", kInitiatives, "ini-1", ext,
                 "wm-feijenoord", "district-manager");
  Ok(Grant("ini-1", 100'000));  // a late decision is still a decision
}

TEST_F(InitiativeScenario, PublishedCarriedOutAndSettled) {
  Reviewed("ini-1", 400'000);
  Ok(Grant("ini-1", 400'000));
  ipb::Publish p;
  p.set_url("https://mijn.rotterdam.nl/initiatieven/ini-1");
  p.set_summary("A street party");
  Ok(Do(kInitiatives, "ini-1", p, "mijn-rotterdam", "publisher"));
  Ok(Do(kInitiatives, "ini-1", ipb::StartActivity(), Applicant("ini-1"), "applicant"));
  AdvanceTo(t0_ + 10 * kWeek);
  ipb::SubmitAccounts acc;
  acc.set_spent_cents(400'000);
  Ok(Do(kInitiatives, "ini-1", acc, Applicant("ini-1"), "applicant"));
  ipb::Settle s;
  s.set_amount_cents(400'000);
  CommandResult r = Do(kInitiatives, "ini-1", s, "wr-feijenoord", "district-council");
  Ok(r);
  EXPECT_EQ(r.state, "settled");
  const rpb::RoundData& round = Round(kRound);
  EXPECT_EQ(round.settled_cents(), 400'000);
  EXPECT_EQ(round.reserved_cents(), 400'000);
  EXPECT_EQ(round.released_cents(), 0);
}

TEST_F(InitiativeScenario, LowerSettlementOnlyWithAGroundOfAwb446) {
  Reviewed("ini-1", 400'000);
  Ok(Grant("ini-1", 400'000));
  ipb::Publish p;
  p.set_url("https://mijn.rotterdam.nl/initiatieven/ini-1");
  Ok(Do(kInitiatives, "ini-1", p, "mijn-rotterdam", "publisher"));
  ipb::SubmitAccounts acc;
  acc.set_spent_cents(250'000);
  Ok(Do(kInitiatives, "ini-1", acc, Applicant("ini-1"), "applicant"));
  ipb::Settle s;
  s.set_amount_cents(250'000);
  s.set_reasons("only one of the two days took place");
  ExpectRejected(Kind::kRuleViolated, "settlement-reason", kInitiatives, "ini-1", s,
                 "wr-feijenoord", "district-council");
  s.set_lowering_reason(ipb::LOWERING_REASON_ACTIVITY_NOT_DONE);
  Ok(Do(kInitiatives, "ini-1", s, "wr-feijenoord", "district-council"));
  const rpb::RoundData& round = Round(kRound);
  EXPECT_EQ(round.reserved_cents(), 250'000);
  EXPECT_EQ(round.released_cents(), 150'000);
  EXPECT_EQ(round.settled_cents(), 250'000);
  const std::vector<std::string> types = EventTypes(kRounds, kRound);
  const std::vector<std::string> tail(types.end() - 2, types.end());
  EXPECT_EQ(tail, (std::vector<std::string>{"BudgetReleased", "BudgetSettled"}));
}

TEST_F(InitiativeScenario, WithdrawalBeforeADecisionAndOfAGrant) {
  Reviewed("ini-1", 100'000);
  ipb::Withdraw w;
  w.set_reason("we found a sponsor");
  ExpectRejected(Kind::kForbidden, "withdraw-by-applicant", kInitiatives, "ini-1", w,
                 "resident-someone-else", "applicant");
  Ok(Do(kInitiatives, "ini-1", w, Applicant("ini-1"), "applicant"));
  EXPECT_EQ(State(kInitiatives, "ini-1"), "withdrawn");
  EXPECT_EQ(AdvanceTo(t0_ + 9 * kWeek), 0u);  // its deadline went with it

  Reviewed("ini-2", 300'000);
  Ok(Grant("ini-2", 300'000));
  EXPECT_EQ(Round(kRound).reserved_cents(), 300'000);
  Ok(Do(kInitiatives, "ini-2", w, Applicant("ini-2"), "applicant"));
  EXPECT_EQ(Round(kRound).reserved_cents(), 0);
  EXPECT_EQ(Round(kRound).released_cents(), 300'000);
  EXPECT_EQ(Initiative("ini-2").granted_cents(), 0);

  Reviewed("ini-3", 100'000);
  Ok(Refuse("ini-3", "not in the district"));
  ExpectRejected(Kind::kInvalidTransition, "", kInitiatives, "ini-3", w, Applicant("ini-3"),
                 "applicant");
}

TEST_F(InitiativeScenario, SubmissionOnlyIntoAnOpenRoundOfTheDistrict) {
  EXPECT_EQ(AdvanceTo(kRoundEnd), 1u);  // the closing timer
  EXPECT_EQ(State(kRounds, kRound), "closed");
  ipb::Submit s;
  s.set_district(kDistrict);
  s.set_round_id(kRound);
  s.set_title("Too late");
  s.set_requested_cents(100'000);
  s.set_channel(ipb::CHANNEL_PAPER_OPZOOMER_MEE);
  ExpectRejected(Kind::kRuleViolated, "round-open", kInitiatives, "ini-late", s,
                 "desk-opzoomer-mee", "intake");
  s.set_requested_cents(2'000'001);
  ExpectRejected(Kind::kRuleViolated, "max-request", kInitiatives, "ini-late", s,
                 "desk-opzoomer-mee", "intake");
}

}  // namespace
}  // namespace wijkflow::scenario

namespace wijkflow::scenario {

// Granted gained a field at schema version 2; grants recorded at version 1 (the golden history
// holds some) keep replaying with their own applier.
TEST_F(InitiativeScenario, GrantRecordsItsObligationsAtSchemaVersion2) {
  Reviewed("ini-1", 200'000);
  ipb::Grant grant;
  grant.set_amount_cents(200'000);
  grant.set_reasons("Past binnen de regeling");
  grant.add_obligations("Vermeld de gemeente op de uitnodiging");
  grant.add_obligations("Lever na afloop foto's aan");
  Ok(Do(kInitiatives, "ini-1", grant, "wm-feijenoord", "district-manager"));
  const EventEnvelope granted = History(kInitiatives, "ini-1").back();
  EXPECT_EQ(granted.event_type(), "wijkflow.initiative.Granted");
  EXPECT_EQ(granted.schema_version(), 2u);
  ASSERT_EQ(Initiative("ini-1").decision().obligations_size(), 2);
  EXPECT_EQ(Initiative("ini-1").decision().obligations(1), "Lever na afloop foto's aan");
}

}  // namespace wijkflow::scenario
