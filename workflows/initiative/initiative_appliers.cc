#include "workflows/initiative/initiative_appliers.h"

#include "workflows/common/fold.h"

namespace wijkflow::workflows::initiative {
namespace {

// The decision as taken: the event's content plus who took it, when and in whose name.
ev::Decision DecisionOf(ev::DecisionKind kind, int64_t amount, const std::string& rule_version,
                        const std::string& reasons, const EventEnvelope& env) {
  ev::Decision d;
  d.set_kind(kind);
  d.set_amount_cents(amount);
  d.set_rule_version(rule_version);
  d.set_reasons(reasons);
  d.set_decided_by(env.actor().id());
  d.set_role(env.actor().role());
  d.set_mandate_ref(env.actor().mandate_ref());
  d.set_on_behalf_of(env.actor().on_behalf_of());
  *d.mutable_decided_at() = env.effective_date();
  return d;
}

}  // namespace

void ApplySubmitted(Data& d, const ev::InitiativeSubmitted& e, const EventEnvelope& env) {
  d.set_id(InstanceIdOf(env));
  d.set_district(e.district());
  d.set_round_id(e.round_id());
  d.set_title(e.title());
  d.set_description(e.description());
  d.set_requested_cents(e.requested_cents());
  d.set_channel(e.channel());
  *d.mutable_applicant() = e.applicant();
  *d.mutable_submitted_at() = env.effective_date();
  d.set_submission_rule_version(e.rule_version());
  *d.mutable_decision_deadline() = e.decision_deadline();
}

void ApplyReceiptAcknowledged(Data& d, const ev::ReceiptAcknowledged&, const EventEnvelope&) {
  d.set_receipt_acknowledged(true);
}

void ApplyCompletionRequested(Data& d, const ev::CompletionRequested& e, const EventEnvelope& env) {
  *d.mutable_missing() = e.missing();
  *d.mutable_completion_term_until() = e.term_until();
  *d.mutable_deadline_paused_at() = env.effective_date();
}

void ApplyRequestCompleted(Data& d, const ev::RequestCompleted& e, const EventEnvelope&) {
  d.clear_missing();
  d.clear_completion_term_until();
  d.clear_deadline_paused_at();
  *d.mutable_decision_deadline() = e.decision_deadline();
}

void ApplySetAside(Data& d, const ev::SetAside& e, const EventEnvelope&) {
  d.set_end_reason(e.reason());
}

void ApplyReviewStarted(Data&, const ev::ReviewStarted&, const EventEnvelope&) {}

void ApplyVoteOpened(Data& d, const ev::VoteOpened& e, const EventEnvelope&) {
  *d.mutable_vote_closes_on() = e.closes_on();
}

void ApplyVoteClosed(Data& d, const ev::VoteClosed& e, const EventEnvelope&) {
  *d.mutable_votes() = e.counts();
}

void ApplyGranted(Data& d, const ev::Granted& e, const EventEnvelope& env) {
  *d.mutable_decision() =
      DecisionOf(ev::DECISION_KIND_GRANT, e.amount_cents(), e.rule_version(), e.reasons(), env);
  d.set_granted_cents(e.amount_cents());
  *d.mutable_objection_until() = e.objection_until();
}

void ApplyGrantedV2(Data& d, const ev::Granted& e, const EventEnvelope& env) {
  ApplyGranted(d, e, env);
  *d.mutable_decision()->mutable_obligations() = e.obligations();
}

void ApplyRefused(Data& d, const ev::Refused& e, const EventEnvelope& env) {
  *d.mutable_decision() =
      DecisionOf(ev::DECISION_KIND_REFUSAL, 0, e.rule_version(), e.reasons(), env);
  *d.mutable_objection_until() = e.objection_until();
}

void ApplyDeadlinePassed(Data& d, const ev::DecisionDeadlinePassed&, const EventEnvelope&) {
  d.set_deadline_passed(true);
}

void ApplyDeadlineExtended(Data& d, const ev::DecisionDeadlineExtended& e, const EventEnvelope&) {
  d.set_deadline_extended(true);
  *d.mutable_decision_deadline() = e.new_deadline();
}

void ApplyObjectionLodged(Data& d, const ev::ObjectionLodged& e, const EventEnvelope& env) {
  ev::Objection* o = d.mutable_objection();
  o->set_objector(e.objector());
  o->set_grounds(e.grounds());
  *o->mutable_lodged_at() = env.effective_date();
}

void ApplyObjectionDecided(Data& d, const ev::ObjectionDecided& e, const EventEnvelope& env) {
  ev::Decision decision =
      DecisionOf(e.kind(), e.amount_cents(), e.rule_version(), e.reasons(), env);
  ev::Objection* o = d.mutable_objection();
  o->set_outcome(e.outcome());
  *o->mutable_decision() = decision;
  if (e.outcome() == ev::OBJECTION_OUTCOME_UPHELD) *d.mutable_decision() = decision;
  d.set_granted_cents(e.kind() == ev::DECISION_KIND_GRANT ? e.amount_cents() : 0);
}

void ApplyObjectionWindowClosed(Data& d, const ev::ObjectionWindowClosed&, const EventEnvelope&) {
  d.set_objection_window_closed(true);
}

void ApplyPublished(Data& d, const ev::Published& e, const EventEnvelope& env) {
  d.set_publication_url(e.url());
  d.set_publication_summary(e.summary());
  *d.mutable_published_at() = env.effective_date();
}

void ApplyActivityStarted(Data&, const ev::ActivityStarted&, const EventEnvelope&) {}

void ApplyAccountsSubmitted(Data& d, const ev::AccountsSubmitted& e, const EventEnvelope&) {
  d.set_spent_cents(e.spent_cents());
  d.set_accounts_report(e.report());
}

void ApplySettled(Data& d, const ev::Settled& e, const EventEnvelope&) {
  d.set_settled_cents(e.amount_cents());
  d.set_lowering_reason(e.lowering_reason());
  d.set_granted_cents(e.amount_cents());
}

void ApplyWithdrawn(Data& d, const ev::Withdrawn& e, const EventEnvelope&) {
  d.set_end_reason(e.reason());
  d.set_granted_cents(0);
}

}  // namespace wijkflow::workflows::initiative
