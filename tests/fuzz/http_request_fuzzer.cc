// The HTTP request path without a network. The input is what a client sends on one connection:
// it goes through Beast's parser, set up as a session sets it up, request by request (pipelined)
// into the Api (router, tokens, handlers) over the real workflows, on an event store in memory
// and a simulated clock; each response is awaited and turned into bytes as a session writes it,
// and an event stream is started and stopped. Read failures get the answer a session gives.
// Beyond running clean under ASan and UBSan: the instance of every acknowledged command replays
// from the store alone, as after a restart.
//
// The store lives across inputs, so that commands meet instances made by earlier ones, and is
// made afresh every kInputsPerWorld inputs to bound its size. Tokens are in MakeTokens: seeds use
// them, and the dictionary names them.
#include <rocksdb/env.h>
#include <spdlog/spdlog.h>

#include <algorithm>
#include <boost/asio/buffer.hpp>
#include <boost/beast/http/error.hpp>
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <future>
#include <limits>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <vector>

#include "adapters/http/api.h"
#include "adapters/http/instance_index.h"
#include "adapters/http/session_wire.h"
#include "adapters/http/tokens.h"
#include "engine/engine.h"
#include "engine/projection_runner.h"
#include "tests/fuzz/fuzz_check.h"
#include "workflows/register_all.h"

namespace wijkflow::fuzz {
namespace {

namespace bhttp = boost::beast::http;

constexpr Micros kClockStart = 1'673'251'200'000'000;  // 2023-01-09T08:00:00Z
constexpr uint64_t kInputsPerWorld = 20'000;
constexpr int kMaxRequests = 16;  // a session's max_pipelined
constexpr int kMaxStreamFrames = 4;

std::shared_ptr<const http::Tokens> MakeTokens() {
  struct Grant {
    const char* token;
    engine::Principal principal;
  };
  const Grant grants[] = {
      {"tok-admin", {"ops", {"admin"}, {"*"}}},
      {"tok-mijn", {"mijn-rotterdam", {"applicant", "publisher"}, {"*"}}},
      {"tok-opzoomer", {"opzoomer-mee", {"intake"}, {"*"}}},
      {"tok-council", {"wijkraad-feijenoord", {"district-council"}, {"feijenoord"}}},
      {"tok-manager", {"wijkmanagers", {"district-manager"}, {"feijenoord", "charlois"}}},
      {"tok-college", {"college", {"executive"}, {"*"}}},
      {"tok-team", {"wijkmt-feijenoord", {"district-team"}, {"feijenoord"}}},
      {"tok-audit", {"audit", {"auditor"}, {"*"}}},
  };
  std::string text;
  for (const Grant& g : grants) text += http::TokenLine(g.token, g.principal) + "\n";
  std::unique_ptr<http::Tokens> tokens;
  Require(http::Tokens::Parse(text, &tokens).ok(), "the fuzz tokens parse");
  return tokens;
}

// Everything a running wijkflowd has behind its sockets.
class World {
 public:
  World() : env_(rocksdb::NewMemEnv(rocksdb::Env::Default())), clock_(kClockStart) {
    workflows::RegisterAll(registry_);
    registry_.AddProjection(http::NewInstanceIndex(&registry_));
    StoreOptions so;
    so.clock = &clock_;
    so.env = env_.get();
    Require(EventStore::Open(so, "/fuzz", &store_).ok(), "the in-memory store opens");
    engine_ = std::make_unique<engine::Engine>(store_.get(), &registry_, &clock_);
    projections_ = std::make_unique<engine::ProjectionRunner>(store_.get(), &registry_);
    projections_->Start();
    http::ApiOptions options;
    options.workers = 2;
    options.projection_wait = std::chrono::milliseconds(100);
    api_ = std::make_unique<http::Api>(
        http::ApiDeps{engine_.get(), projections_.get(), &clock_, &metrics_}, options);
    api_->SetTokens(MakeTokens());
    api_->SetReady(true);
  }
  ~World() {
    api_->Drain();
    projections_->Stop();
  }

  http::RequestHandler& handler() { return *api_; }
  engine::Engine& engine() { return *engine_; }
  const http::ServerOptions& server_options() const { return server_options_; }

 private:
  // Destroyed in reverse: the Api before what it uses, the store before its environment.
  std::unique_ptr<rocksdb::Env> env_;
  SimulatedClock clock_;
  engine::WorkflowRegistry registry_;
  http::Metrics metrics_;
  std::unique_ptr<EventStore> store_;
  std::unique_ptr<engine::Engine> engine_;
  std::unique_ptr<engine::ProjectionRunner> projections_;
  std::unique_ptr<http::Api> api_;
  http::ServerOptions server_options_;
};

// Takes a few frames of an event stream, then says the client has gone.
class FewFrames final : public http::StreamSink {
 public:
  bool Write(std::string data) override {
    std::lock_guard<std::mutex> lock(mu_);
    if (frames_ == kMaxStreamFrames) return false;
    ++frames_;
    bytes_ += data.size();
    return true;
  }

 private:
  std::mutex mu_;
  int frames_ = 0;
  size_t bytes_ = 0;
};

// WIJKFLOW_FUZZ_TRACE=1 prints each request's answer, to check what a seed reaches.
bool Tracing() {
  static const bool on = std::getenv("WIJKFLOW_FUZZ_TRACE") != nullptr;
  return on;
}

http::Response Handle(World& world, http::Request request) {
  std::promise<http::Response> answer;
  auto done = answer.get_future();
  world.handler().Handle(std::move(request),
                         [&answer](http::Response r) { answer.set_value(std::move(r)); });
  return done.get();
}

// The bytes a session would write for `r`; streams are started and stopped.
void Send(http::Response r, unsigned version, bool keep_alive) {
  if (r.stream) {
    r.stream->Start(std::make_shared<FewFrames>());
    r.stream->Stop();
    return;
  }
  std::string bytes;
  http::SerializeResponse(r, version, keep_alive, &bytes);
  Require(bytes.size() >= r.body.size(), "a response's bytes hold its body");
}

// An acknowledged command leaves an instance that replays from the store alone, as after a
// restart: every event it wrote decodes and applies.
void CheckReplays(World& world, std::string_view path) {
  // "/v1/{workflow}/{id}/commands/{command}"
  std::vector<std::string_view> segments;
  for (size_t at = 1; at <= path.size();) {
    const size_t slash = std::min(path.find('/', at), path.size());
    segments.push_back(path.substr(at, slash - at));
    at = slash + 1;
  }
  if (segments.size() != 5 || segments[0] != "v1" || segments[3] != "commands") return;
  engine::InstanceView view;
  const engine::Outcome replayed =
      world.engine().Get(segments[1], segments[2], std::numeric_limits<Micros>::max(), &view);
  if (!replayed.ok()) std::fprintf(stderr, "%s\n", replayed.ToString().c_str());
  Require(replayed.ok(), "an acknowledged command's instance replays");
}

// As Session::OnReadError: the answer to a request that could not be read.
void Reject(World& world, const boost::system::error_code& ec) {
  http::ReadFailure why = http::ReadFailure::kMalformed;
  if (ec == bhttp::error::body_limit) why = http::ReadFailure::kBodyTooLarge;
  if (ec == bhttp::error::header_limit) why = http::ReadFailure::kHeaderTooLarge;
  if (Tracing()) std::fprintf(stderr, "unreadable: %s\n", ec.message().c_str());
  Send(world.handler().Rejected(why, "malformed HTTP request: " + ec.message()), 11, false);
}

void Run(World& world, std::string_view bytes) {
  for (int i = 0; i < kMaxRequests && !bytes.empty(); ++i) {
    http::RequestParser parser;
    http::ConfigureParser(world.server_options(), &parser);
    boost::system::error_code ec;
    const size_t used = parser.put(boost::asio::buffer(bytes.data(), bytes.size()), ec);
    bytes.remove_prefix(used);
    if (ec == bhttp::error::need_more) return;  // the client never sends the rest
    if (ec) return Reject(world, ec);
    if (!parser.is_done()) {
      // A session waits for more bytes here: it must not leave any it already has unparsed.
      Require(bytes.empty(), "a parser that wants more has taken every byte");
      return;
    }
    http::BeastRequest message = parser.release();
    const bool keep_alive = message.keep_alive();
    const unsigned version = message.version();
    http::Request request;
    request.remote = "fuzz";
    if (!http::ToRequest(std::move(message), &request)) {
      return Send(world.handler().Rejected(http::ReadFailure::kMalformed, "bad target"), version,
                  false);
    }
    const std::string line = request.method + " " + request.target;
    const std::string path = request.path;
    const auto start = std::chrono::steady_clock::now();
    http::Response response = Handle(world, std::move(request));
    if (Tracing()) {
      const std::chrono::duration<double, std::milli> took =
          std::chrono::steady_clock::now() - start;
      std::fprintf(stderr, "%s -> %d (%.1f ms)\n", line.c_str(), response.status, took.count());
    }
    if (response.status / 100 == 2) CheckReplays(world, path);
    Send(std::move(response), version, keep_alive);
    if (!keep_alive) return;
  }
}

std::unique_ptr<World>& TheWorld() {
  static auto* world = new std::unique_ptr<World>();
  return *world;
}

}  // namespace
}  // namespace wijkflow::fuzz

extern "C" int LLVMFuzzerInitialize(int*, char***) {
  spdlog::set_level(spdlog::level::off);
  return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  static uint64_t inputs = 0;
  auto& world = wijkflow::fuzz::TheWorld();
  if (inputs++ % wijkflow::fuzz::kInputsPerWorld == 0) {
    world.reset();
    world = std::make_unique<wijkflow::fuzz::World>();
  }
  wijkflow::fuzz::Run(*world, std::string_view(reinterpret_cast<const char*>(data), size));
  return 0;
}
