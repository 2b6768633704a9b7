// One HTTP connection (Beast). Private to server.cc and session.cc.
//
// A session reads requests (header first, so that it can answer "Expect: 100-continue"), hands
// each to the RequestHandler, and writes the responses in request order. It reads ahead of its
// responses up to max_pipelined requests. Every step runs on the connection's strand.
//
// Timeouts: while idle (no request in flight, nothing buffered) it waits for the socket to become
// readable for idle_timeout, then closes quietly; once a request begins, all of it must arrive
// within read_timeout, else 408. Writes have write_timeout.
//
// A streamed response (Server-Sent Events) takes the connection over: the session writes the
// header, then chunks as the source produces them, a heartbeat comment when quiet, and reads
// only to notice the client leaving.
#pragma once

#include <array>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/http.hpp>
#include <condition_variable>
#include <cstdint>
#include <deque>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>

#include "adapters/http/server.h"

namespace wijkflow::http {

namespace net = boost::asio;
namespace bhttp = boost::beast::http;
using tcp = net::ip::tcp;
using error_code = boost::system::error_code;

class Session;

// What the server and its sessions share.
struct ServerState {
  ServerOptions options;
  RequestHandler* handler;
  std::mutex mu;
  std::condition_variable cv;
  std::map<uint64_t, std::weak_ptr<Session>> sessions;  // guarded by mu
  uint64_t next_id = 1;                                 // guarded by mu
  bool stopping = false;                                // guarded by mu

  void Unregister(uint64_t id) {
    std::lock_guard<std::mutex> lock(mu);
    sessions.erase(id);
    cv.notify_all();
  }
};

class StreamBuffer;

class Session : public std::enable_shared_from_this<Session> {
 public:
  Session(tcp::socket socket, ServerState* state, uint64_t id);
  ~Session();

  void Start();
  // Finish what was read, then close (see Server::Stop).
  void Shutdown();
  // Writes what the stream source has queued. On the strand.
  void FlushStream();
  // Logs what the connection is doing (on its strand), e.g. when it outlives a shutdown.
  void LogState();

 private:
  enum class Phase { kNone, kIdle, kReading, kDraining };
  struct Slot {
    bool ready = false;
    bool keep_alive = true;
    unsigned version = 11;
    Response response;
  };

  void DoRead();
  void OnReadable(const error_code& ec);
  void ReadHeader();
  void OnHeader(const error_code& ec);
  void ReadBody();
  void OnRead(const error_code& ec);
  void OnReadError(const error_code& ec);
  void Dispatch();
  void Reject(ReadFailure why, const std::string& detail);
  void DoWrite();
  void OnWrite(const error_code& ec, bool keep_alive);
  void ArmDeadline(Phase phase, std::chrono::milliseconds after);
  void CancelDeadline();
  void Linger();
  void Close();

  void StartStream(const Response& response, unsigned version);
  void OnStreamWrite(const error_code& ec, size_t bytes);
  void ArmHeartbeat();
  void WatchPeer();
  void EndStream();

  tcp::socket socket_;
  ServerState* state_;
  const uint64_t id_;
  std::string remote_;
  boost::beast::flat_buffer buffer_;
  std::optional<bhttp::request_parser<bhttp::string_body>> parser_;
  net::steady_timer deadline_;
  uint64_t deadline_generation_ = 0;
  Phase phase_ = Phase::kNone;
  bool timed_out_ = false;
  bool reading_ = false;
  bool writing_ = false;
  bool closing_ = false;  // read no more; close once the queue is written
  bool closed_ = false;
  std::deque<std::shared_ptr<Slot>> queue_;
  std::shared_ptr<bhttp::response<bhttp::string_body>> out_;
  net::steady_timer write_deadline_;

  std::shared_ptr<StreamSource> source_;
  std::shared_ptr<StreamBuffer> stream_;
  std::string stream_out_;
  bool chunked_ = true;
  net::steady_timer heartbeat_;
  std::chrono::steady_clock::time_point last_stream_write_;
  std::array<char, 512> peer_buf_;
};

}  // namespace wijkflow::http
