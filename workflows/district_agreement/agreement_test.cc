// District agreements end to end: through the engine, on a real store, with a simulated clock
// that walks through the four-year period.
#include <gtest/gtest.h>

#include "engine/engine.h"
#include "engine/projection_runner.h"
#include "tests/testing/temp_dir.h"
#include "wijkflow/district_agreement.pb.h"
#include "workflows/common/time.h"
#include "workflows/district_agreement/agreement_machine.h"
#include "workflows/district_agreement/agreement_workflow.h"

namespace wijkflow::workflows::district_agreement {
namespace {

namespace pb = ::wijkflow::agreement;
using engine::Outcome;
using engine::Principal;

const Principal kTeam{"team-tool", {"district-team"}, {"feijenoord"}};
const Principal kCouncil{"council-tool", {"district-council"}, {"feijenoord"}};
const Principal kExecutive{"college-tool", {"executive"}, {"*"}};
constexpr const char* kId = "feijenoord-2023-2026";

class AgreementTest : public ::testing::Test {
 protected:
  AgreementTest() : clock_(DateMicros(2022, 11, 1)) {
    registry_.Add(NewAgreementWorkflow());
    registry_.AddProjection(NewAgreementProgressProjection());
    StoreOptions so;
    so.clock = &clock_;
    EXPECT_TRUE(EventStore::Open(so, dir_.Sub("db"), &store_).ok());
    engine_ = std::make_unique<engine::Engine>(store_.get(), &registry_, &clock_);
  }

  Outcome Run(const Principal& who, const std::string& command, const std::string& json,
              const std::string& id = kId) {
    engine::CommandRequest r;
    r.workflow = "district-agreements";
    r.instance_id = id;
    r.command = command;
    Outcome parsed = engine_->ParseCommand(r.workflow, command, json, &r.body);
    if (!parsed.ok()) return parsed;
    r.principal = who;
    return engine_->Execute(std::move(r)).outcome;
  }
  void Ok(const Principal& who, const std::string& command, const std::string& json) {
    Outcome o = Run(who, command, json);
    ASSERT_TRUE(o.ok()) << command << ": " << o.ToString();
  }
  // A rejection with `rule` (or of `kind` when rule is empty) that appends nothing.
  void Rejected(const std::string& rule, Outcome::Kind kind, const Principal& who,
                const std::string& command, const std::string& json, const std::string& id = kId) {
    const uint64_t before = store_->LastPosition();
    Outcome o = Run(who, command, json, id);
    EXPECT_EQ(o.kind(), kind) << command << ": " << o.ToString();
    if (!rule.empty()) {
      EXPECT_EQ(o.rule(), rule) << o.ToString();
    }
    EXPECT_EQ(store_->LastPosition(), before) << command << " appended though rejected";
  }
  void AdvanceTo(Micros t) {
    clock_.AdvanceTo(t);
    engine_->FireDueTimers();
  }
  std::string State() {
    engine::InstanceView v;
    if (!engine_->Get("district-agreements", kId, std::nullopt, &v).ok()) return "<none>";
    return std::string(v.instance->StateName());
  }
  pb::AgreementData Data() {
    engine::InstanceView v;
    EXPECT_TRUE(engine_->Get("district-agreements", kId, std::nullopt, &v).ok());
    return static_cast<const pb::AgreementData&>(v.instance->Data());
  }

  wijkflow::testing::TempDir dir_;
  SimulatedClock clock_;
  engine::WorkflowRegistry registry_;
  std::unique_ptr<EventStore> store_;
  std::unique_ptr<engine::Engine> engine_;
};

TEST_F(AgreementTest, FourYearsFromDraftToClose) {
  const auto RV = Outcome::Kind::kRuleViolated;
  Rejected("agreement-id", RV, kTeam, "DraftAgreement",
           R"({"district":"feijenoord","firstYear":2023})", "feijenoord-2023");
  Ok(kTeam, "DraftAgreement", R"({"district":"feijenoord","firstYear":2023,"vision":"Samen"})");
  EXPECT_EQ(State(), state::kDraft);
  Rejected("", Outcome::Kind::kForbidden, kExecutive, "EndorseAgreement",
           R"({"meetingDate":"2022-11-01T19:00:00Z","meetingRef":"wr-2022-11"})");
  Rejected("public-meeting", RV, kCouncil, "EndorseAgreement", R"({})");
  Ok(kCouncil, "EndorseAgreement",
     R"({"meetingDate":"2022-11-01T19:00:00Z","meetingRef":"wr-2022-11"})");

  Ok(kTeam, "DraftActionPlan", R"({"year":2023,"budgetCents":"5000000","summary":"Groen"})");
  Rejected("plan-year", RV, kTeam, "DraftActionPlan", R"({"year":2027,"budgetCents":"1"})");
  Ok(kTeam, "AddAction",
     R"({"year":2023,"actionId":"a1","title":"Tuinen","digiwapRef":"DW-1","budgetCents":"3000000"})");
  Rejected("plan-budget", RV, kTeam, "AddAction",
           R"({"year":2023,"actionId":"a2","budgetCents":"3000000"})");
  Ok(kTeam, "AddAction",
     R"({"year":2023,"actionId":"a2","digiwapRef":"DW-2","budgetCents":"2000000"})");

  // Adopted before its period: it waits for 1 January 2023.
  Rejected("", Outcome::Kind::kForbidden, kCouncil, "AdoptAgreement", R"({"decisionRef":"c-1"})");
  Ok(kExecutive, "AdoptAgreement", R"({"decisionRef":"college-2022-118"})");
  EXPECT_EQ(State(), state::kAdopted);
  Rejected("", Outcome::Kind::kInvalidTransition, kTeam, "UpdateAction",
           R"({"actionId":"a1","status":"ACTION_STATUS_IN_PROGRESS"})");
  AdvanceTo(DateMicros(2023, 1, 2));
  EXPECT_EQ(State(), state::kActive);

  Ok(kExecutive, "AdoptActionPlan", R"({"year":2023,"decisionRef":"voorjaarsnota-2023"})");
  Ok(kTeam, "StartActionPlan", R"({"year":2023})");
  Ok(kTeam, "UpdateAction", R"({"actionId":"a1","status":"ACTION_STATUS_IN_PROGRESS"})");
  Rejected("action-transition", RV, kTeam, "UpdateAction",
           R"({"actionId":"a1","status":"ACTION_STATUS_PLANNED"})");

  // No review for four months: overdue.
  AdvanceTo(DateMicros(2023, 5, 3));
  EXPECT_TRUE(Data().review_overdue());
  Rejected("review-participants", RV, kTeam, "RecordProgressReview",
           R"({"participants":[{"name":"Ada","role":"district-team"}]})");
  Ok(kTeam, "RecordProgressReview", R"({
      "heldOn":"2023-05-03T00:00:00Z",
      "participants":[{"name":"Ada","role":"district-team"},{"name":"Bas","role":"district-council"}],
      "actions":[{"actionId":"a1","status":"ACTION_STATUS_DONE"}],
      "agreements":["Tuinen uitbreiden naar Bloemhof"]})");
  pb::AgreementData d = Data();
  EXPECT_FALSE(d.review_overdue());
  EXPECT_EQ(ToMicros(d.next_review_due()), DateMicros(2023, 9, 3));
  EXPECT_EQ(d.actions(0).status(), pb::ACTION_STATUS_DONE);

  // The period ends on 1 January 2027; a review falls overdue once on the way.
  AdvanceTo(DateMicros(2027, 1, 1));
  EXPECT_EQ(State(), state::kClosed);
  EXPECT_TRUE(Data().review_overdue());
  const uint64_t end = store_->LastPosition();
  AdvanceTo(DateMicros(2028, 1, 1));  // no timer of a closed agreement is left to fire
  EXPECT_EQ(store_->LastPosition(), end);
  // A plan can still be evaluated after the period.
  Ok(kCouncil, "EvaluateActionPlan", R"({"year":2023,"evaluation":"Tuinen klaar"})");
}

TEST_F(AgreementTest, ProgressProjectionShowsActionsBudgetsAndReviews) {
  Ok(kTeam, "DraftAgreement", R"({"district":"feijenoord","firstYear":2023})");
  Ok(kCouncil, "EndorseAgreement", R"({"meetingDate":"2022-11-01T19:00:00Z","meetingRef":"m"})");
  Ok(kTeam, "DraftActionPlan", R"({"year":2023,"budgetCents":"1000000"})");
  Ok(kTeam, "AddAction", R"({"year":2023,"actionId":"a1","budgetCents":"400000"})");
  Ok(kTeam, "AddAction", R"({"year":2023,"actionId":"a2","budgetCents":"400000"})");
  AdvanceTo(DateMicros(2023, 1, 5));
  Ok(kExecutive, "AdoptAgreement", R"({"decisionRef":"college-2023-1"})");  // activates at once
  Ok(kTeam, "UpdateAction", R"({"actionId":"a2","status":"ACTION_STATUS_DELAYED"})");

  engine::ProjectionRunner runner(store_.get(), &registry_);
  ASSERT_TRUE(runner.CatchUp().ok());
  std::string bytes;
  ASSERT_TRUE(runner.Get("agreement-progress", kId, &bytes).ok());
  pb::AgreementProgress p;
  ASSERT_TRUE(p.ParseFromString(bytes));
  EXPECT_EQ(p.state(), state::kActive);
  EXPECT_EQ(p.actions_by_status().at("planned"), 1);
  EXPECT_EQ(p.actions_by_status().at("delayed"), 1);
  ASSERT_EQ(p.plans_size(), 1);
  EXPECT_EQ(p.plans(0).budget_cents(), 1000000);
  EXPECT_FALSE(p.has_last_review());
  EXPECT_EQ(ToMicros(p.next_review_due()), DateMicros(2023, 5, 5));
}

}  // namespace
}  // namespace wijkflow::workflows::district_agreement
