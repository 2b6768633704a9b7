// Format: encoding and decoding of the values the store keeps in its column families. The grammar
// of each value is at the top of event_store.cc.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "events/clock.h"
#include "events/sha256.h"
#include "events/status.h"

namespace google::protobuf {
class Timestamp;
}

namespace wijkflow {

class EventEnvelope;

// A `log` value split into its parts; `body` points into the value.
struct RecordView {
  std::string_view body;
  Digest stream_hash;
  Digest global_hash;
};

// Splits a `log` value. Returns false if it is too short to hold the two hashes.
bool SplitRecord(std::string_view value, RecordView* out);

// Parses a `log` value into `env` and sets env->hash and env->global_hash. The previous hashes are
// not part of the record: the caller sets them. Corruption if it does not parse.
Status ParseRecord(std::string_view value, EventEnvelope* env, RecordView* view);

// A `heads` value.
struct HeadValue {
  uint64_t version = 0;
  uint64_t position = 0;
  Digest hash{};
};

inline constexpr size_t kHeadValueSize = 8 + 8 + 32;

void EncodeHead(const HeadValue& head, std::string* dst);
bool DecodeHead(std::string_view value, HeadValue* head);

// Microseconds since the epoch as a protobuf Timestamp.
void SetTimestamp(Micros micros, google::protobuf::Timestamp* ts);

}  // namespace wijkflow
