// The district agreement's machine: draft -> endorsed -> adopted -> active -> closed, with the
// action plan, action and review events allowed in the states where they make sense.
#pragma once

#include <cstdint>
#include <memory>
#include <string_view>

#include "engine/workflow.h"

namespace wijkflow::workflows::district_agreement {

inline constexpr const char* kWorkflow = "district-agreements";

// The machine's states, for handlers, projections and tests to name.
namespace state {
inline constexpr std::string_view kNone = "none";
inline constexpr std::string_view kDraft = "draft";
inline constexpr std::string_view kEndorsed = "endorsed";
inline constexpr std::string_view kAdopted = "adopted";
inline constexpr std::string_view kActive = "active";
inline constexpr std::string_view kClosed = "closed";
}  // namespace state

std::unique_ptr<engine::Instance> NewAgreementInstance(uint32_t definition_version);
engine::Outcome DescribeAgreementMachine(engine::WorkflowInfo* info);

}  // namespace wijkflow::workflows::district_agreement
