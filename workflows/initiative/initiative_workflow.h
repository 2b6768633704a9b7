// The resident initiative workflow ("initiatives") and its read models.
#pragma once

#include <memory>

#include "engine/projection.h"
#include "engine/workflow.h"

namespace wijkflow::workflows::initiative {

std::unique_ptr<engine::Workflow> NewInitiativeWorkflow();

// "initiatives": keys "by-district/<district>/<state>/<id>" and "by-id/<id>" ->
// InitiativeSummary.
std::unique_ptr<engine::Projection> NewInitiativesProjection();
// "decision-register": key "by-district/<district>/<position>" -> DecisionRecord, for every
// grant, refusal, decision on objection and settlement.
std::unique_ptr<engine::Projection> NewDecisionRegisterProjection();
// "publication-feed": key "by-district/<district>/<id>" -> PublicationEntry, for every granted
// initiative published on Mijn Rotterdam (removed when the grant is withdrawn or revoked).
std::unique_ptr<engine::Projection> NewPublicationFeedProjection();

}  // namespace wijkflow::workflows::initiative
