// The mandate register's machine: one instance per district council, holding every mandate the
// council granted to its district manager and every revocation.
#pragma once

#include <cstdint>
#include <memory>
#include <string_view>

#include "engine/workflow.h"

namespace wijkflow::workflows::mandate {

inline constexpr const char* kWorkflow = "mandates";

// The machine's states, for handlers, projections and tests to name.
namespace state {
inline constexpr std::string_view kEmpty = "empty";
inline constexpr std::string_view kKeeping = "keeping";
}  // namespace state

// An empty register, for a history recorded under `definition_version`.
std::unique_ptr<engine::Instance> NewRegisterInstance(uint32_t definition_version);
// States, events and transitions of the register's machine.
engine::Outcome DescribeRegisterMachine(engine::WorkflowInfo* info);

}  // namespace wijkflow::workflows::mandate
