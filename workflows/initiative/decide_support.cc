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
  reservation->set_initiative_id(ctx.instance_id());
  reservation->set_amount_cents(extra_cents);
  const auto claim = round->claims().find(ctx.instance_id());
  if (claim != round->claims().end() && extra_cents == total_cents) {
    // The money goes in the order of receipt: the claim fits, or the grant is refused on the
    // ceiling, whoever was decided first (Awb 4:25).
    const auto place = subsidy_round::PlaceOf(*round, ctx.instance_id());
    const Micros received = ToMicros(claim->second.received_at());
    const int64_t ceiling = subsidy_round::CeilingFor(round->ceilings(), received);
    const int64_t available = place ? place->available_cents() : 0;
    if (extra_cents > available) {
      return Outcome::RuleViolated(
          "ceiling", "the request is number " + std::to_string(place ? place->place() : 0) +
                         " in the order of receipt of round '" + d.round_id() +
                         "'; what was granted or claimed before it leaves " +
                         FormatEuros(available) + " of the " + FormatEuros(ceiling) +
                         " ceiling for it (Awb 4:25)");
    }
    *reservation->mutable_submitted_at() = claim->second.received_at();
    reservation->set_ceiling_applied_cents(ceiling);
    reservation->set_place(place->place());
    return Outcome::Ok();
  }
  // No claim: a request received before claims were recorded, or a grant raised on objection.
  const Micros received = ToMicros(d.submitted_at());
  const int64_t remaining = subsidy_round::RemainingFor(*round, received);
  if (extra_cents > remaining) {
    return Outcome::RuleViolated("ceiling", FormatEuros(extra_cents) + " exceeds the " +
                                                FormatEuros(remaining) + " left under round '" +
                                                d.round_id() + "''s ceiling (Awb 4:25)");
  }
  *reservation->mutable_submitted_at() = d.submitted_at();
  reservation->set_ceiling_applied_cents(subsidy_round::CeilingFor(round->ceilings(), received));
  return Outcome::Ok();
}

void LodgeClaim(DecideContext& ctx, const std::string& round_id, int64_t amount_cents) {
  // No grant can exceed the round's maximum per request, so no claim holds more.
  const rpb::RoundData* round = LoadRound(ctx, round_id);
  if (round != nullptr && round->max_per_request_cents() > 0) {
    amount_cents = std::min(amount_cents, round->max_per_request_cents());
  }
  auto claim = std::make_unique<rpb::ClaimLodged>();
  claim->set_initiative_id(ctx.instance_id());
  claim->set_amount_cents(amount_cents);
  *claim->mutable_received_at() = ToTimestamp(ctx.effective());
  ctx.EmitTo(subsidy_round::kWorkflow, round_id, std::move(claim));
}

int32_t ClaimPlace(DecideContext& ctx, const pb::InitiativeData& d) {
  const rpb::RoundData* round = LoadRound(ctx, d.round_id());
  if (round == nullptr || !round->claims().contains(ctx.instance_id())) return 0;
  const auto place = subsidy_round::PlaceOf(*round, ctx.instance_id());
  return place ? place->place() : 0;
}

void EndClaim(DecideContext& ctx, const pb::InitiativeData& d, rpb::ClaimEnd reason) {
  const rpb::RoundData* round = LoadRound(ctx, d.round_id());
  if (round == nullptr || !round->claims().contains(ctx.instance_id())) return;
  auto ended = std::make_unique<rpb::ClaimEnded>();
  ended->set_initiative_id(ctx.instance_id());
  ended->set_reason(reason);
  ctx.EmitTo(subsidy_round::kWorkflow, d.round_id(), std::move(ended));
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
