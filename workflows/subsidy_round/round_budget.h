// Reading a round's budget. The initiative workflow uses these to guard a grant:
// "first come, first served, gone is gone" within the ceiling (Awb 4:25), where a request
// keeps the ceiling that was in force when it was submitted (a later lowering does not affect
// requests already in).
#pragma once

#include <cstdint>

#include "events/clock.h"
#include "wijkflow/subsidy_round.pb.h"

namespace wijkflow::workflows::subsidy_round {

inline constexpr int64_t kMaxPerRequestLow = 1'000'000;   // €10,000
inline constexpr int64_t kMaxPerRequestHigh = 2'000'000;  // €20,000

// The ceiling in force at `t`: the last one that took effect at or before it (the first one if
// `t` precedes them all; 0 if the round has none yet).
int64_t CeilingAt(const wijkflow::round::RoundData& round, Micros t);

// What a request submitted at `submitted_at` may still be granted: its ceiling minus what the
// round has committed (never below 0).
int64_t RemainingFor(const wijkflow::round::RoundData& round, Micros submitted_at);

// Reserved for grants not yet settled: what must be settled or released before the round's
// accounts can be closed.
int64_t OutstandingCents(const wijkflow::round::RoundData& round);

}  // namespace wijkflow::workflows::subsidy_round
