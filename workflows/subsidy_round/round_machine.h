// The subsidy round's machine:
//   new -> requested (council) -> set (executive) -> published -> open -> closed -> finished
// with ceiling changes from "set" on and budget movements (reserve, release, settle) while the
// round is open or closed: a grant decided after the round closed still draws on it.
#pragma once

#include <cstdint>
#include <memory>

#include "engine/workflow.h"

namespace wijkflow::workflows::subsidy_round {

inline constexpr const char* kWorkflow = "subsidy-rounds";

std::unique_ptr<engine::Instance> NewRoundInstance(uint32_t definition_version);
void DescribeRoundMachine(engine::WorkflowInfo* info);

}  // namespace wijkflow::workflows::subsidy_round
