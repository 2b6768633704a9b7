// EventStore: the durable, tamper-evident, append-only log every workflow stands on.
//
// Streams (one per workflow instance) hold events at versions 1, 2, ...; the global log holds
// every event once at positions 1, 2, ... in commit order. An append may span several streams and
// is atomic: all of its events are written, or none. An append is acknowledged only once the
// write-ahead log is synced (unless StoreOptions::sync is false, for tests). Concurrent appends are
// group-committed by one writer thread.
//
// Every event carries two SHA-256 chains: one along its stream, one along the global log.
// Verify() recomputes both and names the first broken link.
//
// Besides the log, the store keeps a few key-value "spaces" for the engine (timers, snapshots,
// projections): an append may write to them in the same atomic batch as its events.
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "events/clock.h"
#include "events/status.h"
#include "wijkflow/envelope.pb.h"

namespace rocksdb {
class Env;
}  // namespace rocksdb

namespace wijkflow {

class StoreMaintenance;

// What an appender expects a stream's current version to be.
class ExpectedVersion {
 public:
  static ExpectedVersion Any() { return ExpectedVersion(kAny); }
  static ExpectedVersion NoStream() { return ExpectedVersion(0); }
  static ExpectedVersion Exact(uint64_t version) { return ExpectedVersion(version); }

  bool is_any() const { return v_ == kAny; }
  uint64_t version() const { return v_; }  // REQUIRES: !is_any()
  bool Matches(uint64_t actual) const { return is_any() || v_ == actual; }
  std::string ToString() const;

 private:
  static constexpr uint64_t kAny = UINT64_MAX;
  explicit ExpectedVersion(uint64_t v) : v_(v) {}
  uint64_t v_;
};

// Key-value spaces the engine may write beside the log. Keys sort bytewise.
enum class Space { kTimers, kSnapshots, kProjections, kMeta };

struct SideWrite {
  SideWrite(Space space, std::string key, std::optional<std::string> value)
      : space(space), key(std::move(key)), value(std::move(value)) {}
  // Deletes every key in [begin, end) at once; e.g. a whole read model dropped for a rebuild.
  static SideWrite DeleteRange(Space space, std::string begin, std::string end) {
    SideWrite w(space, std::move(begin), std::nullopt);
    w.range_end = std::move(end);
    return w;
  }

  Space space;
  std::string key;
  std::optional<std::string> value;  // nullopt deletes the key
  std::string range_end;             // non-empty: a range delete (value nullopt)
};

struct StreamAppend {
  // Printable ASCII without spaces, at most StoreOptions::max_stream_id_bytes.
  std::string stream_id;
  ExpectedVersion expected = ExpectedVersion::Any();
  // The caller sets workflow, definition_version, event_type, schema_version, effective_date,
  // actor, correlation_id, causation_id and payload. The store sets position, stream_id,
  // stream_version, recorded_at, command_id and the hashes; whatever the caller put there is
  // overwritten. No events: the entry only checks `expected` (e.g. that a round is still at the
  // version a decision was taken against) and writes nothing to that stream.
  std::vector<EventEnvelope> events;
};

struct AppendRequest {
  // Idempotency key. A second append with the same id writes nothing and returns the first
  // append's receipt with Status::DuplicateCommand. Empty: no idempotency.
  std::string command_id;
  std::vector<StreamAppend> streams;  // at least one event in all; each stream at most once
  std::vector<SideWrite> side_writes;
};

struct AppendOutcome {
  Status status;
  // OK: what was written. DuplicateCommand: what the first append with this id wrote.
  AppendReceipt receipt;
};

struct StreamHead {
  uint64_t version = 0;   // 0: the stream does not exist
  uint64_t position = 0;  // global position of its last event
};

struct VerifyReport {
  bool ok = true;
  uint64_t events_checked = 0;
  uint64_t streams_checked = 0;
  // The first broken link, if any.
  std::string stream_id;
  uint64_t stream_version = 0;
  uint64_t position = 0;
  std::string reason;
};

struct StoreOptions {
  // Acknowledge an append only after its WAL write is synced. Turn off only in tests that
  // measure logic, never in a product path.
  bool sync = true;
  bool create_if_missing = true;
  // Recorded-at comes from here; nullptr: the system clock.
  const Clock* clock = nullptr;
  // Limits; an append beyond them is rejected with InvalidArgument and writes nothing.
  size_t max_stream_id_bytes = 200;
  size_t max_event_bytes = 1 << 20;  // one serialized envelope
  size_t max_events_per_append = 10'000;
  // Upper bound of events the writer commits in one synced batch. Larger groups amortise the
  // fsync better but make the slowest caller wait longer.
  size_t max_group_events = 8192;
  // Stream heads kept in memory; the rest are read from disk on demand.
  size_t head_cache_entries = 1 << 18;
  // RocksDB block cache, shared by all column families.
  size_t block_cache_bytes = 64 << 20;
  // Called by the store's sync thread after each group commit that wrote to the disk, with how
  // long the synced write of its batch took (the write-ahead-log write and its fsync) and how many
  // events it made durable. For metrics: it must be quick, and must not call into the store.
  std::function<void(std::chrono::nanoseconds sync, size_t events)> on_group_commit;
  // The RocksDB environment (file system, threads) to run on; nullptr: RocksDB's default. A seam
  // for tests that inject storage faults (a failed write, a full disk). Must outlive the store.
  rocksdb::Env* env = nullptr;
};

// Delivers events in position order, from a start position, first from disk and then live as
// they are committed, without gap or duplicate. Destroying it stops delivery.
class Subscription {
 public:
  virtual ~Subscription() = default;
  // Stops delivery and joins the delivery thread. REQUIRES: not called from the handler.
  virtual void Stop() = 0;
  // The next position this subscription will deliver.
  virtual uint64_t next_position() const = 0;
};

class EventStore {
 public:
  // Opens (or creates) the store in `dir`. Restores heads, positions and chains from disk without
  // scanning the log.
  static Status Open(const StoreOptions& options, const std::string& dir,
                     std::unique_ptr<EventStore>* store);

  // Opens a store that another process may be writing (e.g. a running server), as a RocksDB
  // secondary instance: reads see the log as it was when opened. Appends and writes fail with
  // InvalidArgument. For audit tools.
  static Status OpenReadOnly(const StoreOptions& options, const std::string& dir,
                             std::unique_ptr<EventStore>* store);

  virtual ~EventStore() = default;

  // Appends atomically; blocks until durable (or rejected). Thread-safe.
  virtual AppendOutcome Append(AppendRequest request) = 0;
  // As Append, but returns at once. `done` runs on one of the store's threads once the outcome is
  // known, so it must be quick and must not call Append; a request rejected before it is queued
  // (InvalidArgument, Unavailable) has `done` called on the calling thread instead.
  virtual void AppendAsync(AppendRequest request, std::function<void(AppendOutcome)> done) = 0;

  // Replaces *out with the events of `stream_id` with version >= from_version, in order, at most
  // max_count, each with its four hashes filled in.
  virtual Status ReadStream(const std::string& stream_id, uint64_t from_version, size_t max_count,
                            std::vector<EventEnvelope>* out) const = 0;
  // Replaces *out with the events of the global log with position >= from_position, in order, at
  // most max_count, each with its four hashes filled in.
  virtual Status ReadAll(uint64_t from_position, size_t max_count,
                         std::vector<EventEnvelope>* out) const = 0;
  // Calls `fn` for each event of the global log from `from_position` on, in order, until `fn`
  // returns false or the log ends. For long reads that derive data from the log (projections,
  // exports): one iterator, one envelope reused for every event (valid only during the call; `fn`
  // may swap it for another, which the scan then parses the next event into), and only the hashes
  // stored with each record (hash, global_hash); prev_hash and prev_global_hash stay empty, since
  // filling them costs a lookup per stream. Integrity is Verify()'s job.
  // `fn` must not wait for an append: after a failed write, the writer waits for running reads
  // before it reopens the database. The same holds for Scan().
  virtual Status ScanAll(uint64_t from_position,
                         const std::function<bool(EventEnvelope&)>& fn) const = 0;
  virtual Status Head(const std::string& stream_id, StreamHead* head) const = 0;
  // The receipt of the append made with `command_id`; NotFound if none was.
  virtual Status FindCommand(const std::string& command_id, AppendReceipt* receipt) const = 0;
  // Position of the last committed event; 0 when the log is empty.
  virtual uint64_t LastPosition() const = 0;
  // Blocks until LastPosition() >= position or the timeout passes; returns whether it got there.
  virtual bool WaitForPosition(uint64_t position, std::chrono::milliseconds timeout) const = 0;

  // Calls `handler` for each event from `from_position` on, on a thread of its own. Delivery stops
  // when the handler returns false, the subscription is stopped, the store closes, or the log
  // cannot be read (then next_position() tells where it stopped).
  virtual std::unique_ptr<Subscription> Subscribe(
      uint64_t from_position, std::function<bool(const EventEnvelope&)> handler) = 0;

  // Side spaces. Writes here bypass the log writer: use them for data derived from the log
  // (projections, snapshots), never for facts.
  virtual Status Get(Space space, const std::string& key, std::string* value) const = 0;
  virtual Status Write(const std::vector<SideWrite>& writes, bool sync) = 0;
  // Visits keys in [begin, end) in order (end empty: to the end) until `fn` returns false.
  virtual Status Scan(
      Space space, const std::string& begin, const std::string& end,
      const std::function<bool(const std::string& key, const std::string& value)>& fn) const = 0;

  // Writes a consistent copy of the whole store into `dir` (which must not exist yet), sharing
  // files by hard links where the file system allows. Safe while appends go on.
  virtual Status Checkpoint(const std::string& dir) const = 0;

  // Recomputes every stream chain and the global chain. Reads the whole log.
  virtual VerifyReport Verify() const = 0;

  // Bulk loading, raw scans and waiting for background work, for the projection runner,
  // benchmarks and tools (events/store_maintenance.h). Lives as long as the store.
  virtual StoreMaintenance& Maintenance() = 0;
};

}  // namespace wijkflow
