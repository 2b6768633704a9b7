// The event store on RocksDB.
//
// Layout: one RocksDB database, one column family per kind of key. Integers in keys and values are
// big-endian and fixed-width, so that keys sort in numeric order.
//
//   log:          position -> record                 the global log, one record per event
//   streams:      stream_key(id, version) -> BE64 position
//   heads:        id -> head                          one per stream: its last event
//   commands:     command id -> AppendReceipt         idempotency: what the first append wrote
//   timers, snapshots, projections, meta:            Space::k*: keys and values of the engine
//   default:      unused (RocksDB requires it)
//
//   position   := BE64                               1, 2, ... gap-free in commit order
//   stream_key := BE16 len, byte[len] id, BE64 version
//                 (the length prefix keeps one stream's keys from interleaving with another's)
//   head       := BE64 version, BE64 position, byte[32] stream_hash
//   record     := body, byte[32] stream_hash, byte[32] global_hash
//   body       := EventEnvelope (protobuf) with prev_hash, hash, prev_global_hash and global_hash
//                 empty; position, stream_id, stream_version, recorded_at and command_id set by
//                 the store
//   stream_hash := SHA-256(stream_hash of the stream's previous event || body)
//   global_hash := SHA-256(global_hash of the previous record || body)
//                 the first event of a stream, and the first record, chain from 32 zero bytes
//
// The hashes cover the body as stored: a reader that checks them hashes the stored bytes, not a
// re-serialisation. An append writes its records, index entries, heads, its receipt and its side
// writes in one WriteBatch; a group of appends shares one batch. A record's previous hashes are
// not stored: reads fill them in from the neighbouring records.

#include "events/event_store.h"

#include <rocksdb/db.h>
#include <rocksdb/utilities/checkpoint.h>
#include <rocksdb/write_batch.h>

#include <chrono>
#include <mutex>
#include <thread>
#include <vector>

#include "events/keys.h"
#include "events/position_watch.h"
#include "events/reader.h"
#include "events/storage.h"
#include "events/store_maintenance.h"
#include "events/subscription.h"
#include "events/validate.h"
#include "events/verify.h"
#include "events/writer.h"

namespace wijkflow {

std::string ExpectedVersion::ToString() const {
  if (is_any()) return "any version";
  if (v_ == 0) return "no stream";
  return "version " + std::to_string(v_);
}

namespace {

// The store is its own maintenance interface: both are views of the one database.
class EventStoreImpl final : public EventStore, public StoreMaintenance {
 public:
  EventStoreImpl(const StoreOptions& options, std::unique_ptr<Storage> storage,
                 uint64_t last_position, const Digest& last_global_hash, bool read_only)
      : read_only_(read_only),
        options_(options),
        storage_(std::move(storage)),
        positions_(last_position),
        writer_(options_, storage_.get(), &positions_, last_position, last_global_hash) {}

  ~EventStoreImpl() override {
    writer_.Close();  // new appends get Unavailable; queued ones are committed
    std::vector<std::weak_ptr<SubscriptionCore>> subscriptions;
    {
      std::lock_guard<std::mutex> lock(subscriptions_mu_);
      closed_ = true;
      subscriptions.swap(subscriptions_);
    }
    for (auto& weak : subscriptions) {
      if (auto core = weak.lock()) core->Stop();
    }
    positions_.Close();  // ends any WaitForPosition still blocked
    // storage_ closes the database as the last member to go.
  }

  AppendOutcome Append(AppendRequest request) override {
    AppendOutcome outcome;
    size_t events = 0;
    outcome.status = read_only_ ? ReadOnly() : ValidateAppend(options_, request, &events);
    if (!outcome.status.ok()) return outcome;
    Waiter ready;
    PendingAppend pending{std::move(request), events, nullptr, &ready, {}};
    if (!writer_.Submit(&pending)) return Closing();
    ready.Wait();
    return std::move(pending.outcome);
  }

  void AppendAsync(AppendRequest request, std::function<void(AppendOutcome)> done) override {
    size_t events = 0;
    Status s = read_only_ ? ReadOnly() : ValidateAppend(options_, request, &events);
    if (!s.ok()) return done(AppendOutcome{std::move(s), {}});
    auto pending = std::make_unique<PendingAppend>(
        PendingAppend{std::move(request), events, std::move(done), nullptr, {}});
    if (!writer_.Submit(pending.get())) return pending->done(Closing());
    pending.release();  // the writer deletes it once it has called done
  }

  Status ReadStream(const std::string& stream_id, uint64_t from_version, size_t max_count,
                    std::vector<EventEnvelope>* out) const override {
    return ReadStreamEvents(*storage_, stream_id, from_version, max_count, out);
  }

  Status ReadAll(uint64_t from_position, size_t max_count,
                 std::vector<EventEnvelope>* out) const override {
    return ReadLogEvents(*storage_, from_position, max_count, out);
  }

  Status ScanAll(uint64_t from_position,
                 const std::function<bool(EventEnvelope&)>& fn) const override {
    return ScanLogEvents(*storage_, from_position, fn);
  }

  Status Head(const std::string& stream_id, StreamHead* head) const override {
    *head = StreamHead{};
    if (stream_id.size() > UINT16_MAX) return Status::OK();  // no such stream can exist
    HeadValue value;
    Storage::ReadLock lock;
    Status s = storage_->LockForRead(&lock);
    if (s.ok()) s = storage_->GetHead(stream_id, &value);
    if (s.IsNotFound()) return Status::OK();
    if (s.ok()) *head = StreamHead{value.version, value.position};
    return s;
  }

  Status FindCommand(const std::string& command_id, AppendReceipt* receipt) const override {
    Storage::ReadLock lock;
    Status s = storage_->LockForRead(&lock);
    return s.ok() ? storage_->GetReceipt(command_id, receipt) : s;
  }

  uint64_t LastPosition() const override { return positions_.last(); }

  bool WaitForPosition(uint64_t position, std::chrono::milliseconds timeout) const override {
    return positions_.Wait(position, std::chrono::steady_clock::now() + timeout);
  }

  std::unique_ptr<Subscription> Subscribe(
      uint64_t from_position, std::function<bool(const EventEnvelope&)> handler) override {
    auto read = [this](uint64_t from, size_t max, std::vector<EventEnvelope>* out) {
      return ReadAll(from, max, out);
    };
    auto core = std::make_shared<SubscriptionCore>(std::move(read), &positions_, from_position,
                                                   std::move(handler));
    std::lock_guard<std::mutex> lock(subscriptions_mu_);
    if (!closed_) {
      std::erase_if(subscriptions_, [](const auto& weak) { return weak.expired(); });
      subscriptions_.push_back(core);
      core->Start();
    }
    return std::make_unique<SubscriptionHandle>(std::move(core));
  }

  Status Get(Space space, const std::string& key, std::string* value) const override {
    Storage::ReadLock lock;
    if (Status s = storage_->LockForRead(&lock); !s.ok()) return s;
    return FromRocks(
        storage_->db()->Get(rocksdb::ReadOptions(), storage_->space(space), key, value),
        "read side space");
  }

  Status Write(const std::vector<SideWrite>& writes, bool sync) override {
    Status s = read_only_ ? ReadOnly() : ValidateSideWrites(writes);
    if (!s.ok()) return s;
    // Side writes do not reopen the database after a failure: the next append does.
    Storage::ReadLock lock;
    if (s = storage_->LockForRead(&lock); !s.ok()) return s;
    rocksdb::WriteBatch batch;
    for (const SideWrite& w : writes) {
      rocksdb::Status rs = storage_->AddSideWrite(w, &batch);
      if (!rs.ok()) return FromRocks(rs, "build side write batch");
    }
    rocksdb::WriteOptions write_options;
    write_options.sync = sync;
    return FromRocks(storage_->db()->Write(write_options, &batch), "write side spaces");
  }

  Status Scan(
      Space space, const std::string& begin, const std::string& end,
      const std::function<bool(const std::string&, const std::string&)>& fn) const override {
    Storage::ReadLock lock;
    if (Status s = storage_->LockForRead(&lock); !s.ok()) return s;
    std::unique_ptr<rocksdb::Iterator> it(
        storage_->db()->NewIterator(rocksdb::ReadOptions(), storage_->space(space)));
    for (it->Seek(begin); it->Valid(); it->Next()) {
      if (!end.empty() && it->key().compare(end) >= 0) break;
      if (!fn(it->key().ToString(), it->value().ToString())) break;
    }
    return FromRocks(it->status(), "scan side space");
  }

  VerifyReport Verify() const override { return VerifyStore(*storage_); }

  Status Checkpoint(const std::string& dir) const override {
    Storage::ReadLock lock;
    if (Status s = storage_->LockForRead(&lock); !s.ok()) return s;
    rocksdb::Checkpoint* raw = nullptr;
    Status s = FromRocks(rocksdb::Checkpoint::Create(storage_->db(), &raw), "checkpoint");
    if (!s.ok()) return s;
    std::unique_ptr<rocksdb::Checkpoint> checkpoint(raw);
    // A read-only (secondary) instance cannot flush: copy the write-ahead log instead.
    const uint64_t flush_above = read_only_ ? UINT64_MAX : 0;
    return FromRocks(checkpoint->CreateCheckpoint(dir, flush_above), "checkpoint into " + dir);
  }

  StoreMaintenance& Maintenance() override { return *this; }

  // StoreMaintenance.
  Status ScanRecords(
      uint64_t from_position,
      const std::function<bool(uint64_t position, std::string_view record)>& fn) const override {
    return ScanLogRecords(*storage_, from_position, fn);
  }

  Status NewTable(Space space, std::unique_ptr<TableWriter>* table) override {
    if (read_only_) return ReadOnly();
    Storage::ReadLock lock;
    if (Status s = storage_->LockForRead(&lock); !s.ok()) return s;
    return storage_->NewTable(space, std::move(lock), table);
  }

  Status IngestTables(const std::vector<std::pair<Space, std::string>>& tables) override {
    if (read_only_) return ReadOnly();
    Storage::ReadLock lock;
    if (Status s = storage_->LockForRead(&lock); !s.ok()) return s;
    return storage_->IngestTables(tables);
  }

  Status WaitForBackgroundWork() const override {
    Storage::ReadLock lock;
    if (Status s = storage_->LockForRead(&lock); !s.ok()) return s;
    // RocksDB has no call that waits for this: its counters are polled.
    auto busy = [&] {
      uint64_t n = 0;
      for (const char* p : {"rocksdb.num-running-compactions", "rocksdb.num-running-flushes"}) {
        if (storage_->db()->GetIntProperty(p, &n) && n > 0) return true;
      }
      for (rocksdb::ColumnFamilyHandle* family : storage_->families()) {
        for (const char* p : {"rocksdb.compaction-pending", "rocksdb.mem-table-flush-pending"}) {
          if (storage_->db()->GetIntProperty(family, p, &n) && n > 0) return true;
        }
      }
      return false;
    };
    while (busy()) std::this_thread::sleep_for(std::chrono::milliseconds(10));
    return Status::OK();
  }

 private:
  static Status ReadOnly() { return Status::InvalidArgument("the store is open read-only"); }
  static AppendOutcome Closing() {
    return AppendOutcome{Status::Unavailable("the event store is closing"), {}};
  }

  const bool read_only_;
  const StoreOptions options_;
  // Declaration order is destruction order, reversed: the database outlives everything using it.
  std::unique_ptr<Storage> storage_;
  PositionWatch positions_;
  AppendWriter writer_;
  std::mutex subscriptions_mu_;
  std::vector<std::weak_ptr<SubscriptionCore>> subscriptions_;  // GUARDED_BY(subscriptions_mu_)
  bool closed_ = false;                                         // GUARDED_BY(subscriptions_mu_)
};

Status CheckOptions(const StoreOptions& options) {
  if (options.max_stream_id_bytes == 0 || options.max_stream_id_bytes > UINT16_MAX) {
    return Status::InvalidArgument("max_stream_id_bytes must be in [1, 65535]");
  }
  if (options.max_group_events == 0) return Status::InvalidArgument("max_group_events is 0");
  if (options.max_events_per_append == 0) {
    return Status::InvalidArgument("max_events_per_append is 0");
  }
  return Status::OK();
}

}  // namespace

namespace {

Status OpenStore(const StoreOptions& options, const std::string& dir, bool read_only,
                 std::unique_ptr<EventStore>* store) {
  Status s = CheckOptions(options);
  if (!s.ok()) return s;
  std::unique_ptr<Storage> storage;
  s = Storage::Open(options, dir, read_only, &storage);
  if (!s.ok()) return s;
  uint64_t last_position = 0;
  Digest last_global_hash{};
  s = storage->GetTail(&last_position, &last_global_hash);
  if (!s.ok()) return s;
  *store = std::make_unique<EventStoreImpl>(options, std::move(storage), last_position,
                                            last_global_hash, read_only);
  return Status::OK();
}

}  // namespace

Status EventStore::Open(const StoreOptions& options, const std::string& dir,
                        std::unique_ptr<EventStore>* store) {
  return OpenStore(options, dir, /*read_only=*/false, store);
}

Status EventStore::OpenReadOnly(const StoreOptions& options, const std::string& dir,
                                std::unique_ptr<EventStore>* store) {
  return OpenStore(options, dir, /*read_only=*/true, store);
}

Status StoreMaintenance::WriteTable(Space space, const std::vector<SideWrite>& writes,
                                    std::string* path) {
  if (Status s = ValidateSideWrites(writes); !s.ok()) return s;
  for (const SideWrite& w : writes) {
    if (w.space != space || !w.range_end.empty()) {
      return Status::InvalidArgument("a table holds puts and deletes of one space");
    }
  }
  std::unique_ptr<TableWriter> table;
  if (Status s = NewTable(space, &table); !s.ok()) return s;
  for (const SideWrite& w : writes) {
    if (w.value) {
      table->Put(w.key, *w.value);
    } else {
      table->Delete(w.key);
    }
  }
  return table->Finish(path);
}

}  // namespace wijkflow
