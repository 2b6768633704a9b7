// Plugs every workflow, its projections and the mandate authority into a registry.
#pragma once

namespace wijkflow::engine {
class WorkflowRegistry;
}

namespace wijkflow::workflows {

// Registers "initiatives", "subsidy-rounds", "mandates" and "district-agreements"; the
// projections "initiatives", "round-budget", "decision-register", "publication-feed" and
// "agreement-progress"; and the mandate register as the engine's MandateAuthority. Call once at
// start-up.
void RegisterAll(engine::WorkflowRegistry& registry);

}  // namespace wijkflow::workflows
