// Transition table and appliers of the initiative. Heavy on templates: kept apart from the
// command handlers so that a rule change does not recompile the table.
#include "workflows/initiative/initiative_machine.h"

#include "engine/machine.h"
#include "wijkflow/initiative.pb.h"
#include "workflows/initiative/initiative_appliers.h"

namespace wijkflow::workflows::initiative {
namespace {

namespace pb = ::wijkflow::initiative;
using engine::Across;
using engine::AcrossTable;
using engine::AnyOf;
using engine::EventTable;
using engine::MachineDef;
using engine::MachineInstance;
using engine::TransitionTable;
using engine::msmf::none;
using engine::msmf::Row;

#define WIJKFLOW_STATE(Type, name)                  \
  struct Type : engine::msmf::state<> {             \
    static constexpr std::string_view kName = name; \
  }
WIJKFLOW_STATE(Draft, initiative::state::kDraft);
WIJKFLOW_STATE(Submitted, initiative::state::kSubmitted);
WIJKFLOW_STATE(CompletionRequested, initiative::state::kCompletionRequested);
WIJKFLOW_STATE(SetAside, initiative::state::kSetAside);
WIJKFLOW_STATE(UnderReview, initiative::state::kUnderReview);
WIJKFLOW_STATE(InVote, initiative::state::kInVote);
WIJKFLOW_STATE(VoteClosed, initiative::state::kVoteClosed);
WIJKFLOW_STATE(Granted, initiative::state::kGranted);
WIJKFLOW_STATE(Refused, initiative::state::kRefused);
WIJKFLOW_STATE(ObjectionLodged, initiative::state::kObjectionLodged);
WIJKFLOW_STATE(Published, initiative::state::kPublished);
WIJKFLOW_STATE(InProgress, initiative::state::kInProgress);
WIJKFLOW_STATE(Accounted, initiative::state::kAccounted);
WIJKFLOW_STATE(Settled, initiative::state::kSettled);
WIJKFLOW_STATE(Withdrawn, initiative::state::kWithdrawn);
#undef WIJKFLOW_STATE

// Where the decision on an objection lands: the decision that now holds, and whether the
// grant is on Mijn Rotterdam. Guards read only the event, so replay needs nothing else.
struct HoldsRefusal {
  template <class Evt, class Fsm, class S, class T>
  bool operator()(const Evt& e, Fsm&, S&, T&) const {
    return e.kind() == pb::DECISION_KIND_REFUSAL;
  }
};
struct HoldsUnpublishedGrant {
  template <class Evt, class Fsm, class S, class T>
  bool operator()(const Evt& e, Fsm&, S&, T&) const {
    return e.kind() == pb::DECISION_KIND_GRANT && !e.published();
  }
};
struct HoldsPublishedGrant {
  template <class Evt, class Fsm, class S, class T>
  bool operator()(const Evt& e, Fsm&, S&, T&) const {
    return e.kind() == pb::DECISION_KIND_GRANT && e.published();
  }
};

struct InitiativeDef : MachineDef<InitiativeDef> {
  using initial_state = Draft;
  using transition_table = TransitionTable<
      // Intake and completion (Awb 4:5).
      Row<Draft, pb::InitiativeSubmitted, Submitted>,
      Row<Submitted, pb::CompletionRequested, CompletionRequested>,
      Row<UnderReview, pb::CompletionRequested, CompletionRequested>,
      Row<CompletionRequested, pb::RequestCompleted, Submitted>,
      Row<CompletionRequested, pb::SetAside, SetAside>,
      // Review, the voting round of bi-2022, the decision.
      Row<Submitted, pb::ReviewStarted, UnderReview>,  //
      Row<UnderReview, pb::VoteOpened, InVote>,        //
      Row<InVote, pb::VoteClosed, VoteClosed>,         //
      Row<UnderReview, pb::Granted, Granted>,          //
      Row<UnderReview, pb::Refused, Refused>,          //
      Row<VoteClosed, pb::Granted, Granted>,           //
      Row<VoteClosed, pb::Refused, Refused>,
      // The decision on an objection (Awb 7:11).
      Row<ObjectionLodged, pb::ObjectionDecided, Refused, none, HoldsRefusal>,
      Row<ObjectionLodged, pb::ObjectionDecided, Granted, none, HoldsUnpublishedGrant>,
      Row<ObjectionLodged, pb::ObjectionDecided, Published, none, HoldsPublishedGrant>,
      // After the grant.
      Row<Granted, pb::Published, Published>,             //
      Row<Published, pb::ActivityStarted, InProgress>,    //
      Row<Published, pb::AccountsSubmitted, Accounted>,   //
      Row<InProgress, pb::AccountsSubmitted, Accounted>,  //
      Row<Accounted, pb::Settled, Settled>>;

  // Before the decision, with the decision clock running (it pauses while completion is
  // requested, Awb 4:15).
  using Pending = AnyOf<Submitted, UnderReview, InVote, VoteClosed>;
  // A decision stands that can be objected to (Awb 6:7).
  using Decided = AnyOf<Granted, Refused, Published>;
  // A decision was taken: its objection window runs.
  using AfterDecision = AnyOf<Granted, Refused, Published, InProgress, Accounted, Settled>;
  // The applicant may withdraw before the decision, or give up a grant.
  using Withdrawable = AnyOf<Submitted, CompletionRequested, UnderReview, InVote, VoteClosed,
                             Granted, Published, InProgress>;
  using across_table = AcrossTable<Across<AnyOf<Submitted>, pb::ReceiptAcknowledged>,  // Awb 4:3a
                                   Across<Pending, pb::DecisionDeadlinePassed>,        // Awb 4:13
                                   Across<Pending, pb::DecisionDeadlineExtended>,      // Awb 4:14
                                   Across<Decided, pb::ObjectionLodged, ObjectionLodged>,
                                   Across<AfterDecision, pb::ObjectionWindowClosed>,
                                   Across<Withdrawable, pb::Withdrawn, Withdrawn>>;
};

using Machine = MachineInstance<InitiativeDef, pb::InitiativeData>;
using Table = EventTable<InitiativeDef, pb::InitiativeData>;

const Table& Events() {
  static const Table* table = [] {
    auto* t = new Table();
    t->On<pb::InitiativeSubmitted>(1, ApplySubmitted);
    t->On<pb::ReceiptAcknowledged>(1, ApplyReceiptAcknowledged);
    t->On<pb::CompletionRequested>(1, ApplyCompletionRequested);
    t->On<pb::RequestCompleted>(1, ApplyRequestCompleted);
    t->On<pb::SetAside>(1, ApplySetAside);
    t->On<pb::ReviewStarted>(1, ApplyReviewStarted);
    t->On<pb::VoteOpened>(1, ApplyVoteOpened);
    t->On<pb::VoteClosed>(1, ApplyVoteClosed);
    t->On<pb::Granted>(1, ApplyGranted);
    t->On<pb::Granted>(2, ApplyGrantedV2);
    t->On<pb::Refused>(1, ApplyRefused);
    t->On<pb::DecisionDeadlinePassed>(1, ApplyDeadlinePassed);
    t->On<pb::DecisionDeadlineExtended>(1, ApplyDeadlineExtended);
    t->On<pb::ObjectionLodged>(1, ApplyObjectionLodged);
    t->On<pb::ObjectionDecided>(1, ApplyObjectionDecided);
    t->On<pb::ObjectionWindowClosed>(1, ApplyObjectionWindowClosed);
    t->On<pb::Published>(1, ApplyPublished);
    t->On<pb::ActivityStarted>(1, ApplyActivityStarted);
    t->On<pb::AccountsSubmitted>(1, ApplyAccountsSubmitted);
    t->On<pb::Settled>(1, ApplySettled);
    t->On<pb::Withdrawn>(1, ApplyWithdrawn);
    return t;
  }();
  return *table;
}

}  // namespace

std::unique_ptr<engine::Instance> NewInitiativeInstance(uint32_t /*definition_version*/) {
  return std::make_unique<Machine>(&Events());
}

engine::Outcome DescribeInitiativeMachine(engine::WorkflowInfo* info) {
  return engine::DescribeMachine(Events(), info);
}

}  // namespace wijkflow::workflows::initiative
