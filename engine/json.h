// Canonical JSON of a protobuf message: protobuf's JSON mapping with map entries in key order,
// so that the same message always prints the same bytes (golden files, ETags, exports).
#pragma once

#include <string>
#include <string_view>

namespace google::protobuf {
class Message;
}

namespace wijkflow::engine {

std::string ToCanonicalJson(const google::protobuf::Message& message);

// Appends `s` as a JSON string literal, escaped as protobuf escapes it: quotes, backslashes and
// every control character, and '<', '>', U+2028 and U+2029, so that the text is safe in HTML and
// JavaScript too.
void AppendJsonString(std::string* out, std::string_view s);

}  // namespace wijkflow::engine
