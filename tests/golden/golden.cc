#include "tests/golden/golden.h"

#include <fstream>
#include <map>
#include <sstream>

#include "absl/strings/str_cat.h"
#include "adapters/export/log_jsonl.h"
#include "engine/json.h"
#include "tools/scenario/scenario.h"
#include "workflows/register_all.h"

namespace wijkflow::golden {
namespace {

// The moment the golden history starts; the scenario moves on from here.
constexpr Micros kStart = 1'672'531'200'000'000;  // 2023-01-01T00:00:00Z

// Every instance: the state after each of its events, then its data.
void DescribeInstances(const std::vector<EventEnvelope>& log, engine::Engine& engine,
                       std::ostringstream& out) {
  std::map<std::string, std::vector<const EventEnvelope*>> streams;
  for (const auto& e : log) streams[e.stream_id()].push_back(&e);
  const auto& registry = engine.registry();
  for (const auto& [stream, events] : streams) {
    const engine::Workflow* wf = registry.Find(events[0]->workflow());
    out << stream << "\n  path:";
    auto inst = wf->NewInstance(events[0]->definition_version());
    for (const EventEnvelope* e : events) {
      auto payload = engine::DecodePayload(*e);
      engine::Outcome o = payload ? inst->Apply(*e, *payload) : engine::Outcome::NotFound("type");
      out << " "
          << (o.ok() ? std::string(inst->StateName()) : absl::StrCat("<", o.ToString(), ">"));
    }
    engine::InstanceView v;
    const std::string id = stream.substr(stream.find('/') + 1);
    engine::Outcome o = engine.Get(events[0]->workflow(), id, std::nullopt, &v);
    out << "\n  now: " << (o.ok() ? std::string(v.instance->StateName()) : o.ToString()) << " v"
        << v.version << "\n  data: " << (o.ok() ? engine::ToCanonicalJson(v.instance->Data()) : "")
        << "\n";
  }
}

void DescribeProjections(const engine::WorkflowRegistry& registry,
                         const engine::ProjectionRunner& runner, std::ostringstream& out) {
  for (const auto& p : registry.projections()) {
    const std::string name(p->Name());
    (void)runner.Scan(name, "", "", [&](const std::string& key, const std::string& value) {
      std::string shown = value;
      if (const engine::Message* type = p->ValueType()) {
        std::unique_ptr<engine::Message> m(type->New());
        shown = m->ParseFromString(value) ? engine::ToCanonicalJson(*m) : "<unparsable>";
      }
      out << name << " " << key << " " << shown << "\n";
      return true;
    });
  }
}

}  // namespace

Status Record(const std::string& scenario, const std::string& dir, const std::string& history) {
  SimulatedClock clock(kStart);
  engine::WorkflowRegistry registry;
  workflows::RegisterAll(registry);
  StoreOptions options;
  options.clock = &clock;
  std::unique_ptr<EventStore> store;
  Status s = EventStore::Open(options, dir, &store);
  if (!s.ok()) return s;
  engine::Engine engine(store.get(), &registry, &clock);
  std::ifstream in(scenario);
  if (!in) return Status::NotFound("cannot read " + scenario);
  scenario::Report report;
  s = scenario::Run(in, &engine, &clock, &report);
  if (!s.ok()) return s;
  std::ofstream out(history);
  return exporter::WriteLogJsonl(*store, 1, out);
}

Status Replay(const std::string& history, const std::string& dir, std::string* description) {
  std::vector<EventEnvelope> log;
  std::ifstream in(history);
  if (!in) return Status::NotFound("cannot read " + history);
  Status s = exporter::ReadLogJsonl(in, &log);
  if (!s.ok()) return s;
  SimulatedClock clock(kStart);
  engine::WorkflowRegistry registry;
  workflows::RegisterAll(registry);
  StoreOptions options;
  options.clock = &clock;
  options.sync = false;  // a scratch copy
  std::unique_ptr<EventStore> store;
  s = EventStore::Open(options, dir, &store);
  if (!s.ok()) return s;
  s = exporter::Import(log, &clock, store.get());
  if (!s.ok()) return s;
  VerifyReport verify = store->Verify();
  if (!verify.ok) return Status::Corruption("verify: " + verify.reason);

  std::ostringstream out;
  engine::Engine engine(store.get(), &registry, &clock, {.cache_entries = 0});
  DescribeInstances(log, engine, out);
  engine::ProjectionRunner runner(store.get(), &registry);
  s = runner.CatchUp();
  if (!s.ok()) return s;
  DescribeProjections(registry, runner, out);
  *description = out.str();
  return Status::OK();
}

}  // namespace wijkflow::golden
