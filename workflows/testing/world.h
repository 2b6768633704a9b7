// World: runs a workflow's Decide directly, for unit tests of handlers before (and beside) the
// engine. It keeps instances in memory, hands Decide a DecideContext whose loader reads them,
// and evolves every instance the decision emitted to through its own machine, all or nothing,
// like the engine's append. No authorisation, no storage, no timers firing: those are the
// engine's and are tested end to end in tests/scenario.
#pragma once

#include <map>
#include <memory>
#include <string>
#include <vector>

#include "engine/decide_context.h"
#include "engine/registry.h"

namespace wijkflow::workflows::testing {

class World {
 public:
  explicit World(const engine::WorkflowRegistry* registry) : registry_(registry) {}

  // Decides `command` on workflow/id as `actor` at `effective`; on success applies the events.
  engine::Outcome Run(const std::string& workflow, const std::string& id, const Actor& actor,
                      Micros effective, const engine::Message& command);

  // The instance, or nullptr if it has no events.
  const engine::Instance* Get(const std::string& workflow, const std::string& id) const;
  std::string State(const std::string& workflow, const std::string& id) const;
  // What the last successful Run emitted and scheduled.
  const std::vector<engine::EmittedEvent>& events() const { return events_; }
  const std::vector<engine::TimerChange>& timers() const { return timers_; }
  // A reader for a MandateAuthority.
  engine::InstanceReader Reader() const;

 private:
  const engine::LoadedInstance* Load(std::string_view workflow, std::string_view id);

  const engine::WorkflowRegistry* registry_;
  std::map<std::string, engine::LoadedInstance> instances_;  // by "workflow/id"
  std::vector<engine::EmittedEvent> events_;
  std::vector<engine::TimerChange> timers_;
};

Actor MakeActor(const std::string& id, const std::string& role);

// Sets, publishes and opens round `id` of `district` as the executive, at `start`; it runs a
// year. Returns the first failure.
engine::Outcome OpenRound(World& world, const std::string& id, const std::string& district,
                          int64_t ceiling_cents, int64_t max_per_request_cents, Micros start);

}  // namespace wijkflow::workflows::testing
