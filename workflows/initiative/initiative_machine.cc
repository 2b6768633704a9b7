// Transition table and appliers of the initiative. Heavy on templates: kept apart from the
// command handlers so that a rule change does not recompile the table.
#include "workflows/initiative/initiative_machine.h"

#include "engine/machine.h"
#include "wijkflow/initiative.pb.h"
#include "workflows/initiative/initiative_appliers.h"

namespace wijkflow::workflows::initiative {
namespace {

namespace pb = ::wijkflow::initiative;
using engine::EventTable;
using engine::MachineDef;
using engine::MachineInstance;
using engine::msmf::none;
using engine::msmf::Row;
using engine::msmf::state;

#define WIJKFLOW_STATE(Type, name)             \
  struct Type : state<> {                      \
    static constexpr const char* kName = name; \
  }
WIJKFLOW_STATE(Draft, "draft");
WIJKFLOW_STATE(Submitted, "submitted");
WIJKFLOW_STATE(CompletionRequested, "completion-requested");
WIJKFLOW_STATE(SetAside, "set-aside");
WIJKFLOW_STATE(UnderReview, "under-review");
WIJKFLOW_STATE(InVote, "in-vote");
WIJKFLOW_STATE(VoteClosed, "vote-closed");
WIJKFLOW_STATE(Granted, "granted");
WIJKFLOW_STATE(Refused, "refused");
WIJKFLOW_STATE(ObjectionLodged, "objection-lodged");
WIJKFLOW_STATE(Published, "published");
WIJKFLOW_STATE(InProgress, "in-progress");
WIJKFLOW_STATE(Accounted, "accounted");
WIJKFLOW_STATE(Settled, "settled");
WIJKFLOW_STATE(Withdrawn, "withdrawn");
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
  using transition_table = boost::mpl::vector<
      // Intake and completion (Awb 4:3a, 4:5).
      Row<Draft, pb::InitiativeSubmitted, Submitted>,
      Row<Submitted, pb::ReceiptAcknowledged, Submitted>,
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
      // The decision deadline (Awb 4:13, 4:14); paused while completion is requested.
      Row<Submitted, pb::DecisionDeadlinePassed, Submitted>,
      Row<UnderReview, pb::DecisionDeadlinePassed, UnderReview>,
      Row<InVote, pb::DecisionDeadlinePassed, InVote>,
      Row<VoteClosed, pb::DecisionDeadlinePassed, VoteClosed>,
      Row<Submitted, pb::DecisionDeadlineExtended, Submitted>,
      Row<UnderReview, pb::DecisionDeadlineExtended, UnderReview>,
      Row<InVote, pb::DecisionDeadlineExtended, InVote>,
      Row<VoteClosed, pb::DecisionDeadlineExtended, VoteClosed>,
      // Objection (Awb 6:7, 7:11).
      Row<Granted, pb::ObjectionLodged, ObjectionLodged>,
      Row<Refused, pb::ObjectionLodged, ObjectionLodged>,
      Row<Published, pb::ObjectionLodged, ObjectionLodged>,
      Row<ObjectionLodged, pb::ObjectionDecided, Refused, none, HoldsRefusal>,
      Row<ObjectionLodged, pb::ObjectionDecided, Granted, none, HoldsUnpublishedGrant>,
      Row<ObjectionLodged, pb::ObjectionDecided, Published, none, HoldsPublishedGrant>,
      Row<Granted, pb::ObjectionWindowClosed, Granted>,
      Row<Refused, pb::ObjectionWindowClosed, Refused>,
      Row<Published, pb::ObjectionWindowClosed, Published>,
      Row<InProgress, pb::ObjectionWindowClosed, InProgress>,
      Row<Accounted, pb::ObjectionWindowClosed, Accounted>,
      Row<Settled, pb::ObjectionWindowClosed, Settled>,
      // After the grant.
      Row<Granted, pb::Published, Published>,             //
      Row<Published, pb::ActivityStarted, InProgress>,    //
      Row<Published, pb::AccountsSubmitted, Accounted>,   //
      Row<InProgress, pb::AccountsSubmitted, Accounted>,  //
      Row<Accounted, pb::Settled, Settled>,
      // Withdrawal: before the decision, or giving up a grant.
      Row<Submitted, pb::Withdrawn, Withdrawn>,            //
      Row<CompletionRequested, pb::Withdrawn, Withdrawn>,  //
      Row<UnderReview, pb::Withdrawn, Withdrawn>,          //
      Row<InVote, pb::Withdrawn, Withdrawn>,               //
      Row<VoteClosed, pb::Withdrawn, Withdrawn>,           //
      Row<Granted, pb::Withdrawn, Withdrawn>,              //
      Row<Published, pb::Withdrawn, Withdrawn>,            //
      Row<InProgress, pb::Withdrawn, Withdrawn>>;
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

void DescribeInitiativeMachine(engine::WorkflowInfo* info) {
  engine::DescribeMachine(Events(), info);
}

}  // namespace wijkflow::workflows::initiative
