// CachedModel's fetching ahead (its hints per stream), against a plain map of what the writes
// should leave: keys made and deleted within a batch, by the thousand, so that entries a hint
// names leave the model, are retired, and the hints are forgotten in the middle of a batch.
#include "engine/cached_model.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <functional>
#include <map>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "events/test_util.h"
#include "testdata/toggle.pb.h"
#include "tests/testing/temp_dir.h"

namespace wijkflow::engine {
namespace {

using Tally = wijkflow::testing::ToggleData;

// What a drain hands over, in order.
class Collected final : public SortedWrites {
 public:
  void Put(std::string_view key, std::string_view value) override {
    keys.emplace_back(key);
    values[std::string(key)] = std::string(value);
  }
  void Delete(std::string_view key) override {
    keys.emplace_back(key);
    values.erase(std::string(key));
  }
  std::vector<std::string> keys;
  std::map<std::string, std::string> values;
};

TEST(CachedModelTest, FetchingAheadChangesNothingThatIsReadOrWritten) {
  wijkflow::testing::TempDir dir;
  auto store = wijkflow::testing::OpenStore(dir.Sub("db"));
  CachedModel model(store.get(), "m/", &Tally::default_instance());
  ModelWriter& writer = model;  // as a projection sees it
  model.Dropped();  // known whole: a deleted key that was never committed leaves the model
  std::map<std::string, int64_t> expected;
  constexpr size_t kBatch = 1024;
  std::vector<uint64_t> streams(kBatch);
  // 36,000 events on 9,000 streams (a model too large to be left to the cache), a batch at a time.
  // Each counts on its stream's key, read first; every third deletes it again, so that thousands of
  // hinted entries leave the model.
  for (size_t first = 0; first < 36000; first += kBatch) {
    const size_t n = std::min(kBatch, 36000 - first);
    for (size_t k = 0; k < n; ++k) streams[k] = std::hash<size_t>()((first + k) % 9000);
    for (size_t k = 0; k < n; ++k) {
      const size_t event = first + k;
      const std::string key = absl::StrCat("s", event % 9000);
      model.FetchAhead(streams, n, k);
      model.Begin(streams[k]);
      const auto* before = writer.Find<Tally>(key);
      const int64_t count = before != nullptr ? before->count() : 0;
      ASSERT_EQ(count, expected.count(key) ? expected[key] : 0) << "event " << event;
      if (event % 3 == 2) {
        model.Delete(key);
        expected.erase(key);
      } else {
        writer.Edit<Tally>(key)->set_count(count + 1);
        expected[key] = count + 1;
      }
    }
    model.EndBatch();
  }
  CachedModel::Drained drained;
  model.Drain(&drained);
  Collected out;
  model.Write(drained, 0, drained.size(), out);
  model.Settle(drained);
  ASSERT_EQ(out.values.size(), expected.size());
  for (const auto& [key, count] : expected) {
    Tally value;
    ASSERT_TRUE(value.ParseFromString(out.values.at("m/" + key))) << key;
    EXPECT_EQ(value.count(), count) << key;
  }
  EXPECT_TRUE(std::is_sorted(out.keys.begin(), out.keys.end()));
}

TEST(CachedModelTest, ValuesPutAwayAfterABatchReadAsTheyWereWritten) {
  wijkflow::testing::TempDir dir;
  auto store = wijkflow::testing::OpenStore(dir.Sub("db"));
  CachedModel model(store.get(), "m/", &Tally::default_instance());
  ModelWriter& writer = model;
  model.Dropped();
  std::map<std::string, int64_t> expected;
  // Each event changes its stream's key first (the key the stream comes back to), then makes a
  // value of its own, which the batch's end puts away serialized, and reads back, changes or
  // deletes the one its stream made a batch before. Some are deleted in the batch that made them.
  for (int batch = 0; batch < 4; ++batch) {
    for (int k = 0; k < 300; ++k) {
      model.Begin(std::hash<int>()(k));
      const std::string stream = absl::StrCat("s", k);
      writer.Edit<Tally>(stream)->set_count(batch + 1);
      expected[stream] = batch + 1;
      const std::string made = "made/" + std::to_string(batch) + "/" + std::to_string(k);
      writer.Edit<Tally>(made)->set_count(1000 + k);
      expected[made] = 1000 + k;
      if (k % 7 == 0) {
        writer.Delete(made);
        expected.erase(made);
      }
      if (batch == 0) continue;
      const std::string old = "made/" + std::to_string(batch - 1) + "/" + std::to_string(k);
      const auto* before = writer.Find<Tally>(old);
      ASSERT_EQ(before != nullptr, expected.count(old) == 1) << old;
      if (before == nullptr) continue;
      EXPECT_EQ(before->count(), expected[old]) << old;
      if (k % 3 == 0) {
        writer.Edit<Tally>(old)->set_count(before->count() + 1);
        ++expected[old];
      } else if (k % 3 == 1) {
        writer.Delete(old);
        expected.erase(old);
      }
    }
    model.EndBatch();
  }
  CachedModel::Drained drained;
  model.Drain(&drained);
  Collected out;
  model.Write(drained, 0, drained.size(), out);
  model.Settle(drained);
  ASSERT_EQ(out.values.size(), expected.size());
  for (const auto& [key, count] : expected) {
    Tally value;
    ASSERT_TRUE(value.ParseFromString(out.values.at("m/" + key))) << key;
    EXPECT_EQ(value.count(), count) << key;
  }
  // What was committed is read back as it was written, parsed or put away.
  for (const auto& [key, count] : expected) {
    const auto* value = writer.Find<Tally>(key);
    ASSERT_NE(value, nullptr) << key;
    EXPECT_EQ(value->count(), count) << key;
  }
}

}  // namespace
}  // namespace wijkflow::engine
