// wijkflow-golden: makes the golden history and its expected replay.
//   wijkflow-golden record   runs tests/golden/scenario.jsonl into tests/golden/history.jsonl
//   wijkflow-golden expect   replays history.jsonl into tests/golden/expected.txt
// Re-recording replaces the history itself: do it only to add to the golden history, never to
// make a failing replay pass.
#include <CLI/CLI.hpp>
#include <fstream>
#include <iostream>

#include "tests/golden/golden.h"
#include "tests/testing/temp_dir.h"

int main(int argc, char** argv) {
  CLI::App app{"wijkflow-golden: record the golden history, or its expected replay"};
  std::string dir = "tests/golden";
  app.add_option("--dir", dir, "the golden folder")->capture_default_str();
  auto* record = app.add_subcommand("record", "run scenario.jsonl into history.jsonl");
  auto* expect = app.add_subcommand("expect", "replay history.jsonl into expected.txt");
  app.require_subcommand(1);
  CLI11_PARSE(app, argc, argv);

  wijkflow::testing::TempDir scratch;
  wijkflow::Status s;
  if (record->parsed()) {
    s = wijkflow::golden::Record(dir + "/scenario.jsonl", scratch.Sub("db"),
                                 dir + "/history.jsonl");
  }
  if (expect->parsed()) {
    std::string text;
    s = wijkflow::golden::Replay(dir + "/history.jsonl", scratch.Sub("db"), &text);
    if (s.ok()) std::ofstream(dir + "/expected.txt") << text;
  }
  if (!s.ok()) {
    std::cerr << "wijkflow-golden: " << s.ToString() << "\n";
    return 1;
  }
  return 0;
}
