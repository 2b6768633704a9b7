#include "adapters/http/service.h"

#include <spdlog/spdlog.h>

#include <condition_variable>
#include <filesystem>
#include <mutex>
#include <thread>

#include "adapters/http/instance_index.h"
#include "adapters/http/log.h"
#include "adapters/http/measured_store.h"
#include "engine/projection_runner.h"

namespace wijkflow::http {

class Service::Impl {
 public:
  Impl(ServiceOptions options, engine::WorkflowRegistry* registry)
      : options_(std::move(options)), registry_(registry) {
    bool has_index = false;
    for (const auto& p : registry_->projections()) has_index |= p->Name() == kInstanceIndex;
    if (!has_index) registry_->AddProjection(NewInstanceIndex(registry_));
  }

  ~Impl() { Stop(); }

  Status Start(const std::string& tokens_path, std::string* admin_token) {
    Status s = OpenStorage();
    if (!s.ok()) return s;
    s = PrepareTokens(tokens_path, admin_token);
    if (!s.ok()) return s;
    api_ = std::make_unique<Api>(
        ApiDeps{engine_.get(), projections_.get(), simulated_.get(), &metrics_}, options_.api);
    api_->SetTokens(tokens_);
    server_ = std::make_unique<Server>(options_.server, api_.get());
    s = server_->Start();
    if (!s.ok()) return s;
    scheduler_ = std::thread([this] { RunScheduler(); });
    started_ = true;
    Log(spdlog::level::info, "listening",
        {{"address", options_.server.address},
         {"port", uint64_t{server_->port()}},
         {"data", options_.data_dir},
         {"clock", simulated_ ? "simulated" : "system"},
         {"lastPosition", store_->LastPosition()}});
    return Status::OK();
  }

  bool Stop() {
    if (!started_ || stopped_) return clean_;
    stopped_ = true;
    Log(spdlog::level::info, "shutting down", {});
    api_->SetReady(false);
    clean_ = server_->Stop(options_.shutdown_grace);
    api_->Drain();
    {
      std::lock_guard<std::mutex> lock(mu_);
      stop_scheduler_ = true;
    }
    cv_.notify_all();
    scheduler_.join();
    projections_->Stop();
    server_.reset();
    api_.reset();
    projections_.reset();
    engine_.reset();
    const uint64_t last = store_->LastPosition();
    store_.reset();  // closes: everything acknowledged is already synced
    Log(spdlog::level::info, "stopped", {{"lastPosition", last}});
    spdlog::default_logger()->flush();
    return clean_;
  }

  Status ReloadTokens(const std::string& path) {
    std::unique_ptr<Tokens> tokens;
    Status s = Tokens::Load(path, &tokens);
    if (!s.ok()) return s;
    tokens_ = std::move(tokens);
    if (api_) api_->SetTokens(tokens_);
    return Status::OK();
  }

  uint16_t port() const { return server_ ? server_->port() : 0; }
  engine::Engine& engine() { return *engine_; }
  EventStore& store() { return *store_; }

 private:
  Status OpenStorage() {
    std::error_code ec;
    std::filesystem::create_directories(options_.data_dir, ec);
    if (ec) return Status::StorageError("cannot create " + options_.data_dir + ": " + ec.message());
    const Clock* clock = SystemClock::Default();
    if (options_.simulated_clock) {
      simulated_ = std::make_unique<SimulatedClock>(options_.clock_start);
      clock = simulated_.get();
    }
    StoreOptions so = options_.store;
    so.clock = clock;
    MeasuredStore::MeasureSyncs(&so, &metrics_);
    std::unique_ptr<EventStore> store;
    // The data directory is the store's directory, as the wijkflow tools read it.
    Status s = EventStore::Open(so, options_.data_dir, &store);
    if (!s.ok()) return s;
    store_ = std::make_unique<MeasuredStore>(std::move(store), &metrics_);
    engine_ = std::make_unique<engine::Engine>(store_.get(), registry_, clock, options_.engine);
    // One thread for the read models: a server's cores belong to its requests first.
    engine::ProjectionRunner::Options projection_options;
    projection_options.threads = 1;
    projections_ =
        std::make_unique<engine::ProjectionRunner>(store_.get(), registry_, projection_options);
    projections_->Start();
    return Status::OK();
  }

  Status PrepareTokens(const std::string& path, std::string* admin_token) {
    Status s = EnsureTokensFile(path, admin_token);
    if (!s.ok()) return s;
    if (!admin_token->empty()) {
      s = WriteOwnerOnly(path + ".admin", *admin_token + "\n", false);
      if (!s.ok()) return s;
      Log(spdlog::level::warn, "created a tokens file with an admin token",
          {{"tokens", path}, {"adminToken", path + ".admin"}});
    }
    return ReloadTokens(path);
  }

  // Fires due timers every interval; and says ready once the projections have caught up with
  // the log as it was at start.
  void RunScheduler() {
    const uint64_t start_position = store_->LastPosition();
    bool ready = false;
    std::unique_lock<std::mutex> lock(mu_);
    while (!stop_scheduler_) {
      lock.unlock();
      if (!ready && projections_->WaitFor(start_position, std::chrono::milliseconds(0))) {
        ready = true;
        api_->SetReady(true);
      }
      const size_t fired = engine_->FireDueTimers();
      if (fired > 0) Log(spdlog::level::info, "timers fired", {{"count", uint64_t{fired}}});
      lock.lock();
      cv_.wait_for(lock, ready ? options_.timer_interval : std::chrono::milliseconds(20),
                   [&] { return stop_scheduler_; });
    }
  }

  ServiceOptions options_;
  engine::WorkflowRegistry* registry_;
  Metrics metrics_;
  std::unique_ptr<SimulatedClock> simulated_;
  std::unique_ptr<EventStore> store_;
  std::unique_ptr<engine::Engine> engine_;
  std::unique_ptr<engine::ProjectionRunner> projections_;
  std::shared_ptr<const Tokens> tokens_;
  std::unique_ptr<Api> api_;
  std::unique_ptr<Server> server_;
  std::thread scheduler_;
  std::mutex mu_;
  std::condition_variable cv_;
  bool stop_scheduler_ = false;
  bool started_ = false;
  bool stopped_ = false;
  bool clean_ = true;
};

Service::Service(ServiceOptions options, engine::WorkflowRegistry* registry) {
  tokens_path_ = options.tokens_path.empty()
                     ? (std::filesystem::path(options.data_dir) / "tokens").string()
                     : options.tokens_path;
  impl_ = std::make_unique<Impl>(std::move(options), registry);
}
Service::~Service() = default;
Status Service::Start() { return impl_->Start(tokens_path_, &admin_token_); }
bool Service::Stop() { return impl_->Stop(); }
Status Service::ReloadTokens() { return impl_->ReloadTokens(tokens_path_); }
uint16_t Service::port() const { return impl_->port(); }
engine::Engine& Service::engine() { return impl_->engine(); }
EventStore& Service::store() { return impl_->store(); }

}  // namespace wijkflow::http
