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

#include "engine/workflow.h"

namespace wijkflow::workflows::initiative {

inline constexpr const char* kWorkflow = "initiatives";

std::unique_ptr<engine::Instance> NewInitiativeInstance(uint32_t definition_version);
void DescribeInitiativeMachine(engine::WorkflowInfo* info);

}  // namespace wijkflow::workflows::initiative
