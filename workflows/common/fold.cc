#include "workflows/common/fold.h"

#include <google/protobuf/message.h>

#include <cstdio>

namespace wijkflow::workflows {

std::string NextState(InstanceFactory make, std::string_view before, const EventEnvelope& envelope,
                      const engine::Message& payload) {
  std::unique_ptr<engine::Instance> instance = make(envelope.definition_version());
  if (!before.empty() && !instance->Restore(before, "").ok()) return "";
  if (!instance->Apply(envelope, payload).ok()) return "";
  return std::string(instance->StateName());
}

std::string InstanceIdOf(const EventEnvelope& envelope) {
  const std::string& s = envelope.stream_id();
  size_t slash = s.find('/');
  return slash == std::string::npos ? s : s.substr(slash + 1);
}

std::string PositionKey(uint64_t position) {
  char buf[24];
  std::snprintf(buf, sizeof buf, "%020llu", static_cast<unsigned long long>(position));
  return buf;
}

}  // namespace wijkflow::workflows
