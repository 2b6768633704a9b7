// Engine::Impl: the command pipeline. Private to engine/.
#pragma once

#include <atomic>
#include <condition_variable>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "engine/engine.h"
#include "engine/instance_cache.h"
#include "wijkflow/engine.pb.h"

namespace wijkflow::engine {

// A stripe of the per-stream locks a command holds from its decision until its append is settled.
// Unlike std::mutex it may be released by a thread other than the one that took it: an
// asynchronous command's append is settled on the store's sync thread.
class StripeLock {
 public:
  void lock() {
    while (locked_.exchange(true, std::memory_order_acquire)) {
      locked_.wait(true, std::memory_order_relaxed);
    }
  }
  bool try_lock() { return !locked_.exchange(true, std::memory_order_acquire); }
  void unlock() {
    locked_.store(false, std::memory_order_release);
    locked_.notify_one();
  }

 private:
  std::atomic<bool> locked_{false};
};

class Engine::Impl {
 public:
  Impl(EventStore* store, const WorkflowRegistry* registry, const Clock* clock,
       EngineOptions options);

  ~Impl();  // waits for the asynchronous commands in flight

  CommandResult Execute(CommandRequest request, const TimerEntry* fired);
  void ExecuteAsync(CommandRequest request, Done done, Waiting wait);
  Outcome Get(const Workflow& wf, std::string_view id, std::optional<Micros> as_of,
              InstanceView* out);
  size_t FireDueTimers();
  std::optional<Micros> NextTimerDue(Micros until);
  void LowerTimersFrom(Micros due);

 private:
  // The instances one attempt has read, by stream id: what Decide saw, and what the append
  // expects to be unchanged.
  using ReadSet = std::map<std::string, std::shared_ptr<const LoadedInstance>>;

  // An instance being evolved by a decision, and where its events go in the append.
  struct Evolved {
    std::unique_ptr<Instance> instance;
    uint64_t version;
    uint32_t definition_version;
    Micros last_effective;
    size_t append_index;
  };

  // A command decided: its result, final unless it has an append to make (or timers to write).
  struct Decided {
    CommandResult result;
    std::string stream;
    std::optional<AppendRequest> append;
    std::vector<SideWrite> timer_writes;  // a decision that records no event but moves timers
    std::map<std::string, Evolved> after;
    std::vector<Micros> timers_set;  // their due times, to lower the timer scan's start
  };

  struct Attempt {
    CommandResult result;
    bool retry = false;
    std::string conflict_stream;  // when retry: the stream whose version had moved
  };

  Outcome Authorise(const Workflow& wf, const CommandSpec& spec, const Instance& current,
                    const Message& body, Micros effective, bool by_timer, ReadSet* reads,
                    CommandRequest* request);
  // The checks every command passes before it takes its stream's lock.
  Outcome Check(const CommandRequest& request, const Workflow** wf, const CommandSpec** spec) const;
  // Looks for an earlier command with the request's id (making one if it has none); true and
  // *found set if there is one, or if the look failed.
  bool FindEarlier(CommandRequest& request, const std::string& stream, CommandResult* found);
  // Decides and appends once. Every other stream the decision writes is appended under its
  // stripe lock: taken here if free (and let go after the append) unless `held` has it; if
  // another command holds it, nothing is appended and the attempt is retried with that stream
  // as the conflict, so that commands writing a hot stream take turns instead of racing.
  Attempt TryOnce(const Workflow& wf, const CommandSpec& spec, CommandRequest& request,
                  const TimerEntry* fired, const std::vector<const StripeLock*>& held);
  Decided Decide(const Workflow& wf, const CommandSpec& spec, CommandRequest& request,
                 const TimerEntry* fired);
  // What the append's outcome makes of a decided command (and the instance cache with it).
  Attempt Settle(Decided& d, AppendOutcome out);
  // The instance from the cache, else snapshot + later events, else a full replay.
  Outcome Load(const Workflow& wf, const std::string& id,
               std::shared_ptr<const LoadedInstance>* out);
  const LoadedInstance* LoadInto(std::string_view workflow, std::string_view id, ReadSet* reads);
  Outcome Replay(const Workflow& wf, const std::string& stream, std::optional<Micros> as_of,
                 LoadedInstance* into) const;
  // Applies `events` to clones of what was read; fills the envelopes and the new states.
  Outcome Evolve(DecideContext& ctx, const ReadSet& reads, AppendRequest* append,
                 std::map<std::string, Evolved>* after) const;
  // The command of `workflow` for the role "system" that takes `command`'s type; nullptr if none.
  const CommandSpec* TimerCommand(std::string_view workflow, const Message& command) const;
  Outcome TimerWrites(DecideContext& ctx, const std::string& stream, const TimerEntry* fired,
                      std::vector<SideWrite>* writes) const;
  void SnapshotWrites(const std::map<std::string, Evolved>& after, const ReadSet& reads,
                      std::vector<SideWrite>* writes) const;
  StripeLock& StripeFor(const std::string& stream);

  EventStore* store_;
  const WorkflowRegistry* registry_;
  const Clock* clock_;
  const EngineOptions options_;
  InstanceCache cache_;
  std::vector<StripeLock> stripes_;
  std::mutex async_mu_;
  std::condition_variable async_cv_;
  size_t async_in_flight_ = 0;  // GUARDED_BY(async_mu_): appends queued by ExecuteAsync
  std::mutex timers_mu_;        // one FireDueTimers pass at a time
  // No timer is due before this: scans start here instead of wading through the deletion
  // markers fired timers leave behind. Lowered after every append that sets a timer.
  std::atomic<Micros> timers_from_{0};
};

}  // namespace wijkflow::engine
