// DecideContext: what a workflow's Decide sees and how it speaks. It reads other instances
// (recording the versions it read, so the append can insist they did not change), and collects
// the events and timers of the decision. Nothing is written until the engine appends the lot.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "engine/workflow.h"

namespace wijkflow::engine {

struct EmittedEvent {
  std::string workflow;     // the stream's workflow
  std::string instance_id;  // the stream's instance
  std::unique_ptr<Message> payload;
  uint32_t schema_version = 1;
};

struct TimerChange {
  std::string name;
  bool cancel = false;
  Micros due = 0;                    // when !cancel
  std::unique_ptr<Message> command;  // when !cancel: fired as the system actor
};

// An instance read during a decision, and the version it was read at.
// Shared and immutable: the engine's cache hands the same one to every reader.
struct LoadedInstance {
  std::shared_ptr<const Instance> instance;
  uint64_t version = 0;  // 0: the instance does not exist (yet)
  uint32_t definition_version = 0;
  Micros last_effective = 0;  // effective date of its last event
};

class DecideContext {
 public:
  using Loader =
      std::function<const LoadedInstance*(std::string_view workflow, std::string_view id)>;

  DecideContext(std::string workflow, std::string instance_id, const Actor& actor, Micros effective,
                Micros now, Loader loader)
      : workflow_(std::move(workflow)),
        instance_id_(std::move(instance_id)),
        actor_(actor),
        effective_(effective),
        now_(now),
        loader_(std::move(loader)) {}

  const std::string& workflow() const { return workflow_; }
  const std::string& instance_id() const { return instance_id_; }
  // The actor as authorised: for a decision under mandate, mandate_ref and on_behalf_of are set.
  const Actor& actor() const { return actor_; }
  // The moment the act counts: rules, mandates and deadlines are evaluated at it.
  Micros effective() const { return effective_; }
  // The clock's now (recorded-at).
  Micros now() const { return now_; }

  // Another instance, read-only. Returns nullptr if it has no events. If the decision emits to
  // it, the append expects it still to be at the version read here.
  const Instance* Load(std::string_view workflow, std::string_view id) {
    const LoadedInstance* l = loader_(workflow, id);
    return l && l->version > 0 ? l->instance.get() : nullptr;
  }

  // An event on the instance the command is for.
  void Emit(std::unique_ptr<Message> event, uint32_t schema_version = 1) {
    EmitTo(workflow_, instance_id_, std::move(event), schema_version);
  }
  // An event on another instance, appended atomically with the rest of the decision.
  void EmitTo(std::string_view workflow, std::string_view id, std::unique_ptr<Message> event,
              uint32_t schema_version = 1) {
    events_.push_back({std::string(workflow), std::string(id), std::move(event), schema_version});
  }
  // (Re)sets the named timer of this instance; it fires `command` as the system actor when due.
  // The command is the workflow's command for the role "system" that takes this message type;
  // a decision that sets a timer no such command takes is refused, and writes nothing.
  void SetTimer(std::string name, Micros due, std::unique_ptr<Message> command) {
    timers_.push_back({std::move(name), false, due, std::move(command)});
  }
  void CancelTimer(std::string name) { timers_.push_back({std::move(name), true, 0, nullptr}); }

  std::vector<EmittedEvent>& events() { return events_; }
  std::vector<TimerChange>& timers() { return timers_; }

 private:
  std::string workflow_;
  std::string instance_id_;
  Actor actor_;
  Micros effective_;
  Micros now_;
  Loader loader_;
  std::vector<EmittedEvent> events_;
  std::vector<TimerChange> timers_;
};

}  // namespace wijkflow::engine
