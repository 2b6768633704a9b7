// The subsidy round's part of the registry (called by the generated RegisterAll).
#include "engine/registry.h"
#include "workflows/subsidy_round/round_workflow.h"

namespace wijkflow::workflows::subsidy_round {

void Register(engine::WorkflowRegistry& registry) {
  registry.Add(NewRoundWorkflow());
  registry.AddProjection(NewRoundBudgetProjection());
}

}  // namespace wijkflow::workflows::subsidy_round
