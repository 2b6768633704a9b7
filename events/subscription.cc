#include "events/subscription.h"

#include <vector>

#include "events/position_watch.h"
#include "wijkflow/envelope.pb.h"

namespace wijkflow {

namespace {
constexpr size_t kChunk = 512;
// A caught-up subscription re-checks its stop flag at least this often; Stop() also wakes it.
constexpr std::chrono::seconds kMaxIdleWait(1);
}  // namespace

SubscriptionCore::SubscriptionCore(ReadFn read, const PositionWatch* positions,
                                   uint64_t from_position,
                                   std::function<bool(const EventEnvelope&)> handler)
    : read_(std::move(read)),
      positions_(positions),
      handler_(std::move(handler)),
      next_(std::max<uint64_t>(from_position, 1)) {}

SubscriptionCore::~SubscriptionCore() { Stop(); }

void SubscriptionCore::Start() {
  std::lock_guard<std::mutex> lock(join_mu_);
  thread_ = std::thread([this] { Run(); });
}

void SubscriptionCore::Stop() {
  std::lock_guard<std::mutex> lock(join_mu_);
  stop_.store(true, std::memory_order_release);
  if (!thread_.joinable()) return;
  if (thread_.get_id() == std::this_thread::get_id()) return;  // from the handler: see header
  positions_->WakeAll();
  thread_.join();
}

void SubscriptionCore::Run() {
  std::vector<EventEnvelope> chunk;
  while (!stop_.load(std::memory_order_acquire)) {
    const uint64_t next = next_.load(std::memory_order_relaxed);
    // Always read from disk from `next` on: whatever was committed meanwhile is in the log, so
    // switching from catching up to live delivery cannot skip or repeat a position.
    if (!read_(next, kChunk, &chunk).ok()) return;
    for (const EventEnvelope& e : chunk) {
      if (stop_.load(std::memory_order_acquire)) return;
      next_.store(e.position() + 1, std::memory_order_release);
      if (!handler_(e)) return;
    }
    if (chunk.empty()) {
      positions_->Wait(next, std::chrono::steady_clock::now() + kMaxIdleWait, &stop_);
    }
  }
}

}  // namespace wijkflow
