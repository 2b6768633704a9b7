#include "tools/bench/workload.h"

#include <fstream>
#include <stdexcept>

#include "workflows/common/time.h"
#include "workflows/subsidy_round/round_machine.h"

namespace wijkflow::bench {

using engine::Message;
using engine::Outcome;

namespace {

constexpr const char* kRound = "feijenoord-2023";
constexpr const char* kPeriod =
    R"("period":{"start":"2023-02-01T00:00:00Z","end":"2024-01-01T00:00:00Z"})";

void Do(engine::Engine* engine, const std::string& workflow, const std::string& id,
        const std::string& command, const std::string& json, const std::string& who,
        const std::string& role) {
  engine::CommandRequest r;
  r.workflow = workflow;
  r.instance_id = id;
  r.command = command;
  Outcome o = engine->ParseCommand(workflow, command, json, &r.body);
  if (!o.ok()) throw std::runtime_error(command + ": " + o.ToString());
  r.principal = {"bench-" + who, {role}, {kBenchDistrict}};
  r.actor.set_id(who);
  r.actor.set_role(role);
  engine::CommandResult result = engine->Execute(std::move(r));
  if (!result.outcome.ok()) throw std::runtime_error(command + ": " + result.outcome.ToString());
}

}  // namespace

void OpenBenchRound(engine::Engine* engine, SimulatedClock* clock) {
  const std::string budget = std::string(R"({"district":"feijenoord","ceilingCents":"15000000",)") +
                             R"("maxPerRequestCents":"2000000",)" + kPeriod;
  clock->AdvanceTo(workflows::DateMicros(2023, 1, 9));
  Do(engine, "subsidy-rounds", kRound, "RequestRound",
     budget + R"(,"motivation":"Een ronde voor het hele jaar"})", "wr-feijenoord",
     "district-council");
  clock->AdvanceTo(workflows::DateMicros(2023, 1, 16));
  Do(engine, "subsidy-rounds", kRound, "SetRound",
     budget + R"(,"distribution":"DISTRIBUTION_FIRST_COME"})", "college", "executive");
  clock->AdvanceTo(workflows::DateMicros(2023, 1, 23));
  Do(engine, "subsidy-rounds", kRound, "PublishRound",
     R"({"publicationRef":"Gemeenteblad 2023, 1201"})", "college", "executive");
  clock->AdvanceTo(workflows::DateMicros(2023, 2, 1));
  engine->FireDueTimers();
  engine::InstanceView v;
  Outcome o = engine->Get("subsidy-rounds", kRound, std::nullopt, &v);
  if (!o.ok()) throw std::runtime_error("round: " + o.ToString());
  if (v.instance->StateName() != workflows::subsidy_round::state::kOpen) {
    throw std::runtime_error("round is " + std::string(v.instance->StateName()) + ", not Open");
  }
  clock->AdvanceTo(workflows::DateMicros(2023, 3, 1));
}

engine::CommandRequest SubmitRequest(const engine::Engine& engine, const std::string& id) {
  static const std::string json =
      R"({"district":"feijenoord","roundId":"feijenoord-2023","title":"Moestuin Bloemhof",)"
      R"("description":"Een gezamenlijke moestuin","requestedCents":"80000",)"
      R"("channel":"CHANNEL_PAPER_OPZOOMER_MEE","applicant":{"id":"res-0002",)"
      R"("name":"Kees de Vries"}})";
  // Parsed once: the JSON mapping is the adapter's work, not the command path's.
  static const std::unique_ptr<Message> body = [&] {
    std::unique_ptr<Message> m;
    Outcome o = engine.ParseCommand("initiatives", "Submit", json, &m);
    if (!o.ok()) throw std::runtime_error("Submit: " + o.ToString());
    return m;
  }();
  engine::CommandRequest r;
  r.workflow = "initiatives";
  r.instance_id = id;
  r.command = "Submit";
  r.body.reset(body->New());
  r.body->CopyFrom(*body);
  r.principal = {"bench-opzoomer-mee", {"intake"}, {kBenchDistrict}};
  r.actor.set_id("opzoomer-mee");
  r.actor.set_role("intake");
  r.command_id = "cmd-" + id;
  return r;
}

double ResidentMiB(int pid) {
  std::ifstream in(pid == 0 ? std::string("/proc/self/status")
                            : "/proc/" + std::to_string(pid) + "/status");
  std::string line;
  while (std::getline(in, line)) {
    if (line.rfind("VmRSS:", 0) == 0) return std::stod(line.substr(6)) / 1024.0;  // kB
  }
  return 0;
}

}  // namespace wijkflow::bench
