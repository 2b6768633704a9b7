// The event log as JSON lines: one envelope per line, through protobuf's JSON mapping (payload and
// hashes in base64). It is the form in which a history leaves the system (exports, the checked-in
// golden history) and comes back (Import), byte for byte.
#pragma once

#include <cstdint>
#include <iosfwd>
#include <vector>

#include "events/clock.h"
#include "events/event_store.h"

namespace wijkflow::exporter {

// Writes events with position >= from, in order, one JSON object per line.
Status WriteLogJsonl(const EventStore& store, uint64_t from, std::ostream& out);

// Reads what WriteLogJsonl wrote.
Status ReadLogJsonl(std::istream& in, std::vector<EventEnvelope>* events);

// Appends `events` to an empty store as they were first appended: consecutive events of one
// command form one atomic append, recorded at their original recorded-at (the store must run on
// `clock`). Since the stored bytes are the original ones, the hash chains come out identical;
// Import checks that they do and fails on the first event whose hash differs.
// REQUIRES: store is empty and uses `clock`.
Status Import(const std::vector<EventEnvelope>& events, SimulatedClock* clock, EventStore* store);

}  // namespace wijkflow::exporter
