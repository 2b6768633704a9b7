// "agreement-progress": how each district's agreement is doing, for the council, the district
// team and the executive. Key "progress/<district>/<agreement id>" -> AgreementProgress.
#include "wijkflow/district_agreement.pb.h"
#include "workflows/common/fold.h"
#include "workflows/district_agreement/agreement_machine.h"
#include "workflows/district_agreement/agreement_rules.h"
#include "workflows/district_agreement/agreement_workflow.h"

namespace wijkflow::workflows::agreement {
namespace {

namespace pb = ::wijkflow::agreement;

pb::AgreementProgress ProgressOf(const std::string& id, const engine::Instance& agreement) {
  const auto& d = static_cast<const pb::AgreementData&>(agreement.Data());
  pb::AgreementProgress p;
  p.set_agreement_id(id);
  p.set_district(d.district());
  p.set_state(std::string(agreement.StateName()));
  for (const auto& a : d.actions())
    (*p.mutable_actions_by_status())[ActionStatusName(a.status())]++;
  *p.mutable_plans() = d.plans();
  if (d.reviews_size() > 0) *p.mutable_last_review() = d.reviews().rbegin()->held_on();
  if (d.has_next_review_due()) *p.mutable_next_review_due() = d.next_review_due();
  p.set_review_overdue(d.review_overdue());
  return p;
}

class ProgressProjection final : public engine::Projection {
 public:
  std::string_view Name() const override { return "agreement-progress"; }
  void Apply(const EventEnvelope& envelope, const engine::Message& payload,
             engine::ModelWriter& model) override {
    if (envelope.workflow() != kWorkflow) return;
    Folded f = FoldEvent(NewAgreementInstance, envelope, payload, model);
    if (!f.instance) return;
    const std::string id = InstanceIdOf(envelope);
    const auto& d = static_cast<const pb::AgreementData&>(f.instance->Data());
    model.Put("progress/" + d.district() + "/" + id,
              ProgressOf(id, *f.instance).SerializeAsString());
  }
};

}  // namespace

std::unique_ptr<engine::Projection> NewAgreementProgressProjection() {
  return std::make_unique<ProgressProjection>();
}

}  // namespace wijkflow::workflows::agreement
