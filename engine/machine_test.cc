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
  DescribeMachine(Table(), &info);
  EXPECT_EQ(info.initial_state, "closed");
  EXPECT_EQ(info.states, (std::vector<std::string>{"closed", "open"}));
  ASSERT_EQ(info.transitions.size(), 2u);
  EXPECT_EQ(info.transitions[0].from, "closed");
  EXPECT_EQ(info.transitions[0].event, "Opened");
  EXPECT_EQ(info.transitions[0].to, "open");
  EXPECT_EQ(info.events.size(), 2u);
}

}  // namespace
}  // namespace wijkflow::engine
