// JSON for the HTTP adapter: a small streaming writer for the adapter's own envelopes (lists,
// results, problems), and protobuf's JSON mapping for every workflow message inside them.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "events/clock.h"
#include "wijkflow/envelope.pb.h"

namespace google::protobuf {
class Message;
}

namespace wijkflow::http {

// Writes one JSON value. Commas and nesting are tracked; the caller keeps keys and values paired.
class JsonWriter {
 public:
  JsonWriter& BeginObject() { return Open('{'); }
  JsonWriter& EndObject() { return Close('}'); }
  JsonWriter& BeginArray() { return Open('['); }
  JsonWriter& EndArray() { return Close(']'); }
  JsonWriter& Key(std::string_view key);
  JsonWriter& String(std::string_view s);
  JsonWriter& Int(int64_t v);
  JsonWriter& Uint(uint64_t v);
  JsonWriter& Double(double v);
  JsonWriter& Bool(bool v);
  JsonWriter& Null();
  // Inserts `json`, which must be one complete JSON value.
  JsonWriter& Raw(std::string_view json);
  // Shorthands for a key and its value.
  JsonWriter& Field(std::string_view key, std::string_view s) { return Key(key).String(s); }
  JsonWriter& Field(std::string_view key, const char* s) { return Key(key).String(s); }
  JsonWriter& Field(std::string_view key, int64_t v) { return Key(key).Int(v); }
  JsonWriter& Field(std::string_view key, uint64_t v) { return Key(key).Uint(v); }
  JsonWriter& Field(std::string_view key, int v) { return Key(key).Int(v); }
  JsonWriter& Field(std::string_view key, bool v) { return Key(key).Bool(v); }

  const std::string& str() const { return out_; }
  std::string Take() { return std::move(out_); }

 private:
  JsonWriter& Open(char c);
  JsonWriter& Close(char c);
  void Separate();

  std::string out_;
  std::vector<bool> has_items_;  // per open container: whether it has an item yet
  bool after_key_ = false;
};

// The protobuf JSON mapping of `message` (lowerCamelCase names, every field printed, int64 as
// string). Returns "{}" for a message that cannot be printed.
std::string MessageJson(const google::protobuf::Message& message);

// Parses `json` into `message` by protobuf's JSON mapping, rejecting unknown fields. On failure
// returns false and fills `error` and `field` (the field at fault, by its JSON name; dotted for a
// nested one; empty if none). Fast: walks the message by reflection (proto_json_parse.cc).
bool ParseMessageJson(std::string_view json, google::protobuf::Message* message, std::string* error,
                      std::string* field);
// The same through protobuf's own parser (JsonStringToMessage), which the fast one falls back to
// for the well-known types it does not handle.
bool ParseMessageJsonByProtobuf(std::string_view json, google::protobuf::Message* message,
                                std::string* error, std::string* field);

// RFC 3339 in UTC, e.g. "2023-10-01T09:00:00Z" (fractions only when non-zero).
std::string FormatTime(Micros t);
std::string FormatTime(const google::protobuf::Timestamp& t);
// Parses an RFC 3339 date-time (offset required). nullopt if malformed.
std::optional<Micros> ParseTime(std::string_view s);

std::string Hex(std::string_view bytes);

// An event envelope: store fields, actor, the decoded payload (by the protobuf JSON mapping) and
// the hashes in hex.
void WriteEnvelope(JsonWriter& w, const EventEnvelope& envelope);

}  // namespace wijkflow::http
