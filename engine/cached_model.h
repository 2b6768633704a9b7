// CachedModel: the runner's view of one projection's model (see ProjectionRunner). Internal to
// the engine.
#pragma once

#include <algorithm>
#include <memory>
#include <optional>
#include <string>
#include <unordered_map>
#include <vector>

#include "engine/projection.h"
#include "events/event_store.h"

namespace wijkflow::engine {

// One projection's model as the runner sees it: a write-back cache over the store, kept across
// chunks, since a projection reads back mostly the keys it wrote a moment ago. Writes stay in the
// cache until Drain() hands them to the chunk's batch. A value is held as bytes, as a parsed
// message, or both, and converted only when asked for in the other form.
class CachedModel final : public ModelWriter {
 public:
  CachedModel(const EventStore* store, std::string prefix, const Message* prototype)
      : store_(store), prefix_(std::move(prefix)), prototype_(prototype) {}

  bool Get(const std::string& key, std::string* value) override {
    Entry& e = Load(key).second;
    if (!e.present) return false;
    if (!e.bytes_current) {
      e.message->SerializeToString(&e.bytes);
      e.bytes_current = true;
    }
    *value = e.bytes;
    return true;
  }
  void Put(const std::string& key, std::string value) override {
    Entry& e = Change(key, /*read=*/false);
    e.present = e.bytes_current = true;
    e.message_current = false;
    e.bytes = std::move(value);
  }
  void Delete(const std::string& key) override {
    Entry& e = Change(key, /*read=*/false);
    e.present = e.bytes_current = e.message_current = false;
    e.bytes.clear();
  }
  const Message* Find(const std::string& key) override {
    Entry& e = Load(key).second;
    return e.present ? Parsed(e) : nullptr;
  }
  Message* Edit(const std::string& key) override {
    Entry& e = Change(key, /*read=*/true);
    Message* m = e.present ? Parsed(e) : Blank(e);
    e.present = e.message_current = true;
    e.bytes_current = false;
    return m;
  }

  // Moves the writes since the last drain into `writes`, in key order: RocksDB inserts keys that
  // arrive in order next to each other, instead of searching its memtable for each.
  void Drain(std::vector<SideWrite>* writes) {
    std::sort(dirty_.begin(), dirty_.end(), [](const Map::value_type* a, const Map::value_type* b) {
      return a->first < b->first;
    });
    for (Map::value_type* kv : dirty_) {
      Entry& e = kv->second;
      bytes_ -= e.cost;
      if (e.present && !e.bytes_current) {
        e.message->SerializeToString(&e.bytes);
        e.bytes_current = true;
      }
      e.cost = Cost(kv->first, e);
      bytes_ += e.cost;
      writes->push_back({Space::kProjections, prefix_ + kv->first,
                         e.present ? std::optional<std::string>(e.bytes) : std::nullopt});
      e.dirty = false;
    }
    dirty_.clear();
  }
  // Forgets what is cached once it holds more than `budget` bytes. REQUIRES: drained.
  void Trim(size_t budget) {
    if (bytes_ > budget) Forget();
  }
  // Forgets everything cached, uncommitted writes too: later reads go to the store.
  void Forget() {
    entries_.clear();
    dirty_.clear();
    bytes_ = 0;
    complete_ = false;
  }
  // The model was dropped from the store: it is empty, and the cache knows all of it.
  void Dropped() {
    entries_.clear();
    dirty_.clear();
    bytes_ = 0;
    complete_ = true;
  }
  // Bytes held, as of the last drain.
  size_t bytes() const { return bytes_; }
  // Keys changed since the last drain.
  size_t dirty_keys() const { return dirty_.size(); }

 private:
  struct Entry {
    bool present = false;  // false: absent (deleted, or not in the store)
    bool dirty = false;
    bool bytes_current = false;
    bool message_current = false;
    std::string bytes;
    std::unique_ptr<Message> message;  // kept once made, so that it can be parsed into again
    size_t cost = 0;                   // what this entry adds to bytes_
  };
  using Map = std::unordered_map<std::string, Entry>;

  static size_t Cost(const std::string& key, const Entry& e) {
    constexpr size_t kOverhead = 96;  // node, hash slot and string headers, roughly
    return key.size() + kOverhead + (e.message ? 2 * e.bytes.size() + kOverhead : e.bytes.size());
  }

  // The entry of `key`; on a miss, read from the store if `read` (else left absent).
  Map::value_type& Load(const std::string& key, bool read = true) {
    auto [it, fresh] = entries_.try_emplace(key);
    Entry& e = it->second;
    // After a drop, until the first eviction, every key of the model is here: a miss is absent.
    if (fresh && read && !complete_) {
      e.present = e.bytes_current = store_->Get(Space::kProjections, prefix_ + key, &e.bytes).ok();
      if (!e.present) e.bytes.clear();
    }
    if (fresh) {
      e.cost = Cost(key, e);
      bytes_ += e.cost;
    }
    return *it;
  }
  // The entry of `key`, marked as changed.
  Entry& Change(const std::string& key, bool read) {
    Map::value_type& kv = Load(key, read);
    if (!kv.second.dirty) {
      kv.second.dirty = true;
      dirty_.push_back(&kv);  // node-based map: an element's address is stable
    }
    return kv.second;
  }
  Message* Parsed(Entry& e) {
    if (!e.message_current) {
      if (!e.message) e.message.reset(prototype_->New());
      // Bytes that do not parse read as an empty value, as the projection would start afresh.
      if (!e.message->ParseFromString(e.bytes)) e.message->Clear();
      e.message_current = true;
    }
    return e.message.get();
  }
  Message* Blank(Entry& e) {
    if (e.message) {
      e.message->Clear();
    } else {
      e.message.reset(prototype_->New());
    }
    return e.message.get();
  }

  const EventStore* store_;
  std::string prefix_;
  const Message* prototype_;  // ValueType(); nullptr: bytes only
  Map entries_;
  std::vector<Map::value_type*> dirty_;
  size_t bytes_ = 0;
  bool complete_ = false;
};

}  // namespace wijkflow::engine
