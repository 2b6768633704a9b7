// Replaying the golden history (both rule eras) gives exactly the states, data and projections
// recorded in expected.txt, and every event's hash reproduces.
#include "tests/golden/golden.h"

#include <gtest/gtest.h>

#include <fstream>
#include <sstream>

#include "tests/testing/temp_dir.h"

namespace wijkflow::golden {
namespace {

const std::string kDir = std::string(WIJKFLOW_SOURCE_DIR) + "/tests/golden";

TEST(GoldenHistory, ReplaysAsRecorded) {
  wijkflow::testing::TempDir scratch;
  std::string replayed;
  Status s = Replay(kDir + "/history.jsonl", scratch.Sub("db"), &replayed);
  ASSERT_TRUE(s.ok()) << s.ToString();
  std::ifstream in(kDir + "/expected.txt");
  std::stringstream expected;
  expected << in.rdbuf();
  // Compare line by line, so that a failure names what changed.
  std::istringstream want(expected.str()), got(replayed);
  std::string w, g;
  for (int line = 1; std::getline(want, w); ++line) {
    ASSERT_TRUE(std::getline(got, g)) << "replay ends early, expected line " << line << ": " << w;
    ASSERT_EQ(g, w) << "line " << line;
  }
  EXPECT_FALSE(std::getline(got, g)) << "replay gives more than expected: " << g;
}

TEST(GoldenHistory, CoversBothRuleEras) {
  // Rule versions are recorded inside the decision payloads; the expected replay shows them.
  std::ifstream e(kDir + "/expected.txt");
  std::stringstream expected;
  expected << e.rdbuf();
  EXPECT_NE(expected.str().find("bi-2022"), std::string::npos);
  EXPECT_NE(expected.str().find("bi-2023"), std::string::npos);
  EXPECT_NE(expected.str().find("in-vote"), std::string::npos);
  EXPECT_NE(expected.str().find("district-council:feijenoord"), std::string::npos)
      << "a decision under mandate, in the council's name";
}

// The history was recorded before Granted gained obligations (schema version 2): its grants are
// at version 1, so ReplaysAsRecorded shows that old versions still replay as they were decided.
TEST(GoldenHistory, HoldsEventsOfEarlierSchemaVersions) {
  std::ifstream in(kDir + "/history.jsonl");
  std::string line;
  int v1_grants = 0;
  while (std::getline(in, line)) {
    if (line.find("\"eventType\":\"wijkflow.initiative.Granted\"") != std::string::npos &&
        line.find("\"schemaVersion\":1") != std::string::npos) {
      ++v1_grants;
    }
  }
  EXPECT_GE(v1_grants, 3);
}

}  // namespace
}  // namespace wijkflow::golden
