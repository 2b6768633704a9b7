#include "workflows/initiative/initiative_workflow.h"

#include "workflows/common/roles.h"
#include "workflows/initiative/initiative_decide.h"
#include "workflows/initiative/initiative_machine.h"

namespace wijkflow::workflows::initiative {
namespace {

using Table = CommandTable<pb::InitiativeData>;

void AddIntake(Table* t) {
  using namespace roles;
  t->On<pb::Submit>("Submit", {kApplicant, kIntake}, DecideSubmit, {.creates = true});
  t->On<pb::RequestCompletion>("RequestCompletion", {kDistrictManager}, DecideRequestCompletion);
  t->On<pb::CompleteRequest>("CompleteRequest", {kApplicant, kIntake}, DecideCompleteRequest);
  t->On<pb::ExpireCompletionTerm>("ExpireCompletionTerm", {kSystem}, DecideExpireCompletionTerm);
  t->On<pb::StartReview>("StartReview", {kDistrictManager}, DecideStartReview);
  t->On<pb::OpenVote>("OpenVote", {kDistrictManager}, DecideOpenVote);
  t->On<pb::CloseVote>("CloseVote", {kDistrictManager}, DecideCloseVote);
  t->On<pb::ExtendDecisionDeadline>("ExtendDecisionDeadline",
                                    {kDistrictManager, kDistrictCouncil, kExecutive},
                                    DecideExtendDeadline);
  t->On<pb::ExpireDecisionDeadline>("ExpireDecisionDeadline", {kSystem}, DecideExpireDeadline);
  t->On<pb::Withdraw>("Withdraw", {kApplicant, kIntake}, DecideWithdraw);
}

void AddDecisions(Table* t) {
  using namespace roles;
  // Who may decide depends on the date (rules.h); the engine checks a district manager's
  // mandate, the rules check the role.
  const std::vector<std::string> deciders = {kDistrictCouncil, kDistrictManager, kExecutive};
  const Table::Options decision{.is_decision = true, .creates = false};
  t->On<pb::Grant>("Grant", deciders, DecideGrant, decision);
  t->On<pb::Refuse>("Refuse", deciders, DecideRefuse, decision);
  t->On<pb::LodgeObjection>("LodgeObjection", {kApplicant, kIntake}, DecideLodgeObjection);
  t->On<pb::DecideObjection>("DecideObjection", deciders, DecideObjection, decision);
  t->On<pb::CloseObjectionWindow>("CloseObjectionWindow", {kSystem}, DecideCloseObjectionWindow);
  t->On<pb::Publish>("Publish", {kPublisher, kDistrictManager}, DecidePublish);
  t->On<pb::StartActivity>("StartActivity", {kApplicant, kIntake, kDistrictManager},
                           DecideStartActivity);
  t->On<pb::SubmitAccounts>("SubmitAccounts", {kApplicant, kIntake}, DecideSubmitAccounts);
  t->On<pb::Settle>("Settle", deciders, DecideSettle, decision);
}

const Table& Commands() {
  static const Table* table = [] {
    auto* t = new Table(state::kDraft);
    AddIntake(t);
    AddDecisions(t);
    return t;
  }();
  return *table;
}

engine::Scope ScopeOf(const pb::InitiativeData& d, const Message& command) {
  // The district, and the requested amount: a mandate's scope is the size of the request.
  if (!d.district().empty()) return {d.district(), d.requested_cents()};
  if (const auto* s = dynamic_cast<const pb::Submit*>(&command)) {
    return {s->district(), s->requested_cents()};
  }
  return {};
}

std::string DistrictOf(const pb::InitiativeData& d) { return d.district(); }

}  // namespace

std::unique_ptr<engine::Workflow> NewInitiativeWorkflow() {
  return std::make_unique<TableWorkflow<pb::InitiativeData>>(
      TableWorkflow<pb::InitiativeData>::Parts{
          .name = kWorkflow,
          .definition_version = 1,
          .make = NewInitiativeInstance,
          .describe = DescribeInitiativeMachine,
          .commands = &initiative::Commands(),
          .scope = ScopeOf,
          .district = DistrictOf,
      });
}

}  // namespace wijkflow::workflows::initiative
