// The roles commands are issued in (Actor.role). A principal's token grants some of them.
#pragma once

namespace wijkflow::workflows::roles {

inline constexpr const char* kApplicant = "applicant";  // the resident, e.g. via Mijn Rotterdam
inline constexpr const char* kIntake = "intake";  // a desk: Opzoomer Mee, district networker, mail
inline constexpr const char* kDistrictManager = "district-manager";
inline constexpr const char* kDistrictCouncil = "district-council";
inline constexpr const char* kExecutive = "executive";
inline constexpr const char* kPublisher = "publisher";  // Mijn Rotterdam's publication
inline constexpr const char* kSystem = "system";        // timers

}  // namespace wijkflow::workflows::roles
