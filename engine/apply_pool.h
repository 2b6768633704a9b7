// ApplyPool: threads that prepare a stream of items (batches of events: parse and decode) and
// apply each to several lanes (projections), each lane every item in order, one thread at a time
// per lane. Internal to the engine: the projection runner reads batches of records into a ring of
// slots while the pool prepares and applies the ones before.
//
// Items are prepared side by side, in any order, on any thread: reading alone is what stays on
// the reading thread. Lanes do not wait for each other: a lane slower than the rest (the largest
// projection) lags a few items behind while the others go on. A slot is filled again once every
// lane has applied its item.
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
  // prepare(slot): readies the item in `slot` for the lanes. apply(lane, slot): applies it to
  // `lane`. No threads: items are prepared and applied on the calling thread, when published.
  ApplyPool(size_t threads, size_t lanes, size_t slots, std::function<void(size_t)> prepare,
            std::function<void(size_t, size_t)> apply)
      : lanes_(lanes), slots_(slots), prepare_(std::move(prepare)), apply_(std::move(apply)) {
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
    const size_t slot = published_ % slots_.size();
    Help(lock, [&] { return slots_[slot].pending == 0; });
    return slot;
  }
  // Hands the item filled into the slot from Acquire() on, to be prepared and then applied to
  // every lane.
  void Publish() {
    std::unique_lock<std::mutex> lock(mu_);
    Slot& slot = slots_[published_ % slots_.size()];
    slot.pending = lanes_.size();
    slot.prepared = false;
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
  struct Slot {
    size_t pending = 0;  // lanes that have yet to apply its item
    bool prepared = false;
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
  // of the lane furthest behind among those free to take, else the next item to prepare, else an
  // index of the ForEach job.
  bool RunOne(std::unique_lock<std::mutex>& lock) {
    Lane* lane = nullptr;
    for (Lane& l : lanes_) {
      if (!l.busy && l.next < published_ && slots_[l.next % slots_.size()].prepared &&
          (lane == nullptr || l.next < lane->next)) {
        lane = &l;
      }
    }
    if (lane != nullptr) {
      Slot& slot = slots_[lane->next % slots_.size()];
      lane->busy = true;
      lock.unlock();
      apply_(static_cast<size_t>(lane - lanes_.data()), lane->next % slots_.size());
      lock.lock();
      lane->busy = false;
      ++lane->next;
      if (--slot.pending == 0 || lane->next == published_) progress_.notify_all();
      return true;
    }
    if (prepared_ < published_) {
      const size_t i = prepared_++ % slots_.size();
      lock.unlock();
      prepare_(i);
      lock.lock();
      slots_[i].prepared = true;
      work_.notify_all();  // the lanes can take it
      progress_.notify_all();
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
  std::vector<Slot> slots_;
  uint64_t published_ = 0;  // items published; item k is in slot k % slots
  uint64_t prepared_ = 0;   // items taken to prepare (in order; they may finish in any)
  std::function<void(size_t)> prepare_;
  std::function<void(size_t, size_t)> apply_;
  const std::function<void(size_t)>* job_ = nullptr;  // ForEach's, while it runs
  size_t job_size_ = 0, job_next_ = 0, job_running_ = 0;
  bool stop_ = false;
  std::vector<std::thread> threads_;
};

}  // namespace wijkflow::engine
