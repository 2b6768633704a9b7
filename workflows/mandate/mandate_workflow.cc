#include "workflows/mandate/mandate_workflow.h"

#include "workflows/common/commands.h"
#include "workflows/common/roles.h"
#include "workflows/common/time.h"
#include "workflows/mandate/mandate_machine.h"

namespace wijkflow::workflows::mandate {
namespace {

namespace pb = ::wijkflow::mandate;
using Register = View<pb::MandateRegister>;

const pb::Mandate* FindById(const pb::MandateRegister& reg, std::string_view id) {
  for (const pb::Mandate& m : reg.mandates()) {
    if (m.id() == id) return &m;
  }
  return nullptr;
}

Outcome DecideGrant(DecideContext& ctx, const Register& reg, const pb::GrantMandate& c) {
  if (c.district() != ctx.instance_id()) {
    return Outcome::InvalidArgument("district '" + c.district() + "' is not this register's ('" +
                                    ctx.instance_id() + "')");
  }
  if (c.grantee().empty()) return Outcome::InvalidArgument("grantee is required");
  if (c.max_amount_cents() < 0) return Outcome::InvalidArgument("max_amount_cents below 0");
  Micros from = c.has_valid_from() ? ToMicros(c.valid_from()) : ctx.effective();
  if (c.has_valid_until() && ToMicros(c.valid_until()) <= from) {
    return Outcome::RuleViolated("mandate-period", "a mandate must end after it starts");
  }
  std::string id = c.mandate_id();
  if (id.empty()) id = "m-" + std::to_string(reg.data.mandates_size() + 1);
  if (FindById(reg.data, id) != nullptr) {
    return Outcome::RuleViolated("mandate-unique", "mandate '" + id + "' exists already");
  }
  pb::MandateGranted e;
  e.set_district(c.district());
  e.set_mandate_id(id);
  e.set_grantee(c.grantee());
  e.set_max_amount_cents(c.max_amount_cents());
  *e.mutable_valid_from() = ToTimestamp(from);
  if (c.has_valid_until()) *e.mutable_valid_until() = c.valid_until();
  e.set_decision_ref(c.decision_ref());
  Emit(ctx, std::move(e));
  return Outcome::Ok();
}

Outcome DecideRevoke(DecideContext& ctx, const Register& reg, const pb::RevokeMandate& c) {
  const pb::Mandate* m = FindById(reg.data, c.mandate_id());
  if (m == nullptr) return Outcome::NotFound("no mandate '" + c.mandate_id() + "'");
  if (m->revoked()) {
    return Outcome::RuleViolated("mandate-revoked", "mandate '" + m->id() + "' is revoked already");
  }
  pb::MandateRevoked e;
  e.set_mandate_id(c.mandate_id());
  e.set_reason(c.reason());
  Emit(ctx, std::move(e));
  return Outcome::Ok();
}

const CommandTable<pb::MandateRegister>& Commands() {
  static const auto* table = [] {
    auto* t = new CommandTable<pb::MandateRegister>(state::kEmpty);
    t->On<pb::GrantMandate>("GrantMandate", {roles::kDistrictCouncil}, DecideGrant,
                            {.is_decision = false, .creates = true});
    t->On<pb::RevokeMandate>("RevokeMandate", {roles::kDistrictCouncil}, DecideRevoke);
    return t;
  }();
  return *table;
}

engine::Scope ScopeOf(const pb::MandateRegister& d, const Message& command) {
  if (!d.district().empty()) return {d.district(), 0};
  if (const auto* grant = dynamic_cast<const pb::GrantMandate*>(&command)) {
    return {grant->district(), 0};
  }
  return {};
}

std::string DistrictOf(const pb::MandateRegister& d) { return d.district(); }

class RegisterAuthority final : public engine::MandateAuthority {
 public:
  Outcome Authorize(const engine::InstanceReader& read, const engine::Scope& scope,
                    Micros effective, Actor* actor) const override {
    const engine::Instance* reg = read(kWorkflow, scope.district);
    const pb::Mandate* m = nullptr;
    if (reg != nullptr) {
      m = FindMandate(static_cast<const pb::MandateRegister&>(reg->Data()), actor->id(),
                      scope.amount_cents, effective);
    }
    if (m == nullptr) {
      return Outcome::Forbidden("'" + actor->id() + "' holds no mandate of " +
                                    CouncilOf(scope.district) + " in force on " +
                                    FormatTime(effective) + " covering " +
                                    FormatEuros(scope.amount_cents),
                                "mandate-in-force");
    }
    actor->set_mandate_ref(m->id());
    actor->set_on_behalf_of(CouncilOf(scope.district));
    return Outcome::Ok();
  }
};

}  // namespace

bool InForce(const pb::Mandate& m, Micros at) {
  if (at < ToMicros(m.valid_from())) return false;
  if (m.has_valid_until() && at >= ToMicros(m.valid_until())) return false;
  if (m.revoked() && at >= ToMicros(m.revoked_from())) return false;
  return true;
}

const pb::Mandate* FindMandate(const pb::MandateRegister& reg, std::string_view grantee,
                               int64_t amount_cents, Micros at) {
  for (const pb::Mandate& m : reg.mandates()) {
    if (m.grantee() != grantee || !InForce(m, at)) continue;
    if (m.max_amount_cents() == 0 || amount_cents <= m.max_amount_cents()) return &m;
  }
  return nullptr;
}

std::string CouncilOf(std::string_view district) {
  return "district-council:" + std::string(district);
}

std::unique_ptr<engine::Workflow> NewMandateWorkflow() {
  return std::make_unique<TableWorkflow<pb::MandateRegister>>(
      TableWorkflow<pb::MandateRegister>::Parts{
          .name = kWorkflow,
          .definition_version = 1,
          .make = NewRegisterInstance,
          .describe = DescribeRegisterMachine,
          .commands = &mandate::Commands(),
          .scope = ScopeOf,
          .district = DistrictOf,
      });
}

std::unique_ptr<engine::MandateAuthority> NewMandateAuthority() {
  return std::make_unique<RegisterAuthority>();
}

}  // namespace wijkflow::workflows::mandate
