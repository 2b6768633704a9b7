// The initiative's machine (one instance per request):
//
//   draft -> submitted -> [completion-requested -> submitted | set-aside] -> under-review
//     (bi-2022, large requests: -> in-vote -> vote-closed) -> granted | refused
//   granted -> published -> [in-progress] -> accounted -> settled
//   granted | refused | published -> objection-lodged -> (the decision that holds:)
//     granted | refused | published
//   any state before the decision, and granted | published | in-progress -> withdrawn
//
// The decision deadline may pass or be extended in every state before the decision; the
// objection window closes in every state after it.
#pragma once

#include <cstdint>
#include <memory>
#include <string_view>

#include "engine/workflow.h"

namespace wijkflow::workflows::initiative {

inline constexpr const char* kWorkflow = "initiatives";

// The machine's states, for handlers, projections and tests to name (the machine's state types
// take their names from here, so a renamed state cannot drift from its uses).
namespace state {
inline constexpr std::string_view kDraft = "draft";
inline constexpr std::string_view kSubmitted = "submitted";
inline constexpr std::string_view kCompletionRequested = "completion-requested";
inline constexpr std::string_view kSetAside = "set-aside";
inline constexpr std::string_view kUnderReview = "under-review";
inline constexpr std::string_view kInVote = "in-vote";
inline constexpr std::string_view kVoteClosed = "vote-closed";
inline constexpr std::string_view kGranted = "granted";
inline constexpr std::string_view kRefused = "refused";
inline constexpr std::string_view kObjectionLodged = "objection-lodged";
inline constexpr std::string_view kPublished = "published";
inline constexpr std::string_view kInProgress = "in-progress";
inline constexpr std::string_view kAccounted = "accounted";
inline constexpr std::string_view kSettled = "settled";
inline constexpr std::string_view kWithdrawn = "withdrawn";
}  // namespace state

std::unique_ptr<engine::Instance> NewInitiativeInstance(uint32_t definition_version);
engine::Outcome DescribeInitiativeMachine(engine::WorkflowInfo* info);

}  // namespace wijkflow::workflows::initiative
