// The toggle workflow of the engine's tests (see toggle.proto), and a mandate authority that
// allows district manager "wm-ok" to decide up to 100 cents.
#pragma once

#include "engine/registry.h"

namespace wijkflow::testing {

void RegisterToggle(engine::WorkflowRegistry& registry);

}  // namespace wijkflow::testing
