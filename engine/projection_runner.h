// ProjectionRunner: keeps every registered projection caught up with the global log. It reads
// the log once for all projections and, per chunk of events, writes every model change together
// with every checkpoint in one batch: exactly once, across crashes.
#pragma once

#include <algorithm>
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <thread>

#include "engine/registry.h"
#include "events/event_store.h"

namespace wijkflow::engine {

class ProjectionRunner {
 public:
  struct Options {
    // Models' keys read or written lately are kept in memory up to this many bytes in all, so
    // that an event's projection rarely reads the store. Right after a rebuild starts, the cache
    // knows the whole (empty) model, and keeps knowing it until this budget is first exceeded.
    size_t model_cache_bytes = 64 << 20;
    // A chunk, the events applied between two commits, ends at the log's end, or at the end of a
    // batch of 1,024 events once it holds this many events or the cache holds more than
    // model_cache_bytes (changed keys stay cached until committed). Large chunks make catching up
    // fast: a key changed many times in a chunk is committed once. A live runner commits whatever
    // has arrived, usually far less.
    size_t chunk_events = 1 << 16;
    // A commit of at least this many writes (a rebuild's, a long catch-up's) goes into the store
    // as table files, ingested with the checkpoints in one atomic step: no memtable inserts, no
    // log, no flush.
    size_t table_writes_from = size_t{1} << 17;
    // A model's writes are split into table files of at most this many keys each (runs of
    // keys), written side by side, so that the largest model does not finish alone.
    size_t table_part_writes = size_t{1} << 16;
    // Once new events arrive, the live thread waits this long for more before it applies them,
    // so that under load one commit carries many events rather than one: a checkpoint per
    // projection, and a key changed by several events, are written once. Lag grows by as much.
    std::chrono::microseconds gather{2000};
    // 1: the runner's own thread parses and applies each batch of events once it has read it.
    // More: that many threads in all, the runner's own among them. It reads the log while the
    // others parse batches side by side and apply them, each projection on one thread at a time,
    // and it helps them whenever it is ahead (catching up, rebuilding). One thread per core: a
    // thread more than there are cores was measured to cost a rebuild an eighth of its time, in
    // threads that wait to be woken while the cores switch between three.
    size_t threads = std::max(1u, std::thread::hardware_concurrency());
  };
  // For a tool that rebuilds with the machine to itself (`wijkflow rebuild-projections`): a cache
  // that holds the models of a few million events, so that a rebuild never reads them back, and
  // one commit at the end unless the cache fills first. Until then nothing of the rebuild is
  // visible; a crash leaves the models dropped, to be rebuilt from the start.
  static Options ForRebuild() {
    Options o;
    o.model_cache_bytes = size_t{1} << 30;
    o.chunk_events = SIZE_MAX;
    return o;
  }

  // REQUIRES: store and registry outlive the runner.
  ProjectionRunner(EventStore* store, const WorkflowRegistry* registry)
      : ProjectionRunner(store, registry, Options()) {}
  ProjectionRunner(EventStore* store, const WorkflowRegistry* registry, const Options& options);
  ~ProjectionRunner();  // stops the live thread

  // Applies everything up to the log's current end, on the calling thread.
  Status CatchUp();
  // Follows the log on a thread of its own until Stop().
  void Start();
  void Stop();
  // Blocks until every projection has applied `position`; false on timeout.
  bool WaitFor(uint64_t position, std::chrono::milliseconds timeout) const;

  // Drops the model and checkpoint of projection `name` (in one batch) and rebuilds it from
  // position 1.
  // REQUIRES: the live thread is stopped.
  Status Rebuild(std::string_view name);
  // Drops every model and checkpoint in one batch and rebuilds them all in one pass of the log.
  // REQUIRES: the live thread is stopped.
  Status RebuildAll();

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
