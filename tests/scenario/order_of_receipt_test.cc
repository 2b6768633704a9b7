// Allocation in the order of receipt (Awb 4:25, 4:26; docs/legal.md): a complete request's claim
// on the round is fixed when it is received (or completed), and an earlier request keeps its
// money while it waits for its decision, whoever is decided first. Through the engine, on a real
// store; every rejection writes nothing.
#include "tests/scenario/initiative_fixture.h"

namespace wijkflow::scenario {
namespace {

class OrderOfReceipt : public InitiativeScenario {
 protected:
  static constexpr const char* kSmall = "feijenoord-2024-small";  // EUR 10,000, max EUR 10,000

  void SetUp() override {
    InitiativeScenario::SetUp();
    SetAndPublishRound(kSmall, 1'000'000, 1'000'000, Now() + kDay, kRoundEnd);
    EXPECT_EQ(AdvanceTo(Now() + kDay + kHour), 1u);  // its opening timer
  }
  // Submitted to the small round `at`, and under review.
  void Received(const std::string& id, int64_t cents, Micros at) {
    AdvanceTo(at);
    Ok(Submit(id, kSmall, cents));
    Ok(Review(id));
  }
  ipb::Grant GrantOf(int64_t cents) {
    ipb::Grant g;
    g.set_amount_cents(cents);
    g.set_reasons("fits the regulation");
    return g;
  }
};

// An earlier complete request keeps its claim: a later one granted first gets only what the
// earlier one leaves, and is refused on the ceiling for more.
TEST_F(OrderOfReceipt, AnEarlierRequestKeepsItsMoneyWhileItWaits) {
  Received("ini-first", 600'000, Now() + kHour);
  Received("ini-second", 600'000, Now() + kHour);
  ExpectRejected(Kind::kRuleViolated, "ceiling", kInitiatives, "ini-second", GrantOf(600'000),
                 "wr-feijenoord", "district-council");
  Ok(Grant("ini-second", 400'000));  // what ini-first leaves
  Ok(Grant("ini-first", 600'000));
  EXPECT_EQ(Round(kSmall).reserved_cents(), 1'000'000);
  EXPECT_EQ(Initiative("ini-first").decision().kind(), ipb::DECISION_KIND_GRANT);
}

// A refusal ends the claim: the money goes to the next request in the order.
TEST_F(OrderOfReceipt, ARefusalPassesTheMoneyOn) {
  Received("ini-first", 800'000, Now() + kHour);
  Received("ini-second", 800'000, Now() + kHour);
  ExpectRejected(Kind::kRuleViolated, "ceiling", kInitiatives, "ini-second", GrantOf(800'000),
                 "wr-feijenoord", "district-council");
  Ok(Refuse("ini-first", "the activity is not in the district"));
  EXPECT_EQ(Round(kSmall).claims().count("ini-first"), 0u);
  Ok(Grant("ini-second", 800'000));
}

// The request asked to complete loses its place, and gets a new one at completion: after a
// request received meanwhile.
TEST_F(OrderOfReceipt, ARequestCompletedLaterTakesItsPlaceAtCompletion) {
  Received("ini-incomplete", 700'000, Now() + kHour);
  ipb::RequestCompletion rc;
  rc.add_missing("budget");
  *rc.mutable_term_until() = ToTimestamp(Now() + 2 * kWeek);
  Ok(Do(kInitiatives, "ini-incomplete", rc, "wm-feijenoord", "district-manager"));
  EXPECT_EQ(Round(kSmall).claims().count("ini-incomplete"), 0u);
  Received("ini-complete", 700'000, Now() + kDay);
  AdvanceTo(Now() + kDay);
  ipb::CompleteRequest done;
  done.set_supplied("the budget");
  Ok(Do(kInitiatives, "ini-incomplete", done, Applicant("ini-incomplete"), "applicant"));
  Ok(Review("ini-incomplete"));
  // ini-complete was received complete first: it fits, ini-incomplete gets the rest.
  ExpectRejected(Kind::kRuleViolated, "ceiling", kInitiatives, "ini-incomplete", GrantOf(700'000),
                 "wr-feijenoord", "district-council");
  Ok(Grant("ini-incomplete", 300'000));
  Ok(Grant("ini-complete", 700'000));
}

// A raised ceiling goes to the waiting claims in their order; a lowered one does not affect
// requests received before it (Awb 4:27(2)), only those received after.
TEST_F(OrderOfReceipt, CeilingChangesReachWaitingClaimsInOrder) {
  Received("ini-a", 1'000'000, Now() + kHour);
  Received("ini-b", 500'000, Now() + kHour);
  ExpectRejected(Kind::kRuleViolated, "ceiling", kInitiatives, "ini-b", GrantOf(1), "wr-feijenoord",
                 "district-council");
  rpb::ChangeCeiling raise;
  raise.set_ceiling_cents(1'500'000);
  raise.set_reason("spring budget memorandum");
  raise.set_publication_ref("Gemeenteblad 2024, 200");
  Ok(Do(kRounds, kSmall, raise, "college", "executive"));
  Ok(Grant("ini-b", 500'000));
  rpb::ChangeCeiling lower;
  lower.set_ceiling_cents(1'000'000);
  lower.set_reason("budget cut");
  lower.set_publication_ref("Gemeenteblad 2024, 300");
  Ok(Do(kRounds, kSmall, lower, "college", "executive"));
  Ok(Grant("ini-a", 1'000'000));  // received before the lowering: the EUR 15,000 still holds
  Received("ini-c", 100'000, Now() + kHour);
  ExpectRejected(Kind::kRuleViolated, "ceiling", kInitiatives, "ini-c", GrantOf(1), "wr-feijenoord",
                 "district-council");
}

// The decision register and the round's budget view show the place in the order.
TEST_F(OrderOfReceipt, TheRegisterAndTheBudgetViewShowThePlaces) {
  Received("ini-1", 600'000, Now() + kHour);
  Received("ini-2", 600'000, Now() + kHour);
  Received("ini-3", 600'000, Now() + kHour);
  Ok(Grant("ini-1", 600'000));
  Ok(Refuse("ini-3", "no place for a third"));
  engine::ProjectionRunner runner(store_.get(), &registry_);
  ASSERT_TRUE(runner.CatchUp().ok());
  std::string bytes;
  ASSERT_TRUE(runner.Get("decision-register", "by-initiative/ini-1", &bytes).ok());
  ipb::DecisionRecord granted;
  ASSERT_TRUE(granted.ParseFromString(bytes));
  EXPECT_EQ(granted.place_in_order(), 1);
  ASSERT_TRUE(runner.Get("decision-register", "by-initiative/ini-3", &bytes).ok());
  ipb::DecisionRecord refused;
  ASSERT_TRUE(refused.ParseFromString(bytes));
  EXPECT_EQ(refused.place_in_order(), 3);
  ASSERT_TRUE(runner.Get("round-budget", std::string("budget/") + kSmall, &bytes).ok());
  rpb::RoundBudget budget;
  ASSERT_TRUE(budget.ParseFromString(bytes));
  ASSERT_EQ(budget.waiting_size(), 1);
  EXPECT_EQ(budget.waiting(0).initiative_id(), "ini-2");
  EXPECT_EQ(budget.waiting(0).standing(), rpb::PlaceInOrder::STANDING_PARTLY_FITS);
  EXPECT_EQ(budget.waiting(0).available_cents(), 400'000);
}

// Requests of one day rank by lot when the published rule says so: the seed is part of the
// published terms, and without one the rule is refused, writing nothing.
TEST_F(OrderOfReceipt, ALotRanksTheRequestsOfOneDayFromThePublishedSeed) {
  rpb::SetRound set;
  set.set_district("feijenoord");
  set.set_ceiling_cents(1'000'000);
  set.set_max_per_request_cents(1'000'000);
  *set.mutable_period()->mutable_start() = ToTimestamp(Now() + kDay);
  *set.mutable_period()->mutable_end() = ToTimestamp(kRoundEnd);
  set.set_same_day_rank(rpb::SAME_DAY_RANK_LOT);
  ExpectRejected(Kind::kRuleViolated, "distribution-rule", kRounds, "feijenoord-lot", set,
                 "college", "executive");
  set.set_lot_seed("drawn 2024-01-08 by the notary: 7f3a");
  Ok(Do(kRounds, "feijenoord-lot", set, "college", "executive"));
  rpb::PublishRound publish;
  publish.set_publication_ref("Gemeenteblad 2024, 400");
  Ok(Do(kRounds, "feijenoord-lot", publish, "college", "executive"));
  const auto published = History(kRounds, "feijenoord-lot").back();
  rpb::RoundPublished terms;
  ASSERT_TRUE(terms.ParseFromString(published.payload()));
  EXPECT_EQ(terms.same_day_rank(), rpb::SAME_DAY_RANK_LOT);
  EXPECT_EQ(terms.lot_seed(), "drawn 2024-01-08 by the notary: 7f3a");
  EXPECT_EQ(Round(kSmall).same_day_rank(), rpb::SAME_DAY_RANK_TIME_OF_RECEIPT);  // the default
}

}  // namespace
}  // namespace wijkflow::scenario
