// AppendWriter: group commit, pipelined over two threads.
//
// The writer thread is the only one that decides: it takes queued appends one by one and stages
// each into the open group (checks idempotency and expected versions against the stream heads as
// every earlier request leaves them, assigns positions and versions, chains the hashes, adds the
// records to the group's WriteBatch). The sync thread writes groups: whenever it is free it takes
// the open group as it stands, writes its batch synced, and then publishes the new position and
// completes the group's callers. So the writer stages group N+1 while group N is being synced.
//
// Nothing of a group is visible (heads, positions, receipts) before its batch is on disk. If a
// write fails, that group and the one staged on top of it fail with StorageError, and the staging
// state goes back to what is on disk. The database refuses writes after a failed one, so before
// it stages anything again the writer thread reopens it (Storage::Reopen) and reads the staging
// state back from the new instance; appends fail with the reopen's error until that succeeds.
#pragma once

#include <rocksdb/status.h>
#include <rocksdb/write_batch.h>

#include <atomic>
#include <condition_variable>
#include <cstdint>
#include <deque>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <thread>
#include <unordered_map>
#include <vector>

#include "events/event_store.h"
#include "events/format.h"
#include "events/sha256.h"

namespace rocksdb {
class ColumnFamilyHandle;
}  // namespace rocksdb

namespace wijkflow {

class PositionWatch;
class Storage;

// A one-shot signal for a blocked Append: one futex word, so that signalling costs one system
// call and waiting one, with no mutex to re-acquire and no spinning (waiters that spin first, as
// std::binary_semaphore's do, take CPU from the store's threads when many callers wait).
//
// The callers of a group wake each other as a binary tree: the sync thread signals one, and each
// woken caller signals up to two more, so that waking a group costs the sync thread one signal,
// not one per caller, and the wake-ups spread over the cores.
class Waiter {
 public:
  // Returns once signalled, after passing the signal on to this waiter's children.
  void Wait();
  // REQUIRES: before Signal(); `a` and `b` (either may be null) are waiting or will wait.
  void SetChildren(Waiter* a, Waiter* b) {
    children_[0] = a;
    children_[1] = b;
  }
  void Signal();

 private:
  std::atomic<uint32_t> state_{0};            // 1 once signalled; a futex word on Linux
  Waiter* children_[2] = {nullptr, nullptr};  // set before Signal(), read after it
};

// One queued append. A blocking Append keeps it on its stack and waits on `ready`; AppendAsync
// allocates it and the sync thread deletes it after calling `done`.
struct PendingAppend {
  AppendRequest request;
  size_t event_count = 0;
  std::function<void(AppendOutcome)> done;  // set for AppendAsync
  Waiter* ready = nullptr;                  // set for a blocking Append
  AppendOutcome outcome;
};

class AppendWriter {
 public:
  // Starts both threads. `last_position` and `last_global_hash` are the log's tail on disk.
  AppendWriter(const StoreOptions& options, Storage* storage, PositionWatch* positions,
               uint64_t last_position, const Digest& last_global_hash);
  // Close()s.
  ~AppendWriter();
  AppendWriter(const AppendWriter&) = delete;
  AppendWriter& operator=(const AppendWriter&) = delete;

  // Queues `p`; false (and `p` untouched) once Close() has begun.
  // REQUIRES: p->request passed ValidateAppend; p stays alive until completed.
  bool Submit(PendingAppend* p);

  // Stops accepting, commits everything already queued, joins both threads. Idempotent.
  void Close();

 private:
  struct StringHash {
    using is_transparent = void;
    size_t operator()(std::string_view s) const { return std::hash<std::string_view>()(s); }
  };
  // Committed stream heads, with the hash of each stream's last event.
  using HeadCache = std::unordered_map<std::string, HeadValue, StringHash, std::equal_to<>>;

  // The appends staged together and written in one batch. Views point into its requests, which
  // live until the group is completed.
  struct Group {
    std::vector<PendingAppend*> requests;
    // Per request: the index of an earlier request of this group with the same command id, whose
    // receipt it gets; or kNone.
    std::vector<size_t> dup_of;
    std::unordered_map<std::string_view, HeadValue> heads;  // streams as this group leaves them
    std::unordered_map<std::string_view, size_t> commands;  // accepted command id -> request
    rocksdb::WriteBatch batch;
    rocksdb::Status batch_status;  // the first failure to add to `batch`, if any
    size_t events = 0;
    Micros now = 0;              // recorded-at of all its events
    uint64_t last_position = 0;  // the log's tail after this group
    Digest global_hash{};

    void Clear();
  };

  // Writer thread.
  void RunWriter();
  // Moves queued appends into *out; waits while there are none. False once closing and drained.
  bool TakeQueued(std::vector<PendingAppend*>* out);
  void StageLocked(PendingAppend* p);
  size_t StageInto(Group* g, size_t index, PendingAppend* p);
  bool FindCommandLocked(const Group& g, const std::string& command_id, size_t* in_group,
                         AppendOutcome* outcome);
  Status CheckVersionsLocked(const AppendRequest& request);
  Status LookupHeadLocked(std::string_view stream_id, HeadValue* head);
  void WriteEvents(Group* g, StreamAppend* s, HeadValue* head, const std::string& command_id);
  void Put(Group* g, rocksdb::ColumnFamilyHandle* cf, std::string_view key, std::string_view value);
  Status ReopenLocked();

  // Sync thread.
  void RunSyncer();
  // Takes the open group to write; nullptr once the writer is done and nothing is left.
  std::unique_ptr<Group> TakeOpenGroup();
  // After the write of `g`: makes its heads and position the committed state, or on failure
  // drops what was staged on top of it (into *failed_on_top).
  void FinishLocked(Group* g, bool ok, std::unique_ptr<Group>* failed_on_top);
  static void Fail(Group* g, const Status& s);
  void CompleteAll(Group* g);

  const StoreOptions options_;
  const Clock* const clock_;
  Storage* const storage_;
  PositionWatch* const positions_;

  // Submission queue: callers and the writer thread.
  std::mutex queue_mu_;
  std::condition_variable queue_cv_;
  std::deque<PendingAppend*> queue_;  // GUARDED_BY(queue_mu_)
  bool closing_ = false;              // GUARDED_BY(queue_mu_)
  bool writer_idle_ = false;          // GUARDED_BY(queue_mu_)
  std::mutex close_mu_;               // serialises Close()

  // Staging state: the writer thread stages under it, the sync thread swaps groups under it.
  std::mutex state_mu_;
  std::condition_variable syncer_cv_;     // the sync thread waits for an open group
  std::condition_variable room_cv_;       // the writer waits for room in the open group
  std::unique_ptr<Group> open_;           // GUARDED_BY(state_mu_): being staged
  const Group* in_flight_ = nullptr;      // GUARDED_BY(state_mu_): being written
  std::unique_ptr<Group> spare_;          // GUARDED_BY(state_mu_)
  HeadCache heads_;                       // GUARDED_BY(state_mu_): committed heads
  uint64_t tip_position_;                 // GUARDED_BY(state_mu_): as staged so far
  Digest tip_hash_;                       // GUARDED_BY(state_mu_)
  uint64_t committed_position_;           // GUARDED_BY(state_mu_): as on disk
  Digest committed_hash_;                 // GUARDED_BY(state_mu_)
  bool syncer_idle_ = false;              // GUARDED_BY(state_mu_)
  bool writer_done_ = false;              // GUARDED_BY(state_mu_)
  bool must_reopen_ = false;              // GUARDED_BY(state_mu_): a write to the disk failed
  std::vector<HeadValue> checked_heads_;  // GUARDED_BY(state_mu_): scratch

  // Writer-thread scratch.
  Sha256 sha_;
  std::string body_;
  std::string key_;
  std::string value_;

  // Sync-thread scratch.
  std::vector<Waiter*> waiters_;
  std::vector<PendingAppend*> async_;

  std::thread writer_;
  std::thread syncer_;
};

}  // namespace wijkflow
