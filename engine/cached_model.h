// CachedModel: the runner's view of one projection's model (see ProjectionRunner). Internal to
// the engine.
#pragma once

#include <algorithm>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "absl/container/node_hash_map.h"
#include "engine/key_sort.h"
#include "engine/projection.h"
#include "events/event_store.h"

namespace wijkflow::engine {

// One projection's model as the runner sees it: a write-back cache over the store, kept across
// chunks, since a projection reads back mostly the keys it wrote a moment ago. Writes stay in the
// cache until Drain() hands them to the chunk's batch. A value is held as bytes, as a parsed
// message, or both, and converted only when asked for in the other form.
class CachedModel final : public ModelWriter {
 public:
  CachedModel(const EventStore* store, std::string prefix, const Message* prototype,
              Projection::IndexFn index = nullptr)
      : store_(store), prefix_(std::move(prefix)), prototype_(prototype), index_(index) {}

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
    // In a model known whole, a key that is not cached, or cached but not yet committed, is in no
    // store: forgetting it is all a delete takes (a rebuild's index keys come and go with every
    // change of state).
    if (complete_) {
      auto it = entries_.find(key);
      if (it == entries_.end()) return;
      if (!it->second.stored) return Erase(it);
    }
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
  void Append(const std::string& key, const Message& value) override {
    appended_.emplace_back(key, value.SerializeAsString());
    bytes_ += key.size() + appended_.back().second.size();
  }
  Message* Replace(const std::string& key) override {
    Entry& e = Change(key, /*read=*/false);
    Message* m = Blank(e);
    e.present = e.message_current = true;
    e.bytes_current = false;
    return m;
  }

  // Moves the writes since the last drain, index keys' included, into `writes`, in key order:
  // RocksDB inserts keys that arrive in order next to each other, instead of searching its
  // memtable for each, and a table file takes only sorted keys. A key made and deleted again
  // since it was last committed needs no write at all.
  void Drain(std::vector<SideWrite>* writes) {
    std::vector<SideWrite> drained;  // in no order yet
    drained.reserve(dirty_.size() * (index_ != nullptr ? 2 : 1) + appended_.size());
    for (Map::value_type* kv : dirty_) {
      Entry& e = kv->second;
      bytes_ -= e.cost;
      e.dirty = false;
      std::optional<std::string> value;  // nullopt: the key is gone
      if (e.present && e.message_current) {
        // Held parsed: the serialized bytes go to the batch, not kept twice.
        value.emplace();
        e.message->SerializeToString(&*value);
        e.bytes.clear();
        e.bytes_current = false;
      } else if (e.present) {
        value = e.bytes;
      }
      const size_t value_bytes = value ? value->size() : 0;
      if (index_ != nullptr) Reindex(*kv, value, &drained);
      if (value || e.stored) {
        drained.push_back({Space::kProjections, prefix_ + kv->first, std::move(value)});
      }
      e.stored = e.present;
      if (!e.present && complete_) {
        if (last_ == kv) last_ = nullptr;
        Recycle(e);
        entries_.erase(kv->first);  // node-based map: the other pointers in dirty_ stay valid
        continue;
      }
      e.cost = Cost(kv->first, e, value_bytes);
      bytes_ += e.cost;
    }
    dirty_.clear();
    for (auto& [key, value] : appended_) {
      bytes_ -= key.size() + value.size();
      drained.push_back({Space::kProjections, prefix_ + key, std::move(value)});
    }
    appended_.clear();
    // Where a key is both deleted (one value's old index key) and written (another's new one),
    // the write, ranked after the delete, wins. Without an index, every key is there once.
    std::vector<Keyed<SideWrite>> order;
    order.reserve(drained.size());
    for (SideWrite& w : drained) order.push_back({w.key, w.value ? 1 : 0, &w});
    SortByKey(order.data(), order.data() + order.size());
    writes->reserve(writes->size() + order.size());
    for (size_t i = 0; i < order.size(); ++i) {
      if (index_ != nullptr && i + 1 < order.size() && order[i + 1].key == order[i].key) continue;
      writes->push_back(std::move(*order[i].item));
    }
  }
  // Forgets everything cached, uncommitted writes too: later reads go to the store.
  void Forget() { Clear(/*complete=*/false); }
  // Drops committed entries until at most `target` bytes are held, sparing on a first pass those
  // used since the last eviction (a second chance, as a clock would give). Evicting a few entries
  // at a time keeps the hot ones and spreads the cost of freeing; a miss then reads the store.
  // REQUIRES: nothing uncommitted (called after a drain).
  void Evict(size_t target) {
    if (bytes_ <= target) return;
    complete_ = false;  // a key not cached may now be in the store
    for (int pass = 0; pass < 2 && bytes_ > target; ++pass) {
      for (auto it = entries_.begin(); it != entries_.end() && bytes_ > target;) {
        Entry& e = it->second;
        if (pass == 0 && e.used) {
          e.used = false;
          ++it;
          continue;
        }
        auto gone = it++;
        Erase(gone);
      }
    }
  }
  // The model was dropped from the store: it is empty, and the cache knows all of it.
  void Dropped() { Clear(/*complete=*/true); }
  // Keys changed since the last drain.
  size_t dirty_count() const { return dirty_.size() + appended_.size(); }
  // Bytes held, roughly: exact as of the last drain, guessed for values made since.
  size_t bytes() const { return bytes_; }

 private:
  struct Entry {
    bool present = false;  // false: absent (deleted, or not in the store)
    bool stored = false;   // the store may hold a value, as of the last drain
    bool dirty = false;
    bool used = true;     // used since the last eviction
    size_t dirty_at = 0;  // where in dirty_, if dirty
    bool bytes_current = false;
    bool message_current = false;
    std::string bytes;
    std::string indexed;  // the index key the store holds a copy of the value under, if any
    std::unique_ptr<Message> message;  // kept once made, so that it can be parsed into again
    size_t cost = 0;                   // what this entry adds to bytes_
  };
  using Map = absl::node_hash_map<std::string, Entry>;  // stable addresses, for dirty_

  // What an entry holds, roughly, given the size of its serialized value.
  static size_t Cost(const std::string& key, const Entry& e, size_t value_bytes) {
    constexpr size_t kOverhead = 96;  // node, hash slot and string headers, roughly
    return key.size() + kOverhead + (e.message ? 2 * value_bytes + kOverhead : 0) + e.bytes.size() +
           e.indexed.size();
  }

  // The entry of `key`; on a miss, read from the store if `read` (else left absent).
  Map::value_type& Load(const std::string& key, bool read = true) {
    // A projection mostly reads a key and then changes it: the second lookup is this compare.
    if (last_ != nullptr && last_->first == key) {
      last_->second.used = true;
      return *last_;
    }
    auto [it, fresh] = entries_.try_emplace(key);
    last_ = &*it;
    Entry& e = it->second;
    e.used = true;
    // After a drop, until the first eviction, every key of the model is here: a miss is absent.
    if (fresh && !complete_) {
      if (read) {
        e.present = e.bytes_current =
            store_->Get(Space::kProjections, prefix_ + key, &e.bytes).ok();
        if (!e.present) e.bytes.clear();
        e.stored = e.present;
        // The stored value's index key, to be deleted once the value moves or goes.
        if (e.present && index_ != nullptr) e.indexed = index_(key, *Parsed(e));
      } else {
        e.stored = true;  // not read, so not known: a delete must reach the store
      }
    }
    if (fresh) {
      e.cost = Cost(key, e, e.bytes.size());
      bytes_ += e.cost;
    }
    return *it;
  }
  // The entry of `key`, marked as changed. With an index, what is changed is read even if it is
  // replaced unseen: the index key of the value in the store must be known to be deleted.
  Entry& Change(const std::string& key, bool read) {
    Map::value_type& kv = Load(key, read || index_ != nullptr);
    if (!kv.second.dirty) {
      kv.second.dirty = true;
      kv.second.dirty_at = dirty_.size();
      dirty_.push_back(&kv);  // node-based map: an element's address is stable
    }
    return kv.second;
  }
  // Adds to `out` the index writes of an entry whose committed value is now `value` (nullopt:
  // none): a copy under its index key, and a delete of the index key it had, if that changed.
  void Reindex(Map::value_type& kv, const std::optional<std::string>& value,
               std::vector<SideWrite>* out) {
    Entry& e = kv.second;
    std::string key = value ? index_(kv.first, *Parsed(e)) : std::string();
    if (!e.indexed.empty() && e.indexed != key) {
      out->push_back({Space::kProjections, prefix_ + e.indexed, std::nullopt});
    }
    if (!key.empty()) out->push_back({Space::kProjections, prefix_ + key, *value});
    e.indexed = std::move(key);
  }
  void Erase(Map::iterator it) {
    if (last_ == &*it) last_ = nullptr;
    Entry& e = it->second;
    if (e.dirty) {
      dirty_[e.dirty_at] = dirty_.back();
      dirty_[e.dirty_at]->second.dirty_at = e.dirty_at;
      dirty_.pop_back();
    }
    bytes_ -= e.cost;
    Recycle(e);
    entries_.erase(it);
  }
  void Clear(bool complete) {
    last_ = nullptr;
    entries_.clear();
    dirty_.clear();
    appended_.clear();
    bytes_ = 0;
    complete_ = complete;
  }
  // Keeps an erased entry's message for the next key that needs one: its strings keep their
  // buffers, so that the index entries a rebuild makes and erases by the million cost no heap.
  void Recycle(Entry& e) {
    constexpr size_t kSpares = 256;
    if (e.message && spare_.size() < kSpares) spare_.push_back(std::move(e.message));
  }
  Message* Parsed(Entry& e) {
    if (!e.message_current) {
      if (!e.message) NewMessage(e);
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
      NewMessage(e);
    }
    return e.message.get();
  }
  // Until the next drain measures it, a new message is guessed at this many bytes.
  void NewMessage(Entry& e) {
    constexpr size_t kMessageGuess = 384;
    if (spare_.empty()) {
      e.message.reset(prototype_->New());
    } else {
      e.message = std::move(spare_.back());
      spare_.pop_back();
      e.message->Clear();
    }
    e.cost += kMessageGuess;
    bytes_ += kMessageGuess;
  }

  const EventStore* store_;
  std::string prefix_;
  const Message* prototype_;  // ValueType(); nullptr: bytes only
  Projection::IndexFn index_;
  Map entries_;
  std::vector<Map::value_type*> dirty_;
  std::vector<std::pair<std::string, std::string>> appended_;  // since the last drain
  Map::value_type* last_ = nullptr;  // the entry Load returned last (node-based map: stable)
  std::vector<std::unique_ptr<Message>> spare_;
  size_t bytes_ = 0;
  bool complete_ = false;
};

}  // namespace wijkflow::engine
