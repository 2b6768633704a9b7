// One HTTP connection (Beast's parser on an Asio socket). Private to server.cc and session*.cc.
//
// A session reads into its buffer and feeds Beast's parser, hands each complete request to the
// RequestHandler, and writes the responses in request order. It reads ahead of its responses up
// to max_pipelined requests. Every step runs on the connection's strand.
//
// The fast path of a request costs one read and one write system call: a response is written
// synchronously when the socket takes it at once (else asynchronously), and timeouts are checked
// by one periodic tick per connection rather than a timer per operation.
//
// Timeouts: while idle (no request begun) the connection is closed quietly after idle_timeout;
// once a request has begun, all of it must arrive within read_timeout, else 408. Writes that
// stall for write_timeout close the connection.
//
// A streamed response (Server-Sent Events) takes the connection over: the session writes the
// header, then chunks as the source produces them, a heartbeat comment when quiet, and reads
// only to notice the client leaving (session_stream.cc).
#pragma once

#include <array>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/http/parser.hpp>
#include <boost/beast/http/string_body.hpp>
#include <chrono>
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
  using TimePoint = std::chrono::steady_clock::time_point;
  enum class Phase { kNone, kIdle, kReading, kDraining };
  enum class Parsed { kRequest, kNeedMore, kFailed };
  struct Slot {
    bool ready = false;
    bool keep_alive = true;
    unsigned version = 11;
    Response response;
  };

  // Reading (session.cc).
  void DoRead();
  void OnBytes(const error_code& ec, size_t bytes);
  Parsed Parse();
  void MaybeContinue();
  void OnReadError(const error_code& ec);
  void Dispatch();
  void Reject(ReadFailure why, const std::string& detail);
  // Writing and closing (session_write.cc).
  void DoWrite();
  void WriteBytes(bool keep_alive);
  void OnWrite(const error_code& ec, bool keep_alive);
  void ArmDeadline(Phase phase, std::chrono::milliseconds after);
  void CancelDeadline() { phase_ = Phase::kNone; }
  void Tick();
  void OnTick();
  void Linger();
  void Close();
  // Streaming (session_stream.cc).
  void StartStream(const Response& response, unsigned version);
  void OnStreamWrite(const error_code& ec, size_t bytes);
  void ArmHeartbeat();
  void WatchPeer();
  void EndStream();  // stops the source; REQUIRES: not on the source's thread

  tcp::socket socket_;
  ServerState* state_;
  const uint64_t id_;
  std::string remote_;
  boost::beast::flat_buffer buffer_;
  std::optional<bhttp::request_parser<bhttp::string_body>> parser_;
  bool continue_sent_ = false;

  net::steady_timer ticker_;
  std::chrono::milliseconds tick_;
  TimePoint deadline_at_;
  Phase phase_ = Phase::kNone;
  bool timed_out_ = false;

  bool reading_ = false;
  bool writing_ = false;
  bool closing_ = false;  // read no more; close once the queue is written
  bool closed_ = false;
  std::deque<std::shared_ptr<Slot>> queue_;
  std::string out_;  // the bytes being written
  TimePoint write_started_;

  std::shared_ptr<StreamSource> source_;
  std::shared_ptr<StreamBuffer> stream_;
  bool chunked_ = true;
  net::steady_timer heartbeat_;
  TimePoint last_stream_write_;
  std::array<char, 512> peer_buf_;
};

}  // namespace wijkflow::http
