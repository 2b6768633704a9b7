// The district agreement's part of the registry (called by the generated RegisterAll).
#include "engine/registry.h"
#include "workflows/district_agreement/agreement_workflow.h"

namespace wijkflow::workflows::district_agreement {

void Register(engine::WorkflowRegistry& registry) {
  registry.Add(NewAgreementWorkflow());
  registry.AddProjection(NewAgreementProgressProjection());
}

}  // namespace wijkflow::workflows::district_agreement
