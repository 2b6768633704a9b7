// wijkflow report --html: an auditor's page for one instance (--workflow W --id I) or for a
// district over a period (--district D [--from T] [--until T]): its timeline, its decisions, the
// budget of the district's rounds, the path taken on each workflow's state diagram, and whether
// the log's hash chains verify. Reads the data directory read-only; writes one HTML file.
#include <CLI/CLI.hpp>
#include <chrono>
#include <fstream>
#include <iostream>
#include <map>

#include "tools/cli/cli.h"
#include "tools/cli/common.h"
#include "tools/cli/report_html.h"
#include "tools/cli/svg_diagram.h"
#include "wijkflow/subsidy_round.pb.h"
#include "workflows/common/time.h"

namespace wijkflow::cli {
namespace {

struct Options {
  std::string data = "data";
  std::string out;
  std::string workflow, id, district, from, until;
  bool html = false;
};

std::string Base64(const std::string& bytes) {
  static const char kAlphabet[] =
      "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
  std::string out;
  for (size_t i = 0; i < bytes.size(); i += 3) {
    uint32_t n = static_cast<uint8_t>(bytes[i]) << 16;
    if (i + 1 < bytes.size()) n |= static_cast<uint8_t>(bytes[i + 1]) << 8;
    if (i + 2 < bytes.size()) n |= static_cast<uint8_t>(bytes[i + 2]);
    out += kAlphabet[(n >> 18) & 63];
    out += kAlphabet[(n >> 12) & 63];
    out += i + 1 < bytes.size() ? kAlphabet[(n >> 6) & 63] : '=';
    out += i + 2 < bytes.size() ? kAlphabet[n & 63] : '=';
  }
  return out;
}

std::string ShortType(const std::string& type) { return type.substr(type.rfind('.') + 1); }
std::string IdOf(const EventEnvelope& e) {
  return e.stream_id().substr(e.stream_id().find('/') + 1);
}

// Adds one replayed event to the report's timeline, decisions and taken transitions.
void AddStep(const Step& s, Report& r, std::map<std::string, std::map<std::string, int>>& taken) {
  const EventEnvelope& e = s.envelope;
  const std::string rule = s.payload ? StringField(*s.payload, "rule_version") : "";
  r.timeline.push_back({FormatTime(e.recorded_at()), FormatTime(e.effective_date()), e.workflow(),
                        IdOf(e), ShortType(e.event_type()), e.actor().id(), e.actor().role(),
                        e.actor().on_behalf_of(), e.actor().mandate_ref(), rule, s.before,
                        s.after});
  ++taken[e.workflow()][EdgeKey({s.before, ShortType(e.event_type()), s.after})];
  // A decision records the rule it was taken under and its reasons (Awb 3:46).
  if (rule.empty() || !s.payload->GetDescriptor()->FindFieldByName("reasons")) return;
  r.decisions.push_back({FormatTime(e.effective_date()), e.workflow(), IdOf(e),
                         ShortType(e.event_type()), e.actor().id(), e.actor().role(),
                         e.actor().mandate_ref(), e.actor().on_behalf_of(), rule,
                         IntField(*s.payload, "amount_cents"), StringField(*s.payload, "reasons")});
}

// Every stream's district, as its first event records it (a mandate register's id is its
// district), in one pass over the log; and, when `keep` is given, that district's events.
std::map<std::string, std::string> Districts(Opened& o, const std::string& keep,
                                             std::vector<EventEnvelope>* kept) {
  std::map<std::string, std::string> district_of;
  std::vector<EventEnvelope> events;
  for (uint64_t next = 1;;) {
    events.clear();
    if (!o.store->ReadAll(next, 4096, &events).ok() || events.empty()) break;
    next = events.back().position() + 1;  // before the events are moved from
    for (auto& e : events) {
      auto [it, fresh] = district_of.try_emplace(e.stream_id());
      if (fresh) {
        auto payload = engine::DecodePayload(e);
        if (payload) it->second = StringField(*payload, "district");
        if (it->second.empty() && e.workflow() == "mandates") it->second = IdOf(e);
      }
      if (kept != nullptr && it->second == keep) kept->push_back(std::move(e));
    }
  }
  return district_of;
}

// The district's events effective in [from, until), each with the states it moved between.
// Every stream is replayed from its start, so that states before the period are right.
void DistrictSteps(Opened& o, std::vector<EventEnvelope> events, Micros from, Micros until,
                   Report& r, std::map<std::string, std::map<std::string, int>>& taken) {
  std::map<std::string, std::unique_ptr<engine::Instance>> instances;
  for (EventEnvelope& e : events) {
    const engine::Workflow* wf = o.registry.Find(e.workflow());
    if (wf == nullptr) continue;
    auto& inst = instances[e.stream_id()];
    if (!inst) inst = wf->NewInstance(e.definition_version());
    Step s;
    s.payload = engine::DecodePayload(e);
    s.before = std::string(inst->StateName());
    s.after = s.payload && inst->Apply(e, *s.payload).ok() ? std::string(inst->StateName())
                                                           : "<does not replay>";
    const Micros at = workflows::ToMicros(e.effective_date());
    if (at < from || at >= until || !s.payload) continue;
    s.envelope = std::move(e);
    AddStep(s, r, taken);
  }
}

void AddRounds(Opened& o, const std::map<std::string, std::string>& district_of,
               const std::string& district, Report& r) {
  for (const auto& [stream, d] : district_of) {
    if (d != district || stream.rfind("subsidy-rounds/", 0) != 0) continue;
    const std::string id = stream.substr(stream.find('/') + 1);
    engine::InstanceView v;
    if (!o.engine->Get("subsidy-rounds", id, std::nullopt, &v).ok()) continue;
    const auto& b = static_cast<const round::RoundData&>(v.instance->Data());
    r.rounds.push_back({id, std::string(v.instance->StateName()), b.ceiling_cents(),
                        b.reserved_cents(), b.granted_cents(), b.released_cents(),
                        b.settled_cents()});
  }
}

void AddIntegrity(Opened& o, Report& r) {
  VerifyReport v = o.store->Verify();
  r.integrity.ok = v.ok;
  r.integrity.events_checked = v.events_checked;
  r.integrity.streams_checked = v.streams_checked;
  if (!v.ok) {
    r.integrity.broken = "first broken link at position " + std::to_string(v.position) +
                         ", stream " + v.stream_id + " version " +
                         std::to_string(v.stream_version) + ": " + v.reason;
  }
  r.integrity.last_position = o.store->LastPosition();
  std::vector<EventEnvelope> last;
  if (r.integrity.last_position > 0 && o.store->ReadAll(r.integrity.last_position, 1, &last).ok() &&
      !last.empty()) {
    r.integrity.last_global_hash = Base64(last.back().global_hash());
  }
}

void Run(const Options& opt) {
  const bool instance = !opt.workflow.empty() || !opt.id.empty();
  if (instance == !opt.district.empty() || (instance && (opt.workflow.empty() || opt.id.empty()))) {
    throw CLI::ValidationError("report",
                               "give either --workflow and --id, or --district [--from --until]");
  }
  if (instance && (!opt.from.empty() || !opt.until.empty())) {
    throw CLI::ValidationError("report", "--from and --until apply to a district report");
  }
  auto o = Open(opt.data);
  Report r;
  r.generated = workflows::FormatTime(std::chrono::duration_cast<std::chrono::microseconds>(
                                          std::chrono::system_clock::now().time_since_epoch())
                                          .count());
  std::map<std::string, std::map<std::string, int>> taken;  // workflow -> edge -> count
  std::string district = opt.district;
  if (instance) {
    std::vector<Step> steps = Timeline(*o, opt.workflow, opt.id);
    if (steps.empty()) Fail(opt.workflow + "/" + opt.id + " has no events", 3);
    for (const Step& s : steps) {
      if (district.empty() && s.payload) district = StringField(*s.payload, "district");
      AddStep(s, r, taken);
    }
    r.title = "Audit report: " + opt.workflow + "/" + opt.id;
    r.covers = "Every event of " + opt.workflow + "/" + opt.id +
               (district.empty() ? "" : " (district " + district + ")") + ", " +
               std::to_string(steps.size()) + " events from " + r.timeline.front().effective +
               " to " + r.timeline.back().effective + "; it is now " + steps.back().after;
    taken.try_emplace(opt.workflow);
  } else {
    const Micros from = opt.from.empty() ? INT64_MIN : ParseTimeOrThrow(opt.from);
    const Micros until = opt.until.empty() ? INT64_MAX : ParseTimeOrThrow(opt.until);
    std::vector<EventEnvelope> events;
    auto district_of = Districts(*o, district, &events);
    DistrictSteps(*o, std::move(events), from, until, r, taken);
    r.title = "Audit report: district " + district;
    r.covers = "Events of district " + district + " effective " +
               (opt.from.empty() ? "from the start" : "from " + opt.from) +
               (opt.until.empty() ? " until now" : " until (not including) " + opt.until) + ": " +
               std::to_string(r.timeline.size()) + " events, " +
               std::to_string(r.decisions.size()) + " decisions";
    AddRounds(*o, district_of, district, r);
  }
  if (instance && !district.empty()) AddRounds(*o, Districts(*o, "", nullptr), district, r);
  // One diagram per workflow the report touches, in the registry's order.
  for (const auto& wf : o->registry.workflows()) {
    auto it = taken.find(wf->Info().name);
    if (it != taken.end()) r.diagrams.push_back({wf->Info(), it->second, !instance});
  }
  AddIntegrity(*o, r);

  std::ofstream file(opt.out, std::ios::binary | std::ios::trunc);
  file << RenderHtml(r);
  file.close();
  if (!file) Fail("cannot write " + opt.out);
  std::cout << "wrote " << opt.out << ": " << r.timeline.size() << " events, " << r.decisions.size()
            << " decisions, " << r.rounds.size() << " rounds; log "
            << (r.integrity.ok ? "verifies" : "does NOT verify") << "\n";
}

}  // namespace

void AddReportCommand(CLI::App& app) {
  auto opt = std::make_shared<Options>();
  auto* c = app.add_subcommand("report", "an auditor's report of an instance or a district");
  c->add_flag("--html", opt->html, "one self-contained HTML page (the only format so far)")
      ->required();
  c->add_option("--data", opt->data, "data directory")->capture_default_str();
  c->add_option("--out", opt->out, "the HTML file to write")->required();
  c->add_option("--workflow", opt->workflow, "the instance's workflow, e.g. initiatives");
  c->add_option("--id", opt->id, "the instance's id");
  c->add_option("--district", opt->district, "a district, e.g. feijenoord");
  c->add_option("--from", opt->from, "district: effective at or after (RFC 3339)");
  c->add_option("--until", opt->until, "district: effective before (RFC 3339)");
  c->callback([opt] { Run(*opt); });
}

}  // namespace wijkflow::cli
