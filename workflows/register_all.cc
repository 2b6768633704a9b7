#include "workflows/register_all.h"

#include "engine/registry.h"
#include "workflows/district_agreement/agreement_workflow.h"
#include "workflows/initiative/initiative_workflow.h"
#include "workflows/mandate/mandate_workflow.h"
#include "workflows/subsidy_round/round_workflow.h"

namespace wijkflow::workflows {

void RegisterAll(engine::WorkflowRegistry& registry) {
  registry.Add(initiative::NewInitiativeWorkflow());
  registry.Add(subsidy_round::NewRoundWorkflow());
  registry.Add(mandate::NewMandateWorkflow());
  registry.Add(agreement::NewAgreementWorkflow());
  registry.AddProjection(initiative::NewInitiativesProjection());
  registry.AddProjection(subsidy_round::NewRoundBudgetProjection());
  registry.AddProjection(initiative::NewDecisionRegisterProjection());
  registry.AddProjection(initiative::NewPublicationFeedProjection());
  registry.AddProjection(agreement::NewAgreementProgressProjection());
  registry.SetMandateAuthority(mandate::NewMandateAuthority());
}

}  // namespace wijkflow::workflows
