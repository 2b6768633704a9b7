#include "events/validate.h"

#include <string>
#include <unordered_set>

namespace wijkflow {

Status ValidateStreamId(const StoreOptions& options, std::string_view stream_id) {
  if (stream_id.empty()) return Status::InvalidArgument("empty stream id");
  if (stream_id.size() > options.max_stream_id_bytes) {
    return Status::InvalidArgument("stream id of " + std::to_string(stream_id.size()) +
                                   " bytes exceeds the limit of " +
                                   std::to_string(options.max_stream_id_bytes));
  }
  for (char c : stream_id) {
    if (c <= ' ' || c > '~') {
      return Status::InvalidArgument("stream id has a byte that is not printable ASCII: " +
                                     std::to_string(static_cast<unsigned char>(c)));
    }
  }
  return Status::OK();
}

Status ValidateSideWrites(const std::vector<SideWrite>& writes) {
  for (const SideWrite& w : writes) {
    if (w.key.empty()) return Status::InvalidArgument("side write with an empty key");
    if (!w.range_end.empty() && (w.value.has_value() || w.range_end <= w.key)) {
      return Status::InvalidArgument("side range delete needs no value and an end after its key");
    }
  }
  return Status::OK();
}

Status ValidateAppend(const StoreOptions& options, const AppendRequest& request,
                      size_t* event_count) {
  size_t count = 0;
  for (const StreamAppend& s : request.streams) {
    Status st = ValidateStreamId(options, s.stream_id);
    if (!st.ok()) return st;
    for (const EventEnvelope& e : s.events) {
      const size_t bytes = e.ByteSizeLong();
      if (bytes > options.max_event_bytes) {
        return Status::InvalidArgument("event of " + std::to_string(bytes) + " bytes in '" +
                                       s.stream_id + "' exceeds the limit of " +
                                       std::to_string(options.max_event_bytes));
      }
    }
    count += s.events.size();
  }
  if (count == 0) return Status::InvalidArgument("append without events");
  if (count > options.max_events_per_append) {
    return Status::InvalidArgument(std::to_string(count) + " events exceed the limit of " +
                                   std::to_string(options.max_events_per_append) + " per append");
  }
  if (request.streams.size() > 1) {
    std::unordered_set<std::string_view> seen;
    for (const StreamAppend& s : request.streams) {
      if (!seen.insert(s.stream_id).second) {
        return Status::InvalidArgument("stream '" + s.stream_id + "' appears twice");
      }
    }
  }
  Status st = ValidateSideWrites(request.side_writes);
  if (!st.ok()) return st;
  *event_count = count;
  return Status::OK();
}

}  // namespace wijkflow
