// The rules for resident initiatives, by the date they are in force. Decide looks them up at the
// command's effective date; decision events record the version, so that a history decided under
// old rules replays and reads as it was decided then (replay never evaluates rules).
//
//   bi-2022  2022-03-01 .. 2023-09-30  large requests (EUR 2,500 - 20,000) go to a voting round
//                                      (residents vote online and on paper ballots); small ones
//                                      are decided directly, within 4 weeks. Decisions are the
//                                      executive's (or a district manager's under mandate).
//   bi-2023  2023-10-01 ..             the district council decides every request, or its
//                                      district manager under a mandate in force on the date.
#pragma once

#include <array>
#include <cstdint>
#include <string_view>

#include "events/clock.h"

namespace wijkflow::workflows::initiative {

struct RuleSet {
  std::string_view version;                  // recorded in decision events, e.g. "bi-2023"
  Micros from;                               // in force from ...
  Micros until;                              // ... up to (not including) this moment
  bool voting_rounds;                        // large requests are put to the residents' vote
  std::array<std::string_view, 2> deciders;  // roles that may decide
  int64_t large_from_cents;                  // a request from this amount on is "large"
  int64_t max_request_cents;                 // no request above this
  Micros small_decision_term;                // decision deadline after submission
  Micros large_decision_term;
};

// The rules in force at `t`; nullptr before the first rules took effect.
const RuleSet* RulesAt(Micros t);

bool IsLarge(const RuleSet& rules, int64_t requested_cents);
// The decision deadline's length for a request of `requested_cents` (Awb 4:13).
Micros DecisionTerm(const RuleSet& rules, int64_t requested_cents);
bool MayDecide(const RuleSet& rules, std::string_view role);
// The first moment after the objection window of a decision made known at `decided`: the term
// starts the day after (Awb 6:8) and lasts six weeks (Awb 6:7). Days are counted in UTC.
Micros ObjectionWindowEnd(Micros decided);

}  // namespace wijkflow::workflows::initiative
