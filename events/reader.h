// Reads of the log and of one stream: with the four hashes of each envelope filled in, or (a scan
// of the log) with only the two stored in each record.
#pragma once

#include <cstddef>
#include <cstdint>
#include <functional>
#include <string_view>
#include <vector>

#include "events/status.h"

namespace wijkflow {

class EventEnvelope;
class Storage;

// Replaces *out with the events of `stream_id` with version >= from_version, at most max_count.
Status ReadStreamEvents(const Storage& storage, std::string_view stream_id, uint64_t from_version,
                        size_t max_count, std::vector<EventEnvelope>* out);

// Replaces *out with the events at positions >= from_position, at most max_count.
Status ReadLogEvents(const Storage& storage, uint64_t from_position, size_t max_count,
                     std::vector<EventEnvelope>* out);

// Calls `fn` for the events at positions >= from_position until it returns false; the envelope is
// reused and carries only the hashes stored in its record.
Status ScanLogEvents(const Storage& storage, uint64_t from_position,
                     const std::function<bool(EventEnvelope&)>& fn);
// ScanLogEvents without the parsing: each record as stored (see ParseRecord), valid during the
// call.
Status ScanLogRecords(const Storage& storage, uint64_t from_position,
                      const std::function<bool(uint64_t position, std::string_view record)>& fn);

}  // namespace wijkflow
