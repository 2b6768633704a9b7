#include "adapters/http/openapi_schema.h"

#include <google/protobuf/descriptor.h>

namespace wijkflow::http {

using google::protobuf::Descriptor;
using google::protobuf::FieldDescriptor;

// One value of field `f` (an element, for a repeated field).
void WriteScalar(JsonWriter& w, const FieldDescriptor* f, std::set<const Descriptor*>* needed);

namespace {

// Well-known types have a JSON form of their own. True if `d` is one (and its schema written).
bool WriteWellKnown(JsonWriter& w, const Descriptor* d) {
  const std::string& n = d->full_name();
  if (n == "google.protobuf.Timestamp") {
    w.BeginObject().Field("type", "string").Field("format", "date-time").EndObject();
  } else if (n == "google.protobuf.Duration") {
    w.BeginObject().Field("type", "string").Field("pattern", "^-?[0-9]+(\\.[0-9]+)?s$").EndObject();
  } else if (n == "google.protobuf.FieldMask") {
    w.BeginObject().Field("type", "string").EndObject();
  } else if (n == "google.protobuf.Struct" || n == "google.protobuf.Any" ||
             n == "google.protobuf.Empty") {
    w.BeginObject().Field("type", "object").EndObject();
  } else if (n == "google.protobuf.Value") {
    w.BeginObject().EndObject();
  } else if (n == "google.protobuf.ListValue") {
    w.BeginObject().Field("type", "array").EndObject();
  } else if (n.rfind("google.protobuf.", 0) == 0 && n.size() > 5 &&
             n.compare(n.size() - 5, 5, "Value") == 0) {
    // Wrappers (Int64Value, StringValue, ...): the wrapped value, or null.
    const FieldDescriptor* v = d->FindFieldByName("value");
    w.BeginObject().Key("oneOf").BeginArray();
    w.BeginObject().Field("type", "null").EndObject();
    if (v != nullptr) {
      std::set<const Descriptor*> unused;
      WriteScalar(w, v, &unused);
    }
    w.EndArray().EndObject();
  } else {
    return false;
  }
  return true;
}

}  // namespace

void WriteScalar(JsonWriter& w, const FieldDescriptor* f, std::set<const Descriptor*>* needed) {
  switch (f->type()) {
    case FieldDescriptor::TYPE_DOUBLE:
    case FieldDescriptor::TYPE_FLOAT:
      w.BeginObject().Field("type", "number").EndObject();
      return;
    case FieldDescriptor::TYPE_INT32:
    case FieldDescriptor::TYPE_SINT32:
    case FieldDescriptor::TYPE_SFIXED32:
      w.BeginObject().Field("type", "integer").Field("format", "int32").EndObject();
      return;
    case FieldDescriptor::TYPE_UINT32:
    case FieldDescriptor::TYPE_FIXED32:
      w.BeginObject().Field("type", "integer").Field("format", "uint32").Field("minimum", 0);
      w.EndObject();
      return;
    case FieldDescriptor::TYPE_INT64:
    case FieldDescriptor::TYPE_SINT64:
    case FieldDescriptor::TYPE_SFIXED64:
    case FieldDescriptor::TYPE_UINT64:
    case FieldDescriptor::TYPE_FIXED64:
      // Printed as a decimal string; a JSON number is accepted too.
      w.BeginObject().Key("type").BeginArray().String("string").String("integer").EndArray();
      w.Field("format", f->type() == FieldDescriptor::TYPE_UINT64 ||
                                f->type() == FieldDescriptor::TYPE_FIXED64
                            ? "uint64"
                            : "int64");
      w.Field("pattern", "^-?[0-9]+$").EndObject();
      return;
    case FieldDescriptor::TYPE_BOOL:
      w.BeginObject().Field("type", "boolean").EndObject();
      return;
    case FieldDescriptor::TYPE_STRING:
      w.BeginObject().Field("type", "string").EndObject();
      return;
    case FieldDescriptor::TYPE_BYTES:
      w.BeginObject().Field("type", "string").Field("contentEncoding", "base64").EndObject();
      return;
    case FieldDescriptor::TYPE_ENUM: {
      w.BeginObject().Field("type", "string").Key("enum").BeginArray();
      const auto* e = f->enum_type();
      for (int i = 0; i < e->value_count(); ++i) w.String(e->value(i)->name());
      w.EndArray().EndObject();
      return;
    }
    case FieldDescriptor::TYPE_MESSAGE:
    case FieldDescriptor::TYPE_GROUP:
      if (WriteWellKnown(w, f->message_type())) return;
      needed->insert(f->message_type());
      w.BeginObject().Field("$ref", SchemaRef(f->message_type())).EndObject();
      return;
  }
}

std::string SchemaRef(const Descriptor* d) { return "#/components/schemas/" + d->full_name(); }

void WriteMessageSchema(JsonWriter& w, const Descriptor* d, std::set<const Descriptor*>* needed) {
  if (WriteWellKnown(w, d)) return;
  w.BeginObject().Field("type", "object").Field("title", d->name());
  w.Key("properties").BeginObject();
  for (int i = 0; i < d->field_count(); ++i) {
    const FieldDescriptor* f = d->field(i);
    w.Key(f->json_name());
    if (f->is_map()) {
      w.BeginObject().Field("type", "object").Key("additionalProperties");
      WriteScalar(w, f->message_type()->map_value(), needed);
      w.EndObject();
    } else if (f->is_repeated()) {
      w.BeginObject().Field("type", "array").Key("items");
      WriteScalar(w, f, needed);
      w.EndObject();
    } else {
      WriteScalar(w, f, needed);
    }
  }
  w.EndObject().Field("additionalProperties", false).EndObject();
}

void WriteMessageSchemas(JsonWriter& w, std::set<const Descriptor*> roots) {
  std::set<const Descriptor*> done;
  while (!roots.empty()) {
    const Descriptor* d = *roots.begin();
    roots.erase(roots.begin());
    if (!done.insert(d).second) continue;
    std::set<const Descriptor*> more;
    w.Key(d->full_name());
    WriteMessageSchema(w, d, &more);
    for (const Descriptor* m : more) {
      if (!done.count(m)) roots.insert(m);
    }
  }
}

}  // namespace wijkflow::http
