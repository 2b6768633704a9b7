// The contract between the engine and a workflow. A workflow (one folder under workflows/) gives
// the engine: its commands, a way to make an empty instance, and a decide function. The engine
// never names a workflow; workflows register themselves with a WorkflowRegistry.
//
// The split follows event sourcing's decide/evolve:
//  - decide (Workflow::Decide) reads state and a command, checks the business rules in force on
//    the command's effective date, and emits events or a rejection. It never mutates state.
//  - evolve (Instance::Apply) folds one recorded event into state through the transition table
//    (which must allow it) and the event's applier. Replay runs only this, never rules.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "engine/outcome.h"
#include "events/clock.h"
#include "wijkflow/envelope.pb.h"

namespace google::protobuf {
class Message;
}

namespace wijkflow::engine {

using Message = google::protobuf::Message;

// One instance's current state: its machine state plus the workflow's data.
class Instance {
 public:
  virtual ~Instance() = default;
  virtual std::unique_ptr<Instance> Clone() const = 0;
  // Name of the current state in the transition table, e.g. "under-review".
  virtual std::string_view StateName() const = 0;
  // The workflow's data message (e.g. wijkflow.initiative.InitiativeData).
  virtual const Message& Data() const = 0;
  // Evolve: folds `payload` (the decoded event of `envelope`) into this state. Returns
  // InvalidTransition if the table has no transition for it from the current state.
  virtual Outcome Apply(const EventEnvelope& envelope, const Message& payload) = 0;
  // The machine's part of Apply alone: moves to the state `payload` leads to, and leaves the data
  // as it was. What a read model that follows states needs (see workflows/common/fold.h).
  virtual Outcome Advance(const EventEnvelope& envelope, const Message& payload) {
    return Apply(envelope, payload);
  }
  // Puts the machine in the named state and replaces the data: used to load snapshots.
  virtual Outcome Restore(std::string_view state, const std::string& data) = 0;
};

// Who may issue a command, and what it means for authorisation.
struct CommandSpec {
  std::string name;                // e.g. "Grant"; also the last path segment over HTTP
  const Message* prototype;        // the command message type (owned by the workflow)
  std::vector<std::string> roles;  // roles that may issue it ("system" for timer commands)
  // A decision on an application (grant, refusal...): a district manager needs a mandate in
  // force on the effective date, and acts in the council's name.
  bool is_decision = false;
};

struct Transition {
  std::string from, event, to;
};

struct WorkflowInfo {
  std::string name;                 // path segment, e.g. "initiatives"
  uint32_t definition_version = 1;  // the version new instances start under
  std::string initial_state;
  std::vector<std::string> states;
  std::vector<std::string> events;  // event type names
  std::vector<Transition> transitions;
};

// The district and amount a command concerns, for authorisation and mandate scope.
struct Scope {
  std::string district;
  int64_t amount_cents = 0;
};

class DecideContext;

class Workflow {
 public:
  virtual ~Workflow() = default;
  virtual const WorkflowInfo& Info() const = 0;
  virtual const std::vector<CommandSpec>& Commands() const = 0;
  // An instance in the initial state, for a history recorded under `definition_version`.
  virtual std::unique_ptr<Instance> NewInstance(uint32_t definition_version) const = 0;
  // The district and amount `command` concerns; `current` is the instance (maybe new).
  virtual Scope ScopeOf(const Instance& current, const Message& command) const = 0;
  // The district `instance` belongs to, for read scoping: a token for some districts reads only
  // their instances, and those of no district (empty).
  virtual std::string DistrictOf(const Instance& instance) const = 0;
  // Decide: check the rules in force on ctx.effective() and emit events through ctx, or reject.
  virtual Outcome Decide(DecideContext& ctx, const Instance& current,
                         const Message& command) const = 0;
  // What is wrong with the definition beyond what the registry checks from Info() and
  // Commands() (WorkflowRegistry::Add), e.g. a part left out; checked once, at registration.
  virtual Outcome Check() const { return Outcome::Ok(); }
};

}  // namespace wijkflow::engine
