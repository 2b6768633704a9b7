// The initiative's read models. Each keeps its own folded copy of every initiative (fold.h), so
// each can be dropped and rebuilt alone.
#include "wijkflow/initiative.pb.h"
#include "workflows/common/fold.h"
#include "workflows/initiative/initiative_machine.h"
#include "workflows/initiative/initiative_workflow.h"

namespace wijkflow::workflows::initiative {
namespace {

namespace pb = ::wijkflow::initiative;

const pb::InitiativeData& DataOf(const engine::Instance& i) {
  return static_cast<const pb::InitiativeData&>(i.Data());
}

// Folds an initiative's event; nullptr for other workflows' events.
std::unique_ptr<engine::Instance> Fold(const EventEnvelope& env, const engine::Message& payload,
                                       engine::ModelWriter& model, std::string* before_state) {
  if (env.workflow() != kWorkflow) return nullptr;
  Folded f = FoldEvent(NewInitiativeInstance, env, payload, model);
  if (before_state != nullptr) *before_state = std::move(f.before_state);
  return std::move(f.instance);
}

class InitiativesProjection final : public engine::Projection {
 public:
  std::string_view Name() const override { return "initiatives"; }
  void Apply(const EventEnvelope& env, const engine::Message& payload,
             engine::ModelWriter& model) override {
    std::string before;
    auto after = Fold(env, payload, model, &before);
    if (!after) return;
    const pb::InitiativeData& d = DataOf(*after);
    const std::string prefix = "by-district/" + d.district() + "/";
    if (!before.empty()) model.Delete(prefix + before + "/" + d.id());
    pb::InitiativeSummary s;
    s.set_id(d.id());
    s.set_district(d.district());
    s.set_round_id(d.round_id());
    s.set_title(d.title());
    s.set_state(std::string(after->StateName()));
    s.set_requested_cents(d.requested_cents());
    s.set_granted_cents(d.granted_cents());
    s.set_channel(d.channel());
    *s.mutable_submitted_at() = d.submitted_at();
    model.Put(prefix + s.state() + "/" + d.id(), s.SerializeAsString());
  }
};

// The kind of decision an event records, or KIND_UNSPECIFIED if it records none.
pb::DecisionRecord::Kind KindOf(const engine::Message& payload) {
  if (dynamic_cast<const pb::Granted*>(&payload)) return pb::DecisionRecord::KIND_GRANT;
  if (dynamic_cast<const pb::Refused*>(&payload)) return pb::DecisionRecord::KIND_REFUSAL;
  if (dynamic_cast<const pb::Settled*>(&payload)) return pb::DecisionRecord::KIND_SETTLEMENT;
  if (const auto* o = dynamic_cast<const pb::ObjectionDecided*>(&payload)) {
    return o->outcome() == pb::OBJECTION_OUTCOME_UPHELD
               ? pb::DecisionRecord::KIND_OBJECTION_UPHELD
               : pb::DecisionRecord::KIND_OBJECTION_REJECTED;
  }
  return pb::DecisionRecord::KIND_UNSPECIFIED;
}

class DecisionRegisterProjection final : public engine::Projection {
 public:
  std::string_view Name() const override { return "decision-register"; }
  void Apply(const EventEnvelope& env, const engine::Message& payload,
             engine::ModelWriter& model) override {
    auto after = Fold(env, payload, model, nullptr);
    const pb::DecisionRecord::Kind kind = KindOf(payload);
    if (!after || kind == pb::DecisionRecord::KIND_UNSPECIFIED) return;
    const pb::InitiativeData& d = DataOf(*after);
    pb::DecisionRecord r;
    r.set_position(env.position());
    r.set_initiative_id(d.id());
    r.set_district(d.district());
    r.set_round_id(d.round_id());
    r.set_kind(kind);
    r.set_decided_by(env.actor().id());
    r.set_role(env.actor().role());
    r.set_mandate_ref(env.actor().mandate_ref());
    r.set_on_behalf_of(env.actor().on_behalf_of());
    *r.mutable_effective_date() = env.effective_date();
    *r.mutable_recorded_at() = env.recorded_at();
    Describe(payload, &r);
    model.Put("by-district/" + d.district() + "/" + PositionKey(env.position()),
              r.SerializeAsString());
  }

 private:
  // What the decision says: amount, rule version, reasons.
  static void Describe(const engine::Message& payload, pb::DecisionRecord* r) {
    if (const auto* g = dynamic_cast<const pb::Granted*>(&payload)) {
      r->set_amount_cents(g->amount_cents());
      r->set_rule_version(g->rule_version());
      r->set_reasons(g->reasons());
    } else if (const auto* f = dynamic_cast<const pb::Refused*>(&payload)) {
      r->set_rule_version(f->rule_version());
      r->set_reasons(f->reasons());
    } else if (const auto* s = dynamic_cast<const pb::Settled*>(&payload)) {
      r->set_amount_cents(s->amount_cents());
      r->set_rule_version(s->rule_version());
      r->set_reasons(s->reasons());
    } else if (const auto* o = dynamic_cast<const pb::ObjectionDecided*>(&payload)) {
      r->set_amount_cents(o->amount_cents());
      r->set_rule_version(o->rule_version());
      r->set_reasons(o->reasons());
      r->set_resulting_kind(o->kind());
    }
  }
};

class PublicationFeedProjection final : public engine::Projection {
 public:
  std::string_view Name() const override { return "publication-feed"; }
  void Apply(const EventEnvelope& env, const engine::Message& payload,
             engine::ModelWriter& model) override {
    auto after = Fold(env, payload, model, nullptr);
    if (!after) return;
    const pb::InitiativeData& d = DataOf(*after);
    const std::string key = "by-district/" + d.district() + "/" + d.id();
    const std::string_view state = after->StateName();
    const bool on_feed = d.has_published_at() && d.decision().kind() == pb::DECISION_KIND_GRANT &&
                         state != "withdrawn" && state != "refused";
    if (!on_feed) {
      if (d.has_published_at()) model.Delete(key);
      return;
    }
    pb::PublicationEntry e;
    e.set_initiative_id(d.id());
    e.set_district(d.district());
    e.set_title(d.title());
    e.set_summary(d.publication_summary());
    e.set_url(d.publication_url());
    e.set_granted_cents(d.granted_cents());
    *e.mutable_published_at() = d.published_at();
    model.Put(key, e.SerializeAsString());
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
