#include "adapters/http/json.h"

#include <google/protobuf/descriptor.h>
#include <google/protobuf/util/json_util.h>
#include <google/protobuf/util/time_util.h>

#include <cmath>
#include <cstdio>

#include "adapters/http/proto_json.h"
#include "engine/engine.h"
#include "engine/json.h"

namespace wijkflow::http {

using google::protobuf::util::TimeUtil;

void JsonWriter::Separate() {
  if (after_key_) {
    after_key_ = false;
    return;
  }
  if (!has_items_.empty()) {
    if (has_items_.back()) out_.push_back(',');
    has_items_.back() = true;
  }
}

JsonWriter& JsonWriter::Open(char c) {
  Separate();
  out_.push_back(c);
  has_items_.push_back(false);
  return *this;
}

JsonWriter& JsonWriter::Close(char c) {
  out_.push_back(c);
  has_items_.pop_back();
  return *this;
}

JsonWriter& JsonWriter::Key(std::string_view key) {
  Separate();
  engine::AppendJsonString(&out_, key);
  out_.push_back(':');
  after_key_ = true;
  return *this;
}

JsonWriter& JsonWriter::String(std::string_view s) {
  Separate();
  engine::AppendJsonString(&out_, s);
  return *this;
}

JsonWriter& JsonWriter::Int(int64_t v) {
  Separate();
  out_.append(std::to_string(v));
  return *this;
}

JsonWriter& JsonWriter::Uint(uint64_t v) {
  Separate();
  out_.append(std::to_string(v));
  return *this;
}

JsonWriter& JsonWriter::Double(double v) {
  Separate();
  if (!std::isfinite(v)) {
    out_.append("null");
    return *this;
  }
  char buf[32];
  std::snprintf(buf, sizeof(buf), "%.6g", v);
  out_.append(buf);
  return *this;
}

JsonWriter& JsonWriter::Bool(bool v) {
  Separate();
  out_.append(v ? "true" : "false");
  return *this;
}

JsonWriter& JsonWriter::Null() {
  Separate();
  out_.append("null");
  return *this;
}

JsonWriter& JsonWriter::Raw(std::string_view json) {
  Separate();
  out_.append(json);
  return *this;
}

std::string MessageJson(const google::protobuf::Message& message) {
  std::string out;
  AppendMessageJson(&out, message);
  return out;
}

bool ParseMessageJsonByProtobuf(std::string_view json, google::protobuf::Message* message,
                                std::string* error, std::string* field) {
  google::protobuf::util::JsonParseOptions options;
  options.ignore_unknown_fields = false;
  auto status = google::protobuf::util::JsonStringToMessage(
      google::protobuf::StringPiece(json.data(), json.size()), message, options);
  if (status.ok()) return true;
  // Protobuf names the field first: "foo: Cannot find field." or "(foo): invalid value ...".
  std::string m(status.message());
  while (!m.empty() && (m.back() == '\n' || m.back() == '^' || m.back() == ' ')) m.pop_back();
  *error = m;
  field->clear();
  size_t colon = m.find(": ");
  if (colon != std::string::npos && colon > 0) {
    std::string f = m.substr(0, colon);
    if (f.size() > 2 && f.front() == '(' && f.back() == ')') f = f.substr(1, f.size() - 2);
    if (f.find(' ') == std::string::npos) *field = f;
    // Name a known field as the client writes it (lowerCamelCase).
    if (const auto* fd = message->GetDescriptor()->FindFieldByName(*field)) {
      *field = fd->json_name();
    }
  }
  return false;
}

std::string FormatTime(Micros t) {
  return TimeUtil::ToString(TimeUtil::MicrosecondsToTimestamp(t));
}

std::string FormatTime(const google::protobuf::Timestamp& t) { return TimeUtil::ToString(t); }

std::optional<Micros> ParseTime(std::string_view s) {
  google::protobuf::Timestamp ts;
  if (s.size() < 20 || s[10] != 'T' || !TimeUtil::FromString(std::string(s), &ts)) {
    return std::nullopt;
  }
  return TimeUtil::TimestampToMicroseconds(ts);
}

std::string Hex(std::string_view bytes) {
  static const char kHex[] = "0123456789abcdef";
  std::string out;
  out.reserve(bytes.size() * 2);
  for (char c : bytes) {
    const auto u = static_cast<unsigned char>(c);
    out.push_back(kHex[u >> 4]);
    out.push_back(kHex[u & 15]);
  }
  return out;
}

void WriteEnvelope(JsonWriter& w, const EventEnvelope& e) {
  w.BeginObject()
      .Field("position", e.position())
      .Field("streamId", e.stream_id())
      .Field("streamVersion", e.stream_version())
      .Field("workflow", e.workflow())
      .Field("definitionVersion", uint64_t{e.definition_version()})
      .Field("eventType", e.event_type())
      .Field("schemaVersion", uint64_t{e.schema_version()})
      .Field("recordedAt", FormatTime(e.recorded_at()))
      .Field("effectiveDate", FormatTime(e.effective_date()))
      .Key("actor")
      .Raw(MessageJson(e.actor()))
      .Field("commandId", e.command_id())
      .Field("correlationId", e.correlation_id())
      .Field("causationId", e.causation_id());
  std::unique_ptr<google::protobuf::Message> payload = engine::DecodePayload(e);
  w.Key("payload");
  if (payload) {
    w.Raw(MessageJson(*payload));
  } else {
    w.Null();
  }
  w.Field("prevHash", Hex(e.prev_hash()))
      .Field("hash", Hex(e.hash()))
      .Field("prevGlobalHash", Hex(e.prev_global_hash()))
      .Field("globalHash", Hex(e.global_hash()))
      .EndObject();
}

}  // namespace wijkflow::http
