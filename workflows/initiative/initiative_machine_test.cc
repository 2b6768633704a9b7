#include "workflows/initiative/initiative_machine.h"

#include <google/protobuf/text_format.h>
#include <google/protobuf/util/time_util.h>
#include <gtest/gtest.h>

#include <fstream>
#include <sstream>

#include "engine/engine.h"
#include "wijkflow/initiative.pb.h"

namespace wijkflow::workflows::initiative {
namespace {

namespace pb = ::wijkflow::initiative;
using engine::Outcome;

EventEnvelope Envelope(const engine::Message& m, const std::string& role = "district-council") {
  EventEnvelope env;
  env.set_stream_id("initiatives/ini-1");
  env.set_workflow("initiatives");
  env.set_definition_version(1);
  env.set_event_type(m.GetDescriptor()->full_name());
  env.set_schema_version(1);
  env.mutable_actor()->set_id("someone");
  env.mutable_actor()->set_role(role);
  return env;
}

Outcome Apply(engine::Instance& i, const engine::Message& m) { return i.Apply(Envelope(m), m); }

std::unique_ptr<engine::Instance> Granted() {
  auto i = NewInitiativeInstance(1);
  pb::InitiativeSubmitted s;
  s.set_requested_cents(100'000);
  pb::Granted g;
  g.set_amount_cents(100'000);
  EXPECT_TRUE(Apply(*i, s).ok());
  EXPECT_TRUE(Apply(*i, pb::ReviewStarted()).ok());
  EXPECT_TRUE(Apply(*i, g).ok());
  return i;
}

TEST(InitiativeMachine, DescribesItsTable) {
  engine::WorkflowInfo info;
  ASSERT_TRUE(DescribeInitiativeMachine(&info).ok());
  EXPECT_EQ(info.initial_state, state::kDraft);
  EXPECT_EQ(info.states.size(), 15u);
  EXPECT_EQ(info.transitions.size(), 46u);
  EXPECT_EQ(info.events.size(), 20u);
  EXPECT_EQ(info.transitions[0].from, state::kDraft);
  EXPECT_EQ(info.transitions[0].event, "InitiativeSubmitted");
  EXPECT_EQ(info.transitions[0].to, state::kSubmitted);
}

TEST(InitiativeMachine, RejectsIllegalEventsWithoutChangingData) {
  auto i = NewInitiativeInstance(1);
  pb::Granted g;
  g.set_amount_cents(100);
  Outcome o = Apply(*i, g);
  EXPECT_EQ(o.kind(), Outcome::Kind::kInvalidTransition);
  EXPECT_EQ(o.state(), state::kDraft);
  EXPECT_EQ(static_cast<const pb::InitiativeData&>(i->Data()).granted_cents(), 0);
  pb::InitiativeSubmitted s;
  ASSERT_TRUE(Apply(*i, s).ok());
  EXPECT_EQ(Apply(*i, g).kind(), Outcome::Kind::kInvalidTransition);  // not yet under review
  EXPECT_EQ(Apply(*i, pb::VoteClosed()).kind(), Outcome::Kind::kInvalidTransition);
}

TEST(InitiativeMachine, ObjectionDecisionLandsOnTheDecisionThatHolds) {
  auto lodge = [](engine::Instance& i) { return Apply(i, pb::ObjectionLodged()); };
  pb::ObjectionDecided stands;
  stands.set_outcome(pb::OBJECTION_OUTCOME_REJECTED);
  stands.set_kind(pb::DECISION_KIND_GRANT);
  stands.set_amount_cents(100'000);

  auto a = Granted();
  ASSERT_TRUE(lodge(*a).ok());
  EXPECT_EQ(a->StateName(), state::kObjectionLodged);
  ASSERT_TRUE(Apply(*a, stands).ok());
  EXPECT_EQ(a->StateName(), state::kGranted);

  auto b = Granted();
  ASSERT_TRUE(Apply(*b, pb::Published()).ok());
  ASSERT_TRUE(lodge(*b).ok());
  pb::ObjectionDecided published = stands;
  published.set_published(true);
  ASSERT_TRUE(Apply(*b, published).ok());
  EXPECT_EQ(b->StateName(), state::kPublished);

  auto c = Granted();
  ASSERT_TRUE(lodge(*c).ok());
  pb::ObjectionDecided revoked;
  revoked.set_outcome(pb::OBJECTION_OUTCOME_UPHELD);
  revoked.set_kind(pb::DECISION_KIND_REFUSAL);
  ASSERT_TRUE(Apply(*c, revoked).ok());
  EXPECT_EQ(c->StateName(), state::kRefused);
  const auto& d = static_cast<const pb::InitiativeData&>(c->Data());
  EXPECT_EQ(d.decision().kind(), pb::DECISION_KIND_REFUSAL);
  EXPECT_EQ(d.granted_cents(), 0);
  EXPECT_EQ(d.objection().outcome(), pb::OBJECTION_OUTCOME_UPHELD);

  auto e = Granted();
  ASSERT_TRUE(lodge(*e).ok());
  pb::ObjectionDecided no_kind;  // matches no guard
  EXPECT_EQ(Apply(*e, no_kind).kind(), Outcome::Kind::kInvalidTransition);
  EXPECT_EQ(e->StateName(), state::kObjectionLodged);
}

TEST(InitiativeMachine, CloneKeepsStateAndRestoreSetsIt) {
  auto a = Granted();
  auto copy = a->Clone();
  EXPECT_EQ(copy->StateName(), state::kGranted);
  ASSERT_TRUE(Apply(*copy, pb::Published()).ok());
  EXPECT_EQ(copy->StateName(), state::kPublished);
  EXPECT_EQ(a->StateName(), state::kGranted);

  auto r = NewInitiativeInstance(1);
  ASSERT_TRUE(r->Restore(state::kInProgress, a->Data().SerializeAsString()).ok());
  EXPECT_EQ(r->StateName(), state::kInProgress);
  EXPECT_TRUE(Apply(*r, pb::AccountsSubmitted()).ok());
  EXPECT_EQ(r->StateName(), state::kAccounted);
}

// Replays a history recorded under the old rules: it must keep reading as it was decided then.
TEST(InitiativeMachine, GoldenHistoryOfTheVotingEraReplays) {
  std::ifstream in(std::string(WIJKFLOW_TESTDATA) + "/history_bi2022_vote.txt");
  ASSERT_TRUE(in.good());
  auto i = NewInitiativeInstance(1);
  std::string line;
  int events = 0;
  while (std::getline(in, line)) {
    if (line.empty() || line[0] == '#') continue;
    std::vector<std::string> f;
    std::stringstream ss(line);
    for (std::string part; std::getline(ss, part, '|');) {
      size_t b = part.find_first_not_of(' '), e = part.find_last_not_of(' ');
      f.push_back(b == std::string::npos ? "" : part.substr(b, e - b + 1));
    }
    ASSERT_GE(f.size(), 4u) << line;
    EventEnvelope env;
    env.set_stream_id("initiatives/ini-2023-0042");
    env.set_event_type(f[3]);
    env.set_schema_version(1);
    env.mutable_actor()->set_id(f[1]);
    env.mutable_actor()->set_role(f[2]);
    ASSERT_TRUE(google::protobuf::util::TimeUtil::FromString(f[0], env.mutable_effective_date()));
    EventEnvelope probe = env;
    std::unique_ptr<engine::Message> payload = engine::DecodePayload(probe);
    // A bool, not ASSERT_NE: gtest would print the message, and its printer's `"<" + string` is
    // GCC 12's false -Wrestrict at -O3 (GCC bug 105651), an error in a Release build.
    ASSERT_TRUE(payload != nullptr) << f[3];
    ASSERT_TRUE(
        google::protobuf::TextFormat::ParseFromString(f.size() > 4 ? f[4] : "", payload.get()))
        << line;
    Outcome o = i->Apply(env, *payload);
    ASSERT_TRUE(o.ok()) << o.ToString() << " at " << line;
    ++events;
  }
  EXPECT_EQ(events, 11);
  EXPECT_EQ(i->StateName(), state::kSettled);
  const auto& d = static_cast<const pb::InitiativeData&>(i->Data());
  EXPECT_EQ(d.id(), "ini-2023-0042");
  EXPECT_EQ(d.submission_rule_version(), "bi-2022");
  EXPECT_EQ(d.decision().rule_version(), "bi-2022");
  EXPECT_EQ(d.decision().decided_by(), "college");
  EXPECT_EQ(d.decision().role(), "executive");
  EXPECT_EQ(d.votes().online_for() + d.votes().paper_for(), 369u);
  EXPECT_TRUE(d.objection_window_closed());
  EXPECT_EQ(d.settled_cents(), 690'000);
  EXPECT_EQ(d.lowering_reason(), pb::LOWERING_REASON_ACTIVITY_NOT_DONE);
}

}  // namespace
}  // namespace wijkflow::workflows::initiative
