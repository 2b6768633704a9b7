// `wijkflow report --html` as an auditor sees it: the golden history imported into a new data
// directory, reports rendered by the real binary, and each page loaded in headless Chromium,
// whose --dump-dom prints the document as the browser parsed it. Chromium is a test dependency
// (tools/install-deps.sh); without it these tests fail rather than pass unseen.
#include <gtest/gtest.h>

#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <regex>
#include <sstream>

#include "tests/testing/temp_dir.h"
#include "tools/cli/report_html.h"

namespace {

struct Result {
  int code;
  std::string out;
};

Result Shell(const std::string& cmd) {
  FILE* p = popen(cmd.c_str(), "r");
  if (p == nullptr) return {-1, "cannot run " + cmd};
  std::string out;
  char buf[4096];
  while (size_t n = fread(buf, 1, sizeof buf, p)) out.append(buf, n);
  const int status = pclose(p);
  return {WIFEXITED(status) ? WEXITSTATUS(status) : -1, out};
}

std::string Quote(const std::string& s) { return "'" + s + "'"; }  // test paths have no quote

Result Wijkflow(const std::string& args) {
  return Shell(Quote(WIJKFLOW_CLI) + " " + args + " 2>&1");
}

// The Chromium binary: $WIJKFLOW_CHROMIUM, or Debian's `chromium` on the PATH.
std::string Chromium() {
  if (const char* env = std::getenv("WIJKFLOW_CHROMIUM"); env != nullptr && *env) return env;
  for (const char* name : {"chromium", "chromium-browser"}) {
    Result r = Shell(std::string("command -v ") + name + " 2>/dev/null");
    if (r.code == 0 && !r.out.empty()) return r.out.substr(0, r.out.find('\n'));
  }
  return "";
}

std::string ReadFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream s;
  s << in.rdbuf();
  return s.str();
}

size_t Count(const std::string& text, const std::string& what) {
  size_t n = 0;
  for (size_t at = text.find(what); at != std::string::npos; at = text.find(what, at + 1)) ++n;
  return n;
}

// The text between `open` and the next `close` after it, or "".
std::string Between(const std::string& text, const std::string& open, const std::string& close,
                    size_t from = 0) {
  const size_t a = text.find(open, from);
  if (a == std::string::npos) return "";
  const size_t b = text.find(close, a);
  return b == std::string::npos ? "" : text.substr(a, b - a);
}

// The row of table `cls` that contains `key`.
std::string RowWith(const std::string& dom, const std::string& cls, const std::string& key) {
  const std::string table = Between(dom, "<table class=\"" + cls + "\">", "</table>");
  const size_t at = table.find(key);
  if (at == std::string::npos) return "";
  const size_t start = table.rfind("<tr", at);
  return table.substr(start, table.find("</tr>", at) - start);
}

const std::string kHistory = std::string(WIJKFLOW_SOURCE_DIR) + "/tests/golden/history.jsonl";

class ReportInChromium : public ::testing::Test {
 protected:
  void SetUp() override {
    chromium_ = Chromium();
    ASSERT_FALSE(chromium_.empty())
        << "headless Chromium is required for this test and was not found: install Debian's "
           "`chromium` package (tools/install-deps.sh does) or set WIJKFLOW_CHROMIUM";
    data_ = dir_.Sub("data");
    Result r = Wijkflow("import --data " + Quote(data_) + " " + Quote(kHistory));
    ASSERT_EQ(r.code, 0) << r.out;
  }

  // Writes a report with `args` and returns the DOM Chromium makes of it.
  std::string Report(const std::string& name, const std::string& args) {
    const std::string out = dir_.Sub(name + ".html");
    Result r =
        Wijkflow("report --html --data " + Quote(data_) + " --out " + Quote(out) + " " + args);
    EXPECT_EQ(r.code, 0) << r.out;
    EXPECT_NE(r.out.find("verifies"), std::string::npos) << r.out;
    return Dom(out);
  }

  std::string Dom(const std::string& file) {
    const std::string profile = dir_.Sub("profile-" + std::to_string(++loads_));
    const std::string log = dir_.Sub("chromium.log");
    Result r =
        Shell(Quote(chromium_) +
              " --headless --no-sandbox --disable-gpu --disable-quic --no-first-run"
              " --disable-background-networking --disable-component-update --disable-sync"
              " --user-data-dir=" +
              Quote(profile) + " --dump-dom " + Quote("file://" + file) + " 2>" + Quote(log));
    EXPECT_EQ(r.code, 0) << ReadFile(log);
    EXPECT_NE(r.out.find("</html>"), std::string::npos) << "no DOM: " << ReadFile(log);
    return r.out;
  }

  wijkflow::testing::TempDir dir_;
  std::string chromium_, data_;
  int loads_ = 0;
};

std::string LastGlobalHash() {
  std::ifstream in(kHistory);
  std::string line, last;
  while (std::getline(in, line)) {
    if (!line.empty()) last = line;
  }
  std::smatch m;
  std::regex_search(last, m, std::regex("\"globalHash\":\"([^\"]+)\""));
  return m.size() > 1 ? m[1].str() : "";
}

TEST_F(ReportInChromium, InstanceReportShowsTheMandatedDecisionItsPathAndTheChain) {
  const std::string dom = Report("instance", "--workflow initiatives --id ini-2023-0101");
  EXPECT_NE(dom.find("<title>Audit report: initiatives/ini-2023-0101</title>"), std::string::npos);
  EXPECT_NE(dom.find("district feijenoord"), std::string::npos);

  // The decision: taken by the district manager under mandate, in the council's name.
  const std::string decision = RowWith(dom, "decisions", "m-2023-1");
  ASSERT_FALSE(decision.empty()) << dom;
  for (const char* cell :
       {"<td>Granted</td>", "<td>wm-feijenoord</td>", "<td>district-manager</td>",
        "<td>district-council:feijenoord</td>", "<td>bi-2023</td>",
        "\xE2\x82\xAC"
        "2,000.00"}) {
    EXPECT_NE(decision.find(cell), std::string::npos) << cell << " not in " << decision;
  }
  EXPECT_EQ(Count(Between(dom, "<table class=\"decisions\">", "</table>"), "<tr>"), 2u)
      << "the header row and the one decision";

  // The timeline: every event of the instance, with the states around it.
  const std::string timeline = Between(dom, "<table class=\"timeline\">", "</table>");
  EXPECT_EQ(Count(timeline, "<tr>"), 1u + 6u) << timeline;
  EXPECT_NE(RowWith(dom, "timeline", "under-review \xE2\x86\x92 granted").find("m-2023-1"),
            std::string::npos);

  // The path: the transitions taken are highlighted on the initiative diagram, the others not.
  const std::string svg = Between(dom, "<svg", "</svg>");
  ASSERT_FALSE(svg.empty());
  for (const char* edge : {"under-review|Granted|granted", "granted|Published|published"}) {
    EXPECT_NE(svg.find(std::string("class=\"edge taken\" data-edge=\"") + edge), std::string::npos)
        << edge;
  }
  EXPECT_EQ(svg.find("class=\"edge taken\" data-edge=\"under-review|Refused"), std::string::npos);
  EXPECT_NE(svg.find("class=\"edge\" data-edge=\"under-review|Refused|refused\""),
            std::string::npos);
  EXPECT_GT(Count(svg, "class=\"edge\""), Count(svg, "class=\"edge taken\""));
  EXPECT_EQ(Count(dom, "<svg"), 1u) << "one workflow, one diagram";

  // The round, as it stands now.
  const std::string round = RowWith(dom, "rounds", "feijenoord-2023");
  ASSERT_FALSE(round.empty()) << dom;
  // Ceiling 150,000; grants of 1,200 (settled at 1,100, releasing 100), 8,000 and 2,000.
  const std::string euro = "\xE2\x82\xAC";
  for (const std::string& cell :
       {std::string("<td>closed</td>"), ">" + euro + "150,000.00<", ">" + euro + "11,100.00<",
        ">" + euro + "11,200.00<", ">" + euro + "100.00<", ">" + euro + "1,100.00<",
        ">" + euro + "138,900.00<"}) {
    EXPECT_NE(round.find(cell), std::string::npos) << cell << " not in " << round;
  }

  // The hash chain verifies, ending at the exported log's last global hash.
  EXPECT_NE(dom.find("class=\"verify ok\""), std::string::npos);
  EXPECT_NE(dom.find("The log verifies"), std::string::npos);
  EXPECT_NE(dom.find("57 events in"), std::string::npos);
  const std::string hash = LastGlobalHash();
  ASSERT_FALSE(hash.empty());
  EXPECT_NE(dom.find("<span class=\"hash\">" + hash + "</span>"), std::string::npos) << hash;

  EXPECT_EQ(Count(dom, "<script"), 0u);
}

TEST_F(ReportInChromium, DistrictReportCoversEveryWorkflowWithEdgeCounts) {
  const std::string dom = Report("district", "--district feijenoord");
  EXPECT_NE(dom.find("<title>Audit report: district feijenoord</title>"), std::string::npos);
  EXPECT_EQ(Count(Between(dom, "<table class=\"timeline\">", "</table>"), "<tr>"), 1u + 57u);

  // Decisions under both rule eras, the old by the executive and the new under mandate.
  const std::string decisions = Between(dom, "<table class=\"decisions\">", "</table>");
  EXPECT_NE(RowWith(dom, "decisions", "initiatives/ini-2023-0001").find("<td>college</td>"),
            std::string::npos)
      << decisions;
  EXPECT_NE(RowWith(dom, "decisions", "m-2023-1").find("<td>district-council:feijenoord</td>"),
            std::string::npos)
      << decisions;
  EXPECT_NE(RowWith(dom, "decisions", "initiatives/ini-2023-0102").find("<td>Refused</td>"),
            std::string::npos)
      << decisions;

  // One diagram per workflow, transitions labelled with how often they were taken.
  EXPECT_EQ(Count(dom, "<svg"), 4u);
  for (const char* wf : {"initiatives", "subsidy-rounds", "mandates", "district-agreements"}) {
    EXPECT_NE(dom.find(std::string("data-workflow=\"") + wf + "\""), std::string::npos) << wf;
  }
  EXPECT_NE(dom.find("data-edge=\"granted|Published|published\" data-count=\"3\""),
            std::string::npos);
  EXPECT_NE(dom.find("Published \xC3\x97"
                     "3"),
            std::string::npos);

  EXPECT_FALSE(RowWith(dom, "rounds", "feijenoord-2023").empty());
  EXPECT_NE(dom.find("class=\"verify ok\""), std::string::npos);
}

// Markup in recorded text stays text once a browser has parsed the page.
TEST_F(ReportInChromium, MarkupInEventTextStaysText) {
  const std::string evil = "<script>document.title='PWNED'</script><img src=x onerror=alert(1)>";
  wijkflow::cli::Report r;
  r.title = "Escaping";
  r.decisions.push_back({"2023-10-16T10:00:00Z", "initiatives", "ini-x", "Refused",
                         "\"><b>bold</b>", "r", "", "", "bi-2023", 0, evil});
  const std::string file = dir_.Sub("evil.html");
  std::ofstream(file) << wijkflow::cli::RenderHtml(r);
  const std::string dom = Dom(file);
  EXPECT_NE(dom.find("<title>Escaping</title>"), std::string::npos);
  EXPECT_EQ(Count(dom, "<script"), 0u);
  EXPECT_EQ(Count(dom, "<img"), 0u);
  EXPECT_EQ(Count(dom, "<b>"), 0u);
  EXPECT_NE(dom.find("&lt;script&gt;document.title='PWNED'&lt;/script&gt;&lt;img src=x "
                     "onerror=alert(1)&gt;"),
            std::string::npos)
      << dom;
}

}  // namespace
