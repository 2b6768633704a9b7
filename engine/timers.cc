#include "engine/timers.h"

#include <algorithm>

#include "events/keys.h"

namespace wijkflow::engine::timers {
namespace {

std::string DueKey(int64_t due, const std::string& stream, const std::string& name) {
  std::string key = "d";
  keys::PutBE64(&key, static_cast<uint64_t>(due));
  key += stream;
  key.push_back('\0');
  key += name;
  return key;
}

std::string InstanceKey(const std::string& stream, const std::string& name) {
  std::string key = "i" + stream;
  key.push_back('\0');
  key += name;
  return key;
}

}  // namespace

Status Cancel(const EventStore& store, const std::string& stream, const std::string& name,
              std::vector<SideWrite>* writes) {
  std::string ikey = InstanceKey(stream, name);
  std::string due;
  Status s = store.Get(Space::kTimers, ikey, &due);
  if (s.IsNotFound()) return Status::OK();
  if (!s.ok()) return s;
  if (due.size() != 8) return Status::Corruption("timer index entry of " + stream + " " + name);
  int64_t at = static_cast<int64_t>(keys::DecodeBE64(due.data()));
  writes->push_back({Space::kTimers, DueKey(at, stream, name), std::nullopt});
  writes->push_back({Space::kTimers, ikey, std::nullopt});
  return Status::OK();
}

Status Set(const EventStore& store, const std::string& stream, const TimerEntry& entry,
           std::vector<SideWrite>* writes) {
  Status s = Cancel(store, stream, entry.name(), writes);
  if (!s.ok()) return s;
  std::string due;
  keys::PutBE64(&due, static_cast<uint64_t>(entry.due_micros()));
  writes->push_back({Space::kTimers, DueKey(entry.due_micros(), stream, entry.name()),
                     entry.SerializeAsString()});
  writes->push_back({Space::kTimers, InstanceKey(stream, entry.name()), due});
  return Status::OK();
}

Status RemoveFired(const EventStore& store, const std::string& stream, const TimerEntry& entry,
                   std::vector<SideWrite>* writes) {
  writes->push_back(
      {Space::kTimers, DueKey(entry.due_micros(), stream, entry.name()), std::nullopt});
  std::string ikey = InstanceKey(stream, entry.name());
  std::string due;
  Status s = store.Get(Space::kTimers, ikey, &due);
  if (s.IsNotFound()) return Status::OK();
  if (!s.ok()) return s;
  if (due.size() == 8 && static_cast<int64_t>(keys::DecodeBE64(due.data())) == entry.due_micros()) {
    writes->push_back({Space::kTimers, ikey, std::nullopt});
  }
  return Status::OK();
}

Status Due(const EventStore& store, int64_t from, int64_t until, size_t limit,
           std::vector<TimerEntry>* out) {
  std::string begin = "d", end = "d";
  keys::PutBE64(&begin, static_cast<uint64_t>(std::max<int64_t>(from, 0)));
  keys::PutBE64(&end, static_cast<uint64_t>(until) + 1);
  Status parse_error;
  Status s =
      store.Scan(Space::kTimers, begin, end, [&](const std::string& key, const std::string& v) {
        TimerEntry e;
        if (!e.ParseFromString(v)) {
          parse_error = Status::Corruption("timer entry " + key.substr(9));
          return false;
        }
        out->push_back(std::move(e));
        return out->size() < limit;
      });
  if (!s.ok()) return s;
  return parse_error;
}

}  // namespace wijkflow::engine::timers
