// Runs a scenario (JSON lines of wijkflow.ScenarioStep, see proto/wijkflow/scenario.proto)
// through the engine on a simulated clock. Before each step the clock moves to the step's "at",
// and every timer that falls due on the way fires in order, as it would have in real time.
#pragma once

#include <iosfwd>
#include <string>

#include "engine/engine.h"

namespace wijkflow::scenario {

struct Report {
  int steps = 0;
  int rejected_as_expected = 0;
  size_t timers_fired = 0;
};

// Stops at the first step whose outcome differs from what it expects (success unless "expect"
// names a rule or outcome kind), returning InvalidArgument with the step's line and why.
Status Run(std::istream& steps, engine::Engine* engine, SimulatedClock* clock, Report* report);

// Moves the clock to `t`, firing due timers in time order on the way.
size_t AdvanceTo(Micros t, engine::Engine* engine, SimulatedClock* clock);

// RFC 3339 (e.g. "2023-10-01T09:00:00Z") to microseconds; false if malformed.
bool ParseTime(const std::string& text, Micros* t);

}  // namespace wijkflow::scenario
