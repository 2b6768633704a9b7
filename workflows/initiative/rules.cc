#include "workflows/initiative/rules.h"

#include <algorithm>
#include <limits>

#include "workflows/common/roles.h"
#include "workflows/common/time.h"

namespace wijkflow::workflows::initiative {
namespace {

constexpr int64_t kLarge = 250'000;         // EUR 2,500
constexpr int64_t kMaxRequest = 2'000'000;  // EUR 20,000

const std::array<RuleSet, 2>& Eras() {
  static const std::array<RuleSet, 2> eras = {{
      {"bi-2022",
       DateMicros(2022, 3, 1),
       DateMicros(2023, 10, 1),
       true,
       {roles::kExecutive, roles::kDistrictManager},
       kLarge,
       kMaxRequest,
       4 * kWeek,
       8 * kWeek},
      {"bi-2023",
       DateMicros(2023, 10, 1),
       std::numeric_limits<Micros>::max(),
       false,
       {roles::kDistrictCouncil, roles::kDistrictManager},
       kLarge,
       kMaxRequest,
       8 * kWeek,
       8 * kWeek},
  }};
  return eras;
}

}  // namespace

const RuleSet* RulesAt(Micros t) {
  for (const RuleSet& r : Eras()) {
    if (r.from <= t && t < r.until) return &r;
  }
  return nullptr;
}

bool IsLarge(const RuleSet& rules, int64_t requested_cents) {
  return requested_cents >= rules.large_from_cents;
}

Micros DecisionTerm(const RuleSet& rules, int64_t requested_cents) {
  return IsLarge(rules, requested_cents) ? rules.large_decision_term : rules.small_decision_term;
}

bool MayDecide(const RuleSet& rules, std::string_view role) {
  return std::find(rules.deciders.begin(), rules.deciders.end(), role) != rules.deciders.end();
}

Micros ObjectionWindowEnd(Micros decided) { return StartOfDay(decided) + kDay + 6 * kWeek; }

}  // namespace wijkflow::workflows::initiative
