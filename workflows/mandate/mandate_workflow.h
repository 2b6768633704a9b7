// The mandate workflow: a district council's register of mandates (Awb 10:1), and the
// MandateAuthority the engine asks before a district manager takes a decision.
//
// A district manager may decide a request of amount A on date D in district W only if the
// council of W granted them a mandate that is in force on D (valid_from <= D < valid_until, not
// revoked by D) and covers A (its maximum is 0 or at least A). The decision then counts as the
// council's: actor.on_behalf_of = "district-council:W", actor.mandate_ref = the mandate's id.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>

#include "engine/registry.h"
#include "engine/workflow.h"
#include "wijkflow/mandate.pb.h"

namespace wijkflow::workflows::mandate {

std::unique_ptr<engine::Workflow> NewMandateWorkflow();
std::unique_ptr<engine::MandateAuthority> NewMandateAuthority();

// Whether `m` holds at `at`.
bool InForce(const wijkflow::mandate::Mandate& m, Micros at);
// The first mandate of `grantee` in force at `at` that covers `amount_cents`; nullptr if none.
const wijkflow::mandate::Mandate* FindMandate(const wijkflow::mandate::MandateRegister& reg,
                                              std::string_view grantee, int64_t amount_cents,
                                              Micros at);
// In whose name a decision under a mandate of `district`'s council counts.
std::string CouncilOf(std::string_view district);

}  // namespace wijkflow::workflows::mandate
