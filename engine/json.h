// Canonical JSON of a protobuf message: protobuf's JSON mapping with map entries in key order,
// so that the same message always prints the same bytes (golden files, ETags, exports).
#pragma once

#include <string>

namespace google::protobuf {
class Message;
}

namespace wijkflow::engine {

std::string ToCanonicalJson(const google::protobuf::Message& message);

}  // namespace wijkflow::engine
