#include "events/writer.h"

#include <rocksdb/db.h>
#include <rocksdb/write_batch.h>

#include "events/keys.h"
#include "events/position_watch.h"
#include "events/storage.h"

namespace wijkflow {

namespace {
constexpr size_t kNone = SIZE_MAX;
}  // namespace

AppendWriter::AppendWriter(const StoreOptions& options, const Storage* storage,
                           PositionWatch* positions, uint64_t last_position,
                           const Digest& last_global_hash)
    : options_(options),
      clock_(options.clock != nullptr ? options.clock : SystemClock::Default()),
      storage_(storage),
      positions_(positions),
      last_position_(last_position),
      last_global_hash_(last_global_hash),
      batch_(std::make_unique<rocksdb::WriteBatch>()) {
  heads_.reserve(std::min<size_t>(options_.head_cache_entries, 1 << 16));
  thread_ = std::thread([this] { Run(); });
}

AppendWriter::~AppendWriter() { Close(); }

bool AppendWriter::Submit(PendingAppend* p) {
  bool wake;
  {
    std::lock_guard<std::mutex> lock(mu_);
    if (closing_) return false;
    queue_.push_back(p);
    wake = idle_;
  }
  // A busy writer looks at the queue again before it sleeps: only an idle one needs a signal.
  if (wake) cv_.notify_one();
  return true;
}

void AppendWriter::Close() {
  std::lock_guard<std::mutex> close_lock(close_mu_);
  {
    std::lock_guard<std::mutex> lock(mu_);
    closing_ = true;
  }
  cv_.notify_one();
  if (thread_.joinable()) thread_.join();
}

void AppendWriter::Run() {
  std::vector<PendingAppend*> group;
  for (;;) {
    TakeGroup(&group);
    if (group.empty()) return;  // closing, and the queue is drained
    CommitGroup(group);
  }
}

void AppendWriter::TakeGroup(std::vector<PendingAppend*>* group) {
  group->clear();
  std::unique_lock<std::mutex> lock(mu_);
  idle_ = true;
  cv_.wait(lock, [this] { return !queue_.empty() || closing_; });
  idle_ = false;
  size_t events = 0;
  while (!queue_.empty()) {
    PendingAppend* p = queue_.front();
    if (!group->empty() && events + p->event_count > options_.max_group_events) break;
    events += p->event_count;
    group->push_back(p);
    queue_.pop_front();
  }
}

void AppendWriter::CommitGroup(const std::vector<PendingAppend*>& group) {
  const Micros now = clock_->Now();
  batch_->Clear();
  batch_status_ = rocksdb::Status::OK();
  group_.last_position = last_position_;
  group_.global_hash = last_global_hash_;
  group_.heads.clear();
  group_.commands.clear();
  dup_of_.assign(group.size(), kNone);
  for (size_t i = 0; i < group.size(); ++i) dup_of_[i] = Stage(i, group[i], now);

  if (batch_->Count() > 0) {
    rocksdb::WriteOptions write_options;
    write_options.sync = options_.sync;
    rocksdb::Status s = batch_status_;
    if (s.ok()) s = storage_->db()->Write(write_options, batch_.get());
    if (!s.ok()) {
      // Nothing of the group is on disk and the in-memory state is as before: fail them all, as
      // a rejection decided against the group's overlay may not hold without it.
      const Status failed = FromRocks(s, "write group");
      for (PendingAppend* p : group) p->outcome = AppendOutcome{failed, AppendReceipt()};
      for (PendingAppend* p : group) Complete(p);
      return;
    }
    Publish();
  }
  for (size_t i = 0; i < group.size(); ++i) {
    if (dup_of_[i] == kNone) continue;
    const PendingAppend* first = group[dup_of_[i]];
    group[i]->outcome.status = Status::DuplicateCommand("command '" + group[i]->request.command_id +
                                                        "' was already appended");
    group[i]->outcome.receipt = first->outcome.receipt;
  }
  for (PendingAppend* p : group) Complete(p);
}

size_t AppendWriter::Stage(size_t index, PendingAppend* p, Micros now) {
  AppendRequest& r = p->request;
  AppendOutcome& outcome = p->outcome;
  if (!r.command_id.empty()) {
    if (auto it = group_.commands.find(r.command_id); it != group_.commands.end()) {
      return it->second;
    }
    if (!CheckCommand(r, &outcome).ok()) return kNone;
  }
  outcome.status = CheckVersions(r, &checked_heads_);
  if (!outcome.status.ok()) return kNone;

  // Accepted: nothing below can reject it, so the group's overlay may change from here on.
  AppendReceipt& receipt = outcome.receipt;
  receipt.Clear();
  receipt.set_first_position(group_.last_position + 1);
  SetTimestamp(now, receipt.mutable_recorded_at());
  for (size_t k = 0; k < r.streams.size(); ++k) {
    StreamAppend& s = r.streams[k];
    if (s.events.empty()) continue;  // an expected-version check only
    HeadValue& head = checked_heads_[k];
    AppendReceipt::StreamRange* range = receipt.add_streams();
    range->set_stream_id(s.stream_id);
    range->set_first_version(head.version + 1);
    WriteEvents(&s, &head, now, r.command_id);
    range->set_last_version(head.version);
    group_.heads[s.stream_id] = head;
    EncodeHead(head, &scratch_);
    Put(storage_->heads(), s.stream_id, scratch_);
  }
  receipt.set_last_position(group_.last_position);
  if (!r.command_id.empty()) {
    receipt.SerializeToString(&scratch_);
    Put(storage_->commands(), r.command_id, scratch_);
    group_.commands.emplace(r.command_id, index);
  }
  for (const SideWrite& w : r.side_writes) {
    if (w.value.has_value()) {
      Put(storage_->space(w.space), w.key, *w.value);
    } else {
      NoteBatchStatus(batch_->Delete(storage_->space(w.space), w.key));
    }
  }
  return kNone;
}

Status AppendWriter::CheckCommand(const AppendRequest& request, AppendOutcome* outcome) {
  Status s = storage_->GetReceipt(request.command_id, &outcome->receipt);
  if (s.IsNotFound()) return Status::OK();
  if (s.ok()) {
    s = Status::DuplicateCommand("command '" + request.command_id + "' was already appended");
  }
  outcome->status = s;
  return s;
}

Status AppendWriter::CheckVersions(const AppendRequest& request, std::vector<HeadValue>* heads) {
  heads->resize(request.streams.size());
  for (size_t k = 0; k < request.streams.size(); ++k) {
    const StreamAppend& s = request.streams[k];
    HeadValue& head = (*heads)[k];
    Status st = LookupHead(s.stream_id, &head);
    if (!st.ok()) return st;
    if (!s.expected.Matches(head.version)) {
      return Status::WrongExpectedVersion(s.stream_id, head.version,
                                          "expected " + s.expected.ToString());
    }
  }
  return Status::OK();
}

Status AppendWriter::LookupHead(std::string_view stream_id, HeadValue* head) {
  if (auto it = group_.heads.find(stream_id); it != group_.heads.end()) {
    *head = it->second;
    return Status::OK();
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
  // What is on disk is committed: it may enter the cache before this group commits.
  heads_.emplace(std::string(stream_id), *head);
  return Status::OK();
}

void AppendWriter::WriteEvents(StreamAppend* s, HeadValue* head, Micros now,
                               const std::string& command_id) {
  for (EventEnvelope& e : s->events) {
    const uint64_t position = ++group_.last_position;
    const uint64_t version = ++head->version;
    e.set_position(position);
    e.set_stream_id(s->stream_id);
    e.set_stream_version(version);
    SetTimestamp(now, e.mutable_recorded_at());
    e.set_command_id(command_id);
    e.clear_prev_hash();
    e.clear_hash();
    e.clear_prev_global_hash();
    e.clear_global_hash();
    e.SerializeToString(&body_);

    const Digest stream_hash = sha_.Chain(head->hash, body_);
    group_.global_hash = sha_.Chain(group_.global_hash, body_);
    body_.append(AsBytes(stream_hash));
    body_.append(AsBytes(group_.global_hash));
    scratch_.clear();
    keys::PutBE64(&scratch_, position);
    Put(storage_->log(), scratch_, body_);

    scratch_.clear();
    keys::AppendStreamPrefix(&scratch_, s->stream_id);
    keys::PutBE64(&scratch_, version);
    body_.clear();
    keys::PutBE64(&body_, position);
    Put(storage_->streams(), scratch_, body_);

    head->position = position;
    head->hash = stream_hash;
  }
}

void AppendWriter::Put(rocksdb::ColumnFamilyHandle* cf, std::string_view key,
                       std::string_view value) {
  NoteBatchStatus(batch_->Put(cf, rocksdb::Slice(key.data(), key.size()),
                              rocksdb::Slice(value.data(), value.size())));
}

// Adding to a WriteBatch fails only for keys or values over 4 GiB, which the limits rule out; if it
// ever happens the group fails as a whole, like a failed write.
void AppendWriter::NoteBatchStatus(const rocksdb::Status& s) {
  if (batch_status_.ok() && !s.ok()) batch_status_ = s;
}

void AppendWriter::Publish() {
  for (const auto& [stream_id, head] : group_.heads) {
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
  last_position_ = group_.last_position;
  last_global_hash_ = group_.global_hash;
  positions_->Publish(last_position_);
}

void AppendWriter::Complete(PendingAppend* p) {
  if (p->done) {
    auto done = std::move(p->done);
    AppendOutcome outcome = std::move(p->outcome);
    delete p;
    done(std::move(outcome));
  } else {
    p->ready->release();  // the caller owns p; do not touch it after this
  }
}

}  // namespace wijkflow
