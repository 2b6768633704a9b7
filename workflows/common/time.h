// Time helpers shared by the workflows: protobuf timestamps, civil dates and the terms of the
// Awb counted in days and weeks. All instants are UTC microseconds (wijkflow::Micros).
#pragma once

#include <google/protobuf/timestamp.pb.h>

#include <cstdint>
#include <string>

#include "events/clock.h"

namespace wijkflow::workflows {

inline constexpr Micros kDay = int64_t{86'400} * 1'000'000;
inline constexpr Micros kWeek = 7 * kDay;

// An unset timestamp reads as 0.
Micros ToMicros(const google::protobuf::Timestamp& t);
google::protobuf::Timestamp ToTimestamp(Micros t);
// Midnight (UTC) at the start of a civil date.
Micros DateMicros(int year, unsigned month, unsigned day);
// Midnight (UTC) at the start of the day `t` falls in.
Micros StartOfDay(Micros t);
// RFC 3339, e.g. "2023-10-01T00:00:00Z", for messages.
std::string FormatTime(Micros t);
// "€2,500.00", for messages.
std::string FormatEuros(int64_t cents);

}  // namespace wijkflow::workflows
