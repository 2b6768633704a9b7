#include "adapters/http/instance_index.h"

#include <google/protobuf/message.h>

#include "wijkflow/engine.pb.h"

namespace wijkflow::http {
namespace {

Micros ToMicros(const google::protobuf::Timestamp& t) {
  return t.seconds() * 1'000'000 + t.nanos() / 1000;
}

// Files an instance under `key` (by state, by district): readers list the keys; the value is
// empty.
void List(engine::ModelWriter& model, const std::string& key) { model.Edit<Snapshot>(key); }

class InstanceIndex final : public engine::Projection {
 public:
  explicit InstanceIndex(const engine::WorkflowRegistry* registry) : registry_(registry) {}

  std::string_view Name() const override { return kInstanceIndex; }
  const engine::Message* ValueType() const override { return &Snapshot::default_instance(); }

  void Apply(const EventEnvelope& env, const engine::Message& payload,
             engine::ModelWriter& model) override {
    const engine::Workflow* wf = registry_->Find(env.workflow());
    const std::string prefix = env.workflow() + "/";
    if (wf == nullptr || env.stream_id().rfind(prefix, 0) != 0) return;
    const std::string id = env.stream_id().substr(prefix.size());
    const std::string key = index_keys::Instance(env.workflow(), id);
    const auto* before = model.Find<Snapshot>(key);
    const bool existed = before != nullptr;
    auto instance =
        wf->NewInstance(existed ? before->definition_version() : env.definition_version());
    if (existed && !instance->Restore(before->state(), before->data()).ok()) return;
    const std::string old_state = existed ? before->state() : "";
    const std::string old_district = existed ? DistrictOf(*wf, *instance) : "";
    // A recorded event that the machine refuses cannot be indexed; the engine would not load
    // such a stream either.
    if (!instance->Apply(env, payload).ok()) return;

    Snapshot& snap = *model.Edit<Snapshot>(key);
    snap.set_version(env.stream_version());
    snap.set_state(std::string(instance->StateName()));
    if (!existed) snap.set_definition_version(env.definition_version());
    instance->Data().SerializeToString(snap.mutable_data());
    snap.set_last_effective_micros(ToMicros(env.effective_date()));

    if (snap.state() != old_state) {
      if (existed) model.Delete(index_keys::ByState(env.workflow(), old_state) + id);
      List(model, index_keys::ByState(env.workflow(), snap.state()) + id);
    }
    const std::string district = DistrictOf(*wf, *instance);
    if (district != old_district) {
      if (!old_district.empty()) {
        model.Delete(index_keys::ByDistrict(env.workflow(), old_district) + id);
      }
      if (!district.empty()) List(model, index_keys::ByDistrict(env.workflow(), district) + id);
    }
  }

 private:
  const engine::WorkflowRegistry* registry_;
};

}  // namespace

std::string DistrictOf(const engine::Workflow& wf, const engine::Instance& instance) {
  std::string d = wf.DistrictOf(instance);
  return d.find('/') == std::string::npos ? d : "";
}

std::unique_ptr<engine::Projection> NewInstanceIndex(const engine::WorkflowRegistry* registry) {
  return std::make_unique<InstanceIndex>(registry);
}

}  // namespace wijkflow::http
