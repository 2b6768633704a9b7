// Explain: why an instance is where it is, in plain words: each step with who took it, in whose
// name and under which mandate, the rule version it was decided under, the reasons, and the
// checks that applied then (the mandate in force, the round's ceiling, the decision deadline),
// read from the recorded history as it stood at that moment.
#pragma once

#include <string>

#include "tools/cli/common.h"

namespace wijkflow::cli {

std::string Explain(Opened& o, const std::string& workflow, const std::string& id);

}  // namespace wijkflow::cli
