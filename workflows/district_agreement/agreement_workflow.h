// The district agreement workflow (wijkakkoord): one instance per district and four-year period,
// id "<district>-<first year>-<last year>", e.g. "feijenoord-2023-2026".
//
// The council endorses in a public meeting, the executive adopts; the agreement is active from
// 1 January of its first year (timer) until 31 December of its last (timer). Yearly action plans
// with budgets are adopted by the executive and carried out by the district team, whose actions
// are tracked in Digiwap; the council and the district team hold a progress review every four
// months, and a timer marks one overdue when four months pass without.
#pragma once

#include <memory>

#include "engine/projection.h"
#include "engine/workflow.h"

namespace wijkflow::workflows::district_agreement {

std::unique_ptr<engine::Workflow> NewAgreementWorkflow();
// "agreement-progress": per district and agreement, actions by status, budget per plan, last
// and next review.
std::unique_ptr<engine::Projection> NewAgreementProgressProjection();

}  // namespace wijkflow::workflows::district_agreement
