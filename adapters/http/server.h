// Server: HTTP/1.1 on Boost.Beast and Asio. A pool of network threads (one per core by default)
// serves connections, each on a strand of its own; keep-alive and pipelining (bounded: a
// connection reads at most max_pipelined requests ahead of their responses, which go out in
// order); limits on header and body size; read, idle and write timeouts. Handlers run behind the
// RequestHandler interface and may answer from any thread.
//
// Beast and Asio stay inside server.cc and session.cc: this header includes neither.
#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>

#include "adapters/http/types.h"
#include "events/status.h"

namespace wijkflow::http {

struct ServerOptions {
  std::string address = "127.0.0.1";
  uint16_t port = 8080;  // 0: any free port (see Server::port())
  size_t threads = 0;    // network threads; 0: one per core
  // A larger body gets 413 and the connection is closed.
  size_t max_body_bytes = 1 << 20;
  // Larger headers get 431.
  size_t max_header_bytes = 16 << 10;
  // Once a request has begun to arrive, all of it must arrive within this; else 408 and close.
  std::chrono::milliseconds read_timeout{10'000};
  // A keep-alive connection with no request in flight is closed after this.
  std::chrono::milliseconds idle_timeout{60'000};
  // A response that the client does not take within this closes the connection.
  std::chrono::milliseconds write_timeout{30'000};
  // Requests a connection may have read ahead of their responses.
  size_t max_pipelined = 16;
  // An event stream with nothing to say sends a comment this often, to keep proxies and clients
  // from timing out and to notice clients that left.
  std::chrono::milliseconds stream_heartbeat{15'000};
  // Bytes an event stream may have queued for a slow client before its source must wait.
  size_t stream_buffer_bytes = 1 << 20;
};

class Server {
 public:
  // REQUIRES: handler outlives the server.
  Server(ServerOptions options, RequestHandler* handler);
  ~Server();  // Stop()s
  Server(const Server&) = delete;
  Server& operator=(const Server&) = delete;

  // Binds, listens and starts the network threads.
  Status Start();
  // Graceful: stops accepting; each connection finishes the requests it has read and sends
  // their responses (the last with Connection: close), idle connections and event streams are
  // closed. Returns when every connection is gone or `grace` has passed, after stopping the
  // network threads: true if every connection finished in time. Idempotent.
  bool Stop(std::chrono::milliseconds grace = std::chrono::milliseconds(30'000));

  // The bound port (useful with port 0). REQUIRES: Start() succeeded.
  uint16_t port() const;
  // Open connections.
  size_t connections() const;

 private:
  class Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace wijkflow::http
