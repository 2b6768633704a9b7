#include "engine/testdata/toggle_workflow.h"

#include "engine/decide_context.h"
#include "engine/machine.h"
#include "testdata/toggle.pb.h"

namespace wijkflow::testing {
namespace {

using namespace wijkflow::engine;  // NOLINT: test code
namespace pb = ::wijkflow::testing;

constexpr int64_t kHour = 3'600'000'000;

struct ClosedS : msmf::state<> {
  static constexpr const char* kName = "closed";
};
struct OpenS : msmf::state<> {
  static constexpr const char* kName = "open";
};
struct ToggleDef : MachineDef<ToggleDef> {
  using initial_state = ClosedS;
  using transition_table = boost::mpl::vector<
      msmf::Row<ClosedS, pb::Opened, OpenS>, msmf::Row<OpenS, pb::Closed, ClosedS>,
      msmf::Row<ClosedS, pb::Counted, ClosedS>, msmf::Row<OpenS, pb::Decided, OpenS>>;
};
using ToggleInstance = MachineInstance<ToggleDef, pb::ToggleData>;

const EventTable<ToggleDef, pb::ToggleData>& Table() {
  static const auto* t = [] {
    auto* t = new EventTable<ToggleDef, pb::ToggleData>();
    t->On<pb::Opened>(1, [](pb::ToggleData& d, const pb::Opened& e, const EventEnvelope&) {
      d.set_opens(d.opens() + 1);
      d.set_district(e.district());
    });
    t->On<pb::Closed>(1, [](pb::ToggleData& d, const pb::Closed& e, const EventEnvelope&) {
      d.set_last_reason(e.reason());
    });
    t->On<pb::Counted>(1, [](pb::ToggleData& d, const pb::Counted&, const EventEnvelope&) {
      d.set_count(d.count() + 1);
    });
    t->On<pb::Decided>(1, [](pb::ToggleData&, const pb::Decided&, const EventEnvelope&) {});
    return t;
  }();
  return *t;
}

class Toggle final : public Workflow {
 public:
  Toggle() {
    info_.name = "toggles";
    described_ = DescribeMachine(Table(), &info_);
    commands_ = {{"Open", &pb::Open::default_instance(), {"intake"}, false},
                 {"Close", &pb::Close::default_instance(), {"intake", "system"}, false},
                 {"Decide", &pb::Decide::default_instance(), {"district-manager"}, true}};
  }
  const WorkflowInfo& Info() const override { return info_; }
  Outcome Check() const override { return described_; }
  const std::vector<CommandSpec>& Commands() const override { return commands_; }
  std::unique_ptr<Instance> NewInstance(uint32_t) const override {
    return std::make_unique<ToggleInstance>(&Table());
  }
  std::string DistrictOf(const Instance& instance) const override {
    return static_cast<const pb::ToggleData&>(instance.Data()).district();
  }
  Scope ScopeOf(const Instance& current, const Message& command) const override {
    const auto& data = static_cast<const pb::ToggleData&>(current.Data());
    Scope s{data.district(), 0};
    if (const auto* open = dynamic_cast<const pb::Open*>(&command)) s.district = open->district();
    if (const auto* d = dynamic_cast<const pb::Decide*>(&command))
      s.amount_cents = d->amount_cents();
    return s;
  }
  Outcome Decide(DecideContext& ctx, const Instance& current,
                 const Message& command) const override {
    if (const auto* open = dynamic_cast<const pb::Open*>(&command)) {
      auto e = std::make_unique<pb::Opened>();
      e->set_district(open->district());
      ctx.Emit(std::move(e));
      if (!open->tally_id().empty()) {
        ctx.Load("toggles", open->tally_id());
        auto c = std::make_unique<pb::Counted>();
        c->set_toggle_id(ctx.instance_id());
        ctx.EmitTo("toggles", open->tally_id(), std::move(c));
      }
      auto close = std::make_unique<pb::Close>();
      close->set_reason("timeout");
      ctx.SetTimer("auto-close", ctx.effective() + kHour, std::move(close));
      return Outcome::Ok();
    }
    if (const auto* close = dynamic_cast<const pb::Close*>(&command)) {
      if (close->reason() == "forbidden") {
        return Outcome::RuleViolated("no-forbidden", "a toggle is never closed for 'forbidden'");
      }
      if (close->reason() == "timeout" && current.StateName() == "closed") {
        return Outcome::Ok();  // the timer finds it closed already: nothing to do
      }
      auto e = std::make_unique<pb::Closed>();
      e->set_reason(close->reason());
      ctx.Emit(std::move(e));
      if (close->reason() != "keep-timer") ctx.CancelTimer("auto-close");
      // A timer no command of the system role takes: the engine must refuse the decision.
      if (close->reason() == "bad-timer") {
        ctx.SetTimer("bad", ctx.effective() + kHour, std::make_unique<pb::Decide>());
      }
      return Outcome::Ok();
    }
    const auto& d = static_cast<const pb::Decide&>(command);
    auto e = std::make_unique<pb::Decided>();
    e->set_amount_cents(d.amount_cents());
    ctx.Emit(std::move(e));
    return Outcome::Ok();
  }

 private:
  WorkflowInfo info_;
  std::vector<CommandSpec> commands_;
  Outcome described_;
};

class TestMandates final : public MandateAuthority {
 public:
  Outcome Authorize(const InstanceReader&, const Scope& scope, Micros,
                    Actor* actor) const override {
    if (actor->id() != "wm-ok" || scope.amount_cents > 100) {
      return Outcome::Forbidden("no mandate covers this", "mandate-in-force");
    }
    actor->set_mandate_ref("mandate-1");
    actor->set_on_behalf_of("district-council:" + scope.district);
    return Outcome::Ok();
  }
};

// Counts events per type: "<event type>" -> ToggleData{count}.
class EventCount final : public Projection {
 public:
  std::string_view Name() const override { return "event-count"; }
  const Message* ValueType() const override { return &pb::ToggleData::default_instance(); }
  void Apply(const EventEnvelope& env, const Message&, ModelWriter& model) override {
    auto* n = model.Edit<pb::ToggleData>(env.event_type());
    n->set_count(n->count() + 1);
  }
};

// Counts events per stream, as messages: "<stream id>" -> ToggleData{count}; its index files
// each stream under "by-parity/<even|odd>/<stream id>" as its count stands, an index entry that
// moves with every event, as the workflows' indexes by state do. Every tenth count is also kept,
// never to change, under "tenth/<stream id>/<count>", as a register of decisions is kept.
class StreamTally final : public Projection {
 public:
  std::string_view Name() const override { return "stream-tally"; }
  const Message* ValueType() const override { return &pb::ToggleData::default_instance(); }
  IndexFn Index() const override { return &ParityKey; }
  void Apply(const EventEnvelope& env, const Message&, ModelWriter& model) override {
    const std::string& id = env.stream_id();
    auto* now = model.Edit<pb::ToggleData>(id);
    now->set_count(now->count() + 1);
    if (now->count() % 10 == 0) {
      *model.Edit<pb::ToggleData>("tenth/" + id + "/" + std::to_string(now->count())) = *now;
    }
  }

 private:
  static std::string ParityKey(std::string_view id, const Message& value) {
    if (id.starts_with("tenth/")) return "";  // the register of tenths is not filed by parity
    const auto& tally = static_cast<const pb::ToggleData&>(value);
    std::string key = tally.count() % 2 == 0 ? "by-parity/even/" : "by-parity/odd/";
    return key.append(id);
  }
};

}  // namespace

void RegisterToggle(WorkflowRegistry& registry) {
  registry.Add(std::make_unique<Toggle>());
  registry.SetMandateAuthority(std::make_unique<TestMandates>());
  registry.AddProjection(std::make_unique<EventCount>());
  registry.AddProjection(std::make_unique<StreamTally>());
}

}  // namespace wijkflow::testing
