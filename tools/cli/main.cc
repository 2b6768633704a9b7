#include <CLI/CLI.hpp>

#include "tools/cli/cli.h"

int main(int argc, char** argv) {
  CLI::App app{"wijkflow: replay, explain and verify decision histories"};
  app.require_subcommand(1);
  wijkflow::cli::AddInstanceCommands(app);
  wijkflow::cli::AddStoreCommands(app);
  wijkflow::cli::AddExportCommand(app);
  wijkflow::cli::AddSimulateCommand(app);
  wijkflow::cli::AddDiagramsCommand(app);
  wijkflow::cli::AddReportCommand(app);
  CLI11_PARSE(app, argc, argv);
  return 0;
}
