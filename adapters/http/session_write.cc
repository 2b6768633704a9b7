// A connection's writing side, its timeouts and its end.
#include <boost/asio/post.hpp>
#include <boost/asio/write.hpp>

#include "adapters/http/session.h"
#include "adapters/http/session_wire.h"

namespace wijkflow::http {

void Session::DoWrite() {
  if (writing_ || closed_ || source_ || queue_.empty() || !queue_.front()->ready) return;
  const auto slot = queue_.front();
  if (slot->response.stream) return StartStream(slot->response, slot->version);
  const bool keep_alive = slot->keep_alive && !(closing_ && queue_.size() == 1);
  SerializeResponse(slot->response, slot->version, keep_alive, &out_);
  slot->response.body.clear();
  WriteBytes(keep_alive);
}

// Tries the socket at once; what it does not take goes out asynchronously.
void Session::WriteBytes(bool keep_alive) {
  error_code ec;
  const size_t n = socket_.write_some(net::buffer(out_), ec);
  if (!ec && n == out_.size()) return OnWrite({}, keep_alive);
  if (ec && ec != net::error::would_block && ec != net::error::try_again) return Close();
  out_.erase(0, ec ? 0 : n);
  writing_ = true;
  write_started_ = std::chrono::steady_clock::now();
  net::async_write(socket_, net::buffer(out_),
                   [self = shared_from_this(), keep_alive](const error_code& e, size_t) {
                     self->OnWrite(e, keep_alive);
                   });
}

void Session::OnWrite(const error_code& ec, bool keep_alive) {
  writing_ = false;
  if (closed_) return;
  if (ec) return Close();
  queue_.pop_front();
  if (!keep_alive) {
    closing_ = true;
    queue_.clear();
    return Linger();
  }
  DoWrite();
  DoRead();
  const bool mid_request = parser_ && parser_->got_some();
  if (closing_ && queue_.empty() && !writing_ && !mid_request) Linger();
}

void Session::ArmDeadline(Phase phase, std::chrono::milliseconds after) {
  phase_ = phase;
  deadline_at_ = std::chrono::steady_clock::now() + after;
}

void Session::Tick() {
  ticker_.expires_after(tick_);
  ticker_.async_wait([self = shared_from_this()](const error_code& ec) {
    if (ec || self->closed_) return;
    self->OnTick();
    if (!self->closed_) self->Tick();
  });
}

void Session::OnTick() {
  const auto now = std::chrono::steady_clock::now();
  if (writing_ && now - write_started_ > state_->options.write_timeout) {
    return Close();  // the client does not take its response
  }
  if (phase_ == Phase::kNone || now < deadline_at_) return;
  switch (phase_) {
    case Phase::kReading:
      timed_out_ = true;
      if (!reading_) return Reject(ReadFailure::kTimeout, "the request did not arrive in time");
      {
        error_code ignored;
        socket_.cancel(ignored);  // the read completes with operation_aborted
      }
      return;
    case Phase::kIdle:
      // Not idle after all while the client waits for responses still being made.
      if (!queue_.empty() || writing_)
        return ArmDeadline(Phase::kIdle, state_->options.idle_timeout);
      return Close();
    default:
      return Close();
  }
}

// Closes our side for sending, then reads (and drops) what the client still sends for a moment,
// so that a response sent before the client finished its request (413, 408) is not lost to a
// connection reset.
void Session::Linger() {
  if (closed_ || phase_ == Phase::kDraining) return;
  error_code ignored;
  socket_.shutdown(tcp::socket::shutdown_send, ignored);
  ArmDeadline(Phase::kDraining, std::chrono::milliseconds(1000));
  if (reading_) return;  // the pending read drains; OnBytes ends the session on its completion
  auto drain = std::make_shared<std::function<void(const error_code&, size_t)>>();
  *drain = [self = shared_from_this(), drain](const error_code& ec, size_t) {
    if (ec || self->closed_) {
      self->Close();
      *drain = nullptr;  // break the cycle
      return;
    }
    self->socket_.async_read_some(net::buffer(self->peer_buf_), *drain);
  };
  socket_.async_read_some(net::buffer(peer_buf_), *drain);
}

void Session::Close() {
  if (closed_) return;
  closed_ = true;
  closing_ = true;
  ticker_.cancel();
  heartbeat_.cancel();
  if (stream_ || source_) EndStream();
  error_code ignored;
  socket_.shutdown(tcp::socket::shutdown_both, ignored);
  socket_.close(ignored);
}

}  // namespace wijkflow::http
