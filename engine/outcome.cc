#include "engine/outcome.h"

namespace wijkflow::engine {

const char* Outcome::KindName(Kind kind) {
  switch (kind) {
    case Kind::kOk:
      return "ok";
    case Kind::kUnauthenticated:
      return "unauthenticated";
    case Kind::kForbidden:
      return "forbidden";
    case Kind::kNotFound:
      return "not-found";
    case Kind::kInvalidArgument:
      return "invalid-argument";
    case Kind::kInvalidTransition:
      return "invalid-transition";
    case Kind::kRuleViolated:
      return "rule-violated";
    case Kind::kConflict:
      return "conflict";
    case Kind::kPreconditionFailed:
      return "precondition-failed";
    case Kind::kUnavailable:
      return "unavailable";
  }
  return "unknown";
}

std::string Outcome::ToString() const {
  if (ok()) return "ok";
  std::string s = KindName(kind_);
  if (!rule_.empty()) s += " [" + rule_ + "]";
  return s + ": " + message_;
}

}  // namespace wijkflow::engine
