// Projection: a read model folded from the global log. The runner feeds it events in position
// order and commits the model's changes together with its checkpoint in one batch, so every
// event counts exactly once, across crashes too. A projection must be a pure function of the
// events it sees: dropping it and replaying the log rebuilds exactly the live model.
#pragma once

#include <google/protobuf/message.h>

#include <string>
#include <string_view>

#include "engine/workflow.h"

namespace wijkflow::engine {

// The model's keys as the projection sees them (the runner prefixes them with its name).
// Reads see the writes made before them, committed or not.
//
// Values can be read and written as bytes, or, for a projection whose ValueType() is a message
// type M, as messages: Find<M> and Edit<M> keep a value parsed between events and serialize it
// once per commit, however often it changed, which is what makes a rebuild fast. Pointers they
// return stay valid until the projection's Apply returns, or their key is deleted.
class ModelWriter {
 public:
  virtual ~ModelWriter() = default;
  virtual bool Get(const std::string& key, std::string* value) = 0;
  virtual void Put(const std::string& key, std::string value) = 0;
  virtual void Delete(const std::string& key) = 0;

  // The value at `key` as a message of the projection's ValueType; nullptr if there is none.
  // REQUIRES (Find, Edit, Put of a message): ValueType() is not nullptr.
  virtual const Message* Find(const std::string& key) = 0;
  // The value at `key` to change in place, created empty if there is none.
  virtual Message* Edit(const std::string& key) = 0;
  // The value at `key` made empty, to be filled in: what was there is not read (a key that is
  // new, such as one named after a stream's first event, then costs the store no lookup).
  virtual Message* Replace(const std::string& key) {
    Message* m = Edit(key);
    m->Clear();
    return m;
  }

  template <class M>
  const M* Find(const std::string& key) {
    return static_cast<const M*>(Find(key));
  }
  template <class M>
  M* Edit(const std::string& key) {
    return static_cast<M*>(Edit(key));
  }
  template <class M>
  M* Replace(const std::string& key) {
    return static_cast<M*>(Replace(key));
  }
  void Put(const std::string& key, const Message& value) { Replace(key)->CopyFrom(value); }
  // Writes a value under a key that nothing else writes (one named after the event's position,
  // say), and that the projection never reads, changes or deletes: it goes to the next commit as
  // it is, and costs the model no entry.
  virtual void Append(const std::string& key, const Message& value) { Put(key, value); }
};

class Projection {
 public:
  virtual ~Projection() = default;
  // Stable name: the model's key prefix, e.g. "round-budget". Path segment over HTTP.
  virtual std::string_view Name() const = 0;
  // Folds one event (with its decoded payload) into the model. The envelope carries no hashes:
  // they prove the log whole (EventStore::Verify), and say nothing a model could hold.
  virtual void Apply(const EventEnvelope& envelope, const Message& payload, ModelWriter& model) = 0;
  // The message type the model's values are serialized as, so that readers (e.g. the HTTP
  // adapter) can decode them; nullptr: the values are not protobuf messages (shown as text), and
  // the projection uses only the model's byte access.
  virtual const Message* ValueType() const { return nullptr; }

  // A second key readers find a value under, made from the value's key and the value itself
  // (e.g. "by-district/<district>/<state>/<id>"); empty: none for this value.
  using IndexFn = std::string (*)(std::string_view key, const Message& value);
  // The model's index, if it has one: the runner then keeps a copy of every value under its index
  // key, written at every commit with the value, and deletes the old index key once the value
  // moves or goes. The projection neither reads nor writes index keys itself, and a rebuild holds
  // one entry per value instead of two, each serialized once.
  // REQUIRES: ValueType() is not nullptr; index keys are never keys the projection writes.
  virtual IndexFn Index() const { return nullptr; }
};

}  // namespace wijkflow::engine
