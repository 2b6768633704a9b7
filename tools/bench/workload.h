// The workload the engine benchmarks share: one district with a published subsidy round that is
// open, and paper Submits by the intake role into it, each a new initiative and one event.
#pragma once

#include <string>

#include "engine/engine.h"
#include "events/clock.h"

namespace wijkflow::bench {

// The district every benchmark instance lives in.
inline constexpr const char* kBenchDistrict = "feijenoord";

// Requests, sets and publishes the 2023 round of kBenchDistrict, moves `clock` to its period start
// and fires the timer that opens it. REQUIRES: an empty store behind `engine`, whose store and
// engine use `clock`. Throws std::runtime_error on failure.
void OpenBenchRound(engine::Engine* engine, SimulatedClock* clock);

// A Submit of new initiative `id` into the open round, by the intake role (paper, via Opzoomer
// Mee): exactly one event.
engine::CommandRequest SubmitRequest(const engine::Engine& engine, const std::string& id);

// Resident memory of process `pid` (0: this one) in MiB (VmRSS of /proc/<pid>/status), 0 if
// unknown.
double ResidentMiB(int pid = 0);

}  // namespace wijkflow::bench
