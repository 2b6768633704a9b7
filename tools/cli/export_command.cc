// wijkflow export: events or decisions as JSON lines or CSV, filtered by district, period,
// workflow and decider; or the raw log, for `wijkflow import`.
#include <CLI/CLI.hpp>
#include <iostream>
#include <map>

#include "adapters/export/log_jsonl.h"
#include "engine/json.h"
#include "engine/payload_decoder.h"
#include "tools/cli/cli.h"
#include "tools/cli/common.h"
#include "workflows/common/time.h"

namespace wijkflow::cli {
namespace {

struct Filter {
  std::string data = "data";
  std::string what = "decisions";
  std::string format = "jsonl";
  std::string district, workflow, decider, from, until;
};

std::string Csv(const std::string& s) {
  if (s.find_first_of(",\"\n") == std::string::npos) return s;
  std::string q = "\"";
  for (char c : s) q += c == '"' ? std::string("\"\"") : std::string(1, c);
  return q + "\"";
}

std::string JsonString(std::string_view s) {
  std::string q;
  engine::AppendJsonString(&q, s);
  return q;
}

void Export(const Filter& f) {
  auto o = Open(f.data);
  const Micros from = f.from.empty() ? INT64_MIN : ParseTimeOrThrow(f.from);
  const Micros until = f.until.empty() ? INT64_MAX : ParseTimeOrThrow(f.until);
  if (f.what == "log") {  // the raw log, as `import` reads it back
    Status s = exporter::WriteLogJsonl(*o->store, 1, std::cout);
    if (!s.ok()) Fail(s.ToString());
    return;
  }
  const bool decisions = f.what == "decisions";
  const bool csv = f.format == "csv";
  static const char* kColumns[] = {"position",     "recorded", "effective",    "workflow",
                                   "id",           "event",    "decider",      "role",
                                   "on_behalf_of", "mandate",  "rule_version", "amount_cents",
                                   "district",     "reasons"};
  if (csv) {
    for (size_t i = 0; i < std::size(kColumns); ++i) std::cout << (i ? "," : "") << kColumns[i];
    std::cout << "\n";
  }
  std::map<std::string, std::string> district_of;  // stream -> district, as first recorded
  // One pass over the log with the scan that reads it fastest; each event carries its own hashes
  // (`wijkflow verify` checks the chains).
  engine::PayloadDecoder decoder;
  google::protobuf::Arena arena;
  Status s = o->store->ScanAll(1, [&](const EventEnvelope& e) {
    arena.Reset();  // the payload before this one is done with
    const engine::Message* payload = decoder.Decode(e, &arena);
    if (!payload) return true;
    std::string& district = district_of[e.stream_id()];
    if (district.empty()) district = StringField(*payload, "district");
    const std::string rule = StringField(*payload, "rule_version");
    const Micros at = workflows::ToMicros(e.effective_date());
    // A decision records the rule it was taken under and its reasons (Awb 3:46).
    const bool decision = !rule.empty() && payload->GetDescriptor()->FindFieldByName("reasons");
    if ((decisions && !decision) || at < from || at >= until) return true;
    if ((!f.district.empty() && district != f.district) ||
        (!f.workflow.empty() && e.workflow() != f.workflow) ||
        (!f.decider.empty() && e.actor().id() != f.decider)) {
      return true;
    }
    const std::string id = e.stream_id().substr(e.stream_id().find('/') + 1);
    const std::string type = e.event_type().substr(e.event_type().rfind('.') + 1);
    const std::vector<std::string> row = {std::to_string(e.position()),
                                          FormatTime(e.recorded_at()),
                                          FormatTime(e.effective_date()),
                                          e.workflow(),
                                          id,
                                          type,
                                          e.actor().id(),
                                          e.actor().role(),
                                          e.actor().on_behalf_of(),
                                          e.actor().mandate_ref(),
                                          rule,
                                          std::to_string(IntField(*payload, "amount_cents")),
                                          district,
                                          StringField(*payload, "reasons")};
    if (csv) {
      for (size_t i = 0; i < row.size(); ++i) std::cout << (i ? "," : "") << Csv(row[i]);
      std::cout << "\n";
    } else if (decisions) {
      std::cout << "{";
      for (size_t i = 0; i < row.size(); ++i) {
        std::cout << (i ? "," : "") << JsonString(kColumns[i]) << ":" << JsonString(row[i]);
      }
      std::cout << "}\n";
    } else {
      std::cout << "{\"envelope\":" << engine::ToCanonicalJson(e)
                << ",\"event\":" << engine::ToCanonicalJson(*payload) << "}\n";
    }
    return true;
  });
  // A log that cannot be read to its end must not pass for a complete export.
  if (!s.ok()) Fail("export stopped: " + s.ToString());
}

}  // namespace

void AddExportCommand(CLI::App& app) {
  auto f = std::make_shared<Filter>();
  auto* c = app.add_subcommand("export", "decisions or events as JSON lines or CSV");
  c->add_option("--data", f->data, "data directory")->capture_default_str();
  c->add_option("--what", f->what,
                "decisions, events (with decoded payloads), or log (for import; no filters)")
      ->check(CLI::IsMember({"decisions", "events", "log"}))
      ->capture_default_str();
  c->add_option("--format", f->format, "jsonl or csv")
      ->check(CLI::IsMember({"jsonl", "csv"}))
      ->capture_default_str();
  c->add_option("--district", f->district, "only this district");
  c->add_option("--workflow", f->workflow, "only this workflow");
  c->add_option("--decider", f->decider, "only acts of this actor id");
  c->add_option("--from", f->from, "effective at or after (RFC 3339)");
  c->add_option("--until", f->until, "effective before (RFC 3339)");
  c->callback([f] { Export(*f); });
}

}  // namespace wijkflow::cli
