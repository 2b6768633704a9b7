#include "workflows/common/fold.h"

#include <cstdio>

#include "wijkflow/engine.pb.h"

namespace wijkflow::workflows {

Folded FoldEvent(InstanceFactory make, const EventEnvelope& envelope,
                 const engine::Message& payload, engine::ModelWriter& model) {
  const std::string key = "fold/" + InstanceIdOf(envelope);
  Folded out;
  std::string bytes;
  Snapshot snap;
  if (model.Get(key, &bytes) && snap.ParseFromString(bytes)) {
    out.instance = make(snap.definition_version());
    if (!out.instance->Restore(snap.state(), snap.data()).ok()) out.instance.reset();
    out.before_state = snap.state();
  }
  if (!out.instance) out.instance = make(envelope.definition_version());
  // The engine accepted this event from this state, so it applies; if it ever did not, the
  // model keeps the last good copy.
  if (!out.instance->Apply(envelope, payload).ok()) {
    out.instance.reset();
    return out;
  }
  snap.set_version(envelope.stream_version());
  snap.set_state(std::string(out.instance->StateName()));
  snap.set_definition_version(envelope.definition_version());
  snap.set_data(out.instance->Data().SerializeAsString());
  model.Put(key, snap.SerializeAsString());
  return out;
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
