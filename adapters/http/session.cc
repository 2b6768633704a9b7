// A connection's reading side: bytes in, Beast's parser, requests to the handler.
#include "adapters/http/session.h"

#include <boost/asio/post.hpp>
#include <boost/beast/core/string.hpp>
#include <boost/beast/http/error.hpp>

#include "adapters/http/log.h"
#include "adapters/http/session_wire.h"

namespace wijkflow::http {
namespace {

// The session whose Dispatch is running on this thread: a handler that answers at once (on the
// network thread) fills its slot directly instead of posting the answer.
thread_local const Session* t_dispatching = nullptr;

constexpr size_t kReadChunk = 16 << 10;

}  // namespace

Session::Session(tcp::socket socket, ServerState* state, uint64_t id)
    : socket_(std::move(socket)),
      state_(state),
      id_(id),
      ticker_(socket_.get_executor()),
      heartbeat_(socket_.get_executor()) {
  error_code ec;
  auto ep = socket_.remote_endpoint(ec);
  if (!ec) remote_ = ep.address().to_string() + ":" + std::to_string(ep.port());
  socket_.set_option(tcp::no_delay(true), ec);
  socket_.non_blocking(true, ec);  // writes are tried synchronously first
  const auto& o = state_->options;
  tick_ = std::max(std::chrono::milliseconds(10),
                   std::min({o.read_timeout, o.idle_timeout, o.write_timeout}) / 4);
}

Session::~Session() { state_->Unregister(id_); }

void Session::Start() {
  net::post(socket_.get_executor(), [self = shared_from_this()] {
    self->Tick();
    self->DoRead();
  });
}

void Session::Shutdown() {
  net::post(socket_.get_executor(), [self = shared_from_this()] {
    self->closing_ = true;
    if (self->closed_) return;
    if (self->source_) return self->Close();  // the client resumes with Last-Event-ID
    const bool mid_request = self->parser_ && self->parser_->got_some();
    if (self->queue_.empty() && !self->writing_ && !mid_request) return self->Close();
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
         {"stream", self->source_ ? 1 : 0}});
  });
}

void Session::DoRead() {
  if (reading_ || closed_ || source_) return;
  // Requests already buffered (pipelined) need no read.
  while (!closing_ && queue_.size() < state_->options.max_pipelined && buffer_.size() > 0) {
    const Parsed p = Parse();
    if (p == Parsed::kFailed) return;
    if (p == Parsed::kNeedMore) break;
  }
  if (closing_ || closed_ || source_ || queue_.size() >= state_->options.max_pipelined) return;
  if (phase_ != Phase::kReading) ArmDeadline(Phase::kIdle, state_->options.idle_timeout);
  reading_ = true;
  socket_.async_read_some(
      buffer_.prepare(kReadChunk),
      [self = shared_from_this()](const error_code& ec, size_t n) { self->OnBytes(ec, n); });
}

void Session::OnBytes(const error_code& ec, size_t bytes) {
  reading_ = false;
  if (closed_) return;
  if (phase_ == Phase::kDraining) {  // lingering: drop what comes until the client closes
    if (ec) return Close();
    reading_ = true;
    socket_.async_read_some(
        buffer_.prepare(kReadChunk),
        [self = shared_from_this()](const error_code& e, size_t n) { self->OnBytes(e, n); });
    return;
  }
  if (source_) {  // a read begun before the stream took over: it now watches for the client
    if (ec) return Close();
    return WatchPeer();
  }
  if (ec) return OnReadError(ec);
  buffer_.commit(bytes);
  if (phase_ != Phase::kReading) ArmDeadline(Phase::kReading, state_->options.read_timeout);
  DoRead();
}

Session::Parsed Session::Parse() {
  if (!parser_) {
    parser_.emplace();
    ConfigureParser(state_->options, &*parser_);
    continue_sent_ = false;
  }
  error_code ec;
  const size_t used = parser_->put(buffer_.data(), ec);
  buffer_.consume(used);
  if (ec && ec != bhttp::error::need_more) {
    OnReadError(ec);
    return Parsed::kFailed;
  }
  if (!parser_->is_done()) {
    if (phase_ != Phase::kReading) ArmDeadline(Phase::kReading, state_->options.read_timeout);
    MaybeContinue();
    return Parsed::kNeedMore;
  }
  CancelDeadline();
  Dispatch();
  return Parsed::kRequest;
}

// A client that sent "Expect: 100-continue" waits for our go-ahead before it sends the body.
void Session::MaybeContinue() {
  if (continue_sent_ || writing_ || !parser_->is_header_done()) return;
  const auto& req = parser_->get();
  auto expect = req.find(bhttp::field::expect);
  if (expect == req.end() || !boost::beast::iequals(expect->value(), "100-continue")) return;
  continue_sent_ = true;
  error_code ec;
  static const std::string_view kContinue = "HTTP/1.1 100 Continue\r\n\r\n";
  // Tiny and first on an idle socket: it goes out at once, or the client sends the body anyway
  // after its own short wait.
  socket_.write_some(net::buffer(kContinue.data(), kContinue.size()), ec);
}

void Session::OnReadError(const error_code& ec) {
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
  if (ec.category() == end_of_stream.category()) {
    return Reject(ReadFailure::kMalformed, "malformed HTTP request: " + ec.message());
  }
  // The client went away or closed its side: finish what it asked for, then close.
  closing_ = true;
  if (queue_.empty() && !writing_) Close();
}

void Session::Dispatch() {
  auto req = parser_->release();
  parser_.reset();
  auto slot = std::make_shared<Slot>();
  slot->keep_alive = req.keep_alive();
  slot->version = req.version();
  if (!slot->keep_alive) closing_ = true;
  queue_.push_back(slot);

  Request r;
  r.remote = remote_;
  if (!ToRequest(std::move(req), &r)) {
    slot->response =
        state_->handler->Rejected(ReadFailure::kMalformed, "the request target is malformed");
    slot->ready = true;
    closing_ = true;
    return DoWrite();
  }
  t_dispatching = this;
  state_->handler->Handle(std::move(r), [self = shared_from_this(), slot](Response response) {
    if (t_dispatching == self.get()) {  // answered at once, on our strand
      slot->response = std::move(response);
      slot->ready = true;
      return;
    }
    net::post(self->socket_.get_executor(), [self, slot, response = std::move(response)]() mutable {
      slot->response = std::move(response);
      slot->ready = true;
      self->DoWrite();
    });
  });
  t_dispatching = nullptr;
  DoWrite();
}

void Session::Reject(ReadFailure why, const std::string& detail) {
  auto slot = std::make_shared<Slot>();
  slot->response = state_->handler->Rejected(why, detail);
  slot->ready = true;
  slot->keep_alive = false;
  closing_ = true;
  parser_.reset();
  queue_.push_back(std::move(slot));
  DoWrite();
}

}  // namespace wijkflow::http
