// Outcome: the result of a command or an engine step, as a value. A rejection is typed so that
// adapters can map it (e.g. to an HTTP status) without parsing messages.
#pragma once

#include <string>
#include <utility>

namespace wijkflow::engine {

class [[nodiscard]] Outcome {
 public:
  enum class Kind {
    kOk = 0,
    kUnauthenticated,     // no caller identity
    kForbidden,           // role, district or mandate does not allow it
    kNotFound,            // no such workflow, command or instance
    kInvalidArgument,     // malformed command, bad effective date, ...
    kInvalidTransition,   // the transition table has no way from the current state
    kRuleViolated,        // a business rule said no; rule() names it
    kConflict,            // the instance changed under us more often than we retry
    kPreconditionFailed,  // If-Match version differs from the instance's
    kUnavailable,         // storage failed; nothing was written; retry later
  };

  Outcome() = default;
  static Outcome Ok() { return Outcome(); }
  static Outcome Unauthenticated(std::string m) { return {Kind::kUnauthenticated, std::move(m)}; }
  static Outcome Forbidden(std::string m, std::string rule = "") {
    return {Kind::kForbidden, std::move(m), std::move(rule)};
  }
  static Outcome NotFound(std::string m) { return {Kind::kNotFound, std::move(m)}; }
  static Outcome InvalidArgument(std::string m) { return {Kind::kInvalidArgument, std::move(m)}; }
  static Outcome InvalidTransition(std::string state, std::string what) {
    Outcome o(Kind::kInvalidTransition, "'" + what + "' is not allowed in state '" + state + "'");
    o.state_ = std::move(state);
    return o;
  }
  // `rule` is a stable name clients can match on, e.g. "ceiling" or "mandate-in-force".
  static Outcome RuleViolated(std::string rule, std::string m) {
    return {Kind::kRuleViolated, std::move(m), std::move(rule)};
  }
  static Outcome Conflict(std::string m) { return {Kind::kConflict, std::move(m)}; }
  static Outcome PreconditionFailed(std::string m) {
    return {Kind::kPreconditionFailed, std::move(m)};
  }
  static Outcome Unavailable(std::string m) { return {Kind::kUnavailable, std::move(m)}; }

  bool ok() const { return kind_ == Kind::kOk; }
  Kind kind() const { return kind_; }
  const std::string& message() const { return message_; }
  const std::string& rule() const { return rule_; }
  // For kInvalidTransition: the state the instance was in.
  const std::string& state() const { return state_; }

  // "rule-violated", "invalid-transition", ...: stable, for logs, metrics and problem types.
  static const char* KindName(Kind kind);
  std::string ToString() const;

 private:
  Outcome(Kind kind, std::string message, std::string rule = "")
      : kind_(kind), message_(std::move(message)), rule_(std::move(rule)) {}

  Kind kind_ = Kind::kOk;
  std::string message_;
  std::string rule_;
  std::string state_;
};

}  // namespace wijkflow::engine
