#include "adapters/http/proto_json.h"

#include <google/protobuf/descriptor.h>
#include <google/protobuf/message.h>
#include <google/protobuf/stubs/strutil.h>
#include <google/protobuf/timestamp.pb.h>
#include <google/protobuf/util/json_util.h>
#include <google/protobuf/util/time_util.h>

#include <algorithm>
#include <cmath>
#include <string_view>
#include <utility>
#include <vector>

#include "engine/json.h"

namespace wijkflow::http {
namespace {

using google::protobuf::Descriptor;
using google::protobuf::FieldDescriptor;
using google::protobuf::Message;
using google::protobuf::Reflection;

void AppendDouble(std::string* out, double v) {
  if (std::isnan(v)) {
    out->append("\"NaN\"");
  } else if (std::isinf(v)) {
    out->append(v > 0 ? "\"Infinity\"" : "\"-Infinity\"");
  } else {
    out->append(google::protobuf::SimpleDtoa(v));
  }
}

void AppendFloat(std::string* out, float v) {
  if (std::isnan(v) || std::isinf(v)) return AppendDouble(out, v);
  out->append(google::protobuf::SimpleFtoa(v));
}

// Well-known types have a JSON form of their own; false if `m` is not one of them. Timestamps are
// common in our messages and printed here; the rest (rare) go to protobuf's own printer.
bool AppendWellKnown(std::string* out, const Message& m) {
  const Descriptor* d = m.GetDescriptor();
  if (d->file()->package() != "google.protobuf") return false;
  if (d->full_name() == "google.protobuf.Timestamp") {
    const Reflection* r = m.GetReflection();
    google::protobuf::Timestamp ts;
    ts.set_seconds(r->GetInt64(m, d->FindFieldByNumber(1)));
    ts.set_nanos(r->GetInt32(m, d->FindFieldByNumber(2)));
    engine::AppendJsonString(out, google::protobuf::util::TimeUtil::ToString(ts));
    return true;
  }
  std::string json;
  google::protobuf::util::JsonPrintOptions options;
  options.always_print_primitive_fields = true;
  if (!google::protobuf::util::MessageToJsonString(m, &json, options).ok()) json = "null";
  out->append(json);
  return true;
}

void AppendMessage(std::string* out, const Message& m);

// One value of field `f` (element `index` of a repeated field, or the singular value).
void AppendValue(std::string* out, const Message& m, const FieldDescriptor* f, int index) {
  const Reflection* r = m.GetReflection();
  const bool rep = index >= 0;
  switch (f->cpp_type()) {
    case FieldDescriptor::CPPTYPE_INT32:
      out->append(std::to_string(rep ? r->GetRepeatedInt32(m, f, index) : r->GetInt32(m, f)));
      return;
    case FieldDescriptor::CPPTYPE_UINT32:
      out->append(std::to_string(rep ? r->GetRepeatedUInt32(m, f, index) : r->GetUInt32(m, f)));
      return;
    case FieldDescriptor::CPPTYPE_INT64:
      out->push_back('"');
      out->append(std::to_string(rep ? r->GetRepeatedInt64(m, f, index) : r->GetInt64(m, f)));
      out->push_back('"');
      return;
    case FieldDescriptor::CPPTYPE_UINT64:
      out->push_back('"');
      out->append(std::to_string(rep ? r->GetRepeatedUInt64(m, f, index) : r->GetUInt64(m, f)));
      out->push_back('"');
      return;
    case FieldDescriptor::CPPTYPE_DOUBLE:
      return AppendDouble(out, rep ? r->GetRepeatedDouble(m, f, index) : r->GetDouble(m, f));
    case FieldDescriptor::CPPTYPE_FLOAT:
      return AppendFloat(out, rep ? r->GetRepeatedFloat(m, f, index) : r->GetFloat(m, f));
    case FieldDescriptor::CPPTYPE_BOOL:
      out->append((rep ? r->GetRepeatedBool(m, f, index) : r->GetBool(m, f)) ? "true" : "false");
      return;
    case FieldDescriptor::CPPTYPE_ENUM: {
      const int v = rep ? r->GetRepeatedEnumValue(m, f, index) : r->GetEnumValue(m, f);
      const auto* ev = f->enum_type()->FindValueByNumber(v);
      if (ev != nullptr) {
        engine::AppendJsonString(out, ev->name());
      } else {
        out->append(std::to_string(v));
      }
      return;
    }
    case FieldDescriptor::CPPTYPE_STRING: {
      std::string scratch;
      const std::string& s = rep ? r->GetRepeatedStringReference(m, f, index, &scratch)
                                 : r->GetStringReference(m, f, &scratch);
      if (f->type() == FieldDescriptor::TYPE_BYTES) {
        std::string b64;
        google::protobuf::Base64Escape(s, &b64);
        engine::AppendJsonString(out, b64);
      } else {
        engine::AppendJsonString(out, s);
      }
      return;
    }
    case FieldDescriptor::CPPTYPE_MESSAGE:
      return AppendMessage(out, rep ? r->GetRepeatedMessage(m, f, index) : r->GetMessage(m, f));
  }
}

// A map field: keys as strings, in key order (protobuf's own order is unspecified).
void AppendMap(std::string* out, const Message& m, const FieldDescriptor* f) {
  const Reflection* r = m.GetReflection();
  const FieldDescriptor* key = f->message_type()->map_key();
  const FieldDescriptor* value = f->message_type()->map_value();
  std::vector<std::pair<std::string, const Message*>> entries;
  for (int i = 0; i < r->FieldSize(m, f); ++i) {
    const Message& entry = r->GetRepeatedMessage(m, f, i);
    std::string k;
    if (key->cpp_type() == FieldDescriptor::CPPTYPE_STRING) {
      k = entry.GetReflection()->GetString(entry, key);
    } else {
      AppendValue(&k, entry, key, -1);
      if (!k.empty() && k.front() == '"') k = k.substr(1, k.size() - 2);
    }
    entries.emplace_back(std::move(k), &entry);
  }
  std::sort(entries.begin(), entries.end(),
            [](const auto& a, const auto& b) { return a.first < b.first; });
  out->push_back('{');
  for (size_t i = 0; i < entries.size(); ++i) {
    if (i > 0) out->push_back(',');
    engine::AppendJsonString(out, entries[i].first);
    out->push_back(':');
    AppendValue(out, *entries[i].second, value, -1);
  }
  out->push_back('}');
}

// Well-known types that protobuf renders as a single JSON value rather than an object.
bool RendersAsScalar(const FieldDescriptor* f) {
  if (f->cpp_type() != FieldDescriptor::CPPTYPE_MESSAGE || f->is_repeated()) return false;
  const Descriptor* d = f->message_type();
  if (d->file()->package() != "google.protobuf") return false;
  const std::string& n = d->name();
  return n == "Timestamp" || n == "Duration" || n == "FieldMask" ||
         (n.size() > 5 && n.compare(n.size() - 5, 5, "Value") == 0 && n != "Value" &&
          n != "ListValue");
}

void AppendField(std::string* out, const Message& m, const FieldDescriptor* f, bool* first) {
  const Reflection* r = m.GetReflection();
  if (!*first) out->push_back(',');
  *first = false;
  engine::AppendJsonString(out, f->json_name());
  out->push_back(':');
  if (f->is_map()) {
    AppendMap(out, m, f);
  } else if (f->is_repeated()) {
    out->push_back('[');
    for (int k = 0; k < r->FieldSize(m, f); ++k) {
      if (k > 0) out->push_back(',');
      AppendValue(out, m, f, k);
    }
    out->push_back(']');
  } else {
    AppendValue(out, m, f, -1);
  }
}

// Fields in declaration order, except that set fields of the well-known types printed as one
// value come last (in declaration order among themselves): protobuf's printer with
// always_print_primitive_fields lays fields out that way.
void AppendMessage(std::string* out, const Message& m) {
  if (AppendWellKnown(out, m)) return;
  const Descriptor* d = m.GetDescriptor();
  const Reflection* r = m.GetReflection();
  out->push_back('{');
  bool first = true;
  bool later = false;
  for (int i = 0; i < d->field_count(); ++i) {
    const FieldDescriptor* f = d->field(i);
    if (!f->is_repeated() && f->has_presence() && !r->HasField(m, f)) continue;
    if (RendersAsScalar(f)) {
      later = true;
      continue;
    }
    AppendField(out, m, f, &first);
  }
  for (int i = 0; later && i < d->field_count(); ++i) {
    const FieldDescriptor* f = d->field(i);
    if (RendersAsScalar(f) && r->HasField(m, f)) AppendField(out, m, f, &first);
  }
  out->push_back('}');
}

}  // namespace

void AppendMessageJson(std::string* out, const Message& message) { AppendMessage(out, message); }

}  // namespace wijkflow::http
