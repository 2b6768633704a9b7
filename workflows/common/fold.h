// Helpers for projections. A projection's model holds values of one message type (so readers
// can decode them, and the runner can keep them parsed), so projections keep what they need in
// their own values; where they need an instance's state name they evolve it with the workflow's
// own transition table (NextState), the same table the engine replays with, so a read model's
// states cannot drift from the instances'.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <typeinfo>

#include "engine/projection.h"
#include "engine/workflow.h"

namespace wijkflow::workflows {

using InstanceFactory = std::unique_ptr<engine::Instance> (*)(uint32_t definition_version);

// The state an instance in `before` (empty: new) reaches with `payload`; empty if the table
// has no such transition. Only the state matters here: the machine's guards read the event,
// never the data.
std::string NextState(InstanceFactory make, std::string_view before, const EventEnvelope& envelope,
                      const engine::Message& payload);

// The instance id of the stream an event belongs to ("initiatives/ini-1" -> "ini-1").
std::string InstanceIdOf(const EventEnvelope& envelope);

// `payload` as an M, or nullptr if it is another message. A projection asks this several times
// per event: an exact type compare is one compare of type names, where a failed dynamic_cast
// compares them for every class up the hierarchy (and GetDescriptor() costs a call_once).
template <class M>
const M* As(const engine::Message& payload) {
  return typeid(payload) == typeid(M) ? static_cast<const M*>(&payload) : nullptr;
}

// Zero-padded, so that keys sort by position.
std::string PositionKey(uint64_t position);

}  // namespace wijkflow::workflows
