// The subsidy round's machine:
//   new -> requested (council) -> set (executive) -> published -> open -> closed -> finished
// with ceiling changes from "set" on and budget movements (reserve, release, settle) while the
// round is open or closed: a grant decided after the round closed still draws on it.
#pragma once

#include <cstdint>
#include <memory>
#include <string_view>

#include "engine/workflow.h"

namespace wijkflow::workflows::subsidy_round {

inline constexpr const char* kWorkflow = "subsidy-rounds";

// The machine's states, for handlers, projections and tests to name.
namespace state {
inline constexpr std::string_view kNew = "new";
inline constexpr std::string_view kRequested = "requested";
inline constexpr std::string_view kSet = "set";
inline constexpr std::string_view kPublished = "published";
inline constexpr std::string_view kOpen = "open";
inline constexpr std::string_view kClosed = "closed";
inline constexpr std::string_view kFinished = "finished";
}  // namespace state

std::unique_ptr<engine::Instance> NewRoundInstance(uint32_t definition_version);
engine::Outcome DescribeRoundMachine(engine::WorkflowInfo* info);

}  // namespace wijkflow::workflows::subsidy_round
