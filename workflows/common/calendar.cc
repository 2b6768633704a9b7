#include "workflows/common/calendar.h"

#include <cstdlib>
#include <iostream>

#include "absl/time/time.h"

namespace wijkflow::workflows {
namespace {

const absl::TimeZone& Amsterdam() {
  static const absl::TimeZone zone = [] {
    absl::TimeZone z;
    if (!absl::LoadTimeZone("Europe/Amsterdam", &z)) {
      // Without the tz database every term would be counted wrongly: refuse to run.
      std::cerr << "wijkflow: the time zone Europe/Amsterdam is missing (install tzdata)\n";
      std::abort();
    }
    return z;
  }();
  return zone;
}

Micros StartOf(absl::CivilDay d) {
  // At the spring change midnight exists; `pre` is the instant for any civil time.
  return absl::ToUnixMicros(Amsterdam().At(absl::CivilSecond(d)).pre);
}

int WorkingDaysIn(absl::CivilDay first, absl::CivilDay last) {
  int n = 0;
  for (absl::CivilDay d = first; d <= last && n < 2; ++d) n += IsWorkingDay(d) ? 1 : 0;
  return n;
}

bool AtLeastThreeDays(TermLength length) {
  return length.unit != TermLength::Unit::kDays || length.count >= 3;
}

}  // namespace

absl::CivilDay AmsterdamDay(Micros t) {
  return absl::ToCivilDay(absl::FromUnixMicros(t), Amsterdam());
}

Micros StartOfAmsterdamDay(absl::CivilDay d) { return StartOf(d); }

Micros EndOfAmsterdamDay(absl::CivilDay d) { return StartOf(d + 1); }

absl::CivilDay EasterSunday(int year) {
  const int a = year % 19, b = year / 100, c = year % 100;
  const int d = b / 4, e = b % 4, f = (b + 8) / 25, g = (b - f + 1) / 3;
  const int h = (19 * a + b - d - g + 15) % 30;
  const int i = c / 4, k = c % 4;
  const int l = (32 + 2 * e + 2 * i - h - k) % 7;
  const int m = (a + 11 * h + 22 * l) / 451;
  const int n = h + l - 7 * m + 114;
  return absl::CivilDay(year, n / 31, n % 31 + 1);
}

bool IsGenerallyRecognisedHoliday(absl::CivilDay d) {
  const int month = d.month(), day = d.day();
  if ((month == 1 && day == 1) || (month == 12 && (day == 25 || day == 26))) return true;
  if (month == 5 && day == 5) return true;
  // Koningsdag: 27 April, or the 26th when the 27th is a Sunday.
  const absl::CivilDay kings(d.year(), 4, 27);
  const bool sunday = absl::GetWeekday(kings) == absl::Weekday::sunday;
  if (d == (sunday ? kings - 1 : kings)) return true;
  const absl::CivilDay easter = EasterSunday(static_cast<int>(d.year()));
  return d == easter + 1 || d == easter + 39 || d == easter + 50;
}

bool IsWorkingDay(absl::CivilDay d) {
  const absl::Weekday w = absl::GetWeekday(d);
  return w != absl::Weekday::saturday && w != absl::Weekday::sunday &&
         !IsGenerallyRecognisedHoliday(d);
}

absl::CivilDay LastDayOfTerm(absl::CivilDay event_day, TermLength length) {
  switch (length.unit) {
    case TermLength::Unit::kDays:
      return event_day + length.count;
    case TermLength::Unit::kWeeks:
      return event_day + 7 * length.count;
    case TermLength::Unit::kMonths: {
      // The same date so many months on; where that month is shorter, its last day.
      const absl::CivilMonth month = absl::CivilMonth(event_day) + length.count;
      const absl::CivilDay last_of_month = absl::CivilDay(month + 1) - 1;
      const absl::CivilDay same_date(month.year(), month.month(), event_day.day());
      return absl::CivilMonth(same_date) == month ? same_date : last_of_month;
    }
  }
  return event_day;
}

Micros EndOfStatutoryTerm(Micros event, TermLength length) {
  const absl::CivilDay event_day = AmsterdamDay(event);
  const absl::CivilDay first = event_day + 1;
  absl::CivilDay last = LastDayOfTerm(event_day, length);
  while (!IsWorkingDay(last) || (AtLeastThreeDays(length) && WorkingDaysIn(first, last) < 2)) {
    ++last;
  }
  return EndOfAmsterdamDay(last);
}

Micros EndOfTermSetByBody(Micros event, TermLength length) {
  return EndOfAmsterdamDay(LastDayOfTerm(AmsterdamDay(event), length));
}

}  // namespace wijkflow::workflows
