// wijkflow history | state | explain <workflow> <id>: one instance, as an auditor reads it.
#include <CLI/CLI.hpp>
#include <cstdio>
#include <iostream>

#include "engine/json.h"
#include "tools/cli/cli.h"
#include "tools/cli/common.h"
#include "tools/cli/explain.h"

namespace wijkflow::cli {
namespace {

struct Target {
  std::string data = "data";
  std::string workflow;
  std::string id;
};

CLI::App* AddTarget(CLI::App& app, const char* name, const char* what, Target* t) {
  auto* cmd = app.add_subcommand(name, what);
  cmd->add_option("--data", t->data, "data directory")->capture_default_str();
  cmd->add_option("workflow", t->workflow, "e.g. initiatives")->required();
  cmd->add_option("id", t->id, "instance id")->required();
  return cmd;
}

void PrintHistory(const Target& t, bool json) {
  auto o = Open(t.data);
  std::vector<Step> steps = Timeline(*o, t.workflow, t.id);
  if (steps.empty()) Fail(t.workflow + "/" + t.id + " has no events", 3);
  if (json) {
    for (const Step& s : steps) std::cout << engine::ToCanonicalJson(s.envelope) << "\n";
    return;
  }
  std::printf("%s/%s: %zu events\n\n", t.workflow.c_str(), t.id.c_str(), steps.size());
  std::printf("%-3s %-20s %-20s %-26s %-24s %-17s %-28s %-10s %-8s %s\n", "v", "recorded",
              "effective", "event", "actor", "role", "in the name of", "mandate", "rule", "state");
  for (const Step& s : steps) {
    const EventEnvelope& e = s.envelope;
    const std::string type = e.event_type().substr(e.event_type().rfind('.') + 1);
    const std::string rule = s.payload ? StringField(*s.payload, "rule_version") : "";
    std::printf(
        "%-3llu %-20s %-20s %-26s %-24s %-17s %-28s %-10s %-8s %s -> %s\n",
        static_cast<unsigned long long>(e.stream_version()), FormatTime(e.recorded_at()).c_str(),
        FormatTime(e.effective_date()).c_str(),
        (type + (e.schema_version() > 1 ? " v" + std::to_string(e.schema_version()) : "")).c_str(),
        e.actor().id().c_str(), e.actor().role().c_str(), e.actor().on_behalf_of().c_str(),
        e.actor().mandate_ref().c_str(), rule.c_str(), s.before.c_str(), s.after.c_str());
  }
}

void PrintState(const Target& t, const std::string& as_of) {
  auto o = Open(t.data);
  std::optional<Micros> at;
  if (!as_of.empty()) at = ParseTimeOrThrow(as_of);
  engine::InstanceView v;
  engine::Outcome r = o->engine->Get(t.workflow, t.id, at, &v);
  if (!r.ok()) Fail(r.ToString(), 3);
  std::cout << "{\"workflow\":\"" << t.workflow << "\",\"id\":\"" << t.id << "\",\"state\":\""
            << v.instance->StateName() << "\",\"version\":" << v.version
            << (as_of.empty() ? "" : ",\"asOf\":\"" + as_of + "\"")
            << ",\"data\":" << engine::ToCanonicalJson(v.instance->Data()) << "}\n";
}

}  // namespace

void AddInstanceCommands(CLI::App& app) {
  auto history = std::make_shared<Target>();
  auto json = std::make_shared<bool>(false);
  auto* h = AddTarget(app, "history",
                      "the timeline of one instance: who, when, under which rule "
                      "and mandate, state before -> after",
                      history.get());
  h->add_flag("--json", *json, "envelopes as JSON lines instead of a table");
  h->callback([history, json] { PrintHistory(*history, *json); });

  auto state = std::make_shared<Target>();
  auto as_of = std::make_shared<std::string>();
  auto* s =
      AddTarget(app, "state", "an instance's state, now or as it stood at a moment", state.get());
  s->add_option("--as-of", *as_of, "RFC 3339, e.g. 2023-10-01T00:00:00Z");
  s->callback([state, as_of] { PrintState(*state, *as_of); });

  auto explain = std::make_shared<Target>();
  auto* x =
      AddTarget(app, "explain", "why an instance is where it is, in plain words", explain.get());
  x->callback([explain] {
    auto o = Open(explain->data);
    std::cout << Explain(*o, explain->workflow, explain->id);
  });
}

}  // namespace wijkflow::cli
