// Layout: a model key K of projection P is stored in Space::kProjections as "P/" K; P's
// checkpoint (the last position it applied) in Space::kMeta as "checkpoint/" P, as BE64.
#include "engine/projection_runner.h"

#include <algorithm>
#include <atomic>
#include <condition_variable>
#include <functional>
#include <iterator>
#include <mutex>
#include <thread>
#include <vector>

#include "engine/apply_pool.h"
#include "engine/cached_model.h"
#include "engine/payload_decoder.h"
#include "events/format.h"
#include "events/keys.h"
#include "events/store_maintenance.h"

namespace wijkflow::engine {
namespace {

// Events are read and decoded in batches of this many, and applied batch by batch.
constexpr size_t kBatch = 1024;
// Batches read ahead of the projection furthest behind, at most (the ring of batches).
constexpr size_t kBatches = 4;

std::string CheckpointKey(std::string_view name) { return "checkpoint/" + std::string(name); }

}  // namespace

class ProjectionRunner::Impl {
 public:
  Impl(EventStore* store, const WorkflowRegistry* registry, const Options& options)
      : store_(store), options_(options), batches_(kBatches) {
    for (const auto& p : registry->projections()) {
      std::string cp;
      uint64_t at = 0;
      const Status read = store_->Get(Space::kMeta, CheckpointKey(p->Name()), &cp);
      if (read.ok() && cp.size() == 8) at = keys::DecodeBE64(cp.data());
      std::string prefix = std::string(p->Name()) + "/";
      entries_.push_back(std::unique_ptr<Entry>(
          new Entry{p.get(), prefix, at, CachedModel(store_, prefix, p->ValueType(), p->Index())}));
      // A model without a checkpoint has nothing in the store: its changes are only ever
      // committed with its checkpoint, and dropped with it. The cache knows it whole, and a key
      // it has not seen is new, without a read (a new store's first catch-up, a new projection's).
      if (read.IsNotFound()) entries_.back()->model.Dropped();
    }
    pool_ = std::make_unique<ApplyPool>(
        options.threads > 1 ? options.threads - 1 : 0, entries_.size(), kBatches,
        [this](size_t slot) { Prepare(slot); },
        [this](size_t entry, size_t slot) { Apply(entry, slot); });
    PublishLowest();
  }
  ~Impl() { Stop(); }

  Status CatchUp() {
    for (;;) {
      bool more = false;
      Status s = Step(&more);
      if (!s.ok() || !more) return s;
    }
  }

  void Start() {
    if (thread_.joinable()) return;
    stop_ = false;
    thread_ = std::thread([this] {
      while (!stop_) {
        bool more = false;
        if (!Step(&more).ok()) more = false;
        if (!more && store_->WaitForPosition(lowest_ + 1, std::chrono::milliseconds(100)) &&
            options_.gather.count() > 0) {
          std::this_thread::sleep_for(options_.gather);
        }
      }
    });
  }

  void Stop() {
    stop_ = true;
    if (thread_.joinable()) thread_.join();
  }

  bool WaitFor(uint64_t position, std::chrono::milliseconds timeout) const {
    std::unique_lock<std::mutex> lock(mu_);
    return cv_.wait_for(lock, timeout, [&] { return lowest_ >= position; });
  }

  // Drops the models and checkpoints of `names` (empty: all) in one batch.
  Status Drop(const std::vector<std::string_view>& names) {
    std::vector<Entry*> dropped;
    for (std::string_view name : names) {
      Entry* e = Find(name);
      if (e == nullptr) return Status::NotFound("no projection '" + std::string(name) + "'");
      dropped.push_back(e);
    }
    if (names.empty()) {
      for (auto& e : entries_) dropped.push_back(e.get());
    }
    std::lock_guard<std::mutex> step_lock(step_mu_);
    std::vector<SideWrite> writes;
    for (Entry* e : dropped) {
      writes.push_back(
          SideWrite::DeleteRange(Space::kProjections, e->prefix, PrefixEnd(e->prefix)));
      writes.push_back({Space::kMeta, CheckpointKey(e->projection->Name()), std::nullopt});
    }
    Status s = store_->Write(writes, true);
    if (!s.ok()) return s;
    {
      std::lock_guard<std::mutex> lock(mu_);
      for (Entry* e : dropped) e->checkpoint = 0;
    }
    for (Entry* e : dropped) e->model.Dropped();
    PublishLowest();
    return Status::OK();
  }

  uint64_t Checkpoint(std::string_view name) const {
    std::lock_guard<std::mutex> lock(mu_);
    const Entry* e = Find(name);
    return e ? e->checkpoint : 0;
  }

  Status Scan(std::string_view name, const std::string& begin, const std::string& end,
              const std::function<bool(const std::string&, const std::string&)>& fn) const {
    const std::string prefix = std::string(name) + "/";
    const size_t n = prefix.size();
    return store_->Scan(
        Space::kProjections, prefix + begin, end.empty() ? PrefixEnd(prefix) : prefix + end,
        [&](const std::string& k, const std::string& v) { return fn(k.substr(n), v); });
  }

  const EventStore* store() const { return store_; }

 private:
  struct Entry {
    Projection* projection;
    std::string prefix;
    uint64_t checkpoint;  // guarded by mu_ for readers; written under step_mu_
    CachedModel model;    // used under step_mu_, by one thread at a time
    // The model's bytes() as of its last batch: read while another thread applies the next.
    std::atomic<size_t> cached_bytes{0};
  };
  struct Staged {
    const EventEnvelope* envelope = nullptr;  // both on the batch's arena
    const Message* payload = nullptr;
  };
  // Events as read (records back to back), then as the pool prepares them (parsed, decoded).
  struct Batch {
    Batch() : arena(ArenaFor(block)) {}
    // Parsed messages go on the arena, which is emptied at once for the next batch: a message
    // parsed into a reused one (off any arena) would free and make again each part it holds
    // (actor, times), which cost a quarter of the parsing.
    static google::protobuf::ArenaOptions ArenaFor(std::vector<char>& block) {
      block.resize(size_t{2} << 20);  // about what a batch takes: further blocks are rare
      google::protobuf::ArenaOptions options;
      options.initial_block = block.data();
      options.initial_block_size = block.size();
      options.max_block_size = size_t{1} << 20;
      return options;
    }
    std::string records;
    std::vector<std::pair<uint64_t, size_t>> ends;  // each record's position and end
    std::vector<Staged> slots;
    // A hash of each event's stream id (see CachedModel::FetchAhead).
    std::vector<uint64_t> streams;
    size_t size = 0;  // events parsed into slots
    std::vector<char> block;
    google::protobuf::Arena arena;
    PayloadDecoder decoder;
  };

  static std::string PrefixEnd(std::string prefix) {
    prefix.back() = static_cast<char>(prefix.back() + 1);  // prefixes end in '/'
    return prefix;
  }

  Entry* Find(std::string_view name) const {
    for (const auto& e : entries_) {
      if (e->projection->Name() == name) return e.get();
    }
    return nullptr;
  }

  // Applies up to one chunk of the log to every projection behind it, and commits models and
  // checkpoints in one batch. Sets *more if the log may have more to give.
  Status Step(bool* more) {
    std::lock_guard<std::mutex> step_lock(step_mu_);
    if (entries_.empty()) return Status::OK();
    size_t applied = 0;
    uint64_t last = 0;
    *more = false;
    // Between steps the models hold still: measured here, then after every batch applied.
    for (auto& e : entries_) e->cached_bytes.store(e->model.bytes(), std::memory_order_relaxed);
    unparsed_ = Status::OK();
    unparsed_at_ = UINT64_MAX;
    Batch* batch = Fill();
    Status s = store_->Maintenance().ScanRecords(
        lowest_ + 1, [&](uint64_t position, std::string_view record) {
          last = position;
          batch->records.append(record);
          batch->ends.emplace_back(position, batch->records.size());
          if (++applied % kBatch == 0) {
            pool_->Publish();
            *more = applied >= options_.chunk_events || CachedBytes() > options_.model_cache_bytes;
            if (!*more) batch = Fill();
          }
          return !*more && unparsed_at_ == UINT64_MAX;
        });
    if (applied % kBatch != 0) pool_->Publish();
    pool_->Settle();
    if (s.ok()) {
      std::lock_guard<std::mutex> lock(mu_);
      s = unparsed_;
    }
    if (!s.ok()) {
      for (auto& e : entries_) e->model.Forget();  // what was applied is not committed
      return s;
    }
    if (applied == 0) return s;
    // The models' changes are serialized and sorted side by side (a rebuild's one commit holds
    // every key of every model), then written with the checkpoints in one batch, or as tables
    // (a large model's in parts, see Options::table_part_writes).
    size_t dirty = 0;
    for (const auto& e : entries_) dirty += e->model.dirty_count();
    const bool as_tables = dirty >= options_.table_writes_from;
    std::vector<CachedModel::Drained> drained(entries_.size());
    pool_->ForEach(entries_.size(), [&](size_t i) { entries_[i]->model.Drain(&drained[i]); });
    std::vector<Part> parts;
    const size_t most = std::max<size_t>(1, options_.table_part_writes);
    for (size_t i = 0; i < entries_.size(); ++i) {
      const size_t n = drained[i].size();
      const size_t k = as_tables ? std::max<size_t>(1, (n + most - 1) / most) : 1;
      for (size_t j = 0; j < k; ++j) {
        Part& part = parts.emplace_back();
        part.entry = i;
        part.begin = n * j / k;
        part.end = n * (j + 1) / k;
      }
    }
    pool_->ForEach(parts.size(), [&](size_t p) {
      Part& part = parts[p];
      const CachedModel& model = entries_[part.entry]->model;
      if (!as_tables) {
        SideWriteList list(&part.writes);
        model.Write(drained[part.entry], part.begin, part.end, list);
        return;
      }
      std::unique_ptr<TableWriter> table;
      part.status = store_->Maintenance().NewTable(Space::kProjections, &table);
      if (!part.status.ok()) return;
      model.Write(drained[part.entry], part.begin, part.end, *table);
      part.status = table->Finish(&part.path);
    });
    std::string cp;
    keys::PutBE64(&cp, last);
    std::vector<SideWrite> checkpoints;
    for (const auto& e : entries_) {
      if (e->checkpoint < last) {
        checkpoints.push_back({Space::kMeta, CheckpointKey(e->projection->Name()), cp});
      }
    }
    if (as_tables) {
      s = CommitTables(parts, &checkpoints);
    } else {
      std::vector<SideWrite> writes;
      for (auto& p : parts) std::move(p.writes.begin(), p.writes.end(), std::back_inserter(writes));
      std::move(checkpoints.begin(), checkpoints.end(), std::back_inserter(writes));
      s = store_->Write(writes, false);
    }
    if (!s.ok()) {
      // The cached writes were not committed: forget them, and read the model from the store.
      for (auto& e : entries_) e->model.Forget();
      return s;
    }
    pool_->ForEach(entries_.size(), [&](size_t i) { entries_[i]->model.Settle(drained[i]); });
    {
      std::lock_guard<std::mutex> lock(mu_);
      for (auto& e : entries_) e->checkpoint = std::max(e->checkpoint, last);
    }
    TrimModels();
    PublishLowest();
    return Status::OK();
  }

  // Writes in key order, as side writes of the projections' space (for a commit in one batch).
  class SideWriteList final : public SortedWrites {
   public:
    explicit SideWriteList(std::vector<SideWrite>* writes) : writes_(writes) {}
    void Put(std::string_view key, std::string_view value) override {
      writes_->push_back({Space::kProjections, std::string(key), std::string(value)});
    }
    void Delete(std::string_view key) override {
      writes_->push_back({Space::kProjections, std::string(key), std::nullopt});
    }

   private:
    std::vector<SideWrite>* writes_;
  };

  // A run of a model's drained writes [begin, end), written as side writes or as a table file
  // (no path: it had no writes).
  struct Part {
    size_t entry = 0, begin = 0, end = 0;
    std::vector<SideWrite> writes;
    std::string path;
    Status status;
  };

  // Ingests the parts' tables with one more of the checkpoints, in one atomic step. A table not
  // ingested (a write failed) stays in the store's table directory until its next open.
  Status CommitTables(const std::vector<Part>& parts, std::vector<SideWrite>* checkpoints) {
    std::vector<std::pair<Space, std::string>> ingest;
    for (const Part& p : parts) {
      if (!p.status.ok()) return p.status;
      if (!p.path.empty()) ingest.emplace_back(Space::kProjections, p.path);
    }
    if (!checkpoints->empty()) {
      std::sort(checkpoints->begin(), checkpoints->end(),
                [](const SideWrite& a, const SideWrite& b) { return a.key < b.key; });
      std::string path;
      if (Status s = store_->Maintenance().WriteTable(Space::kMeta, *checkpoints, &path); !s.ok())
        return s;
      ingest.emplace_back(Space::kMeta, path);
    }
    return store_->Maintenance().IngestTables(ingest);
  }

  // The next batch to fill, emptied, once every projection has applied what it held.
  Batch* Fill() {
    Batch* b = &batches_[pool_->Acquire()];
    b->records.clear();
    b->ends.clear();
    b->size = 0;
    b->arena.Reset();
    return b;
  }

  // Parses the records of the batch in `slot` and decodes their payloads (nullptr: a type this
  // program does not know, which no projection reads). A record that does not parse ends the
  // batch, and the step: the first such is kept, and nothing of the step is committed.
  void Prepare(size_t slot) {
    Batch& b = batches_[slot];
    if (b.slots.size() < b.ends.size()) {
      b.slots.resize(b.ends.size());
      b.streams.resize(b.ends.size());
    }
    RecordView view;
    size_t begin = 0;
    for (const auto& [position, end] : b.ends) {
      Staged& ev = b.slots[b.size];
      const std::string_view record(b.records.data() + begin, end - begin);
      begin = end;
      auto* envelope = google::protobuf::Arena::CreateMessage<EventEnvelope>(&b.arena);
      ev.envelope = envelope;
      // The body alone: projections read no hashes (see Projection::Apply).
      if (!SplitRecord(record, &view) ||
          !envelope->ParseFromArray(view.body.data(), static_cast<int>(view.body.size()))) {
        std::lock_guard<std::mutex> lock(mu_);
        if (position < unparsed_at_) {
          unparsed_at_ = position;
          unparsed_ = Status::Corruption("position " + std::to_string(position) +
                                         ": record does not parse as an envelope");
        }
        return;
      }
      ev.payload = b.decoder.Decode(*envelope, &b.arena);
      b.streams[b.size] = std::hash<std::string_view>()(envelope->stream_id());
      ++b.size;
    }
  }

  // Applies the batch in `slot` to projection `entry`, in log order. Projections share nothing,
  // so the pool applies them side by side, while this runner's thread reads the next batches.
  void Apply(size_t entry, size_t slot) {
    Entry& e = *entries_[entry];
    const Batch& b = batches_[slot];
    for (size_t k = 0; k < b.size; ++k) {
      e.model.FetchAhead(b.streams, b.size, k);
      const Staged& ev = b.slots[k];
      if (ev.payload != nullptr && e.checkpoint < ev.envelope->position()) {
        e.model.Begin(b.streams[k]);
        e.projection->Apply(*ev.envelope, *ev.payload, e.model);
      }
    }
    e.model.EndBatch();
    e.cached_bytes.store(e.model.bytes(), std::memory_order_relaxed);
  }

  // What the models hold: as of their last batch while they are being applied.
  size_t CachedBytes() const {
    size_t total = 0;
    for (const auto& e : entries_) total += e->cached_bytes.load(std::memory_order_relaxed);
    return total;
  }

  // Keeps the cached models within their budget: once over it, each model evicts in proportion
  // to what it holds, down to three quarters of the budget, so that evictions are few and each
  // frees a good part.
  void TrimModels() {
    size_t total = 0;
    for (const auto& e : entries_) total += e->model.bytes();
    if (total <= options_.model_cache_bytes) return;
    const double keep = 0.75 * static_cast<double>(options_.model_cache_bytes) / total;
    for (auto& e : entries_) {
      e->model.Evict(static_cast<size_t>(keep * static_cast<double>(e->model.bytes())));
    }
  }

  void PublishLowest() {
    std::lock_guard<std::mutex> lock(mu_);
    uint64_t low = UINT64_MAX;
    for (const auto& e : entries_) low = std::min(low, e->checkpoint);
    lowest_ = entries_.empty() ? store_->LastPosition() : low;
    cv_.notify_all();
  }

  EventStore* store_;
  const Options options_;
  std::vector<std::unique_ptr<Entry>> entries_;
  // The ring of batches: one is filled while the pool prepares and applies the ones before (used
  // under step_mu_, by the pool's threads once published).
  std::vector<Batch> batches_;
  std::unique_ptr<ApplyPool> pool_;
  // The first record of the step that did not parse (under mu_; read by the scan unlocked, as a
  // hint to stop).
  Status unparsed_;
  std::atomic<uint64_t> unparsed_at_{UINT64_MAX};
  std::mutex step_mu_;  // one Step (or Drop) at a time
  mutable std::mutex mu_;
  mutable std::condition_variable cv_;
  std::atomic<uint64_t> lowest_{0};
  std::atomic<bool> stop_{false};
  std::thread thread_;
};

ProjectionRunner::ProjectionRunner(EventStore* store, const WorkflowRegistry* registry,
                                   const Options& options)
    : impl_(std::make_unique<Impl>(store, registry, options)) {}
ProjectionRunner::~ProjectionRunner() = default;
Status ProjectionRunner::CatchUp() { return impl_->CatchUp(); }
void ProjectionRunner::Start() { impl_->Start(); }
void ProjectionRunner::Stop() { impl_->Stop(); }
bool ProjectionRunner::WaitFor(uint64_t position, std::chrono::milliseconds timeout) const {
  return impl_->WaitFor(position, timeout);
}
Status ProjectionRunner::Rebuild(std::string_view name) {
  Status s = impl_->Drop({name});
  return s.ok() ? impl_->CatchUp() : s;
}
Status ProjectionRunner::RebuildAll() {
  Status s = impl_->Drop({});
  return s.ok() ? impl_->CatchUp() : s;
}
uint64_t ProjectionRunner::Checkpoint(std::string_view name) const {
  return impl_->Checkpoint(name);
}
Status ProjectionRunner::Get(std::string_view name, const std::string& key,
                             std::string* value) const {
  return impl_->store()->Get(Space::kProjections, std::string(name) + "/" + key, value);
}
Status ProjectionRunner::Scan(
    std::string_view name, const std::string& begin, const std::string& end,
    const std::function<bool(const std::string& key, const std::string& value)>& fn) const {
  return impl_->Scan(name, begin, end, fn);
}

}  // namespace wijkflow::engine
