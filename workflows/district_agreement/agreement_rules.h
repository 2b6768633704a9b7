// The rules of district agreements that are not the agreement's own machine: the small
// lifecycles of action plans and actions, and the four-monthly rhythm of progress reviews.
#pragma once

#include <cstdint>

#include "events/clock.h"
#include "wijkflow/district_agreement.pb.h"

namespace wijkflow::workflows::district_agreement {

// A plan moves draft -> adopted -> in execution -> evaluated, one step at a time.
bool PlanMayMove(wijkflow::agreement::PlanState from, wijkflow::agreement::PlanState to);

// planned -> in progress | delayed | dropped; in progress -> done | delayed | dropped;
// delayed -> in progress | done | dropped; done and dropped are final. Staying is allowed.
bool ActionMayMove(wijkflow::agreement::ActionStatus from, wijkflow::agreement::ActionStatus to);

// "planned", "in-progress", ...: for read models and messages.
const char* ActionStatusName(wijkflow::agreement::ActionStatus s);

// The same moment `months` calendar months later (the day clamped to the month's length).
Micros AddMonths(Micros t, int months);

// Reviews are held every four months; a review is overdue this long after the last one (or
// after activation).
inline constexpr int kReviewIntervalMonths = 4;

}  // namespace wijkflow::workflows::district_agreement
