// Plugs every workflow, its projections and the mandate authority into a registry.
#pragma once

namespace wijkflow::engine {
class WorkflowRegistry;
}

namespace wijkflow::workflows {

// Calls the Register function of every workflow folder (the list is generated from the folders
// under workflows/ at build time), then checks the registry's contracts: a workflow that breaks
// one stops the program here, with a message naming it and what is wrong. Call once at start-up.
void RegisterAll(engine::WorkflowRegistry& registry);

}  // namespace wijkflow::workflows
