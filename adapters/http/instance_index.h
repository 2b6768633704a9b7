// The instance index: a projection that keeps every instance's current state, version and
// district, so that the adapter can list instances of a workflow (GET /v1/{workflow}?state=...)
// without replaying streams. It folds events through the workflows' own appliers (Instance::Apply),
// the same code replay uses, so the index cannot disagree with the engine.
//
// Model layout (keys of projection "instances"):
//   "i/" workflow "/" id                 -> wijkflow.Snapshot (state, version, data, ...)
//   "s/" workflow "/" state "/" id       -> ""   (by state)
//   "d/" workflow "/" district "/" id    -> ""   (by district, when the data has one)
// The district is the data message's top-level string field "district", if it has one.
#pragma once

#include <memory>
#include <string>
#include <string_view>

#include "engine/projection.h"
#include "engine/registry.h"

namespace wijkflow::http {

inline constexpr std::string_view kInstanceIndex = "instances";

// REQUIRES: registry outlives the projection; workflows are added before events are applied.
std::unique_ptr<engine::Projection> NewInstanceIndex(const engine::WorkflowRegistry* registry);

// The district `instance` of `wf` belongs to, as the workflow says (Workflow::DistrictOf); ""
// if it has none, or one that cannot be a key segment.
std::string DistrictOf(const engine::Workflow& wf, const engine::Instance& instance);

namespace index_keys {
inline std::string Instance(std::string_view wf, std::string_view id) {
  return "i/" + std::string(wf) + "/" + std::string(id);
}
inline std::string ByState(std::string_view wf, std::string_view state) {
  return "s/" + std::string(wf) + "/" + std::string(state) + "/";
}
inline std::string ByDistrict(std::string_view wf, std::string_view district) {
  return "d/" + std::string(wf) + "/" + std::string(district) + "/";
}
}  // namespace index_keys

}  // namespace wijkflow::http
