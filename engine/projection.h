// Projection: a read model folded from the global log. The runner feeds it events in position
// order and commits the model's changes together with its checkpoint in one batch, so every
// event counts exactly once, across crashes too. A projection must be a pure function of the
// events it sees: dropping it and replaying the log rebuilds exactly the live model.
#pragma once

#include <google/protobuf/message.h>

#include <cassert>
#include <string>
#include <string_view>
#include <type_traits>
#include <typeinfo>

#include "engine/workflow.h"

namespace wijkflow::engine {

// The model as a projection sees it: keys (the runner prefixes them with the projection's name)
// holding values of the projection's ValueType(), M below. Reads see the writes made before
// them, committed or not. Pointers returned stay valid until the projection's Apply returns, or
// their key is deleted.
//
// There is one way to write: Edit, which hands over the value at a key to be changed in place.
// A projection folds events into values, each event changing a few fields of what is there, and
// Edit says just that; a value made whole elsewhere is assigned through it (`*model.Edit<M>(key)
// = record`). A Put(key, value) would have every fold copy its value out and back in.
//
// How a value is kept (parsed, between events, and serialized once per commit), whether a key
// must be looked up in the store or is known to be new (in a rebuild, nothing is stored that the
// runner has not seen), and what stays cached after a commit, is the runner's business: the
// verbs say what the projection means, never what it costs.
class ModelWriter {
 public:
  virtual ~ModelWriter() = default;

  // The value at `key`; nullptr if there is none.
  template <class M>
  const M* Find(const std::string& key) {
    const Message* value = FindValue(key);
    CheckType<M>(value);
    return static_cast<const M*>(value);
  }
  // The value at `key`, to change in place; created empty if there is none.
  template <class M>
  M* Edit(const std::string& key) {
    Message* value = EditValue(key);
    CheckType<M>(value);
    return static_cast<M*>(value);
  }
  // Removes the value at `key`, if there is one.
  virtual void Delete(const std::string& key) = 0;

 protected:
  // Find and Edit, with the value as a message of the projection's ValueType().
  virtual const Message* FindValue(const std::string& key) = 0;
  virtual Message* EditValue(const std::string& key) = 0;

 private:
  template <class M>
  static void CheckType([[maybe_unused]] const Message* value) {
    static_assert(std::is_base_of_v<Message, M>, "a model's values are messages");
    assert(value == nullptr || typeid(*value) == typeid(M));  // M is the ValueType()
  }
};

class Projection {
 public:
  virtual ~Projection() = default;
  // Stable name: the model's key prefix, e.g. "round-budget". Path segment over HTTP.
  virtual std::string_view Name() const = 0;
  // Folds one event (with its decoded payload) into the model. The envelope carries no hashes:
  // they prove the log whole (EventStore::Verify), and say nothing a model could hold.
  virtual void Apply(const EventEnvelope& envelope, const Message& payload, ModelWriter& model) = 0;
  // The message type of the model's values (its default instance), which readers (e.g. the HTTP
  // adapter) decode them as. Never nullptr.
  virtual const Message* ValueType() const = 0;

  // A second key readers find a value under, made from the value's key and the value itself
  // (e.g. "by-district/<district>/<state>/<id>"); empty: none for this value.
  using IndexFn = std::string (*)(std::string_view key, const Message& value);
  // The model's index, if it has one: the runner then keeps a copy of every value under its index
  // key, written at every commit with the value, and deletes the old index key once the value
  // moves or goes. The projection neither reads nor writes index keys itself, and a rebuild holds
  // one entry per value instead of two, each serialized once.
  // REQUIRES: index keys are never keys the projection writes.
  virtual IndexFn Index() const { return nullptr; }
};

}  // namespace wijkflow::engine
