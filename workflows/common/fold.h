// Folding instances inside a projection's model. A projection that needs an instance's state
// (its state name, its data) after each event keeps a copy of the instance in its own model and
// evolves it with the workflow's own transition table and appliers: the same code the engine
// replays with, so a read model cannot drift from the instances it describes. The copy lives in
// the model, so dropping the projection and replaying the log rebuilds it too.
#pragma once

#include <cstdint>
#include <memory>
#include <string>

#include "engine/projection.h"
#include "engine/workflow.h"

namespace wijkflow::workflows {

using InstanceFactory = std::unique_ptr<engine::Instance> (*)(uint32_t definition_version);

struct Folded {
  std::string before_state;                    // empty: the event created the instance
  std::unique_ptr<engine::Instance> instance;  // after the event; nullptr if it did not apply
};

// Folds `payload` into the copy of its instance kept under "fold/<id>" and stores the result.
Folded FoldEvent(InstanceFactory make, const EventEnvelope& envelope,
                 const engine::Message& payload, engine::ModelWriter& model);

// The instance id of the stream an event belongs to ("initiatives/ini-1" -> "ini-1").
std::string InstanceIdOf(const EventEnvelope& envelope);

// Zero-padded, so that keys sort by position.
std::string PositionKey(uint64_t position);

}  // namespace wijkflow::workflows
