// WorkflowRegistry: where workflows, their projections and the mandate authority plug in.
// Filled once at start-up (workflows/register_all.h), then read-only and shared by threads.
#pragma once

#include <functional>
#include <memory>
#include <string_view>
#include <vector>

#include "engine/projection.h"
#include "engine/workflow.h"

namespace wijkflow::engine {

// Reads an instance's current state; nullptr if it has no events.
using InstanceReader =
    std::function<const Instance*(std::string_view workflow, std::string_view id)>;

// Decides whether a district manager may take a decision in a district's name on a date.
class MandateAuthority {
 public:
  virtual ~MandateAuthority() = default;
  // On success, names the mandate and the principal in `actor` (mandate_ref, on_behalf_of).
  // A refusal is Forbidden with rule "mandate-in-force".
  virtual Outcome Authorize(const InstanceReader& read, const Scope& scope, Micros effective,
                            Actor* actor) const = 0;
};

class WorkflowRegistry {
 public:
  void Add(std::unique_ptr<Workflow> workflow) { workflows_.push_back(std::move(workflow)); }
  void AddProjection(std::unique_ptr<Projection> p) { projections_.push_back(std::move(p)); }
  void SetMandateAuthority(std::unique_ptr<MandateAuthority> m) { mandates_ = std::move(m); }

  const Workflow* Find(std::string_view name) const {
    for (const auto& w : workflows_) {
      if (w->Info().name == name) return w.get();
    }
    return nullptr;
  }
  const std::vector<std::unique_ptr<Workflow>>& workflows() const { return workflows_; }
  const std::vector<std::unique_ptr<Projection>>& projections() const { return projections_; }
  const MandateAuthority* mandate_authority() const { return mandates_.get(); }

 private:
  std::vector<std::unique_ptr<Workflow>> workflows_;
  std::vector<std::unique_ptr<Projection>> projections_;
  std::unique_ptr<MandateAuthority> mandates_;
};

}  // namespace wijkflow::engine
