// Parses JSON into protobuf messages by protobuf's JSON mapping, walking the message by
// reflection: a field by its lowerCamelCase or its original name; 64-bit integers as numbers or
// strings; enums by name or number; bytes as base64; Timestamps in RFC 3339; wrappers as their
// value; null as "not set". Unknown fields are refused. Messages whose types use the other
// well-known types (Any, Struct, Value, Duration, FieldMask...) go to protobuf's own parser.
#include <google/protobuf/descriptor.h>
#include <google/protobuf/message.h>
#include <google/protobuf/stubs/common.h>
#include <google/protobuf/stubs/strutil.h>
#include <google/protobuf/timestamp.pb.h>
#include <google/protobuf/util/json_util.h>
#include <google/protobuf/util/time_util.h>

#include <algorithm>
#include <cerrno>
#include <cmath>
#include <cstdlib>
#include <limits>
#include <mutex>
#include <unordered_map>
#include <vector>

#include "adapters/http/json.h"

namespace wijkflow::http {
namespace {

using google::protobuf::Descriptor;
using google::protobuf::FieldDescriptor;
using google::protobuf::Message;
using google::protobuf::Reflection;

// A message type's fields by JSON name and by original name, and whether this parser handles
// the type (and every type below it).
struct TypeInfo {
  std::unordered_map<std::string, const FieldDescriptor*> fields;
  bool supported = true;
};

bool IsWrapper(const Descriptor* d) {
  const std::string& n = d->name();
  return d->file()->package() == "google.protobuf" && n.size() > 5 &&
         n.compare(n.size() - 5, 5, "Value") == 0 && n != "Value" && n != "ListValue";
}

bool IsTimestamp(const Descriptor* d) { return d->full_name() == "google.protobuf.Timestamp"; }

const TypeInfo& InfoOf(const Descriptor* d);

TypeInfo BuildInfo(const Descriptor* d) {
  TypeInfo info;
  for (int i = 0; i < d->field_count(); ++i) {
    const FieldDescriptor* f = d->field(i);
    info.fields.emplace(f->json_name(), f);
    info.fields.emplace(f->name(), f);
  }
  return info;
}

// Whether this parser handles every type below `d` (else protobuf's parser is used).
bool Supported(const Descriptor* d) {
  std::vector<const Descriptor*> todo = {d};
  std::unordered_map<const Descriptor*, bool> seen;
  while (!todo.empty()) {
    const Descriptor* t = todo.back();
    todo.pop_back();
    if (seen[t]) continue;
    seen[t] = true;
    if (IsTimestamp(t) || IsWrapper(t)) continue;
    if (t->file()->package() == "google.protobuf") return false;
    for (int i = 0; i < t->field_count(); ++i) {
      if (const Descriptor* m = t->field(i)->message_type()) todo.push_back(m);
    }
  }
  return true;
}

const TypeInfo& InfoOf(const Descriptor* d) {
  static std::mutex mu;
  static auto* cache = new std::unordered_map<const Descriptor*, TypeInfo>();
  std::lock_guard<std::mutex> lock(mu);
  auto it = cache->find(d);
  if (it != cache->end()) return it->second;
  TypeInfo info = BuildInfo(d);
  info.supported = Supported(d);
  return (*cache)[d] = std::move(info);
}

class Parser {
 public:
  explicit Parser(std::string_view json) : p_(json.data()), end_(json.data() + json.size()) {}

  bool Parse(Message* m) {
    Ws();
    if (!Object(m)) return false;
    Ws();
    if (p_ != end_) return Fail("Unexpected characters after the JSON value.");
    return true;
  }
  const std::string& error() const { return error_; }
  const std::string& field() const { return field_; }

 private:
  bool Fail(std::string msg) {
    if (error_.empty()) error_ = path_.empty() ? msg : path_ + ": " + msg;
    if (field_.empty()) field_ = path_;
    return false;
  }
  bool Invalid(const FieldDescriptor* f, std::string_view token) {
    return Fail("invalid value " + std::string(token) + " for type " +
                FieldDescriptor::TypeName(f->type()));
  }
  void Ws() {
    while (p_ < end_ && (*p_ == ' ' || *p_ == '\t' || *p_ == '\n' || *p_ == '\r')) ++p_;
  }
  bool Eat(char c) {
    Ws();
    if (p_ < end_ && *p_ == c) {
      ++p_;
      return true;
    }
    return false;
  }
  bool Literal(std::string_view word) {
    if (static_cast<size_t>(end_ - p_) >= word.size() &&
        std::string_view(p_, word.size()) == word) {
      p_ += word.size();
      return true;
    }
    return false;
  }

  // A value's text: a string's contents (quoted) or a bare token.
  struct ValueText {
    bool quoted = false;
    std::string str;
    std::string_view text;
  };

  bool String(std::string* out);
  bool Number(std::string_view* token);
  bool Token(ValueText* v);
  bool Integral(Message* m, const FieldDescriptor* f, bool add, const ValueText& v);
  bool Floating(Message* m, const FieldDescriptor* f, bool add, const ValueText& v);
  bool Enum(Message* m, const FieldDescriptor* f, bool add, const ValueText& v);
  bool Text(Message* m, const FieldDescriptor* f, bool add, ValueText& v);
  bool SubMessage(Message* m, const FieldDescriptor* f, bool add);
  bool Object(Message* m);
  bool Member(Message* m, const TypeInfo& info, std::vector<const FieldDescriptor*>* seen);
  bool FieldValue(Message* m, const FieldDescriptor* f);
  bool Scalar(Message* m, const FieldDescriptor* f, bool add);
  bool Integer(const FieldDescriptor* f, std::string_view token, bool quoted, int64_t* s,
               uint64_t* u);
  bool MapEntry(Message* m, const FieldDescriptor* f);

  const char* p_;
  const char* end_;
  std::string path_;
  std::string error_;
  std::string field_;
};

void AppendUtf8(std::string* out, uint32_t cp) {
  if (cp < 0x80) {
    out->push_back(static_cast<char>(cp));
  } else if (cp < 0x800) {
    out->push_back(static_cast<char>(0xC0 | (cp >> 6)));
    out->push_back(static_cast<char>(0x80 | (cp & 0x3F)));
  } else if (cp < 0x10000) {
    out->push_back(static_cast<char>(0xE0 | (cp >> 12)));
    out->push_back(static_cast<char>(0x80 | ((cp >> 6) & 0x3F)));
    out->push_back(static_cast<char>(0x80 | (cp & 0x3F)));
  } else {
    out->push_back(static_cast<char>(0xF0 | (cp >> 18)));
    out->push_back(static_cast<char>(0x80 | ((cp >> 12) & 0x3F)));
    out->push_back(static_cast<char>(0x80 | ((cp >> 6) & 0x3F)));
    out->push_back(static_cast<char>(0x80 | (cp & 0x3F)));
  }
}

bool Parser::String(std::string* out) {
  Ws();
  if (p_ >= end_ || *p_ != '"') return Fail("Expected a string.");
  ++p_;
  out->clear();
  while (p_ < end_ && *p_ != '"') {
    const auto c = static_cast<unsigned char>(*p_++);
    if (c < 0x20) return Fail("Control characters must be escaped in a string.");
    if (c != '\\') {
      out->push_back(static_cast<char>(c));
      continue;
    }
    if (p_ >= end_) break;
    const char e = *p_++;
    static const std::string_view kPlain = "\"\\/bfnrt";
    static const char kValue[] = "\"\\/\b\f\n\r\t";
    if (size_t at = kPlain.find(e); at != std::string_view::npos) {
      out->push_back(kValue[at]);
      continue;
    }
    if (e != 'u') return Fail("Invalid escape sequence.");
    auto hex4 = [&](uint32_t* v) {
      if (end_ - p_ < 4) return false;
      *v = 0;
      for (int i = 0; i < 4; ++i) {
        const char h = *p_++;
        const int d = h >= '0' && h <= '9'   ? h - '0'
                      : h >= 'a' && h <= 'f' ? h - 'a' + 10
                      : h >= 'A' && h <= 'F' ? h - 'A' + 10
                                             : -1;
        if (d < 0) return false;
        *v = *v * 16 + static_cast<uint32_t>(d);
      }
      return true;
    };
    uint32_t cp;
    if (!hex4(&cp)) return Fail("Invalid \\u escape.");
    if (cp >= 0xD800 && cp < 0xDC00) {  // a surrogate pair
      uint32_t lo;
      if (!Literal("\\u") || !hex4(&lo) || lo < 0xDC00 || lo >= 0xE000) {
        return Fail("Invalid surrogate pair.");
      }
      cp = 0x10000 + ((cp - 0xD800) << 10) + (lo - 0xDC00);
    }
    AppendUtf8(out, cp);
  }
  if (p_ >= end_) return Fail("Unexpected end of string.");
  ++p_;
  // A string field that is not UTF-8 serializes, but its event would never parse again: replay
  // of its instance would fail for good. This also catches a lone low surrogate escape.
  if (!google::protobuf::internal::IsStructurallyValidUTF8(*out)) {
    return Fail("Encountered non UTF-8 code points.");
  }
  return true;
}

// -?(0|[1-9][0-9]*)(.[0-9]+)?([eE][+-]?[0-9]+)?
bool IsJsonNumber(std::string_view t) {
  size_t i = 0;
  auto digits = [&] {
    const size_t from = i;
    while (i < t.size() && std::isdigit(static_cast<unsigned char>(t[i]))) ++i;
    return i > from;
  };
  if (i < t.size() && t[i] == '-') ++i;
  if (i < t.size() && t[i] == '0') {
    ++i;
  } else if (!digits()) {
    return false;
  }
  if (i < t.size() && t[i] == '.') {
    ++i;
    if (!digits()) return false;
  }
  if (i < t.size() && (t[i] == 'e' || t[i] == 'E')) {
    ++i;
    if (i < t.size() && (t[i] == '+' || t[i] == '-')) ++i;
    if (!digits()) return false;
  }
  return i == t.size();
}

bool Parser::Number(std::string_view* token) {
  Ws();
  const char* start = p_;
  if (p_ < end_ && *p_ == '-') ++p_;
  while (p_ < end_ && (std::isdigit(static_cast<unsigned char>(*p_)) || *p_ == '.' || *p_ == 'e' ||
                       *p_ == 'E' || *p_ == '+' || *p_ == '-')) {
    ++p_;
  }
  *token = std::string_view(start, static_cast<size_t>(p_ - start));
  if (token->empty() || *token == "-") return Fail("Expected a value.");
  // What strtod would take beyond JSON's grammar (".5", "1.", "+1", "012") protobuf refuses.
  if (!IsJsonNumber(*token)) return Fail("Invalid number " + std::string(*token) + ".");
  return true;
}

bool Parser::Object(Message* m) {
  if (!Eat('{')) return Fail("Expected an object.");
  const TypeInfo& info = InfoOf(m->GetDescriptor());
  if (Eat('}')) return true;
  // A field named twice (or once by its proto name and once by its JSON name) is refused:
  // which value counts would be a guess, and protobuf itself merges some repeats and not others.
  std::vector<const FieldDescriptor*> seen;
  do {
    if (!Member(m, info, &seen)) return false;
  } while (Eat(','));
  if (!Eat('}')) return Fail("Expected , or } after key:value pair.");
  return true;
}

bool Parser::Member(Message* m, const TypeInfo& info, std::vector<const FieldDescriptor*>* seen) {
  std::string name;
  if (!String(&name)) return false;
  if (!Eat(':')) return Fail("Expected : between key:value pair.");
  auto it = info.fields.find(name);
  const std::string saved = path_;
  path_ = path_.empty() ? name : path_ + "." + name;
  if (it == info.fields.end()) return Fail("Cannot find field.");
  const FieldDescriptor* f = it->second;
  path_ = saved.empty() ? f->json_name() : saved + "." + f->json_name();
  if (std::find(seen->begin(), seen->end(), f) != seen->end()) return Fail("Field given twice.");
  seen->push_back(f);
  if (const auto* oneof = f->real_containing_oneof()) {
    const FieldDescriptor* set = m->GetReflection()->GetOneofFieldDescriptor(*m, oneof);
    if (set != nullptr && set != f) return Fail("Multiple oneof fields set.");
  }
  if (!FieldValue(m, f)) return false;
  path_ = saved;
  return true;
}

bool Parser::FieldValue(Message* m, const FieldDescriptor* f) {
  const Reflection* r = m->GetReflection();
  Ws();
  if (Literal("null")) {
    r->ClearField(m, f);
    return true;
  }
  if (f->is_map()) {
    r->ClearField(m, f);
    if (!Eat('{')) return Fail("Expected an object for a map.");
    if (Eat('}')) return true;
    do {
      if (!MapEntry(m, f)) return false;
    } while (Eat(','));
    return Eat('}') ? true : Fail("Expected , or } after key:value pair.");
  }
  if (f->is_repeated()) {
    r->ClearField(m, f);
    if (!Eat('[')) return Fail("Expected an array.");
    if (Eat(']')) return true;
    do {
      if (!Scalar(m, f, true)) return false;
    } while (Eat(','));
    return Eat(']') ? true : Fail("Expected , or ] after array value.");
  }
  return Scalar(m, f, false);
}

bool Parser::MapEntry(Message* m, const FieldDescriptor* f) {
  std::string key;
  if (!String(&key)) return false;
  if (!Eat(':')) return Fail("Expected : between key:value pair.");
  Message* entry = m->GetReflection()->AddMessage(m, f);
  const FieldDescriptor* kf = f->message_type()->map_key();
  if (kf->cpp_type() == FieldDescriptor::CPPTYPE_STRING) {
    entry->GetReflection()->SetString(entry, kf, key);
  } else {
    const std::string quoted = "\"" + key + "\"";  // parse the key as its type, from a string
    Parser sub(quoted);
    if (!sub.Scalar(entry, kf, false)) return Fail(sub.error_);
  }
  return Scalar(entry, f->message_type()->map_value(), false);
}

bool Parser::Integer(const FieldDescriptor* f, std::string_view token, bool quoted, int64_t* s,
                     uint64_t* u) {
  const std::string t(token);
  const std::string shown = quoted ? "\"" + t + "\"" : t;
  const bool is_unsigned = f->cpp_type() == FieldDescriptor::CPPTYPE_UINT32 ||
                           f->cpp_type() == FieldDescriptor::CPPTYPE_UINT64;
  const bool is_32 = f->cpp_type() == FieldDescriptor::CPPTYPE_INT32 ||
                     f->cpp_type() == FieldDescriptor::CPPTYPE_UINT32;
  if (t.empty() || t.find_first_not_of("-0123456789.eE+") != std::string::npos) {
    return Invalid(f, shown);
  }
  errno = 0;
  char* rest = nullptr;
  if (t.find_first_of(".eE") != std::string::npos) {
    // A number such as 1.0 or 1e3 is accepted when it is a whole number in range; a string
    // such as "1.0" is not (protobuf reads a quoted integer as digits only).
    if (quoted) return Invalid(f, shown);
    const double d = std::strtod(t.c_str(), &rest);
    if (*rest != '\0' || std::floor(d) != d || std::fabs(d) >= 9007199254740992.0) {
      return Invalid(f, shown);
    }
    if (is_unsigned && d < 0) return Invalid(f, shown);
    *s = static_cast<int64_t>(d);
    *u = static_cast<uint64_t>(std::fabs(d));
  } else if (is_unsigned) {
    if (t[0] == '-') return Invalid(f, shown);
    *u = std::strtoull(t.c_str(), &rest, 10);
    if (*rest != '\0' || errno == ERANGE) return Invalid(f, shown);
  } else {
    *s = std::strtoll(t.c_str(), &rest, 10);
    if (*rest != '\0' || errno == ERANGE) return Invalid(f, shown);
  }
  if (is_32 && is_unsigned && *u > std::numeric_limits<uint32_t>::max()) return Invalid(f, shown);
  if (is_32 && !is_unsigned &&
      (*s < std::numeric_limits<int32_t>::min() || *s > std::numeric_limits<int32_t>::max())) {
    return Invalid(f, shown);
  }
  return true;
}

// Reads the next value's text: a string's contents, or a bare token (number, true, ...).
bool Parser::Token(ValueText* v) {
  Ws();
  v->quoted = p_ < end_ && *p_ == '"';
  if (v->quoted) {
    if (!String(&v->str)) return false;
    v->text = v->str;
    return true;
  }
  if (Literal("true")) {
    v->text = "true";
  } else if (Literal("false")) {
    v->text = "false";
  } else if (!Number(&v->text)) {
    return false;
  }
  return true;
}

bool Parser::Integral(Message* m, const FieldDescriptor* f, bool add, const ValueText& v) {
  const Reflection* r = m->GetReflection();
  int64_t sv = 0;
  uint64_t uv = 0;
  if (!Integer(f, v.text, v.quoted, &sv, &uv)) return false;
  switch (f->cpp_type()) {
    case FieldDescriptor::CPPTYPE_INT32:
      add ? r->AddInt32(m, f, static_cast<int32_t>(sv))
          : r->SetInt32(m, f, static_cast<int32_t>(sv));
      break;
    case FieldDescriptor::CPPTYPE_INT64:
      add ? r->AddInt64(m, f, sv) : r->SetInt64(m, f, sv);
      break;
    case FieldDescriptor::CPPTYPE_UINT32:
      add ? r->AddUInt32(m, f, static_cast<uint32_t>(uv))
          : r->SetUInt32(m, f, static_cast<uint32_t>(uv));
      break;
    default:
      add ? r->AddUInt64(m, f, uv) : r->SetUInt64(m, f, uv);
  }
  return true;
}

bool Parser::Floating(Message* m, const FieldDescriptor* f, bool add, const ValueText& v) {
  const Reflection* r = m->GetReflection();
  double d;
  if (v.quoted && v.text == "NaN") {
    d = std::numeric_limits<double>::quiet_NaN();
  } else if (v.quoted && (v.text == "Infinity" || v.text == "-Infinity")) {
    d = v.text[0] == '-' ? -HUGE_VAL : HUGE_VAL;
  } else {
    const std::string t(v.text);
    char* rest = nullptr;
    d = std::strtod(t.c_str(), &rest);
    if (t.empty() || *rest != '\0' || !std::isfinite(d) || t == "true" || t == "false") {
      return Invalid(f, v.quoted ? "\"" + t + "\"" : t);
    }
  }
  if (f->cpp_type() == FieldDescriptor::CPPTYPE_FLOAT) {
    if (std::isfinite(d) && std::fabs(d) > std::numeric_limits<float>::max()) {
      return Fail("Float out of range.");
    }
    add ? r->AddFloat(m, f, static_cast<float>(d)) : r->SetFloat(m, f, static_cast<float>(d));
  } else {
    add ? r->AddDouble(m, f, d) : r->SetDouble(m, f, d);
  }
  return true;
}

bool Parser::Enum(Message* m, const FieldDescriptor* f, bool add, const ValueText& v) {
  int number = 0;
  if (v.quoted) {
    const auto* value = f->enum_type()->FindValueByName(v.str);
    if (value == nullptr) return Invalid(f, "\"" + v.str + "\"");
    number = value->number();
  } else {
    int64_t sv = 0;
    uint64_t uv = 0;
    if (!Integer(f, v.text, false, &sv, &uv) || sv < INT32_MIN || sv > INT32_MAX) {
      return Invalid(f, std::string(v.text));
    }
    number = static_cast<int>(sv);
  }
  const Reflection* r = m->GetReflection();
  add ? r->AddEnumValue(m, f, number) : r->SetEnumValue(m, f, number);
  return true;
}

bool Parser::Text(Message* m, const FieldDescriptor* f, bool add, ValueText& v) {
  if (!v.quoted) return Invalid(f, std::string(v.text));
  if (f->type() == FieldDescriptor::TYPE_BYTES) {
    std::string bytes;
    if (!google::protobuf::Base64Unescape(v.str, &bytes) &&
        !google::protobuf::WebSafeBase64Unescape(v.str, &bytes)) {
      return Fail("Invalid data in input.");
    }
    v.str = std::move(bytes);
  }
  const Reflection* r = m->GetReflection();
  add ? r->AddString(m, f, std::move(v.str)) : r->SetString(m, f, std::move(v.str));
  return true;
}

bool Parser::SubMessage(Message* m, const FieldDescriptor* f, bool add) {
  const Reflection* r = m->GetReflection();
  Message* sub = add ? r->AddMessage(m, f) : r->MutableMessage(m, f);
  const Descriptor* d = sub->GetDescriptor();
  if (IsWrapper(d)) return Scalar(sub, d->FindFieldByNumber(1), false);
  if (!IsTimestamp(d)) return Object(sub);
  ValueText v;
  if (!Token(&v)) return false;
  google::protobuf::Timestamp ts;
  if (!v.quoted) return Invalid(f, std::string(v.text));
  if (!google::protobuf::util::TimeUtil::FromString(v.str, &ts)) {
    return Fail("Invalid time format: " + v.str);
  }
  sub->GetReflection()->SetInt64(sub, d->FindFieldByNumber(1), ts.seconds());
  sub->GetReflection()->SetInt32(sub, d->FindFieldByNumber(2), ts.nanos());
  return true;
}

bool Parser::Scalar(Message* m, const FieldDescriptor* f, bool add) {
  if (f->cpp_type() == FieldDescriptor::CPPTYPE_MESSAGE) return SubMessage(m, f, add);
  ValueText v;
  if (!Token(&v)) return false;
  switch (f->cpp_type()) {
    case FieldDescriptor::CPPTYPE_INT32:
    case FieldDescriptor::CPPTYPE_INT64:
    case FieldDescriptor::CPPTYPE_UINT32:
    case FieldDescriptor::CPPTYPE_UINT64:
      return Integral(m, f, add, v);
    case FieldDescriptor::CPPTYPE_DOUBLE:
    case FieldDescriptor::CPPTYPE_FLOAT:
      return Floating(m, f, add, v);
    case FieldDescriptor::CPPTYPE_BOOL: {
      if (v.quoted || (v.text != "true" && v.text != "false")) {
        return Invalid(f, v.quoted ? "\"" + v.str + "\"" : std::string(v.text));
      }
      const Reflection* r = m->GetReflection();
      add ? r->AddBool(m, f, v.text == "true") : r->SetBool(m, f, v.text == "true");
      return true;
    }
    case FieldDescriptor::CPPTYPE_ENUM:
      return Enum(m, f, add, v);
    case FieldDescriptor::CPPTYPE_STRING:
      return Text(m, f, add, v);
    default:
      return Fail("Unsupported field type.");
  }
}

}  // namespace

bool ParseMessageJson(std::string_view json, Message* message, std::string* error,
                      std::string* field) {
  if (!InfoOf(message->GetDescriptor()).supported) {
    return ParseMessageJsonByProtobuf(json, message, error, field);
  }
  Parser parser(json);
  if (parser.Parse(message)) return true;
  message->Clear();
  *error = parser.error();
  *field = parser.field();
  return false;
}

}  // namespace wijkflow::http
