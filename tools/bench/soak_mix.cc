#include "tools/bench/soak_mix.h"

#include <time.h>

#include "adapters/http/json.h"
#include "workflows/common/time.h"

namespace wijkflow::bench {
namespace {

using workflows::kDay;
constexpr Micros kHour = kDay / 24;

const char* const kIntake = "soak-opzoomer-mee";
const char* const kManager = "soak-wijkmanagers";
const char* const kCouncil = "soak-wijkraad";
const char* const kExecutive = "soak-college";
const char* const kPublisher = "soak-mijn-rotterdam";
const char* const kTeam = "soak-wijkmt";
const char* const kAuditor = "soak-audit";

int YearOf(Micros t) {
  const time_t seconds = static_cast<time_t>(t / 1'000'000);
  tm parts{};
  gmtime_r(&seconds, &parts);
  return parts.tm_year + 1900;
}

// Appends the requests of one cycle, numbering the commands' idempotency keys.
class Script {
 public:
  explicit Script(std::string tag) : tag_(std::move(tag)) {}

  void Command(const std::string& token, const std::string& role, const std::string& path,
               const std::string& command, const std::string& body, int expect, int also = 0) {
    Add({"POST", "/v1/" + path + "/commands/" + command, token, role,
         tag_ + "-" + std::to_string(requests_.size()), body, expect, also});
  }
  // The same command again with the key of the last one: a client's retry, answered from the
  // first result without writing.
  void Retry() { requests_.push_back(requests_.back()); }
  void Read(const std::string& target, bool own_write = false) {
    Add({"GET", target, kAuditor, "", "", "", 200, 0, own_write});
  }
  std::vector<SoakRequest> Take() { return std::move(requests_); }

 private:
  void Add(SoakRequest r) { requests_.push_back(std::move(r)); }
  std::string tag_;
  std::vector<SoakRequest> requests_;
};

void Round(Script& s, const std::string& round, const std::string& district, Micros now) {
  const std::string path = "subsidy-rounds/" + round;
  s.Command(kExecutive, "executive", path, "SetRound",
            R"({"district":")" + district + R"(","ceilingCents":")" +
                std::to_string(kSoakGrantsPerRound * kSoakGrantCents) +
                R"(","maxPerRequestCents":"1000000","distribution":"DISTRIBUTION_FIRST_COME",)"
                R"("period":{"start":")" +
                http::FormatTime(now - kHour) + R"(","end":")" +
                http::FormatTime(now + 365 * kDay) + "\"}}",
            201);
  s.Command(kExecutive, "executive", path, "PublishRound",
            R"({"publicationRef":"Gemeenteblad )" + round + "\"}", 200);
  s.Command(kExecutive, "executive", path, "OpenRound", "{}", 200, 409);
  s.Command(kExecutive, "executive", path, "OpenRound", "{}", 409);  // open already
  s.Read("/v1/" + path);
}

void Initiative(Script& s, const std::string& id, const std::string& round,
                const std::string& district, int i) {
  const std::string path = "initiatives/" + id;
  s.Command(kIntake, "intake", path, "Submit",
            R"({"district":")" + district + R"(","roundId":")" + round +
                R"(","title":"Buurtfeest","description":"Een feest voor de straat",)"
                R"("requestedCents":"150000","channel":"CHANNEL_PAPER_OPZOOMER_MEE",)"
                R"("applicant":{"id":"res-)" +
                id + R"(","name":"Bewoner"}})",
            201);
  if (i % 5 == 0) s.Retry();
  s.Read("/v1/" + path);
  s.Command(kManager, "district-manager", path, "StartReview", "{}", 200);
  s.Command(kManager, "district-manager", path, "StartReview", "{}", 409);  // in review already
  const bool fits = i < kSoakGrantsPerRound;
  s.Command(kCouncil, "district-council", path, "Grant",
            R"({"amountCents":")" + std::to_string(kSoakGrantCents) +
                R"(","reasons":"Past binnen de regeling"})",
            fits ? 200 : 422);  // the round's ceiling
  if (fits) {
    s.Command(
        kPublisher, "publisher", path, "Publish",
        R"({"url":"https://mijn.rotterdam.nl/initiatieven/)" + id + R"(","summary":"Buurtfeest"})",
        200);
  } else {
    s.Command(kCouncil, "district-council", path, "Refuse",
              R"({"reasons":"Het plafond van de ronde is bereikt"})", 200);
  }
  s.Read("/v1/" + path + "/events");
}

void Agreement(Script& s, const std::string& district, Micros now) {
  const int year = YearOf(now);
  const std::string y = std::to_string(year);
  const std::string path =
      "district-agreements/" + district + "-" + y + "-" + std::to_string(year + 3);
  const std::string meeting = http::FormatTime(now - kDay);
  s.Command(kTeam, "district-team", path, "DraftAgreement",
            R"({"district":")" + district + R"(","firstYear":)" + y +
                R"(,"vision":"Een wijk waar iedereen meedoet"})",
            201);
  s.Command(kCouncil, "district-council", path, "EndorseAgreement",
            R"({"meetingDate":")" + meeting + R"(","meetingRef":"Openbare vergadering"})", 200);
  s.Command(kCouncil, "district-council", path, "EndorseAgreement",
            R"({"meetingDate":")" + meeting + R"(","meetingRef":"Openbare vergadering"})",
            409);  // endorsed already
  s.Command(kTeam, "district-team", path, "DraftActionPlan",
            R"({"year":)" + y + R"(,"budgetCents":"12000000","summary":"Groen, veilig, samen"})",
            200);
  s.Command(kTeam, "district-team", path, "DraftActionPlan",
            R"({"year":)" + std::to_string(year + 5) +
                R"(,"budgetCents":"12000000","summary":"Te laat"})",
            422);  // outside the agreement's period
  s.Command(kTeam, "district-team", path, "AddAction",
            R"({"year":)" + y +
                R"(,"actionId":"a-groen-1","title":"Geveltuinen","digiwapRef":"DW-1",)"
                R"("budgetCents":"4000000","owner":"wijkmt"})",
            200);
  s.Command(kExecutive, "executive", path, "AdoptAgreement", R"({"decisionRef":"Collegebesluit"})",
            200);
  s.Command(kExecutive, "executive", path, "AdoptActionPlan",
            R"({"year":)" + y + R"(,"decisionRef":"Voorjaarsnota"})", 200);
  s.Command(kTeam, "district-team", path, "StartActionPlan", R"({"year":)" + y + "}", 200);
  s.Command(kTeam, "district-team", path, "UpdateAction",
            R"({"actionId":"a-groen-1","status":"ACTION_STATUS_IN_PROGRESS","note":"Begonnen"})",
            200);
  s.Read("/v1/" + path);
}

}  // namespace

std::vector<std::pair<std::string, engine::Principal>> SoakSystems() {
  return {{kIntake, {"opzoomer-mee", {"intake"}, {"*"}}},
          {kManager, {"wijkmanagers", {"district-manager"}, {"*"}}},
          {kCouncil, {"wijkraad", {"district-council"}, {"*"}}},
          {kExecutive, {"college", {"executive"}, {"*"}}},
          {kPublisher, {"mijn-rotterdam", {"applicant", "publisher"}, {"*"}}},
          {kTeam, {"wijkmt", {"district-team"}, {"*"}}},
          {kAuditor, {"audit", {"auditor"}, {"*"}}}};
}

std::string SoakAuditorToken() { return kAuditor; }

std::string SoakRound(int conn, uint64_t cycle) {
  return "soak-" + std::to_string(conn) + "-" + std::to_string(cycle);
}

std::vector<SoakRequest> SoakCycle(int conn, uint64_t cycle, Micros now) {
  const std::string round = SoakRound(conn, cycle);
  const std::string district = conn % 2 == 0 ? "feijenoord" : "charlois";
  Script s(round);
  Round(s, round, district, now);
  for (int i = 0; i < kSoakInitiativesPerRound; ++i) {
    Initiative(s, "ini-" + round + "-" + std::to_string(i), round, district, i);
  }
  s.Read("/v1/projections/round-budget?key=budget/" + round, true);
  s.Read("/v1/initiatives?district=" + district + "&state=published&limit=20", true);
  // An agreement district of its own: an agreement's id is its district and period.
  Agreement(s, "wijk-" + round, now);
  return s.Take();
}

}  // namespace wijkflow::bench
