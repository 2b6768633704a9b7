// Engine: turns commands into events. The way of one command (architecture.md):
//   authorise (role, district, mandate on the effective date) -> load the instance (cache,
//   snapshot + later events, or full replay) -> decide (the workflow's rules) -> the machine must
//   accept every new event -> one atomic append across every stream the decision touches, with
//   the versions it read -> on a version conflict, load again and retry (bounded).
// A rejected command writes nothing. Thread-safe; commands on one instance are serialised here,
// commands on different instances run in parallel and meet in the store's group commit.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "engine/outcome.h"
#include "engine/registry.h"
#include "engine/workflow.h"
#include "events/clock.h"
#include "events/event_store.h"

namespace wijkflow::engine {

// The authenticated caller, as its token grants it.
struct Principal {
  std::string system;                  // e.g. "mijn-rotterdam"; empty: not authenticated
  std::vector<std::string> roles;      // roles it may act in; "admin" may act in any
  std::vector<std::string> districts;  // districts it may act for; "*": all
};

struct CommandRequest {
  std::string workflow;           // e.g. "initiatives"
  std::string instance_id;        // e.g. "ini-2024-0001"
  std::string command;            // e.g. "Submit"
  std::unique_ptr<Message> body;  // the command message (see Engine::ParseCommand)
  Principal principal;
  // Who acts, in which role; must lie within the principal's grants. For a decision under
  // mandate the engine fills in mandate_ref and on_behalf_of.
  Actor actor;
  std::string command_id;  // idempotency key; empty: the engine makes one
  // The caller made command_id just now, unguessably (it was given no key): no earlier command
  // can have it, so the engine skips looking for one. A later retry with it is still recognised.
  bool command_id_is_new = false;
  std::optional<Micros> effective;   // when the act counts; default: now
  std::optional<uint64_t> if_match;  // the instance version the caller saw
  std::string correlation_id;
  std::string causation_id;
};

struct CommandResult {
  Outcome outcome;
  bool duplicate = false;  // the command id was seen before; receipt is the first one's
  AppendReceipt receipt;
  uint64_t version = 0;  // the instance's version after the command
  std::string state;     // the instance's state after the command
};

// One instance as it stands (or stood), for reading.
struct InstanceView {
  std::unique_ptr<Instance> instance;
  uint64_t version = 0;
  uint32_t definition_version = 0;
  Micros last_recorded = 0;
  Micros last_effective = 0;
};

struct EngineOptions {
  // Instances kept in memory, least recently used dropped first.
  size_t cache_entries = 20'000;
  // A snapshot is written in the same batch as every Nth event of a stream.
  uint64_t snapshot_every = 50;
  // Decide+append attempts when another command changed a stream we read.
  int max_attempts = 32;
  // Serialise commands per instance with this many lock stripes.
  size_t lock_stripes = 1024;
};

class Engine {
 public:
  // REQUIRES: store, registry and clock outlive the engine.
  Engine(EventStore* store, const WorkflowRegistry* registry, const Clock* clock,
         EngineOptions options = {});
  ~Engine();
  Engine(const Engine&) = delete;
  Engine& operator=(const Engine&) = delete;

  CommandResult Execute(CommandRequest request);

  // Execute for a thread that must not wait (a network thread). The command is decided on the
  // calling thread and its append queued; `done` gets the result once the append is durable, on
  // the store's sync thread (so it must be quick), or at once if the command is refused before
  // it appends. Where Execute would wait (the instance is locked by a command in flight, the
  // append lost a race and must be decided again, the decision writes another stream too, or it
  // writes timers alone) the request goes to `wait` instead, which must run Execute where waiting
  // is fine and give its result to `done`. Exactly one of the two is called, once.
  using Done = std::function<void(CommandResult)>;
  using Waiting = std::function<void(CommandRequest, Done)>;
  void ExecuteAsync(CommandRequest request, Done done, Waiting wait);

  // Parses `json` (protobuf JSON mapping) into a new message of the command's type. Unknown
  // fields are rejected (InvalidArgument naming the field).
  Outcome ParseCommand(std::string_view workflow, std::string_view command, std::string_view json,
                       std::unique_ptr<Message>* out) const;

  // The instance now, or as it stood after the events recorded at or before `as_of`.
  // NotFound if it has no events (by then).
  Outcome Get(std::string_view workflow, std::string_view id, std::optional<Micros> as_of,
              InstanceView* out);

  // Fires every timer due at or before the clock's now as a command of the system actor, and
  // removes it. Safe to call from several threads. Returns the number fired.
  size_t FireDueTimers();
  // When the earliest timer at or before `until` falls due; nullopt if none does.
  std::optional<Micros> NextTimerDue(Micros until);

  const WorkflowRegistry& registry() const { return *registry_; }
  EventStore& store() const { return *store_; }
  const Clock& clock() const { return *clock_; }

  // "initiatives/ini-1": the stream of an instance.
  static std::string StreamId(std::string_view workflow, std::string_view id);

 private:
  class Impl;
  std::unique_ptr<Impl> impl_;
  EventStore* store_;
  const WorkflowRegistry* registry_;
  const Clock* clock_;
};

// Decodes an envelope's payload into a message of its event type (from the protobuf types
// linked into this program). nullptr if the type is unknown or the bytes do not parse. For a loop
// over many events, PayloadDecoder (engine/payload_decoder.h) does it faster.
std::unique_ptr<Message> DecodePayload(const EventEnvelope& envelope);

}  // namespace wijkflow::engine
