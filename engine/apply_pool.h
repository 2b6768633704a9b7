// ApplyPool: threads that apply a stream of items (batches of events) to several lanes
// (projections), each lane every item in order, one thread at a time per lane. Internal to the
// engine: the projection runner reads and decodes batches into a ring of slots while the pool
// applies the ones before.
//
// Lanes do not wait for each other: a lane slower than the rest (the largest projection) lags a
// few items behind while the others, and the reading thread, go on. Waiting for every lane at
// every batch instead left a core idle for about a fifth of a rebuild. A slot is filled again
// once every lane has applied its item.
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
  // apply(lane, slot): applies the item in `slot` to `lane`. No threads: items are applied on the
  // calling thread, when published.
  ApplyPool(size_t threads, size_t lanes, size_t slots, std::function<void(size_t, size_t)> apply)
      : lanes_(lanes), pending_(slots, 0), apply_(std::move(apply)) {
    for (size_t i = 0; i < threads; ++i) threads_.emplace_back([this] { Work(); });
  }
  ~ApplyPool() {
    {
      std::lock_guard<std::mutex> lock(mu_);
      stop_ = true;
    }
    work_.notify_all();
    for (auto& t : threads_) t.join();
  }
  ApplyPool(const ApplyPool&) = delete;
  ApplyPool& operator=(const ApplyPool&) = delete;

  // The slot to fill with the next item, once every lane has applied what it held (the caller
  // helps apply meanwhile). Asking again before Publish gives the same slot.
  size_t Acquire() {
    std::unique_lock<std::mutex> lock(mu_);
    const size_t slot = published_ % pending_.size();
    Help(lock, [&] { return pending_[slot] == 0; });
    return slot;
  }
  // Hands the item filled into the slot from Acquire() to every lane.
  void Publish() {
    std::unique_lock<std::mutex> lock(mu_);
    pending_[published_ % pending_.size()] = lanes_.size();
    ++published_;
    if (threads_.empty()) {
      while (RunOne(lock)) {
      }
    }
    work_.notify_all();
  }
  // Returns once every lane has applied every item published, helping meanwhile.
  void Settle() {
    std::unique_lock<std::mutex> lock(mu_);
    Help(lock, [&] {
      for (const Lane& l : lanes_) {
        if (l.next != published_) return false;
      }
      return true;
    });
  }
  // Runs job(i) for every i in [0, n), on the pool's threads and this one; returns once all ran.
  // REQUIRES: settled.
  void ForEach(size_t n, const std::function<void(size_t)>& job) {
    std::unique_lock<std::mutex> lock(mu_);
    job_ = &job;
    job_size_ = n;
    job_next_ = 0;
    work_.notify_all();
    Help(lock, [&] { return job_next_ == job_size_ && job_running_ == 0; });
    job_ = nullptr;
  }

 private:
  struct Lane {
    uint64_t next = 0;  // the item it applies next
    bool busy = false;  // a thread applies an item to it
  };

  void Work() {
    std::unique_lock<std::mutex> lock(mu_);
    while (!stop_) {
      if (!RunOne(lock)) work_.wait(lock);
    }
  }

  // Runs work until done() holds, waiting when there is none to take.
  template <class Done>
  void Help(std::unique_lock<std::mutex>& lock, Done done) {
    while (!done()) {
      if (!RunOne(lock)) progress_.wait(lock);
    }
  }

  // Takes one piece of work, if there is one, and runs it with the lock released: the next item
  // of the lane furthest behind among those free to take, else an index of the ForEach job.
  bool RunOne(std::unique_lock<std::mutex>& lock) {
    Lane* lane = nullptr;
    for (Lane& l : lanes_) {
      if (!l.busy && l.next < published_ && (lane == nullptr || l.next < lane->next)) lane = &l;
    }
    if (lane != nullptr) {
      const size_t slot = lane->next % pending_.size();
      lane->busy = true;
      lock.unlock();
      apply_(static_cast<size_t>(lane - lanes_.data()), slot);
      lock.lock();
      lane->busy = false;
      ++lane->next;
      if (--pending_[slot] == 0 || lane->next == published_) progress_.notify_all();
      return true;
    }
    if (job_ != nullptr && job_next_ < job_size_) {
      const size_t i = job_next_++;
      ++job_running_;
      lock.unlock();
      (*job_)(i);
      lock.lock();
      if (--job_running_ == 0 && job_next_ == job_size_) progress_.notify_all();
      return true;
    }
    return false;
  }

  std::mutex mu_;
  std::condition_variable work_;      // for the pool's threads: work to take, or stop
  std::condition_variable progress_;  // for a helping caller: a slot, a lane or the job is done
  std::vector<Lane> lanes_;
  std::vector<size_t> pending_;  // per slot: lanes that have yet to apply its item
  uint64_t published_ = 0;       // items published; item k is in slot k % slots
  std::function<void(size_t, size_t)> apply_;
  const std::function<void(size_t)>* job_ = nullptr;  // ForEach's, while it runs
  size_t job_size_ = 0, job_next_ = 0, job_running_ = 0;
  bool stop_ = false;
  std::vector<std::thread> threads_;
};

}  // namespace wijkflow::engine
