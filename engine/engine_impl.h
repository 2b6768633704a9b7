// Engine::Impl: the command pipeline. Private to engine/.
#pragma once

#include <atomic>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "engine/engine.h"
#include "engine/instance_cache.h"
#include "wijkflow/engine.pb.h"

namespace wijkflow::engine {

class Engine::Impl {
 public:
  Impl(EventStore* store, const WorkflowRegistry* registry, const Clock* clock,
       EngineOptions options);

  CommandResult Execute(CommandRequest request, const TimerEntry* fired);
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

  struct Attempt {
    CommandResult result;
    bool retry = false;
    std::string conflict_stream;  // when retry: the stream whose version had moved
  };

  Outcome Authorise(const Workflow& wf, const CommandSpec& spec, const Instance& current,
                    const Message& body, Micros effective, bool by_timer, ReadSet* reads,
                    CommandRequest* request);
  Attempt TryOnce(const Workflow& wf, const CommandSpec& spec, CommandRequest& request,
                  const TimerEntry* fired);
  // The instance from the cache, else snapshot + later events, else a full replay.
  Outcome Load(const Workflow& wf, const std::string& id,
               std::shared_ptr<const LoadedInstance>* out);
  const LoadedInstance* LoadInto(std::string_view workflow, std::string_view id, ReadSet* reads);
  Outcome Replay(const Workflow& wf, const std::string& stream, std::optional<Micros> as_of,
                 LoadedInstance* into) const;
  // Applies `events` to clones of what was read; fills the envelopes and the new states.
  Outcome Evolve(DecideContext& ctx, const ReadSet& reads, AppendRequest* append,
                 std::map<std::string, Evolved>* after) const;
  Outcome TimerWrites(DecideContext& ctx, const std::string& stream, const TimerEntry* fired,
                      std::vector<SideWrite>* writes) const;
  void SnapshotWrites(const std::map<std::string, Evolved>& after, const ReadSet& reads,
                      std::vector<SideWrite>* writes) const;
  std::mutex& StripeFor(const std::string& stream);

  EventStore* store_;
  const WorkflowRegistry* registry_;
  const Clock* clock_;
  const EngineOptions options_;
  InstanceCache cache_;
  std::vector<std::mutex> stripes_;
  std::mutex timers_mu_;  // one FireDueTimers pass at a time
  // No timer is due before this: scans start here instead of wading through the deletion
  // markers fired timers leave behind. Lowered after every append that sets a timer.
  std::atomic<Micros> timers_from_{0};
};

}  // namespace wijkflow::engine
