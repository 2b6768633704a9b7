// wijkflow-bench: the project's benchmarks, one subcommand each. Every subcommand prints a human
// table and, as its last line, one JSON object with its headline figures.
//
// Adding a benchmark: write tools/bench/<name>_bench.cc with an Add<Name>Bench(CLI::App&), declare
// it in bench.h, call it below and list the file in CMakeLists.txt.
#include <CLI/CLI.hpp>

#include "tools/bench/bench.h"

int main(int argc, char** argv) {
  CLI::App app{"wijkflow benchmarks"};
  app.require_subcommand(1);
  wijkflow::bench::AddAppendBench(app);
  wijkflow::bench::AddHttpBench(app);
  wijkflow::bench::AddCommandBench(app);
  wijkflow::bench::AddReplayBench(app);
  wijkflow::bench::AddRestartBench(app);
  wijkflow::bench::AddMemoryBench(app);
  wijkflow::bench::AddSoakBench(app);
  CLI11_PARSE(app, argc, argv);
  return 0;
}
