// Machine: adapts a Boost.MSM transition table to the engine's Instance.
//
// A workflow writes its table with MSM's functor front-end, using its protobuf event messages
// as MSM events and state types that carry a static kName:
//
//   struct Draft : msm::front::state<> { static constexpr const char* kName = "draft"; };
//   struct InitiativeTable : MachineDef<InitiativeTable> {
//     using initial_state = Draft;
//     using transition_table = boost::mpl::vector<
//         msmf::Row<Draft, pb::Submitted, Submitted>, ...>;
//   };
//
// and an EventTable that binds each event type and schema version to an applier on its data
// message. Evolving an instance fires the event on the machine (which must have a transition for
// it) and then runs the applier: the same path for live commands and for replay.
//
// Include this only from a workflow's own translation unit: it pulls in all of MSM.
#pragma once

#include <algorithm>
#include <boost/mpl/for_each.hpp>
#include <boost/msm/back/state_machine.hpp>
#include <boost/msm/back/tools.hpp>
#include <boost/msm/front/functor_row.hpp>
#include <boost/msm/front/state_machine_def.hpp>
#include <functional>
#include <map>
#include <memory>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "engine/workflow.h"

namespace wijkflow::engine {

namespace msm = boost::msm;
namespace msmf = boost::msm::front;

// Base of every workflow's front-end. A missing transition is an answer (the event is not
// legal here), not a programming error: MSM's default no_transition would assert.
template <class Derived>
struct MachineDef : msm::front::state_machine_def<Derived> {
  template <class Fsm, class Event>
  void no_transition(const Event&, Fsm&, int) {}
};

namespace internal {

// MSM lets one read the active state id but not set it; its serialize() hook is the supported
// way in. This archive writes the id of the (single) region and ignores everything else.
struct StateIdArchive {
  int id;
  template <class T>
  StateIdArchive& operator&(T&) {
    return *this;
  }
  template <size_t N>
  StateIdArchive& operator&(int (&states)[N]) {
    states[0] = id;
    return *this;
  }
};

template <class Fsm>
struct StateNameCollector {
  std::vector<std::string>* names;
  template <class State>
  void operator()(msm::wrap<State>) const {
    int id = msm::back::get_state_id<typename Fsm::stt, State>::value;
    if (names->size() <= static_cast<size_t>(id)) names->resize(id + 1);
    (*names)[id] = State::kName;
  }
};

template <class Event>
std::string EventName() {
  return Event::descriptor()->name();
}

struct TransitionCollector {
  std::vector<Transition>* rows;
  template <class Row>
  void operator()(msm::wrap<Row>) const {
    rows->push_back({Row::Source::kName, EventName<typename Row::Evt>(), Row::Target::kName});
  }
};

}  // namespace internal

// Binds event types (and their schema versions) to the machine and to appliers on Data.
template <class Def, class Data>
class EventTable {
 public:
  using Fsm = msm::back::state_machine<Def>;

  struct Binding {
    std::function<bool(Fsm&, const Message&)> fire;
    std::function<void(Data&, const Message&, const EventEnvelope&)> apply;
  };

  // Event E recorded at `schema_version` fires E on the machine, then `apply(data, e, envelope)`.
  // Old schema versions keep their own applier: a history replays as it was recorded.
  template <class E, class Apply>
  EventTable& On(uint32_t schema_version, Apply apply) {
    Binding b;
    b.fire = [](Fsm& fsm, const Message& m) {
      return fsm.process_event(static_cast<const E&>(m)) == msm::back::HANDLED_TRUE;
    };
    b.apply = [apply](Data& d, const Message& m, const EventEnvelope& env) {
      apply(d, static_cast<const E&>(m), env);
    };
    bindings_[E::descriptor()->full_name()][schema_version] = std::move(b);
    return *this;
  }

  const Binding* Find(const std::string& type, uint32_t schema_version) const {
    auto by_type = bindings_.find(type);
    if (by_type == bindings_.end()) return nullptr;
    auto it = by_type->second.find(schema_version);
    return it == by_type->second.end() ? nullptr : &it->second;
  }

  std::vector<std::string> EventTypes() const {
    std::vector<std::string> out;
    for (const auto& [type, versions] : bindings_) out.push_back(type);
    std::sort(out.begin(), out.end());
    return out;
  }

 private:
  // Found by type without copying it (every event replayed is looked up), then by version.
  absl::flat_hash_map<std::string, std::map<uint32_t, Binding>> bindings_;
};

template <class Def, class DataMsg>
class MachineInstance final : public Instance {
 public:
  using Fsm = msm::back::state_machine<Def>;
  using Table = EventTable<Def, DataMsg>;

  explicit MachineInstance(const Table* table) : table_(table) { fsm_.start(); }
  // Copies from a const machine: state_machine's forwarding constructor would otherwise build a
  // fresh machine in the initial state instead of copying.
  MachineInstance(const MachineInstance& other)
      : table_(other.table_), fsm_(std::as_const(other.fsm_)), data_(other.data_) {}

  std::unique_ptr<Instance> Clone() const override {
    return std::make_unique<MachineInstance>(*this);
  }
  std::string_view StateName() const override { return StateNames()[StateId()]; }
  const Message& Data() const override { return data_; }
  const auto& data() const { return data_; }

  Outcome Apply(const EventEnvelope& env, const Message& payload) override {
    const typename Table::Binding* b = nullptr;
    Outcome fired = Fire(env, payload, &b);
    if (fired.ok()) b->apply(data_, payload, env);
    return fired;
  }
  Outcome Advance(const EventEnvelope& env, const Message& payload) override {
    const typename Table::Binding* b = nullptr;
    return Fire(env, payload, &b);
  }

  Outcome Restore(std::string_view state, const std::string& data) override {
    const auto& names = StateNames();
    for (size_t id = 0; id < names.size(); ++id) {
      if (names[id] == state) {
        internal::StateIdArchive ar{static_cast<int>(id)};
        fsm_.serialize(ar, 0);
        if (!data_.ParseFromString(data)) return Outcome::InvalidArgument("bad snapshot data");
        return Outcome::Ok();
      }
    }
    return Outcome::InvalidArgument("unknown state '" + std::string(state) + "'");
  }

  // Every state name, indexed by MSM state id.
  static const std::vector<std::string>& StateNames() {
    static const std::vector<std::string> names = [] {
      std::vector<std::string> n;
      using States = typename msm::back::generate_state_set<typename Fsm::stt>::type;
      boost::mpl::for_each<States, msm::wrap<boost::mpl::placeholders::_1>>(
          internal::StateNameCollector<Fsm>{&n});
      return n;
    }();
    return names;
  }

  // Every row of the transition table, in table order.
  static std::vector<Transition> Transitions() {
    std::vector<Transition> rows;
    boost::mpl::for_each<typename Def::transition_table, msm::wrap<boost::mpl::placeholders::_1>>(
        internal::TransitionCollector{&rows});
    return rows;
  }

  static std::string InitialStateName() { return Def::initial_state::kName; }

 private:
  int StateId() const { return fsm_.current_state()[0]; }

  // Finds the event's binding (*b) and fires the event on the machine.
  Outcome Fire(const EventEnvelope& env, const Message& payload,
               const typename Table::Binding** b) {
    *b = table_->Find(env.event_type(), env.schema_version());
    if (*b == nullptr) {
      return Outcome::InvalidArgument("no applier for " + env.event_type() + " v" +
                                      std::to_string(env.schema_version()));
    }
    if (!(*b)->fire(fsm_, payload)) {
      return Outcome::InvalidTransition(std::string(StateName()), payload.GetDescriptor()->name());
    }
    return Outcome::Ok();
  }

  const Table* table_;
  Fsm fsm_;
  DataMsg data_;
};

// Fills the parts of WorkflowInfo that come from the machine and the event table.
template <class Def, class Data>
void DescribeMachine(const EventTable<Def, Data>& table, WorkflowInfo* info) {
  using M = MachineInstance<Def, Data>;
  info->initial_state = M::InitialStateName();
  info->states = M::StateNames();
  info->transitions = M::Transitions();
  info->events = table.EventTypes();
}

}  // namespace wijkflow::engine
