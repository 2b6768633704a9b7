// WorkflowRegistry: where workflows, their projections and the mandate authority plug in.
// Filled once at start-up (workflows/register_all.h: every folder under workflows/ registers
// itself), then read-only and shared by threads. Each part is checked as it is added, so that a
// workflow that breaks a contract of the engine fails at start, naming itself and what is wrong,
// instead of misbehaving on the first command that meets the gap.
#pragma once

#include <functional>
#include <memory>
#include <string>
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
  // Adds `workflow` if it keeps the engine's contracts; else records why not (see Check):
  //  - a name, unique among the workflows;
  //  - states: the initial state and every transition's ends among them;
  //  - every event of a transition with an applier, and every applied event in a transition;
  //  - commands with unique names and unique message types, each with roles; a command for
  //    the role "system" (a timer's) is found by its message type, so no two share one;
  //  - what the workflow's own Check() finds (for a TableWorkflow: its scope functions, its
  //    machine's rows and schema versions).
  void Add(std::unique_ptr<Workflow> workflow);
  // Adds a projection with a name unique among the projections.
  void AddProjection(std::unique_ptr<Projection> p);
  // Sets the mandate authority (at most one).
  void SetMandateAuthority(std::unique_ptr<MandateAuthority> m);

  // Every contract broken by what was added, one per line, each naming its workflow or
  // projection; Ok if none.
  Outcome Check() const;

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
  std::vector<std::string> problems_;
};

}  // namespace wijkflow::engine
