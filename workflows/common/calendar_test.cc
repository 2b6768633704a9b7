#include "workflows/common/calendar.h"

#include <gtest/gtest.h>

#include "absl/time/time.h"
#include "workflows/common/time.h"

namespace wijkflow::workflows {
namespace {

using absl::CivilDay;

// An Amsterdam wall-clock moment, as the law's reader would write it.
Micros Amsterdam(int y, int m, int d, int hh, int mm) {
  absl::TimeZone zone;
  EXPECT_TRUE(absl::LoadTimeZone("Europe/Amsterdam", &zone));
  return absl::ToUnixMicros(absl::FromCivil(absl::CivilMinute(y, m, d, hh, mm), zone));
}

TEST(Calendar, DaysAreAmsterdamDaysAcrossTheDaylightSavingChanges) {
  // 23:30 UTC is already the next day in Amsterdam, in winter (+1) and in summer (+2).
  EXPECT_EQ(AmsterdamDay(DateMicros(2024, 1, 15) + 23 * 3'600'000'000LL + 1'800'000'000LL),
            CivilDay(2024, 1, 16));
  EXPECT_EQ(AmsterdamDay(DateMicros(2024, 7, 15) + 22 * 3'600'000'000LL + 1),
            CivilDay(2024, 7, 16));
  // The spring change (31 March 2024) makes a 23-hour day, the autumn one (27 October) a 25-hour
  // day; midnight is where the Amsterdam clock says.
  EXPECT_EQ(EndOfAmsterdamDay(CivilDay(2024, 3, 31)) - StartOfAmsterdamDay(CivilDay(2024, 3, 31)),
            23 * 3'600'000'000LL);
  EXPECT_EQ(EndOfAmsterdamDay(CivilDay(2024, 10, 27)) - StartOfAmsterdamDay(CivilDay(2024, 10, 27)),
            25 * 3'600'000'000LL);
  EXPECT_EQ(StartOfAmsterdamDay(CivilDay(2023, 10, 1)), Amsterdam(2023, 10, 1, 0, 0));
  EXPECT_EQ(StartOfAmsterdamDay(CivilDay(2023, 10, 1)),
            DateMicros(2023, 9, 30) + 22 * 3'600'000'000LL);
}

TEST(Calendar, EasterIsComputedForAnyYear) {
  EXPECT_EQ(EasterSunday(2022), CivilDay(2022, 4, 17));
  EXPECT_EQ(EasterSunday(2023), CivilDay(2023, 4, 9));
  EXPECT_EQ(EasterSunday(2024), CivilDay(2024, 3, 31));
  EXPECT_EQ(EasterSunday(2025), CivilDay(2025, 4, 20));
  EXPECT_EQ(EasterSunday(2038), CivilDay(2038, 4, 25));  // the latest possible
  EXPECT_EQ(EasterSunday(2285), CivilDay(2285, 3, 22));  // the earliest possible
}

TEST(Calendar, TheHolidaysOfTheAlgemeneTermijnenwet) {
  for (CivilDay d : {CivilDay(2024, 1, 1), CivilDay(2024, 4, 1) /* Easter Monday */,
                     CivilDay(2024, 5, 9) /* Ascension */, CivilDay(2024, 5, 20) /* Whit Monday */,
                     CivilDay(2024, 4, 27), CivilDay(2025, 4, 26) /* the 27th is a Sunday */,
                     CivilDay(2024, 5, 5), CivilDay(2024, 12, 25), CivilDay(2024, 12, 26)}) {
    EXPECT_TRUE(IsGenerallyRecognisedHoliday(d)) << d;
  }
  for (CivilDay d : {CivilDay(2024, 3, 29) /* Good Friday */, CivilDay(2025, 4, 27),
                     CivilDay(2024, 12, 31), CivilDay(2024, 4, 2)}) {
    EXPECT_FALSE(IsGenerallyRecognisedHoliday(d)) << d;
  }
  EXPECT_FALSE(IsWorkingDay(CivilDay(2024, 3, 30)));  // Saturday
  EXPECT_FALSE(IsWorkingDay(CivilDay(2024, 3, 31)));  // Sunday
  EXPECT_TRUE(IsWorkingDay(CivilDay(2024, 3, 29)));   // Good Friday works
}

TEST(Calendar, ATermStartsTheDayAfterAndEndsAtTheEndOfItsLastDay) {
  // Made known on Monday 8 January 2024: six weeks end on Monday 19 February, at midnight.
  const Micros end = EndOfStatutoryTerm(Amsterdam(2024, 1, 8, 16, 0), TermLength::Weeks(6));
  EXPECT_EQ(end, Amsterdam(2024, 2, 20, 0, 0));
  EXPECT_LT(Amsterdam(2024, 2, 19, 23, 59), end);  // in time on the last evening
  // A month from 31 January ends on the last day of February; from 15 January on 15 February.
  EXPECT_EQ(LastDayOfTerm(CivilDay(2024, 1, 31), TermLength::Months(1)), CivilDay(2024, 2, 29));
  EXPECT_EQ(LastDayOfTerm(CivilDay(2023, 1, 31), TermLength::Months(1)), CivilDay(2023, 2, 28));
  EXPECT_EQ(LastDayOfTerm(CivilDay(2024, 1, 15), TermLength::Months(1)), CivilDay(2024, 2, 15));
  EXPECT_EQ(LastDayOfTerm(CivilDay(2024, 11, 30), TermLength::Months(3)), CivilDay(2025, 2, 28));
}

TEST(Calendar, AStatutoryTermEndingOffAWorkingDayRunsOnToTheNextOne) {
  // Six weeks from Saturday 17 February 2024 end on Saturday 30 March, before Easter: they run
  // on past Sunday and Easter Monday to Tuesday 2 April (Atw art. 1).
  EXPECT_EQ(EndOfStatutoryTerm(Amsterdam(2024, 2, 17, 10, 0), TermLength::Weeks(6)),
            EndOfAmsterdamDay(CivilDay(2024, 4, 2)));
  // Two weeks from 12 December 2024 end on Boxing Day: they run on to Friday 27 December.
  EXPECT_EQ(EndOfStatutoryTerm(Amsterdam(2024, 12, 12, 9, 0), TermLength::Weeks(2)),
            EndOfAmsterdamDay(CivilDay(2024, 12, 27)));
  // A term set by the body is not moved: it ends on the Saturday.
  EXPECT_EQ(EndOfTermSetByBody(Amsterdam(2024, 2, 17, 10, 0), TermLength::Weeks(6)),
            EndOfAmsterdamDay(CivilDay(2024, 3, 30)));
}

TEST(Calendar, AThreeDayTermHoldsTwoWorkingDays) {
  // Three days from Wednesday 24 December 2025: Thursday 25 and Friday 26 are holidays, the
  // weekend follows, so the term runs to Tuesday 30 December (Monday 29 is the first working
  // day, Tuesday the second: Atw art. 2).
  EXPECT_EQ(EndOfStatutoryTerm(Amsterdam(2025, 12, 24, 12, 0), TermLength::Days(3)),
            EndOfAmsterdamDay(CivilDay(2025, 12, 30)));
  // Two days are not "at least three": only art. 1 applies, to Monday the 29th.
  EXPECT_EQ(EndOfStatutoryTerm(Amsterdam(2025, 12, 24, 12, 0), TermLength::Days(2)),
            EndOfAmsterdamDay(CivilDay(2025, 12, 29)));
}

TEST(Calendar, ATermAcrossTheAutumnChangeEndsAtAmsterdamMidnight) {
  // Made known at 00:30 on Monday 21 October 2024 (still Sunday the 20th in UTC): one week runs
  // to the end of Monday 28 October, after the clocks went back on the 27th.
  const Micros made_known = Amsterdam(2024, 10, 21, 0, 30);
  EXPECT_EQ(AmsterdamDay(made_known), CivilDay(2024, 10, 21));
  EXPECT_EQ(EndOfStatutoryTerm(made_known, TermLength::Weeks(1)), Amsterdam(2024, 10, 29, 0, 0));
  EXPECT_EQ(EndOfStatutoryTerm(made_known, TermLength::Weeks(1)),
            DateMicros(2024, 10, 28) + 23 * 3'600'000'000LL);
}

}  // namespace
}  // namespace wijkflow::workflows
