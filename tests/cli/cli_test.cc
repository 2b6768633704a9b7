// The auditor's CLI, run as a real process over a data directory made from the golden history.
#include <gtest/gtest.h>

#include <algorithm>
#include <cstdio>
#include <fstream>
#include <sstream>

#include "tests/testing/temp_dir.h"

namespace {

struct Result {
  int code;
  std::string out;
};

Result Wijkflow(const std::string& args) {
  const std::string cmd = std::string(WIJKFLOW_CLI) + " " + args + " 2>&1";
  FILE* p = popen(cmd.c_str(), "r");
  std::string out;
  char buf[4096];
  while (size_t n = fread(buf, 1, sizeof buf, p)) out.append(buf, n);
  const int status = pclose(p);
  return {WEXITSTATUS(status), out};
}

const std::string kHistory = std::string(WIJKFLOW_SOURCE_DIR) + "/tests/golden/history.jsonl";

class CliTest : public ::testing::Test {
 protected:
  CliTest() : data_(dir_.Sub("data")) {
    Result r = Wijkflow("import --data " + data_ + " " + kHistory);
    EXPECT_EQ(r.code, 0) << r.out;
  }
  wijkflow::testing::TempDir dir_;
  std::string data_;
};

TEST_F(CliTest, HistoryShowsWhoDecidedUnderWhichRuleAndMandate) {
  Result r = Wijkflow("history --data " + data_ + " initiatives ini-2023-0101");
  ASSERT_EQ(r.code, 0) << r.out;
  EXPECT_NE(r.out.find("Granted"), std::string::npos);
  EXPECT_NE(r.out.find("district-council:feijenoord  m-2023-1   bi-2023  under-review -> granted"),
            std::string::npos)
      << r.out;
  EXPECT_EQ(Wijkflow("history --data " + data_ + " initiatives no-such").code, 3);
}

TEST_F(CliTest, StateAsOfShowsThePast) {
  Result then =
      Wijkflow("state --data " + data_ + " initiatives ini-2023-0102 --as-of 2023-11-25T00:00:00Z");
  ASSERT_EQ(then.code, 0) << then.out;
  EXPECT_NE(then.out.find("\"state\":\"objection-lodged\""), std::string::npos) << then.out;
  Result now = Wijkflow("state --data " + data_ + " initiatives ini-2023-0102");
  EXPECT_NE(now.out.find("\"state\":\"refused\""), std::string::npos) << now.out;
}

TEST_F(CliTest, ExplainNamesTheChecksThatApplied) {
  Result r = Wijkflow("explain --data " + data_ + " initiatives ini-2023-0101");
  ASSERT_EQ(r.code, 0) << r.out;
  EXPECT_NE(r.out.find("mandate m-2023-1"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("in force on 2023-10-16"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("within the ceiling"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("within the decision deadline"), std::string::npos) << r.out;
}

TEST_F(CliTest, ExportFiltersDecisions) {
  Result all = Wijkflow("export --data " + data_ + " --format csv");
  ASSERT_EQ(all.code, 0) << all.out;
  // Header plus the six decisions of the golden history (grants, refusal, objection, settlement).
  EXPECT_EQ(std::count(all.out.begin(), all.out.end(), '\n'), 7) << all.out;
  Result mine = Wijkflow("export --data " + data_ + " --decider wm-feijenoord");
  EXPECT_EQ(std::count(mine.out.begin(), mine.out.end(), '\n'), 1) << mine.out;
  EXPECT_NE(mine.out.find("\"mandate\":\"m-2023-1\""), std::string::npos) << mine.out;
  Result era = Wijkflow("export --data " + data_ + " --until 2023-10-01T00:00:00Z --format csv");
  EXPECT_EQ(era.out.find("bi-2023"), std::string::npos) << era.out;
}

TEST_F(CliTest, VerifyBackupAndRestore) {
  Result v = Wijkflow("verify --data " + data_);
  EXPECT_EQ(v.code, 0) << v.out;
  EXPECT_NE(v.out.find("57 events"), std::string::npos) << v.out;
  const std::string backup = dir_.Sub("backup"), restored = dir_.Sub("restored");
  ASSERT_EQ(Wijkflow("backup --data " + data_ + " --to " + backup).code, 0);
  ASSERT_EQ(Wijkflow("restore --from " + backup + " --data " + restored).code, 0);
  EXPECT_EQ(Wijkflow("verify --data " + restored).code, 0);
  // Never over existing data.
  EXPECT_EQ(Wijkflow("restore --from " + backup + " --data " + restored).code, 2);
  EXPECT_EQ(Wijkflow("import --data " + restored + " " + kHistory).code, 2);
}

TEST_F(CliTest, RebuildProjectionsThenStats) {
  Result r = Wijkflow("rebuild-projections --data " + data_);
  ASSERT_EQ(r.code, 0) << r.out;
  for (const char* p : {"initiatives", "round-budget", "decision-register", "publication-feed",
                        "agreement-progress"}) {
    EXPECT_NE(r.out.find(std::string(p) + ": rebuilt up to 57"), std::string::npos) << r.out;
  }
  Result s = Wijkflow("stats --data " + data_);
  ASSERT_EQ(s.code, 0) << s.out;
  EXPECT_NE(s.out.find("events: 57"), std::string::npos) << s.out;
  EXPECT_NE(s.out.find("wijkflow.initiative.Granted: "), std::string::npos) << s.out;
  EXPECT_NE(s.out.find("  decision-register: 57"), std::string::npos) << s.out;
}

TEST_F(CliTest, AnAlteredExportDoesNotImport) {
  std::ifstream in(kHistory);
  std::stringstream all;
  all << in.rdbuf();
  std::string text = all.str();
  // Change one decision's reasons inside its base64 payload: one character is enough.
  const size_t at = text.find("\"payload\":\"", text.find("wijkflow.initiative.Granted"));
  ASSERT_NE(at, std::string::npos);
  char& c = text[at + 20];
  c = c == 'A' ? 'B' : 'A';
  const std::string altered = dir_.Sub("altered.jsonl");
  std::ofstream(altered) << text;
  Result r = Wijkflow("import --data " + dir_.Sub("other") + " " + altered);
  EXPECT_EQ(r.code, 1) << r.out;
  EXPECT_NE(r.out.find("does not reproduce its recorded hash"), std::string::npos) << r.out;
}

}  // namespace
