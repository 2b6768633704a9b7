#include "workflows/testing/world.h"

#include "wijkflow/subsidy_round.pb.h"
#include "workflows/common/time.h"

namespace wijkflow::workflows::testing {

const engine::LoadedInstance* World::Load(std::string_view workflow, std::string_view id) {
  const std::string key = std::string(workflow) + "/" + std::string(id);
  auto it = instances_.find(key);
  if (it != instances_.end()) return &it->second;
  const engine::Workflow* wf = registry_->Find(workflow);
  if (wf == nullptr) return nullptr;
  engine::LoadedInstance fresh;
  fresh.instance = wf->NewInstance(wf->Info().definition_version);
  fresh.definition_version = wf->Info().definition_version;
  return &instances_.emplace(key, std::move(fresh)).first->second;
}

engine::Outcome World::Run(const std::string& workflow, const std::string& id, const Actor& actor,
                           Micros effective, const engine::Message& command) {
  const engine::Workflow* wf = registry_->Find(workflow);
  if (wf == nullptr) return engine::Outcome::NotFound("no workflow " + workflow);
  const engine::LoadedInstance* current = Load(workflow, id);
  engine::DecideContext ctx(workflow, id, actor, effective, effective,
                            [this](std::string_view w, std::string_view i) { return Load(w, i); });
  engine::Outcome o = wf->Decide(ctx, *current->instance, command);
  if (!o.ok()) return o;
  // Evolve copies first: a decision is applied whole or not at all.
  struct Evolving {
    std::unique_ptr<engine::Instance> instance;
    uint64_t version;
    uint32_t definition_version;
  };
  std::map<std::string, Evolving> after;
  for (const engine::EmittedEvent& e : ctx.events()) {
    const std::string key = e.workflow + "/" + e.instance_id;
    auto it = after.find(key);
    if (it == after.end()) {
      const engine::LoadedInstance* before = Load(e.workflow, e.instance_id);
      Evolving copy{before->instance->Clone(), before->version, before->definition_version};
      it = after.emplace(key, std::move(copy)).first;
    }
    EventEnvelope env;
    env.set_stream_id(key);
    env.set_workflow(e.workflow);
    env.set_stream_version(it->second.version + 1);
    env.set_definition_version(it->second.definition_version);
    env.set_event_type(e.payload->GetDescriptor()->full_name());
    env.set_schema_version(e.schema_version);
    *env.mutable_effective_date() = ToTimestamp(effective);
    *env.mutable_actor() = actor;
    o = it->second.instance->Apply(env, *e.payload);
    if (!o.ok()) return o;
    it->second.version += 1;
  }
  for (auto& [key, ev] : after) {
    engine::LoadedInstance& li = instances_[key];
    li.instance = std::move(ev.instance);
    li.version = ev.version;
    li.definition_version = ev.definition_version;
    li.last_effective = effective;
  }
  events_ = std::move(ctx.events());
  timers_ = std::move(ctx.timers());
  return engine::Outcome::Ok();
}

const engine::Instance* World::Get(const std::string& workflow, const std::string& id) const {
  auto it = instances_.find(workflow + "/" + id);
  return it != instances_.end() && it->second.version > 0 ? it->second.instance.get() : nullptr;
}

std::string World::State(const std::string& workflow, const std::string& id) const {
  const engine::Instance* i = Get(workflow, id);
  return i ? std::string(i->StateName()) : "<none>";
}

engine::InstanceReader World::Reader() const {
  return [this](std::string_view w, std::string_view id) {
    return Get(std::string(w), std::string(id));
  };
}

Actor MakeActor(const std::string& id, const std::string& role) {
  Actor a;
  a.set_id(id);
  a.set_role(role);
  return a;
}

engine::Outcome OpenRound(World& world, const std::string& id, const std::string& district,
                          int64_t ceiling_cents, int64_t max_per_request_cents, Micros start) {
  const Actor executive = MakeActor("college", "executive");
  ::wijkflow::round::SetRound set;
  set.set_district(district);
  set.set_ceiling_cents(ceiling_cents);
  set.set_max_per_request_cents(max_per_request_cents);
  *set.mutable_period()->mutable_start() = ToTimestamp(start);
  *set.mutable_period()->mutable_end() = ToTimestamp(start + 52 * kWeek);
  engine::Outcome o = world.Run("subsidy-rounds", id, executive, start - 2 * kWeek, set);
  ::wijkflow::round::PublishRound publish;
  publish.set_publication_ref("Gemeenteblad " + id);
  if (o.ok()) o = world.Run("subsidy-rounds", id, executive, start - kWeek, publish);
  if (o.ok()) o = world.Run("subsidy-rounds", id, executive, start, ::wijkflow::round::OpenRound());
  return o;
}

}  // namespace wijkflow::workflows::testing
