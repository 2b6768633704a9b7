// Transition table and appliers of the mandate register.
#include "workflows/mandate/mandate_machine.h"

#include "engine/machine.h"
#include "wijkflow/mandate.pb.h"
#include "workflows/common/time.h"

namespace wijkflow::workflows::mandate {
namespace {

namespace pb = ::wijkflow::mandate;
using engine::Across;
using engine::AcrossTable;
using engine::AnyOf;
using engine::EventTable;
using engine::MachineDef;
using engine::MachineInstance;
using engine::TransitionTable;
using engine::msmf::Row;

struct Empty : engine::msmf::state<> {
  static constexpr std::string_view kName = mandate::state::kEmpty;
};
struct Keeping : engine::msmf::state<> {
  static constexpr std::string_view kName = mandate::state::kKeeping;
};

struct RegisterDef : MachineDef<RegisterDef> {
  using initial_state = Empty;
  using transition_table = TransitionTable<Row<Empty, pb::MandateGranted, Keeping>>;
  using across_table = AcrossTable<Across<AnyOf<Keeping>, pb::MandateGranted>,
                                   Across<AnyOf<Keeping>, pb::MandateRevoked>>;
};

using Register = MachineInstance<RegisterDef, pb::MandateRegister>;
using Table = EventTable<RegisterDef, pb::MandateRegister>;

void ApplyGranted(pb::MandateRegister& d, const pb::MandateGranted& e, const EventEnvelope& env) {
  d.set_district(e.district());
  pb::Mandate* m = d.add_mandates();
  m->set_id(e.mandate_id());
  m->set_grantee(e.grantee());
  m->set_max_amount_cents(e.max_amount_cents());
  *m->mutable_valid_from() = e.valid_from();
  if (e.has_valid_until()) *m->mutable_valid_until() = e.valid_until();
  m->set_decision_ref(e.decision_ref());
  *m->mutable_granted_on() = env.effective_date();
}

void ApplyRevoked(pb::MandateRegister& d, const pb::MandateRevoked& e, const EventEnvelope& env) {
  for (pb::Mandate& m : *d.mutable_mandates()) {
    if (m.id() != e.mandate_id()) continue;
    m.set_revoked(true);
    *m.mutable_revoked_from() = env.effective_date();
    m.set_revoke_reason(e.reason());
  }
}

const Table& Events() {
  static const Table* table = [] {
    auto* t = new Table();
    t->On<pb::MandateGranted>(1, ApplyGranted);
    t->On<pb::MandateRevoked>(1, ApplyRevoked);
    return t;
  }();
  return *table;
}

}  // namespace

std::unique_ptr<engine::Instance> NewRegisterInstance(uint32_t /*definition_version*/) {
  return std::make_unique<Register>(&Events());
}

engine::Outcome DescribeRegisterMachine(engine::WorkflowInfo* info) {
  return engine::DescribeMachine(Events(), info);
}

}  // namespace wijkflow::workflows::mandate
