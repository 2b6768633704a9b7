#include "events/format.h"

#include <cstring>

#include "events/keys.h"
#include "wijkflow/envelope.pb.h"

namespace wijkflow {

bool SplitRecord(std::string_view value, RecordView* out) {
  constexpr size_t kHashes = 2 * sizeof(Digest);
  if (value.size() < kHashes) return false;
  const size_t body_size = value.size() - kHashes;
  out->body = value.substr(0, body_size);
  std::memcpy(out->stream_hash.data(), value.data() + body_size, sizeof(Digest));
  std::memcpy(out->global_hash.data(), value.data() + body_size + sizeof(Digest), sizeof(Digest));
  return true;
}

Status ParseRecord(std::string_view value, EventEnvelope* env, RecordView* view) {
  if (!SplitRecord(value, view)) return Status::Corruption("record shorter than its hashes");
  if (!env->ParseFromArray(view->body.data(), static_cast<int>(view->body.size()))) {
    return Status::Corruption("record body does not parse as an envelope");
  }
  env->set_hash(view->stream_hash.data(), view->stream_hash.size());
  env->set_global_hash(view->global_hash.data(), view->global_hash.size());
  return Status::OK();
}

void EncodeHead(const HeadValue& head, std::string* dst) {
  dst->clear();
  keys::PutBE64(dst, head.version);
  keys::PutBE64(dst, head.position);
  dst->append(AsBytes(head.hash));
}

bool DecodeHead(std::string_view value, HeadValue* head) {
  if (value.size() != kHeadValueSize) return false;
  head->version = keys::DecodeBE64(value.data());
  head->position = keys::DecodeBE64(value.data() + 8);
  head->hash = DigestFromBytes(value.substr(16));
  return true;
}

void SetTimestamp(Micros micros, google::protobuf::Timestamp* ts) {
  // Floor division, so that times before 1970 get nanos in [0, 1e9) as Timestamp requires.
  int64_t seconds = micros / 1'000'000;
  int64_t rest = micros % 1'000'000;
  if (rest < 0) {
    rest += 1'000'000;
    --seconds;
  }
  ts->set_seconds(seconds);
  ts->set_nanos(static_cast<int32_t>(rest * 1000));
}

}  // namespace wijkflow
