// Decide: the initiative's command handlers. Each reads the instance (and, for budget, its
// round), checks the rules in force on the command's effective date, and emits events and
// timers through the context, or returns a rejection. None mutates state.
#pragma once

#include "wijkflow/initiative.pb.h"
#include "wijkflow/subsidy_round.pb.h"
#include "workflows/common/commands.h"
#include "workflows/initiative/initiative_machine.h"
#include "workflows/initiative/rules.h"

namespace wijkflow::workflows::initiative {

namespace pb = ::wijkflow::initiative;
using InitiativeView = View<pb::InitiativeData>;

inline constexpr const char* kDecisionDeadlineTimer = "decision-deadline";
inline constexpr const char* kCompletionTimer = "completion-term";
inline constexpr const char* kObjectionTimer = "objection-window";

// Intake, completion, review, vote, deadlines, withdrawal (intake_decide.cc).
Outcome DecideSubmit(DecideContext& ctx, const InitiativeView& v, const pb::Submit& c);
Outcome DecideRequestCompletion(DecideContext& ctx, const InitiativeView& v,
                                const pb::RequestCompletion& c);
Outcome DecideCompleteRequest(DecideContext& ctx, const InitiativeView& v,
                              const pb::CompleteRequest& c);
Outcome DecideExpireCompletionTerm(DecideContext& ctx, const InitiativeView& v,
                                   const pb::ExpireCompletionTerm& c);
Outcome DecideStartReview(DecideContext& ctx, const InitiativeView& v, const pb::StartReview& c);
Outcome DecideOpenVote(DecideContext& ctx, const InitiativeView& v, const pb::OpenVote& c);
Outcome DecideCloseVote(DecideContext& ctx, const InitiativeView& v, const pb::CloseVote& c);
Outcome DecideExtendDeadline(DecideContext& ctx, const InitiativeView& v,
                             const pb::ExtendDecisionDeadline& c);
Outcome DecideExpireDeadline(DecideContext& ctx, const InitiativeView& v,
                             const pb::ExpireDecisionDeadline& c);
Outcome DecideWithdraw(DecideContext& ctx, const InitiativeView& v, const pb::Withdraw& c);

// Decisions and objection (decision_decide.cc).
Outcome DecideGrant(DecideContext& ctx, const InitiativeView& v, const pb::Grant& c);
Outcome DecideRefuse(DecideContext& ctx, const InitiativeView& v, const pb::Refuse& c);
Outcome DecideLodgeObjection(DecideContext& ctx, const InitiativeView& v,
                             const pb::LodgeObjection& c);
Outcome DecideObjection(DecideContext& ctx, const InitiativeView& v, const pb::DecideObjection& c);
Outcome DecideCloseObjectionWindow(DecideContext& ctx, const InitiativeView& v,
                                   const pb::CloseObjectionWindow& c);

// After the grant (aftercare_decide.cc).
Outcome DecidePublish(DecideContext& ctx, const InitiativeView& v, const pb::Publish& c);
Outcome DecideStartActivity(DecideContext& ctx, const InitiativeView& v,
                            const pb::StartActivity& c);
Outcome DecideSubmitAccounts(DecideContext& ctx, const InitiativeView& v,
                             const pb::SubmitAccounts& c);
Outcome DecideSettle(DecideContext& ctx, const InitiativeView& v, const pb::Settle& c);

// ---- Shared by the handlers (decide_support.cc) ----

// The rules in force at the effective date, or rule "rules-in-force".
Outcome RulesInForce(const DecideContext& ctx, const RuleSet** rules);
// The acting role may decide under `rules` (rule "decider").
Outcome CheckDecider(const DecideContext& ctx, const RuleSet& rules);
// Every decision records its reasons (Awb 3:46): rule "reasons-required".
Outcome RequireReasons(const std::string& reasons, const char* what);
// The round the initiative draws on, or nullptr.
const wijkflow::round::RoundData* LoadRound(DecideContext& ctx, const std::string& round_id);
// A grant (or a raise on objection) of `extra_cents` to reach `total_cents` fits the round:
// total within the round's maximum per request ("max-per-request"), and ("ceiling", Awb 4:25) a
// first grant of a request with a claim only if its claim fits in the order of receipt; without
// one, the extra within what the order leaves. Fills the reservation (which converts the claim).
Outcome CheckBudget(DecideContext& ctx, const pb::InitiativeData& d, int64_t total_cents,
                    int64_t extra_cents, wijkflow::round::BudgetReserved* reservation);
// The request's claim on round `round_id`, received complete now (at the effective date): its
// place in the order of receipt (Awb 4:25, 4:26), for what it asks up to the round's maximum per
// request. Emitted to the round in the same append.
void LodgeClaim(DecideContext& ctx, const std::string& round_id, int64_t amount_cents);
// The place of the request's claim in its round's order of receipt; 0 if it has no claim.
int32_t ClaimPlace(DecideContext& ctx, const pb::InitiativeData& d);
// Ends the request's claim on its round, if it has one.
void EndClaim(DecideContext& ctx, const pb::InitiativeData& d, wijkflow::round::ClaimEnd reason);
// A release of `cents` of this initiative's reservation, for its round.
std::unique_ptr<wijkflow::round::BudgetReleased> Release(const DecideContext& ctx, int64_t cents,
                                                         wijkflow::round::ReleaseReason reason);
// A rejection for a timer that no longer applies: the engine then drops it.
Outcome Stale(const InitiativeView& v, const char* timer);

}  // namespace wijkflow::workflows::initiative
