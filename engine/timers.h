// Timers: durable deadlines in the store's timers space, written in the same batch as the event
// that sets them.
//
// Layout (Space::kTimers):
//   "d" BE64(due) stream_id '\0' name  ->  TimerEntry      (due index: scanned in time order)
//   "i" stream_id '\0' name             ->  BE64(due)       (per instance: to move or cancel one)
#pragma once

#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "events/event_store.h"
#include "wijkflow/engine.pb.h"

namespace wijkflow::engine::timers {

// Side writes that remove timer `name` of `stream` if it is set (reads the store to find it).
Status Cancel(const EventStore& store, const std::string& stream, const std::string& name,
              std::vector<SideWrite>* writes);

// Side writes that (re)set the timer `entry` on `stream`, replacing any earlier one of that name.
Status Set(const EventStore& store, const std::string& stream, const TimerEntry& entry,
           std::vector<SideWrite>* writes);

// Side writes that remove exactly the fired `entry`, leaving a later timer set under the same
// name in place. REQUIRES: the caller holds the instance's lock.
Status RemoveFired(const EventStore& store, const std::string& stream, const TimerEntry& entry,
                   std::vector<SideWrite>* writes);

// Timers due in [from, until], earliest first, at most `limit`. Fired timers leave deletion
// markers behind until RocksDB compacts them away, so callers pass the earliest due time that can
// still hold a timer (`from`) rather than scanning from the beginning every time.
Status Due(const EventStore& store, int64_t from, int64_t until, size_t limit,
           std::vector<TimerEntry>* out);

}  // namespace wijkflow::engine::timers
