// The report's rendering without a data directory: escaping, and the SVG diagram's layout.
#include "tools/cli/report_html.h"

#include <gtest/gtest.h>

#include <set>

#include "engine/registry.h"
#include "tools/cli/html_escape.h"
#include "tools/cli/svg_diagram.h"
#include "workflows/register_all.h"

namespace wijkflow::cli {
namespace {

size_t Count(const std::string& text, const std::string& what) {
  size_t n = 0;
  for (size_t at = text.find(what); at != std::string::npos; at = text.find(what, at + 1)) ++n;
  return n;
}

TEST(EscapeHtml, EscapesEveryCharacterThatCouldStartMarkup) {
  EXPECT_EQ(EscapeHtml("<script>alert('x')</script> & \"q\""),
            "&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt; &amp; &quot;q&quot;");
  EXPECT_EQ(EscapeHtml("Speeltuin Afrikaanderwijk \xE2\x82\xAC 2.000"),
            "Speeltuin Afrikaanderwijk \xE2\x82\xAC 2.000");  // UTF-8 passes through
  EXPECT_EQ(EscapeHtml(std::string("a\0b", 3)), "a&#xFFFD;b");
}

// Text from events (reasons, actor ids, states) cannot become markup anywhere on the page.
TEST(RenderHtml, EventTextCannotInjectMarkup) {
  const std::string evil = "\"><script>alert(1)</script><img src=x onerror=alert(2)>";
  Report r;
  r.title = "t" + evil;
  r.covers = evil;
  r.timeline.push_back({"2023-10-16T10:00:00Z", "2023-10-16T10:00:00Z", "initiatives", evil,
                        "Granted", evil, evil, evil, evil, evil, evil, evil});
  r.decisions.push_back({"2023-10-16T10:00:00Z", "initiatives", evil, "Granted", evil, evil, evil,
                         evil, evil, 200000, evil});
  r.rounds.push_back({evil, evil, 1, 2, 3, 4, 5});
  engine::WorkflowInfo info{evil, 1, evil, {evil, "b"}, {}, {{evil, evil, "b"}}};
  r.diagrams.push_back({info, {{EdgeKey({evil, evil, "b"}), 1}}, true});
  r.integrity.broken = evil;
  r.integrity.last_global_hash = evil;
  const std::string html = RenderHtml(r);
  EXPECT_EQ(Count(html, "<script"), 0u);
  EXPECT_EQ(Count(html, "<img"), 0u);
  EXPECT_EQ(Count(html, evil), 0u);  // nowhere verbatim, so no attribute was closed early
  EXPECT_GT(Count(html, "&quot;&gt;&lt;script&gt;alert(1)&lt;/script&gt;"), 10u);
  EXPECT_NE(html.find("\xE2\x82\xAC"
                      "2,000.00"),
            std::string::npos);
}

TEST(RenderHtml, IsSelfContained) {
  Report r;
  r.title = "x";
  const std::string html = RenderHtml(r);
  for (const char* external : {"http://", "https://", "<link", "<script", "src=", "@import"}) {
    if (std::string(external) == "http://") {
      // The only URL is the SVG namespace, which is a name, not a fetch.
      EXPECT_EQ(Count(html, external), Count(html, "http://www.w3.org/2000/svg")) << external;
      continue;
    }
    EXPECT_EQ(Count(html, external), 0u) << external;
  }
}

// A table with a cycle, a self-loop, two events between the same states and an unreachable
// state: each is drawn exactly once and the layers follow BFS distance.
TEST(SvgDiagram, DrawsEveryStateAndTransitionOnce) {
  engine::WorkflowInfo info{"toy",
                            1,
                            "a",
                            {"a", "b", "c", "d", "island"},
                            {},
                            {{"a", "Go", "b"},
                             {"b", "Stay", "b"},
                             {"b", "Back", "a"},
                             {"b", "Jump", "c"},
                             {"b", "Hop", "c"},
                             {"c", "On", "d"},
                             {"a", "Skip", "d"}}};
  const DiagramLayout layout = LayoutDiagram(info);
  std::map<std::string, int> rank;
  std::set<std::pair<double, double>> places;
  for (const NodePlace& n : layout.nodes) {
    EXPECT_TRUE(rank.emplace(n.state, n.rank).second) << n.state << " placed twice";
    EXPECT_TRUE(places.insert({n.x, n.y}).second) << n.state << " overlaps another state";
    EXPECT_GT(n.x, 0);
    EXPECT_LT(n.x, layout.width);
    EXPECT_LT(n.y, layout.height);
  }
  EXPECT_EQ(rank,
            (std::map<std::string, int>{{"a", 0}, {"b", 1}, {"c", 2}, {"d", 1}, {"island", 3}}));

  const std::string svg = ToSvg(info, {{"a|Go|b", 1}, {"b|Jump|c", 2}}, /*show_counts=*/true);
  for (const auto& s : info.states) EXPECT_EQ(Count(svg, "data-state=\"" + s + "\""), 1u) << s;
  EXPECT_EQ(Count(svg, "class=\"state"), info.states.size());
  for (const auto& t : info.transitions) {
    EXPECT_EQ(Count(svg, "data-edge=\"" + EdgeKey(t) + "\""), 1u) << EdgeKey(t);
  }
  EXPECT_EQ(Count(svg, "class=\"edge"), info.transitions.size());
  EXPECT_EQ(Count(svg, "class=\"edge taken\""), 2u);
  EXPECT_NE(svg.find("class=\"edge taken\" data-edge=\"b|Jump|c\" data-count=\"2\""),
            std::string::npos);
  EXPECT_NE(svg.find("Jump \xC3\x97"
                     "2"),
            std::string::npos);
  EXPECT_NE(svg.find("class=\"state visited\" data-state=\"c\""), std::string::npos);
  EXPECT_NE(svg.find("class=\"state\" data-state=\"island\""), std::string::npos);
}

// The real workflows: every state once, every transition once, ranks consistent with BFS.
TEST(SvgDiagram, DrawsEachRegisteredWorkflowCompletely) {
  engine::WorkflowRegistry registry;
  workflows::RegisterAll(registry);
  ASSERT_FALSE(registry.workflows().empty());
  for (const auto& wf : registry.workflows()) {
    const engine::WorkflowInfo& info = wf->Info();
    SCOPED_TRACE(info.name);
    const DiagramLayout layout = LayoutDiagram(info);
    std::map<std::string, int> rank;
    for (const NodePlace& n : layout.nodes) rank[n.state] = n.rank;
    EXPECT_EQ(rank.size(), layout.nodes.size());
    EXPECT_EQ(rank.at(info.initial_state), 0);
    for (const auto& t : info.transitions) {
      EXPECT_LE(rank.at(t.to), rank.at(t.from) + 1) << EdgeKey(t);
    }
    const std::string svg = ToSvg(info, {}, false);
    for (const auto& n : layout.nodes) {
      EXPECT_EQ(Count(svg, "data-state=\"" + n.state + "\""), 1u) << n.state;
    }
    std::map<std::string, size_t> in_table;
    for (const auto& t : info.transitions) ++in_table[EdgeKey(t)];
    for (const auto& [key, n] : in_table) {
      EXPECT_EQ(Count(svg, "data-edge=\"" + key + "\""), n) << key;
    }
    EXPECT_EQ(Count(svg, "class=\"edge taken"), 0u);
  }
}

}  // namespace
}  // namespace wijkflow::cli
