// ProjectionRunner: keeps every registered projection caught up with the global log. It reads
// the log once for all projections and, per chunk of events, writes every model change together
// with every checkpoint in one batch: exactly once, across crashes.
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <string_view>

#include "engine/registry.h"
#include "events/event_store.h"

namespace wijkflow::engine {

class ProjectionRunner {
 public:
  // REQUIRES: store and registry outlive the runner.
  ProjectionRunner(EventStore* store, const WorkflowRegistry* registry);
  ~ProjectionRunner();  // stops the live thread

  // Applies everything up to the log's current end, on the calling thread.
  Status CatchUp();
  // Follows the log on a thread of its own until Stop().
  void Start();
  void Stop();
  // Blocks until every projection has applied `position`; false on timeout.
  bool WaitFor(uint64_t position, std::chrono::milliseconds timeout) const;

  // Drops the model and checkpoint of projection `name` and rebuilds it from position 1.
  // REQUIRES: the live thread is stopped.
  Status Rebuild(std::string_view name);

  // The last position projection `name` has applied (0: none).
  uint64_t Checkpoint(std::string_view name) const;
  // Reads of a model: one key, or keys in [begin, end) of it in order (end empty: to the end).
  Status Get(std::string_view name, const std::string& key, std::string* value) const;
  Status Scan(
      std::string_view name, const std::string& begin, const std::string& end,
      const std::function<bool(const std::string& key, const std::string& value)>& fn) const;

 private:
  class Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace wijkflow::engine
