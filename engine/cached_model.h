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

  // Hands the writes since the last drain, index keys' included, to `out`, in key order:
  // RocksDB inserts keys that arrive in order next to each other, instead of searching its
  // memtable for each, and a table file takes only sorted keys. A key made and deleted again
  // since it was last committed needs no write at all. Values are serialized side by side into
  // one buffer, and an index entry's copy is the same bytes: nothing is allocated per value.
  void Drain(SortedWrites& out) {
    struct Write {
      size_t offset = 0, size = 0;        // the value in `values`
      const std::string* held = nullptr;  // or held elsewhere
      bool put = false;
    };
    std::string values;
    std::vector<Write> writes;
    std::vector<std::string> old_index_keys;  // reserved: views of them stay valid
    std::vector<Keyed<Write>> order;
    std::vector<size_t> sizes;  // of each dirty entry's value, for Settled
    sizes.reserve(dirty_.size());
    const size_t most = dirty_.size() * (index_ != nullptr ? 3 : 1) + appended_.size();
    writes.reserve(most);
    order.reserve(most);
    old_index_keys.reserve(index_ != nullptr ? dirty_.size() : 0);
    auto add = [&](std::string_view key, Write w) {
      writes.push_back(w);
      order.push_back({key, w.put ? 1 : 0, &writes.back()});
    };
    for (Map::value_type* kv : dirty_) {
      Entry& e = kv->second;
      Write value;
      if (e.present && e.message_current) {
        value.offset = values.size();
        e.message->AppendToString(&values);
        value.size = values.size() - value.offset;
        value.put = true;
      } else if (e.present) {
        value.held = &e.bytes;
        value.put = true;
      }
      sizes.push_back(value.held != nullptr ? value.held->size() : value.size);
      if (value.put || e.stored) add(kv->first, value);
      if (index_ == nullptr) continue;
      // The index: a copy of the value under its index key, and its old key deleted if it moved.
      std::string key = value.put ? index_(kv->first, *Parsed(e)) : std::string();
      if (!e.indexed.empty() && e.indexed != key) {
        old_index_keys.push_back(std::move(e.indexed));
        add(old_index_keys.back(), Write());
      }
      e.indexed = std::move(key);
      if (!e.indexed.empty()) add(e.indexed, value);
    }
    for (const auto& [key, value] : appended_) add(key, {0, 0, &value, true});
    // Where a key is both deleted (one value's old index key) and written (another's new one),
    // the write, ranked after the delete, wins. Without an index, every key is there once.
    SortByKey(order.data(), order.data() + order.size());
    std::string key = prefix_;
    for (size_t i = 0; i < order.size(); ++i) {
      if (index_ != nullptr && i + 1 < order.size() && order[i + 1].key == order[i].key) continue;
      key.resize(prefix_.size());
      key.append(order[i].key);
      const Write& w = *order[i].item;
      if (!w.put) {
        out.Delete(key);
      } else if (w.held != nullptr) {
        out.Put(key, *w.held);
      } else {
        out.Put(key, std::string_view(values).substr(w.offset, w.size));
      }
    }
    Settled(sizes);
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
  // After a drain: every change is committed. Entries of keys gone from a model known whole are
  // forgotten; the others are measured again, given the sizes of their values.
  void Settled(const std::vector<size_t>& sizes) {
    for (size_t i = 0; i < dirty_.size(); ++i) {
      Map::value_type* kv = dirty_[i];
      Entry& e = kv->second;
      bytes_ -= e.cost;
      e.dirty = false;
      e.stored = e.present;
      if (!e.present && complete_) {
        if (last_ == kv) last_ = nullptr;
        Recycle(e);
        entries_.erase(kv->first);  // node-based map: the other pointers in dirty_ stay valid
        continue;
      }
      if (e.present && e.message_current) {
        e.bytes.clear();  // held parsed: not kept twice
        e.bytes_current = false;
      }
      e.cost = Cost(kv->first, e, sizes[i]);
      bytes_ += e.cost;
    }
    dirty_.clear();
    for (const auto& [key, value] : appended_) bytes_ -= key.size() + value.size();
    appended_.clear();
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
