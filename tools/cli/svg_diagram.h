// A workflow's state diagram as inline SVG, drawn from its transition table (WorkflowInfo), so
// that a report needs no Graphviz and no script to show the path an instance took.
//
// Layout: states are layered by their breadth-first distance from the initial state (states the
// BFS does not reach go in one last layer), top to bottom; within a layer, in the table's order.
// Forward edges are straight; edges within a layer or back up are curved aside, so that every
// transition stays visible on its own.
#pragma once

#include <map>
#include <string>
#include <vector>

#include "engine/workflow.h"

namespace wijkflow::cli {

struct NodePlace {
  std::string state;
  int rank = 0;         // BFS distance from the initial state
  double x = 0, y = 0;  // centre, in SVG user units
};

struct DiagramLayout {
  std::vector<NodePlace> nodes;  // one per distinct state, initial state first
  double width = 0, height = 0;
};

DiagramLayout LayoutDiagram(const engine::WorkflowInfo& info);

// "from|event|to", the key by which taken transitions are counted.
std::string EdgeKey(const engine::Transition& t);

// The diagram as an <svg> element. `taken` counts, per EdgeKey, how often a transition was
// taken; those are highlighted and, when `show_counts`, labelled with their count. Every state is
// one <g class="state" data-state=...>, every transition one <g class="edge" data-edge=...>.
std::string ToSvg(const engine::WorkflowInfo& info, const std::map<std::string, int>& taken,
                  bool show_counts);

}  // namespace wijkflow::cli
