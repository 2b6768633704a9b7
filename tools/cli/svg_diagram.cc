#include "tools/cli/svg_diagram.h"

#include <algorithm>
#include <cmath>
#include <deque>
#include <sstream>

#include "absl/strings/str_cat.h"
#include "tools/cli/html_escape.h"

namespace wijkflow::cli {
namespace {

constexpr double kNodeHeight = 30;
constexpr double kLayerGap = 100;  // between layer centres
constexpr double kMargin = 40;
constexpr char kTaken[] = "#0b6e4f";
constexpr char kPlain[] = "#8a8f98";

double NodeWidth(const std::string& state) { return std::max(110.0, 7.5 * state.size() + 24); }

std::string Num(double v) {
  std::ostringstream s;
  s << std::round(v * 10) / 10;
  return s.str();
}

// An SVG id made of the name's letters and digits (ids must be unique in one page).
std::string IdPart(const std::string& name) {
  std::string id;
  for (char c : name) id += std::isalnum(static_cast<unsigned char>(c)) ? c : '-';
  return id;
}

}  // namespace

std::string EdgeKey(const engine::Transition& t) { return t.from + "|" + t.event + "|" + t.to; }

DiagramLayout LayoutDiagram(const engine::WorkflowInfo& info) {
  // Distinct states in table order, the initial state first.
  std::vector<std::string> states = {info.initial_state};
  auto add = [&](const std::string& s) {
    if (std::find(states.begin(), states.end(), s) == states.end()) states.push_back(s);
  };
  for (const auto& s : info.states) add(s);
  for (const auto& t : info.transitions) add(t.from), add(t.to);

  std::map<std::string, int> rank = {{info.initial_state, 0}};
  std::deque<std::string> queue = {info.initial_state};
  int deepest = 0;
  while (!queue.empty()) {
    const std::string s = queue.front();
    queue.pop_front();
    for (const auto& t : info.transitions) {
      if (t.from != s || rank.count(t.to)) continue;
      rank[t.to] = rank[s] + 1;
      deepest = std::max(deepest, rank[t.to]);
      queue.push_back(t.to);
    }
  }
  bool unreachable = false;
  for (const auto& s : states) {
    if (!rank.count(s)) rank[s] = deepest + 1, unreachable = true;
  }
  const int layers = deepest + 1 + (unreachable ? 1 : 0);

  std::vector<std::vector<std::string>> layer(layers);
  for (const auto& s : states) layer[rank[s]].push_back(s);
  double slot = 0;
  size_t widest = 0;
  for (const auto& s : states) slot = std::max(slot, NodeWidth(s) + 30);
  for (const auto& l : layer) widest = std::max(widest, l.size());

  DiagramLayout out;
  out.width = 2 * kMargin + slot * widest + 80;  // room for self-loops on the right
  out.height = 2 * kMargin + kLayerGap * (layers - 1) + kNodeHeight;
  for (const auto& s : states) {
    const auto& l = layer[rank[s]];
    const double index = std::find(l.begin(), l.end(), s) - l.begin();
    const double left = kMargin + (slot * widest - slot * l.size()) / 2;
    out.nodes.push_back(
        {s, rank[s], left + slot * (index + 0.5), kMargin + kNodeHeight / 2 + kLayerGap * rank[s]});
  }
  return out;
}

std::string ToSvg(const engine::WorkflowInfo& info, const std::map<std::string, int>& taken,
                  bool show_counts) {
  const DiagramLayout layout = LayoutDiagram(info);
  std::map<std::string, const NodePlace*> at;
  for (const auto& n : layout.nodes) at[n.state] = &n;
  const std::string id = IdPart(info.name);

  std::ostringstream svg;
  svg << "<svg xmlns=\"http://www.w3.org/2000/svg\" class=\"diagram\" data-workflow=\""
      << EscapeHtml(info.name) << "\" width=\"" << Num(layout.width) << "\" height=\""
      << Num(layout.height) << "\" viewBox=\"0 0 " << Num(layout.width) << " " << Num(layout.height)
      << "\" role=\"img\" aria-label=\"state diagram of " << EscapeHtml(info.name)
      << "\" font-family=\"sans-serif\" font-size=\"11\">\n<defs>";
  for (const auto& [kind, colour] : {std::pair{"plain", kPlain}, std::pair{"taken", kTaken}}) {
    svg << "<marker id=\"arrow-" << kind << "-" << id
        << "\" viewBox=\"0 0 10 10\" refX=\"10\" refY=\"5\" markerWidth=\"7\" markerHeight=\"7\" "
           "orient=\"auto-start-reverse\"><path d=\"M0,0 L10,5 L0,10 z\" fill=\""
        << colour << "\"/></marker>";
  }
  svg << "</defs>\n";

  // Edges first, so nodes are drawn over their ends. Parallel edges (same two states) and
  // self-loops fan out by their index among their siblings.
  std::map<std::pair<std::string, std::string>, int> siblings;
  for (const auto& t : info.transitions) {
    const int k = siblings[{std::min(t.from, t.to), std::max(t.from, t.to)}]++;
    const NodePlace& a = *at[t.from];
    const NodePlace& b = *at[t.to];
    const auto it = taken.find(EdgeKey(t));
    const int count = it == taken.end() ? 0 : it->second;
    std::string d;
    double lx, ly;
    if (t.from == t.to) {
      const double x = a.x + NodeWidth(a.state) / 2, r = 28 + 16 * k;
      d = absl::StrCat("M", Num(x), ",", Num(a.y - 6), " C", Num(x + r), ",", Num(a.y - 26), " ",
                       Num(x + r), ",", Num(a.y + 26), " ", Num(x), ",", Num(a.y + 6));
      lx = x + r * 0.75 + 4, ly = a.y + 4;
    } else {
      const bool down = b.rank > a.rank;
      const bool up = b.rank < a.rank;
      const double x1 = a.x, y1 = a.y + (down ? 1 : up ? -1 : 0) * kNodeHeight / 2;
      const double x2 = b.x, y2 = b.y + (down ? -1 : up ? 1 : 0) * kNodeHeight / 2;
      // Bend sideways: forward edges only when they share their ends with another edge.
      double bend = down ? 30.0 * k : 45 + 25.0 * k;
      if (!down && !up) bend = 35 + 20.0 * k;
      const double dx = x2 - x1, dy = y2 - y1, len = std::max(1.0, std::hypot(dx, dy));
      const double cx = (x1 + x2) / 2 - dy / len * bend, cy = (y1 + y2) / 2 + dx / len * bend;
      d = absl::StrCat("M", Num(x1), ",", Num(y1), " Q", Num(cx), ",", Num(cy), " ", Num(x2), ",",
                       Num(y2));
      lx = 0.25 * x1 + 0.5 * cx + 0.25 * x2, ly = 0.25 * y1 + 0.5 * cy + 0.25 * y2;
    }
    const char* kind = count > 0 ? "taken" : "plain";
    std::string label = t.event;
    if (count > 0 && show_counts) label += " \xC3\x97" + std::to_string(count);  // ×
    svg << "<g class=\"edge" << (count > 0 ? " taken" : "") << "\" data-edge=\""
        << EscapeHtml(EdgeKey(t)) << "\" data-count=\"" << count << "\"><title>"
        << EscapeHtml(t.from + " \xE2\x86\x92 " + t.to + " on " + t.event) << "</title><path d=\""
        << d << "\" fill=\"none\" stroke=\"" << (count > 0 ? kTaken : kPlain)
        << "\" stroke-width=\"" << (count > 0 ? 3 : 1) << "\" marker-end=\"url(#arrow-" << kind
        << "-" << id << ")\"/><text x=\"" << Num(lx) << "\" y=\"" << Num(ly)
        << "\" text-anchor=\"middle\" fill=\"" << (count > 0 ? kTaken : "#555")
        << "\" font-weight=\"" << (count > 0 ? "bold" : "normal")
        << "\" paint-order=\"stroke\" stroke=\"#fff\" stroke-width=\"3\">" << EscapeHtml(label)
        << "</text></g>\n";
  }
  std::map<std::string, bool> visited;
  for (const auto& [key, count] : taken) {
    if (count <= 0) continue;
    const size_t bar = key.find('|'), last = key.rfind('|');
    visited[key.substr(0, bar)] = visited[key.substr(last + 1)] = true;
  }
  for (const auto& n : layout.nodes) {
    const double w = NodeWidth(n.state);
    const bool on_path = visited.count(n.state) > 0;
    const bool initial = n.state == info.initial_state;
    svg << "<g class=\"state" << (on_path ? " visited" : "") << "\" data-state=\""
        << EscapeHtml(n.state) << "\"><rect x=\"" << Num(n.x - w / 2) << "\" y=\""
        << Num(n.y - kNodeHeight / 2) << "\" width=\"" << Num(w) << "\" height=\"" << kNodeHeight
        << "\" rx=\"8\" fill=\"" << (on_path ? "#e3f4ec" : "#fff") << "\" stroke=\""
        << (on_path ? kTaken : "#444") << "\" stroke-width=\"" << (initial ? 2.5 : 1.2)
        << "\"/><text x=\"" << Num(n.x) << "\" y=\"" << Num(n.y + 4)
        << "\" text-anchor=\"middle\" font-size=\"12\">" << EscapeHtml(n.state) << "</text></g>\n";
  }
  svg << "</svg>\n";
  return svg.str();
}

}  // namespace wijkflow::cli
