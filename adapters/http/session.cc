#include "adapters/http/session.h"

#include <boost/asio/post.hpp>
#include <boost/asio/write.hpp>
#include <boost/beast/http/read.hpp>
#include <boost/beast/http/write.hpp>
#include <cctype>

#include "adapters/http/log.h"
#include "adapters/http/problem.h"

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

std::string Lower(std::string_view s) {
  std::string out(s);
  for (char& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

}  // namespace

Session::Session(tcp::socket socket, ServerState* state, uint64_t id)
    : socket_(std::move(socket)),
      state_(state),
      id_(id),
      deadline_(socket_.get_executor()),
      write_deadline_(socket_.get_executor()),
      heartbeat_(socket_.get_executor()) {
  error_code ec;
  auto ep = socket_.remote_endpoint(ec);
  if (!ec) remote_ = ep.address().to_string() + ":" + std::to_string(ep.port());
  socket_.set_option(tcp::no_delay(true), ec);
}

Session::~Session() { state_->Unregister(id_); }

void Session::Start() {
  net::post(socket_.get_executor(), [self = shared_from_this()] { self->DoRead(); });
}

void Session::Shutdown() {
  net::post(socket_.get_executor(), [self = shared_from_this()] {
    self->closing_ = true;
    if (self->closed_) return;
    if (self->source_) return self->EndStream();
    if (self->queue_.empty() && !self->writing_ &&
        (!self->reading_ || self->phase_ == Phase::kIdle)) {
      return self->Close();  // nothing in flight
    }
    // A request is arriving (bounded by the read timeout) or responses are pending: the last
    // response goes out with Connection: close, and then the connection closes.
  });
}

void Session::LogState() {
  net::post(socket_.get_executor(), [self = shared_from_this()] {
    Log(spdlog::level::warn, "connection open",
        {{"remote", self->remote_},
         {"phase", static_cast<int>(self->phase_)},
         {"reading", self->reading_ ? 1 : 0},
         {"writing", self->writing_ ? 1 : 0},
         {"closing", self->closing_ ? 1 : 0},
         {"closed", self->closed_ ? 1 : 0},
         {"queued", uint64_t{self->queue_.size()}},
         {"ready", uint64_t{!self->queue_.empty() && self->queue_.front()->ready}},
         {"stream", self->source_ ? 1 : 0}});
  });
}

void Session::ArmDeadline(Phase phase, std::chrono::milliseconds after) {
  phase_ = phase;
  const uint64_t generation = ++deadline_generation_;
  deadline_.expires_after(after);
  deadline_.async_wait([self = shared_from_this(), generation](const error_code& ec) {
    if (ec || generation != self->deadline_generation_ || self->closed_) return;
    if (self->phase_ == Phase::kReading) {
      self->timed_out_ = true;
      error_code ignored;
      self->socket_.cancel(ignored);  // the read completes with operation_aborted
    } else if (self->phase_ == Phase::kIdle && (!self->queue_.empty() || self->writing_)) {
      // Not idle after all: the client waits for responses still being made.
      self->ArmDeadline(Phase::kIdle, self->state_->options.idle_timeout);
    } else {
      self->Close();
    }
  });
}

void Session::CancelDeadline() {
  ++deadline_generation_;
  phase_ = Phase::kNone;
  deadline_.cancel();
}

void Session::DoRead() {
  if (reading_ || closing_ || closed_ || queue_.size() >= state_->options.max_pipelined) return;
  reading_ = true;
  if (buffer_.size() > 0) return ReadHeader();
  ArmDeadline(Phase::kIdle, state_->options.idle_timeout);
  socket_.async_wait(tcp::socket::wait_read,
                     [self = shared_from_this()](const error_code& ec) { self->OnReadable(ec); });
}

void Session::OnReadable(const error_code& ec) {
  if (closed_ || phase_ == Phase::kDraining) return;
  if (ec) return Close();
  ReadHeader();
}

void Session::ReadHeader() {
  parser_.emplace();
  parser_->body_limit(state_->options.max_body_bytes);
  parser_->header_limit(static_cast<uint32_t>(state_->options.max_header_bytes));
  timed_out_ = false;
  ArmDeadline(Phase::kReading, state_->options.read_timeout);
  bhttp::async_read_header(
      socket_, buffer_, *parser_,
      [self = shared_from_this()](const error_code& ec, size_t) { self->OnHeader(ec); });
}

void Session::OnHeader(const error_code& ec) {
  if (ec) return OnReadError(ec);
  const auto& req = parser_->get();
  auto expect = req.find(bhttp::field::expect);
  if (expect != req.end() && Lower(expect->value()) == "100-continue" && !parser_->is_done() &&
      !writing_) {
    static const std::string kContinue = "HTTP/1.1 100 Continue\r\n\r\n";
    writing_ = true;
    net::async_write(socket_, net::buffer(kContinue),
                     [self = shared_from_this()](const error_code& ec, size_t) {
                       self->writing_ = false;
                       if (ec) return self->Close();
                       self->ReadBody();
                       self->DoWrite();
                     });
    return;
  }
  ReadBody();
}

void Session::ReadBody() {
  if (closed_) return;
  bhttp::async_read(
      socket_, buffer_, *parser_,
      [self = shared_from_this()](const error_code& ec, size_t) { self->OnRead(ec); });
}

void Session::OnReadError(const error_code& ec) {
  reading_ = false;
  CancelDeadline();
  if (closed_) return;
  if (timed_out_) return Reject(ReadFailure::kTimeout, "the request did not arrive in time");
  if (ec == bhttp::error::body_limit) {
    return Reject(ReadFailure::kBodyTooLarge,
                  "the body exceeds " + std::to_string(state_->options.max_body_bytes) + " bytes");
  }
  if (ec == bhttp::error::header_limit) {
    return Reject(ReadFailure::kHeaderTooLarge, "the request headers are too large");
  }
  const error_code end_of_stream = bhttp::error::end_of_stream;
  if (ec.category() == end_of_stream.category() && ec != end_of_stream &&
      ec != bhttp::error::partial_message) {
    return Reject(ReadFailure::kMalformed, "malformed HTTP request: " + ec.message());
  }
  // The client went away (or closed its side): finish what it asked for, then close.
  closing_ = true;
  if (queue_.empty() && !writing_) Close();
}

void Session::OnRead(const error_code& ec) {
  if (ec) return OnReadError(ec);
  reading_ = false;
  CancelDeadline();
  if (closed_) return;
  Dispatch();
  DoRead();
}

void Session::Dispatch() {
  auto req = parser_->release();
  auto slot = std::make_shared<Slot>();
  slot->keep_alive = req.keep_alive();
  slot->version = req.version();
  if (!slot->keep_alive) closing_ = true;
  queue_.push_back(slot);

  Request r;
  r.method = std::string(req.method_string());
  r.target = std::string(req.target());
  r.remote = remote_;
  if (!ParseTarget(r.target, &r.path, &r.query)) {
    slot->response =
        state_->handler->Rejected(ReadFailure::kMalformed, "the request target is malformed");
    slot->ready = true;
    closing_ = true;
    return DoWrite();
  }
  r.headers.reserve(16);
  for (const auto& f : req) r.headers.emplace_back(Lower(f.name_string()), std::string(f.value()));
  r.body = std::move(req.body());
  state_->handler->Handle(std::move(r), [self = shared_from_this(), slot](Response response) {
    net::post(self->socket_.get_executor(), [self, slot, response = std::move(response)]() mutable {
      slot->response = std::move(response);
      slot->ready = true;
      self->DoWrite();
    });
  });
}

void Session::Reject(ReadFailure why, const std::string& detail) {
  auto slot = std::make_shared<Slot>();
  slot->response = state_->handler->Rejected(why, detail);
  slot->ready = true;
  slot->keep_alive = false;
  closing_ = true;
  queue_.push_back(std::move(slot));
  DoWrite();
}

void Session::DoWrite() {
  if (writing_ || closed_ || source_ || queue_.empty() || !queue_.front()->ready) return;
  const auto slot = queue_.front();
  if (slot->response.stream) return StartStream(slot->response, slot->version);
  const bool keep_alive = slot->keep_alive && !(closing_ && queue_.size() == 1);
  out_ = std::make_shared<bhttp::response<bhttp::string_body>>();
  out_->version(slot->version);
  out_->result(static_cast<unsigned>(slot->response.status));
  for (const auto& [name, value] : slot->response.headers) out_->set(name, value);
  out_->body() = std::move(slot->response.body);
  out_->keep_alive(keep_alive);
  out_->prepare_payload();
  writing_ = true;
  write_deadline_.expires_after(state_->options.write_timeout);
  write_deadline_.async_wait([self = shared_from_this()](const error_code& ec) {
    if (!ec && self->writing_) self->Close();
  });
  bhttp::async_write(socket_, *out_,
                     [self = shared_from_this(), keep_alive](const error_code& ec, size_t) {
                       self->OnWrite(ec, keep_alive);
                     });
}

void Session::OnWrite(const error_code& ec, bool keep_alive) {
  writing_ = false;
  write_deadline_.cancel();
  out_.reset();
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
  if (closing_ && queue_.empty() && !writing_ && (!reading_ || phase_ == Phase::kIdle)) Linger();
}

// Closes our side for sending, then reads (and drops) what the client still sends for a moment,
// so that a response sent before the client finished its request (413, 408) is not lost to a
// connection reset.
void Session::Linger() {
  if (closed_ || phase_ == Phase::kDraining) return;
  error_code ignored;
  socket_.shutdown(tcp::socket::shutdown_send, ignored);
  ArmDeadline(Phase::kDraining, std::chrono::milliseconds(1000));
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
  ++deadline_generation_;
  deadline_.cancel();
  write_deadline_.cancel();
  heartbeat_.cancel();
  if (stream_) stream_->Close();
  if (source_) source_->Stop();
  error_code ignored;
  socket_.shutdown(tcp::socket::shutdown_both, ignored);
  socket_.close(ignored);
}

void Session::StartStream(const Response& response, unsigned version) {
  // The stream owns the connection from here: later pipelined requests are dropped.
  closing_ = true;
  source_ = response.stream;
  queue_.clear();
  chunked_ = version >= 11;
  std::string head = std::string(version >= 11 ? "HTTP/1.1 " : "HTTP/1.0 ") +
                     std::to_string(response.status) + " " + ReasonPhrase(response.status) + "\r\n";
  for (const auto& [name, value] : response.headers) head += name + ": " + value + "\r\n";
  head += chunked_ ? "transfer-encoding: chunked\r\nconnection: close\r\n\r\n"
                   : "connection: close\r\n\r\n";
  stream_ = std::make_shared<StreamBuffer>(weak_from_this(), socket_.get_executor(),
                                           state_->options.stream_buffer_bytes);
  stream_out_ = std::move(head);
  writing_ = true;
  net::async_write(socket_, net::buffer(stream_out_),
                   [self = shared_from_this()](const error_code& ec, size_t) {
                     self->writing_ = false;
                     if (ec || self->closed_) return self->Close();
                     self->last_stream_write_ = std::chrono::steady_clock::now();
                     self->source_->Start(self->stream_);
                     self->ArmHeartbeat();
                     self->WatchPeer();
                     self->FlushStream();
                   });
}

void Session::FlushStream() {
  if (closed_ || writing_ || !stream_) return;
  std::string data = stream_->Take();
  if (data.empty()) return;
  const size_t bytes = data.size();
  stream_out_ = chunked_ ? Chunk(data) : std::move(data);
  writing_ = true;
  write_deadline_.expires_after(state_->options.write_timeout);
  write_deadline_.async_wait([self = shared_from_this()](const error_code& ec) {
    if (!ec && self->writing_) self->Close();
  });
  net::async_write(socket_, net::buffer(stream_out_),
                   [self = shared_from_this(), bytes](const error_code& ec, size_t) {
                     self->OnStreamWrite(ec, bytes);
                   });
}

void Session::OnStreamWrite(const error_code& ec, size_t bytes) {
  writing_ = false;
  write_deadline_.cancel();
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
      self->stream_out_ = self->chunked_ ? Chunk(beat) : beat;
      self->writing_ = true;
      net::async_write(self->socket_, net::buffer(self->stream_out_),
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

// On shutdown: the client reconnects with Last-Event-ID and misses nothing.
void Session::EndStream() { Close(); }

}  // namespace wijkflow::http
