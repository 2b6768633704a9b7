// Units of the HTTP adapter that need no socket: tokens, routing, targets, metrics, JSON.
#include <sys/stat.h>

#include <fstream>

#include "adapters/http/json.h"
#include "adapters/http/metrics.h"
#include "adapters/http/router.h"
#include "adapters/http/tokens.h"
#include "adapters/http/types.h"
#include "gtest/gtest.h"
#include "tests/testing/temp_dir.h"

namespace wijkflow::http {
namespace {

TEST(TokensTest, ParsesGrantsAndFindsByToken) {
  const std::string text =
      "# comment\n\n" + TokenLine("secret-1", {"mijn-rotterdam", {"intake"}, {"*"}}) + "\n" +
      TokenLine("secret-2",
                {"wm", {"district-manager", "district-team"}, {"feijenoord", "charlois"}}) +
      "\n";
  std::unique_ptr<Tokens> tokens;
  ASSERT_TRUE(Tokens::Parse(text, &tokens).ok());
  EXPECT_EQ(tokens->size(), 2u);
  const engine::Principal* p = tokens->Find("secret-2");
  ASSERT_NE(p, nullptr);
  EXPECT_EQ(p->system, "wm");
  EXPECT_EQ(p->roles, (std::vector<std::string>{"district-manager", "district-team"}));
  EXPECT_EQ(p->districts, (std::vector<std::string>{"feijenoord", "charlois"}));
  EXPECT_EQ(tokens->Find("secret-3"), nullptr);
  EXPECT_EQ(tokens->Find(""), nullptr);
  EXPECT_EQ(text.find("secret-1"), std::string::npos) << "the file holds hashes only";
}

TEST(TokensTest, RefusesBadLinesNamingThem) {
  const std::string hash = "sha256:" + HashToken("x");
  for (const std::string& bad : {
           std::string("sha256:abc sys intake *"),          // short hash
           "md5:" + HashToken("x") + " sys intake *",       // other scheme
           hash + " sys intake",                            // no districts
           hash + " Sys intake *",                          // upper case
           hash + " sys intake,system *",                   // the engine's own role
           hash + " sys intake * extra",                    // too many fields
           hash + " sys intake *\n" + hash + " b intake *"  // the same token twice
       }) {
    std::unique_ptr<Tokens> tokens;
    Status s = Tokens::Parse("# header\n" + bad + "\n", &tokens);
    EXPECT_TRUE(s.IsInvalidArgument()) << bad;
    EXPECT_NE(s.message().find("tokens line "), std::string::npos) << s.message();
  }
}

TEST(TokensTest, FirstStartMakesAnAdminTokenReadableByItsOwnerOnly) {
  wijkflow::testing::TempDir dir;
  const std::string path = dir.Sub("tokens");
  std::string admin;
  ASSERT_TRUE(EnsureTokensFile(path, &admin).ok());
  ASSERT_FALSE(admin.empty());
  struct stat st;
  ASSERT_EQ(stat(path.c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0600u);
  std::unique_ptr<Tokens> tokens;
  ASSERT_TRUE(Tokens::Load(path, &tokens).ok());
  const engine::Principal* p = tokens->Find(admin);
  ASSERT_NE(p, nullptr);
  EXPECT_EQ(p->roles, std::vector<std::string>{"admin"});
  EXPECT_EQ(p->districts, std::vector<std::string>{"*"});

  std::string again;
  ASSERT_TRUE(EnsureTokensFile(path, &again).ok());
  EXPECT_TRUE(again.empty()) << "an existing file is left alone";

  std::string issued;
  ASSERT_TRUE(IssueToken(path, {"digiwap", {"district-team"}, {"delfshaven"}}, &issued).ok());
  ASSERT_TRUE(Tokens::Load(path, &tokens).ok());
  ASSERT_NE(tokens->Find(issued), nullptr);
  EXPECT_NE(tokens->Find(admin), nullptr);
  EXPECT_TRUE(IssueToken(path, {"Bad Name", {"x"}, {"*"}}, &issued).IsInvalidArgument());
}

TEST(RouterTest, LiteralSegmentsWinAndMethodsAreReported) {
  Router r;
  const int list = r.Add("GET", "/v1/{workflow}");
  const int workflows = r.Add("GET", "/v1/workflows");
  const int get = r.Add("GET", "/v1/{workflow}/{id}");
  const int one_wf = r.Add("GET", "/v1/workflows/{name}");
  const int post = r.Add("POST", "/v1/{workflow}/{id}/commands/{command}");
  EXPECT_EQ(r.Match("GET", "/v1/workflows").route, workflows);
  EXPECT_EQ(r.Match("GET", "/v1/initiatives").route, list);
  EXPECT_EQ(r.Match("GET", "/v1/workflows/initiatives").route, one_wf);
  RouteMatch m = r.Match("GET", "/v1/initiatives/ini-1");
  EXPECT_EQ(m.route, get);
  EXPECT_EQ(m.params.at("id"), "ini-1");
  EXPECT_EQ(m.pattern, "/v1/{workflow}/{id}");
  m = r.Match("POST", "/v1/initiatives/ini-1/commands/Submit");
  EXPECT_EQ(m.route, post);
  EXPECT_EQ(m.params.at("command"), "Submit");
  m = r.Match("DELETE", "/v1/initiatives/ini-1");
  EXPECT_EQ(m.route, -1);
  EXPECT_EQ(m.allow, "GET");
  EXPECT_EQ(r.Match("GET", "/v1/initiatives/").route, -1);
  EXPECT_EQ(r.Match("GET", "/v2").allow, "");
}

TEST(TargetTest, DecodesPathAndQuery) {
  std::string path;
  std::map<std::string, std::string> query;
  ASSERT_TRUE(ParseTarget("/v1/a%20b?x=1&y=a+b%26c&flag", &path, &query));
  EXPECT_EQ(path, "/v1/a b");
  EXPECT_EQ(query.at("x"), "1");
  EXPECT_EQ(query.at("y"), "a b&c");
  EXPECT_EQ(query.at("flag"), "");
  EXPECT_FALSE(ParseTarget("/v1/a%2Fb", &path, &query)) << "an encoded slash splits nothing";
  EXPECT_FALSE(ParseTarget("/v1/%zz", &path, &query));
  EXPECT_FALSE(ParseTarget("/v1/%4", &path, &query));
  EXPECT_FALSE(ParseTarget("http://x/v1", &path, &query));
}

TEST(MetricsTest, RendersPrometheusText) {
  Metrics m;
  m.DeclareCounter("c_total", "A counter.");
  m.DeclareHistogram("h_seconds", "A histogram.", {0.1, 1});
  m.DeclareGauge("g", "A gauge.");
  m.Add("c_total", {{"route", "/v1/{x}"}, {"status", "200"}});
  m.Add("c_total", {{"route", "/v1/{x}"}, {"status", "200"}}, 2);
  m.Observe("h_seconds", {{"route", "a\"b"}}, 0.05);
  m.Observe("h_seconds", {{"route", "a\"b"}}, 5);
  m.AddCollector([](Metrics& self) { self.Set("g", {}, 7); });
  const std::string text = m.Render();
  EXPECT_NE(text.find("# TYPE c_total counter\nc_total{route=\"/v1/{x}\",status=\"200\"} 3\n"),
            std::string::npos)
      << text;
  EXPECT_NE(text.find("h_seconds_bucket{route=\"a\\\"b\",le=\"0.1\"} 1\n"), std::string::npos);
  EXPECT_NE(text.find("h_seconds_bucket{route=\"a\\\"b\",le=\"1\"} 1\n"), std::string::npos);
  EXPECT_NE(text.find("h_seconds_bucket{route=\"a\\\"b\",le=\"+Inf\"} 2\n"), std::string::npos);
  EXPECT_NE(text.find("h_seconds_count{route=\"a\\\"b\"} 2\n"), std::string::npos);
  EXPECT_NE(text.find("\ng 7\n"), std::string::npos);
}

TEST(JsonTest, WriterEscapesAndNests) {
  JsonWriter w;
  w.BeginObject().Field("a", "x\"y\n\x01").Key("b").BeginArray().Int(-1).Uint(2).Null();
  w.EndArray().Field("c", true).EndObject();
  EXPECT_EQ(w.str(), R"({"a":"x\"y\n\u0001","b":[-1,2,null],"c":true})");
  EXPECT_EQ(ParseTime("2023-10-01T02:00:00+02:00").value(), 1'696'118'400'000'000);
  EXPECT_FALSE(ParseTime("2023-10-01").has_value());
  EXPECT_EQ(FormatTime(1'696'118'400'000'000), "2023-10-01T00:00:00Z");
}

}  // namespace
}  // namespace wijkflow::http
