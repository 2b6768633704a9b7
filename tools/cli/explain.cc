#include "tools/cli/explain.h"

#include <sstream>

#include "wijkflow/initiative.pb.h"
#include "wijkflow/mandate.pb.h"
#include "wijkflow/subsidy_round.pb.h"
#include "workflows/common/time.h"
#include "workflows/initiative/rules.h"
#include "workflows/mandate/mandate_workflow.h"

namespace wijkflow::cli {
namespace {

Micros At(const google::protobuf::Timestamp& t) { return workflows::ToMicros(t); }

// An instance as it stood just before (`before`) or just after the append at `t`.
const engine::Message* DataAt(Opened& o, const std::string& workflow, const std::string& id,
                              Micros t, engine::InstanceView* view) {
  if (!o.engine->Get(workflow, id, t, view).ok()) return nullptr;
  return &view->instance->Data();
}

std::string DescribeRules(const std::string& version, Micros effective) {
  const workflows::initiative::RuleSet* r = workflows::initiative::RulesAt(effective);
  if (r == nullptr || r->version != version) return version;
  std::string s = version + " (in force from " + workflows::FormatTime(r->from) + "): ";
  s += r->voting_rounds ? "large requests go to a residents' vote, " : "no voting rounds, ";
  s += "decided by " + std::string(r->deciders[0]);
  if (!r->deciders[1].empty()) s += " or " + std::string(r->deciders[1]);
  return s;
}

void ExplainMandate(Opened& o, const EventEnvelope& e, const std::string& district, int64_t amount,
                    std::ostringstream& out) {
  engine::InstanceView v;
  const auto* reg = static_cast<const mandate::MandateRegister*>(
      DataAt(o, "mandates", district, At(e.recorded_at()), &v));
  if (reg == nullptr) {
    out << "    mandate: " << e.actor().mandate_ref() << " (register not found)\n";
    return;
  }
  for (const auto& m : reg->mandates()) {
    if (m.id() != e.actor().mandate_ref()) continue;
    const bool in_force = workflows::mandate::InForce(m, At(e.effective_date()));
    out << "    mandate " << m.id() << " of the council (" << m.decision_ref() << ") to "
        << m.grantee() << ", "
        << (m.max_amount_cents() == 0 ? "for every request"
                                      : "up to " + workflows::FormatEuros(m.max_amount_cents()))
        << ", valid from " << workflows::FormatTime(At(m.valid_from())) << ": "
        << (in_force ? "in force" : "NOT in force") << " on "
        << workflows::FormatTime(At(e.effective_date()))
        << (amount > 0 ? " and covering " + workflows::FormatEuros(amount) : "") << "\n";
  }
}

void ExplainBudget(Opened& o, const EventEnvelope& decision, std::ostringstream& out) {
  std::vector<EventEnvelope> near;
  const uint64_t from = decision.position() > 8 ? decision.position() - 8 : 1;
  if (!o.store->ReadAll(from, 16, &near).ok()) return;
  for (const auto& e : near) {
    if (e.command_id() != decision.command_id() || e.stream_id() == decision.stream_id()) continue;
    auto payload = engine::DecodePayload(e);
    const auto* r = dynamic_cast<const round::BudgetReserved*>(payload.get());
    if (r == nullptr) continue;
    const std::string round_id = e.stream_id().substr(e.stream_id().find('/') + 1);
    engine::InstanceView before, after;
    const auto* b = static_cast<const round::RoundData*>(
        DataAt(o, "subsidy-rounds", round_id, At(e.recorded_at()) - 1, &before));
    const auto* a = static_cast<const round::RoundData*>(
        DataAt(o, "subsidy-rounds", round_id, At(e.recorded_at()), &after));
    if (b == nullptr || a == nullptr) continue;
    out << "    ceiling: reserved " << workflows::FormatEuros(r->amount_cents()) << " on round "
        << round_id << " in the same append; the ceiling in force at submission was "
        << workflows::FormatEuros(r->ceiling_applied_cents()) << ", reserved before "
        << workflows::FormatEuros(b->reserved_cents()) << ", after "
        << workflows::FormatEuros(a->reserved_cents()) << ": "
        << (a->reserved_cents() <= r->ceiling_applied_cents() ? "within" : "OVER")
        << " the ceiling\n";
  }
}

void ExplainDeadline(Opened& o, const std::string& id, const EventEnvelope& e,
                     std::ostringstream& out) {
  engine::InstanceView v;
  const auto* d = static_cast<const initiative::InitiativeData*>(
      DataAt(o, "initiatives", id, At(e.recorded_at()) - 1, &v));
  if (d == nullptr || !d->has_decision_deadline()) return;
  const bool on_time = At(e.effective_date()) <= At(d->decision_deadline());
  out << "    deadline: decided " << (on_time ? "within" : "AFTER") << " the decision deadline of "
      << workflows::FormatTime(At(d->decision_deadline()))
      << (d->deadline_extended() ? " (extended once, Awb 4:14)" : " (Awb 4:13)") << "\n";
}

}  // namespace

std::string Explain(Opened& o, const std::string& workflow, const std::string& id) {
  std::vector<Step> steps = Timeline(o, workflow, id);
  if (steps.empty()) Fail(workflow + "/" + id + " has no events", 3);
  std::ostringstream out;
  out << workflow << "/" << id << " is " << steps.back().after << " after " << steps.size()
      << " events.\n\n";
  std::string district;
  for (const Step& s : steps) {
    const EventEnvelope& e = s.envelope;
    if (s.payload && district.empty()) district = StringField(*s.payload, "district");
    const std::string type = e.event_type().substr(e.event_type().rfind('.') + 1);
    out << FormatTime(e.effective_date()) << "  " << type << ": " << s.before << " -> " << s.after
        << "\n    by " << e.actor().id() << " as " << e.actor().role();
    if (!e.actor().on_behalf_of().empty()) out << ", in the name of " << e.actor().on_behalf_of();
    out << " (recorded " << FormatTime(e.recorded_at()) << ")\n";
    if (!s.payload) continue;
    const int64_t amount = IntField(*s.payload, "amount_cents");
    const std::string rule = StringField(*s.payload, "rule_version");
    if (!rule.empty()) out << "    rule: " << DescribeRules(rule, At(e.effective_date())) << "\n";
    if (amount > 0) out << "    amount: " << workflows::FormatEuros(amount) << "\n";
    const std::string reasons = StringField(*s.payload, "reasons");
    if (!reasons.empty()) out << "    reasons: " << reasons << "\n";
    if (!e.actor().mandate_ref().empty()) ExplainMandate(o, e, district, amount, out);
    if (workflow == "initiatives" && !rule.empty()) {
      ExplainBudget(o, e, out);
      if (type == "Granted" || type == "Refused") ExplainDeadline(o, id, e, out);
    }
  }
  return out.str();
}

}  // namespace wijkflow::cli
