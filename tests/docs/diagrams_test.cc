// The diagrams in docs/diagrams are drawn from the transition tables and must match them: the
// checked-in files equal what the tables draw today, and every transition the machine really
// takes appears in its diagram.
#include <gtest/gtest.h>

#include <fstream>
#include <memory>
#include <sstream>

#include "engine/diagram.h"
#include "engine/registry.h"
#include "workflows/register_all.h"

namespace wijkflow {
namespace {

std::string ReadFile(const std::string& path) {
  std::ifstream in(path);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

class DiagramsTest : public ::testing::Test {
 protected:
  DiagramsTest() { workflows::RegisterAll(registry_); }
  engine::WorkflowRegistry registry_;
};

TEST_F(DiagramsTest, CheckedInDiagramsMatchTheTables) {
  ASSERT_FALSE(registry_.workflows().empty());
  for (const auto& wf : registry_.workflows()) {
    const auto& info = wf->Info();
    const std::string base = std::string(WIJKFLOW_SOURCE_DIR) + "/docs/diagrams/" + info.name;
    EXPECT_EQ(ReadFile(base + ".mmd"), engine::ToMermaid(info))
        << base << ".mmd is stale: run `build/bin/wijkflow diagrams --out docs/diagrams`";
    EXPECT_EQ(ReadFile(base + ".dot"), engine::ToDot(info))
        << base << ".dot is stale: run `build/bin/wijkflow diagrams --out docs/diagrams`";
  }
}

TEST_F(DiagramsTest, TheDiagramsPageMatchesTheTables) {
  EXPECT_EQ(ReadFile(std::string(WIJKFLOW_SOURCE_DIR) + "/docs/diagrams/README.md"),
            engine::DiagramsPage(registry_))
      << "docs/diagrams/README.md is stale: run `build/bin/wijkflow diagrams --out docs/diagrams`";
}

TEST_F(DiagramsTest, EveryTransitionTheMachineTakesIsDrawn) {
  for (const auto& wf : registry_.workflows()) {
    const auto& info = wf->Info();
    size_t taken = 0;
    for (const std::string& state : info.states) {
      for (const std::string& type : info.events) {
        auto inst = wf->NewInstance(info.definition_version);
        ASSERT_TRUE(inst->Restore(state, "").ok()) << info.name << " " << state;
        const auto* desc =
            google::protobuf::DescriptorPool::generated_pool()->FindMessageTypeByName(type);
        ASSERT_NE(desc, nullptr) << type;
        std::unique_ptr<engine::Message> payload(
            google::protobuf::MessageFactory::generated_factory()->GetPrototype(desc)->New());
        EventEnvelope env;
        env.set_event_type(type);
        env.set_schema_version(1);
        if (!inst->Apply(env, *payload).ok()) continue;
        ++taken;
        engine::Transition t{state, desc->name(), std::string(inst->StateName())};
        bool drawn = false;
        for (const auto& d : info.transitions) {
          drawn |= d.from == t.from && d.event == t.event && d.to == t.to;
        }
        EXPECT_TRUE(drawn) << info.name << ": " << t.from << " --" << t.event << "--> " << t.to
                           << " is taken but not drawn";
      }
    }
    EXPECT_GT(taken, 0u) << info.name;
  }
}

}  // namespace
}  // namespace wijkflow
