// After the grant: publication on Mijn Rotterdam, the activity, its accounts and settlement.
#include "workflows/common/time.h"
#include "workflows/initiative/initiative_decide.h"
#include "workflows/subsidy_round/round_machine.h"

namespace wijkflow::workflows::initiative {
namespace {

namespace rpb = ::wijkflow::round;

// Settlement fixes the final amount (Awb 4:42); lower than the grant only on a ground of Awb
// 4:46(2), and then with reasons.
Outcome CheckSettlement(const InitiativeView& v, const pb::Settle& c) {
  const int64_t granted = v.data.granted_cents();
  if (c.amount_cents() < 0) return Outcome::InvalidArgument("amount_cents below 0");
  if (c.amount_cents() > granted) {
    return Outcome::RuleViolated("settlement-exceeds-grant",
                                 "a settlement cannot exceed the grant of " + FormatEuros(granted));
  }
  if (c.amount_cents() < granted) {
    if (c.lowering_reason() == pb::LOWERING_REASON_UNSPECIFIED) {
      return Outcome::RuleViolated("settlement-reason",
                                   "a settlement below the grant needs a ground of Awb 4:46(2)");
    }
    return RequireReasons(c.reasons(), "a settlement below the grant");
  }
  return Outcome::Ok();
}

}  // namespace

Outcome DecidePublish(DecideContext& ctx, const InitiativeView&, const pb::Publish& c) {
  if (c.url().empty()) return Outcome::InvalidArgument("url is required");
  pb::Published e;
  e.set_url(c.url());
  e.set_summary(c.summary());
  Emit(ctx, std::move(e));
  return Outcome::Ok();
}

Outcome DecideStartActivity(DecideContext& ctx, const InitiativeView&, const pb::StartActivity&) {
  Emit(ctx, pb::ActivityStarted());
  return Outcome::Ok();
}

Outcome DecideSubmitAccounts(DecideContext& ctx, const InitiativeView&,
                             const pb::SubmitAccounts& c) {
  if (c.spent_cents() < 0) return Outcome::InvalidArgument("spent_cents below 0");
  pb::AccountsSubmitted e;
  e.set_spent_cents(c.spent_cents());
  e.set_report(c.report());
  Emit(ctx, std::move(e));
  return Outcome::Ok();
}

Outcome DecideSettle(DecideContext& ctx, const InitiativeView& v, const pb::Settle& c) {
  const RuleSet* rules = nullptr;
  Outcome o = RulesInForce(ctx, &rules);
  if (o.ok()) o = CheckDecider(ctx, *rules);
  if (o.ok()) o = CheckSettlement(v, c);
  if (!o.ok()) return o;
  const int64_t lower_by = v.data.granted_cents() - c.amount_cents();
  pb::Settled e;
  e.set_amount_cents(c.amount_cents());
  e.set_granted_cents(v.data.granted_cents());
  e.set_lowering_reason(lower_by > 0 ? c.lowering_reason() : pb::LOWERING_REASON_UNSPECIFIED);
  e.set_reasons(c.reasons());
  e.set_rule_version(std::string(rules->version));
  Emit(ctx, std::move(e));
  if (lower_by > 0) {
    ctx.EmitTo(subsidy_round::kWorkflow, v.data.round_id(),
               Release(ctx, lower_by, rpb::RELEASE_REASON_SETTLED_LOWER));
  }
  auto settled = std::make_unique<rpb::BudgetSettled>();
  settled->set_initiative_id(ctx.instance_id());
  settled->set_amount_cents(c.amount_cents());
  ctx.EmitTo(subsidy_round::kWorkflow, v.data.round_id(), std::move(settled));
  return Outcome::Ok();
}

}  // namespace wijkflow::workflows::initiative
