// Reading a round's budget. Grants go in the order of receipt, until the ceiling is reached
// ("op volgorde van binnenkomst, op is op", Awb 4:25, 4:26): a request's place is fixed when it
// is received complete (or completed), and an earlier complete request keeps its claim on the
// money while it waits for its decision. A lowered ceiling does not affect requests already
// received (4:27(2)); a raised one goes to the waiting claims in their order.
//
// The order: by the Amsterdam calendar day of receipt, then by the round's same-day rule (the
// moment of receipt, or lot: SHA-256 of the published seed and the request's id), then by id.
// Grants hold their money wherever they stand in it (a decision that stands is not undone by an
// earlier claim found later); a waiting claim gets what the grants and the waiting claims before
// it leave under its ceiling (CeilingFor): all it asks, the rest (the last one reached), or
// nothing.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "events/clock.h"
#include "wijkflow/subsidy_round.pb.h"

namespace wijkflow::workflows::subsidy_round {

inline constexpr int64_t kMaxPerRequestLow = 1'000'000;   // €10,000
inline constexpr int64_t kMaxPerRequestHigh = 2'000'000;  // €20,000

using Ceilings = google::protobuf::RepeatedPtrField<wijkflow::round::CeilingEntry>;
using Places = google::protobuf::RepeatedPtrField<wijkflow::round::PlaceInOrder>;

// The ceiling in force at `t`: the last one that took effect at or before it (the first one if
// `t` precedes them all; 0 if there is none yet).
int64_t CeilingAt(const Ceilings& ceilings, Micros t);

// The ceiling a request received at `received_at` is weighed against: the highest in force from
// its receipt on, so that a later lowering does not affect it and a later raising does.
int64_t CeilingFor(const Ceilings& ceilings, Micros received_at);

// The rule and the figures the order of the waiting claims depends on.
struct Terms {
  const Ceilings& ceilings;
  wijkflow::round::SameDayRank same_day_rank;
  const std::string& lot_seed;
  int64_t granted_cents;  // held by grants, net of releases
};

// Puts `waiting` (claims: id, amount, received_at) in the order of receipt, numbers them from 1
// in that order (their place among the waiting claims) and says what the ceiling leaves each.
void RankWaiting(const Terms& terms, Places* waiting);

// The round's waiting claims, ranked (RankWaiting).
Places WaitingInOrder(const wijkflow::round::RoundData& round);

// The place of `initiative_id` in the whole order of receipt (grants and waiting claims, 1 =
// first), with its standing; nullptr if it has no waiting claim.
std::unique_ptr<wijkflow::round::PlaceInOrder> PlaceOf(const wijkflow::round::RoundData& round,
                                                       std::string_view initiative_id);

// What a request received at `received_at` that has no claim may still be granted (one received
// before claims were recorded, or a grant raised on objection): its ceiling (CeilingFor) minus
// what grants and the waiting claims that fit hold (never below 0).
int64_t RemainingFor(const wijkflow::round::RoundData& round, Micros received_at);

// Reserved for grants not yet settled: what must be settled or released before the round's
// accounts can be closed.
int64_t OutstandingCents(const wijkflow::round::RoundData& round);

}  // namespace wijkflow::workflows::subsidy_round
