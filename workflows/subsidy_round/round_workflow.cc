#include "workflows/subsidy_round/round_workflow.h"

#include "wijkflow/subsidy_round.pb.h"
#include "workflows/common/commands.h"
#include "workflows/common/roles.h"
#include "workflows/common/time.h"
#include "workflows/subsidy_round/round_budget.h"
#include "workflows/subsidy_round/round_machine.h"

namespace wijkflow::workflows::subsidy_round {
namespace {

namespace pb = ::wijkflow::round;
using RoundView = View<pb::RoundData>;

// The terms the seed letter lets a council ask for and the executive set.
Outcome CheckTerms(int64_t ceiling, int64_t max_per_request, const pb::Period& period) {
  if (ceiling <= 0) return Outcome::RuleViolated("ceiling", "a round's ceiling must be above 0");
  if (max_per_request != kMaxPerRequestLow && max_per_request != kMaxPerRequestHigh) {
    return Outcome::RuleViolated("max-per-request", "the maximum per request is " +
                                                        FormatEuros(kMaxPerRequestLow) + " or " +
                                                        FormatEuros(kMaxPerRequestHigh));
  }
  if (!period.has_start() || !period.has_end() ||
      ToMicros(period.end()) <= ToMicros(period.start())) {
    return Outcome::RuleViolated("round-period", "a round's period must end after it starts");
  }
  return Outcome::Ok();
}

Outcome DecideRequest(DecideContext& ctx, const RoundView&, const pb::RequestRound& c) {
  if (c.district().empty()) return Outcome::InvalidArgument("district is required");
  Outcome o = CheckTerms(c.ceiling_cents(), c.max_per_request_cents(), c.period());
  if (!o.ok()) return o;
  pb::RoundRequested e;
  e.set_district(c.district());
  e.set_ceiling_cents(c.ceiling_cents());
  e.set_max_per_request_cents(c.max_per_request_cents());
  *e.mutable_period() = c.period();
  e.set_motivation(c.motivation());
  Emit(ctx, std::move(e));
  return Outcome::Ok();
}

Outcome DecideSet(DecideContext& ctx, const RoundView& round, const pb::SetRound& c) {
  if (c.district().empty()) return Outcome::InvalidArgument("district is required");
  if (!round.data.district().empty() && round.data.district() != c.district()) {
    return Outcome::InvalidArgument("the round was requested for '" + round.data.district() + "'");
  }
  Outcome o = CheckTerms(c.ceiling_cents(), c.max_per_request_cents(), c.period());
  if (!o.ok()) return o;
  if (c.same_day_rank() == pb::SAME_DAY_RANK_LOT && c.lot_seed().empty()) {
    return Outcome::RuleViolated("distribution-rule",
                                 "ranking requests of one day by lot needs the seed drawn for it, "
                                 "to be published with the rule (Awb 4:26)");
  }
  pb::RoundSet e;
  e.set_district(c.district());
  e.set_ceiling_cents(c.ceiling_cents());
  e.set_max_per_request_cents(c.max_per_request_cents());
  *e.mutable_period() = c.period();
  // One distribution rule exists: in order of receipt, until the budget is gone; requests of
  // one day rank as the executive sets (by time of receipt unless it says otherwise), and the
  // event records which.
  e.set_distribution(pb::DISTRIBUTION_FIRST_COME);
  e.set_same_day_rank(c.same_day_rank() == pb::SAME_DAY_RANK_UNSPECIFIED
                          ? pb::SAME_DAY_RANK_TIME_OF_RECEIPT
                          : c.same_day_rank());
  e.set_lot_seed(c.lot_seed());
  Emit(ctx, std::move(e));
  return Outcome::Ok();
}

Outcome DecidePublish(DecideContext& ctx, const RoundView& round, const pb::PublishRound& c) {
  if (c.publication_ref().empty()) return Outcome::InvalidArgument("publication_ref is required");
  const pb::RoundData& d = round.data;
  pb::RoundPublished e;
  e.set_publication_ref(c.publication_ref());
  e.set_ceiling_cents(d.ceiling_cents());
  e.set_max_per_request_cents(d.max_per_request_cents());
  e.set_distribution(d.distribution());
  e.set_same_day_rank(d.same_day_rank());
  e.set_lot_seed(d.lot_seed());
  *e.mutable_period() = d.period();
  Emit(ctx, std::move(e));
  ctx.SetTimer(kOpeningTimer, std::max(ctx.effective(), ToMicros(d.period().start())),
               std::make_unique<pb::OpenRound>());
  return Outcome::Ok();
}

Outcome DecideOpen(DecideContext& ctx, const RoundView& round, const pb::OpenRound&) {
  if (round.state == state::kRequested || round.state == state::kSet) {
    return Outcome::RuleViolated("published-before-open",
                                 "the ceiling and distribution rule must be published before "
                                 "the round opens (Awb 4:26, 4:27)");
  }
  const Micros start = ToMicros(round.data.period().start());
  if (ctx.effective() < start) {
    return Outcome::RuleViolated("round-period", "the round's period starts " + FormatTime(start));
  }
  Emit(ctx, pb::RoundOpened());
  ctx.CancelTimer(kOpeningTimer);
  ctx.SetTimer(kClosingTimer, ToMicros(round.data.period().end()),
               std::make_unique<pb::CloseRound>());
  return Outcome::Ok();
}

Outcome DecideClose(DecideContext& ctx, const RoundView& round, const pb::CloseRound&) {
  if (ctx.actor().role() == roles::kSystem && round.state != "open") {
    return Outcome::RuleViolated("timer-stale", "the round is " + std::string(round.state));
  }
  Emit(ctx, pb::RoundClosed());
  ctx.CancelTimer(kClosingTimer);
  return Outcome::Ok();
}

Outcome DecideCeiling(DecideContext& ctx, const RoundView& round, const pb::ChangeCeiling& c) {
  if (c.ceiling_cents() <= 0) {
    return Outcome::RuleViolated("ceiling", "a round's ceiling must be above 0");
  }
  const bool published = round.state == state::kPublished || round.state == state::kOpen ||
                         round.state == state::kClosed;
  if (published && c.publication_ref().empty()) {
    return Outcome::RuleViolated("ceiling-publication",
                                 "a published round's new ceiling must be published (Awb 4:27)");
  }
  pb::CeilingChanged e;
  e.set_ceiling_cents(c.ceiling_cents());
  e.set_previous_cents(round.data.ceiling_cents());
  e.set_reason(c.reason());
  e.set_publication_ref(c.publication_ref());
  Emit(ctx, std::move(e));
  return Outcome::Ok();
}

Outcome DecideFinish(DecideContext& ctx, const RoundView& round, const pb::FinishRound&) {
  const int64_t outstanding = OutstandingCents(round.data);
  if (outstanding > 0) {
    return Outcome::RuleViolated("round-outstanding",
                                 FormatEuros(outstanding) + " of grants is not settled yet");
  }
  Emit(ctx, pb::RoundFinished());
  return Outcome::Ok();
}

const CommandTable<pb::RoundData>& Commands() {
  static const auto* table = [] {
    using roles::kExecutive;
    const CommandTable<pb::RoundData>::Options creates{.is_decision = false, .creates = true};
    auto* t = new CommandTable<pb::RoundData>(state::kNew);
    t->On<pb::RequestRound>("RequestRound", {roles::kDistrictCouncil}, DecideRequest, creates);
    t->On<pb::SetRound>("SetRound", {kExecutive}, DecideSet, creates);
    t->On<pb::PublishRound>("PublishRound", {kExecutive}, DecidePublish);
    t->On<pb::OpenRound>("OpenRound", {kExecutive, roles::kSystem}, DecideOpen);
    t->On<pb::CloseRound>("CloseRound", {kExecutive, roles::kSystem}, DecideClose);
    t->On<pb::ChangeCeiling>("ChangeCeiling", {kExecutive}, DecideCeiling);
    t->On<pb::FinishRound>("FinishRound", {kExecutive}, DecideFinish);
    return t;
  }();
  return *table;
}

engine::Scope ScopeOf(const pb::RoundData& d, const Message& command) {
  if (!d.district().empty()) return {d.district(), 0};
  if (const auto* r = dynamic_cast<const pb::RequestRound*>(&command)) return {r->district(), 0};
  if (const auto* s = dynamic_cast<const pb::SetRound*>(&command)) return {s->district(), 0};
  return {};
}

std::string DistrictOf(const pb::RoundData& d) { return d.district(); }

}  // namespace

std::unique_ptr<engine::Workflow> NewRoundWorkflow() {
  return std::make_unique<TableWorkflow<pb::RoundData>>(TableWorkflow<pb::RoundData>::Parts{
      .name = kWorkflow,
      .definition_version = 1,
      .make = NewRoundInstance,
      .describe = DescribeRoundMachine,
      .commands = &subsidy_round::Commands(),
      .scope = ScopeOf,
      .district = DistrictOf,
  });
}

}  // namespace wijkflow::workflows::subsidy_round
