// HttpClient: a small blocking HTTP/1.1 client on one keep-alive TCP connection, without Beast,
// for tests, benchmarks and tools. It can send raw bytes (to test the server with malformed or
// slow requests), pipeline requests, and read Server-Sent Events.
#pragma once

#include <chrono>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace wijkflow::http {

struct ClientResponse {
  int status = 0;
  std::vector<std::pair<std::string, std::string>> headers;  // names lower-case
  std::string body;
  std::string_view Header(std::string_view name) const;
};

struct SseEvent {
  std::string id;
  std::string event;
  std::string data;
};

class HttpClient {
 public:
  // Connects to an IPv4 address or "localhost". nullptr on failure (see `error`).
  static std::unique_ptr<HttpClient> Connect(const std::string& host, uint16_t port,
                                             std::string* error = nullptr);
  ~HttpClient();
  HttpClient(const HttpClient&) = delete;
  HttpClient& operator=(const HttpClient&) = delete;

  // Reads give up after this long without a byte (default 30 s).
  void set_timeout(std::chrono::milliseconds t) { timeout_ = t; }

  // Sends a request and reads its response. Adds Host and Content-Length.
  bool Request(std::string_view method, std::string_view target,
               const std::vector<std::pair<std::string, std::string>>& headers,
               std::string_view body, ClientResponse* out);
  bool Get(std::string_view target, const std::string& token, ClientResponse* out);
  bool Post(std::string_view target, const std::string& token, std::string_view body,
            ClientResponse* out,
            const std::vector<std::pair<std::string, std::string>>& extra = {});

  // Writes one request without waiting (for pipelining); ReadResponse reads answers in order.
  bool SendRequest(std::string_view method, std::string_view target,
                   const std::vector<std::pair<std::string, std::string>>& headers,
                   std::string_view body);
  bool SendRaw(std::string_view bytes);
  bool ReadResponse(ClientResponse* out);

  // For an event stream: reads the response header into `out` (body empty), then events.
  bool ReadResponseHeader(ClientResponse* out);
  // The next event with data (comments and retry lines are skipped). False on timeout or close.
  bool ReadEvent(SseEvent* out);

  // Whether the server has closed the connection (reads until EOF, error or timeout).
  bool WaitForClose();
  const std::string& error() const { return error_; }

 private:
  explicit HttpClient(int fd) : fd_(fd) {}
  bool Fill();                       // reads more into buf_; false on EOF, error or timeout
  bool ReadLine(std::string* line);  // up to CRLF, from buf_
  bool ReadExactly(size_t n, std::string* out);
  bool ReadChunk(std::string* out);  // one chunk of a chunked body; empty at the end
  bool ReadHead(ClientResponse* out, bool* chunked, int64_t* length);

  int fd_;
  std::string host_ = "localhost";
  std::string buf_;
  size_t pos_ = 0;
  bool chunked_stream_ = false;
  std::string events_;  // decoded stream bytes not yet split into events
  std::chrono::milliseconds timeout_{30'000};
  std::string error_;
};

}  // namespace wijkflow::http
