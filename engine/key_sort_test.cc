// SortByKey against std::sort, on keys made to meet its corner cases: long shared prefixes, keys
// that end inside the bytes it compares at once, zero bytes, equal keys of different ranks.
#include "engine/key_sort.h"

#include <gtest/gtest.h>

#include <random>
#include <string>
#include <tuple>
#include <vector>

namespace wijkflow::engine {
namespace {

std::vector<std::pair<std::string, int>> Sorted(std::vector<std::pair<std::string, int>> items) {
  std::vector<Keyed<std::pair<std::string, int>>> order;
  for (auto& item : items) order.push_back({item.first, item.second, &item});
  SortByKey(order.data(), order.data() + order.size());
  std::vector<std::pair<std::string, int>> out;
  for (const auto& k : order) out.push_back(*k.item);
  return out;
}

TEST(KeySortTest, SortsAsStdSortDoes) {
  std::mt19937 random(7);
  const std::vector<std::string> stems = {"by-district/feijenoord/",
                                          "by-district/feijenoord/under-review/ini-2023-",
                                          "by-district/charlois/",
                                          "by-id/ini-2023-",
                                          "",
                                          std::string("a\0b", 3),
                                          "by-district/feijenoord/0000000000000000"};
  for (int round = 0; round < 200; ++round) {
    std::vector<std::pair<std::string, int>> items;
    const int n = 1 + static_cast<int>(random() % 300);
    for (int i = 0; i < n; ++i) {
      std::string key = stems[random() % stems.size()];
      const int tail = static_cast<int>(random() % 12);
      for (int t = 0; t < tail; ++t) key.push_back("\0019az-/"[random() % 7]);
      items.emplace_back(key, static_cast<int>(random() % 2));
    }
    auto expected = items;
    std::sort(expected.begin(), expected.end());
    ASSERT_EQ(Sorted(items), expected) << "round " << round;
  }
}

TEST(KeySortTest, EqualKeysGoByRank) {
  auto out = Sorted({{"k/1", 1}, {"k/1", 0}, {"k/0", 1}, {"k/1", 0}, {"k", 1}});
  std::vector<std::pair<std::string, int>> want = {
      {"k", 1}, {"k/0", 1}, {"k/1", 0}, {"k/1", 0}, {"k/1", 1}};
  EXPECT_EQ(out, want);
}

}  // namespace
}  // namespace wijkflow::engine
