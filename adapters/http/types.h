// Request and Response as the handlers see them: plain structs, no Beast or Asio types, so that
// routing and handlers compile (and can be tested) without the network layer.
#pragma once

#include <functional>
#include <map>
#include <memory>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace wijkflow::http {

// Header names are stored lower-case.
using Headers = std::vector<std::pair<std::string, std::string>>;

struct Request {
  std::string method;                        // "GET", "POST", ...
  std::string target;                        // as sent: path and query
  std::string path;                          // percent-decoded path, without the query
  std::map<std::string, std::string> query;  // percent-decoded; a repeated key keeps the last
  Headers headers;
  std::string body;
  std::string remote;  // peer address, for logs

  // The value of header `name` (lower-case), or "" if absent.
  std::string_view Header(std::string_view name) const;
  // The value of query parameter `name`, or "" if absent.
  std::string_view Query(std::string_view name) const;
  bool HasQuery(std::string_view name) const { return query.count(std::string(name)) > 0; }
};

// Where a streamed response (Server-Sent Events) writes its frames. Implemented by the server's
// connection; safe to call from any thread.
class StreamSink {
 public:
  virtual ~StreamSink() = default;
  // Queues `data` for the client. Blocks while too much is queued (a slow client slows its own
  // stream, never the server). Returns false once the connection is closed or closing: the
  // source should stop.
  virtual bool Write(std::string data) = 0;
};

// A source of frames for a streamed response. The server calls Start once the response header is
// on the wire, and Stop (from a thread other than the one that calls Write) when the connection
// ends; Stop must make a blocked Write return and must not return before the source has stopped
// writing.
class StreamSource {
 public:
  virtual ~StreamSource() = default;
  virtual void Start(std::shared_ptr<StreamSink> sink) = 0;
  virtual void Stop() = 0;
};

struct Response {
  int status = 200;
  Headers headers;  // Content-Length and Connection are the server's business
  std::string body;
  // If set, the body is this stream (sent chunked until either side closes) and `body` is ignored.
  std::shared_ptr<StreamSource> stream;

  void SetHeader(std::string name, std::string value);
  std::string_view Header(std::string_view name) const;
};

// Called exactly once per request with its response, from any thread.
using Responder = std::function<void(Response)>;

// Why the server could not hand a request to the handler.
enum class ReadFailure {
  kMalformed,       // 400: not HTTP/1.x
  kHeaderTooLarge,  // 431
  kBodyTooLarge,    // 413
  kTimeout,         // 408: the request did not arrive in time
};

// What the server calls. Implemented by the API (adapters/http/api.h).
class RequestHandler {
 public:
  virtual ~RequestHandler() = default;
  // Handles `request` and calls `done` exactly once, possibly on another thread, possibly before
  // returning.
  virtual void Handle(Request request, Responder done) = 0;
  // The response to a request that could not be read; the server sends it and closes.
  virtual Response Rejected(ReadFailure why, const std::string& detail) = 0;
};

// Splits a request target into path and decoded query. False if it is not an origin-form target
// or its percent-encoding is broken.
bool ParseTarget(std::string_view target, std::string* path,
                 std::map<std::string, std::string>* query);

}  // namespace wijkflow::http
