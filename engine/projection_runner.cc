// Layout: a model key K of projection P is stored in Space::kProjections as "P/" K; P's
// checkpoint (the last position it applied) in Space::kMeta as "checkpoint/" P, as BE64.
#include "engine/projection_runner.h"

#include <algorithm>
#include <atomic>
#include <condition_variable>
#include <map>
#include <mutex>
#include <optional>
#include <thread>
#include <vector>

#include "engine/engine.h"
#include "events/keys.h"

namespace wijkflow::engine {
namespace {

constexpr size_t kChunk = 1024;

std::string CheckpointKey(std::string_view name) { return "checkpoint/" + std::string(name); }

// Buffers one projection's writes for a chunk; reads see them first.
class BufferedModel final : public ModelWriter {
 public:
  BufferedModel(const EventStore* store, std::string prefix)
      : store_(store), prefix_(std::move(prefix)) {}

  bool Get(const std::string& key, std::string* value) override {
    auto it = pending_.find(key);
    if (it != pending_.end()) {
      if (!it->second) return false;
      *value = *it->second;
      return true;
    }
    return store_->Get(Space::kProjections, prefix_ + key, value).ok();
  }
  void Put(const std::string& key, std::string value) override { pending_[key] = std::move(value); }
  void Delete(const std::string& key) override { pending_[key] = std::nullopt; }

  void Drain(std::vector<SideWrite>* writes) {
    for (auto& [k, v] : pending_)
      writes->push_back({Space::kProjections, prefix_ + k, std::move(v)});
    pending_.clear();
  }

 private:
  const EventStore* store_;
  std::string prefix_;
  std::map<std::string, std::optional<std::string>> pending_;
};

}  // namespace

class ProjectionRunner::Impl {
 public:
  Impl(EventStore* store, const WorkflowRegistry* registry) : store_(store) {
    for (const auto& p : registry->projections()) {
      std::string cp;
      uint64_t at = 0;
      if (store_->Get(Space::kMeta, CheckpointKey(p->Name()), &cp).ok() && cp.size() == 8) {
        at = keys::DecodeBE64(cp.data());
      }
      entries_.push_back({p.get(), std::string(p->Name()) + "/", at});
    }
    PublishLowest();
  }
  ~Impl() { Stop(); }

  Status CatchUp() {
    for (;;) {
      bool more = false;
      Status s = Step(&more);
      if (!s.ok() || !more) return s;
    }
  }

  void Start() {
    if (thread_.joinable()) return;
    stop_ = false;
    thread_ = std::thread([this] {
      while (!stop_) {
        bool more = false;
        if (!Step(&more).ok()) more = false;
        if (!more) store_->WaitForPosition(lowest_ + 1, std::chrono::milliseconds(100));
      }
    });
  }

  void Stop() {
    stop_ = true;
    if (thread_.joinable()) thread_.join();
  }

  bool WaitFor(uint64_t position, std::chrono::milliseconds timeout) const {
    std::unique_lock<std::mutex> lock(mu_);
    return cv_.wait_for(lock, timeout, [&] { return lowest_ >= position; });
  }

  Status Rebuild(std::string_view name) {
    Entry* e = Find(name);
    if (e == nullptr) return Status::NotFound("no projection '" + std::string(name) + "'");
    std::lock_guard<std::mutex> step_lock(step_mu_);
    std::vector<SideWrite> writes;
    Status s = store_->Scan(Space::kProjections, e->prefix, PrefixEnd(e->prefix),
                            [&](const std::string& key, const std::string&) {
                              writes.push_back({Space::kProjections, key, std::nullopt});
                              return true;
                            });
    if (!s.ok()) return s;
    writes.push_back({Space::kMeta, CheckpointKey(name), std::nullopt});
    s = store_->Write(writes, true);
    if (!s.ok()) return s;
    {
      std::lock_guard<std::mutex> lock(mu_);
      e->checkpoint = 0;
    }
    PublishLowest();
    return Status::OK();
  }

  uint64_t Checkpoint(std::string_view name) const {
    std::lock_guard<std::mutex> lock(mu_);
    const Entry* e = const_cast<Impl*>(this)->Find(name);
    return e ? e->checkpoint : 0;
  }

  Status Scan(std::string_view name, const std::string& begin, const std::string& end,
              const std::function<bool(const std::string&, const std::string&)>& fn) const {
    const std::string prefix = std::string(name) + "/";
    const size_t n = prefix.size();
    return store_->Scan(
        Space::kProjections, prefix + begin, end.empty() ? PrefixEnd(prefix) : prefix + end,
        [&](const std::string& k, const std::string& v) { return fn(k.substr(n), v); });
  }

  const EventStore* store() const { return store_; }

 private:
  struct Entry {
    Projection* projection;
    std::string prefix;
    uint64_t checkpoint;  // guarded by mu_ for readers; written under step_mu_
  };

  static std::string PrefixEnd(std::string prefix) {
    prefix.back() = static_cast<char>(prefix.back() + 1);  // prefixes end in '/'
    return prefix;
  }

  Entry* Find(std::string_view name) {
    for (auto& e : entries_) {
      if (e.projection->Name() == name) return &e;
    }
    return nullptr;
  }

  // Applies one chunk of the log to every projection behind it, and commits models and
  // checkpoints in one batch. Sets *more if the log may have more to give.
  Status Step(bool* more) {
    std::lock_guard<std::mutex> step_lock(step_mu_);
    if (entries_.empty()) return Status::OK();
    uint64_t from = lowest_ + 1;
    std::vector<EventEnvelope> events;
    Status s = store_->ReadAll(from, kChunk, &events);
    if (!s.ok() || events.empty()) return s;
    *more = events.size() == kChunk;
    std::vector<BufferedModel> models;
    for (const auto& e : entries_) models.emplace_back(store_, e.prefix);
    for (const EventEnvelope& env : events) {
      std::unique_ptr<Message> payload = DecodePayload(env);
      if (!payload) continue;  // a type this program does not know: no projection reads it
      for (size_t i = 0; i < entries_.size(); ++i) {
        if (entries_[i].checkpoint < env.position()) {
          entries_[i].projection->Apply(env, *payload, models[i]);
        }
      }
    }
    const uint64_t last = events.back().position();
    std::vector<SideWrite> writes;
    std::string cp;
    keys::PutBE64(&cp, last);
    for (size_t i = 0; i < entries_.size(); ++i) {
      models[i].Drain(&writes);
      if (entries_[i].checkpoint < last) {
        writes.push_back({Space::kMeta, CheckpointKey(entries_[i].projection->Name()), cp});
      }
    }
    s = store_->Write(writes, false);
    if (!s.ok()) return s;
    {
      std::lock_guard<std::mutex> lock(mu_);
      for (auto& e : entries_) e.checkpoint = std::max(e.checkpoint, last);
    }
    PublishLowest();
    return Status::OK();
  }

  void PublishLowest() {
    std::lock_guard<std::mutex> lock(mu_);
    uint64_t low = UINT64_MAX;
    for (const auto& e : entries_) low = std::min(low, e.checkpoint);
    lowest_ = entries_.empty() ? store_->LastPosition() : low;
    cv_.notify_all();
  }

  EventStore* store_;
  std::vector<Entry> entries_;
  std::mutex step_mu_;  // one Step (or Rebuild) at a time
  mutable std::mutex mu_;
  mutable std::condition_variable cv_;
  std::atomic<uint64_t> lowest_{0};
  std::atomic<bool> stop_{false};
  std::thread thread_;
};

ProjectionRunner::ProjectionRunner(EventStore* store, const WorkflowRegistry* registry)
    : impl_(std::make_unique<Impl>(store, registry)) {}
ProjectionRunner::~ProjectionRunner() = default;
Status ProjectionRunner::CatchUp() { return impl_->CatchUp(); }
void ProjectionRunner::Start() { impl_->Start(); }
void ProjectionRunner::Stop() { impl_->Stop(); }
bool ProjectionRunner::WaitFor(uint64_t position, std::chrono::milliseconds timeout) const {
  return impl_->WaitFor(position, timeout);
}
Status ProjectionRunner::Rebuild(std::string_view name) {
  Status s = impl_->Rebuild(name);
  return s.ok() ? impl_->CatchUp() : s;
}
uint64_t ProjectionRunner::Checkpoint(std::string_view name) const {
  return impl_->Checkpoint(name);
}
Status ProjectionRunner::Get(std::string_view name, const std::string& key,
                             std::string* value) const {
  return impl_->store()->Get(Space::kProjections, std::string(name) + "/" + key, value);
}
Status ProjectionRunner::Scan(
    std::string_view name, const std::string& begin, const std::string& end,
    const std::function<bool(const std::string& key, const std::string& value)>& fn) const {
  return impl_->Scan(name, begin, end, fn);
}

}  // namespace wijkflow::engine
