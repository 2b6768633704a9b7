// Diagrams of a workflow, drawn from its transition table (WorkflowInfo comes from the MSM table
// itself, see DescribeMachine), so that a picture cannot drift from the machine it shows.
#pragma once

#include <string>
#include <vector>

#include "engine/registry.h"
#include "engine/workflow.h"

namespace wijkflow::engine {

// Graphviz dot: one node per state, one edge per transition labelled with its event.
// `highlight`: transitions to draw bold (e.g. the path one instance took), as from/event/to.
std::string ToDot(const WorkflowInfo& info, const std::vector<Transition>& highlight = {});

// A Mermaid stateDiagram-v2 of the same.
std::string ToMermaid(const WorkflowInfo& info);

// A Markdown page with every registered workflow's Mermaid diagram (docs/diagrams/README.md).
std::string DiagramsPage(const WorkflowRegistry& registry);

}  // namespace wijkflow::engine
