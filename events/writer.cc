#include "events/writer.h"

#include <pthread.h>
#if defined(__linux__)
#include <linux/futex.h>
#include <sys/syscall.h>
#include <unistd.h>
#endif
#include <rocksdb/db.h>

#include <chrono>

#include "events/keys.h"
#include "events/position_watch.h"
#include "events/storage.h"

namespace wijkflow {

namespace {
constexpr size_t kNone = SIZE_MAX;

Status Duplicate(const std::string& command_id) {
  return Status::DuplicateCommand("command '" + command_id + "' was already appended");
}
}  // namespace

#if defined(__linux__)
namespace {
void FutexWait(std::atomic<uint32_t>* word, uint32_t expected) {
  syscall(SYS_futex, reinterpret_cast<uint32_t*>(word), FUTEX_WAIT_PRIVATE, expected, nullptr,
          nullptr, 0);
}
void FutexWakeOne(std::atomic<uint32_t>* word) {
  syscall(SYS_futex, reinterpret_cast<uint32_t*>(word), FUTEX_WAKE_PRIVATE, 1, nullptr, nullptr, 0);
}
}  // namespace

void Waiter::Wait() {
  while (state_.load(std::memory_order_acquire) == 0) FutexWait(&state_, 0);
  for (Waiter* child : children_) {
    if (child != nullptr) child->Signal();
  }
}

// The waiter may return, and its Waiter go, as soon as it sees the store; the wake-up that follows
// then names a dead address, which the kernel only hashes: harmless.
void Waiter::Signal() {
  state_.store(1, std::memory_order_release);
  FutexWakeOne(&state_);
}
#else
void Waiter::Wait() {
  state_.wait(0, std::memory_order_acquire);
  for (Waiter* child : children_) {
    if (child != nullptr) child->Signal();
  }
}

void Waiter::Signal() {
  state_.store(1, std::memory_order_release);
  state_.notify_one();
}
#endif

void AppendWriter::Group::Clear() {
  requests.clear();
  dup_of.clear();
  heads.clear();
  commands.clear();
  batch.Clear();
  batch_status = rocksdb::Status::OK();
  events = 0;
  now = 0;
}

AppendWriter::AppendWriter(const StoreOptions& options, Storage* storage, PositionWatch* positions,
                           uint64_t last_position, const Digest& last_global_hash)
    : options_(options),
      clock_(options.clock != nullptr ? options.clock : SystemClock::Default()),
      storage_(storage),
      positions_(positions),
      open_(std::make_unique<Group>()),
      spare_(std::make_unique<Group>()),
      tip_position_(last_position),
      tip_hash_(last_global_hash),
      committed_position_(last_position),
      committed_hash_(last_global_hash) {
  heads_.reserve(std::min<size_t>(options_.head_cache_entries, 1 << 16));
  writer_ = std::thread([this] {
    pthread_setname_np(pthread_self(), "wijkflow-writer");
    RunWriter();
  });
  syncer_ = std::thread([this] {
    pthread_setname_np(pthread_self(), "wijkflow-sync");
    RunSyncer();
  });
}

AppendWriter::~AppendWriter() { Close(); }

bool AppendWriter::Submit(PendingAppend* p) {
  bool wake;
  {
    std::lock_guard<std::mutex> lock(queue_mu_);
    if (closing_) return false;
    queue_.push_back(p);
    wake = writer_idle_;
  }
  // A busy writer looks at the queue again before it sleeps: only an idle one needs a signal.
  if (wake) queue_cv_.notify_one();
  return true;
}

void AppendWriter::Close() {
  std::lock_guard<std::mutex> close_lock(close_mu_);
  {
    std::lock_guard<std::mutex> lock(queue_mu_);
    closing_ = true;
  }
  queue_cv_.notify_one();
  if (writer_.joinable()) writer_.join();  // stages everything queued, then tells the syncer
  if (syncer_.joinable()) syncer_.join();  // writes everything staged
}

// ---- Writer thread ------------------------------------------------------------------------------

void AppendWriter::RunWriter() {
  std::vector<PendingAppend*> taken;
  while (TakeQueued(&taken)) {
    for (PendingAppend* p : taken) {
      std::unique_lock<std::mutex> lock(state_mu_);
      room_cv_.wait(lock, [&] {
        return open_->requests.empty() ||
               open_->events + p->event_count <= options_.max_group_events;
      });
      StageLocked(p);
      const bool wake = syncer_idle_;
      lock.unlock();
      if (wake) syncer_cv_.notify_one();
    }
  }
  {
    std::lock_guard<std::mutex> lock(state_mu_);
    writer_done_ = true;
  }
  syncer_cv_.notify_one();
}

bool AppendWriter::TakeQueued(std::vector<PendingAppend*>* out) {
  out->clear();
  std::unique_lock<std::mutex> lock(queue_mu_);
  writer_idle_ = true;
  queue_cv_.wait(lock, [this] { return !queue_.empty() || closing_; });
  writer_idle_ = false;
  if (queue_.empty()) return false;  // closing, and drained
  out->assign(queue_.begin(), queue_.end());
  queue_.clear();
  return true;
}

void AppendWriter::StageLocked(PendingAppend* p) {
  Group* g = open_.get();
  if (g->requests.empty()) g->now = clock_->Now();  // one recorded-at per group
  const size_t index = g->requests.size();
  g->requests.push_back(p);
  g->events += p->event_count;
  g->dup_of.push_back(StageInto(g, index, p));
}

// Decides one request: rejects it (outcome set, nothing staged) or stages its writes. Returns
// the index of an earlier request of the group with the same command id, or kNone.
size_t AppendWriter::StageInto(Group* g, size_t index, PendingAppend* p) {
  AppendRequest& r = p->request;
  AppendOutcome& outcome = p->outcome;
  if (must_reopen_) {
    outcome.status = ReopenLocked();
    if (!outcome.status.ok()) return kNone;
  }
  size_t in_group = kNone;
  if (!r.command_id.empty() && FindCommandLocked(*g, r.command_id, &in_group, &outcome)) {
    return in_group;
  }
  outcome.status = CheckVersionsLocked(r);
  if (!outcome.status.ok()) return kNone;

  // Accepted: nothing below rejects it, so the staging state may change from here on.
  AppendReceipt& receipt = outcome.receipt;
  receipt.Clear();
  receipt.set_first_position(tip_position_ + 1);
  SetTimestamp(g->now, receipt.mutable_recorded_at());
  for (size_t k = 0; k < r.streams.size(); ++k) {
    StreamAppend& s = r.streams[k];
    if (s.events.empty()) continue;  // an expected-version check only
    HeadValue& head = checked_heads_[k];
    AppendReceipt::StreamRange* range = receipt.add_streams();
    range->set_stream_id(s.stream_id);
    range->set_first_version(head.version + 1);
    WriteEvents(g, &s, &head, r.command_id);
    range->set_last_version(head.version);
    g->heads[s.stream_id] = head;
    EncodeHead(head, &value_);
    Put(g, storage_->heads(), s.stream_id, value_);
  }
  receipt.set_last_position(tip_position_);
  if (!r.command_id.empty()) {
    receipt.SerializeToString(&value_);
    Put(g, storage_->commands(), r.command_id, value_);
    g->commands.emplace(r.command_id, index);
  }
  for (const SideWrite& w : r.side_writes) {
    rocksdb::Status s = storage_->AddSideWrite(w, &g->batch);
    if (g->batch_status.ok()) g->batch_status = s;
  }
  return kNone;
}

// Whether `command_id` was used before: by an earlier request of `g` (*in_group set), by the group
// being written, or on disk (outcome set to DuplicateCommand with the first receipt, or to the
// error that kept us from knowing).
bool AppendWriter::FindCommandLocked(const Group& g, const std::string& command_id,
                                     size_t* in_group, AppendOutcome* outcome) {
  if (auto it = g.commands.find(command_id); it != g.commands.end()) {
    *in_group = it->second;
    return true;
  }
  if (in_flight_ != nullptr) {
    if (auto it = in_flight_->commands.find(command_id); it != in_flight_->commands.end()) {
      // If that group's write fails, so does this one: it is staged on top of it.
      outcome->receipt = in_flight_->requests[it->second]->outcome.receipt;
      outcome->status = Duplicate(command_id);
      return true;
    }
  }
  Status s = storage_->GetReceipt(command_id, &outcome->receipt);
  if (s.IsNotFound()) return false;
  outcome->status = s.ok() ? Duplicate(command_id) : s;
  return true;
}

// Checks every stream's expected version; on OK, checked_heads_[k] is stream k's head.
Status AppendWriter::CheckVersionsLocked(const AppendRequest& request) {
  checked_heads_.resize(request.streams.size());
  for (size_t k = 0; k < request.streams.size(); ++k) {
    const StreamAppend& s = request.streams[k];
    HeadValue& head = checked_heads_[k];
    Status st = LookupHeadLocked(s.stream_id, &head);
    if (!st.ok()) return st;
    if (!s.expected.Matches(head.version)) {
      return Status::WrongExpectedVersion(s.stream_id, head.version,
                                          "expected " + s.expected.ToString());
    }
  }
  return Status::OK();
}

// The head of `stream_id` as staged so far: the open group, the group being written, the cache of
// committed heads, and last the disk.
Status AppendWriter::LookupHeadLocked(std::string_view stream_id, HeadValue* head) {
  if (auto it = open_->heads.find(stream_id); it != open_->heads.end()) {
    *head = it->second;
    return Status::OK();
  }
  if (in_flight_ != nullptr) {
    if (auto it = in_flight_->heads.find(stream_id); it != in_flight_->heads.end()) {
      *head = it->second;
      return Status::OK();
    }
  }
  if (auto it = heads_.find(stream_id); it != heads_.end()) {
    *head = it->second;
    return Status::OK();
  }
  Status s = storage_->GetHead(stream_id, head);
  if (s.IsNotFound()) {
    *head = HeadValue{};
  } else if (!s.ok()) {
    return s;
  }
  // No group in flight touches this stream, so the disk holds its committed head.
  heads_.emplace(std::string(stream_id), *head);
  return Status::OK();
}

void AppendWriter::WriteEvents(Group* g, StreamAppend* s, HeadValue* head,
                               const std::string& command_id) {
  for (EventEnvelope& e : s->events) {
    const uint64_t position = ++tip_position_;
    const uint64_t version = ++head->version;
    e.set_position(position);
    e.set_stream_id(s->stream_id);
    e.set_stream_version(version);
    SetTimestamp(g->now, e.mutable_recorded_at());
    e.set_command_id(command_id);
    e.clear_prev_hash();
    e.clear_hash();
    e.clear_prev_global_hash();
    e.clear_global_hash();
    e.SerializeToString(&body_);

    const Digest stream_hash = sha_.Chain(head->hash, body_);
    tip_hash_ = sha_.Chain(tip_hash_, body_);
    body_.append(AsBytes(stream_hash));
    body_.append(AsBytes(tip_hash_));
    key_.clear();
    keys::PutBE64(&key_, position);
    Put(g, storage_->log(), key_, body_);

    key_.clear();
    keys::AppendStreamPrefix(&key_, s->stream_id);
    keys::PutBE64(&key_, version);
    value_.clear();
    keys::PutBE64(&value_, position);
    Put(g, storage_->streams(), key_, value_);

    head->position = position;
    head->hash = stream_hash;
  }
}

// Adding to a WriteBatch fails only for keys or values over 4 GiB, which the limits rule out; if
// it ever happens the group fails as a whole, like a failed write.
void AppendWriter::Put(Group* g, rocksdb::ColumnFamilyHandle* cf, std::string_view key,
                       std::string_view value) {
  rocksdb::Status s = g->batch.Put(cf, rocksdb::Slice(key.data(), key.size()),
                                   rocksdb::Slice(value.data(), value.size()));
  if (g->batch_status.ok()) g->batch_status = s;
}

// After a failed write: a fresh database instance, and the staging state as that instance has it.
// A failed sync may have left the failed group whole in the write-ahead log, which the reopen
// replays: then its records, heads and receipt are on disk after all, so the tail is read back
// and the cached heads are dropped. No group with writes is in flight: none is staged while
// must_reopen_ is set, and those staged before the failure failed with it.
Status AppendWriter::ReopenLocked() {
  Status s = storage_->Reopen();
  uint64_t position = 0;
  Digest hash{};
  if (s.ok()) s = storage_->GetTail(&position, &hash);
  if (!s.ok()) return s;
  must_reopen_ = false;
  heads_.clear();
  tip_position_ = committed_position_ = position;
  tip_hash_ = committed_hash_ = hash;
  if (position > positions_->last()) positions_->Publish(position);
  return Status::OK();
}

// ---- Sync thread --------------------------------------------------------------------------------

void AppendWriter::RunSyncer() {
  rocksdb::WriteOptions write_options;
  write_options.sync = options_.sync;
  while (std::unique_ptr<Group> g = TakeOpenGroup()) {
    rocksdb::Status s = g->batch_status;
    const bool writes = g->batch.Count() > 0;
    if (s.ok() && writes) {
      const auto start = std::chrono::steady_clock::now();
      s = storage_->Write(write_options, &g->batch);
      if (s.ok() && options_.on_group_commit) {
        options_.on_group_commit(std::chrono::steady_clock::now() - start, g->events);
      }
    }
    std::unique_ptr<Group> failed_on_top;
    {
      std::lock_guard<std::mutex> lock(state_mu_);
      FinishLocked(g.get(), s.ok(), &failed_on_top);
      // RocksDB takes no write after a failed one: the writer reopens before staging again.
      if (!s.ok() && g->batch_status.ok()) must_reopen_ = true;
    }
    if (s.ok()) {
      if (writes) positions_->Publish(g->last_position);
      for (size_t i = 0; i < g->requests.size(); ++i) {
        if (g->dup_of[i] == kNone) continue;
        PendingAppend* p = g->requests[i];
        p->outcome.status = Duplicate(p->request.command_id);
        p->outcome.receipt = g->requests[g->dup_of[i]]->outcome.receipt;
      }
    } else {
      // Rejections in these groups were decided against state that never reached the disk.
      const Status failed = FromRocks(s, "write group");
      Fail(g.get(), failed);
      if (failed_on_top) Fail(failed_on_top.get(), failed);
      room_cv_.notify_one();
    }
    CompleteAll(g.get());
    if (failed_on_top) CompleteAll(failed_on_top.get());
    g->Clear();
    std::lock_guard<std::mutex> lock(state_mu_);
    spare_ = std::move(g);
  }
}

std::unique_ptr<AppendWriter::Group> AppendWriter::TakeOpenGroup() {
  std::unique_lock<std::mutex> lock(state_mu_);
  syncer_idle_ = true;
  syncer_cv_.wait(lock, [this] { return !open_->requests.empty() || writer_done_; });
  syncer_idle_ = false;
  if (open_->requests.empty()) return nullptr;  // the writer is done and everything is written
  std::unique_ptr<Group> g = std::move(open_);
  open_ = std::move(spare_);
  g->last_position = tip_position_;
  g->global_hash = tip_hash_;
  in_flight_ = g.get();
  lock.unlock();
  room_cv_.notify_one();
  return g;
}

void AppendWriter::FinishLocked(Group* g, bool ok, std::unique_ptr<Group>* failed_on_top) {
  in_flight_ = nullptr;
  if (!ok) {
    // The open group was staged on top of g: it fails too, and staging restarts from the disk.
    *failed_on_top = std::move(open_);
    open_ = std::make_unique<Group>();
    tip_position_ = committed_position_;
    tip_hash_ = committed_hash_;
    return;
  }
  for (const auto& [stream_id, head] : g->heads) {
    if (auto it = heads_.find(stream_id); it != heads_.end()) {
      it->second = head;
    } else {
      heads_.emplace(std::string(stream_id), head);
    }
  }
  // Over the bound: drop some entries (they are on disk) and leave room for a few groups.
  const size_t cap = std::max<size_t>(options_.head_cache_entries, 1);
  if (heads_.size() > cap) {
    const size_t keep = cap - cap / 8;
    for (auto it = heads_.begin(); it != heads_.end() && heads_.size() > keep;) {
      it = heads_.erase(it);
    }
  }
  // A group without writes leaves the tail alone (a reopen may have moved it meanwhile).
  if (g->batch.Count() == 0) return;
  committed_position_ = g->last_position;
  committed_hash_ = g->global_hash;
}

void AppendWriter::Fail(Group* g, const Status& s) {
  for (PendingAppend* p : g->requests) p->outcome = AppendOutcome{s, AppendReceipt()};
}

void AppendWriter::CompleteAll(Group* g) {
  waiters_.clear();
  async_.clear();
  for (PendingAppend* p : g->requests) {
    if (p->ready != nullptr) {
      waiters_.push_back(p->ready);
    } else {
      async_.push_back(p);
    }
  }
  // Link the blocked callers as a binary tree and wake its root. Each caller owns its
  // PendingAppend: none of them is touched after this.
  const size_t n = waiters_.size();
  for (size_t i = 0; i < n; ++i) {
    waiters_[i]->SetChildren(2 * i + 1 < n ? waiters_[2 * i + 1] : nullptr,
                             2 * i + 2 < n ? waiters_[2 * i + 2] : nullptr);
  }
  if (n > 0) waiters_[0]->Signal();
  for (PendingAppend* p : async_) {
    auto done = std::move(p->done);
    AppendOutcome outcome = std::move(p->outcome);
    delete p;
    done(std::move(outcome));
  }
  g->requests.clear();  // gone with their callers
}

}  // namespace wijkflow
