// MeasuredStore: an EventStore that passes every call through to another and times appends
// (queueing, group commit and fsync, as a caller feels them) into a metrics histogram. The synced
// write of each group (the write-ahead log's write and fsync) is timed inside the store, through
// StoreOptions::on_group_commit, which MeasureSyncs sets.
#pragma once

#include <chrono>
#include <memory>

#include "adapters/http/metrics.h"
#include "events/event_store.h"
#include "events/store_maintenance.h"

namespace wijkflow::http {

class MeasuredStore final : public EventStore {
 public:
  static constexpr const char* kAppendSeconds = "wijkflow_store_append_seconds";
  static constexpr const char* kSyncSeconds = "wijkflow_store_sync_seconds";

  // Makes the store to be opened with `options` time its synced group writes into `metrics`.
  static void MeasureSyncs(StoreOptions* options, Metrics* metrics) {
    metrics->DeclareHistogram(kSyncSeconds,
                              "Group commits: the synced write of one group's batch (the "
                              "write-ahead-log write and its fsync).",
                              Metrics::LatencyBuckets());
    options->on_group_commit = [metrics](std::chrono::nanoseconds sync, size_t) {
      metrics->Observe(kSyncSeconds, {}, std::chrono::duration<double>(sync).count());
    };
  }

  MeasuredStore(std::unique_ptr<EventStore> inner, Metrics* metrics)
      : inner_(std::move(inner)), metrics_(metrics) {
    metrics_->DeclareHistogram(kAppendSeconds,
                               "Durable appends: from the call to the synced group commit.",
                               Metrics::LatencyBuckets());
  }

  AppendOutcome Append(AppendRequest request) override {
    const auto start = std::chrono::steady_clock::now();
    AppendOutcome out = inner_->Append(std::move(request));
    Record(start);
    return out;
  }
  void AppendAsync(AppendRequest request, std::function<void(AppendOutcome)> done) override {
    const auto start = std::chrono::steady_clock::now();
    inner_->AppendAsync(std::move(request), [this, start, done = std::move(done)](AppendOutcome o) {
      Record(start);
      done(std::move(o));
    });
  }
  Status ReadStream(const std::string& stream_id, uint64_t from_version, size_t max_count,
                    std::vector<EventEnvelope>* out) const override {
    return inner_->ReadStream(stream_id, from_version, max_count, out);
  }
  Status ReadAll(uint64_t from_position, size_t max_count,
                 std::vector<EventEnvelope>* out) const override {
    return inner_->ReadAll(from_position, max_count, out);
  }
  Status ScanAll(uint64_t from_position,
                 const std::function<bool(EventEnvelope&)>& fn) const override {
    return inner_->ScanAll(from_position, fn);
  }
  Status Head(const std::string& stream_id, StreamHead* head) const override {
    return inner_->Head(stream_id, head);
  }
  Status FindCommand(const std::string& command_id, AppendReceipt* receipt) const override {
    return inner_->FindCommand(command_id, receipt);
  }
  uint64_t LastPosition() const override { return inner_->LastPosition(); }
  bool WaitForPosition(uint64_t position, std::chrono::milliseconds timeout) const override {
    return inner_->WaitForPosition(position, timeout);
  }
  std::unique_ptr<Subscription> Subscribe(
      uint64_t from_position, std::function<bool(const EventEnvelope&)> handler) override {
    return inner_->Subscribe(from_position, std::move(handler));
  }
  Status Get(Space space, const std::string& key, std::string* value) const override {
    return inner_->Get(space, key, value);
  }
  Status Write(const std::vector<SideWrite>& writes, bool sync) override {
    return inner_->Write(writes, sync);
  }
  Status Scan(
      Space space, const std::string& begin, const std::string& end,
      const std::function<bool(const std::string&, const std::string&)>& fn) const override {
    return inner_->Scan(space, begin, end, fn);
  }
  Status Checkpoint(const std::string& dir) const override { return inner_->Checkpoint(dir); }
  VerifyReport Verify() const override { return inner_->Verify(); }
  // Nothing of maintenance is measured.
  StoreMaintenance& Maintenance() override { return inner_->Maintenance(); }

 private:
  void Record(std::chrono::steady_clock::time_point start) {
    metrics_->Observe(
        kAppendSeconds, {},
        std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count());
  }

  std::unique_ptr<EventStore> inner_;
  Metrics* metrics_;
};

}  // namespace wijkflow::http
