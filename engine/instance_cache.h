// InstanceCache: a bounded LRU of loaded instances, keyed by stream id. Entries are immutable
// and shared; a newer version replaces an older one, never the other way round, so a slow
// writer cannot put back a state that a faster one already moved past.
#pragma once

#include <list>
#include <memory>
#include <mutex>
#include <string>
#include <unordered_map>
#include <utility>

#include "engine/decide_context.h"

namespace wijkflow::engine {

class InstanceCache {
 public:
  using Entry = std::shared_ptr<const LoadedInstance>;

  explicit InstanceCache(size_t capacity) : capacity_(capacity) {}

  Entry Get(const std::string& stream) {
    std::lock_guard<std::mutex> lock(mu_);
    auto it = map_.find(stream);
    if (it == map_.end()) return nullptr;
    lru_.splice(lru_.begin(), lru_, it->second.second);
    return it->second.first;
  }

  void Put(const std::string& stream, Entry entry) {
    if (capacity_ == 0) return;
    std::lock_guard<std::mutex> lock(mu_);
    auto it = map_.find(stream);
    if (it != map_.end()) {
      if (it->second.first->version >= entry->version) return;
      it->second.first = std::move(entry);
      lru_.splice(lru_.begin(), lru_, it->second.second);
      return;
    }
    lru_.push_front(stream);
    map_.emplace(stream, std::make_pair(std::move(entry), lru_.begin()));
    if (map_.size() > capacity_) {
      map_.erase(lru_.back());
      lru_.pop_back();
    }
  }

  void Erase(const std::string& stream) {
    std::lock_guard<std::mutex> lock(mu_);
    auto it = map_.find(stream);
    if (it == map_.end()) return;
    lru_.erase(it->second.second);
    map_.erase(it);
  }

 private:
  const size_t capacity_;
  std::mutex mu_;
  std::list<std::string> lru_;  // most recent first
  std::unordered_map<std::string, std::pair<Entry, std::list<std::string>::iterator>> map_;
};

}  // namespace wijkflow::engine
