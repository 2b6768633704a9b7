#include "workflows/common/time.h"
#include "workflows/initiative/initiative_decide.h"
#include "workflows/subsidy_round/round_budget.h"
#include "workflows/subsidy_round/round_machine.h"

namespace wijkflow::workflows::initiative {

namespace rpb = ::wijkflow::round;

Outcome RulesInForce(const DecideContext& ctx, const RuleSet** rules) {
  *rules = RulesAt(ctx.effective());
  if (*rules == nullptr) {
    return Outcome::RuleViolated("rules-in-force",
                                 "no rules for resident initiatives were in "
                                 "force on " +
                                     FormatTime(ctx.effective()));
  }
  return Outcome::Ok();
}

Outcome CheckDecider(const DecideContext& ctx, const RuleSet& rules) {
  if (MayDecide(rules, ctx.actor().role())) return Outcome::Ok();
  return Outcome::RuleViolated("decider", "under " + std::string(rules.version) + " a '" +
                                              ctx.actor().role() + "' does not decide; " +
                                              std::string(rules.deciders[0]) + " does, or " +
                                              std::string(rules.deciders[1]) + " under mandate");
}

Outcome RequireReasons(const std::string& reasons, const char* what) {
  if (!reasons.empty()) return Outcome::Ok();
  return Outcome::RuleViolated("reasons-required",
                               std::string(what) + " must state its reasons (Awb 3:46)");
}

const rpb::RoundData* LoadRound(DecideContext& ctx, const std::string& round_id) {
  const engine::Instance* round = ctx.Load(subsidy_round::kWorkflow, round_id);
  return round ? &static_cast<const rpb::RoundData&>(round->Data()) : nullptr;
}

Outcome CheckBudget(DecideContext& ctx, const pb::InitiativeData& d, int64_t total_cents,
                    int64_t extra_cents, rpb::BudgetReserved* reservation) {
  const rpb::RoundData* round = LoadRound(ctx, d.round_id());
  if (round == nullptr) {
    return Outcome::RuleViolated("round-open", "round '" + d.round_id() + "' does not exist");
  }
  if (total_cents > round->max_per_request_cents()) {
    return Outcome::RuleViolated("max-per-request",
                                 FormatEuros(total_cents) + " is above the round's maximum of " +
                                     FormatEuros(round->max_per_request_cents()) + " per request");
  }
  const Micros submitted = ToMicros(d.submitted_at());
  const int64_t remaining = subsidy_round::RemainingFor(*round, submitted);
  if (extra_cents > remaining) {
    return Outcome::RuleViolated("ceiling", FormatEuros(extra_cents) + " exceeds the " +
                                                FormatEuros(remaining) + " left under round '" +
                                                d.round_id() + "''s ceiling (Awb 4:25)");
  }
  reservation->set_initiative_id(ctx.instance_id());
  reservation->set_amount_cents(extra_cents);
  *reservation->mutable_submitted_at() = d.submitted_at();
  reservation->set_ceiling_applied_cents(subsidy_round::CeilingAt(*round, submitted));
  return Outcome::Ok();
}

std::unique_ptr<rpb::BudgetReleased> Release(const DecideContext& ctx, int64_t cents,
                                             rpb::ReleaseReason reason) {
  auto e = std::make_unique<rpb::BudgetReleased>();
  e->set_initiative_id(ctx.instance_id());
  e->set_amount_cents(cents);
  e->set_reason(reason);
  return e;
}

Outcome Stale(const InitiativeView& v, const char* timer) {
  return Outcome::RuleViolated("timer-stale", std::string(timer) + " no longer applies in state '" +
                                                  std::string(v.state) + "'");
}

}  // namespace wijkflow::workflows::initiative
