// Evolve: how each initiative event (schema version 1) folds into InitiativeData. Appliers
// never check rules; they record what was decided. A new schema version of an event gets a new
// applier beside the old one, so recorded histories keep replaying as they were decided.
#pragma once

#include <cstdint>

#include "wijkflow/envelope.pb.h"
#include "wijkflow/initiative.pb.h"

namespace wijkflow::workflows::initiative {

using Data = ::wijkflow::initiative::InitiativeData;
namespace ev = ::wijkflow::initiative;

void ApplySubmitted(Data& d, const ev::InitiativeSubmitted& e, const EventEnvelope& env);
void ApplyReceiptAcknowledged(Data& d, const ev::ReceiptAcknowledged& e, const EventEnvelope& env);
void ApplyCompletionRequested(Data& d, const ev::CompletionRequested& e, const EventEnvelope& env);
void ApplyRequestCompleted(Data& d, const ev::RequestCompleted& e, const EventEnvelope& env);
void ApplySetAside(Data& d, const ev::SetAside& e, const EventEnvelope& env);
void ApplyReviewStarted(Data& d, const ev::ReviewStarted& e, const EventEnvelope& env);
void ApplyVoteOpened(Data& d, const ev::VoteOpened& e, const EventEnvelope& env);
void ApplyVoteClosed(Data& d, const ev::VoteClosed& e, const EventEnvelope& env);
// Granted at schema 1 (no obligations recorded) and at schema 2 (with obligations). Both stay
// registered: a history replays with the applier of the version it was recorded at.
void ApplyGranted(Data& d, const ev::Granted& e, const EventEnvelope& env);
void ApplyGrantedV2(Data& d, const ev::Granted& e, const EventEnvelope& env);
inline constexpr uint32_t kGrantedSchema = 2;  // what DecideGrant records today
void ApplyRefused(Data& d, const ev::Refused& e, const EventEnvelope& env);
void ApplyDeadlinePassed(Data& d, const ev::DecisionDeadlinePassed& e, const EventEnvelope& env);
void ApplyDeadlineExtended(Data& d, const ev::DecisionDeadlineExtended& e,
                           const EventEnvelope& env);
void ApplyObjectionLodged(Data& d, const ev::ObjectionLodged& e, const EventEnvelope& env);
void ApplyObjectionDecided(Data& d, const ev::ObjectionDecided& e, const EventEnvelope& env);
void ApplyObjectionWindowClosed(Data& d, const ev::ObjectionWindowClosed& e,
                                const EventEnvelope& env);
void ApplyPublished(Data& d, const ev::Published& e, const EventEnvelope& env);
void ApplyActivityStarted(Data& d, const ev::ActivityStarted& e, const EventEnvelope& env);
void ApplyAccountsSubmitted(Data& d, const ev::AccountsSubmitted& e, const EventEnvelope& env);
void ApplySettled(Data& d, const ev::Settled& e, const EventEnvelope& env);
void ApplyWithdrawn(Data& d, const ev::Withdrawn& e, const EventEnvelope& env);

}  // namespace wijkflow::workflows::initiative
