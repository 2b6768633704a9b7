// Streamed responses (Server-Sent Events): the header, then chunks as the source produces them.
#include <boost/asio/post.hpp>
#include <boost/asio/write.hpp>
#include <cstdio>

#include "adapters/http/problem.h"
#include "adapters/http/session.h"

namespace wijkflow::http {

// The bytes an event stream has queued for its client. The source writes from its own thread and
// waits while too much is queued; the session takes them on its strand.
class StreamBuffer final : public StreamSink {
 public:
  StreamBuffer(std::weak_ptr<Session> session, net::any_io_executor strand, size_t limit)
      : session_(std::move(session)), strand_(std::move(strand)), limit_(limit) {}

  bool Write(std::string data) override {
    std::unique_lock<std::mutex> lock(mu_);
    cv_.wait(lock, [&] { return closed_ || queued_ < limit_; });
    if (closed_) return false;
    queued_ += data.size();
    pending_ += data;
    if (!scheduled_) {
      scheduled_ = true;
      net::post(strand_, [s = session_] {
        if (auto session = s.lock()) session->FlushStream();
      });
    }
    return true;
  }

  // What is queued and not yet taken.
  std::string Take() {
    std::lock_guard<std::mutex> lock(mu_);
    scheduled_ = false;
    return std::move(pending_);
  }
  // `bytes` taken earlier are on the wire.
  void Release(size_t bytes) {
    std::lock_guard<std::mutex> lock(mu_);
    queued_ -= bytes;
    cv_.notify_all();
  }
  void Close() {
    std::lock_guard<std::mutex> lock(mu_);
    closed_ = true;
    cv_.notify_all();
  }

 private:
  const std::weak_ptr<Session> session_;
  const net::any_io_executor strand_;
  const size_t limit_;
  std::mutex mu_;
  std::condition_variable cv_;
  std::string pending_;
  size_t queued_ = 0;  // pending plus being written
  bool scheduled_ = false;
  bool closed_ = false;
};

namespace {

std::string Chunk(std::string_view data) {
  char size[20];
  std::snprintf(size, sizeof(size), "%zx\r\n", data.size());
  std::string out(size);
  out.append(data);
  out.append("\r\n");
  return out;
}

}  // namespace

void Session::StartStream(const Response& response, unsigned version) {
  // The stream owns the connection from here: later pipelined requests are dropped.
  closing_ = true;
  source_ = response.stream;
  queue_.clear();
  CancelDeadline();  // no read or idle timeout on a stream
  chunked_ = version >= 11;
  std::string head = std::string(version >= 11 ? "HTTP/1.1 " : "HTTP/1.0 ") +
                     std::to_string(response.status) + " " + ReasonPhrase(response.status) + "\r\n";
  for (const auto& [name, value] : response.headers) head += name + ": " + value + "\r\n";
  head += chunked_ ? "transfer-encoding: chunked\r\nconnection: close\r\n\r\n"
                   : "connection: close\r\n\r\n";
  stream_ = std::make_shared<StreamBuffer>(weak_from_this(), socket_.get_executor(),
                                           state_->options.stream_buffer_bytes);
  out_ = std::move(head);
  writing_ = true;
  net::async_write(socket_, net::buffer(out_),
                   [self = shared_from_this()](const error_code& ec, size_t) {
                     self->writing_ = false;
                     if (ec || self->closed_) return self->Close();
                     self->last_stream_write_ = std::chrono::steady_clock::now();
                     self->source_->Start(self->stream_);
                     self->ArmHeartbeat();
                     if (!self->reading_) self->WatchPeer();  // else OnBytes watches
                     self->FlushStream();
                   });
}

void Session::FlushStream() {
  if (closed_ || writing_ || !stream_) return;
  std::string data = stream_->Take();
  if (data.empty()) return;
  const size_t bytes = data.size();
  out_ = chunked_ ? Chunk(data) : std::move(data);
  writing_ = true;
  write_started_ = std::chrono::steady_clock::now();
  net::async_write(socket_, net::buffer(out_),
                   [self = shared_from_this(), bytes](const error_code& ec, size_t) {
                     self->OnStreamWrite(ec, bytes);
                   });
}

void Session::OnStreamWrite(const error_code& ec, size_t bytes) {
  writing_ = false;
  if (stream_) stream_->Release(bytes);
  if (ec || closed_) return Close();
  last_stream_write_ = std::chrono::steady_clock::now();
  FlushStream();
}

void Session::ArmHeartbeat() {
  heartbeat_.expires_after(state_->options.stream_heartbeat);
  heartbeat_.async_wait([self = shared_from_this()](const error_code& ec) {
    if (ec || self->closed_) return;
    const auto quiet = std::chrono::steady_clock::now() - self->last_stream_write_;
    if (!self->writing_ && quiet >= self->state_->options.stream_heartbeat / 2) {
      // A comment line: ignored by clients, but it shows whether they are still there.
      const std::string beat = ": keep-alive\n\n";
      self->out_ = self->chunked_ ? Chunk(beat) : beat;
      self->writing_ = true;
      self->write_started_ = std::chrono::steady_clock::now();
      net::async_write(self->socket_, net::buffer(self->out_),
                       [self](const error_code& ec, size_t) { self->OnStreamWrite(ec, 0); });
    }
    self->ArmHeartbeat();
  });
}

// The client sends nothing on an event stream; a read completes only when it leaves.
void Session::WatchPeer() {
  socket_.async_read_some(net::buffer(peer_buf_),
                          [self = shared_from_this()](const error_code& ec, size_t) {
                            if (ec || self->closed_) return self->Close();
                            self->WatchPeer();
                          });
}

void Session::EndStream() {
  if (stream_) stream_->Close();  // a source blocked in Write returns
  if (source_) source_->Stop();
}

}  // namespace wijkflow::http
