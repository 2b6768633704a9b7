// The catch-up subscription behind EventStore::Subscribe.
#pragma once

#include <atomic>
#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <thread>

#include "events/event_store.h"

namespace wijkflow {

class PositionWatch;

// The delivery thread and its state, shared by the Subscription handle and the store: whichever
// stops it first joins the thread. After the store has stopped it, it touches the store no more,
// so a handle may outlive its store.
class SubscriptionCore {
 public:
  // `read` reads the global log as EventStore::ReadAll does.
  using ReadFn = std::function<Status(uint64_t from, size_t max, std::vector<EventEnvelope>*)>;

  SubscriptionCore(ReadFn read, const PositionWatch* positions, uint64_t from_position,
                   std::function<bool(const EventEnvelope&)> handler);
  ~SubscriptionCore();  // Stop()s

  void Start();
  // Stops delivery and joins the thread. Idempotent, thread-safe. Called from the handler itself
  // it only asks the thread to stop.
  void Stop();
  uint64_t next_position() const { return next_.load(std::memory_order_acquire); }

 private:
  void Run();

  const ReadFn read_;
  const PositionWatch* const positions_;
  const std::function<bool(const EventEnvelope&)> handler_;
  std::atomic<uint64_t> next_;
  std::atomic<bool> stop_{false};
  std::mutex join_mu_;
  std::thread thread_;  // GUARDED_BY(join_mu_)
};

// What Subscribe hands out: stops the core when destroyed.
class SubscriptionHandle final : public Subscription {
 public:
  explicit SubscriptionHandle(std::shared_ptr<SubscriptionCore> core) : core_(std::move(core)) {}
  ~SubscriptionHandle() override { core_->Stop(); }
  void Stop() override { core_->Stop(); }
  uint64_t next_position() const override { return core_->next_position(); }

 private:
  std::shared_ptr<SubscriptionCore> core_;
};

}  // namespace wijkflow
