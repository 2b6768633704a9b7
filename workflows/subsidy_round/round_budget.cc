#include "workflows/subsidy_round/round_budget.h"

#include <algorithm>

#include "workflows/common/time.h"

namespace wijkflow::workflows::subsidy_round {

int64_t CeilingAt(const wijkflow::round::RoundData& round, Micros t) {
  if (round.ceilings().empty()) return 0;
  int64_t ceiling = round.ceilings(0).ceiling_cents();
  for (const auto& c : round.ceilings()) {
    if (ToMicros(c.from()) <= t) ceiling = c.ceiling_cents();
  }
  return ceiling;
}

int64_t RemainingFor(const wijkflow::round::RoundData& round, Micros submitted_at) {
  return std::max<int64_t>(0, CeilingAt(round, submitted_at) - round.reserved_cents());
}

int64_t OutstandingCents(const wijkflow::round::RoundData& round) {
  int64_t outstanding = 0;
  for (const auto& [id, a] : round.allocations()) {
    if (!a.settled()) outstanding += a.reserved_cents();
  }
  return outstanding;
}

}  // namespace wijkflow::workflows::subsidy_round
