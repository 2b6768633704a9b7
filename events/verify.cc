#include "events/verify.h"

#include <rocksdb/db.h>

#include <map>
#include <memory>
#include <string>

#include "events/format.h"
#include "events/keys.h"
#include "events/sha256.h"
#include "events/storage.h"
#include "wijkflow/envelope.pb.h"

namespace wijkflow {

namespace {

class Verifier {
 public:
  explicit Verifier(const Storage& storage) : storage_(storage) {}

  VerifyReport Run() {
    Storage::ReadLock lock;
    Status s = storage_.LockForRead(&lock);
    (void)((s.ok() || FailStorage(s)) && WalkLog() && CheckIndexHasNoStrays() && CheckHeads());
    report_.streams_checked = streams_.size();
    return report_;
  }

 private:
  bool Fail(std::string stream_id, uint64_t version, uint64_t position, std::string reason) {
    report_.ok = false;
    report_.stream_id = std::move(stream_id);
    report_.stream_version = version;
    report_.position = position;
    report_.reason = std::move(reason);
    return false;
  }

  bool FailStorage(const Status& s) {
    return Fail("", 0, 0, "cannot read the store: " + s.ToString());
  }

  bool WalkLog() {
    std::unique_ptr<rocksdb::Iterator> it(
        storage_.db()->NewIterator(rocksdb::ReadOptions(), storage_.log()));
    uint64_t expected = 1;
    for (it->SeekToFirst(); it->Valid(); it->Next(), ++expected) {
      if (!CheckRecord(expected, it->key().ToStringView(), it->value().ToStringView())) {
        return false;
      }
      report_.events_checked++;
    }
    if (!it->status().ok()) return FailStorage(FromRocks(it->status(), "walk the log"));
    return true;
  }

  bool CheckRecord(uint64_t expected, std::string_view key, std::string_view value) {
    uint64_t position = 0;
    if (!keys::ParsePositionKey(key, &position)) {
      return Fail("", 0, expected,
                  "malformed log key after position " + std::to_string(expected - 1));
    }
    if (position != expected) {
      return Fail("", 0, expected, "log has no record at position " + std::to_string(expected));
    }
    RecordView view;
    EventEnvelope env;
    if (!SplitRecord(value, &view)) return Fail("", 0, position, "record shorter than its hashes");
    if (!env.ParseFromArray(view.body.data(), static_cast<int>(view.body.size()))) {
      return Fail("", 0, position, "record does not parse as an envelope");
    }
    const std::string& stream_id = env.stream_id();
    const uint64_t version = env.stream_version();
    if (env.position() != position) {
      return Fail(stream_id, version, position,
                  "envelope says position " + std::to_string(env.position()));
    }
    StreamState& stream = streams_[stream_id];
    if (version != stream.version + 1) {
      return Fail(stream_id, version, position,
                  "stream version follows " + std::to_string(stream.version));
    }
    if (sha_.Chain(stream.hash, view.body) != view.stream_hash) {
      return Fail(stream_id, version, position,
                  "stream hash does not match the record and the stream's previous hash");
    }
    if (sha_.Chain(global_hash_, view.body) != view.global_hash) {
      return Fail(stream_id, version, position,
                  "global hash does not match the record and the previous record's hash");
    }
    uint64_t indexed = 0;
    Status s = storage_.GetIndex(stream_id, version, &indexed);
    if (!s.ok() || indexed != position) {
      return Fail(stream_id, version, position,
                  s.ok() ? "stream index points at position " + std::to_string(indexed)
                         : "stream index entry: " + s.ToString());
    }
    stream = StreamState{version, position, view.stream_hash};
    global_hash_ = view.global_hash;
    return true;
  }

  // Every event was found in the index by CheckRecord; an entry beyond a stream's last event
  // would be a stray.
  bool CheckIndexHasNoStrays() {
    std::unique_ptr<rocksdb::Iterator> it(
        storage_.db()->NewIterator(rocksdb::ReadOptions(), storage_.streams()));
    for (it->SeekToFirst(); it->Valid(); it->Next()) {
      std::string_view stream_id;
      uint64_t version = 0;
      if (!keys::ParseStreamIndexKey(it->key().ToStringView(), &stream_id, &version)) {
        return Fail("", 0, 0, "malformed stream index key");
      }
      auto found = streams_.find(stream_id);
      if (found == streams_.end() || version > found->second.version || it->value().size() != 8) {
        const uint64_t position =
            it->value().size() == 8 ? keys::DecodeBE64(it->value().data()) : 0;
        return Fail(std::string(stream_id), version, position,
                    "stream index entry without an event in the log");
      }
    }
    if (!it->status().ok()) return FailStorage(FromRocks(it->status(), "walk the stream index"));
    return true;
  }

  bool CheckHeads() {
    std::unique_ptr<rocksdb::Iterator> it(
        storage_.db()->NewIterator(rocksdb::ReadOptions(), storage_.heads()));
    size_t heads = 0;
    for (it->SeekToFirst(); it->Valid(); it->Next(), ++heads) {
      const std::string_view stream_id = it->key().ToStringView();
      HeadValue head;
      auto found = streams_.find(stream_id);
      if (!DecodeHead(it->value().ToStringView(), &head) || found == streams_.end() ||
          head.version != found->second.version || head.position != found->second.position ||
          head.hash != found->second.hash) {
        return Fail(std::string(stream_id), head.version, head.position,
                    "head does not match the stream's last event");
      }
    }
    if (!it->status().ok()) return FailStorage(FromRocks(it->status(), "walk the heads"));
    if (heads != streams_.size()) {
      for (const auto& [stream_id, state] : streams_) {
        HeadValue head;
        if (storage_.GetHead(stream_id, &head).IsNotFound()) {
          return Fail(stream_id, state.version, state.position, "stream has no head");
        }
      }
    }
    return true;
  }

  struct StreamState {
    uint64_t version = 0;
    uint64_t position = 0;
    Digest hash{};
  };

  const Storage& storage_;
  VerifyReport report_;
  Sha256 sha_;
  Digest global_hash_{};
  std::map<std::string, StreamState, std::less<>> streams_;
};

}  // namespace

VerifyReport VerifyStore(const Storage& storage) { return Verifier(storage).Run(); }

}  // namespace wijkflow
