// The district agreement's machine: draft -> endorsed -> adopted -> active -> closed, with the
// action plan, action and review events allowed in the states where they make sense.
#pragma once

#include <cstdint>
#include <memory>

#include "engine/workflow.h"

namespace wijkflow::workflows::agreement {

inline constexpr const char* kWorkflow = "district-agreements";

std::unique_ptr<engine::Instance> NewAgreementInstance(uint32_t definition_version);
void DescribeAgreementMachine(engine::WorkflowInfo* info);

}  // namespace wijkflow::workflows::agreement
