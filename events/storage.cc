#include "events/storage.h"

#include <rocksdb/cache.h>
#include <rocksdb/db.h>
#include <rocksdb/env.h>
#include <rocksdb/filter_policy.h>
#include <rocksdb/options.h>
#include <rocksdb/slice_transform.h>
#include <rocksdb/sst_file_writer.h>
#include <rocksdb/table.h>
#include <rocksdb/write_batch.h>
#include <stdlib.h>

#include <algorithm>
#include <filesystem>
#include <mutex>

#include "events/keys.h"

namespace wijkflow {

Status FromRocks(const rocksdb::Status& s, std::string_view what) {
  if (s.ok()) return Status::OK();
  std::string msg(what);
  msg += ": ";
  msg += s.ToString();
  if (s.IsNotFound()) return Status::NotFound(std::move(msg));
  if (s.IsCorruption()) return Status::Corruption(std::move(msg));
  if (s.IsInvalidArgument()) return Status::InvalidArgument(std::move(msg));
  return Status::StorageError(std::move(msg));
}

namespace {

// What Reopen() writes to check that the disk takes writes again: enough for a full disk to refuse
// it, though less than a reopen may need, which can then fail all the same.
constexpr size_t kProbeBytes = 64 << 10;

// The part of a `streams` key that names the stream (BE16 length and id). A stream's index entries
// arrive in version order, so the memtable can insert each one next to the stream's previous one
// instead of searching its skiplist from the top.
class StreamPrefix final : public rocksdb::SliceTransform {
 public:
  const char* Name() const override { return "wijkflow.StreamPrefix"; }
  rocksdb::Slice Transform(const rocksdb::Slice& key) const override {
    return rocksdb::Slice(key.data(), 2 + keys::DecodeBE16(key.data()));
  }
  bool InDomain(const rocksdb::Slice& key) const override {
    return key.size() >= 2 && key.size() >= 2 + size_t{keys::DecodeBE16(key.data())};
  }
};

rocksdb::ColumnFamilyOptions FamilyOptions(const std::shared_ptr<rocksdb::Cache>& cache,
                                           bool point_lookups) {
  rocksdb::BlockBasedTableOptions table;
  table.block_cache = cache;
  // Heads, the stream index, command ids and side spaces are probed by key, mostly for keys that
  // exist, but a new stream or command id misses: a bloom filter keeps those misses off disk.
  if (point_lookups) table.filter_policy.reset(rocksdb::NewBloomFilterPolicy(10));
  rocksdb::ColumnFamilyOptions cf;
  cf.table_factory.reset(rocksdb::NewBlockBasedTableFactory(table));
  // The first two levels hold the recent writes, which flushes and compactions rewrite most
  // often and reads touch most: left uncompressed they cost no compression CPU on every flush and
  // no decompression on every block read. Older data, the bulk, is compressed.
  cf.compression_per_level.assign(cf.num_levels, rocksdb::kSnappyCompression);
  cf.compression_per_level[0] = cf.compression_per_level[1] = rocksdb::kNoCompression;
  if (point_lookups) {
    // Every append probes `commands` for its (new) id and often `heads` for a new stream: a
    // memtable bloom filter answers those misses without searching the skiplist.
    cf.memtable_whole_key_filtering = true;
    cf.memtable_prefix_bloom_size_ratio = 0.05;
    // Keys that arrive in random order are inserted by a skiplist search; a smaller memtable
    // keeps that search shallow and in cache. These values are small, so flushes stay cheap.
    cf.write_buffer_size = 16 << 20;
    // Such keys overlap every file of the next level, so each compaction of level 0 rewrites
    // all of level 1: compacting twice the files at a time halves that work, for a few more
    // (bloom-filtered) files per lookup.
    cf.level0_file_num_compaction_trigger = 8;
  }
  return cf;
}

}  // namespace

Status Storage::Open(const StoreOptions& options, const std::string& dir, bool read_only,
                     std::unique_ptr<Storage>* out) {
  std::unique_ptr<Storage> storage(new Storage(options, dir));
  Status s = storage->OpenDb(read_only);
  if (!s.ok()) return s;
  *out = std::move(storage);
  return Status::OK();
}

Status Storage::OpenDb(bool read_only) {
  rocksdb::DBOptions db_options;
  db_options.create_if_missing = options_.create_if_missing && !read_only;
  db_options.create_missing_column_families = !read_only;
  db_options.max_background_jobs = 2;
  db_options.keep_log_file_num = 4;
  // After an unclean stop, opening replays the write-ahead log into memtables and flushes them:
  // bounding the log bounds that time (RocksDB flushes the column families that hold its oldest
  // part once it grows past this).
  db_options.max_total_wal_size = 32 << 20;
  if (options_.env != nullptr) db_options.env = options_.env;

  auto cache = rocksdb::NewLRUCache(options_.block_cache_bytes);
  const auto point = FamilyOptions(cache, /*point_lookups=*/true);
  const auto scan = FamilyOptions(cache, /*point_lookups=*/false);
  // Inserting at random places in a large memtable costs a skiplist search with cache misses per
  // key, which was the largest CPU cost of an append. Hints make the common cases O(1): a stream's
  // index entries follow each other, and a head (or a projection's checkpoint, in `meta`)
  // overwrites its own key.
  auto streams = point;
  streams.memtable_insert_with_hint_prefix_extractor = std::make_shared<StreamPrefix>();
  auto heads = point;
  heads.memtable_insert_with_hint_prefix_extractor.reset(rocksdb::NewNoopTransform());
  const auto& meta = heads;
  // Order matches the k*Index enum; the spaces follow in Space order.
  std::vector<rocksdb::ColumnFamilyDescriptor> families = {
      {rocksdb::kDefaultColumnFamilyName, scan},
      {keys::kLog, scan},
      {keys::kStreams, streams},
      {keys::kHeads, heads},
      {keys::kCommands, point},
      {keys::kTimers, point},
      {keys::kSnapshots, point},
      {keys::kProjections, point},
      {keys::kMeta, meta},
  };
  static_assert(static_cast<size_t>(Space::kMeta) == 3, "one column family per Space, in order");

  if (!read_only) {
    std::error_code ec;
    std::filesystem::remove_all(TableDir(), ec);  // tables a crash left before their ingestion
  }
  rocksdb::Status s;
  if (read_only) {
    std::string scratch =
        (std::filesystem::temp_directory_path() / "wijkflow-secondary-XXXXXX").string();
    if (mkdtemp(scratch.data()) == nullptr) return Status::StorageError("mkdtemp failed");
    secondary_dir_ = scratch;
    db_options.max_open_files = -1;  // a secondary instance requires it
    s = rocksdb::DB::OpenAsSecondary(db_options, dir_, scratch, families, &handles_, &db_);
  } else {
    s = rocksdb::DB::Open(db_options, dir_, families, &handles_, &db_);
  }
  if (!s.ok()) {
    db_ = nullptr;
    handles_.clear();
  }
  return FromRocks(s, "open " + dir_);
}

void Storage::CloseDb() {
  if (db_ == nullptr) return;
  for (auto* h : handles_) db_->DestroyColumnFamilyHandle(h).PermitUncheckedError();
  handles_.clear();
  db_->Close().PermitUncheckedError();  // nothing left to do about a failed close
  delete db_;
  db_ = nullptr;
}

namespace {

class StorageTable final : public TableWriter {
 public:
  StorageTable(Storage::ReadLock lock, const rocksdb::Options& options,
               rocksdb::ColumnFamilyHandle* family, std::string path)
      : lock_(std::move(lock)),
        path_(std::move(path)),
        writer_(rocksdb::EnvOptions(), options, family) {
    status_ = writer_.Open(path_);
  }
  ~StorageTable() override {
    if (!finished_) Remove();
  }

  const rocksdb::Status& opened() const { return status_; }

  void Put(std::string_view key, std::string_view value) override {
    if (Check(key)) status_ = writer_.Put(ToSlice(key), ToSlice(value));
  }
  void Delete(std::string_view key) override {
    if (Check(key)) status_ = writer_.Delete(ToSlice(key));
  }
  Status Finish(std::string* path) override {
    path->clear();
    finished_ = true;
    if (status_.ok() && written_ > 0) status_ = writer_.Finish();
    if (!status_.ok() || written_ == 0) {
      Remove();
      return FromRocks(status_, "write table " + path_);
    }
    *path = path_;
    return Status::OK();
  }

 private:
  static rocksdb::Slice ToSlice(std::string_view s) { return rocksdb::Slice(s.data(), s.size()); }
  // Whether a write may go on; counts it.
  bool Check(std::string_view key) {
    if (!status_.ok()) return false;
    if (key.empty()) {
      status_ = rocksdb::Status::InvalidArgument("a table write with an empty key");
      return false;
    }
    ++written_;
    return true;
  }
  void Remove() {
    std::error_code ec;
    std::filesystem::remove(path_, ec);
  }

  Storage::ReadLock lock_;  // the family's handle stays valid while the table is written
  std::string path_;
  rocksdb::SstFileWriter writer_;
  rocksdb::Status status_;
  size_t written_ = 0;
  bool finished_ = false;
};

}  // namespace

Status Storage::NewTable(Space space, ReadLock lock, std::unique_ptr<TableWriter>* table) const {
  rocksdb::ColumnFamilyHandle* family = this->space(space);
  std::error_code ec;
  std::filesystem::create_directories(TableDir(), ec);
  if (ec) return Status::StorageError("cannot create " + TableDir() + ": " + ec.message());
  std::string path = TableDir() + "/" + std::to_string(tables_written_.fetch_add(1) + 1) + ".sst";
  // The family's own options: its comparator, table format and bloom filter. Not compressed,
  // as the first levels are not: a table is written to be ingested at once (a rebuild's, while
  // nothing else can go on), and compaction compresses its keys once they sink further.
  rocksdb::Options options = db_->GetOptions(family);
  options.compression = rocksdb::kNoCompression;
  options.compression_per_level.clear();  // else a table takes the last level's
  auto writer = std::make_unique<StorageTable>(std::move(lock), options, family, std::move(path));
  if (!writer->opened().ok()) return FromRocks(writer->opened(), "open a table file");
  *table = std::move(writer);
  return Status::OK();
}

Status Storage::IngestTables(const std::vector<std::pair<Space, std::string>>& tables) const {
  std::vector<rocksdb::IngestExternalFileArg> args;
  for (const auto& table : tables) {
    rocksdb::ColumnFamilyHandle* family = space(table.first);
    auto it = std::find_if(args.begin(), args.end(),
                           [&](const auto& a) { return a.column_family == family; });
    if (it == args.end()) {
      it = args.insert(args.end(), rocksdb::IngestExternalFileArg());
      it->column_family = family;
      it->options.move_files = true;  // hard links: no copy
    }
    it->external_files.push_back(table.second);
  }
  rocksdb::Status s = db_->IngestExternalFiles(args);
  std::error_code ec;
  for (const auto& table : tables) std::filesystem::remove(table.second, ec);
  return FromRocks(s, "ingest " + std::to_string(tables.size()) + " tables");
}

Storage::~Storage() {
  // A clean close flushes the memtables, so that the next open has no log to replay. A failed
  // flush loses nothing: the log is still there.
  if (db_ != nullptr && secondary_dir_.empty()) {
    db_->Flush(rocksdb::FlushOptions(), handles_).PermitUncheckedError();
  }
  CloseDb();
  if (!secondary_dir_.empty()) {
    std::error_code ec;
    std::filesystem::remove_all(secondary_dir_, ec);
  }
}

Status Storage::LockForRead(ReadLock* lock) const {
  *lock = ReadLock(mu_);
  if (db_ == nullptr) {
    return Status::StorageError(
        "the database is closed after a failed write; the next append "
        "opens it again");
  }
  return Status::OK();
}

rocksdb::Status Storage::Write(const rocksdb::WriteOptions& options,
                               rocksdb::WriteBatch* batch) const {
  ReadLock lock(mu_);  // the writer never overlaps Reopen(); this only orders it for the checker
  if (db_ == nullptr) return rocksdb::Status::IOError("the database is closed");
  return db_->Write(options, batch);
}

// Closing the database stops reads until it opens again, so a reopen first checks that the fault
// is gone: it writes and syncs a probe file beside the database. While that fails (the disk is
// still full, syncs still fail) the old instance stays open for reads.
Status Storage::Reopen() {
  rocksdb::Env* env = options_.env != nullptr ? options_.env : rocksdb::Env::Default();
  const std::string probe = dir_ + "/wijkflow-write-probe";
  std::unique_ptr<rocksdb::WritableFile> file;
  rocksdb::Status s = env->NewWritableFile(probe, &file, rocksdb::EnvOptions());
  if (s.ok()) s = file->Append(std::string(kProbeBytes, '\0'));
  if (s.ok()) s = file->Sync();
  if (s.ok()) s = file->Close();
  file.reset();
  env->DeleteFile(probe).PermitUncheckedError();  // a leftover is harmless: RocksDB ignores it
  if (!s.ok()) return FromRocks(s, "probe " + dir_ + " before reopening it");

  std::unique_lock<std::shared_mutex> lock(mu_);
  CloseDb();
  return OpenDb(/*read_only=*/false);
}

rocksdb::Status Storage::AddSideWrite(const SideWrite& w, rocksdb::WriteBatch* batch) const {
  rocksdb::ColumnFamilyHandle* cf = space(w.space);
  if (w.value.has_value()) return batch->Put(cf, w.key, *w.value);
  if (!w.range_end.empty()) return batch->DeleteRange(cf, w.key, w.range_end);
  return batch->Delete(cf, w.key);
}

Status Storage::GetRecord(uint64_t position, rocksdb::PinnableSlice* value) const {
  return FromRocks(db_->Get(rocksdb::ReadOptions(), log(), keys::PositionKey(position), value),
                   "read log");
}

Status Storage::GetIndex(std::string_view stream_id, uint64_t version, uint64_t* position) const {
  rocksdb::PinnableSlice value;
  Status s = FromRocks(
      db_->Get(rocksdb::ReadOptions(), streams(), keys::StreamIndexKey(stream_id, version), &value),
      "read stream index");
  if (!s.ok()) return s;
  if (value.size() != 8) return Status::Corruption("stream index value is not 8 bytes");
  *position = keys::DecodeBE64(value.data());
  return Status::OK();
}

Status Storage::GetHead(std::string_view stream_id, HeadValue* head) const {
  rocksdb::PinnableSlice value;
  Status s = FromRocks(db_->Get(rocksdb::ReadOptions(), heads(), stream_id, &value), "read head");
  if (!s.ok()) return s;
  if (!DecodeHead(value.ToStringView(), head)) {
    return Status::Corruption("head of '" + std::string(stream_id) + "' is malformed");
  }
  return Status::OK();
}

Status Storage::GetReceipt(const std::string& command_id, AppendReceipt* receipt) const {
  rocksdb::PinnableSlice value;
  Status s = FromRocks(db_->Get(rocksdb::ReadOptions(), commands(), command_id, &value),
                       "read command id");
  if (s.ok() && !receipt->ParseFromArray(value.data(), static_cast<int>(value.size()))) {
    s = Status::Corruption("stored receipt of command '" + command_id + "' does not parse");
  }
  return s;
}

Status Storage::GetTail(uint64_t* position, Digest* global_hash) const {
  std::unique_ptr<rocksdb::Iterator> it(db_->NewIterator(rocksdb::ReadOptions(), log()));
  it->SeekToLast();
  if (!it->Valid()) {
    *position = 0;
    *global_hash = kZeroDigest;
    return FromRocks(it->status(), "seek to the end of the log");
  }
  RecordView view;
  if (!keys::ParsePositionKey(it->key().ToStringView(), position) ||
      !SplitRecord(it->value().ToStringView(), &view)) {
    return Status::Corruption("the last record of the log is malformed");
  }
  *global_hash = view.global_hash;
  return Status::OK();
}

}  // namespace wijkflow
