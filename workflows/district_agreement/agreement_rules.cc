#include "workflows/district_agreement/agreement_rules.h"

#include <algorithm>
#include <chrono>

namespace wijkflow::workflows::district_agreement {

namespace pb = ::wijkflow::agreement;

bool PlanMayMove(pb::PlanState from, pb::PlanState to) {
  return (from == pb::PLAN_STATE_DRAFT && to == pb::PLAN_STATE_ADOPTED) ||
         (from == pb::PLAN_STATE_ADOPTED && to == pb::PLAN_STATE_IN_EXECUTION) ||
         (from == pb::PLAN_STATE_IN_EXECUTION && to == pb::PLAN_STATE_EVALUATED);
}

bool ActionMayMove(pb::ActionStatus from, pb::ActionStatus to) {
  if (from == to) return true;
  switch (from) {
    case pb::ACTION_STATUS_PLANNED:
      return to == pb::ACTION_STATUS_IN_PROGRESS || to == pb::ACTION_STATUS_DELAYED ||
             to == pb::ACTION_STATUS_DROPPED;
    case pb::ACTION_STATUS_IN_PROGRESS:
      return to == pb::ACTION_STATUS_DONE || to == pb::ACTION_STATUS_DELAYED ||
             to == pb::ACTION_STATUS_DROPPED;
    case pb::ACTION_STATUS_DELAYED:
      return to == pb::ACTION_STATUS_IN_PROGRESS || to == pb::ACTION_STATUS_DONE ||
             to == pb::ACTION_STATUS_DROPPED;
    default:
      return false;
  }
}

const char* ActionStatusName(pb::ActionStatus s) {
  switch (s) {
    case pb::ACTION_STATUS_PLANNED:
      return "planned";
    case pb::ACTION_STATUS_IN_PROGRESS:
      return "in-progress";
    case pb::ACTION_STATUS_DONE:
      return "done";
    case pb::ACTION_STATUS_DELAYED:
      return "delayed";
    case pb::ACTION_STATUS_DROPPED:
      return "dropped";
    default:
      return "unspecified";
  }
}

Micros AddMonths(Micros t, int months) {
  using namespace std::chrono;
  const sys_time<microseconds> tp{microseconds{t}};
  const sys_days day = floor<days>(tp);
  const auto time_of_day = tp - day;
  year_month_day ymd{day};
  year_month_day moved = ymd.year() / ymd.month() / 1d + std::chrono::months{months};
  const unsigned month_days =
      static_cast<unsigned>((moved.year() / moved.month() / std::chrono::last).day());
  const unsigned d = std::min(static_cast<unsigned>(ymd.day()), month_days);
  moved = moved.year() / moved.month() / std::chrono::day{d};
  return (sys_days{moved} + time_of_day).time_since_epoch().count();
}

}  // namespace wijkflow::workflows::district_agreement
