// Transition table and appliers of the subsidy round.
#include "workflows/subsidy_round/round_machine.h"

#include "engine/machine.h"
#include "wijkflow/subsidy_round.pb.h"
#include "workflows/common/fold.h"
#include "workflows/common/time.h"

namespace wijkflow::workflows::subsidy_round {
namespace {

namespace pb = ::wijkflow::round;
using engine::Across;
using engine::AcrossTable;
using engine::AnyOf;
using engine::EventTable;
using engine::MachineDef;
using engine::MachineInstance;
using engine::TransitionTable;
using engine::msmf::Row;
using engine::msmf::state;

struct New : state<> {
  static constexpr std::string_view kName = subsidy_round::state::kNew;
};
struct Requested : state<> {
  static constexpr std::string_view kName = subsidy_round::state::kRequested;
};
struct Set : state<> {
  static constexpr std::string_view kName = subsidy_round::state::kSet;
};
struct Published : state<> {
  static constexpr std::string_view kName = subsidy_round::state::kPublished;
};
struct Open : state<> {
  static constexpr std::string_view kName = subsidy_round::state::kOpen;
};
struct Closed : state<> {
  static constexpr std::string_view kName = subsidy_round::state::kClosed;
};
struct Finished : state<> {
  static constexpr std::string_view kName = subsidy_round::state::kFinished;
};

struct RoundDef : MachineDef<RoundDef> {
  using initial_state = New;
  using transition_table =
      TransitionTable<Row<New, pb::RoundRequested, Requested>,  //
                      Row<New, pb::RoundSet, Set>,        // a round the executive sets unasked
                      Row<Requested, pb::RoundSet, Set>,  //
                      Row<Set, pb::RoundSet, Set>,        // set again before publication
                      Row<Set, pb::RoundPublished, Published>,  //
                      Row<Published, pb::RoundOpened, Open>,    // Awb 4:26/4:27: never from "set"
                      Row<Open, pb::RoundClosed, Closed>,       //
                      Row<Closed, pb::RoundFinished, Finished>>;

  // Budget moves while the round is open or closed: a grant decided after the round closed
  // still draws on it.
  using Drawing = AnyOf<Open, Closed>;
  using across_table =
      AcrossTable<Across<AnyOf<Set, Published, Open, Closed>, pb::CeilingChanged>,
                  Across<Drawing, pb::ClaimLodged>,     // Awb 4:25: a request received in time
                  Across<Drawing, pb::ClaimEnded>,      //
                  Across<Drawing, pb::BudgetReserved>,  //
                  Across<Drawing, pb::BudgetReleased>,  //
                  Across<Drawing, pb::BudgetSettled>>;
};

using Round = MachineInstance<RoundDef, pb::RoundData>;
using Table = EventTable<RoundDef, pb::RoundData>;

void StartCeiling(pb::RoundData& d, int64_t ceiling, const EventEnvelope& env) {
  d.set_ceiling_cents(ceiling);
  pb::CeilingEntry* c = d.add_ceilings();
  *c->mutable_from() = env.effective_date();
  c->set_ceiling_cents(ceiling);
}

void ApplyRequested(pb::RoundData& d, const pb::RoundRequested& e, const EventEnvelope& env) {
  d.set_round_id(InstanceIdOf(env));
  d.set_district(e.district());
  d.set_requested_ceiling_cents(e.ceiling_cents());
  d.set_max_per_request_cents(e.max_per_request_cents());
  *d.mutable_period() = e.period();
  d.set_motivation(e.motivation());
}

void ApplySet(pb::RoundData& d, const pb::RoundSet& e, const EventEnvelope& env) {
  d.set_round_id(InstanceIdOf(env));
  d.set_district(e.district());
  d.set_max_per_request_cents(e.max_per_request_cents());
  *d.mutable_period() = e.period();
  d.set_distribution(e.distribution());
  d.set_same_day_rank(e.same_day_rank());
  d.set_lot_seed(e.lot_seed());
  d.clear_ceilings();  // nobody could draw on the round before publication
  StartCeiling(d, e.ceiling_cents(), env);
}

void ApplyPublished(pb::RoundData& d, const pb::RoundPublished& e, const EventEnvelope& env) {
  d.set_publication_ref(e.publication_ref());
  *d.mutable_published_at() = env.effective_date();
}

void ApplyCeiling(pb::RoundData& d, const pb::CeilingChanged& e, const EventEnvelope& env) {
  StartCeiling(d, e.ceiling_cents(), env);
}

void ApplyClaimLodged(pb::RoundData& d, const pb::ClaimLodged& e, const EventEnvelope&) {
  pb::Claim& c = (*d.mutable_claims())[e.initiative_id()];
  c.set_amount_cents(e.amount_cents());
  *c.mutable_received_at() = e.received_at();
}

void ApplyClaimEnded(pb::RoundData& d, const pb::ClaimEnded& e, const EventEnvelope&) {
  d.mutable_claims()->erase(e.initiative_id());
}

// A grant converts the request's claim, if it has one, and keeps its place in the order.
void ApplyReserved(pb::RoundData& d, const pb::BudgetReserved& e, const EventEnvelope&) {
  d.mutable_claims()->erase(e.initiative_id());
  pb::Allocation& a = (*d.mutable_allocations())[e.initiative_id()];
  if (!a.has_received_at()) *a.mutable_received_at() = e.submitted_at();
  a.set_reserved_cents(a.reserved_cents() + e.amount_cents());
  d.set_reserved_cents(d.reserved_cents() + e.amount_cents());
  d.set_granted_cents(d.granted_cents() + e.amount_cents());
}

void ApplyReleased(pb::RoundData& d, const pb::BudgetReleased& e, const EventEnvelope&) {
  pb::Allocation& a = (*d.mutable_allocations())[e.initiative_id()];
  a.set_reserved_cents(a.reserved_cents() - e.amount_cents());
  d.set_reserved_cents(d.reserved_cents() - e.amount_cents());
  d.set_released_cents(d.released_cents() + e.amount_cents());
}

void ApplySettled(pb::RoundData& d, const pb::BudgetSettled& e, const EventEnvelope&) {
  pb::Allocation& a = (*d.mutable_allocations())[e.initiative_id()];
  a.set_settled(true);
  a.set_settled_cents(e.amount_cents());
  d.set_settled_cents(d.settled_cents() + e.amount_cents());
}

const Table& Events() {
  static const Table* table = [] {
    auto* t = new Table();
    t->On<pb::RoundRequested>(1, ApplyRequested);
    t->On<pb::RoundSet>(1, ApplySet);
    t->On<pb::RoundPublished>(1, ApplyPublished);
    t->On<pb::RoundOpened>(1,
                           [](pb::RoundData& d, const pb::RoundOpened&, const EventEnvelope& env) {
                             *d.mutable_opened_at() = env.effective_date();
                           });
    t->On<pb::RoundClosed>(1,
                           [](pb::RoundData& d, const pb::RoundClosed&, const EventEnvelope& env) {
                             *d.mutable_closed_at() = env.effective_date();
                           });
    t->On<pb::CeilingChanged>(1, ApplyCeiling);
    t->On<pb::ClaimLodged>(1, ApplyClaimLodged);
    t->On<pb::ClaimEnded>(1, ApplyClaimEnded);
    t->On<pb::BudgetReserved>(1, ApplyReserved);
    t->On<pb::BudgetReleased>(1, ApplyReleased);
    t->On<pb::BudgetSettled>(1, ApplySettled);
    t->On<pb::RoundFinished>(1,
                             [](pb::RoundData&, const pb::RoundFinished&, const EventEnvelope&) {});
    return t;
  }();
  return *table;
}

}  // namespace

std::unique_ptr<engine::Instance> NewRoundInstance(uint32_t /*definition_version*/) {
  return std::make_unique<Round>(&Events());
}

engine::Outcome DescribeRoundMachine(engine::WorkflowInfo* info) {
  return engine::DescribeMachine(Events(), info);
}

}  // namespace wijkflow::workflows::subsidy_round
