// The subsidy round workflow ("subsidy-rounds") and its read model "round-budget".
//
// Commands: RequestRound (district-council), SetRound, PublishRound, ChangeCeiling, FinishRound
// (executive), OpenRound, CloseRound (executive, or the system when the period starts / ends).
// Budget events (BudgetReserved/Released/Settled) are not commands of their own: the initiative
// workflow emits them onto the round together with its decisions, in one atomic append.
#pragma once

#include <memory>

#include "engine/projection.h"
#include "engine/workflow.h"

namespace wijkflow::workflows::subsidy_round {

inline constexpr const char* kOpeningTimer = "round-opening";
inline constexpr const char* kClosingTimer = "round-closing";

std::unique_ptr<engine::Workflow> NewRoundWorkflow();

// "round-budget": key "budget/<round id>" -> wijkflow.round.RoundBudget.
std::unique_ptr<engine::Projection> NewRoundBudgetProjection();

}  // namespace wijkflow::workflows::subsidy_round
