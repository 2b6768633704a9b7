// "round-budget": every round's budget as it stands, for the council and the executive.
#include "wijkflow/subsidy_round.pb.h"
#include "workflows/common/fold.h"
#include "workflows/subsidy_round/round_budget.h"
#include "workflows/subsidy_round/round_machine.h"
#include "workflows/subsidy_round/round_workflow.h"

namespace wijkflow::workflows::subsidy_round {
namespace {

namespace pb = ::wijkflow::round;

pb::RoundBudget BudgetOf(const engine::Instance& round) {
  const auto& d = static_cast<const pb::RoundData&>(round.Data());
  pb::RoundBudget b;
  b.set_round_id(d.round_id());
  b.set_district(d.district());
  b.set_state(std::string(round.StateName()));
  b.set_ceiling_cents(d.ceiling_cents());
  b.set_reserved_cents(d.reserved_cents());
  b.set_granted_cents(d.granted_cents());
  b.set_released_cents(d.released_cents());
  b.set_settled_cents(d.settled_cents());
  b.set_remaining_cents(std::max<int64_t>(0, d.ceiling_cents() - d.reserved_cents()));
  b.set_max_per_request_cents(d.max_per_request_cents());
  int32_t grants = 0;
  for (const auto& [id, a] : d.allocations()) grants += a.reserved_cents() > 0 ? 1 : 0;
  b.set_grants(grants);
  return b;
}

class RoundBudgetProjection final : public engine::Projection {
 public:
  std::string_view Name() const override { return "round-budget"; }
  void Apply(const EventEnvelope& envelope, const engine::Message& payload,
             engine::ModelWriter& model) override {
    if (envelope.workflow() != kWorkflow) return;
    Folded f = FoldEvent(NewRoundInstance, envelope, payload, model);
    if (!f.instance) return;
    model.Put("budget/" + InstanceIdOf(envelope), BudgetOf(*f.instance).SerializeAsString());
  }
};

}  // namespace

std::unique_ptr<engine::Projection> NewRoundBudgetProjection() {
  return std::make_unique<RoundBudgetProjection>();
}

}  // namespace wijkflow::workflows::subsidy_round
