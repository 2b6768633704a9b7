#include "adapters/http/problem.h"

#include "adapters/http/json.h"

namespace wijkflow::http {

using Kind = engine::Outcome::Kind;

int StatusOf(Kind kind) {
  switch (kind) {
    case Kind::kOk:
      return 200;
    case Kind::kUnauthenticated:
      return 401;
    case Kind::kForbidden:
      return 403;
    case Kind::kNotFound:
      return 404;
    case Kind::kInvalidArgument:
      return 400;
    case Kind::kInvalidTransition:
    case Kind::kConflict:
      return 409;
    case Kind::kPreconditionFailed:
      return 412;
    case Kind::kRuleViolated:
      return 422;
    case Kind::kUnavailable:
      return 503;
  }
  return 500;
}

const char* ReasonPhrase(int status) {
  switch (status) {
    case 200:
      return "OK";
    case 201:
      return "Created";
    case 204:
      return "No Content";
    case 304:
      return "Not Modified";
    case 400:
      return "Bad Request";
    case 401:
      return "Unauthorized";
    case 403:
      return "Forbidden";
    case 404:
      return "Not Found";
    case 405:
      return "Method Not Allowed";
    case 406:
      return "Not Acceptable";
    case 408:
      return "Request Timeout";
    case 409:
      return "Conflict";
    case 412:
      return "Precondition Failed";
    case 413:
      return "Content Too Large";
    case 415:
      return "Unsupported Media Type";
    case 422:
      return "Unprocessable Content";
    case 431:
      return "Request Header Fields Too Large";
    case 500:
      return "Internal Server Error";
    case 503:
      return "Service Unavailable";
  }
  return "Error";
}

Problem Problem::FromOutcome(const engine::Outcome& outcome) {
  Problem p(StatusOf(outcome.kind()), engine::Outcome::KindName(outcome.kind()), outcome.message());
  if (!outcome.rule().empty()) p.With("rule", outcome.rule());
  if (!outcome.state().empty()) p.With("state", outcome.state());
  return p;
}

Response Problem::ToResponse(std::string_view instance, std::string_view request_id) const {
  JsonWriter w;
  w.BeginObject()
      .Field("type", std::string(kProblemTypePrefix) + kind_)
      .Field("title", ReasonPhrase(status_))
      .Field("status", status_)
      .Field("detail", detail_);
  if (!instance.empty()) w.Field("instance", instance);
  if (!request_id.empty()) w.Field("requestId", request_id);
  for (const auto& [k, v] : extensions_) w.Field(k, v);
  w.EndObject();
  Response r;
  r.status = status_;
  r.body = w.Take();
  r.SetHeader("content-type", "application/problem+json");
  if (status_ == 401) r.SetHeader("www-authenticate", "Bearer realm=\"wijkflow\"");
  return r;
}

}  // namespace wijkflow::http
