// JSON Schema (2020-12, as OpenAPI 3.1 uses it) for protobuf messages under protobuf's JSON
// mapping: lowerCamelCase names, 64-bit integers as strings, Timestamps as RFC 3339 strings,
// enums by name, bytes as base64. Unknown properties are refused, as the server refuses them.
#pragma once

#include <set>
#include <string>

#include "adapters/http/json.h"

namespace google::protobuf {
class Descriptor;
}

namespace wijkflow::http {

// "#/components/schemas/<full name>"
std::string SchemaRef(const google::protobuf::Descriptor* d);

// Writes the schema of message `d` (an object with its fields); message-typed fields refer to
// other components by SchemaRef and are added to `*needed`.
void WriteMessageSchema(JsonWriter& w, const google::protobuf::Descriptor* d,
                        std::set<const google::protobuf::Descriptor*>* needed);

// Writes every schema in `*roots` and everything they refer to, as members of an open object
// ("<full name>": {...}).
void WriteMessageSchemas(JsonWriter& w, std::set<const google::protobuf::Descriptor*> roots);

}  // namespace wijkflow::http
