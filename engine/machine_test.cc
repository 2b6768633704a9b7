#include "engine/machine.h"

#include <gtest/gtest.h>

#include "testdata/toggle.pb.h"

namespace wijkflow::engine {
namespace {

namespace pb = ::wijkflow::testing;

struct ClosedState : msmf::state<> {
  static constexpr const char* kName = "closed";
};
struct OpenState : msmf::state<> {
  static constexpr const char* kName = "open";
};
struct ToggleDef : MachineDef<ToggleDef> {
  using initial_state = ClosedState;
  using transition_table = boost::mpl::vector<msmf::Row<ClosedState, pb::Opened, OpenState>,
                                              msmf::Row<OpenState, pb::Closed, ClosedState>>;
};

using Toggle = MachineInstance<ToggleDef, pb::ToggleData>;

const EventTable<ToggleDef, pb::ToggleData>& Table() {
  static const auto* table = [] {
    auto* t = new EventTable<ToggleDef, pb::ToggleData>();
    t->On<pb::Opened>(1, [](pb::ToggleData& d, const pb::Opened&, const EventEnvelope&) {
      d.set_opens(d.opens() + 1);
    });
    t->On<pb::Closed>(1, [](pb::ToggleData& d, const pb::Closed& e, const EventEnvelope&) {
      d.set_last_reason(e.reason());
    });
    return t;
  }();
  return *table;
}

EventEnvelope Envelope(const Message& m) {
  EventEnvelope env;
  env.set_event_type(m.GetDescriptor()->full_name());
  env.set_schema_version(1);
  return env;
}

TEST(Machine, AppliesLegalEventsAndRejectsIllegalOnes) {
  Toggle t(&Table());
  EXPECT_EQ(t.StateName(), "closed");
  pb::Closed close;
  close.set_reason("night");
  Outcome bad = t.Apply(Envelope(close), close);
  EXPECT_EQ(bad.kind(), Outcome::Kind::kInvalidTransition);
  EXPECT_EQ(bad.state(), "closed");
  EXPECT_EQ(t.StateName(), "closed");
  EXPECT_EQ(t.data().last_reason(), "");  // a rejected event changes no data

  pb::Opened open;
  ASSERT_TRUE(t.Apply(Envelope(open), open).ok());
  EXPECT_EQ(t.StateName(), "open");
  ASSERT_TRUE(t.Apply(Envelope(close), close).ok());
  EXPECT_EQ(t.StateName(), "closed");
  EXPECT_EQ(t.data().opens(), 1);
  EXPECT_EQ(t.data().last_reason(), "night");
}

TEST(Machine, CloneKeepsCurrentStateAndIsIndependent) {
  Toggle t(&Table());
  pb::Opened open;
  ASSERT_TRUE(t.Apply(Envelope(open), open).ok());
  std::unique_ptr<Instance> copy = t.Clone();
  EXPECT_EQ(copy->StateName(), "open");
  pb::Closed close;
  ASSERT_TRUE(copy->Apply(Envelope(close), close).ok());
  EXPECT_EQ(copy->StateName(), "closed");
  EXPECT_EQ(t.StateName(), "open");
}

TEST(Machine, RestoreSetsStateAndData) {
  Toggle t(&Table());
  pb::ToggleData d;
  d.set_opens(7);
  ASSERT_TRUE(t.Restore("open", d.SerializeAsString()).ok());
  EXPECT_EQ(t.StateName(), "open");
  EXPECT_EQ(t.data().opens(), 7);
  pb::Closed close;
  EXPECT_TRUE(t.Apply(Envelope(close), close).ok());  // the machine really is in "open"
  EXPECT_FALSE(t.Restore("ajar", "").ok());
}

TEST(Machine, DescribesStatesAndTransitionsFromTheTable) {
  WorkflowInfo info;
  ASSERT_TRUE(DescribeMachine(Table(), &info).ok());
  EXPECT_EQ(info.initial_state, "closed");
  EXPECT_EQ(info.states, (std::vector<std::string>{"closed", "open"}));
  ASSERT_EQ(info.transitions.size(), 2u);
  EXPECT_EQ(info.transitions[0].from, "closed");
  EXPECT_EQ(info.transitions[0].event, "Opened");
  EXPECT_EQ(info.transitions[0].to, "open");
  EXPECT_EQ(info.events.size(), 2u);
}

// A lamp: the toggle's table, plus two across rows: a note taken in either state (kept), and a
// break of an open lamp into a state only the across table names.
struct BrokenState : msmf::state<> {
  static constexpr std::string_view kName = "broken";
};
struct LampDef : MachineDef<LampDef> {
  using initial_state = ClosedState;
  using transition_table = TransitionTable<msmf::Row<ClosedState, pb::Opened, OpenState>,
                                           msmf::Row<OpenState, pb::Closed, ClosedState>>;
  using across_table = AcrossTable<Across<AnyOf<ClosedState, OpenState>, pb::Noted>,
                                   Across<AnyOf<OpenState>, pb::Broken, BrokenState>>;
};
using Lamp = MachineInstance<LampDef, pb::ToggleData>;

const EventTable<LampDef, pb::ToggleData>& LampTable() {
  static const auto* table = [] {
    auto* t = new EventTable<LampDef, pb::ToggleData>();
    t->On<pb::Opened>(1, [](pb::ToggleData& d, const pb::Opened&, const EventEnvelope&) {
      d.set_opens(d.opens() + 1);
    });
    t->On<pb::Closed>(1, [](pb::ToggleData&, const pb::Closed&, const EventEnvelope&) {});
    t->On<pb::Noted>(1, [](pb::ToggleData& d, const pb::Noted& e, const EventEnvelope&) {
      d.set_last_reason(e.note());
    });
    t->On<pb::Broken>(1, [](pb::ToggleData&, const pb::Broken&, const EventEnvelope&) {});
    return t;
  }();
  return *table;
}

TEST(Machine, AcrossRowKeepsTheStateAndRunsTheApplier) {
  Lamp lamp(&LampTable());
  pb::Noted note;
  note.set_note("dim");
  ASSERT_TRUE(lamp.Apply(Envelope(note), note).ok());
  EXPECT_EQ(lamp.StateName(), "closed");
  EXPECT_EQ(lamp.data().last_reason(), "dim");
  pb::Opened open;
  ASSERT_TRUE(lamp.Apply(Envelope(open), open).ok());
  note.set_note("bright");
  ASSERT_TRUE(lamp.Apply(Envelope(note), note).ok());
  EXPECT_EQ(lamp.StateName(), "open");
  EXPECT_EQ(lamp.data().last_reason(), "bright");
}

TEST(Machine, AcrossRowLeadsToAStateOutsideTheTable) {
  Lamp lamp(&LampTable());
  pb::Broken broken;
  Outcome bad = lamp.Apply(Envelope(broken), broken);  // only an open lamp breaks
  EXPECT_EQ(bad.kind(), Outcome::Kind::kInvalidTransition);
  EXPECT_EQ(lamp.StateName(), "closed");

  pb::Opened open;
  ASSERT_TRUE(lamp.Apply(Envelope(open), open).ok());
  ASSERT_TRUE(lamp.Apply(Envelope(broken), broken).ok());
  EXPECT_EQ(lamp.StateName(), "broken");
  // No row of the table leaves it, and the note's across row does not apply in it.
  pb::Closed close;
  EXPECT_EQ(lamp.Apply(Envelope(close), close).kind(), Outcome::Kind::kInvalidTransition);
  pb::Noted note;
  EXPECT_EQ(lamp.Apply(Envelope(note), note).kind(), Outcome::Kind::kInvalidTransition);
  EXPECT_EQ(lamp.StateName(), "broken");

  std::unique_ptr<Instance> copy = lamp.Clone();
  EXPECT_EQ(copy->StateName(), "broken");
  Lamp restored(&LampTable());
  ASSERT_TRUE(restored.Restore("broken", "").ok());
  EXPECT_EQ(restored.StateName(), "broken");
  EXPECT_EQ(restored.Apply(Envelope(open), open).kind(), Outcome::Kind::kInvalidTransition);
  // Restoring a state of the table puts the machine back in MSM's hands.
  ASSERT_TRUE(restored.Restore("open", "").ok());
  ASSERT_TRUE(restored.Apply(Envelope(close), close).ok());
  EXPECT_EQ(restored.StateName(), "closed");
}

TEST(Machine, DescribesAcrossRowsAsTransitions) {
  WorkflowInfo info;
  ASSERT_TRUE(DescribeMachine(LampTable(), &info).ok());
  EXPECT_EQ(info.states, (std::vector<std::string>{"closed", "open", "broken"}));
  std::vector<std::string> rows;
  for (const Transition& t : info.transitions) rows.push_back(t.from + " " + t.event + " " + t.to);
  EXPECT_EQ(rows, (std::vector<std::string>{"closed Opened open", "open Closed closed",
                                            "closed Noted closed", "open Noted open",
                                            "open Broken broken"}));
}

// Two ways to take one event in one state: which applies would depend on the order tried.
struct AmbiguousDef : MachineDef<AmbiguousDef> {
  using initial_state = ClosedState;
  using transition_table = TransitionTable<msmf::Row<ClosedState, pb::Opened, OpenState>>;
  using across_table =
      AcrossTable<Across<AnyOf<ClosedState>, pb::Opened>, Across<AnyOf<OpenState>, pb::Noted>,
                  Across<AnyOf<OpenState, ClosedState>, pb::Noted>>;
};

TEST(Machine, DescribeNamesRowsThatClaimTheSameEventInAState) {
  EventTable<AmbiguousDef, pb::ToggleData> table;
  table.On<pb::Opened>(1, [](pb::ToggleData&, const pb::Opened&, const EventEnvelope&) {});
  table.On<pb::Noted>(1, [](pb::ToggleData&, const pb::Noted&, const EventEnvelope&) {});
  WorkflowInfo info;
  Outcome o = DescribeMachine(table, &info);
  ASSERT_FALSE(o.ok());
  EXPECT_NE(o.message().find("both the table and an across row take Opened in state 'closed'"),
            std::string::npos)
      << o.message();
  EXPECT_NE(o.message().find("two across rows take Noted in state 'open'"), std::string::npos)
      << o.message();
}

TEST(Machine, DescribeNamesASchemaVersionWithoutApplier) {
  EventTable<ToggleDef, pb::ToggleData> table;
  table.On<pb::Opened>(1, [](pb::ToggleData&, const pb::Opened&, const EventEnvelope&) {});
  table.On<pb::Closed>(2, [](pb::ToggleData&, const pb::Closed&, const EventEnvelope&) {});
  WorkflowInfo info;
  Outcome o = DescribeMachine(table, &info);
  ASSERT_FALSE(o.ok());
  EXPECT_EQ(o.message(), "wijkflow.testing.Closed has no applier for schema version 1");
}

}  // namespace
}  // namespace wijkflow::engine
