// Simulation: a realistic year of one city, generated through the engine (every event is the
// outcome of a real command, checked by the real rules), for demos, tests and benchmarks.
//
// The default is Rotterdam's 2023 (seed letter): 1,973 initiatives across 40 districts, each with
// a subsidy round for the year; requests of EUR 100 - 20,000, most small; digital, e-mail and paper
// intake; incomplete requests completed or set aside; withdrawals; before 2023-10-01 large
// requests go to a residents' vote and the executive decides, from then on the council decides
// or its district manager under a mandate up to EUR 2,500; refusals, some objected to;
// publication, accounts and settlement, a few lower. Timers (deadlines, objection windows, round
// closing) fire as the simulated clock passes them.
#pragma once

#include <cstdint>
#include <map>
#include <string>

#include "engine/engine.h"

namespace wijkflow::simulation {

struct Options {
  int year = 2023;
  int districts = 40;      // at most the 40 named ones
  int initiatives = 1973;  // ignored when events > 0
  uint64_t events = 0;     // > 0: about this many events (initiatives scaled to match)
  uint64_t seed = 2023;
};

struct Report {
  uint64_t commands = 0;
  uint64_t rejected = 0;  // commands the rules refused (e.g. a grant beyond the ceiling)
  std::map<std::string, uint64_t> rejected_by;  // by rule name (or outcome kind)
  uint64_t timers_fired = 0;
  int initiatives = 0;
};

// Runs the year through `engine`, whose store must use `clock`. REQUIRES: an empty store, and the
// workflows of workflows::RegisterAll.
Status Simulate(const Options& options, engine::Engine* engine, SimulatedClock* clock,
                Report* report);

}  // namespace wijkflow::simulation
