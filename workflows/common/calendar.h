// The legal calendar: days as they fall in Europe/Amsterdam, the public holidays of the
// Algemene termijnenwet (Atw), and the terms of the Awb counted on them.
//
// A day is a civil day in Amsterdam, read from the system's tz database (tzdata) through Abseil's
// time zones, so that the daylight-saving changes move midnight where the law's days move it. A
// term starts the day after the event that sets it running and ends at the end of its last day:
// a decision at 23:59 Amsterdam time on the last day is in time, one at 00:01 the next is not.
#pragma once

#include "absl/time/civil_time.h"
#include "events/clock.h"

namespace wijkflow::workflows {

// The civil day `t` falls on in Europe/Amsterdam.
absl::CivilDay AmsterdamDay(Micros t);
// The first moment of day `d` in Amsterdam.
Micros StartOfAmsterdamDay(absl::CivilDay d);
// The first moment after day `d` in Amsterdam: a term whose last day is `d` has passed then.
Micros EndOfAmsterdamDay(absl::CivilDay d);

// Easter Sunday of `year` in the Gregorian calendar (the anonymous Gregorian algorithm).
absl::CivilDay EasterSunday(int year);
// A generally recognised holiday of Atw art. 3(1): New Year's Day, Easter Monday, Ascension Day,
// Whit Monday, Christmas and Boxing Day, the day the King's birthday is celebrated (27 April, or
// 26 April when the 27th is a Sunday), and 5 May. Good Friday and Easter Sunday and Whit Sunday
// (Sundays anyway) add nothing; Good Friday is not one.
bool IsGenerallyRecognisedHoliday(absl::CivilDay d);
// Neither a Saturday, a Sunday, nor a generally recognised holiday.
bool IsWorkingDay(absl::CivilDay d);

// The length of a term: so many days, weeks or months.
struct TermLength {
  enum class Unit { kDays, kWeeks, kMonths };
  Unit unit;
  int count;

  static constexpr TermLength Days(int n) { return {Unit::kDays, n}; }
  static constexpr TermLength Weeks(int n) { return {Unit::kWeeks, n}; }
  static constexpr TermLength Months(int n) { return {Unit::kMonths, n}; }
};

// The last day of a term of `length` that starts the day after `event_day`: six weeks from a
// Monday end on the Monday six weeks later; a month from 31 January ends on the last day of
// February. No calendar rule applied.
absl::CivilDay LastDayOfTerm(absl::CivilDay event_day, TermLength length);

// A term set by law (Awb 4:13, 6:7, 7:10, 4:17 ...), set running by the event at `event`: its
// last day moved on by the Atw (art. 1: off a Saturday, Sunday or holiday to the next working
// day; art. 2: a term of three days or more holds at least two working days). The moment the
// term has passed.
Micros EndOfStatutoryTerm(Micros event, TermLength length);
// A term the body sets itself (e.g. the completion term of Awb 4:5), to which the Atw does not
// apply: it ends at the end of its last day, whatever day that is.
Micros EndOfTermSetByBody(Micros event, TermLength length);

}  // namespace wijkflow::workflows
