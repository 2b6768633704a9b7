#include "workflows/initiative/rules.h"

#include <gtest/gtest.h>

#include "workflows/common/roles.h"
#include "workflows/common/time.h"

namespace wijkflow::workflows::initiative {
namespace {

TEST(Rules, NoneBeforeMarch2022) {
  EXPECT_EQ(RulesAt(DateMicros(2022, 3, 1) - 1), nullptr);
  ASSERT_NE(RulesAt(DateMicros(2022, 3, 1)), nullptr);
  EXPECT_EQ(RulesAt(DateMicros(2022, 3, 1))->version, "bi-2022");
}

TEST(Rules, TheCouncilDecidesFromOctober2023) {
  const RuleSet* last_old = RulesAt(DateMicros(2023, 10, 1) - 1);
  const RuleSet* first_new = RulesAt(DateMicros(2023, 10, 1));
  ASSERT_NE(last_old, nullptr);
  ASSERT_NE(first_new, nullptr);
  EXPECT_EQ(last_old->version, "bi-2022");
  EXPECT_TRUE(last_old->voting_rounds);
  EXPECT_FALSE(MayDecide(*last_old, roles::kDistrictCouncil));
  EXPECT_TRUE(MayDecide(*last_old, roles::kExecutive));
  EXPECT_EQ(first_new->version, "bi-2023");
  EXPECT_FALSE(first_new->voting_rounds);
  EXPECT_TRUE(MayDecide(*first_new, roles::kDistrictCouncil));
  EXPECT_TRUE(MayDecide(*first_new, roles::kDistrictManager));
  EXPECT_FALSE(MayDecide(*first_new, roles::kExecutive));
  EXPECT_FALSE(MayDecide(*first_new, roles::kApplicant));
}

TEST(Rules, LargeFrom2500Euros) {
  const RuleSet& r = *RulesAt(DateMicros(2023, 3, 1));
  EXPECT_FALSE(IsLarge(r, 249'999));
  EXPECT_TRUE(IsLarge(r, 250'000));
  EXPECT_EQ(r.max_request_cents, 2'000'000);
}

TEST(Rules, DecisionTerms) {
  const RuleSet& old_rules = *RulesAt(DateMicros(2023, 3, 1));
  EXPECT_EQ(DecisionTerm(old_rules, 100'000), 4 * kWeek);  // small: answered within 4 weeks
  EXPECT_EQ(DecisionTerm(old_rules, 500'000), 8 * kWeek);
  const RuleSet& new_rules = *RulesAt(DateMicros(2024, 3, 1));
  EXPECT_EQ(DecisionTerm(new_rules, 100'000), 8 * kWeek);  // Awb 4:13
  EXPECT_EQ(DecisionTerm(new_rules, 500'000), 8 * kWeek);
}

TEST(Rules, ObjectionWindowRunsSixWeeksFromTheNextDay) {
  // Made known on Monday 4 March 2024 at 10:00: the term starts on Tuesday 5 March and ends at
  // the end of Monday 15 April.
  const Micros decided = DateMicros(2024, 3, 4) + 10 * 3'600'000'000LL;
  EXPECT_EQ(ObjectionWindowEnd(decided), DateMicros(2024, 4, 16));
  EXPECT_EQ(ObjectionWindowEnd(DateMicros(2024, 3, 4)), DateMicros(2024, 4, 16));
}

TEST(Time, FormatsEurosAndDates) {
  EXPECT_EQ(FormatEuros(250'000), "\u20ac2,500.00");
  EXPECT_EQ(FormatEuros(5), "\u20ac0.05");
  EXPECT_EQ(FormatEuros(-123'456'789), "-\u20ac1,234,567.89");
  EXPECT_EQ(FormatTime(DateMicros(2023, 10, 1)), "2023-10-01T00:00:00Z");
  EXPECT_EQ(ToMicros(ToTimestamp(DateMicros(2024, 2, 29) + 7)), DateMicros(2024, 2, 29) + 7);
  EXPECT_EQ(StartOfDay(DateMicros(2024, 2, 29) + kDay - 1), DateMicros(2024, 2, 29));
}

}  // namespace
}  // namespace wijkflow::workflows::initiative
