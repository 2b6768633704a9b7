// A fast printer of protobuf messages in protobuf's JSON mapping, as MessageToJsonString prints
// them with always_print_primitive_fields (lowerCamelCase names in declaration order, every
// primitive field even when default, repeated fields as [], unset messages left out, 64-bit
// integers as strings, enums by name, bytes as base64, well-known types in their JSON form).
// It walks the message by reflection instead of through protobuf's generic converter, which costs
// several times more. A test checks it against protobuf's own output.
#pragma once

#include <string>

namespace google::protobuf {
class Message;
}

namespace wijkflow::http {

// Appends the JSON of `message` to `*out`.
void AppendMessageJson(std::string* out, const google::protobuf::Message& message);

}  // namespace wijkflow::http
