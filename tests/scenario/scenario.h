// Scenario: the workflows end to end, through Engine::Execute on a real event store in a
// temporary directory, with a simulated clock that tests move across deadlines (firing the
// timers that fall due). Every rejection is checked to append nothing.
#pragma once

#include <gtest/gtest.h>

#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "engine/engine.h"
#include "engine/projection_runner.h"
#include "engine/registry.h"
#include "events/clock.h"
#include "events/event_store.h"
#include "tests/testing/temp_dir.h"
#include "wijkflow/initiative.pb.h"
#include "wijkflow/mandate.pb.h"
#include "wijkflow/subsidy_round.pb.h"

namespace wijkflow::scenario {

using engine::CommandResult;
using engine::Message;
using engine::Outcome;
namespace ipb = ::wijkflow::initiative;
namespace rpb = ::wijkflow::round;
namespace mpb = ::wijkflow::mandate;

inline constexpr const char* kDistrict = "feijenoord";
inline constexpr const char* kInitiatives = "initiatives";
inline constexpr const char* kRounds = "subsidy-rounds";
inline constexpr const char* kMandates = "mandates";
inline constexpr Micros kHour = int64_t{3'600} * 1'000'000;

class Scenario : public ::testing::Test {
 protected:
  // The clock starts at `start`.
  explicit Scenario(Micros start, engine::EngineOptions options = {});
  ~Scenario() override;

  // Issues `body` (its message name is the command's name) on workflow/id as actor `who` in
  // `role`, through a principal granted that role in the district.
  CommandResult Do(const std::string& workflow, const std::string& id, const Message& body,
                   const std::string& who, const std::string& role,
                   std::optional<Micros> effective = std::nullopt);
  // As Do, and expects it to be rejected with `kind` (and `rule`, if given) writing nothing.
  void ExpectRejected(Outcome::Kind kind, const std::string& rule, const std::string& workflow,
                      const std::string& id, const Message& body, const std::string& who,
                      const std::string& role, std::optional<Micros> effective = std::nullopt);

  // Moves the clock to `t` and fires the timers due; returns how many fired.
  size_t AdvanceTo(Micros t);
  Micros Now() const { return clock_.Now(); }

  std::string State(const std::string& workflow, const std::string& id);
  const ipb::InitiativeData& Initiative(const std::string& id);
  const rpb::RoundData& Round(const std::string& id);
  // The event type names (short) of a stream, in order.
  std::vector<std::string> EventTypes(const std::string& workflow, const std::string& id);
  std::vector<EventEnvelope> History(const std::string& workflow, const std::string& id);

  // ---- Set-up steps ----
  // The council grants `grantee` a mandate up to `max_cents` (0: all) valid [from, until).
  void GrantMandate(const std::string& grantee, int64_t max_cents, Micros from, Micros until = 0);
  // The executive sets and publishes round `id` for [start, end); the opening timer opens it
  // at `start` (AdvanceTo(start) to get there). REQUIRES: Now() < start.
  void SetAndPublishRound(const std::string& id, int64_t ceiling_cents, int64_t max_cents,
                          Micros start, Micros end);
  CommandResult Submit(const std::string& id, const std::string& round_id, int64_t cents,
                       ipb::Channel channel = ipb::CHANNEL_DIGITAL);
  CommandResult Review(const std::string& id);
  CommandResult Grant(const std::string& id, int64_t cents,
                      const std::string& who = "wr-feijenoord",
                      const std::string& role = "district-council",
                      std::optional<Micros> effective = std::nullopt);
  CommandResult Refuse(const std::string& id, const std::string& reasons,
                       const std::string& who = "wr-feijenoord",
                       const std::string& role = "district-council");

  static std::string Applicant(const std::string& initiative_id) {
    return "resident-" + initiative_id;
  }

  testing::TempDir dir_;
  SimulatedClock clock_;
  engine::WorkflowRegistry registry_;
  std::unique_ptr<EventStore> store_;
  std::unique_ptr<engine::Engine> engine_;

 private:
  engine::InstanceView view_;  // keeps the last instance read alive for the references above
};

}  // namespace wijkflow::scenario
