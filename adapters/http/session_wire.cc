#include "adapters/http/session_wire.h"

#include <cctype>

#include "adapters/http/problem.h"

namespace wijkflow::http {
namespace {

std::string Lower(std::string_view s) {
  std::string out(s);
  for (char& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

}  // namespace

void ConfigureParser(const ServerOptions& options, RequestParser* parser) {
  parser->eager(true);
  parser->body_limit(options.max_body_bytes);
  parser->header_limit(static_cast<uint32_t>(options.max_header_bytes));
}

bool ToRequest(BeastRequest&& message, Request* out) {
  out->method = std::string(message.method_string());
  out->target = std::string(message.target());
  if (!ParseTarget(out->target, &out->path, &out->query)) return false;
  out->headers.clear();
  out->headers.reserve(12);
  for (const auto& f : message) {
    out->headers.emplace_back(Lower(f.name_string()), std::string(f.value()));
  }
  out->body = std::move(message.body());
  return true;
}

void SerializeResponse(const Response& r, unsigned version, bool keep_alive, std::string* out) {
  out->clear();
  out->reserve(160 + r.body.size());
  out->append(version >= 11 ? "HTTP/1.1 " : "HTTP/1.0 ");
  out->append(std::to_string(r.status)).push_back(' ');
  out->append(ReasonPhrase(r.status)).append("\r\n");
  for (const auto& [name, value] : r.headers) {
    if (name.find_first_of("\r\n:") != std::string::npos ||
        value.find_first_of("\r\n") != std::string::npos) {
      continue;  // never let a value split the header
    }
    out->append(name).append(": ").append(value).append("\r\n");
  }
  const bool no_body = r.status == 204 || r.status == 304 || r.status < 200;
  if (!no_body)
    out->append("content-length: ").append(std::to_string(r.body.size())).append("\r\n");
  if (!keep_alive) {
    out->append("connection: close\r\n");
  } else if (version < 11) {
    out->append("connection: keep-alive\r\n");
  }
  out->append("\r\n");
  if (!no_body) out->append(r.body);
}

}  // namespace wijkflow::http
