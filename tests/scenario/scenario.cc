#include "tests/scenario/scenario.h"

#include "workflows/common/time.h"
#include "workflows/register_all.h"

namespace wijkflow::scenario {

using workflows::ToTimestamp;

Scenario::Scenario(Micros start, engine::EngineOptions options) : clock_(start) {
  workflows::RegisterAll(registry_);
  StoreOptions so;
  so.clock = &clock_;
  Status s = EventStore::Open(so, dir_.Sub("db"), &store_);
  EXPECT_TRUE(s.ok()) << s.ToString();
  engine_ = std::make_unique<engine::Engine>(store_.get(), &registry_, &clock_, options);
}

Scenario::~Scenario() {
  engine_.reset();
  store_.reset();
}

CommandResult Scenario::Do(const std::string& workflow, const std::string& id, const Message& body,
                           const std::string& who, const std::string& role,
                           std::optional<Micros> effective) {
  engine::CommandRequest r;
  r.workflow = workflow;
  r.instance_id = id;
  r.command = body.GetDescriptor()->name();
  r.body.reset(body.New());
  r.body->CopyFrom(body);
  r.principal = {"system-of-" + who, {role}, {kDistrict}};
  r.actor.set_id(who);
  r.actor.set_role(role);
  r.effective = effective;
  return engine_->Execute(std::move(r));
}

void Scenario::ExpectRejected(Outcome::Kind kind, const std::string& rule,
                              const std::string& workflow, const std::string& id,
                              const Message& body, const std::string& who, const std::string& role,
                              std::optional<Micros> effective) {
  const uint64_t before = store_->LastPosition();
  CommandResult r = Do(workflow, id, body, who, role, effective);
  EXPECT_EQ(r.outcome.kind(), kind) << r.outcome.ToString();
  if (!rule.empty()) {
    EXPECT_EQ(r.outcome.rule(), rule) << r.outcome.ToString();
  }
  EXPECT_EQ(store_->LastPosition(), before) << "a rejected command appended";
}

size_t Scenario::AdvanceTo(Micros t) {
  clock_.AdvanceTo(t);
  return engine_->FireDueTimers();
}

std::string Scenario::State(const std::string& workflow, const std::string& id) {
  engine::InstanceView v;
  if (!engine_->Get(workflow, id, std::nullopt, &v).ok()) return "<none>";
  return std::string(v.instance->StateName());
}

const ipb::InitiativeData& Scenario::Initiative(const std::string& id) {
  EXPECT_TRUE(engine_->Get(kInitiatives, id, std::nullopt, &view_).ok());
  return static_cast<const ipb::InitiativeData&>(view_.instance->Data());
}

const rpb::RoundData& Scenario::Round(const std::string& id) {
  EXPECT_TRUE(engine_->Get(kRounds, id, std::nullopt, &view_).ok());
  return static_cast<const rpb::RoundData&>(view_.instance->Data());
}

std::vector<EventEnvelope> Scenario::History(const std::string& workflow, const std::string& id) {
  std::vector<EventEnvelope> out;
  EXPECT_TRUE(store_->ReadStream(engine::Engine::StreamId(workflow, id), 1, 100'000, &out).ok());
  return out;
}

std::vector<std::string> Scenario::EventTypes(const std::string& workflow, const std::string& id) {
  std::vector<std::string> types;
  for (const EventEnvelope& e : History(workflow, id)) {
    types.push_back(e.event_type().substr(e.event_type().rfind('.') + 1));
  }
  return types;
}

void Scenario::GrantMandate(const std::string& grantee, int64_t max_cents, Micros from,
                            Micros until) {
  mpb::GrantMandate g;
  g.set_district(kDistrict);
  g.set_grantee(grantee);
  g.set_max_amount_cents(max_cents);
  *g.mutable_valid_from() = ToTimestamp(from);
  if (until != 0) *g.mutable_valid_until() = ToTimestamp(until);
  g.set_decision_ref("council meeting");
  CommandResult r = Do(kMandates, kDistrict, g, "wr-feijenoord", "district-council");
  ASSERT_TRUE(r.outcome.ok()) << r.outcome.ToString();
}

void Scenario::SetAndPublishRound(const std::string& id, int64_t ceiling_cents, int64_t max_cents,
                                  Micros start, Micros end) {
  rpb::SetRound set;
  set.set_district(kDistrict);
  set.set_ceiling_cents(ceiling_cents);
  set.set_max_per_request_cents(max_cents);
  *set.mutable_period()->mutable_start() = ToTimestamp(start);
  *set.mutable_period()->mutable_end() = ToTimestamp(end);
  CommandResult r = Do(kRounds, id, set, "college", "executive");
  ASSERT_TRUE(r.outcome.ok()) << r.outcome.ToString();
  rpb::PublishRound publish;
  publish.set_publication_ref("Gemeenteblad " + id);
  r = Do(kRounds, id, publish, "college", "executive");
  ASSERT_TRUE(r.outcome.ok()) << r.outcome.ToString();
}

CommandResult Scenario::Submit(const std::string& id, const std::string& round_id, int64_t cents,
                               ipb::Channel channel) {
  ipb::Submit s;
  s.set_district(kDistrict);
  s.set_round_id(round_id);
  s.set_title("Initiative " + id);
  s.set_description("An activity in the district");
  s.set_requested_cents(cents);
  s.set_channel(channel);
  s.mutable_applicant()->set_id(Applicant(id));
  s.mutable_applicant()->set_name("Resident " + id);
  s.mutable_applicant()->set_email(id + "@example.org");
  const bool paper = channel == ipb::CHANNEL_PAPER_OPZOOMER_MEE ||
                     channel == ipb::CHANNEL_PAPER_DISTRICT_NETWORKER;
  return paper ? Do(kInitiatives, id, s, "desk-opzoomer-mee", "intake")
               : Do(kInitiatives, id, s, Applicant(id), "applicant");
}

CommandResult Scenario::Review(const std::string& id) {
  return Do(kInitiatives, id, ipb::StartReview(), "wm-feijenoord", "district-manager");
}

CommandResult Scenario::Grant(const std::string& id, int64_t cents, const std::string& who,
                              const std::string& role, std::optional<Micros> effective) {
  ipb::Grant g;
  g.set_amount_cents(cents);
  g.set_reasons("fits the regulation and the district's priorities");
  return Do(kInitiatives, id, g, who, role, effective);
}

CommandResult Scenario::Refuse(const std::string& id, const std::string& reasons,
                               const std::string& who, const std::string& role) {
  ipb::Refuse f;
  f.set_reasons(reasons);
  return Do(kInitiatives, id, f, who, role);
}

}  // namespace wijkflow::scenario
