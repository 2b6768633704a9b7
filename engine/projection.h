// Projection: a read model folded from the global log. The runner feeds it events in position
// order and commits the model's changes together with its checkpoint in one batch, so every
// event counts exactly once, across crashes too. A projection must be a pure function of the
// events it sees: dropping it and replaying the log rebuilds exactly the live model.
#pragma once

#include <functional>
#include <map>
#include <optional>
#include <string>
#include <string_view>

#include "engine/workflow.h"

namespace wijkflow::engine {

// The model's keys as the projection sees them (the runner prefixes them with its name).
// Reads see the writes buffered before them in the same batch.
class ModelWriter {
 public:
  virtual ~ModelWriter() = default;
  virtual bool Get(const std::string& key, std::string* value) = 0;
  virtual void Put(const std::string& key, std::string value) = 0;
  virtual void Delete(const std::string& key) = 0;
};

class Projection {
 public:
  virtual ~Projection() = default;
  // Stable name: the model's key prefix, e.g. "round-budget". Path segment over HTTP.
  virtual std::string_view Name() const = 0;
  // Folds one event (with its decoded payload) into the model.
  virtual void Apply(const EventEnvelope& envelope, const Message& payload, ModelWriter& model) = 0;
  // The message type the model's values are serialized as, so that readers (e.g. the HTTP
  // adapter) can decode them; nullptr: the values are not protobuf messages (shown as text).
  virtual const Message* ValueType() const { return nullptr; }
};

}  // namespace wijkflow::engine
