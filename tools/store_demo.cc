// wijkflow-store-demo: the event store at work, end to end, on a directory of your choice.
//
// A resident's initiative is submitted through Mijn Rotterdam; the district manager grants it under
// the district council's mandate, and the grant reserves budget on the subsidy round in the same
// atomic append. Then the log is read back, one line per envelope, and its hash chains verified.
// Run it twice on the same directory: the second run's commands are recognised by their ids and
// append nothing.
#include <CLI/CLI.hpp>
#include <cstdio>
#include <string>

#include "events/event_store.h"
#include "events/sha256.h"
#include "wijkflow/initiative.pb.h"
#include "wijkflow/subsidy_round.pb.h"

namespace wijkflow {
namespace {

const char kInitiative[] = "initiative-feijenoord-2024-0042";
const char kRound[] = "round-feijenoord-2024-1";

EventEnvelope Envelope(const std::string& workflow, const google::protobuf::Message& payload,
                       const Actor& actor, int64_t effective_seconds) {
  EventEnvelope e;
  e.set_workflow(workflow);
  e.set_definition_version(1);
  e.set_event_type(payload.GetTypeName());
  e.set_schema_version(1);
  e.mutable_effective_date()->set_seconds(effective_seconds);
  *e.mutable_actor() = actor;
  e.set_correlation_id(kInitiative);
  e.set_payload(payload.SerializeAsString());
  return e;
}

AppendRequest Submission() {
  Actor intake;
  intake.set_id("mijn-rotterdam");
  intake.set_role("intake");
  intake.set_system("mijn-rotterdam");
  initiative::InitiativeSubmitted submitted;
  submitted.set_district("feijenoord");
  submitted.set_round_id(kRound);
  submitted.set_title("Buurtmoestuin Afrikaanderwijk");
  submitted.set_requested_cents(185'000);
  submitted.set_channel(initiative::CHANNEL_DIGITAL);
  submitted.set_rule_version("bi-2023");
  AppendRequest r;
  r.command_id = "demo-submit-0042";
  r.streams.push_back({kInitiative,
                       ExpectedVersion::NoStream(),
                       {Envelope("initiatives", submitted, intake, 1'709'280'000)}});
  return r;
}

// The grant and the reservation on the round land together or not at all.
AppendRequest GrantWithReservation() {
  Actor manager;
  manager.set_id("wm-feijenoord-1");
  manager.set_role("district-manager");
  manager.set_on_behalf_of("district-council-feijenoord");
  manager.set_mandate_ref("mandate-feijenoord-2023-01");
  initiative::Granted granted;
  granted.set_amount_cents(185'000);
  granted.set_rule_version("bi-2023");
  granted.set_reasons("Fits the district's priorities; within the round's ceiling.");
  round::BudgetReserved reserved;
  reserved.set_initiative_id(kInitiative);
  reserved.set_amount_cents(185'000);
  reserved.set_ceiling_applied_cents(5'000'000);
  AppendRequest r;
  r.command_id = "demo-grant-0042";
  r.streams.push_back({kInitiative,
                       ExpectedVersion::Exact(1),
                       {Envelope("initiatives", granted, manager, 1'710'460'800)}});
  r.streams.push_back({kRound,
                       ExpectedVersion::Any(),
                       {Envelope("subsidy-rounds", reserved, manager, 1'710'460'800)}});
  return r;
}

void Report(const char* what, const AppendOutcome& out) {
  if (out.status.ok()) {
    std::printf("%-40s appended at positions %llu..%llu\n", what,
                static_cast<unsigned long long>(out.receipt.first_position()),
                static_cast<unsigned long long>(out.receipt.last_position()));
  } else if (out.status.IsDuplicateCommand()) {
    std::printf("%-40s already appended at positions %llu..%llu: nothing written\n", what,
                static_cast<unsigned long long>(out.receipt.first_position()),
                static_cast<unsigned long long>(out.receipt.last_position()));
  } else {
    std::printf("%-40s rejected: %s\n", what, out.status.ToString().c_str());
  }
}

int PrintLog(const EventStore& store) {
  std::vector<EventEnvelope> events;
  Status s = store.ReadAll(1, 1000, &events);
  if (!s.ok()) {
    std::fprintf(stderr, "read: %s\n", s.ToString().c_str());
    return 1;
  }
  std::printf("\n%4s  %-32s %3s  %-40s %-35s %-27s %s\n", "pos", "stream", "ver", "type",
              "actor (role)", "under mandate", "hash");
  for (const EventEnvelope& e : events) {
    const std::string actor = e.actor().id() + " (" + e.actor().role() + ")";
    const std::string mandate = e.actor().mandate_ref().empty() ? "-" : e.actor().mandate_ref();
    std::printf("%4llu  %-32s %3llu  %-40s %-35s %-27s %s\n",
                static_cast<unsigned long long>(e.position()), e.stream_id().c_str(),
                static_cast<unsigned long long>(e.stream_version()), e.event_type().c_str(),
                actor.c_str(), mandate.c_str(), ToHex(e.hash().substr(0, 6)).c_str());
  }
  return 0;
}

int Run(const std::string& dir) {
  std::unique_ptr<EventStore> store;
  Status s = EventStore::Open(StoreOptions(), dir, &store);
  if (!s.ok()) {
    std::fprintf(stderr, "open %s: %s\n", dir.c_str(), s.ToString().c_str());
    return 1;
  }
  Report("submit initiative (Mijn Rotterdam)", store->Append(Submission()));
  Report("grant + reserve budget (atomic)", store->Append(GrantWithReservation()));
  if (PrintLog(*store) != 0) return 1;
  const VerifyReport report = store->Verify();
  if (!report.ok) {
    std::printf("\nverify: BROKEN at position %llu (%s v%llu): %s\n",
                static_cast<unsigned long long>(report.position), report.stream_id.c_str(),
                static_cast<unsigned long long>(report.stream_version), report.reason.c_str());
    return 2;
  }
  std::printf("\nverify: ok, %llu events in %llu streams, both hash chains intact\n",
              static_cast<unsigned long long>(report.events_checked),
              static_cast<unsigned long long>(report.streams_checked));
  return 0;
}

}  // namespace
}  // namespace wijkflow

int main(int argc, char** argv) {
  CLI::App app{"Appends a few events of a resident initiative, reads them back and verifies them"};
  std::string dir;
  app.add_option("--data", dir, "the store's directory (created if missing)")->required();
  CLI11_PARSE(app, argc, argv);
  return wijkflow::Run(dir);
}
