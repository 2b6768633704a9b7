// Machine: adapts a Boost.MSM transition table to the engine's Instance.
//
// A workflow writes its table with MSM's functor front-end, using its protobuf event messages
// as MSM events and state types whose static kName is one of the state names its header exports:
//
//   struct Draft : msmf::state<> { static constexpr std::string_view kName = state::kDraft; };
//   struct InitiativeDef : MachineDef<InitiativeDef> {
//     using initial_state = Draft;
//     using transition_table = TransitionTable<
//         Row<Draft, pb::InitiativeSubmitted, Submitted>, ...>;
//     // Transitions alike in many states, declared once beside the table:
//     using Open = AnyOf<Submitted, UnderReview>;
//     using across_table = AcrossTable<
//         Across<Open, pb::DecisionDeadlinePassed>,         // stays in its state
//         Across<Open, pb::Withdrawn, Withdrawn>>;           // leads to one state
//   };
//
// and an EventTable that binds each event type and schema version to an applier on its data
// message. Evolving an instance fires the event on the machine (which must have a transition for
// it) and then runs the applier: the same path for live commands and for replay.
//
// Why the across table: MSM compiles a dispatch table per event over every row, so compile time
// and memory grow with rows times events, and an mpl::vector holds at most
// BOOST_MPL_LIMIT_VECTOR_SIZE rows. Cross-cutting rows (a deadline passing in every open state,
// withdrawal from any of them) are most of a real table; held beside it, as data, they cost the
// compiler nothing and the table keeps only the workflow's real graph. A state reached only
// through the across table (say "withdrawn") is not one of MSM's: the instance holds it itself,
// and MSM's rows cannot leave it (none names it).
//
// Include this only from a workflow's own translation unit: it pulls in all of MSM.
#pragma once

#include <algorithm>
#include <boost/mpl/for_each.hpp>
#include <boost/mpl/has_key.hpp>
#include <boost/mpl/size.hpp>
#include <boost/msm/back/state_machine.hpp>
#include <boost/msm/back/tools.hpp>
#include <boost/msm/front/functor_row.hpp>
#include <boost/msm/front/state_machine_def.hpp>
#include <functional>
#include <map>
#include <memory>
#include <set>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "engine/workflow.h"

namespace wijkflow::engine {

namespace msm = boost::msm;
namespace msmf = boost::msm::front;

// The MSM table of a workflow's graph. The row limit is set once, in the top-level
// CMakeLists.txt, for every translation unit alike.
template <class... Rows>
struct TransitionTableOf {
  static_assert(sizeof...(Rows) <= BOOST_MPL_LIMIT_VECTOR_SIZE,
                "More rows than BOOST_MPL_LIMIT_VECTOR_SIZE: move transitions that are alike in "
                "many states to the across_table (Across<AnyOf<...>, Event, Target>); if the "
                "graph itself is this large, raise BOOST_MPL_LIMIT_VECTOR_SIZE (and "
                "BOOST_MPL_LIMIT_MAP_SIZE) in the top-level CMakeLists.txt.");
  using type = boost::mpl::vector<Rows...>;
};
template <class... Rows>
using TransitionTable = typename TransitionTableOf<Rows...>::type;

// States a cross-cutting transition applies in.
template <class... States>
struct AnyOf {};
// The target of a transition that keeps the instance in its state.
struct Stay {};
// Event `Event` in any of `Sources` (an AnyOf) leads to `Target`, or keeps the state.
template <class Sources, class Event, class Target = Stay>
struct Across {};
template <class... Rows>
struct AcrossTable {};

// Base of every workflow's front-end. A missing transition is an answer (the event is not
// legal here), not a programming error: MSM's default no_transition would assert.
template <class Derived>
struct MachineDef : msm::front::state_machine_def<Derived> {
  using across_table = AcrossTable<>;
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

template <class Event>
std::string EventName() {
  return Event::descriptor()->name();
}

// A cross-cutting row as data: the state ids it applies in, and where it leads.
struct AcrossRow {
  std::vector<int> from;
  int to = -1;  // -1: stays
};

// The machine as data: every state name (MSM's states first, by MSM id, then those only the
// across table names), the across rows by event type, every transition for diagrams, and what
// is wrong with the definition, if anything.
struct Shape {
  std::vector<std::string> states;
  int msm_states = 0;
  absl::flat_hash_map<std::string, std::vector<AcrossRow>> across;  // by event full name
  std::vector<Transition> transitions;
  std::vector<std::string> problems;

  int Id(std::string_view name) {
    for (size_t i = 0; i < states.size(); ++i) {
      if (states[i] == name) return static_cast<int>(i);
    }
    states.emplace_back(name);
    return static_cast<int>(states.size() - 1);
  }
};

template <class Fsm>
struct StateNameCollector {
  std::vector<std::string>* names;
  template <class State>
  void operator()(msm::wrap<State>) const {
    int id = msm::back::get_state_id<typename Fsm::stt, State>::value;
    if (names->size() <= static_cast<size_t>(id)) names->resize(id + 1);
    (*names)[id] = std::string(State::kName);
  }
};

struct TransitionCollector {
  std::vector<Transition>* rows;
  template <class Row>
  void operator()(msm::wrap<Row>) const {
    rows->push_back({std::string(Row::Source::kName), EventName<typename Row::Evt>(),
                     std::string(Row::Target::kName)});
  }
};

template <class Row>
struct AddAcross;
template <class... Sources, class Event, class Target>
struct AddAcross<Across<AnyOf<Sources...>, Event, Target>> {
  static void To(Shape* shape) {
    AcrossRow row;
    if constexpr (!std::is_same_v<Target, Stay>) row.to = shape->Id(Target::kName);
    (AddSource<Sources>(shape, &row), ...);
    shape->across[Event::descriptor()->full_name()].push_back(std::move(row));
  }
  template <class Source>
  static void AddSource(Shape* shape, AcrossRow* row) {
    row->from.push_back(shape->Id(Source::kName));
    const std::string to = row->to < 0 ? std::string(Source::kName) : shape->states[row->to];
    shape->transitions.push_back({std::string(Source::kName), EventName<Event>(), to});
  }
};

template <class Table>
struct AddAcrossTable;
template <class... Rows>
struct AddAcrossTable<AcrossTable<Rows...>> {
  static void To([[maybe_unused]] Shape* shape) { (AddAcross<Rows>::To(shape), ...); }
};

// A (state, event) pair that two rows claim, where one of them is an across row: which of the
// two applies would depend on the order they are tried in. REQUIRES: the table's own rows are
// the first `table_rows` transitions.
inline void CheckAcross(size_t table_rows, Shape* shape) {
  std::set<std::pair<std::string, std::string>> across;
  for (size_t i = table_rows; i < shape->transitions.size(); ++i) {
    const Transition& t = shape->transitions[i];
    if (!across.insert({t.from, t.event}).second) {
      shape->problems.push_back("two across rows take " + t.event + " in state '" + t.from + "'");
    }
  }
  for (size_t i = 0; i < table_rows; ++i) {
    const Transition& t = shape->transitions[i];
    if (across.count({t.from, t.event})) {
      shape->problems.push_back("both the table and an across row take " + t.event + " in state '" +
                                t.from + "'");
    }
  }
}

}  // namespace internal

// The machine of front-end Def as data (built once).
template <class Def>
const internal::Shape& ShapeOf() {
  static const internal::Shape* shape = [] {
    using Fsm = msm::back::state_machine<Def>;
    auto* sh = new internal::Shape();
    using States = typename msm::back::generate_state_set<typename Fsm::stt>::type;
    boost::mpl::for_each<States, msm::wrap<boost::mpl::placeholders::_1>>(
        internal::StateNameCollector<Fsm>{&sh->states});
    sh->msm_states = static_cast<int>(sh->states.size());
    boost::mpl::for_each<typename Def::transition_table, msm::wrap<boost::mpl::placeholders::_1>>(
        internal::TransitionCollector{&sh->transitions});
    const size_t table_rows = sh->transitions.size();
    internal::AddAcrossTable<typename Def::across_table>::To(sh);
    internal::CheckAcross(table_rows, sh);
    std::set<std::string> names;
    for (const std::string& n : sh->states) {
      if (!names.insert(n).second) sh->problems.push_back("two states are named '" + n + "'");
    }
    return sh;
  }();
  return *shape;
}

// Binds event types (and their schema versions) to the machine and to appliers on Data.
template <class Def, class Data>
class EventTable {
 public:
  using Fsm = msm::back::state_machine<Def>;

  struct Binding {
    // Fires the event on MSM's table; nullptr if no row of the table takes it.
    bool (*fire)(Fsm&, const Message&) = nullptr;
    const std::vector<internal::AcrossRow>* across = nullptr;  // nullptr: no across row
    std::function<void(Data&, const Message&, const EventEnvelope&)> apply;
  };

  // Event E recorded at `schema_version` fires E on the machine, then `apply(data, e, envelope)`.
  // Old schema versions keep their own applier: a history replays as it was recorded.
  template <class E, class Apply>
  EventTable& On(uint32_t schema_version, Apply apply) {
    Binding b;
    using Events = typename msm::back::generate_event_set<typename Fsm::stt>::type;
    // Only events of the table's rows make MSM compile a dispatch table.
    if constexpr (boost::mpl::has_key<Events, E>::value) {
      b.fire = [](Fsm& fsm, const Message& m) {
        return fsm.process_event(static_cast<const E&>(m)) == msm::back::HANDLED_TRUE;
      };
    }
    const auto& across = ShapeOf<Def>().across;
    if (auto it = across.find(E::descriptor()->full_name()); it != across.end()) {
      b.across = &it->second;
    }
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

  // What is wrong with the bindings: a schema version without an applier below the newest
  // (a history recorded under it could not replay).
  std::vector<std::string> Problems() const {
    std::vector<std::string> out;
    for (const auto& [type, versions] : bindings_) {
      uint32_t expect = 1;
      for (const auto& [version, binding] : versions) {
        if (version != expect) {
          out.push_back(type + " has no applier for schema version " + std::to_string(expect));
          break;
        }
        ++expect;
      }
    }
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
      : table_(other.table_),
        fsm_(std::as_const(other.fsm_)),
        outside_(other.outside_),
        data_(other.data_) {}

  std::unique_ptr<Instance> Clone() const override {
    return std::make_unique<MachineInstance>(*this);
  }
  std::string_view StateName() const override { return ShapeOf<Def>().states[StateId()]; }
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
    const auto& names = ShapeOf<Def>().states;
    for (size_t id = 0; id < names.size(); ++id) {
      if (names[id] == state) {
        Enter(static_cast<int>(id));
        if (!data_.ParseFromString(data)) return Outcome::InvalidArgument("bad snapshot data");
        return Outcome::Ok();
      }
    }
    return Outcome::InvalidArgument("unknown state '" + std::string(state) + "'");
  }

 private:
  int StateId() const { return outside_ >= 0 ? outside_ : fsm_.current_state()[0]; }

  // Puts the machine in state `id`: one of MSM's, or one only the across table names.
  void Enter(int id) {
    if (id < ShapeOf<Def>().msm_states) {
      internal::StateIdArchive ar{id};
      fsm_.serialize(ar, 0);
      outside_ = -1;
    } else {
      outside_ = id;
    }
  }

  // Finds the event's binding (*b) and fires the event: an across row that applies in the
  // current state, else the table's rows.
  Outcome Fire(const EventEnvelope& env, const Message& payload,
               const typename Table::Binding** b) {
    *b = table_->Find(env.event_type(), env.schema_version());
    if (*b == nullptr) {
      return Outcome::InvalidArgument("no applier for " + env.event_type() + " v" +
                                      std::to_string(env.schema_version()));
    }
    const int current = StateId();
    if ((*b)->across != nullptr) {
      for (const internal::AcrossRow& row : *(*b)->across) {
        if (std::find(row.from.begin(), row.from.end(), current) == row.from.end()) continue;
        if (row.to >= 0) Enter(row.to);
        return Outcome::Ok();
      }
    }
    // MSM's rows never leave a state outside MSM (none names it).
    if (outside_ >= 0 || (*b)->fire == nullptr || !(*b)->fire(fsm_, payload)) {
      return Outcome::InvalidTransition(std::string(StateName()), payload.GetDescriptor()->name());
    }
    return Outcome::Ok();
  }

  const Table* table_;
  Fsm fsm_;
  int outside_ = -1;  // the state, when it is one MSM does not know; else -1
  DataMsg data_;
};

// Fills the parts of WorkflowInfo that come from the machine and the event table, and says what
// is wrong with them (two rows that take the same event in one state, a state named twice, a
// schema version without an applier).
template <class Def, class Data>
Outcome DescribeMachine(const EventTable<Def, Data>& table, WorkflowInfo* info) {
  const internal::Shape& shape = ShapeOf<Def>();
  info->initial_state = std::string(Def::initial_state::kName);
  info->states = shape.states;
  info->transitions = shape.transitions;
  info->events = table.EventTypes();
  std::vector<std::string> problems = shape.problems;
  for (std::string& p : table.Problems()) problems.push_back(std::move(p));
  if (problems.empty()) return Outcome::Ok();
  std::string message;
  for (const std::string& p : problems) message += (message.empty() ? "" : "; ") + p;
  return Outcome::InvalidArgument(message);
}

}  // namespace wijkflow::engine
