// Intake, completion, review, the voting round of bi-2022, the decision deadline, withdrawal.
#include "workflows/common/roles.h"
#include "workflows/common/time.h"
#include "workflows/initiative/initiative_decide.h"
#include "workflows/subsidy_round/round_machine.h"

namespace wijkflow::workflows::initiative {
namespace {

namespace rpb = ::wijkflow::round;

bool Electronic(pb::Channel c) { return c == pb::CHANNEL_DIGITAL || c == pb::CHANNEL_EMAIL; }

Outcome CheckSubmission(const pb::Submit& c, const RuleSet& rules) {
  if (c.district().empty() || c.round_id().empty() || c.title().empty()) {
    return Outcome::InvalidArgument("district, round_id and title are required");
  }
  if (c.channel() == pb::CHANNEL_UNSPECIFIED)
    return Outcome::InvalidArgument("channel is required");
  if (c.requested_cents() <= 0) return Outcome::InvalidArgument("requested_cents must be above 0");
  if (c.requested_cents() > rules.max_request_cents) {
    return Outcome::RuleViolated("max-request",
                                 "requests range up to " + FormatEuros(rules.max_request_cents));
  }
  if (Electronic(c.channel()) && c.applicant().email().empty()) {
    return Outcome::InvalidArgument(
        "an electronic submission needs the applicant's e-mail for the acknowledgement");
  }
  return Outcome::Ok();
}

// Requests come in through a round that is open, in the same district.
Outcome CheckRoundOpen(DecideContext& ctx, const pb::Submit& c) {
  const engine::Instance* round = ctx.Load(subsidy_round::kWorkflow, c.round_id());
  if (round == nullptr) {
    return Outcome::RuleViolated("round-open", "round '" + c.round_id() + "' does not exist");
  }
  const auto& d = static_cast<const rpb::RoundData&>(round->Data());
  if (d.district() != c.district()) {
    return Outcome::RuleViolated(
        "round-district", "round '" + c.round_id() + "' is of district '" + d.district() + "'");
  }
  if (round->StateName() != subsidy_round::state::kOpen) {
    return Outcome::RuleViolated("round-open", "round '" + c.round_id() + "' is " +
                                                   std::string(round->StateName()) + ", not open");
  }
  return Outcome::Ok();
}

}  // namespace

Outcome DecideSubmit(DecideContext& ctx, const InitiativeView&, const pb::Submit& c) {
  const RuleSet* rules = nullptr;
  Outcome o = RulesInForce(ctx, &rules);
  if (o.ok()) o = CheckSubmission(c, *rules);
  if (o.ok()) o = CheckRoundOpen(ctx, c);
  if (!o.ok()) return o;
  const Micros deadline = ctx.effective() + DecisionTerm(*rules, c.requested_cents());
  pb::InitiativeSubmitted e;
  e.set_district(c.district());
  e.set_round_id(c.round_id());
  e.set_title(c.title());
  e.set_description(c.description());
  e.set_requested_cents(c.requested_cents());
  e.set_channel(c.channel());
  *e.mutable_applicant() = c.applicant();
  e.set_rule_version(std::string(rules->version));
  *e.mutable_decision_deadline() = ToTimestamp(deadline);
  Emit(ctx, std::move(e));
  if (Electronic(c.channel())) {  // Awb 4:3a
    pb::ReceiptAcknowledged ack;
    ack.set_channel(c.channel());
    ack.set_sent_to(c.applicant().email());
    Emit(ctx, std::move(ack));
  }
  ctx.SetTimer(kDecisionDeadlineTimer, deadline, std::make_unique<pb::ExpireDecisionDeadline>());
  // Received (design: complete until completion is asked for): its place in the order is fixed.
  LodgeClaim(ctx, c.round_id(), c.requested_cents());
  return Outcome::Ok();
}

Outcome DecideRequestCompletion(DecideContext& ctx, const InitiativeView& v,
                                const pb::RequestCompletion& c) {
  if (c.missing().empty()) return Outcome::InvalidArgument("name what is missing");
  if (!c.has_term_until() || ToMicros(c.term_until()) <= ctx.effective()) {
    return Outcome::RuleViolated("completion-term", "the term to complete must end after " +
                                                        FormatTime(ctx.effective()) + " (Awb 4:5)");
  }
  pb::CompletionRequested e;
  *e.mutable_missing() = c.missing();
  *e.mutable_term_until() = c.term_until();
  Emit(ctx, std::move(e));
  // The decision clock pauses until the request is complete (Awb 4:15).
  ctx.CancelTimer(kDecisionDeadlineTimer);
  ctx.SetTimer(kCompletionTimer, ToMicros(c.term_until()),
               std::make_unique<pb::ExpireCompletionTerm>());
  // An incomplete request holds no place in the order: it gets one when completed (Awb 4:5).
  EndClaim(ctx, v.data, rpb::CLAIM_END_INCOMPLETE);
  return Outcome::Ok();
}

Outcome DecideCompleteRequest(DecideContext& ctx, const InitiativeView& v,
                              const pb::CompleteRequest& c) {
  const Micros paused = ctx.effective() - ToMicros(v.data.deadline_paused_at());
  const Micros deadline = ToMicros(v.data.decision_deadline()) + std::max<Micros>(0, paused);
  pb::RequestCompleted e;
  e.set_supplied(c.supplied());
  *e.mutable_decision_deadline() = ToTimestamp(deadline);
  Emit(ctx, std::move(e));
  ctx.CancelTimer(kCompletionTimer);
  if (!v.data.deadline_passed()) {
    ctx.SetTimer(kDecisionDeadlineTimer, deadline, std::make_unique<pb::ExpireDecisionDeadline>());
  }
  // Complete now: the moment of completion is its place in the order of receipt.
  LodgeClaim(ctx, v.data.round_id(), v.data.requested_cents());
  return Outcome::Ok();
}

Outcome DecideExpireCompletionTerm(DecideContext& ctx, const InitiativeView& v,
                                   const pb::ExpireCompletionTerm&) {
  if (v.state != state::kCompletionRequested ||
      ctx.effective() < ToMicros(v.data.completion_term_until())) {
    return Stale(v, "the completion term");
  }
  pb::SetAside e;
  e.set_reason("not completed within the term ending " +
               FormatTime(ToMicros(v.data.completion_term_until())) + " (Awb 4:5)");
  Emit(ctx, std::move(e));
  return Outcome::Ok();
}

Outcome DecideStartReview(DecideContext& ctx, const InitiativeView&, const pb::StartReview&) {
  Emit(ctx, pb::ReviewStarted());
  return Outcome::Ok();
}

Outcome DecideOpenVote(DecideContext& ctx, const InitiativeView& v, const pb::OpenVote& c) {
  const RuleSet* rules = nullptr;
  Outcome o = RulesInForce(ctx, &rules);
  if (!o.ok()) return o;
  if (!rules->voting_rounds || !IsLarge(*rules, v.data.requested_cents())) {
    return Outcome::RuleViolated("voting-round", "under " + std::string(rules->version) +
                                                     " this request is not put to a vote");
  }
  if (!c.has_closes_on() || ToMicros(c.closes_on()) <= ctx.effective()) {
    return Outcome::InvalidArgument("the vote must close after it opens");
  }
  pb::VoteOpened e;
  *e.mutable_closes_on() = c.closes_on();
  Emit(ctx, std::move(e));
  return Outcome::Ok();
}

Outcome DecideCloseVote(DecideContext& ctx, const InitiativeView& v, const pb::CloseVote& c) {
  if (v.state == state::kInVote && ctx.effective() < ToMicros(v.data.vote_closes_on())) {
    return Outcome::RuleViolated(
        "vote-period", "the vote runs until " + FormatTime(ToMicros(v.data.vote_closes_on())));
  }
  pb::VoteClosed e;
  *e.mutable_counts() = c.counts();
  Emit(ctx, std::move(e));
  return Outcome::Ok();
}

Outcome DecideExtendDeadline(DecideContext& ctx, const InitiativeView& v,
                             const pb::ExtendDecisionDeadline& c) {
  const Micros deadline = ToMicros(v.data.decision_deadline());
  if (v.data.deadline_extended()) {
    return Outcome::RuleViolated("deadline-extended-once",
                                 "the decision deadline may be extended once (Awb 4:14)");
  }
  if (v.data.deadline_passed() || ctx.effective() >= deadline) {
    return Outcome::RuleViolated("extension-before-deadline",
                                 "an extension must be announced before the deadline passes");
  }
  if (!c.has_new_deadline() || ToMicros(c.new_deadline()) <= deadline) {
    return Outcome::RuleViolated("extension-term",
                                 "the new deadline must lie after " + FormatTime(deadline));
  }
  if (c.notice().empty()) {
    return Outcome::RuleViolated("extension-notice", "the applicant must be given notice");
  }
  pb::DecisionDeadlineExtended e;
  *e.mutable_new_deadline() = c.new_deadline();
  e.set_notice(c.notice());
  Emit(ctx, std::move(e));
  ctx.SetTimer(kDecisionDeadlineTimer, ToMicros(c.new_deadline()),
               std::make_unique<pb::ExpireDecisionDeadline>());
  return Outcome::Ok();
}

Outcome DecideExpireDeadline(DecideContext& ctx, const InitiativeView& v,
                             const pb::ExpireDecisionDeadline&) {
  const bool pending = v.state == state::kSubmitted || v.state == state::kUnderReview ||
                       v.state == state::kInVote || v.state == state::kVoteClosed;
  const Micros deadline = ToMicros(v.data.decision_deadline());
  if (!pending || v.data.deadline_passed() || ctx.effective() < deadline) {
    return Stale(v, "the decision deadline");
  }
  pb::DecisionDeadlinePassed e;
  *e.mutable_deadline() = v.data.decision_deadline();
  Emit(ctx, std::move(e));
  return Outcome::Ok();
}

Outcome DecideWithdraw(DecideContext& ctx, const InitiativeView& v, const pb::Withdraw& c) {
  if (ctx.actor().role() == roles::kApplicant && ctx.actor().id() != v.data.applicant().id()) {
    return Outcome::Forbidden("only the applicant may withdraw the request",
                              "withdraw-by-applicant");
  }
  pb::Withdrawn e;
  e.set_reason(c.reason());
  e.set_released_cents(v.data.granted_cents());
  Emit(ctx, std::move(e));
  if (v.data.granted_cents() > 0) {
    ctx.EmitTo(subsidy_round::kWorkflow, v.data.round_id(),
               Release(ctx, v.data.granted_cents(), rpb::RELEASE_REASON_WITHDRAWN));
  } else {
    EndClaim(ctx, v.data, rpb::CLAIM_END_WITHDRAWN);
  }
  ctx.CancelTimer(kDecisionDeadlineTimer);
  ctx.CancelTimer(kCompletionTimer);
  ctx.CancelTimer(kObjectionTimer);
  return Outcome::Ok();
}

}  // namespace wijkflow::workflows::initiative
