// Loading instances (cache, snapshot, replay), reading them as of a moment, snapshots and timers.
#include <google/protobuf/descriptor.h>
#include <google/protobuf/message.h>

#include <algorithm>

#include "engine/engine_impl.h"
#include "engine/payload_decoder.h"
#include "engine/timers.h"
#include "wijkflow/engine.pb.h"

namespace wijkflow::engine {
namespace {

constexpr size_t kReplayChunk = 512;

Micros ToMicros(const google::protobuf::Timestamp& ts) {
  return ts.seconds() * 1'000'000 + ts.nanos() / 1000;
}

// The message type named by an event type, from the types linked into this program; nullptr if
// there is none.
const Message* PrototypeOf(const std::string& event_type) {
  const auto* desc =
      google::protobuf::DescriptorPool::generated_pool()->FindMessageTypeByName(event_type);
  return desc ? google::protobuf::MessageFactory::generated_factory()->GetPrototype(desc) : nullptr;
}

}  // namespace

std::unique_ptr<Message> DecodePayload(const EventEnvelope& envelope) {
  const Message* prototype = PrototypeOf(envelope.event_type());
  if (prototype == nullptr) return nullptr;
  std::unique_ptr<Message> msg(prototype->New());
  if (!msg->ParseFromString(envelope.payload())) return nullptr;
  return msg;
}

const Message* PayloadDecoder::Decode(const EventEnvelope& envelope,
                                      google::protobuf::Arena* arena) {
  auto [it, fresh] = prototypes_.try_emplace(envelope.event_type());
  if (fresh) it->second = PrototypeOf(envelope.event_type());
  if (it->second == nullptr) return nullptr;
  Message* msg = it->second->New(arena);
  return msg->ParseFromString(envelope.payload()) ? msg : nullptr;
}

const LoadedInstance* Engine::Impl::LoadInto(std::string_view workflow, std::string_view id,
                                             ReadSet* reads) {
  const std::string stream = Engine::StreamId(workflow, id);
  auto it = reads->find(stream);
  if (it != reads->end()) return it->second.get();
  const Workflow* wf = registry_->Find(workflow);
  if (wf == nullptr) return nullptr;
  std::shared_ptr<const LoadedInstance> loaded;
  if (!Load(*wf, std::string(id), &loaded).ok()) return nullptr;
  return reads->emplace(stream, std::move(loaded)).first->second.get();
}

Outcome Engine::Impl::Load(const Workflow& wf, const std::string& id,
                           std::shared_ptr<const LoadedInstance>* out) {
  const std::string stream = Engine::StreamId(wf.Info().name, id);
  if (auto hit = cache_.Get(stream)) {
    *out = std::move(hit);
    return Outcome::Ok();
  }
  auto li = std::make_shared<LoadedInstance>();
  Outcome o = Replay(wf, stream, std::nullopt, li.get());
  if (!o.ok()) return o;
  if (li->version > 0) cache_.Put(stream, li);
  *out = std::move(li);
  return Outcome::Ok();
}

Outcome Engine::Impl::Replay(const Workflow& wf, const std::string& stream,
                             std::optional<Micros> as_of, LoadedInstance* into) const {
  std::unique_ptr<Instance> inst;
  uint64_t version = 0;
  // A stream without a head has no events (both are written in one batch): a new instance, found
  // by a point lookup that a bloom filter answers, where reading the stream costs an iterator.
  StreamHead head;
  if (Status s = store_->Head(stream, &head); !s.ok()) return Outcome::Unavailable(s.ToString());
  if (head.version > 0 && !as_of) {
    std::string bytes;
    Status s = store_->Get(Space::kSnapshots, stream, &bytes);
    if (!s.ok() && !s.IsNotFound()) return Outcome::Unavailable(s.ToString());
    Snapshot snap;
    if (s.ok() && snap.ParseFromString(bytes)) {
      inst = wf.NewInstance(snap.definition_version());
      if (inst->Restore(snap.state(), snap.data()).ok()) {
        version = snap.version();
        into->definition_version = snap.definition_version();
        into->last_effective = snap.last_effective_micros();
      } else {
        inst.reset();  // an unusable snapshot only costs a full replay
      }
    }
  }
  std::vector<EventEnvelope> events;
  // A snapshot as recent as the head leaves nothing to read either.
  for (bool more = version < head.version; more;) {
    events.clear();
    Status s = store_->ReadStream(stream, version + 1, kReplayChunk, &events);
    if (!s.ok()) return Outcome::Unavailable(s.ToString());
    more = events.size() == kReplayChunk;
    for (const EventEnvelope& e : events) {
      if (as_of && ToMicros(e.recorded_at()) > *as_of) {
        more = false;
        break;
      }
      if (!inst) {
        inst = wf.NewInstance(e.definition_version());
        into->definition_version = e.definition_version();
      }
      std::unique_ptr<Message> payload = DecodePayload(e);
      if (!payload)
        return Outcome::Unavailable("cannot decode " + e.event_type() + " in " + stream);
      Outcome o = inst->Apply(e, *payload);
      if (!o.ok()) {
        return Outcome::Unavailable("replay of " + stream + " stops at version " +
                                    std::to_string(e.stream_version()) + ": " + o.ToString());
      }
      version = e.stream_version();
      into->last_effective = ToMicros(e.effective_date());
    }
  }
  if (!inst) {
    inst = wf.NewInstance(wf.Info().definition_version);
    into->definition_version = wf.Info().definition_version;
  }
  into->instance = std::move(inst);
  into->version = version;
  return Outcome::Ok();
}

Outcome Engine::Impl::Get(const Workflow& wf, std::string_view id, std::optional<Micros> as_of,
                          InstanceView* out) {
  const std::string stream = Engine::StreamId(wf.Info().name, id);
  std::shared_ptr<const LoadedInstance> loaded;
  if (as_of) {
    auto li = std::make_shared<LoadedInstance>();
    Outcome o = Replay(wf, stream, as_of, li.get());
    if (!o.ok()) return o;
    loaded = std::move(li);
  } else {
    Outcome o = Load(wf, std::string(id), &loaded);
    if (!o.ok()) return o;
  }
  if (loaded->version == 0) return Outcome::NotFound(stream + " has no events");
  out->instance = loaded->instance->Clone();
  out->version = loaded->version;
  out->definition_version = loaded->definition_version;
  out->last_effective = loaded->last_effective;
  return Outcome::Ok();
}

void Engine::Impl::SnapshotWrites(const std::map<std::string, Evolved>& after, const ReadSet& reads,
                                  std::vector<SideWrite>* writes) const {
  const uint64_t every = options_.snapshot_every;
  if (every == 0) return;
  for (const auto& [stream, ev] : after) {
    if (ev.version / every == reads.at(stream)->version / every) continue;
    Snapshot snap;
    snap.set_version(ev.version);
    snap.set_state(std::string(ev.instance->StateName()));
    snap.set_definition_version(ev.definition_version);
    snap.set_data(ev.instance->Data().SerializeAsString());
    snap.set_last_effective_micros(ev.last_effective);
    writes->push_back({Space::kSnapshots, stream, snap.SerializeAsString()});
  }
}

const CommandSpec* Engine::Impl::TimerCommand(std::string_view workflow,
                                              const Message& command) const {
  const Workflow* wf = registry_->Find(workflow);
  if (wf == nullptr) return nullptr;
  for (const CommandSpec& spec : wf->Commands()) {
    if (spec.prototype->GetDescriptor() != command.GetDescriptor()) continue;
    const auto& roles = spec.roles;
    return std::find(roles.begin(), roles.end(), "system") != roles.end() ? &spec : nullptr;
  }
  return nullptr;
}

Outcome Engine::Impl::TimerWrites(DecideContext& ctx, const std::string& stream,
                                  const TimerEntry* fired, std::vector<SideWrite>* writes) const {
  if (fired != nullptr) {
    Status s = timers::RemoveFired(*store_, stream, *fired, writes);
    if (!s.ok()) return Outcome::Unavailable(s.ToString());
  }
  for (auto& t : ctx.timers()) {
    Status s;
    if (t.cancel) {
      s = timers::Cancel(*store_, stream, t.name, writes);
    } else {
      // The timer fires the command declared for this message type (by name, which is what an
      // entry keeps); one that no command of the system role takes could never fire.
      const CommandSpec* spec = TimerCommand(ctx.workflow(), *t.command);
      if (spec == nullptr) {
        return Outcome::InvalidArgument(
            "timer '" + t.name + "' fires " + t.command->GetDescriptor()->full_name() +
            ", which is no command of " + ctx.workflow() + " for the role system");
      }
      TimerEntry e;
      e.set_workflow(ctx.workflow());
      e.set_instance_id(ctx.instance_id());
      e.set_name(t.name);
      e.set_due_micros(t.due);
      e.set_command(spec->name);
      e.set_command_payload(t.command->SerializeAsString());
      s = timers::Set(*store_, stream, e, writes);
    }
    if (!s.ok()) return Outcome::Unavailable(s.ToString());
  }
  return Outcome::Ok();
}

void Engine::Impl::LowerTimersFrom(Micros due) {
  Micros cur = timers_from_.load();
  while (due < cur && !timers_from_.compare_exchange_weak(cur, due)) {
  }
}

std::optional<Micros> Engine::Impl::NextTimerDue(Micros until) {
  std::vector<TimerEntry> due;
  if (!timers::Due(*store_, timers_from_.load(), until, 1, &due).ok() || due.empty()) {
    return std::nullopt;
  }
  return due[0].due_micros();
}

size_t Engine::Impl::FireDueTimers() {
  std::lock_guard<std::mutex> lock(timers_mu_);
  constexpr size_t kBatch = 256;
  size_t fired = 0;
  const Micros now = clock_->Now();
  for (;;) {
    Micros from = timers_from_.load();
    std::vector<TimerEntry> due;
    if (!timers::Due(*store_, from, now, kBatch, &due).ok()) break;
    if (due.empty()) {
      // Nothing is due up to now: later scans may start after it, unless an append lowered the
      // mark meanwhile (then the exchange fails and the lower mark stands).
      timers_from_.compare_exchange_strong(from, now + 1);
      break;
    }
    bool progress = false;
    for (const TimerEntry& t : due) {
      const Workflow* wf = registry_->Find(t.workflow());
      CommandRequest req;
      req.workflow = t.workflow();
      req.instance_id = t.instance_id();
      req.command = t.command();
      if (wf != nullptr) {
        for (const auto& spec : wf->Commands()) {
          if (spec.name != t.command()) continue;
          req.body.reset(spec.prototype->New());
          if (!req.body->ParseFromString(t.command_payload())) req.body.reset();
        }
      }
      req.principal = {"wijkflow-timers", {"system"}, {"*"}};
      req.actor.set_id("system");
      req.actor.set_role("system");
      req.command_id = "timer:" + Engine::StreamId(t.workflow(), t.instance_id()) + ":" + t.name() +
                       ":" + std::to_string(t.due_micros());
      CommandResult r = Execute(std::move(req), &t);
      if (r.outcome.kind() == Outcome::Kind::kUnavailable) return fired;  // storage: try later
      if (!r.outcome.ok() && !r.duplicate) {
        // The deadline no longer applies (the instance moved on, or the command is gone).
        const std::string stream = Engine::StreamId(t.workflow(), t.instance_id());
        std::lock_guard<StripeLock> instance_lock(StripeFor(stream));
        std::vector<SideWrite> writes;
        if (!timers::RemoveFired(*store_, stream, t, &writes).ok()) return fired;
        if (!store_->Write(writes, true).ok()) return fired;
      }
      ++fired;
      progress = true;
    }
    // Everything due before the last one handled is handled (or was set meanwhile, and then
    // lowered the mark again, failing this exchange).
    timers_from_.compare_exchange_strong(from, due.back().due_micros());
    if (!progress || due.size() < kBatch) break;
  }
  return fired;
}

}  // namespace wijkflow::engine
