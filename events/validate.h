// Validation of append requests and side writes against the store's limits. Runs on the caller's
// thread, before a request reaches the writer, so that a malformed request never costs the writer
// time and never touches a group.
#pragma once

#include <cstddef>
#include <string_view>
#include <vector>

#include "events/event_store.h"

namespace wijkflow {

// InvalidArgument, naming the first problem, unless `request` is within `options`' limits. On OK,
// *event_count is its number of events.
Status ValidateAppend(const StoreOptions& options, const AppendRequest& request,
                      size_t* event_count);

// InvalidArgument unless `stream_id` is non-empty, at most max_stream_id_bytes long, and printable
// ASCII without spaces.
Status ValidateStreamId(const StoreOptions& options, std::string_view stream_id);

// InvalidArgument if a key is empty.
Status ValidateSideWrites(const std::vector<SideWrite>& writes);

}  // namespace wijkflow
