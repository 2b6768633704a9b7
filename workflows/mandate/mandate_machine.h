// The mandate register's machine: one instance per district council, holding every mandate the
// council granted to its district manager and every revocation.
#pragma once

#include <cstdint>
#include <memory>

#include "engine/workflow.h"

namespace wijkflow::workflows::mandate {

inline constexpr const char* kWorkflow = "mandates";

// An empty register, for a history recorded under `definition_version`.
std::unique_ptr<engine::Instance> NewRegisterInstance(uint32_t definition_version);
// States, events and transitions of the register's machine.
void DescribeRegisterMachine(engine::WorkflowInfo* info);

}  // namespace wijkflow::workflows::mandate
