// The initiative's part of the registry (called by the generated RegisterAll).
#include "engine/registry.h"
#include "workflows/initiative/initiative_workflow.h"

namespace wijkflow::workflows::initiative {

void Register(engine::WorkflowRegistry& registry) {
  registry.Add(NewInitiativeWorkflow());
  registry.AddProjection(NewInitiativesProjection());
  registry.AddProjection(NewDecisionRegisterProjection());
  registry.AddProjection(NewPublicationFeedProjection());
}

}  // namespace wijkflow::workflows::initiative
