// Transition table and appliers of the district agreement.
#include "workflows/district_agreement/agreement_machine.h"

#include "engine/machine.h"
#include "wijkflow/district_agreement.pb.h"

namespace wijkflow::workflows::district_agreement {
namespace {

namespace pb = ::wijkflow::agreement;
using engine::Across;
using engine::AcrossTable;
using engine::AnyOf;
using engine::EventTable;
using engine::MachineDef;
using engine::MachineInstance;
using engine::TransitionTable;
using engine::msmf::Row;

struct None : engine::msmf::state<> {
  static constexpr std::string_view kName = district_agreement::state::kNone;
};
struct Draft : engine::msmf::state<> {
  static constexpr std::string_view kName = district_agreement::state::kDraft;
};
struct Endorsed : engine::msmf::state<> {
  static constexpr std::string_view kName = district_agreement::state::kEndorsed;
};
struct Adopted : engine::msmf::state<> {
  static constexpr std::string_view kName = district_agreement::state::kAdopted;
};
struct Active : engine::msmf::state<> {
  static constexpr std::string_view kName = district_agreement::state::kActive;
};
struct Closed : engine::msmf::state<> {
  static constexpr std::string_view kName = district_agreement::state::kClosed;
};

struct AgreementDef : MachineDef<AgreementDef> {
  using initial_state = None;
  using transition_table = TransitionTable<
      Row<None, pb::AgreementDrafted, Draft>, Row<Draft, pb::AgreementEndorsed, Endorsed>,
      Row<Endorsed, pb::AgreementAdopted, Adopted>, Row<Adopted, pb::AgreementActivated, Active>,
      Row<Adopted, pb::AgreementClosed, Closed>, Row<Active, pb::AgreementClosed, Closed>>;

  // Plans and actions are prepared from the draft on; executed once active.
  using Preparing = AnyOf<Draft, Endorsed, Adopted, Active>;
  using across_table = AcrossTable<Across<Preparing, pb::ActionPlanDrafted>,                //
                                   Across<AnyOf<Adopted, Active>, pb::ActionPlanAdopted>,   //
                                   Across<AnyOf<Active>, pb::ActionPlanStarted>,            //
                                   Across<AnyOf<Active, Closed>, pb::ActionPlanEvaluated>,  //
                                   Across<Preparing, pb::ActionAdded>,                      //
                                   Across<AnyOf<Active>, pb::ActionUpdated>,                //
                                   // Four-monthly progress reviews.
                                   Across<AnyOf<Active>, pb::ProgressReviewRecorded>,
                                   Across<AnyOf<Active>, pb::ProgressReviewOverdue>>;
};

using Agreement = MachineInstance<AgreementDef, pb::AgreementData>;
using Table = EventTable<AgreementDef, pb::AgreementData>;
using Env = EventEnvelope;

pb::ActionPlan* PlanOf(pb::AgreementData& d, int32_t year) {
  for (auto& p : *d.mutable_plans()) {
    if (p.year() == year) return &p;
  }
  return nullptr;
}

pb::Action* ActionOf(pb::AgreementData& d, const std::string& id) {
  for (auto& a : *d.mutable_actions()) {
    if (a.action_id() == id) return &a;
  }
  return nullptr;
}

void SetPlanState(pb::AgreementData& d, int32_t year, pb::PlanState s) {
  if (pb::ActionPlan* p = PlanOf(d, year)) p->set_state(s);
}

const Table& Events() {
  static const Table* table = [] {
    auto* t = new Table();
    t->On<pb::AgreementDrafted>(
        1, [](pb::AgreementData& d, const pb::AgreementDrafted& e, const Env&) {
          d.set_district(e.district());
          d.set_first_year(e.first_year());
          d.set_last_year(e.last_year());
          d.set_vision(e.vision());
        });
    t->On<pb::AgreementEndorsed>(1, [](pb::AgreementData& d, const pb::AgreementEndorsed& e,
                                       const Env&) { d.set_meeting_ref(e.meeting_ref()); });
    t->On<pb::AgreementAdopted>(1, [](pb::AgreementData& d, const pb::AgreementAdopted& e,
                                      const Env&) { d.set_decision_ref(e.decision_ref()); });
    t->On<pb::AgreementActivated>(
        1, [](pb::AgreementData&, const pb::AgreementActivated&, const Env&) {});
    t->On<pb::AgreementClosed>(1, [](pb::AgreementData& d, const pb::AgreementClosed&, const Env&) {
      d.clear_next_review_due();
    });
    t->On<pb::ActionPlanDrafted>(
        1, [](pb::AgreementData& d, const pb::ActionPlanDrafted& e, const Env&) {
          pb::ActionPlan* p = d.add_plans();
          p->set_year(e.year());
          p->set_state(pb::PLAN_STATE_DRAFT);
          p->set_budget_cents(e.budget_cents());
          p->set_summary(e.summary());
        });
    t->On<pb::ActionPlanAdopted>(
        1, [](pb::AgreementData& d, const pb::ActionPlanAdopted& e, const Env&) {
          pb::ActionPlan* p = PlanOf(d, e.year());
          if (p == nullptr) return;
          p->set_state(pb::PLAN_STATE_ADOPTED);
          p->set_budget_cents(e.budget_cents());
          p->set_decision_ref(e.decision_ref());
        });
    t->On<pb::ActionPlanStarted>(
        1, [](pb::AgreementData& d, const pb::ActionPlanStarted& e, const Env&) {
          SetPlanState(d, e.year(), pb::PLAN_STATE_IN_EXECUTION);
        });
    t->On<pb::ActionPlanEvaluated>(
        1, [](pb::AgreementData& d, const pb::ActionPlanEvaluated& e, const Env&) {
          SetPlanState(d, e.year(), pb::PLAN_STATE_EVALUATED);
          if (pb::ActionPlan* p = PlanOf(d, e.year())) p->set_evaluation(e.evaluation());
        });
    t->On<pb::ActionAdded>(1, [](pb::AgreementData& d, const pb::ActionAdded& e, const Env&) {
      pb::Action* a = d.add_actions();
      a->set_action_id(e.action_id());
      a->set_year(e.year());
      a->set_title(e.title());
      a->set_digiwap_ref(e.digiwap_ref());
      a->set_budget_cents(e.budget_cents());
      a->set_owner(e.owner());
      a->set_status(pb::ACTION_STATUS_PLANNED);
    });
    t->On<pb::ActionUpdated>(1, [](pb::AgreementData& d, const pb::ActionUpdated& e, const Env&) {
      if (pb::Action* a = ActionOf(d, e.action_id())) a->set_status(e.to());
    });
    t->On<pb::ProgressReviewRecorded>(
        1, [](pb::AgreementData& d, const pb::ProgressReviewRecorded& e, const Env&) {
          pb::Review* r = d.add_reviews();
          *r->mutable_held_on() = e.held_on();
          *r->mutable_participants() = e.participants();
          *r->mutable_agreements() = e.agreements();
          for (const auto& report : e.actions()) {
            if (pb::Action* a = ActionOf(d, report.action_id())) a->set_status(report.status());
          }
          *d.mutable_next_review_due() = e.next_due();
          d.set_review_overdue(false);
        });
    t->On<pb::ProgressReviewOverdue>(1, [](pb::AgreementData& d, const pb::ProgressReviewOverdue&,
                                           const Env&) { d.set_review_overdue(true); });
    return t;
  }();
  return *table;
}

}  // namespace

std::unique_ptr<engine::Instance> NewAgreementInstance(uint32_t /*definition_version*/) {
  return std::make_unique<Agreement>(&Events());
}

engine::Outcome DescribeAgreementMachine(engine::WorkflowInfo* info) {
  return engine::DescribeMachine(Events(), info);
}

}  // namespace wijkflow::workflows::district_agreement
