#include "workflows/common/fold.h"

#include <google/protobuf/message.h>

#include <cstdio>
#include <map>
#include <utility>

namespace wijkflow::workflows {

std::string NextState(InstanceFactory make, std::string_view before, const EventEnvelope& envelope,
                      const engine::Message& payload) {
  const uint32_t version = envelope.definition_version();
  std::unique_ptr<engine::Instance> fresh;
  engine::Instance* instance = nullptr;
  if (before.empty()) {
    fresh = make(version);
    instance = fresh.get();
  } else {
    // Building a machine per event cost more than the rest of a projection's work, so each
    // thread keeps one per workflow and definition version, restored (state set, data cleared)
    // for every event.
    thread_local std::map<std::pair<InstanceFactory, uint32_t>, std::unique_ptr<engine::Instance>>
        kept;
    std::unique_ptr<engine::Instance>& slot = kept[{make, version}];
    if (!slot) slot = make(version);
    instance = slot.get();
    if (!instance->Restore(before, "").ok()) return "";
  }
  if (!instance->Advance(envelope, payload).ok()) return "";
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
