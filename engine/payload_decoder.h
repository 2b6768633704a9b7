// PayloadDecoder: DecodePayload (engine/engine.h) for loops over many events, such as the
// projection runner's, a replay's or an export's. Internal to the engine and its tools: it shows
// the protobuf arena, which the engine's public headers keep out of sight.
#pragma once

#include <google/protobuf/arena.h>

#include <string>
#include <unordered_map>

#include "engine/workflow.h"

namespace wijkflow::engine {

// Looks each event type up once, and makes the messages on an arena that the caller resets
// between batches, so that a long scan neither searches the descriptor pool nor allocates from
// the heap per event. Not thread-safe: one per thread.
class PayloadDecoder {
 public:
  // The decoded payload, made on `arena` (valid until it is reset or destroyed); nullptr as
  // DecodePayload. REQUIRES: arena is not nullptr (nothing else would free the message).
  const Message* Decode(const EventEnvelope& envelope, google::protobuf::Arena* arena);

 private:
  std::unordered_map<std::string, const Message*> prototypes_;  // nullptr: unknown type
};

}  // namespace wijkflow::engine
