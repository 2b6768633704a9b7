#include "workflows/register_all.h"

#include <cstdio>
#include <cstdlib>

#include "engine/registry.h"

namespace wijkflow::workflows {

// Generated (workflows/CMakeLists.txt): calls each folder's Register.
void RegisterFolders(engine::WorkflowRegistry& registry);

void RegisterAll(engine::WorkflowRegistry& registry) {
  RegisterFolders(registry);
  // A broken contract is a defect of the program, not of its input: no caller could go on.
  if (engine::Outcome o = registry.Check(); !o.ok()) {
    std::fprintf(stderr, "wijkflow: the workflows break the engine's contracts:\n%s\n",
                 o.message().c_str());
    std::abort();
  }
}

}  // namespace wijkflow::workflows
