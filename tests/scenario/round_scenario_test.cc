// The subsidy round: requested by the council, set and published by the executive before it
// opens (Awb 4:26, 4:27), opened and closed by its period's timers, its ceiling lowered without
// touching requests already in, its accounts closed once every grant is settled.
#include "tests/scenario/scenario.h"
#include "workflows/common/time.h"

namespace wijkflow::scenario {
namespace {

using workflows::DateMicros;
using workflows::kDay;
using workflows::kWeek;
using workflows::ToTimestamp;
using Kind = Outcome::Kind;

constexpr const char* kRound = "feijenoord-2024-1";
const Micros kStart = DateMicros(2024, 2, 1);
const Micros kEnd = DateMicros(2024, 5, 1);

class RoundScenario : public Scenario {
 protected:
  RoundScenario() : Scenario(DateMicros(2024, 1, 8) + 9 * kHour) {}
  void Ok(const CommandResult& r) { ASSERT_TRUE(r.outcome.ok()) << r.outcome.ToString(); }
  rpb::Period Period() {
    rpb::Period p;
    *p.mutable_start() = ToTimestamp(kStart);
    *p.mutable_end() = ToTimestamp(kEnd);
    return p;
  }
  rpb::SetRound Terms(int64_t ceiling, int64_t max) {
    rpb::SetRound s;
    s.set_district(kDistrict);
    s.set_ceiling_cents(ceiling);
    s.set_max_per_request_cents(max);
    *s.mutable_period() = Period();
    return s;
  }
  void Open(int64_t ceiling, int64_t max = 1'000'000) {
    SetAndPublishRound(kRound, ceiling, max, kStart, kEnd);
    AdvanceTo(kStart + 9 * kHour);
    ASSERT_EQ(State(kRounds, kRound), "open");
  }
  void GrantedFor(const std::string& id, int64_t cents) {
    Ok(Submit(id, kRound, cents));
    Ok(Review(id));
    Ok(Grant(id, cents));
  }
};

TEST_F(RoundScenario, RequestedSetPublishedThenOpenedAndClosedByItsPeriod) {
  rpb::RequestRound req;
  req.set_district(kDistrict);
  req.set_ceiling_cents(4'000'000);
  req.set_max_per_request_cents(1'500'000);
  *req.mutable_period() = Period();
  ExpectRejected(Kind::kRuleViolated, "max-per-request", kRounds, kRound, req, "wr-feijenoord",
                 "district-council");
  req.set_max_per_request_cents(2'000'000);
  ExpectRejected(Kind::kForbidden, "", kRounds, kRound, req, "college", "executive");
  Ok(Do(kRounds, kRound, req, "wr-feijenoord", "district-council"));
  EXPECT_EQ(State(kRounds, kRound), "requested");
  Ok(Do(kRounds, kRound, Terms(4'000'000, 2'000'000), "college", "executive"));
  AdvanceTo(kStart + kHour);
  // Not published yet: it cannot open, not even when its period has begun.
  ExpectRejected(Kind::kRuleViolated, "published-before-open", kRounds, kRound, rpb::OpenRound(),
                 "college", "executive");
  rpb::PublishRound pub;
  pub.set_publication_ref("Gemeenteblad 2024, 4711");
  Ok(Do(kRounds, kRound, pub, "college", "executive"));
  EXPECT_EQ(State(kRounds, kRound), "published");
  EXPECT_EQ(AdvanceTo(kStart + 2 * kHour), 1u);  // opening is due at once
  EXPECT_EQ(State(kRounds, kRound), "open");
  EXPECT_EQ(AdvanceTo(kEnd - 1), 0u);
  EXPECT_EQ(AdvanceTo(kEnd), 1u);
  EXPECT_EQ(State(kRounds, kRound), "closed");
  EXPECT_EQ(History(kRounds, kRound).back().actor().role(), "system");
  EXPECT_EQ(Round(kRound).publication_ref(), "Gemeenteblad 2024, 4711");
}

TEST_F(RoundScenario, PublishedBeforeItsPeriodOpensAtItsStart) {
  Ok(Do(kRounds, kRound, Terms(4'000'000, 1'000'000), "college", "executive"));
  rpb::PublishRound pub;
  pub.set_publication_ref("Gemeenteblad 2024, 4711");
  Ok(Do(kRounds, kRound, pub, "college", "executive"));
  ExpectRejected(Kind::kRuleViolated, "round-period", kRounds, kRound, rpb::OpenRound(), "college",
                 "executive");
  EXPECT_EQ(AdvanceTo(kStart - 1), 0u);
  EXPECT_EQ(AdvanceTo(kStart), 1u);
  EXPECT_EQ(State(kRounds, kRound), "open");
}

TEST_F(RoundScenario, LoweringTheCeilingDoesNotAffectRequestsAlreadySubmitted) {
  Open(1'000'000);  // EUR 10,000
  Ok(Submit("ini-early", kRound, 600'000));
  Ok(Review("ini-early"));
  AdvanceTo(Now() + kDay);
  rpb::ChangeCeiling lower;
  lower.set_ceiling_cents(500'000);
  lower.set_reason("budget cut");
  ExpectRejected(Kind::kRuleViolated, "ceiling-publication", kRounds, kRound, lower, "college",
                 "executive");
  lower.set_publication_ref("Gemeenteblad 2024, 5000");
  Ok(Do(kRounds, kRound, lower, "college", "executive"));
  AdvanceTo(Now() + kDay);
  Ok(Submit("ini-late", kRound, 100'000));
  Ok(Review("ini-late"));
  // Submitted under the EUR 10,000 ceiling: its EUR 6,000 still fits.
  Ok(Grant("ini-early", 600'000));
  EXPECT_EQ(Round(kRound).reserved_cents(), 600'000);
  // Submitted under the EUR 5,000 ceiling, of which nothing is left.
  ipb::Grant g;
  g.set_amount_cents(100'000);
  g.set_reasons("fits");
  ExpectRejected(Kind::kRuleViolated, "ceiling", kInitiatives, "ini-late", g, "wr-feijenoord",
                 "district-council");
  rpb::BudgetReserved reserved;
  ASSERT_TRUE(reserved.ParseFromString(History(kRounds, kRound).back().payload()));
  EXPECT_EQ(reserved.ceiling_applied_cents(), 1'000'000);
}

TEST_F(RoundScenario, GrantsDecidedAfterClosingStillDrawOnTheRound) {
  Open(2'000'000);
  Ok(Submit("ini-1", kRound, 500'000));
  Ok(Review("ini-1"));
  AdvanceTo(kEnd);
  ASSERT_EQ(State(kRounds, kRound), "closed");
  Ok(Grant("ini-1", 500'000));
  EXPECT_EQ(Round(kRound).reserved_cents(), 500'000);
}

TEST_F(RoundScenario, AccountsCloseOnlyWhenEveryGrantIsSettled) {
  Open(2'000'000);
  GrantedFor("ini-1", 500'000);
  GrantedFor("ini-2", 300'000);
  AdvanceTo(kEnd);
  ExpectRejected(Kind::kRuleViolated, "round-outstanding", kRounds, kRound, rpb::FinishRound(),
                 "college", "executive");
  ipb::Withdraw w;
  w.set_reason("cancelled");
  Ok(Do(kInitiatives, "ini-2", w, Applicant("ini-2"), "applicant"));
  ipb::Publish p;
  p.set_url("https://mijn.rotterdam.nl/initiatieven/ini-1");
  Ok(Do(kInitiatives, "ini-1", p, "mijn-rotterdam", "publisher"));
  ipb::SubmitAccounts acc;
  acc.set_spent_cents(500'000);
  Ok(Do(kInitiatives, "ini-1", acc, Applicant("ini-1"), "applicant"));
  ipb::Settle s;
  s.set_amount_cents(500'000);
  Ok(Do(kInitiatives, "ini-1", s, "wr-feijenoord", "district-council"));
  Ok(Do(kRounds, kRound, rpb::FinishRound(), "college", "executive"));
  EXPECT_EQ(State(kRounds, kRound), "finished");
  const rpb::RoundData& r = Round(kRound);
  EXPECT_EQ(r.granted_cents(), 800'000);
  EXPECT_EQ(r.released_cents(), 300'000);
  EXPECT_EQ(r.settled_cents(), 500'000);
}

}  // namespace
}  // namespace wijkflow::scenario
