// The read models of the initiative and the round, folded from the global log by the engine's
// projection runner: initiatives per district and state, the round's budget, the decision
// register and the publication feed. A rebuild from the log equals the live model byte for byte.
#include <map>

#include "tests/scenario/initiative_fixture.h"

namespace wijkflow::scenario {
namespace {

class ProjectionScenario : public InitiativeScenario {
 protected:
  // A small season: granted under mandate and published; refused and upheld on objection into
  // a grant; granted, published and withdrawn; settled lower; one still under review.
  void Season() {
    Reviewed("ini-a", 200'000);
    Ok(Grant("ini-a", 200'000, "wm-feijenoord", "district-manager"));
    Publish("ini-a", "A street party");
    Reviewed("ini-b", 800'000);
    Ok(Refuse("ini-b", "the budget is unclear"));
    ipb::LodgeObjection o;
    o.set_objector(Applicant("ini-b"));
    o.set_grounds("the budget was attached");
    Ok(Do(kInitiatives, "ini-b", o, Applicant("ini-b"), "applicant"));
    ipb::DecideObjection d;
    d.set_outcome(ipb::OBJECTION_OUTCOME_UPHELD);
    d.set_revised_kind(ipb::DECISION_KIND_GRANT);
    d.set_revised_amount_cents(700'000);
    d.set_reasons("the budget was in the annex");
    Ok(Do(kInitiatives, "ini-b", d, "wr-feijenoord", "district-council"));
    Reviewed("ini-c", 300'000);
    Ok(Grant("ini-c", 300'000));
    Publish("ini-c", "A garden");
    ipb::Withdraw w;
    w.set_reason("no volunteers");
    Ok(Do(kInitiatives, "ini-c", w, Applicant("ini-c"), "applicant"));
    ipb::SubmitAccounts acc;
    acc.set_spent_cents(150'000);
    Ok(Do(kInitiatives, "ini-a", acc, Applicant("ini-a"), "applicant"));
    ipb::Settle s;
    s.set_amount_cents(150'000);
    s.set_lowering_reason(ipb::LOWERING_REASON_OBLIGATIONS_NOT_MET);
    s.set_reasons("no receipts for the music");
    Ok(Do(kInitiatives, "ini-a", s, "wr-feijenoord", "district-council"));
    Reviewed("ini-d", 100'000);
  }
  void Publish(const std::string& id, const std::string& summary) {
    ipb::Publish p;
    p.set_url("https://mijn.rotterdam.nl/initiatieven/" + id);
    p.set_summary(summary);
    Ok(Do(kInitiatives, id, p, "mijn-rotterdam", "publisher"));
  }
  std::map<std::string, std::string> Model(engine::ProjectionRunner& runner,
                                           const std::string& name, const std::string& from = "") {
    std::map<std::string, std::string> out;
    Status s = runner.Scan(name, from, "", [&](const std::string& k, const std::string& v) {
      if (k.compare(0, from.size(), from) != 0) return false;
      out[k] = v;
      return true;
    });
    EXPECT_TRUE(s.ok()) << s.ToString();
    return out;
  }
  template <class M>
  M Value(engine::ProjectionRunner& runner, const std::string& name, const std::string& key) {
    std::string bytes;
    Status s = runner.Get(name, key, &bytes);
    EXPECT_TRUE(s.ok()) << name << " " << key << ": " << s.ToString();
    M m;
    EXPECT_TRUE(m.ParseFromString(bytes));
    return m;
  }
};

TEST_F(ProjectionScenario, InitiativesPerDistrictAndState) {
  Season();
  engine::ProjectionRunner runner(store_.get(), &registry_);
  ASSERT_TRUE(runner.CatchUp().ok());
  std::map<std::string, std::string> states;
  for (const auto& [key, value] : Model(runner, "initiatives", "by-district/feijenoord/")) {
    ipb::InitiativeSummary s;
    ASSERT_TRUE(s.ParseFromString(value));
    states[s.id()] = s.state();
    EXPECT_EQ(key, "by-district/feijenoord/" + s.state() + "/" + s.id());
  }
  EXPECT_EQ(states, (std::map<std::string, std::string>{{"ini-a", "settled"},
                                                        {"ini-b", "granted"},
                                                        {"ini-c", "withdrawn"},
                                                        {"ini-d", "under-review"}}));
  auto b = Value<ipb::InitiativeSummary>(runner, "initiatives", "by-id/ini-b");
  EXPECT_EQ(b.granted_cents(), 700'000);
  EXPECT_EQ(b.requested_cents(), 800'000);
  // Every state it reaches is the engine's.
  EXPECT_EQ(b.state(), State(kInitiatives, "ini-b"));
}

TEST_F(ProjectionScenario, TheRoundsBudget) {
  Season();
  engine::ProjectionRunner runner(store_.get(), &registry_);
  ASSERT_TRUE(runner.CatchUp().ok());
  auto b = Value<rpb::RoundBudget>(runner, "round-budget", std::string("budget/") + kRound);
  EXPECT_EQ(b.state(), "open");
  EXPECT_EQ(b.ceiling_cents(), 5'000'000);
  EXPECT_EQ(b.granted_cents(), 200'000 + 700'000 + 300'000);
  EXPECT_EQ(b.released_cents(), 300'000 + 50'000);
  EXPECT_EQ(b.reserved_cents(), 150'000 + 700'000);
  EXPECT_EQ(b.settled_cents(), 150'000);
  EXPECT_EQ(b.remaining_cents(), 5'000'000 - 850'000);
  EXPECT_EQ(b.reserved_cents(), Round(kRound).reserved_cents());
}

TEST_F(ProjectionScenario, TheDecisionRegisterSaysWhoDecidedInWhoseNameUnderWhichRule) {
  Season();
  engine::ProjectionRunner runner(store_.get(), &registry_);
  ASSERT_TRUE(runner.CatchUp().ok());
  std::vector<ipb::DecisionRecord> records;
  for (const auto& [key, value] : Model(runner, "decision-register", "by-district/feijenoord/")) {
    records.emplace_back();
    ASSERT_TRUE(records.back().ParseFromString(value));
  }
  ASSERT_EQ(records.size(), 5u);  // grant a, refusal b, objection b, grant c, settlement a
  const ipb::DecisionRecord& a = records[0];
  EXPECT_EQ(a.initiative_id(), "ini-a");
  EXPECT_EQ(a.kind(), ipb::DecisionRecord::KIND_GRANT);
  EXPECT_EQ(a.decided_by(), "wm-feijenoord");
  EXPECT_EQ(a.role(), "district-manager");
  EXPECT_EQ(a.mandate_ref(), "m-1");
  EXPECT_EQ(a.on_behalf_of(), "district-council:feijenoord");
  EXPECT_EQ(a.rule_version(), "bi-2023");
  EXPECT_EQ(a.round_id(), kRound);
  EXPECT_EQ(records[1].kind(), ipb::DecisionRecord::KIND_REFUSAL);
  EXPECT_EQ(records[1].reasons(), "the budget is unclear");
  EXPECT_EQ(records[2].kind(), ipb::DecisionRecord::KIND_OBJECTION_UPHELD);
  EXPECT_EQ(records[2].resulting_kind(), ipb::DECISION_KIND_GRANT);
  EXPECT_EQ(records[2].amount_cents(), 700'000);
  EXPECT_TRUE(records[2].mandate_ref().empty());
  EXPECT_EQ(records[4].kind(), ipb::DecisionRecord::KIND_SETTLEMENT);
  EXPECT_EQ(records[4].amount_cents(), 150'000);
  for (size_t i = 1; i < records.size(); ++i) {
    EXPECT_LT(records[i - 1].position(), records[i].position());
  }
}

TEST_F(ProjectionScenario, ThePublicationFeedShowsGrantsThatHold) {
  Season();
  engine::ProjectionRunner runner(store_.get(), &registry_);
  ASSERT_TRUE(runner.CatchUp().ok());
  std::map<std::string, ipb::PublicationEntry> feed;
  for (const auto& [key, value] : Model(runner, "publication-feed", "by-district/feijenoord/")) {
    ASSERT_TRUE(feed[key].ParseFromString(value));
  }
  ASSERT_EQ(feed.size(), 1u);  // ini-c was withdrawn; ini-b is granted but not published
  const ipb::PublicationEntry& a = feed.begin()->second;
  EXPECT_EQ(a.initiative_id(), "ini-a");
  EXPECT_EQ(a.summary(), "A street party");
  EXPECT_EQ(a.granted_cents(), 150'000);  // as settled
  EXPECT_EQ(a.url(), "https://mijn.rotterdam.nl/initiatieven/ini-a");
}

TEST_F(ProjectionScenario, ARebuildEqualsTheLiveModelsByteForByte) {
  engine::ProjectionRunner runner(store_.get(), &registry_);
  Reviewed("ini-0", 100'000);
  ASSERT_TRUE(runner.CatchUp().ok());  // live: part now, the rest later
  Season();
  AdvanceTo(t0_ + 10 * kWeek);  // timers: objection windows, deadlines
  ASSERT_TRUE(runner.CatchUp().ok());
  for (const char* name :
       {"initiatives", "round-budget", "decision-register", "publication-feed"}) {
    const auto live = Model(runner, name);
    ASSERT_FALSE(live.empty()) << name;
    ASSERT_TRUE(runner.Rebuild(name).ok()) << name;  // drops the model, replays the log
    ASSERT_TRUE(runner.CatchUp().ok());
    EXPECT_EQ(runner.Checkpoint(name), store_->LastPosition()) << name;
    EXPECT_EQ(Model(runner, name), live) << name;
  }
}

}  // namespace
}  // namespace wijkflow::scenario
