// The golden history: a recorded log from both rule eras (history.jsonl, made from scenario.jsonl)
// and what replaying it must give (expected.txt): every instance's path of states and final data,
// and every projection's model. Replay must keep giving exactly this after every later change;
// changing expected.txt is a deliberate act (`wijkflow-golden expect`), never a side effect.
#pragma once

#include <string>
#include <vector>

#include "engine/engine.h"
#include "engine/projection_runner.h"

namespace wijkflow::golden {

// Runs the scenario into a fresh store in `dir` and writes the log as JSON lines to `history`.
Status Record(const std::string& scenario, const std::string& dir, const std::string& history);

// Imports `history` into a fresh store in `dir` (checking that every hash reproduces), replays it
// and describes the result as text: one block per instance, one line per projection entry.
Status Replay(const std::string& history, const std::string& dir, std::string* description);

}  // namespace wijkflow::golden
