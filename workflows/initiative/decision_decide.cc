// The decision on a request (grant or refusal) and the objection against it.
#include "workflows/common/time.h"
#include "workflows/initiative/initiative_appliers.h"
#include "workflows/initiative/initiative_decide.h"
#include "workflows/subsidy_round/round_machine.h"

namespace wijkflow::workflows::initiative {
namespace {

namespace rpb = ::wijkflow::round;

// Under bi-2022 a large request is granted only after its voting round, and only if the
// residents voted for it (design: the vote decides whether a large initiative goes ahead).
Outcome CheckVote(const InitiativeView& v, const RuleSet& rules) {
  if (!rules.voting_rounds || !IsLarge(rules, v.data.requested_cents())) return Outcome::Ok();
  if (v.state != state::kVoteClosed) {
    return Outcome::RuleViolated("voting-round", "under " + std::string(rules.version) +
                                                     " a large request is granted only after "
                                                     "a voting round");
  }
  const pb::VoteCounts& n = v.data.votes();
  if (n.online_for() + n.paper_for() <= n.online_against() + n.paper_against()) {
    return Outcome::RuleViolated("vote-outcome", "the residents did not vote for it");
  }
  return Outcome::Ok();
}

// What every decision checks: rules in force, who decides, reasons.
Outcome CheckDecision(const DecideContext& ctx, const std::string& reasons, const char* what,
                      const RuleSet** rules) {
  Outcome o = RulesInForce(ctx, rules);
  if (o.ok()) o = CheckDecider(ctx, **rules);
  if (o.ok()) o = RequireReasons(reasons, what);
  return o;
}

// A decision opens the objection window and ends the decision deadline.
void AfterDecision(DecideContext& ctx, Micros objection_until) {
  ctx.CancelTimer(kDecisionDeadlineTimer);
  ctx.SetTimer(kObjectionTimer, objection_until, std::make_unique<pb::CloseObjectionWindow>());
}

// Fills in the decision that holds after an objection, and the round event that moves the
// budget to match it (none if the amount stays).
Outcome ReviseOnObjection(DecideContext& ctx, const InitiativeView& v, const pb::DecideObjection& c,
                          pb::ObjectionDecided* e, std::unique_ptr<Message>* budget) {
  const pb::InitiativeData& d = v.data;
  if (c.outcome() == pb::OBJECTION_OUTCOME_REJECTED) {  // the decision stands
    e->set_kind(d.decision().kind());
    e->set_amount_cents(d.granted_cents());
    return Outcome::Ok();
  }
  if (c.revised_kind() == pb::DECISION_KIND_UNSPECIFIED) {
    return Outcome::InvalidArgument("an upheld objection names the revised decision");
  }
  const int64_t amount = c.revised_kind() == pb::DECISION_KIND_GRANT ? c.revised_amount_cents() : 0;
  if (c.revised_kind() == pb::DECISION_KIND_GRANT && amount <= 0) {
    return Outcome::InvalidArgument("a revised grant needs an amount above 0");
  }
  if (amount > d.requested_cents()) {
    return Outcome::RuleViolated("grant-exceeds-request", "more than was requested");
  }
  e->set_kind(c.revised_kind());
  e->set_amount_cents(amount);
  const int64_t delta = amount - d.granted_cents();
  if (delta > 0) {
    auto reserve = std::make_unique<rpb::BudgetReserved>();
    Outcome o = CheckBudget(ctx, d, amount, delta, reserve.get());
    if (!o.ok()) return o;
    *budget = std::move(reserve);
  } else if (delta < 0) {
    *budget = Release(ctx, -delta,
                      amount == 0 ? rpb::RELEASE_REASON_REFUSED_AFTER_OBJECTION
                                  : rpb::RELEASE_REASON_REVISED_ON_OBJECTION);
  }
  return Outcome::Ok();
}

}  // namespace

Outcome DecideGrant(DecideContext& ctx, const InitiativeView& v, const pb::Grant& c) {
  const RuleSet* rules = nullptr;
  Outcome o = CheckDecision(ctx, c.reasons(), "a grant", &rules);
  if (o.ok()) o = CheckVote(v, *rules);
  if (!o.ok()) return o;
  if (c.amount_cents() <= 0) return Outcome::InvalidArgument("amount_cents must be above 0");
  if (c.amount_cents() > v.data.requested_cents()) {
    return Outcome::RuleViolated(
        "grant-exceeds-request",
        "the grant exceeds the requested " + FormatEuros(v.data.requested_cents()));
  }
  auto reserve = std::make_unique<rpb::BudgetReserved>();
  o = CheckBudget(ctx, v.data, c.amount_cents(), c.amount_cents(), reserve.get());
  if (!o.ok()) return o;
  const Micros objection_until = ObjectionWindowEnd(ctx.effective());
  pb::Granted e;
  e.set_amount_cents(c.amount_cents());
  e.set_rule_version(std::string(rules->version));
  e.set_reasons(c.reasons());
  *e.mutable_objection_until() = ToTimestamp(objection_until);
  *e.mutable_obligations() = c.obligations();
  e.set_place_in_order(reserve->place());
  ctx.Emit(std::make_unique<pb::Granted>(std::move(e)), kGrantedSchema);
  // One append: the grant and its reservation stand or fall together.
  ctx.EmitTo(subsidy_round::kWorkflow, v.data.round_id(), std::move(reserve));
  AfterDecision(ctx, objection_until);
  return Outcome::Ok();
}

Outcome DecideRefuse(DecideContext& ctx, const InitiativeView& v, const pb::Refuse& c) {
  const RuleSet* rules = nullptr;
  Outcome o = CheckDecision(ctx, c.reasons(), "a refusal", &rules);
  if (!o.ok()) return o;
  const Micros objection_until = ObjectionWindowEnd(ctx.effective());
  pb::Refused e;
  e.set_rule_version(std::string(rules->version));
  e.set_reasons(c.reasons());
  *e.mutable_objection_until() = ToTimestamp(objection_until);
  e.set_place_in_order(ClaimPlace(ctx, v.data));
  Emit(ctx, std::move(e));
  // The claim lapses: the money goes to the next requests in the order.
  EndClaim(ctx, v.data, rpb::CLAIM_END_REFUSED);
  AfterDecision(ctx, objection_until);
  return Outcome::Ok();
}

Outcome DecideLodgeObjection(DecideContext& ctx, const InitiativeView& v,
                             const pb::LodgeObjection& c) {
  if (v.data.objection().outcome() != pb::OBJECTION_OUTCOME_UNSPECIFIED) {
    return Outcome::RuleViolated("objection-decided",
                                 "the objection was decided; what remains is appeal to court");
  }
  if (v.data.objection_window_closed() || !v.data.has_objection_until() ||
      ctx.effective() >= ToMicros(v.data.objection_until())) {
    return Outcome::RuleViolated("objection-term",
                                 "an objection must be lodged within six weeks (Awb 6:7)");
  }
  if (c.grounds().empty()) {
    return Outcome::RuleViolated("objection-grounds", "an objection states its grounds (Awb 6:5)");
  }
  pb::ObjectionLodged e;
  e.set_objector(c.objector());
  e.set_grounds(c.grounds());
  Emit(ctx, std::move(e));
  ctx.CancelTimer(kObjectionTimer);
  return Outcome::Ok();
}

Outcome DecideObjection(DecideContext& ctx, const InitiativeView& v, const pb::DecideObjection& c) {
  const pb::Decision& contested = v.data.decision();
  if (!contested.mandate_ref().empty() && ctx.actor().id() == contested.decided_by()) {
    return Outcome::Forbidden(
        "whoever decided under mandate may not decide the objection against "
        "that decision (Awb 10:3)",
        "objection-decider");
  }
  const RuleSet* rules = nullptr;
  Outcome o = CheckDecision(ctx, c.reasons(), "a decision on objection", &rules);
  if (!o.ok()) return o;
  if (c.outcome() == pb::OBJECTION_OUTCOME_UNSPECIFIED) {
    return Outcome::InvalidArgument("outcome is required");
  }
  pb::ObjectionDecided e;
  e.set_outcome(c.outcome());
  e.set_rule_version(std::string(rules->version));
  e.set_reasons(c.reasons());
  e.set_published(v.data.has_published_at());
  std::unique_ptr<Message> budget;
  o = ReviseOnObjection(ctx, v, c, &e, &budget);
  if (!o.ok()) return o;
  Emit(ctx, std::move(e));
  if (budget) ctx.EmitTo(subsidy_round::kWorkflow, v.data.round_id(), std::move(budget));
  return Outcome::Ok();
}

Outcome DecideCloseObjectionWindow(DecideContext& ctx, const InitiativeView& v,
                                   const pb::CloseObjectionWindow&) {
  if (v.data.objection_window_closed() || v.data.objection().has_lodged_at() ||
      ctx.effective() < ToMicros(v.data.objection_until())) {
    return Stale(v, "the objection window");
  }
  Emit(ctx, pb::ObjectionWindowClosed());
  return Outcome::Ok();
}

}  // namespace wijkflow::workflows::initiative
