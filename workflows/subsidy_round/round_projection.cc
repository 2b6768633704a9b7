// "round-budget": every round's budget as it stands, for the council and the executive.
#include "wijkflow/subsidy_round.pb.h"
#include "workflows/common/fold.h"
#include "workflows/subsidy_round/round_machine.h"
#include "workflows/subsidy_round/round_workflow.h"

namespace wijkflow::workflows::subsidy_round {
namespace {

namespace pb = ::wijkflow::round;

// Folds the budget figures an event changes.
void Evolve(const engine::Message& payload, pb::RoundBudget* b) {
  if (const auto* e = As<pb::RoundRequested>(payload)) {
    b->set_district(e->district());
    b->set_max_per_request_cents(e->max_per_request_cents());
  } else if (const auto* e = As<pb::RoundSet>(payload)) {
    b->set_district(e->district());
    b->set_ceiling_cents(e->ceiling_cents());
    b->set_max_per_request_cents(e->max_per_request_cents());
  } else if (const auto* e = As<pb::CeilingChanged>(payload)) {
    b->set_ceiling_cents(e->ceiling_cents());
  } else if (const auto* e = As<pb::BudgetReserved>(payload)) {
    b->set_reserved_cents(b->reserved_cents() + e->amount_cents());
    b->set_granted_cents(b->granted_cents() + e->amount_cents());
  } else if (const auto* e = As<pb::BudgetReleased>(payload)) {
    b->set_reserved_cents(b->reserved_cents() - e->amount_cents());
    b->set_released_cents(b->released_cents() + e->amount_cents());
  } else if (const auto* e = As<pb::BudgetSettled>(payload)) {
    b->set_settled_cents(b->settled_cents() + e->amount_cents());
  }
  b->set_remaining_cents(std::max<int64_t>(0, b->ceiling_cents() - b->reserved_cents()));
}

class RoundBudgetProjection final : public engine::Projection {
 public:
  std::string_view Name() const override { return "round-budget"; }
  const engine::Message* ValueType() const override { return &pb::RoundBudget::default_instance(); }
  void Apply(const EventEnvelope& envelope, const engine::Message& payload,
             engine::ModelWriter& model) override {
    if (envelope.workflow() != kWorkflow) return;
    const std::string key = "budget/" + InstanceIdOf(envelope);
    const auto* before = model.Find<pb::RoundBudget>(key);
    std::string state =
        NextState(NewRoundInstance, before ? before->state() : "", envelope, payload);
    if (state.empty()) return;
    auto* b = model.Edit<pb::RoundBudget>(key);
    b->set_round_id(InstanceIdOf(envelope));
    b->set_state(std::move(state));
    Evolve(payload, b);
  }
};

}  // namespace

std::unique_ptr<engine::Projection> NewRoundBudgetProjection() {
  return std::make_unique<RoundBudgetProjection>();
}

}  // namespace wijkflow::workflows::subsidy_round
