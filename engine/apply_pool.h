// ApplyPool: threads that run one job at a time over the indexes [0, n), each index once, while
// the thread that started the job goes on with other work, and helps once it waits. Internal to the
// engine: the projection runner applies a batch of events with it, an index per projection, while
// it reads and decodes the next batch.
#pragma once

#include <condition_variable>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <mutex>
#include <thread>
#include <vector>

namespace wijkflow::engine {

class ApplyPool {
 public:
  // No threads: Start runs the job on the calling thread.
  explicit ApplyPool(size_t threads) {
    for (size_t i = 0; i < threads; ++i) threads_.emplace_back([this] { Work(); });
  }
  ~ApplyPool() {
    {
      std::lock_guard<std::mutex> lock(mu_);
      stop_ = true;
    }
    start_.notify_all();
    for (auto& t : threads_) t.join();
  }
  ApplyPool(const ApplyPool&) = delete;
  ApplyPool& operator=(const ApplyPool&) = delete;

  // Starts job(i) for every i in [0, n). REQUIRES: the job before is done (Wait).
  void Start(size_t n, std::function<void(size_t)> job) {
    if (threads_.empty()) {
      for (size_t i = 0; i < n; ++i) job(i);
      return;
    }
    {
      std::lock_guard<std::mutex> lock(mu_);
      job_ = std::move(job);
      n_ = n;
      next_ = 0;
      busy_ = threads_.size();
      ++generation_;
    }
    start_.notify_all();
  }
  // Takes on indexes of the job started last that no thread has taken yet (on two cores the
  // caller would otherwise sit idle while a long one runs), then blocks until the job is done.
  void Wait() {
    size_t i;
    while (Take(&i)) job_(i);
    std::unique_lock<std::mutex> lock(mu_);
    done_.wait(lock, [&] { return busy_ == 0; });
  }

 private:
  void Work() {
    uint64_t seen = 0;
    for (;;) {
      {
        std::unique_lock<std::mutex> lock(mu_);
        start_.wait(lock, [&] { return stop_ || generation_ != seen; });
        if (stop_) return;
        seen = generation_;
      }
      size_t taken;
      while (Take(&taken)) job_(taken);
      std::lock_guard<std::mutex> lock(mu_);
      if (--busy_ == 0) done_.notify_all();
    }
  }

  // The next index of the job not taken yet, if any.
  bool Take(size_t* i) {
    std::lock_guard<std::mutex> lock(mu_);
    if (next_ == n_) return false;
    *i = next_++;
    return true;
  }

  std::mutex mu_;
  std::condition_variable start_, done_;
  std::function<void(size_t)> job_;  // set under mu_ while no thread is busy
  size_t n_ = 0, next_ = 0, busy_ = 0;
  uint64_t generation_ = 0;
  bool stop_ = false;
  std::vector<std::thread> threads_;
};

}  // namespace wijkflow::engine
