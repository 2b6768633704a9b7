// CachedModel: the runner's view of one projection's model (see ProjectionRunner). Internal to
// the engine.
#pragma once

#include <google/protobuf/arena.h>

#include <algorithm>
#include <cstdint>
#include <cstring>
#include <memory>
#include <new>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "engine/key_sort.h"
#include "engine/projection.h"
#include "events/event_store.h"
#include "events/store_maintenance.h"

namespace wijkflow::engine {

// One projection's model as the runner sees it: a write-back cache over the store, kept across
// chunks, since a projection reads back mostly the keys it wrote a moment ago. Writes stay in the
// cache until a drain (Drain, Write, Settle) hands them to the chunk's commit. A value is held as
// the bytes read from the store until the projection asks for it, then as a parsed message,
// serialized once per commit however often it changed.
//
// What the projection's one write verb (Edit) leaves to the runner, the model works out itself:
// while it knows the model whole (after a drop, until its first eviction), a key it does not hold
// is new, and costs no read of the store.
class CachedModel final : public ModelWriter {
 public:
  // REQUIRES: prototype is not nullptr (the projection's ValueType()).
  CachedModel(const EventStore* store, std::string prefix, const Message* prototype,
              Projection::IndexFn index = nullptr)
      : store_(store), prefix_(std::move(prefix)), prototype_(prototype), index_(index) {}

  void Delete(const std::string& key) override {
    // In a model known whole, a key that is not cached, or cached but not yet committed, is in no
    // store: forgetting it is all a delete takes (a rebuild's index keys come and go with every
    // change of state).
    if (complete_) {
      auto it = entries_.find(key);
      if (it == entries_.end()) return;
      if (!it->second->stored) return Erase(it);
    }
    Entry& e = Change(key, /*read=*/false);
    e.present = e.bytes_current = e.message_current = false;
    e.bytes.clear();
  }

  // Fetching ahead. In a model of many keys, an event's Apply mostly waits for memory: the key's
  // place in the map, its entry, its value, one after the other. The runner names the streams of
  // the events it applies, a batch at a time; the model remembers which entry the last event of
  // each stream read first (a stream's events mostly read the key named after it), and fetches,
  // a few events ahead of the one applied, their hints, then those entries, then their places in
  // the map and their values: misses side by side instead of one after the other, each stage one
  // window of events ahead of the next, and never so far ahead that the cache lets go of what it
  // fetched. A wrong guess costs a fetch.
  //
  // Called before event `k` of a batch of `n`, for every k from 0; `streams`: a hash of each
  // event's stream id.
  void FetchAhead(const std::vector<uint64_t>& streams, size_t n, size_t k) {
    // A model this small stays in the cache: fetching it would only cost the lookups.
    constexpr size_t kFetchFrom = 4096;
    if (k == 0) fetched_.assign(n, nullptr);
    if (k % kWindow != 0 || hints_.empty() || entries_.size() < kFetchFrom) return;
    if (k == 0) {
      for (size_t w = 0; w < 3; ++w) FetchHints(streams, w * kWindow, n);
      for (size_t w = 0; w < 2; ++w) FetchEntries(streams, w * kWindow, n);
      FetchValues(0, n);
    }
    FetchHints(streams, k + 3 * kWindow, n);
    FetchEntries(streams, k + 2 * kWindow, n);
    FetchValues(k + kWindow, n);
  }
  // The events applied from now on are of `stream` (a hash of its id), until the next call.
  void Begin(uint64_t stream) {
    stream_ = stream;
    hint_due_ = true;
  }

  // The writes since the last drain, index keys' included, serialized and sorted by key:
  // RocksDB inserts keys that arrive in order next to each other, instead of searching its
  // memtable for each, and a table file takes only sorted keys. Values are serialized side by
  // side into one buffer, and an index entry's copy is the same bytes: nothing is allocated per
  // value. Written out in parts (runs of keys, each of which can go to a table of its own, on a
  // thread of its own), then settled.
  class Drained {
   public:
    // Writes in key order, for Write's ranges (a delete that a write of the same key overrides
    // counts too: Write passes over it).
    size_t size() const { return order_.size(); }

   private:
    friend class CachedModel;
    struct Write {
      size_t offset = 0, size = 0;        // the value in `values_`
      const std::string* held = nullptr;  // or held elsewhere
      bool put = false;
    };
    std::string values_;
    std::vector<Write> writes_;
    std::vector<std::string> old_index_keys_;  // reserved: views of them stay valid
    std::vector<Keyed<Write>> order_;
    std::vector<size_t> sizes_;  // of each dirty entry's value, for Settle
  };

  // Serializes and sorts the writes since the last drain. A key made and deleted again since it
  // was last committed needs no write at all.
  void Drain(Drained* d) {
    *d = Drained();
    d->sizes_.reserve(dirty_.size());
    const size_t most = dirty_.size() * (index_ != nullptr ? 3 : 1);
    d->writes_.reserve(most);
    d->order_.reserve(most);
    d->old_index_keys_.reserve(index_ != nullptr ? dirty_.size() : 0);
    auto add = [&](std::string_view key, Drained::Write w) {
      d->writes_.push_back(w);
      d->order_.push_back({key, w.put ? 1 : 0, &d->writes_.back()});
    };
    for (Entry* entry : dirty_) {
      Entry& e = *entry;
      Drained::Write value;
      if (e.present && e.message_current) {
        value.offset = d->values_.size();
        e.message->AppendToString(&d->values_);
        value.size = d->values_.size() - value.offset;
        value.put = true;
      } else if (e.present) {
        value.held = &e.bytes;
        value.put = true;
      }
      d->sizes_.push_back(value.held != nullptr ? value.held->size() : value.size);
      if (value.put || e.stored) add(e.key(), value);
      if (index_ == nullptr) continue;
      // The index: a copy of the value under its index key, and its old key deleted if it moved.
      std::string key = value.put ? index_(e.key(), *Parsed(e)) : std::string();
      if (!e.indexed.empty() && e.indexed != key) {
        d->old_index_keys_.push_back(std::move(e.indexed));
        add(d->old_index_keys_.back(), Drained::Write());
      }
      e.indexed = std::move(key);
      if (!e.indexed.empty()) add(e.indexed, value);
    }
    SortByKey(d->order_.data(), d->order_.data() + d->order_.size());
  }
  // Hands the writes [begin, end) of `d` to `out`, in key order. Parts that do not overlap can
  // be written side by side: neither the model nor `d` is changed.
  void Write(const Drained& d, size_t begin, size_t end, SortedWrites& out) const {
    // Keys and values are read in key order, which is no order in memory: fetched ahead.
    constexpr size_t kAhead = 8;
    const auto& order = d.order_;
    std::string key = prefix_;
    for (size_t i = begin; i < end; ++i) {
      if (i + 2 * kAhead < end) __builtin_prefetch(order[i + 2 * kAhead].item);
      if (i + kAhead < end) {
        const Drained::Write& ahead = *order[i + kAhead].item;
        __builtin_prefetch(order[i + kAhead].key.data());
        if (ahead.held != nullptr) {
          __builtin_prefetch(ahead.held->data());
        } else {
          // The whole value, which the table copies: a line fetched alone leaves the rest missed.
          const char* at = d.values_.data() + ahead.offset;
          for (size_t line = 0; line < std::min<size_t>(ahead.size, 256); line += 64) {
            __builtin_prefetch(at + line);
          }
        }
      }
      // Where a key is both deleted (one value's old index key) and written (another's new one),
      // the write, ranked after the delete, wins. Without an index, every key is there once.
      if (index_ != nullptr && i + 1 < order.size() && order[i + 1].key == order[i].key) continue;
      key.resize(prefix_.size());
      key.append(order[i].key);
      const Drained::Write& w = *order[i].item;
      if (!w.put) {
        out.Delete(key);
      } else if (w.held != nullptr) {
        out.Put(key, *w.held);
      } else {
        out.Put(key, std::string_view(d.values_).substr(w.offset, w.size));
      }
    }
  }
  // After every write of `d` is committed: entries of keys gone from a model known whole are
  // forgotten; the others are measured again, given the sizes of their values.
  void Settle(const Drained& d) {
    for (size_t i = 0; i < dirty_.size(); ++i) {
      Entry& e = *dirty_[i];
      bytes_ -= e.cost;
      e.dirty = false;
      e.stored = e.present;
      if (!e.present && complete_) {
        Remove(entries_.find(e.key()));  // the other entries in dirty_ stay put
        continue;
      }
      if (e.present && e.message_current) {
        e.bytes.clear();  // held parsed: not kept twice
        e.bytes_current = false;
      }
      e.cost = Cost(e, d.sizes_[i]);
      bytes_ += e.cost;
    }
    dirty_.clear();
    if (!retired_.empty()) ForgetHints();  // what was retired is freed
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
        Entry& e = *it->second;
        if (pass == 0 && e.used) {
          e.used = false;
          ++it;
          continue;
        }
        auto gone = it++;
        Erase(gone);
      }
    }
    if (!retired_.empty()) ForgetHints();  // what was retired is freed
  }
  // After each batch of events. The values the batch made that none of its events read first
  // (the key a stream's events read first is the one they come back to) are most likely written
  // once and never read again: a register's entry per decision, say. They are kept serialized,
  // as the commit will want them, and their messages go to the next values made, rather than
  // each holding one parsed until the end of a rebuild. One read after all costs a parse.
  // Not for a model with an index, whose drain reads every changed value parsed.
  void EndBatch() {
    for (Entry* e : made_) {
      e->made = false;
      if (index_ != nullptr || e->hinted || !e->present || !e->message_current) continue;
      e->message->SerializeToString(&e->bytes);
      e->bytes_current = true;
      e->message_current = false;
      Recycle(*e);
      bytes_ -= e->cost;
      e->cost = Cost(*e, e->bytes.size());
      bytes_ += e->cost;
    }
    made_.clear();
  }
  // The model was dropped from the store: it is empty, and the cache knows all of it.
  void Dropped() { Clear(/*complete=*/true); }
  // Keys changed since the last drain.
  size_t dirty_count() const { return dirty_.size(); }
  // Bytes held, roughly: exact as of the last drain, guessed for values made since.
  size_t bytes() const { return bytes_; }

 private:
  const Message* FindValue(const std::string& key) override {
    Entry& e = Load(key);
    return e.present ? Parsed(e) : nullptr;
  }
  Message* EditValue(const std::string& key) override {
    Entry& e = Change(key, /*read=*/true);
    if (!e.present && !e.made) {
      e.made = true;
      made_.push_back(&e);
    }
    Message* m = e.present ? Parsed(e) : Blank(e);
    e.present = e.message_current = true;
    e.bytes_current = false;
    return m;
  }

  // A message on the heap is deleted with its owner; one on the model's arena, with the arena.
  struct MaybeDelete {
    void operator()(Message* m) const {
      if (m->GetArena() == nullptr) delete m;
    }
  };
  using MessagePtr = std::unique_ptr<Message, MaybeDelete>;
  // An entry is one allocation with its key's characters right behind it, where the map's key
  // points: a lookup that finds it reads one place in memory, not a node, then a key elsewhere,
  // each a cache miss in a model of a hundred thousand keys. Small fields last, next to the key.
  struct Entry {
    std::string bytes;
    std::string indexed;  // the index key the store holds a copy of the value under, if any
    MessagePtr message;   // kept once made, so that it can be parsed into again
    size_t cost = 0;      // what this entry adds to bytes_
    size_t dirty_at = 0;  // where in dirty_, if dirty
    uint32_t key_size = 0;
    bool present = false;  // false: absent (deleted, or not in the store)
    bool stored = false;   // the store may hold a value, as of the last drain
    bool dirty = false;
    bool used = true;     // used since the last eviction
    bool hinted = false;  // a hint may name it (see FetchAhead)
    bool made = false;    // made in this batch (see EndBatch)
    bool bytes_current = false;
    bool message_current = false;

    std::string_view key() const { return {reinterpret_cast<const char*>(this + 1), key_size}; }
    static Entry* Make(std::string_view key) {
      void* at = ::operator new(sizeof(Entry) + key.size());
      Entry* e = new (at) Entry;
      e->key_size = static_cast<uint32_t>(key.size());
      std::memcpy(reinterpret_cast<char*>(e + 1), key.data(), key.size());
      return e;
    }
    struct Free {
      void operator()(Entry* e) const {
        e->~Entry();
        ::operator delete(e);
      }
    };
  };
  using EntryPtr = std::unique_ptr<Entry, Entry::Free>;
  // Keys are views of their entries' own characters; entries stay put as the map grows.
  using Map = absl::flat_hash_map<std::string_view, EntryPtr>;

  // What an entry holds, roughly, given the size of its serialized value.
  static size_t Cost(const Entry& e, size_t value_bytes) {
    constexpr size_t kOverhead = 64;  // hash slot and entry, roughly
    return sizeof(Entry) + e.key_size + kOverhead + (e.message ? 2 * value_bytes + 96 : 0) +
           e.bytes.size() + e.indexed.size();
  }

  // The entry of `key`; on a miss, read from the store if `read` (else left absent).
  Entry& Load(const std::string& key, bool read = true) {
    // A projection mostly reads a key and then changes it: the second lookup is this compare,
    // with a copy of the key kept here (the entry itself may have left the cache since).
    if (last_ != nullptr && last_key_ == key) {
      last_->used = true;
      if (hint_due_) Hint(*last_);
      return *last_;
    }
    bool fresh = false;
    auto it = entries_.lazy_emplace(key, [&](const Map::constructor& make) {
      EntryPtr made(Entry::Make(key));
      const std::string_view view = made->key();
      make(view, std::move(made));
      fresh = true;
    });
    Entry& e = *it->second;
    last_ = &e;
    last_key_ = key;
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
      e.cost = Cost(e, e.bytes.size());
      bytes_ += e.cost;
    }
    if (hint_due_) Hint(e);
    return e;
  }
  static constexpr size_t kWindow = 16;     // events per stage of fetching ahead
  static constexpr size_t kValueLines = 4;  // cache lines fetched of a value
  // The window of events from `from`: their streams' places among the hints.
  void FetchHints(const std::vector<uint64_t>& streams, size_t from, size_t n) const {
    for (size_t i = from; i < std::min(from + kWindow, n); ++i) hints_.prefetch(streams[i]);
  }
  // Their hinted entries, key included.
  void FetchEntries(const std::vector<uint64_t>& streams, size_t from, size_t n) {
    for (size_t i = from; i < std::min(from + kWindow, n); ++i) {
      auto it = hints_.find(streams[i]);
      Entry* e = it == hints_.end() ? nullptr : it->second;
      fetched_[i] = e;
      if (e == nullptr) continue;
      // Not reading the entry (that would wait for it): its fields and a key of up to 64 bytes.
      const char* at = reinterpret_cast<const char*>(e);
      for (size_t line = 0; line < sizeof(Entry) + 64; line += 64) __builtin_prefetch(at + line);
      __builtin_prefetch(at + sizeof(Entry) + 63);
    }
  }
  // The entries' places in the map, and their values.
  void FetchValues(size_t from, size_t n) const {
    for (size_t i = from; i < std::min(from + kWindow, n); ++i) {
      const Entry* e = fetched_[i];
      if (e == nullptr) continue;
      entries_.prefetch(e->key());
      if (e->message) {
        // The message, and what was made with it on the arena (its strings, mostly).
        const char* at = reinterpret_cast<const char*>(e->message.get());
        for (size_t line = 0; line < kValueLines * 64; line += 64) __builtin_prefetch(at + line);
      }
    }
  }
  // The entry the current event reads first: the one to fetch for its stream's next event.
  void Hint(Entry& e) {
    hint_due_ = false;
    hints_[stream_] = &e;
    e.hinted = true;
  }
  // The entry of `key`, marked as changed. With an index, what is changed is read even if it is
  // replaced unseen: the index key of the value in the store must be known to be deleted.
  Entry& Change(const std::string& key, bool read) {
    Entry& e = Load(key, read || index_ != nullptr);
    if (!e.dirty) {
      e.dirty = true;
      e.dirty_at = dirty_.size();
      dirty_.push_back(&e);  // entries stay put
    }
    return e;
  }
  // Takes an entry out of the map, its change with it.
  void Erase(Map::iterator it) {
    Entry& e = *it->second;
    if (e.dirty) {
      dirty_[e.dirty_at] = dirty_.back();
      dirty_[e.dirty_at]->dirty_at = e.dirty_at;
      dirty_.pop_back();
    }
    bytes_ -= e.cost;
    Remove(it);
  }
  // Takes an entry out of the map. One a hint may name is kept (retired) until the hints are
  // forgotten, so that FetchAhead never reads freed memory; a few thousand at most.
  void Remove(Map::iterator it) {
    constexpr size_t kMostRetired = 4096;
    Entry& e = *it->second;
    if (last_ == &e) last_ = nullptr;
    if (e.made) std::erase(made_, &e);  // a batch makes a few hundred values at most
    Recycle(e);
    if (e.hinted) retired_.push_back(std::move(it->second));
    entries_.erase(it);
    if (retired_.size() > kMostRetired) ForgetHints();
  }
  void ForgetHints() {
    hints_.clear();
    retired_.clear();
    std::fill(fetched_.begin(), fetched_.end(), nullptr);
  }
  void Clear(bool complete) {
    last_ = nullptr;
    // Whatever holds a message goes before the arena that may hold it.
    ForgetHints();
    entries_.clear();
    spare_.clear();
    arena_.Reset();
    dirty_.clear();
    made_.clear();
    bytes_ = 0;
    complete_ = complete;
  }
  static google::protobuf::ArenaOptions ArenaOptions() {
    google::protobuf::ArenaOptions options;
    options.max_block_size = size_t{1} << 20;
    return options;
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
      // In a model known whole (a rebuild's), on the arena: a value's strings are made right
      // behind it, where fetching ahead finds them, and cost no heap. Once the model is not (an
      // eviction), on the heap: what the arena holds is freed only with the whole model.
      e.message.reset(prototype_->New(complete_ ? &arena_ : nullptr));
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
  const Message* prototype_;  // ValueType()
  Projection::IndexFn index_;
  google::protobuf::Arena arena_{ArenaOptions()};  // before what holds messages made on it
  Map entries_;
  std::vector<Entry*> dirty_;
  Entry* last_ = nullptr;  // the entry Load returned last
  std::string last_key_;   // its key
  // Fetching ahead: per stream (a hash of its id), the entry its last event read first.
  absl::flat_hash_map<uint64_t, Entry*> hints_;
  std::vector<EntryPtr> retired_;  // out of the map, but a hint may name them
  std::vector<Entry*> fetched_;    // per event of the batch, the entry fetched for it
  uint64_t stream_ = 0;            // of the event being applied
  bool hint_due_ = false;          // its first read is yet to come
  std::vector<MessagePtr> spare_;
  std::vector<Entry*> made_;  // values made in this batch, to be looked at by EndBatch
  size_t bytes_ = 0;
  bool complete_ = false;
};

}  // namespace wijkflow::engine
