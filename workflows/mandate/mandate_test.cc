#include <gtest/gtest.h>

#include "engine/registry.h"
#include "wijkflow/mandate.pb.h"
#include "workflows/common/time.h"
#include "workflows/mandate/mandate_machine.h"
#include "workflows/mandate/mandate_workflow.h"
#include "workflows/register_all.h"
#include "workflows/testing/world.h"

namespace wijkflow::workflows::mandate {
namespace {

namespace pb = ::wijkflow::mandate;
using engine::Outcome;
using workflows::testing::MakeActor;

const Micros kJan = DateMicros(2024, 1, 1);
const Micros kJul = DateMicros(2024, 7, 1);

class MandateTest : public ::testing::Test {
 protected:
  MandateTest() : world_(&registry_) { RegisterAll(registry_); }

  Outcome Grant(const std::string& grantee, int64_t max, Micros from, Micros until = 0,
                Micros at = kJan) {
    pb::GrantMandate c;
    c.set_district("feijenoord");
    c.set_grantee(grantee);
    c.set_max_amount_cents(max);
    *c.mutable_valid_from() = ToTimestamp(from);
    if (until != 0) *c.mutable_valid_until() = ToTimestamp(until);
    return world_.Run(kWorkflow, "feijenoord", Council(), at, c);
  }
  static Actor Council() { return MakeActor("wr-feijenoord", "district-council"); }
  const pb::MandateRegister& Register() {
    return static_cast<const pb::MandateRegister&>(world_.Get(kWorkflow, "feijenoord")->Data());
  }
  Outcome Authorize(const std::string& who, int64_t amount, Micros at, Actor* actor) {
    *actor = MakeActor(who, "district-manager");
    return authority_->Authorize(world_.Reader(), {"feijenoord", amount}, at, actor);
  }

  engine::WorkflowRegistry registry_;
  workflows::testing::World world_;
  std::unique_ptr<engine::MandateAuthority> authority_ = NewMandateAuthority();
};

TEST_F(MandateTest, GrantNumbersMandatesAndChecksItsArguments) {
  ASSERT_TRUE(Grant("wm-1", 250'000, kJan).ok());
  ASSERT_TRUE(Grant("wm-2", 0, kJan).ok());
  EXPECT_EQ(world_.State(kWorkflow, "feijenoord"), state::kKeeping);
  ASSERT_EQ(Register().mandates_size(), 2);
  EXPECT_EQ(Register().mandates(0).id(), "m-1");
  EXPECT_EQ(Register().mandates(1).id(), "m-2");
  EXPECT_EQ(Register().district(), "feijenoord");

  EXPECT_EQ(Grant("wm-1", 0, kJul, kJan).rule(), "mandate-period");
  EXPECT_EQ(Grant("", 0, kJan).kind(), Outcome::Kind::kInvalidArgument);
  pb::GrantMandate other;
  other.set_district("charlois");
  other.set_grantee("wm-3");
  EXPECT_EQ(world_.Run(kWorkflow, "feijenoord", Council(), kJan, other).kind(),
            Outcome::Kind::kInvalidArgument);
  pb::GrantMandate dup;
  dup.set_district("feijenoord");
  dup.set_grantee("wm-3");
  dup.set_mandate_id("m-1");
  EXPECT_EQ(world_.Run(kWorkflow, "feijenoord", Council(), kJan, dup).rule(), "mandate-unique");
}

TEST_F(MandateTest, AuthorityNamesTheMandateAndTheCouncil) {
  ASSERT_TRUE(Grant("wm-1", 250'000, kJan, kJul).ok());
  Actor a;
  ASSERT_TRUE(Authorize("wm-1", 250'000, kJan + kDay, &a).ok());
  EXPECT_EQ(a.mandate_ref(), "m-1");
  EXPECT_EQ(a.on_behalf_of(), "district-council:feijenoord");
}

TEST_F(MandateTest, AuthorityRefusesOutsideScopePeriodOrGrantee) {
  ASSERT_TRUE(Grant("wm-1", 250'000, kJan, kJul).ok());
  Actor a;
  Outcome o = Authorize("wm-1", 250'001, kJan + kDay, &a);  // above the scope
  EXPECT_EQ(o.kind(), Outcome::Kind::kForbidden);
  EXPECT_EQ(o.rule(), "mandate-in-force");
  EXPECT_TRUE(a.mandate_ref().empty());
  EXPECT_EQ(Authorize("wm-1", 100, kJan - 1, &a).rule(), "mandate-in-force");  // not yet
  EXPECT_EQ(Authorize("wm-1", 100, kJul, &a).rule(), "mandate-in-force");      // ended
  EXPECT_EQ(Authorize("wm-2", 100, kJan + kDay, &a).rule(), "mandate-in-force");
  EXPECT_FALSE(authority_->Authorize(world_.Reader(), {"charlois", 100}, kJan + kDay, &a).ok());
}

TEST_F(MandateTest, RevocationCountsFromItsEffectiveDate) {
  ASSERT_TRUE(Grant("wm-1", 0, kJan).ok());
  pb::RevokeMandate r;
  r.set_mandate_id("m-1");
  r.set_reason("new district manager");
  ASSERT_TRUE(world_.Run(kWorkflow, "feijenoord", Council(), kJul, r).ok());
  Actor a;
  EXPECT_TRUE(Authorize("wm-1", 1'000'000, kJul - 1, &a).ok());  // decided before: still valid
  EXPECT_EQ(Authorize("wm-1", 1'000'000, kJul, &a).rule(), "mandate-in-force");
  EXPECT_EQ(world_.Run(kWorkflow, "feijenoord", Council(), kJul, r).rule(), "mandate-revoked");
  r.set_mandate_id("m-9");
  EXPECT_EQ(world_.Run(kWorkflow, "feijenoord", Council(), kJul, r).kind(),
            Outcome::Kind::kNotFound);
}

TEST_F(MandateTest, SeveralMandatesTheFirstThatCoversWins) {
  ASSERT_TRUE(Grant("wm-1", 250'000, kJan).ok());
  ASSERT_TRUE(Grant("wm-1", 0, kJul).ok());
  Actor a;
  EXPECT_EQ(Authorize("wm-1", 1'000'000, kJan + kDay, &a).rule(), "mandate-in-force");
  ASSERT_TRUE(Authorize("wm-1", 1'000'000, kJul + kDay, &a).ok());
  EXPECT_EQ(a.mandate_ref(), "m-2");
  ASSERT_TRUE(Authorize("wm-1", 1'000, kJul + kDay, &a).ok());
  EXPECT_EQ(a.mandate_ref(), "m-1");
}

TEST_F(MandateTest, OnlyGrantCreatesARegister) {
  pb::RevokeMandate r;
  r.set_mandate_id("m-1");
  EXPECT_EQ(world_.Run(kWorkflow, "feijenoord", Council(), kJan, r).kind(),
            Outcome::Kind::kNotFound);
}

}  // namespace
}  // namespace wijkflow::workflows::mandate
