// The initiative's read models. Each model keeps, beside its public keys, a "by-initiative/" or
// "by-id/" entry per initiative holding what it needs of earlier events (its values are all of
// one type, so readers can decode every key).
#include "wijkflow/initiative.pb.h"
#include "workflows/common/fold.h"
#include "workflows/initiative/initiative_machine.h"
#include "workflows/initiative/initiative_workflow.h"

namespace wijkflow::workflows::initiative {
namespace {

namespace pb = ::wijkflow::initiative;

// What the round holds for the initiative after `payload`, or -1 if the event does not say.
int64_t GrantedAfter(const engine::Message& payload) {
  if (const auto* g = As<pb::Granted>(payload)) return g->amount_cents();
  if (const auto* o = As<pb::ObjectionDecided>(payload)) {
    return o->kind() == pb::DECISION_KIND_GRANT ? o->amount_cents() : 0;
  }
  if (const auto* s = As<pb::Settled>(payload)) return s->amount_cents();
  if (As<pb::Withdrawn>(payload)) return 0;
  return -1;
}

class InitiativesProjection final : public engine::Projection {
 public:
  std::string_view Name() const override { return "initiatives"; }
  const engine::Message* ValueType() const override {
    return &pb::InitiativeSummary::default_instance();
  }
  // Every initiative also under "by-district/<district>/<state>/<id>".
  IndexFn Index() const override { return &ByDistrictAndState; }
  void Apply(const EventEnvelope& env, const engine::Message& payload,
             engine::ModelWriter& model) override {
    if (env.workflow() != kWorkflow) return;
    const std::string id = InstanceIdOf(env);
    const std::string key = "by-id/" + id;
    const auto* before = model.Find<pb::InitiativeSummary>(key);
    std::string state =
        NextState(NewInitiativeInstance, before ? before->state() : "", env, payload);
    if (state.empty()) return;
    auto* s = model.Edit<pb::InitiativeSummary>(key);
    if (const auto* e = As<pb::InitiativeSubmitted>(payload)) {
      s->set_id(id);
      s->set_district(e->district());
      s->set_round_id(e->round_id());
      s->set_title(e->title());
      s->set_requested_cents(e->requested_cents());
      s->set_channel(e->channel());
      *s->mutable_submitted_at() = env.effective_date();
    }
    if (int64_t granted = GrantedAfter(payload); granted >= 0) s->set_granted_cents(granted);
    s->set_state(std::move(state));
  }

 private:
  static std::string ByDistrictAndState(std::string_view, const engine::Message& value) {
    const auto& s = static_cast<const pb::InitiativeSummary&>(value);
    return "by-district/" + s.district() + "/" + s.state() + "/" + s.id();
  }
};

// The decision an event records, or false if it records none.
bool Describe(const engine::Message& payload, pb::DecisionRecord* r) {
  if (const auto* g = As<pb::Granted>(payload)) {
    r->set_kind(pb::DecisionRecord::KIND_GRANT);
    r->set_amount_cents(g->amount_cents());
    r->set_rule_version(g->rule_version());
    r->set_reasons(g->reasons());
    r->set_place_in_order(g->place_in_order());
  } else if (const auto* f = As<pb::Refused>(payload)) {
    r->set_kind(pb::DecisionRecord::KIND_REFUSAL);
    r->set_rule_version(f->rule_version());
    r->set_reasons(f->reasons());
    r->set_place_in_order(f->place_in_order());
  } else if (const auto* s = As<pb::Settled>(payload)) {
    r->set_kind(pb::DecisionRecord::KIND_SETTLEMENT);
    r->set_amount_cents(s->amount_cents());
    r->set_rule_version(s->rule_version());
    r->set_reasons(s->reasons());
  } else if (const auto* o = As<pb::ObjectionDecided>(payload)) {
    r->set_kind(o->outcome() == pb::OBJECTION_OUTCOME_UPHELD
                    ? pb::DecisionRecord::KIND_OBJECTION_UPHELD
                    : pb::DecisionRecord::KIND_OBJECTION_REJECTED);
    r->set_amount_cents(o->amount_cents());
    r->set_rule_version(o->rule_version());
    r->set_reasons(o->reasons());
    r->set_resulting_kind(o->kind());
  } else {
    return false;
  }
  return true;
}

// Keys: "by-district/<district>/<position>" for every decision; "by-initiative/<id>" the
// latest decision on it (before any: only its district and round).
class DecisionRegisterProjection final : public engine::Projection {
 public:
  std::string_view Name() const override { return "decision-register"; }
  const engine::Message* ValueType() const override {
    return &pb::DecisionRecord::default_instance();
  }
  void Apply(const EventEnvelope& env, const engine::Message& payload,
             engine::ModelWriter& model) override {
    if (env.workflow() != kWorkflow) return;
    const std::string key = "by-initiative/" + InstanceIdOf(env);
    if (const auto* e = As<pb::InitiativeSubmitted>(payload)) {
      auto* r = model.Edit<pb::DecisionRecord>(key);
      r->set_initiative_id(InstanceIdOf(env));
      r->set_district(e->district());
      r->set_round_id(e->round_id());
      return;
    }
    pb::DecisionRecord r;
    if (!Describe(payload, &r)) return;
    const auto* context = model.Find<pb::DecisionRecord>(key);
    if (context == nullptr) return;
    r.set_position(env.position());
    r.set_initiative_id(context->initiative_id());
    r.set_district(context->district());
    r.set_round_id(context->round_id());
    r.set_decided_by(env.actor().id());
    r.set_role(env.actor().role());
    r.set_mandate_ref(env.actor().mandate_ref());
    r.set_on_behalf_of(env.actor().on_behalf_of());
    *r.mutable_effective_date() = env.effective_date();
    *r.mutable_recorded_at() = env.recorded_at();
    // Every decision under its district, in the order taken; the latest also under the initiative.
    *model.Edit<pb::DecisionRecord>("by-district/" + r.district() + "/" +
                                    PositionKey(env.position())) = r;
    *model.Edit<pb::DecisionRecord>(key) = std::move(r);
  }
};

// Keys: "by-initiative/<id>" what is known of every initiative, published or not; its index,
// "by-district/<district>/<id>", every published initiative whose grant holds.
class PublicationFeedProjection final : public engine::Projection {
 public:
  std::string_view Name() const override { return "publication-feed"; }
  const engine::Message* ValueType() const override {
    return &pb::PublicationEntry::default_instance();
  }
  IndexFn Index() const override { return &InFeed; }
  void Apply(const EventEnvelope& env, const engine::Message& payload,
             engine::ModelWriter& model) override {
    if (env.workflow() != kWorkflow) return;
    const auto* submitted = As<pb::InitiativeSubmitted>(payload);
    const auto* published = As<pb::Published>(payload);
    const int64_t granted = GrantedAfter(payload);
    if (submitted == nullptr && published == nullptr && granted < 0) return;
    const std::string key = "by-initiative/" + InstanceIdOf(env);
    auto* e = model.Edit<pb::PublicationEntry>(key);
    if (submitted) {
      e->set_initiative_id(InstanceIdOf(env));
      e->set_district(submitted->district());
      e->set_title(submitted->title());
    } else if (published) {
      e->set_url(published->url());
      e->set_summary(published->summary());
      *e->mutable_published_at() = env.effective_date();
    } else {
      e->set_granted_cents(granted);
    }
  }

 private:
  static std::string InFeed(std::string_view, const engine::Message& value) {
    const auto& e = static_cast<const pb::PublicationEntry&>(value);
    if (!e.has_published_at() || e.granted_cents() <= 0) return "";
    return "by-district/" + e.district() + "/" + e.initiative_id();
  }
};

}  // namespace

std::unique_ptr<engine::Projection> NewInitiativesProjection() {
  return std::make_unique<InitiativesProjection>();
}
std::unique_ptr<engine::Projection> NewDecisionRegisterProjection() {
  return std::make_unique<DecisionRegisterProjection>();
}
std::unique_ptr<engine::Projection> NewPublicationFeedProjection() {
  return std::make_unique<PublicationFeedProjection>();
}

}  // namespace wijkflow::workflows::initiative
