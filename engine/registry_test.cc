#include "engine/registry.h"

#include <gtest/gtest.h>

#include "testdata/toggle.pb.h"
#include "testdata/toggle_workflow.h"

namespace wijkflow::engine {
namespace {

namespace pb = ::wijkflow::testing;

// A workflow described by hand, to break one contract at a time.
class Described final : public Workflow {
 public:
  explicit Described(WorkflowInfo info, std::vector<CommandSpec> commands = {},
                     Outcome check = Outcome::Ok())
      : info_(std::move(info)), commands_(std::move(commands)), check_(std::move(check)) {}
  const WorkflowInfo& Info() const override { return info_; }
  const std::vector<CommandSpec>& Commands() const override { return commands_; }
  std::unique_ptr<Instance> NewInstance(uint32_t) const override { return nullptr; }
  Scope ScopeOf(const Instance&, const Message&) const override { return {}; }
  std::string DistrictOf(const Instance&) const override { return ""; }
  Outcome Decide(DecideContext&, const Instance&, const Message&) const override {
    return Outcome::Ok();
  }
  Outcome Check() const override { return check_; }

 private:
  WorkflowInfo info_;
  std::vector<CommandSpec> commands_;
  Outcome check_;
};

WorkflowInfo Lamp(std::string name = "lamps") {
  WorkflowInfo info;
  info.name = std::move(name);
  info.initial_state = "off";
  info.states = {"off", "on"};
  info.events = {"wijkflow.testing.Opened", "wijkflow.testing.Closed"};
  info.transitions = {{"off", "Opened", "on"}, {"on", "Closed", "off"}};
  return info;
}

std::vector<CommandSpec> LampCommands() {
  return {{"Open", &pb::Open::default_instance(), {"intake"}},
          {"Close", &pb::Close::default_instance(), {"intake", "system"}}};
}

std::string Problems(const WorkflowRegistry& registry) {
  Outcome o = registry.Check();
  return o.ok() ? "" : o.message();
}

TEST(Registry, AWorkflowThatKeepsTheContractsIsAdded) {
  WorkflowRegistry registry;
  wijkflow::testing::RegisterToggle(registry);
  registry.Add(std::make_unique<Described>(Lamp(), LampCommands()));
  EXPECT_EQ(Problems(registry), "");
  EXPECT_NE(registry.Find("lamps"), nullptr);
  EXPECT_NE(registry.Find("toggles"), nullptr);
}

TEST(Registry, NamesTheWorkflowAndEachBrokenContract) {
  WorkflowRegistry registry;
  WorkflowInfo info = Lamp();
  info.initial_state = "dark";
  info.transitions.push_back({"on", "Broken", "shards"});  // no applier, no such state
  info.events.push_back("wijkflow.testing.Noted");         // an applier no transition uses
  registry.Add(std::make_unique<Described>(info, LampCommands()));
  EXPECT_EQ(Problems(registry),
            "workflow 'lamps': its initial state 'dark' is not among its states\n"
            "workflow 'lamps': transition on --Broken--> shards names state 'shards', which is "
            "not among its states\n"
            "workflow 'lamps': event Broken has a transition but no applier\n"
            "workflow 'lamps': event wijkflow.testing.Noted has an applier but no transition");
  EXPECT_EQ(registry.Find("lamps"), nullptr);  // not added
}

TEST(Registry, CommandsNeedUniqueNamesTypesAndRoles) {
  WorkflowRegistry registry;
  std::vector<CommandSpec> commands = LampCommands();
  commands.push_back({"Open", &pb::Decide::default_instance(), {"intake"}});
  commands.push_back({"Shut", &pb::Close::default_instance(), {}});
  registry.Add(std::make_unique<Described>(Lamp(), commands));
  EXPECT_EQ(Problems(registry),
            "workflow 'lamps': command name 'Open' is empty or used twice\n"
            "workflow 'lamps': commands share message type wijkflow.testing.Close (a timer's "
            "command is found by its type)\n"
            "workflow 'lamps': command Shut has no roles");
}

TEST(Registry, NamesAreUniqueAndTheWorkflowsOwnCheckCounts) {
  WorkflowRegistry registry;
  registry.Add(std::make_unique<Described>(Lamp(), LampCommands()));
  registry.Add(std::make_unique<Described>(Lamp(), LampCommands()));
  registry.Add(std::make_unique<Described>(Lamp("torches"), LampCommands(),
                                           Outcome::InvalidArgument("it has no scope function")));
  wijkflow::testing::RegisterToggle(registry);
  wijkflow::testing::RegisterToggle(registry);  // its projections and mandate authority again
  EXPECT_EQ(Problems(registry),
            "workflow 'lamps': a workflow of that name is registered already\n"
            "workflow 'torches': it has no scope function\n"
            "workflow 'toggles': a workflow of that name is registered already\n"
            "a second mandate authority was set\n"
            "projection 'event-count': a projection of that name is registered\n"
            "projection 'stream-tally': a projection of that name is registered");
  EXPECT_EQ(registry.workflows().size(), 2u);
}

}  // namespace
}  // namespace wijkflow::engine
