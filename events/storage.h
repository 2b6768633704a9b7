// Storage: the RocksDB database behind an EventStore, its column families and the point reads the
// store's parts share. The layout and value grammar are described at the top of event_store.cc.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "events/event_store.h"
#include "events/format.h"
#include "events/status.h"

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

class Storage {
 public:
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

  // Writes `batch`. After a failed write (an I/O error, a full disk) RocksDB refuses every
  // further write until it is resumed: the next call resumes it first, and fails without writing
  // while that fails. REQUIRES: one caller at a time (the append writer's sync thread).
  rocksdb::Status Write(const rocksdb::WriteOptions& options, rocksdb::WriteBatch* batch) const;

  // Adds one side write (a put, a delete or a range delete) to `batch`.
  rocksdb::Status AddSideWrite(const SideWrite& write, rocksdb::WriteBatch* batch) const;

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

  Storage() = default;

  rocksdb::DB* db_ = nullptr;
  std::vector<rocksdb::ColumnFamilyHandle*> handles_;
  mutable bool must_resume_ = false;  // the last Write failed (only the writer touches it)
  std::string secondary_dir_;         // a read-only open's own scratch directory, removed on close
};

}  // namespace wijkflow
