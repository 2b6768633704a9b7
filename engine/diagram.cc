#include "engine/diagram.h"

#include <algorithm>

namespace wijkflow::engine {
namespace {

// Mermaid state ids may not contain '-'.
std::string MermaidId(const std::string& state) {
  std::string id = state;
  std::replace(id.begin(), id.end(), '-', '_');
  return id;
}

bool Same(const Transition& a, const Transition& b) {
  return a.from == b.from && a.event == b.event && a.to == b.to;
}

}  // namespace

std::string ToDot(const WorkflowInfo& info, const std::vector<Transition>& highlight) {
  std::string out =
      "digraph \"" + info.name + "\" {\n  rankdir=LR;\n  node [shape=box, style=rounded];\n";
  out += "  \"" + info.initial_state + "\" [shape=circle, label=\"" + info.initial_state + "\"];\n";
  for (const Transition& t : info.transitions) {
    bool bold = std::any_of(highlight.begin(), highlight.end(),
                            [&](const Transition& h) { return Same(h, t); });
    out += "  \"" + t.from + "\" -> \"" + t.to + "\" [label=\"" + t.event + "\"";
    if (bold) out += ", penwidth=3, color=\"#0b6e4f\", fontcolor=\"#0b6e4f\"";
    out += "];\n";
  }
  return out + "}\n";
}

std::string ToMermaid(const WorkflowInfo& info) {
  std::string out = "stateDiagram-v2\n";
  out += "  [*] --> " + MermaidId(info.initial_state) + "\n";
  for (const std::string& s : info.states) {
    if (MermaidId(s) != s) out += "  state \"" + s + "\" as " + MermaidId(s) + "\n";
  }
  for (const Transition& t : info.transitions) {
    out += "  " + MermaidId(t.from) + " --> " + MermaidId(t.to) + ": " + t.event + "\n";
  }
  return out;
}

std::string DiagramsPage(const WorkflowRegistry& registry) {
  std::string page =
      "# Workflow diagrams\n\nDrawn from each workflow's transition table by `wijkflow diagrams "
      "--out docs/diagrams`; a test fails while they differ from the tables. Graphviz sources "
      "sit beside this page (`<workflow>.dot`).\n";
  for (const auto& wf : registry.workflows()) {
    const WorkflowInfo& info = wf->Info();
    page += "\n## " + info.name + "\n\n" + std::to_string(info.states.size()) + " states, " +
            std::to_string(info.transitions.size()) + " transitions, definition version " +
            std::to_string(info.definition_version) + ".\n\n```mermaid\n" + ToMermaid(info) +
            "```\n";
  }
  return page;
}

}  // namespace wijkflow::engine
