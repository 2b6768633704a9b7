// What the subcommands share: opening a data directory, the registry, and formatting.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "engine/engine.h"
#include "engine/registry.h"
#include "events/event_store.h"

namespace wijkflow::cli {

// A data directory opened for a subcommand, with the engine over it.
struct Opened {
  engine::WorkflowRegistry registry;
  std::unique_ptr<EventStore> store;
  std::unique_ptr<engine::Engine> engine;
};

// Opens `dir` read-only (safe while the server runs) unless `writable`. Throws CLI::RuntimeError
// with a message on failure.
std::unique_ptr<Opened> Open(const std::string& dir, bool writable = false);

// "2023-10-16T10:00:00Z" (seconds precision), for tables.
std::string FormatTime(const google::protobuf::Timestamp& t);
// RFC 3339 to microseconds; throws CLI::ValidationError if malformed.
Micros ParseTimeOrThrow(const std::string& text);

// The value of a payload's string field `name`, or "" (e.g. "rule_version", "reasons").
std::string StringField(const engine::Message& m, const std::string& name);
// The value of a payload's int64 field `name`, or 0 (e.g. "amount_cents").
int64_t IntField(const engine::Message& m, const std::string& name);

// One event of an instance's timeline, with the state it left and the state it reached.
struct Step {
  EventEnvelope envelope;
  std::unique_ptr<engine::Message> payload;
  std::string before, after;
};

// The instance's events with the states they moved between; throws on an unknown workflow.
std::vector<Step> Timeline(Opened& o, const std::string& workflow, const std::string& id);

[[noreturn]] void Fail(const std::string& message, int code = 1);

}  // namespace wijkflow::cli
