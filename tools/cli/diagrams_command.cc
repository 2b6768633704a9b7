// wijkflow diagrams --out DIR: writes every workflow's state diagram, drawn from its transition
// table, as DIR/<workflow>.dot (Graphviz) and DIR/<workflow>.mmd (Mermaid).
#include <CLI/CLI.hpp>
#include <filesystem>
#include <fstream>
#include <iostream>

#include "engine/diagram.h"
#include "engine/registry.h"
#include "tools/cli/cli.h"
#include "workflows/register_all.h"

namespace wijkflow::cli {

void AddDiagramsCommand(CLI::App& app) {
  auto* cmd = app.add_subcommand("diagrams", "write each workflow's state diagram (dot, Mermaid)");
  auto out = std::make_shared<std::string>("docs/diagrams");
  cmd->add_option("--out", *out, "directory to write into")->capture_default_str();
  cmd->callback([out] {
    engine::WorkflowRegistry registry;
    workflows::RegisterAll(registry);
    std::filesystem::create_directories(*out);
    for (const auto& wf : registry.workflows()) {
      const engine::WorkflowInfo& info = wf->Info();
      const std::filesystem::path base = std::filesystem::path(*out) / info.name;
      std::ofstream(base.string() + ".dot") << engine::ToDot(info);
      std::ofstream(base.string() + ".mmd") << engine::ToMermaid(info);
      std::cout << base.string() << ".{dot,mmd}: " << info.states.size() << " states, "
                << info.transitions.size() << " transitions\n";
    }
    std::ofstream(std::filesystem::path(*out) / "README.md") << engine::DiagramsPage(registry);
  });
}

}  // namespace wijkflow::cli
