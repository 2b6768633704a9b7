// PositionWatch: the last committed global position, and a way to wait for it to move. The writer
// publishes; readers, WaitForPosition and subscriptions wait.
#pragma once

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <mutex>

namespace wijkflow {

class PositionWatch {
 public:
  explicit PositionWatch(uint64_t last) : last_(last) {}

  uint64_t last() const { return last_.load(std::memory_order_acquire); }

  // REQUIRES: called by one thread (the writer) with increasing positions.
  void Publish(uint64_t position) {
    bool wake;
    {
      std::lock_guard<std::mutex> lock(mu_);
      last_.store(position, std::memory_order_release);
      wake = waiters_ > 0;
    }
    if (wake) cv_.notify_all();
  }

  // Waits until last() >= position, *stop is set (then WakeAll() must follow), the watch is closed,
  // or `deadline` passes. Returns last() >= position.
  bool Wait(uint64_t position, std::chrono::steady_clock::time_point deadline,
            const std::atomic<bool>* stop = nullptr) const {
    std::unique_lock<std::mutex> lock(mu_);
    ++waiters_;
    cv_.wait_until(lock, deadline, [&] {
      return last_.load(std::memory_order_relaxed) >= position || closed_ ||
             (stop != nullptr && stop->load(std::memory_order_relaxed));
    });
    --waiters_;
    return last_.load(std::memory_order_relaxed) >= position;
  }

  // Wakes every waiter so that it re-checks its stop flag.
  void WakeAll() const {
    { std::lock_guard<std::mutex> lock(mu_); }
    cv_.notify_all();
  }

  // Ends every wait, now and later.
  void Close() {
    {
      std::lock_guard<std::mutex> lock(mu_);
      closed_ = true;
    }
    cv_.notify_all();
  }

 private:
  std::atomic<uint64_t> last_;
  mutable std::mutex mu_;
  mutable std::condition_variable cv_;
  mutable int waiters_ = 0;  // GUARDED_BY(mu_)
  bool closed_ = false;      // GUARDED_BY(mu_)
};

}  // namespace wijkflow
