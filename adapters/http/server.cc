#include "adapters/http/server.h"

#include <pthread.h>

#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/strand.hpp>
#include <thread>
#include <vector>

#include "adapters/http/log.h"
#include "adapters/http/session.h"

namespace wijkflow::http {

class Server::Impl {
 public:
  Impl(ServerOptions options, RequestHandler* handler)
      : threads_wanted_(options.threads > 0 ? options.threads
                                            : std::max(1u, std::thread::hardware_concurrency())),
        ioc_(static_cast<int>(threads_wanted_)),
        // Keeps the threads running while connections wait for handlers (with no I/O pending)
        // after the acceptor closed.
        work_(net::make_work_guard(ioc_)),
        acceptor_(net::make_strand(ioc_)),
        retry_(acceptor_.get_executor()) {
    state_.options = std::move(options);
    state_.handler = handler;
  }

  ~Impl() { Stop(std::chrono::milliseconds(30'000)); }

  Status Start() {
    error_code ec;
    auto address = net::ip::make_address(state_.options.address, ec);
    if (ec) return Status::InvalidArgument("bad listen address '" + state_.options.address + "'");
    tcp::endpoint endpoint(address, state_.options.port);
    acceptor_.open(endpoint.protocol(), ec);
    if (!ec) acceptor_.set_option(net::socket_base::reuse_address(true), ec);
    if (!ec) acceptor_.bind(endpoint, ec);
    if (!ec) acceptor_.listen(net::socket_base::max_listen_connections, ec);
    if (ec) {
      return Status::Unavailable("cannot listen on " + state_.options.address + ":" +
                                 std::to_string(state_.options.port) + ": " + ec.message());
    }
    port_ = acceptor_.local_endpoint().port();
    Accept();
    for (size_t i = 0; i < threads_wanted_; ++i) {
      threads_.emplace_back([this] {
        pthread_setname_np(pthread_self(), "http-io");
        ioc_.run();
      });
    }
    started_ = true;
    return Status::OK();
  }

  bool Stop(std::chrono::milliseconds grace) {
    if (!started_ || stopped_) return clean_;
    stopped_ = true;
    net::post(acceptor_.get_executor(), [this] {
      error_code ignored;
      acceptor_.close(ignored);
      retry_.cancel();
    });
    std::vector<std::shared_ptr<Session>> sessions;
    {
      std::lock_guard<std::mutex> lock(state_.mu);
      state_.stopping = true;
      for (auto& [id, weak] : state_.sessions) {
        if (auto s = weak.lock()) sessions.push_back(std::move(s));
      }
    }
    for (auto& s : sessions) s->Shutdown();
    sessions.clear();
    {
      std::unique_lock<std::mutex> lock(state_.mu);
      clean_ = state_.cv.wait_for(lock, grace, [&] { return state_.sessions.empty(); });
      if (!clean_) {
        Log(spdlog::level::warn, "connections still open after the grace period",
            {{"open", uint64_t{state_.sessions.size()}}});
        for (auto& [id, weak] : state_.sessions) {
          if (auto s = weak.lock()) sessions.push_back(std::move(s));
        }
      }
    }
    for (auto& s : sessions) s->LogState();
    if (!sessions.empty()) std::this_thread::sleep_for(std::chrono::milliseconds(100));
    sessions.clear();
    work_.reset();
    ioc_.stop();
    for (auto& t : threads_) t.join();
    threads_.clear();
    return clean_;
  }

  uint16_t port() const { return port_; }

  size_t connections() const {
    std::lock_guard<std::mutex> lock(state_.mu);
    return state_.sessions.size();
  }

 private:
  void Accept() {
    acceptor_.async_accept(net::make_strand(ioc_), [this](const error_code& ec, tcp::socket s) {
      if (ec == net::error::operation_aborted || !acceptor_.is_open()) return;
      if (ec) {
        // Out of file descriptors and the like: wait a little rather than spin.
        Log(spdlog::level::warn, "accept failed", {{"error", ec.message()}});
        retry_.expires_after(std::chrono::milliseconds(100));
        retry_.async_wait([this](const error_code& e) {
          if (!e) Accept();
        });
        return;
      }
      OnAccept(std::move(s));
      Accept();
    });
  }

  void OnAccept(tcp::socket socket) {
    std::shared_ptr<Session> session;
    {
      std::lock_guard<std::mutex> lock(state_.mu);
      if (state_.stopping) return;
      const uint64_t id = state_.next_id++;
      session = std::make_shared<Session>(std::move(socket), &state_, id);
      state_.sessions.emplace(id, session);
    }
    session->Start();
  }

  const size_t threads_wanted_;
  mutable ServerState state_;
  net::io_context ioc_;
  net::executor_work_guard<net::io_context::executor_type> work_;
  tcp::acceptor acceptor_;
  net::steady_timer retry_;
  std::vector<std::thread> threads_;
  uint16_t port_ = 0;
  bool started_ = false;
  bool stopped_ = false;
  bool clean_ = true;
};

Server::Server(ServerOptions options, RequestHandler* handler)
    : impl_(std::make_unique<Impl>(std::move(options), handler)) {}
Server::~Server() = default;
Status Server::Start() { return impl_->Start(); }
bool Server::Stop(std::chrono::milliseconds grace) { return impl_->Stop(grace); }
uint16_t Server::port() const { return impl_->port(); }
size_t Server::connections() const { return impl_->connections(); }

}  // namespace wijkflow::http
