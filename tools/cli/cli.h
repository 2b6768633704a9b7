// wijkflow: the command line for operators and auditors. One file per subcommand; each adds
// itself to the app with an Add...Command below, and main.cc calls them all.
#pragma once

namespace CLI {
class App;
}

namespace wijkflow::cli {

void AddDiagramsCommand(CLI::App& app);
void AddExportCommand(CLI::App& app);
void AddInstanceCommands(CLI::App& app);  // history, state, explain
void AddReportCommand(CLI::App& app);     // report --html
void AddSimulateCommand(CLI::App& app);
void AddStoreCommands(CLI::App& app);  // verify, stats, rebuild-projections, backup, restore

}  // namespace wijkflow::cli
