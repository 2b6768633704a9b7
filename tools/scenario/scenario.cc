#include "tools/scenario/scenario.h"

#include <google/protobuf/util/json_util.h>
#include <google/protobuf/util/time_util.h>

#include <istream>

#include "wijkflow/scenario.pb.h"

namespace wijkflow::scenario {
namespace {

Status Fail(int line, const std::string& why) {
  return Status::InvalidArgument("step at line " + std::to_string(line) + ": " + why);
}

}  // namespace

bool ParseTime(const std::string& text, Micros* t) {
  google::protobuf::Timestamp ts;
  if (!google::protobuf::util::TimeUtil::FromString(text, &ts)) return false;
  *t = ts.seconds() * 1'000'000 + ts.nanos() / 1000;
  return true;
}

size_t AdvanceTo(Micros t, engine::Engine* engine, SimulatedClock* clock) {
  size_t fired = 0;
  for (;;) {  // step from one due timer to the next, so each fires at its own moment
    std::optional<Micros> due = engine->NextTimerDue(t);
    if (!due) break;
    clock->AdvanceTo(*due);
    size_t n = engine->FireDueTimers();
    if (n == 0) break;
    fired += n;
  }
  clock->AdvanceTo(t);
  return fired + engine->FireDueTimers();
}

Status Run(std::istream& in, engine::Engine* engine, SimulatedClock* clock, Report* report) {
  google::protobuf::util::JsonParseOptions strict;
  strict.ignore_unknown_fields = false;
  std::string line;
  for (int n = 1; std::getline(in, line); ++n) {
    if (line.empty() || line[0] == '#') continue;
    ScenarioStep step;
    if (!google::protobuf::util::JsonStringToMessage(line, &step, strict).ok()) {
      return Fail(n, "not a ScenarioStep");
    }
    Micros at = clock->Now();
    if (!step.at().empty() && !ParseTime(step.at(), &at)) return Fail(n, "bad time " + step.at());
    if (at < clock->Now()) return Fail(n, "steps must not go back in time");
    report->timers_fired += AdvanceTo(at, engine, clock);
    if (step.command().empty()) continue;  // a step that only moves the clock

    engine::CommandRequest req;
    req.workflow = step.workflow();
    req.instance_id = step.id();
    req.command = step.command();
    std::string body;
    (void)google::protobuf::util::MessageToJsonString(step.body(), &body);
    engine::Outcome parsed = engine->ParseCommand(req.workflow, req.command, body, &req.body);
    if (!parsed.ok()) return Fail(n, parsed.ToString());
    req.principal = {"scenario", {step.role()}, {"*"}};
    req.actor.set_id(step.actor());
    req.actor.set_role(step.role());
    if (!step.effective().empty()) {
      Micros eff;
      if (!ParseTime(step.effective(), &eff)) return Fail(n, "bad effective " + step.effective());
      req.effective = eff;
    }
    engine::CommandResult r = engine->Execute(std::move(req));
    ++report->steps;
    const engine::Outcome& o = r.outcome;
    if (step.expect().empty()) {
      if (!o.ok()) return Fail(n, step.command() + " " + step.id() + ": " + o.ToString());
      continue;
    }
    if (o.ok() ||
        (o.rule() != step.expect() && engine::Outcome::KindName(o.kind()) != step.expect())) {
      return Fail(n, "expected " + step.expect() + ", got " + o.ToString());
    }
    ++report->rejected_as_expected;
  }
  return Status::OK();
}

}  // namespace wijkflow::scenario
