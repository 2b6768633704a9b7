// Errors as RFC 9457 problem details (application/problem+json). Every error the adapter sends
// goes through here, so that clients can match on `type` and `status`:
//   {"type":"urn:wijkflow:problem:rule-violated","title":"Unprocessable Content","status":422,
//    "detail":"...","instance":"/v1/...","requestId":"...", <extensions such as "rule">}
#pragma once

#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "adapters/http/types.h"
#include "engine/outcome.h"

namespace wijkflow::http {

inline constexpr std::string_view kProblemTypePrefix = "urn:wijkflow:problem:";

class Problem {
 public:
  // `kind` becomes the type's last segment, e.g. "invalid-argument".
  Problem(int status, std::string kind, std::string detail)
      : status_(status), kind_(std::move(kind)), detail_(std::move(detail)) {}

  // A rejected command as a problem: invalid-argument 400, unauthenticated 401, forbidden 403,
  // not-found 404, invalid-transition and conflict 409, precondition-failed 412, rule-violated
  // 422 (with "rule"), unavailable 503.
  static Problem FromOutcome(const engine::Outcome& outcome);

  // Adds an extension member with a string value (e.g. "rule", "field").
  Problem& With(std::string key, std::string value) {
    extensions_.emplace_back(std::move(key), std::move(value));
    return *this;
  }

  int status() const { return status_; }
  const std::string& kind() const { return kind_; }
  const std::string& detail() const { return detail_; }

  // The response: problem+json body, and WWW-Authenticate for 401.
  Response ToResponse(std::string_view instance, std::string_view request_id) const;

 private:
  int status_;
  std::string kind_;
  std::string detail_;
  std::vector<std::pair<std::string, std::string>> extensions_;
};

// "Not Found", "Unprocessable Content", ...
const char* ReasonPhrase(int status);

// The HTTP status of an outcome kind (see Problem::FromOutcome); 200 for ok.
int StatusOf(engine::Outcome::Kind kind);

}  // namespace wijkflow::http
