#include "events/reader.h"

#include <rocksdb/db.h>

#include <memory>
#include <string>
#include <unordered_map>

#include "events/format.h"
#include "events/keys.h"
#include "events/storage.h"
#include "wijkflow/envelope.pb.h"

namespace wijkflow {

namespace {

Status CorruptAt(uint64_t position, const Status& s) {
  return Status::Corruption("position " + std::to_string(position) + ": " + s.message());
}

// Both hashes of the record at `position`; Corruption if there is none.
Status RecordHashes(const Storage& storage, uint64_t position, RecordView* view) {
  rocksdb::PinnableSlice value;
  Status s = storage.GetRecord(position, &value);
  if (s.IsNotFound()) return Status::Corruption("log has no position " + std::to_string(position));
  if (!s.ok()) return s;
  if (!SplitRecord(value.ToStringView(), view)) {
    return CorruptAt(position, Status::Corruption("record too short"));
  }
  view->body = {};  // points into `value`, which goes now
  return Status::OK();
}

// The stream hash of `stream_id`'s event before `version`: zeros for the first event.
Status PrevStreamHash(const Storage& storage, std::string_view stream_id, uint64_t version,
                      Digest* hash) {
  *hash = kZeroDigest;
  if (version <= 1) return Status::OK();
  uint64_t position = 0;
  Status s = storage.GetIndex(stream_id, version - 1, &position);
  if (s.IsNotFound()) {
    return Status::Corruption("stream '" + std::string(stream_id) + "' has no version " +
                              std::to_string(version - 1));
  }
  RecordView view;
  if (s.ok()) s = RecordHashes(storage, position, &view);
  if (s.ok()) *hash = view.stream_hash;
  return s;
}

// The global hash of the record before `position`: zeros for the first.
Status PrevGlobalHash(const Storage& storage, uint64_t position, Digest* hash) {
  *hash = kZeroDigest;
  if (position <= 1) return Status::OK();
  RecordView view;
  Status s = RecordHashes(storage, position - 1, &view);
  if (s.ok()) *hash = view.global_hash;
  return s;
}

}  // namespace

Status ReadStreamEvents(const Storage& storage, std::string_view stream_id, uint64_t from_version,
                        size_t max_count, std::vector<EventEnvelope>* out) {
  out->clear();
  if (stream_id.size() > UINT16_MAX) return Status::InvalidArgument("stream id too long");
  from_version = std::max<uint64_t>(from_version, 1);
  std::string prefix;
  keys::AppendStreamPrefix(&prefix, stream_id);
  Storage::ReadLock lock;
  if (Status s = storage.LockForRead(&lock); !s.ok()) return s;
  std::unique_ptr<rocksdb::Iterator> it(
      storage.db()->NewIterator(rocksdb::ReadOptions(), storage.streams()));
  uint64_t prev_position = 0;
  Digest prev_stream{}, prev_global{};
  for (it->Seek(keys::StreamIndexKey(stream_id, from_version));
       it->Valid() && it->key().starts_with(prefix) && out->size() < max_count; it->Next()) {
    std::string_view key_stream;
    uint64_t version = 0;
    if (!keys::ParseStreamIndexKey(it->key().ToStringView(), &key_stream, &version) ||
        it->value().size() != 8) {
      return Status::Corruption("malformed stream index entry of '" + std::string(stream_id) + "'");
    }
    const uint64_t position = keys::DecodeBE64(it->value().data());
    Status s;
    if (out->empty()) s = PrevStreamHash(storage, stream_id, version, &prev_stream);
    // Events of one append sit next to each other in the log: reuse the previous record's hash.
    if (s.ok() && (out->empty() || position != prev_position + 1)) {
      s = PrevGlobalHash(storage, position, &prev_global);
    }
    rocksdb::PinnableSlice value;
    if (s.ok()) s = storage.GetRecord(position, &value);
    if (s.IsNotFound()) s = Status::Corruption("stream index points at a missing record");
    EventEnvelope& env = out->emplace_back();
    RecordView view;
    if (s.ok()) s = ParseRecord(value.ToStringView(), &env, &view);
    if (!s.ok()) return CorruptAt(position, s);
    if (env.stream_id() != stream_id || env.stream_version() != version) {
      return CorruptAt(position, Status::Corruption("record does not match the stream index"));
    }
    env.set_prev_hash(prev_stream.data(), prev_stream.size());
    env.set_prev_global_hash(prev_global.data(), prev_global.size());
    prev_stream = view.stream_hash;
    prev_global = view.global_hash;
    prev_position = position;
  }
  return FromRocks(it->status(), "read stream index");
}

Status ReadLogEvents(const Storage& storage, uint64_t from_position, size_t max_count,
                     std::vector<EventEnvelope>* out) {
  out->clear();
  from_position = std::max<uint64_t>(from_position, 1);
  if (max_count == 0) return Status::OK();
  Storage::ReadLock lock;
  if (Status s = storage.LockForRead(&lock); !s.ok()) return s;
  std::unique_ptr<rocksdb::Iterator> it(
      storage.db()->NewIterator(rocksdb::ReadOptions(), storage.log()));
  // Start one record early, for the previous global hash.
  Digest prev_global{};
  it->Seek(keys::PositionKey(from_position - 1));
  if (from_position > 1) {
    if (!it->Valid()) return FromRocks(it->status(), "read log");  // from_position is past the end
    uint64_t position = 0;
    RecordView view;
    if (!keys::ParsePositionKey(it->key().ToStringView(), &position) ||
        position != from_position - 1 || !SplitRecord(it->value().ToStringView(), &view)) {
      return Status::Corruption("log has a gap or malformed record at position " +
                                std::to_string(from_position - 1));
    }
    prev_global = view.global_hash;
    it->Next();
  }
  // Stream hashes seen in this read, so that only a stream's first event here costs a lookup.
  std::unordered_map<std::string, Digest> last_stream_hash;
  uint64_t expected = from_position;
  for (; it->Valid() && out->size() < max_count; it->Next(), ++expected) {
    uint64_t position = 0;
    if (!keys::ParsePositionKey(it->key().ToStringView(), &position) || position != expected) {
      return Status::Corruption("log has a gap or malformed key before position " +
                                std::to_string(expected));
    }
    EventEnvelope& env = out->emplace_back();
    RecordView view;
    Status s = ParseRecord(it->value().ToStringView(), &env, &view);
    if (!s.ok()) return CorruptAt(position, s);
    auto [entry, fresh] = last_stream_hash.try_emplace(env.stream_id());
    if (fresh) {
      s = PrevStreamHash(storage, env.stream_id(), env.stream_version(), &entry->second);
      if (!s.ok()) return CorruptAt(position, s);
    }
    env.set_prev_hash(entry->second.data(), entry->second.size());
    env.set_prev_global_hash(prev_global.data(), prev_global.size());
    entry->second = view.stream_hash;
    prev_global = view.global_hash;
  }
  return FromRocks(it->status(), "read log");
}

Status ScanLogEvents(const Storage& storage, uint64_t from_position,
                     const std::function<bool(EventEnvelope&)>& fn) {
  EventEnvelope env;
  RecordView view;
  Status parsed;
  Status s =
      ScanLogRecords(storage, from_position, [&](uint64_t position, std::string_view record) {
        parsed = ParseRecord(record, &env, &view);
        if (!parsed.ok()) {
          parsed = CorruptAt(position, parsed);
          return false;
        }
        return fn(env);
      });
  return s.ok() ? parsed : s;
}

Status ScanLogRecords(const Storage& storage, uint64_t from_position,
                      const std::function<bool(uint64_t position, std::string_view record)>& fn) {
  from_position = std::max<uint64_t>(from_position, 1);
  rocksdb::ReadOptions options;
  options.readahead_size = 2 << 20;  // a scan reads the log front to back
  options.fill_cache = false;        // and should not push the heads and indexes out of the cache
  Storage::ReadLock lock;
  if (Status s = storage.LockForRead(&lock); !s.ok()) return s;
  std::unique_ptr<rocksdb::Iterator> it(storage.db()->NewIterator(options, storage.log()));
  uint64_t expected = from_position;
  for (it->Seek(keys::PositionKey(from_position)); it->Valid(); it->Next(), ++expected) {
    uint64_t position = 0;
    if (!keys::ParsePositionKey(it->key().ToStringView(), &position) || position != expected) {
      return Status::Corruption("log has a gap or malformed key before position " +
                                std::to_string(expected));
    }
    if (!fn(position, it->value().ToStringView())) return Status::OK();
  }
  return FromRocks(it->status(), "scan log");
}

}  // namespace wijkflow
