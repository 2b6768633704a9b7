// Storage: the RocksDB database behind an EventStore, its column families and the point reads the
// store's parts share. The layout and value grammar are described at the top of event_store.cc.
#pragma once

#include <atomic>
#include <cstdint>
#include <memory>
#include <shared_mutex>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "events/event_store.h"
#include "events/format.h"
#include "events/status.h"
#include "events/store_maintenance.h"

namespace rocksdb {
class ColumnFamilyHandle;
class DB;
class PinnableSlice;
class Status;
class WriteBatch;
struct WriteOptions;
}  // namespace rocksdb

namespace wijkflow {

// Maps a RocksDB status onto ours; `what` says which operation failed.
Status FromRocks(const rocksdb::Status& s, std::string_view what);

// Readers hold a ReadLock while they use db() or a handle: after a failed write the append writer
// closes and reopens the database (Reopen), which waits for them and keeps them out meanwhile.
class Storage {
 public:
  using ReadLock = std::shared_lock<std::shared_mutex>;

  // Opens (or creates) the database in `dir` with every column family the store uses. Read-only:
  // as a secondary instance beside a possibly running primary, never creating anything.
  static Status Open(const StoreOptions& options, const std::string& dir, bool read_only,
                     std::unique_ptr<Storage>* out);

  // Closes the database. REQUIRES: nothing else uses it any more.
  ~Storage();
  Storage(const Storage&) = delete;
  Storage& operator=(const Storage&) = delete;

  rocksdb::DB* db() const { return db_; }
  rocksdb::ColumnFamilyHandle* log() const { return handles_[kLogIndex]; }
  rocksdb::ColumnFamilyHandle* streams() const { return handles_[kStreamsIndex]; }
  rocksdb::ColumnFamilyHandle* heads() const { return handles_[kHeadsIndex]; }
  rocksdb::ColumnFamilyHandle* commands() const { return handles_[kCommandsIndex]; }
  rocksdb::ColumnFamilyHandle* space(Space s) const {
    return handles_[kFirstSpaceIndex + static_cast<size_t>(s)];
  }
  const std::vector<rocksdb::ColumnFamilyHandle*>& families() const { return handles_; }

  // Locks out Reopen() until *lock is released. Fails (with *lock held all the same) while the
  // database is closed because the last reopen failed. The lock is shared: a holder may take it
  // again, but must not wait for an append meanwhile (the writer may be waiting to reopen).
  Status LockForRead(ReadLock* lock) const;

  // Writes `batch`. REQUIRES: one caller at a time (the append writer's sync thread), never during
  // Reopen().
  rocksdb::Status Write(const rocksdb::WriteOptions& options, rocksdb::WriteBatch* batch) const;

  // Closes the database and opens it again, the same directory and column families. After a
  // failed write RocksDB 7.8 refuses every further write for the life of the instance (a failed
  // write-ahead-log sync is a fatal background error there, and DB::Resume() returns it), while
  // a fresh instance replays the write-ahead log and takes writes again. Fails without closing
  // anything while a probe write to the directory fails (the fault is still there); if the open
  // itself fails, the database stays closed and reads fail until a later Reopen() succeeds.
  // REQUIRES: the append writer, with no write in flight; no ReadLock held by the caller.
  Status Reopen();

  // Adds one side write (a put, a delete or a range delete) to `batch`.
  rocksdb::Status AddSideWrite(const SideWrite& write, rocksdb::WriteBatch* batch) const;

  // Bulk loading (StoreMaintenance::NewTable, IngestTables): a new table file beside the database,
  // for puts and deletes of one space in key order, which holds `lock` until it is done; then such
  // files added to the database in one atomic step (REQUIRES: a ReadLock).
  Status NewTable(Space space, ReadLock lock, std::unique_ptr<TableWriter>* table) const;
  Status IngestTables(const std::vector<std::pair<Space, std::string>>& tables) const;

  // The point reads below and db() require a ReadLock, or the append writer's threads (which
  // never run beside a Reopen()).

  // The `log` value at `position`. NotFound if there is none.
  Status GetRecord(uint64_t position, rocksdb::PinnableSlice* value) const;
  // The global position of `stream_id` at `version`. NotFound if there is none.
  Status GetIndex(std::string_view stream_id, uint64_t version, uint64_t* position) const;
  // The `heads` value of `stream_id`. NotFound if the stream does not exist.
  Status GetHead(std::string_view stream_id, HeadValue* head) const;
  // The receipt kept for `command_id`. NotFound if no append used it.
  Status GetReceipt(const std::string& command_id, AppendReceipt* receipt) const;
  // The last record's position and global hash; 0 and zeros for an empty log. Seeks to the end of
  // `log`: no scan.
  Status GetTail(uint64_t* position, Digest* global_hash) const;

 private:
  // Indexes into handles_, in the order Open() names the column families.
  enum : size_t {
    kDefaultIndex = 0,
    kLogIndex,
    kStreamsIndex,
    kHeadsIndex,
    kCommandsIndex,
    kFirstSpaceIndex,
  };

  Storage(const StoreOptions& options, std::string dir) : options_(options), dir_(std::move(dir)) {}

  // Opens db_ and handles_ (both unset) in dir_.
  Status OpenDb(bool read_only);
  void CloseDb();
  // Where NewTable puts its files until they are ingested.
  std::string TableDir() const { return dir_ + "/ingest"; }

  const StoreOptions options_;
  const std::string dir_;
  mutable std::shared_mutex mu_;  // shared: readers; exclusive: Reopen()
  rocksdb::DB* db_ = nullptr;     // null only after a failed Reopen()
  std::vector<rocksdb::ColumnFamilyHandle*> handles_;
  mutable std::atomic<uint64_t> tables_written_{0};
  std::string secondary_dir_;  // a read-only open's own scratch directory, removed on close
};

}  // namespace wijkflow
