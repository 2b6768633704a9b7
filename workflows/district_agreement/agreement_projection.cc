// "agreement-progress": how each district's agreement is doing, for the council, the district
// team and the executive: actions by status, budget per plan, last and next review.
// Key: the agreement id ("feijenoord-2023-2026") -> AgreementProgress.
#include "wijkflow/district_agreement.pb.h"
#include "workflows/common/fold.h"
#include "workflows/district_agreement/agreement_machine.h"
#include "workflows/district_agreement/agreement_rules.h"
#include "workflows/district_agreement/agreement_workflow.h"

namespace wijkflow::workflows::district_agreement {
namespace {

namespace pb = ::wijkflow::agreement;

pb::ActionPlan* PlanOf(pb::AgreementProgress* p, int32_t year) {
  for (auto& plan : *p->mutable_plans()) {
    if (plan.year() == year) return &plan;
  }
  return nullptr;
}

void SetStatus(pb::AgreementProgress* p, const std::string& action, pb::ActionStatus to) {
  auto& statuses = *p->mutable_action_status();
  auto& counts = *p->mutable_actions_by_status();
  auto it = statuses.find(action);
  if (it != statuses.end() && --counts[ActionStatusName(it->second)] == 0) {
    counts.erase(ActionStatusName(it->second));
  }
  statuses[action] = to;
  counts[ActionStatusName(to)]++;
}

// Folds what an event changes in the progress figures.
void Evolve(const engine::Message& payload, pb::AgreementProgress* p) {
  if (const auto* e = As<pb::AgreementDrafted>(payload)) {
    p->set_district(e->district());
  } else if (const auto* e = As<pb::AgreementActivated>(payload)) {
    *p->mutable_next_review_due() = e->first_review_due();
  } else if (As<pb::AgreementClosed>(payload)) {
    p->clear_next_review_due();
  } else if (const auto* e = As<pb::ActionPlanDrafted>(payload)) {
    pb::ActionPlan* plan = p->add_plans();
    plan->set_year(e->year());
    plan->set_state(pb::PLAN_STATE_DRAFT);
    plan->set_budget_cents(e->budget_cents());
  } else if (const auto* e = As<pb::ActionPlanAdopted>(payload)) {
    if (pb::ActionPlan* plan = PlanOf(p, e->year())) {
      plan->set_state(pb::PLAN_STATE_ADOPTED);
      plan->set_budget_cents(e->budget_cents());
    }
  } else if (const auto* e = As<pb::ActionPlanStarted>(payload)) {
    if (pb::ActionPlan* plan = PlanOf(p, e->year())) plan->set_state(pb::PLAN_STATE_IN_EXECUTION);
  } else if (const auto* e = As<pb::ActionPlanEvaluated>(payload)) {
    if (pb::ActionPlan* plan = PlanOf(p, e->year())) plan->set_state(pb::PLAN_STATE_EVALUATED);
  } else if (const auto* e = As<pb::ActionAdded>(payload)) {
    SetStatus(p, e->action_id(), pb::ACTION_STATUS_PLANNED);
  } else if (const auto* e = As<pb::ActionUpdated>(payload)) {
    SetStatus(p, e->action_id(), e->to());
  } else if (const auto* e = As<pb::ProgressReviewRecorded>(payload)) {
    for (const auto& report : e->actions()) SetStatus(p, report.action_id(), report.status());
    *p->mutable_last_review() = e->held_on();
    *p->mutable_next_review_due() = e->next_due();
    p->set_review_overdue(false);
  } else if (As<pb::ProgressReviewOverdue>(payload)) {
    p->set_review_overdue(true);
  }
}

class ProgressProjection final : public engine::Projection {
 public:
  std::string_view Name() const override { return "agreement-progress"; }
  const engine::Message* ValueType() const override {
    return &pb::AgreementProgress::default_instance();
  }
  void Apply(const EventEnvelope& envelope, const engine::Message& payload,
             engine::ModelWriter& model) override {
    if (envelope.workflow() != kWorkflow) return;
    const std::string id = InstanceIdOf(envelope);
    const auto* before = model.Find<pb::AgreementProgress>(id);
    std::string state =
        NextState(NewAgreementInstance, before ? before->state() : "", envelope, payload);
    if (state.empty()) return;
    auto* p = model.Edit<pb::AgreementProgress>(id);
    p->set_agreement_id(id);
    p->set_state(std::move(state));
    Evolve(payload, p);
  }
};

}  // namespace

std::unique_ptr<engine::Projection> NewAgreementProgressProjection() {
  return std::make_unique<ProgressProjection>();
}

}  // namespace wijkflow::workflows::district_agreement
