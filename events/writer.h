// AppendWriter: the one thread that writes the log. Appends queue up; the writer takes everything
// pending as one group, checks each request against the stream heads (as the group so far leaves
// them), assigns positions and hashes, writes the whole group as one synced WriteBatch, and only
// then publishes the new heads and position and completes the callers.
#pragma once

#include <rocksdb/status.h>

#include <condition_variable>
#include <cstdint>
#include <deque>
#include <functional>
#include <mutex>
#include <semaphore>
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
class WriteBatch;
}  // namespace rocksdb

namespace wijkflow {

class PositionWatch;
class Storage;

// One queued append. A blocking Append keeps it on its stack and waits on `ready`; AppendAsync
// allocates it and the writer deletes it after calling `done`.
struct PendingAppend {
  AppendRequest request;
  size_t event_count = 0;
  std::function<void(AppendOutcome)> done;  // set for AppendAsync
  std::binary_semaphore* ready = nullptr;   // set for a blocking Append
  AppendOutcome outcome;
};

class AppendWriter {
 public:
  // Starts the writer thread. `last_position` and `last_global_hash` are the log's tail on disk.
  AppendWriter(const StoreOptions& options, const Storage* storage, PositionWatch* positions,
               uint64_t last_position, const Digest& last_global_hash);
  // Close()s.
  ~AppendWriter();
  AppendWriter(const AppendWriter&) = delete;
  AppendWriter& operator=(const AppendWriter&) = delete;

  // Queues `p` for the writer; false (and `p` untouched) once Close() has begun.
  // REQUIRES: p->request passed ValidateAppend; p stays alive until completed.
  bool Submit(PendingAppend* p);

  // Stops accepting, commits everything already queued, joins the writer thread. Idempotent.
  void Close();

 private:
  // A stream head as the writer sees it, with the hash of the stream's last event.
  struct StringHash {
    using is_transparent = void;
    size_t operator()(std::string_view s) const { return std::hash<std::string_view>()(s); }
  };
  using HeadMap = std::unordered_map<std::string, HeadValue, StringHash, std::equal_to<>>;

  // What the group being built changes, not yet on disk. A rejected request leaves no trace here.
  struct Group {
    uint64_t last_position = 0;
    Digest global_hash{};
    std::unordered_map<std::string_view, HeadValue> heads;  // keys point into the requests
    std::unordered_map<std::string_view, size_t> commands;  // command id -> accepting request
  };

  void Run();
  void TakeGroup(std::vector<PendingAppend*>* group);
  void CommitGroup(const std::vector<PendingAppend*>& group);
  // Decides one request of the group: rejects it (outcome set, nothing changed) or adds its writes
  // to the batch and the group. Returns the index of an earlier request of the group with the same
  // command id, or SIZE_MAX.
  size_t Stage(size_t index, PendingAppend* p, Micros now);
  Status CheckCommand(const AppendRequest& request, AppendOutcome* outcome);
  Status CheckVersions(const AppendRequest& request, std::vector<HeadValue>* heads);
  // The head of `stream_id` as of the group so far: group overlay, cache, then disk.
  Status LookupHead(std::string_view stream_id, HeadValue* head);
  void WriteEvents(StreamAppend* s, HeadValue* head, Micros now, const std::string& command_id);
  void Put(rocksdb::ColumnFamilyHandle* cf, std::string_view key, std::string_view value);
  void NoteBatchStatus(const rocksdb::Status& s);
  void Publish();
  static void Complete(PendingAppend* p);

  const StoreOptions options_;
  const Clock* const clock_;
  const Storage* const storage_;
  PositionWatch* const positions_;

  std::mutex mu_;
  std::condition_variable cv_;
  std::deque<PendingAppend*> queue_;  // GUARDED_BY(mu_)
  bool closing_ = false;              // GUARDED_BY(mu_)
  bool idle_ = false;                 // GUARDED_BY(mu_): the writer waits for work
  std::mutex close_mu_;               // serialises Close()

  // Writer-thread state; no locks, only the writer touches it.
  uint64_t last_position_;
  Digest last_global_hash_;
  HeadMap heads_;  // committed heads, at most options_.head_cache_entries
  Group group_;
  std::unique_ptr<rocksdb::WriteBatch> batch_;
  rocksdb::Status batch_status_;  // first failure to add to batch_, if any
  std::vector<size_t> dup_of_;    // per request of the group: see Stage()
  Sha256 sha_;
  std::string body_;     // scratch: one record
  std::string scratch_;  // scratch: keys and small values
  std::vector<HeadValue> checked_heads_;

  std::thread thread_;
};

}  // namespace wijkflow
