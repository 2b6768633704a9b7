// "round-budget": every round's budget as it stands, for the council and the executive.
#include <algorithm>

#include "wijkflow/subsidy_round.pb.h"
#include "workflows/common/fold.h"
#include "workflows/subsidy_round/round_budget.h"
#include "workflows/subsidy_round/round_machine.h"
#include "workflows/subsidy_round/round_workflow.h"

namespace wijkflow::workflows::subsidy_round {
namespace {

namespace pb = ::wijkflow::round;

void AddCeiling(int64_t cents, const EventEnvelope& env, pb::RoundBudget* b) {
  b->set_ceiling_cents(cents);
  pb::CeilingEntry* c = b->add_ceilings();
  *c->mutable_from() = env.effective_date();
  c->set_ceiling_cents(cents);
}

void RemoveWaiting(const std::string& id, pb::RoundBudget* b) {
  auto* w = b->mutable_waiting();
  w->erase(std::remove_if(w->begin(), w->end(),
                          [&](const pb::PlaceInOrder& p) { return p.initiative_id() == id; }),
           w->end());
}

// Folds the budget figures an event changes; says whether the waiting claims must be ranked
// again.
bool Evolve(const EventEnvelope& env, const engine::Message& payload, pb::RoundBudget* b) {
  bool rank = false;
  if (const auto* e = As<pb::RoundRequested>(payload)) {
    b->set_district(e->district());
    b->set_max_per_request_cents(e->max_per_request_cents());
  } else if (const auto* e = As<pb::RoundSet>(payload)) {
    b->set_district(e->district());
    b->set_max_per_request_cents(e->max_per_request_cents());
    b->set_same_day_rank(e->same_day_rank());
    b->set_lot_seed(e->lot_seed());
    b->clear_ceilings();
    AddCeiling(e->ceiling_cents(), env, b);
  } else if (const auto* e = As<pb::CeilingChanged>(payload)) {
    AddCeiling(e->ceiling_cents(), env, b);
    rank = true;
  } else if (const auto* e = As<pb::ClaimLodged>(payload)) {
    RemoveWaiting(e->initiative_id(), b);
    pb::PlaceInOrder* p = b->add_waiting();
    p->set_initiative_id(e->initiative_id());
    p->set_amount_cents(e->amount_cents());
    *p->mutable_received_at() = e->received_at();
    rank = true;
  } else if (const auto* e = As<pb::ClaimEnded>(payload)) {
    RemoveWaiting(e->initiative_id(), b);
    rank = true;
  } else if (const auto* e = As<pb::BudgetReserved>(payload)) {
    RemoveWaiting(e->initiative_id(), b);
    b->set_reserved_cents(b->reserved_cents() + e->amount_cents());
    b->set_granted_cents(b->granted_cents() + e->amount_cents());
    rank = true;
  } else if (const auto* e = As<pb::BudgetReleased>(payload)) {
    b->set_reserved_cents(b->reserved_cents() - e->amount_cents());
    b->set_released_cents(b->released_cents() + e->amount_cents());
    rank = true;
  } else if (const auto* e = As<pb::BudgetSettled>(payload)) {
    b->set_settled_cents(b->settled_cents() + e->amount_cents());
  }
  b->set_remaining_cents(std::max<int64_t>(0, b->ceiling_cents() - b->reserved_cents()));
  return rank && b->waiting_size() > 0;
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
    if (Evolve(envelope, payload, b)) {
      RankWaiting({b->ceilings(), b->same_day_rank(), b->lot_seed(), b->reserved_cents()},
                  b->mutable_waiting());
    }
  }
};

}  // namespace

std::unique_ptr<engine::Projection> NewRoundBudgetProjection() {
  return std::make_unique<RoundBudgetProjection>();
}

}  // namespace wijkflow::workflows::subsidy_round
