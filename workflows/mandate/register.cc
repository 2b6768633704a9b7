// The mandate register's part of the registry (called by the generated RegisterAll): the
// workflow, and the engine's mandate authority that reads it.
#include "engine/registry.h"
#include "workflows/mandate/mandate_workflow.h"

namespace wijkflow::workflows::mandate {

void Register(engine::WorkflowRegistry& registry) {
  registry.Add(NewMandateWorkflow());
  registry.SetMandateAuthority(NewMandateAuthority());
}

}  // namespace wijkflow::workflows::mandate
