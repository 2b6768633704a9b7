#include "workflows/district_agreement/agreement_workflow.h"

#include "wijkflow/district_agreement.pb.h"
#include "workflows/common/commands.h"
#include "workflows/common/roles.h"
#include "workflows/common/time.h"
#include "workflows/district_agreement/agreement_machine.h"
#include "workflows/district_agreement/agreement_rules.h"

namespace wijkflow::workflows::district_agreement {
namespace {

namespace pb = ::wijkflow::agreement;
using AgreementView = View<pb::AgreementData>;

constexpr const char* kDistrictTeam = "district-team";

const pb::ActionPlan* PlanOf(const pb::AgreementData& d, int32_t year) {
  for (const auto& p : d.plans()) {
    if (p.year() == year) return &p;
  }
  return nullptr;
}

const pb::Action* ActionOf(const pb::AgreementData& d, const std::string& id) {
  for (const auto& a : d.actions()) {
    if (a.action_id() == id) return &a;
  }
  return nullptr;
}

Outcome NoPlan(int32_t year) {
  return Outcome::NotFound("no action plan for " + std::to_string(year));
}

Outcome DecideDraft(DecideContext& ctx, const AgreementView&, const pb::DraftAgreement& c) {
  if (c.district().empty()) return Outcome::InvalidArgument("district is required");
  if (c.first_year() < 2000 || c.first_year() > 2100) {
    return Outcome::InvalidArgument("first_year must be a year");
  }
  const int32_t last = c.first_year() + 3;
  const std::string id =
      c.district() + "-" + std::to_string(c.first_year()) + "-" + std::to_string(last);
  if (ctx.instance_id() != id) {
    return Outcome::RuleViolated("agreement-id", "an agreement of " + c.district() + " for " +
                                                     std::to_string(c.first_year()) + "-" +
                                                     std::to_string(last) + " has id '" + id + "'");
  }
  pb::AgreementDrafted e;
  e.set_district(c.district());
  e.set_first_year(c.first_year());
  e.set_last_year(last);
  e.set_vision(c.vision());
  Emit(ctx, std::move(e));
  return Outcome::Ok();
}

Outcome DecideEndorse(DecideContext& ctx, const AgreementView&, const pb::EndorseAgreement& c) {
  if (c.meeting_ref().empty() || !c.has_meeting_date()) {
    return Outcome::RuleViolated("public-meeting",
                                 "endorsement needs the date and reference of the public meeting");
  }
  pb::AgreementEndorsed e;
  *e.mutable_meeting_date() = c.meeting_date();
  e.set_meeting_ref(c.meeting_ref());
  Emit(ctx, std::move(e));
  return Outcome::Ok();
}

// Activation starts the review rhythm and schedules the end of the period.
void EmitActivation(DecideContext& ctx, const pb::AgreementData& d) {
  const Micros review_due = AddMonths(ctx.effective(), kReviewIntervalMonths);
  pb::AgreementActivated activated;
  *activated.mutable_first_review_due() = ToTimestamp(review_due);
  Emit(ctx, std::move(activated));
  pb::CloseAgreement close;
  close.set_reason("the agreement's period ended");
  ctx.SetTimer("period-end", DateMicros(d.last_year() + 1, 1, 1),
               std::make_unique<pb::CloseAgreement>(close));
  ctx.SetTimer("review-overdue", review_due, std::make_unique<pb::MarkReviewOverdue>());
}

Outcome DecideAdopt(DecideContext& ctx, const AgreementView& v, const pb::AdoptAgreement& c) {
  if (c.decision_ref().empty()) {
    return Outcome::RuleViolated("decision-ref",
                                 "adoption needs the executive's decision reference");
  }
  pb::AgreementAdopted e;
  e.set_decision_ref(c.decision_ref());
  Emit(ctx, std::move(e));
  const Micros start = DateMicros(v.data.first_year(), 1, 1);
  if (ctx.effective() >= start) {
    EmitActivation(ctx, v.data);  // the period has begun already
  } else {
    ctx.SetTimer("period-start", start, std::make_unique<pb::ActivateAgreement>());
  }
  return Outcome::Ok();
}

Outcome DecideActivate(DecideContext& ctx, const AgreementView& v, const pb::ActivateAgreement&) {
  if (ctx.effective() < DateMicros(v.data.first_year(), 1, 1)) {
    return Outcome::RuleViolated("agreement-period", "the agreement's period has not begun");
  }
  ctx.CancelTimer("period-start");
  EmitActivation(ctx, v.data);
  return Outcome::Ok();
}

Outcome DecideClose(DecideContext& ctx, const AgreementView&, const pb::CloseAgreement& c) {
  pb::AgreementClosed e;
  e.set_reason(c.reason());
  Emit(ctx, std::move(e));
  ctx.CancelTimer("period-start");
  ctx.CancelTimer("period-end");
  ctx.CancelTimer("review-overdue");
  return Outcome::Ok();
}

Outcome DecideDraftPlan(DecideContext& ctx, const AgreementView& v, const pb::DraftActionPlan& c) {
  if (c.year() < v.data.first_year() || c.year() > v.data.last_year()) {
    return Outcome::RuleViolated("plan-year",
                                 "the plan's year lies outside the agreement's period");
  }
  if (PlanOf(v.data, c.year()) != nullptr) {
    return Outcome::RuleViolated("plan-unique",
                                 "a plan for " + std::to_string(c.year()) + " exists already");
  }
  if (c.budget_cents() < 0) return Outcome::InvalidArgument("budget_cents below 0");
  pb::ActionPlanDrafted e;
  e.set_year(c.year());
  e.set_budget_cents(c.budget_cents());
  e.set_summary(c.summary());
  Emit(ctx, std::move(e));
  return Outcome::Ok();
}

Outcome CheckPlanMove(const AgreementView& v, int32_t year, pb::PlanState to) {
  const pb::ActionPlan* p = PlanOf(v.data, year);
  if (p == nullptr) return NoPlan(year);
  if (!PlanMayMove(p->state(), to)) {
    return Outcome::RuleViolated(
        "plan-state", "the " + std::to_string(year) + " plan is " + pb::PlanState_Name(p->state()));
  }
  return Outcome::Ok();
}

Outcome DecideAdoptPlan(DecideContext& ctx, const AgreementView& v, const pb::AdoptActionPlan& c) {
  Outcome o = CheckPlanMove(v, c.year(), pb::PLAN_STATE_ADOPTED);
  if (!o.ok()) return o;
  if (c.budget_cents() < 0) return Outcome::InvalidArgument("budget_cents below 0");
  pb::ActionPlanAdopted e;
  e.set_year(c.year());
  e.set_budget_cents(c.budget_cents() > 0 ? c.budget_cents()
                                          : PlanOf(v.data, c.year())->budget_cents());
  e.set_decision_ref(c.decision_ref());
  Emit(ctx, std::move(e));
  return Outcome::Ok();
}

Outcome DecideStartPlan(DecideContext& ctx, const AgreementView& v, const pb::StartActionPlan& c) {
  Outcome o = CheckPlanMove(v, c.year(), pb::PLAN_STATE_IN_EXECUTION);
  if (!o.ok()) return o;
  pb::ActionPlanStarted e;
  e.set_year(c.year());
  Emit(ctx, std::move(e));
  return Outcome::Ok();
}

Outcome DecideEvaluatePlan(DecideContext& ctx, const AgreementView& v,
                           const pb::EvaluateActionPlan& c) {
  Outcome o = CheckPlanMove(v, c.year(), pb::PLAN_STATE_EVALUATED);
  if (!o.ok()) return o;
  pb::ActionPlanEvaluated e;
  e.set_year(c.year());
  e.set_evaluation(c.evaluation());
  Emit(ctx, std::move(e));
  return Outcome::Ok();
}

Outcome DecideAddAction(DecideContext& ctx, const AgreementView& v, const pb::AddAction& c) {
  const pb::ActionPlan* p = PlanOf(v.data, c.year());
  if (p == nullptr) return NoPlan(c.year());
  if (p->state() == pb::PLAN_STATE_EVALUATED) {
    return Outcome::RuleViolated("plan-state",
                                 "the " + std::to_string(c.year()) + " plan is evaluated");
  }
  if (c.action_id().empty()) return Outcome::InvalidArgument("action_id is required");
  if (ActionOf(v.data, c.action_id()) != nullptr) {
    return Outcome::RuleViolated("action-unique", "action '" + c.action_id() + "' exists already");
  }
  int64_t planned = c.budget_cents();
  for (const auto& a : v.data.actions()) {
    if (a.year() == c.year() && a.status() != pb::ACTION_STATUS_DROPPED)
      planned += a.budget_cents();
  }
  if (c.budget_cents() < 0 || planned > p->budget_cents()) {
    return Outcome::RuleViolated("plan-budget", "actions would take " + FormatEuros(planned) +
                                                    " of a plan budget of " +
                                                    FormatEuros(p->budget_cents()));
  }
  pb::ActionAdded e;
  e.set_year(c.year());
  e.set_action_id(c.action_id());
  e.set_title(c.title());
  e.set_digiwap_ref(c.digiwap_ref());
  e.set_budget_cents(c.budget_cents());
  e.set_owner(c.owner());
  Emit(ctx, std::move(e));
  return Outcome::Ok();
}

Outcome CheckActionMove(const AgreementView& v, const std::string& id, pb::ActionStatus to) {
  const pb::Action* a = ActionOf(v.data, id);
  if (a == nullptr) return Outcome::NotFound("no action '" + id + "'");
  if (to == pb::ACTION_STATUS_UNSPECIFIED || !ActionMayMove(a->status(), to)) {
    return Outcome::RuleViolated("action-transition", "action '" + id + "' cannot go from " +
                                                          ActionStatusName(a->status()) + " to " +
                                                          ActionStatusName(to));
  }
  return Outcome::Ok();
}

Outcome DecideUpdateAction(DecideContext& ctx, const AgreementView& v, const pb::UpdateAction& c) {
  Outcome o = CheckActionMove(v, c.action_id(), c.status());
  if (!o.ok()) return o;
  pb::ActionUpdated e;
  e.set_action_id(c.action_id());
  e.set_from(ActionOf(v.data, c.action_id())->status());
  e.set_to(c.status());
  e.set_note(c.note());
  Emit(ctx, std::move(e));
  return Outcome::Ok();
}

Outcome DecideReview(DecideContext& ctx, const AgreementView& v,
                     const pb::RecordProgressReview& c) {
  bool council = false, team = false;
  for (const auto& p : c.participants()) {
    council |= p.role() == roles::kDistrictCouncil;
    team |= p.role() == kDistrictTeam;
  }
  if (!council || !team) {
    return Outcome::RuleViolated("review-participants",
                                 "a progress review is held by the council and the district team");
  }
  const Micros held = c.has_held_on() ? ToMicros(c.held_on()) : ctx.effective();
  if (held > ctx.effective()) return Outcome::InvalidArgument("held_on lies in the future");
  for (const auto& report : c.actions()) {
    Outcome o = CheckActionMove(v, report.action_id(), report.status());
    if (!o.ok()) return o;
  }
  pb::ProgressReviewRecorded e;
  *e.mutable_held_on() = ToTimestamp(held);
  *e.mutable_participants() = c.participants();
  *e.mutable_actions() = c.actions();
  *e.mutable_agreements() = c.agreements();
  const Micros next = AddMonths(held, kReviewIntervalMonths);
  *e.mutable_next_due() = ToTimestamp(next);
  Emit(ctx, std::move(e));
  ctx.SetTimer("review-overdue", next, std::make_unique<pb::MarkReviewOverdue>());
  return Outcome::Ok();
}

Outcome DecideOverdue(DecideContext& ctx, const AgreementView& v, const pb::MarkReviewOverdue&) {
  if (v.data.review_overdue()) return Outcome::Ok();  // said once is enough
  pb::ProgressReviewOverdue e;
  *e.mutable_due() = ToTimestamp(ctx.effective());
  Emit(ctx, std::move(e));
  return Outcome::Ok();
}

const CommandTable<pb::AgreementData>& Commands() {
  static const auto* table = [] {
    using namespace roles;  // NOLINT: the role names read best bare here
    auto* t = new CommandTable<pb::AgreementData>(state::kNone);
    t->On<pb::DraftAgreement>("DraftAgreement", {kDistrictCouncil, kDistrictTeam}, DecideDraft,
                              {.creates = true});
    t->On<pb::EndorseAgreement>("EndorseAgreement", {kDistrictCouncil}, DecideEndorse);
    t->On<pb::AdoptAgreement>("AdoptAgreement", {kExecutive}, DecideAdopt);
    t->On<pb::ActivateAgreement>("ActivateAgreement", {kExecutive, kSystem}, DecideActivate);
    t->On<pb::CloseAgreement>("CloseAgreement", {kExecutive, kSystem}, DecideClose);
    t->On<pb::DraftActionPlan>("DraftActionPlan", {kDistrictTeam, kDistrictCouncil},
                               DecideDraftPlan);
    t->On<pb::AdoptActionPlan>("AdoptActionPlan", {kExecutive}, DecideAdoptPlan);
    t->On<pb::StartActionPlan>("StartActionPlan", {kDistrictTeam}, DecideStartPlan);
    t->On<pb::EvaluateActionPlan>("EvaluateActionPlan", {kDistrictCouncil, kDistrictTeam},
                                  DecideEvaluatePlan);
    t->On<pb::AddAction>("AddAction", {kDistrictTeam}, DecideAddAction);
    t->On<pb::UpdateAction>("UpdateAction", {kDistrictTeam}, DecideUpdateAction);
    t->On<pb::RecordProgressReview>("RecordProgressReview", {kDistrictTeam, kDistrictCouncil},
                                    DecideReview);
    t->On<pb::MarkReviewOverdue>("MarkReviewOverdue", {kSystem}, DecideOverdue);
    return t;
  }();
  return *table;
}

engine::Scope ScopeOf(const pb::AgreementData& d, const Message& command) {
  if (!d.district().empty()) return {d.district(), 0};
  if (const auto* draft = dynamic_cast<const pb::DraftAgreement*>(&command)) {
    return {draft->district(), 0};
  }
  return {};
}

std::string DistrictOf(const pb::AgreementData& d) { return d.district(); }

}  // namespace

std::unique_ptr<engine::Workflow> NewAgreementWorkflow() {
  return std::make_unique<TableWorkflow<pb::AgreementData>>(TableWorkflow<pb::AgreementData>::Parts{
      .name = kWorkflow,
      .definition_version = 1,
      .make = NewAgreementInstance,
      .describe = DescribeAgreementMachine,
      .commands = &district_agreement::Commands(),
      .scope = ScopeOf,
      .district = DistrictOf,
  });
}

}  // namespace wijkflow::workflows::district_agreement
