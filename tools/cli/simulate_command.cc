// wijkflow simulate --data DIR [--events N]: a realistic year generated through the engine into a
// new data directory (see tools/simulate/simulation.h).
#include <CLI/CLI.hpp>
#include <chrono>
#include <filesystem>
#include <iostream>

#include "engine/projection_runner.h"
#include "tools/cli/cli.h"
#include "tools/cli/common.h"
#include "tools/simulate/simulation.h"
#include "workflows/register_all.h"

namespace wijkflow::cli {
namespace {

struct SimulateArgs {
  std::string data = "data";
  simulation::Options options;
  bool durable = false;
};

void RunSimulation(const SimulateArgs& a) {
  if (std::filesystem::exists(a.data) && !std::filesystem::is_empty(a.data)) {
    Fail(a.data + " exists and is not empty: simulate into a new directory", 2);
  }
  const auto started = std::chrono::steady_clock::now();
  SimulatedClock clock(0);
  engine::WorkflowRegistry registry;
  workflows::RegisterAll(registry);
  StoreOptions options;
  options.clock = &clock;
  options.sync = a.durable;  // generated data: durability per command buys nothing here
  std::unique_ptr<EventStore> store;
  Status s = EventStore::Open(options, a.data, &store);
  if (!s.ok()) Fail(s.ToString());
  engine::Engine engine(store.get(), &registry, &clock);
  simulation::Report report;
  s = simulation::Simulate(a.options, &engine, &clock, &report);
  if (!s.ok()) Fail(s.ToString());
  engine::ProjectionRunner projections(store.get(), &registry);
  s = projections.CatchUp();
  if (!s.ok()) Fail(s.ToString());
  const double secs =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
  std::cout << "simulated " << report.initiatives << " initiatives: " << report.commands
            << " commands (" << report.rejected << " refused by the rules), " << report.timers_fired
            << " timers fired, " << store->LastPosition() << " events in " << secs << " s into "
            << a.data << "\n";
  for (const auto& [rule, n] : report.rejected_by)
    std::cout << "  refused: " << rule << " " << n << "\n";
}

}  // namespace

void AddSimulateCommand(CLI::App& app) {
  auto a = std::make_shared<SimulateArgs>();
  auto* c = app.add_subcommand("simulate", "generate a realistic year through the engine");
  c->add_option("--data", a->data, "new data directory")->capture_default_str();
  c->add_option("--year", a->options.year, "the year")->capture_default_str();
  c->add_option("--districts", a->options.districts, "districts (at most 40)")
      ->capture_default_str();
  c->add_option("--initiatives", a->options.initiatives, "initiatives in the year")
      ->capture_default_str();
  c->add_option("--events", a->options.events,
                "about this many events instead (scales the "
                "initiatives)");
  c->add_option("--seed", a->options.seed, "random seed")->capture_default_str();
  c->add_flag("--durable", a->durable, "sync every append (slow; the default is not to)");
  c->callback([a] { RunSimulation(*a); });
}

}  // namespace wijkflow::cli
