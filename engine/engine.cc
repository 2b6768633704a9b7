// The command pipeline: authorise, load, decide, check against the machine, append, retry.
#include "engine/engine.h"

#include <google/protobuf/util/json_util.h>

#include <algorithm>
#include <chrono>
#include <random>
#include <thread>

#include "engine/engine_impl.h"

namespace wijkflow::engine {
namespace {

bool Has(const std::vector<std::string>& v, std::string_view x) {
  return std::find(v.begin(), v.end(), x) != v.end();
}

bool ValidInstanceId(std::string_view id) {
  if (id.empty() || id.size() > 128) return false;
  return std::all_of(id.begin(), id.end(), [](char c) {
    return std::isalnum(static_cast<unsigned char>(c)) || c == '-' || c == '_' || c == '.' ||
           c == ':';
  });
}

std::string NewCommandId() {
  thread_local std::mt19937_64 rng{std::random_device{}()};
  static const char kHex[] = "0123456789abcdef";
  std::string id = "cmd-";
  for (int i = 0; i < 2; ++i) {
    uint64_t r = rng();
    for (int j = 0; j < 16; ++j, r >>= 4) id.push_back(kHex[r & 15]);
  }
  return id;
}

// After a lost race on a stream another command also wrote (e.g. a round many grants reserve
// on), wait a random while, growing with the attempts, so that the racers spread out instead
// of colliding in the same group commit again.
void Backoff(int attempt) {
  thread_local std::mt19937 rng{std::random_device{}()};
  const int ceiling_us = 50 << std::min(attempt, 6);
  std::this_thread::sleep_for(
      std::chrono::microseconds(std::uniform_int_distribution<int>(0, ceiling_us)(rng)));
}

const CommandSpec* FindCommand(const Workflow& wf, std::string_view name) {
  for (const auto& spec : wf.Commands()) {
    if (spec.name == name) return &spec;
  }
  return nullptr;
}

google::protobuf::Timestamp ToTimestamp(Micros t) {
  google::protobuf::Timestamp ts;
  ts.set_seconds(t / 1'000'000);
  ts.set_nanos(static_cast<int32_t>(t % 1'000'000) * 1000);
  return ts;
}

// The result of a command whose id was seen before: what it wrote then.
CommandResult Duplicate(const AppendReceipt& receipt, const std::string& stream) {
  CommandResult r;
  r.duplicate = true;
  r.receipt = receipt;
  for (const auto& s : receipt.streams()) {
    if (s.stream_id() == stream) r.version = s.last_version();
  }
  return r;
}

}  // namespace

std::string Engine::StreamId(std::string_view workflow, std::string_view id) {
  std::string s(workflow);
  s.push_back('/');
  s.append(id);
  return s;
}

Engine::Engine(EventStore* store, const WorkflowRegistry* registry, const Clock* clock,
               EngineOptions options)
    : impl_(std::make_unique<Impl>(store, registry, clock, options)),
      store_(store),
      registry_(registry),
      clock_(clock) {}

Engine::~Engine() = default;

CommandResult Engine::Execute(CommandRequest request) {
  return impl_->Execute(std::move(request), nullptr);
}

Outcome Engine::Get(std::string_view workflow, std::string_view id, std::optional<Micros> as_of,
                    InstanceView* out) {
  const Workflow* wf = registry_->Find(workflow);
  if (wf == nullptr) return Outcome::NotFound("no workflow '" + std::string(workflow) + "'");
  if (!ValidInstanceId(id)) return Outcome::InvalidArgument("malformed instance id");
  return impl_->Get(*wf, id, as_of, out);
}

size_t Engine::FireDueTimers() { return impl_->FireDueTimers(); }

std::optional<Micros> Engine::NextTimerDue(Micros until) { return impl_->NextTimerDue(until); }

Outcome Engine::ParseCommand(std::string_view workflow, std::string_view command,
                             std::string_view json, std::unique_ptr<Message>* out) const {
  const Workflow* wf = registry_->Find(workflow);
  if (wf == nullptr) return Outcome::NotFound("no workflow '" + std::string(workflow) + "'");
  const CommandSpec* spec = FindCommand(*wf, command);
  if (spec == nullptr) {
    return Outcome::NotFound("workflow '" + std::string(workflow) + "' has no command '" +
                             std::string(command) + "'");
  }
  std::unique_ptr<Message> msg(spec->prototype->New());
  google::protobuf::util::JsonParseOptions options;
  options.ignore_unknown_fields = false;
  auto status = google::protobuf::util::JsonStringToMessage(
      google::protobuf::StringPiece(json.data(), json.size()), msg.get(), options);
  if (!status.ok()) return Outcome::InvalidArgument(std::string(status.message()));
  *out = std::move(msg);
  return Outcome::Ok();
}

Engine::Impl::Impl(EventStore* store, const WorkflowRegistry* registry, const Clock* clock,
                   EngineOptions options)
    : store_(store),
      registry_(registry),
      clock_(clock),
      options_(options),
      cache_(options.cache_entries),
      stripes_(std::max<size_t>(1, options.lock_stripes)) {}

std::mutex& Engine::Impl::StripeFor(const std::string& stream) {
  return stripes_[std::hash<std::string>{}(stream) % stripes_.size()];
}

CommandResult Engine::Impl::Execute(CommandRequest request, const TimerEntry* fired) {
  CommandResult r;
  if (request.principal.system.empty()) {
    r.outcome = Outcome::Unauthenticated("no credentials");
    return r;
  }
  const Workflow* wf = registry_->Find(request.workflow);
  if (wf == nullptr) {
    r.outcome = Outcome::NotFound("no workflow '" + request.workflow + "'");
    return r;
  }
  const CommandSpec* spec = FindCommand(*wf, request.command);
  if (spec == nullptr) {
    r.outcome = Outcome::NotFound("workflow '" + request.workflow + "' has no command '" +
                                  request.command + "'");
    return r;
  }
  if (!ValidInstanceId(request.instance_id)) {
    r.outcome = Outcome::InvalidArgument("instance id must be 1-128 of [A-Za-z0-9._:-]");
    return r;
  }
  if (!request.body || request.body->GetDescriptor() != spec->prototype->GetDescriptor()) {
    r.outcome = Outcome::InvalidArgument("command body is not a " +
                                         spec->prototype->GetDescriptor()->full_name());
    return r;
  }
  const std::string stream = Engine::StreamId(request.workflow, request.instance_id);
  const bool fresh_id = request.command_id.empty() || request.command_id_is_new;
  if (request.command_id.empty()) request.command_id = NewCommandId();

  std::lock_guard<std::mutex> lock(StripeFor(stream));
  // Checked under the instance's lock, so a retry racing its original sees the original's result.
  // An id made just now (128 random bits) has no original to find.
  if (!fresh_id) {
    AppendReceipt seen;
    Status s = store_->FindCommand(request.command_id, &seen);
    if (s.ok()) return Duplicate(seen, stream);
    if (!s.IsNotFound()) {
      r.outcome = Outcome::Unavailable(s.ToString());
      return r;
    }
  }
  // Streams other than this one that we lost a race on, locked for the next attempts, so that
  // commands contending for a hot stream (a round many grants reserve on) take turns.
  std::vector<std::unique_lock<std::mutex>> contended;
  for (int attempt = 0; attempt < options_.max_attempts; ++attempt) {
    Attempt a = TryOnce(*wf, *spec, request, fired);
    if (!a.retry) return std::move(a.result);
    Backoff(attempt);
    std::mutex& other = StripeFor(a.conflict_stream);
    bool held = &other == &StripeFor(stream);
    for (const auto& l : contended) held |= l.mutex() == &other;
    // Only try: blocking while holding our own lock could deadlock with a command that holds
    // that stream's lock and wants ours.
    for (int i = 0; !held && i < 16; ++i, Backoff(attempt)) {
      if (other.try_lock()) {
        contended.emplace_back(other, std::adopt_lock);
        held = true;
      }
    }
  }
  r.outcome = Outcome::Conflict("instance kept changing; gave up after " +
                                std::to_string(options_.max_attempts) + " attempts");
  return r;
}

Outcome Engine::Impl::Authorise(const Workflow& wf, const CommandSpec& spec,
                                const Instance& current, const Message& body, Micros effective,
                                bool by_timer, ReadSet* reads, CommandRequest* request) {
  const Principal& p = request->principal;
  Actor& actor = request->actor;
  if (actor.role().empty() && p.roles.size() == 1) actor.set_role(p.roles[0]);
  if (actor.id().empty()) actor.set_id(p.system);
  actor.set_system(p.system);
  // Only the engine's own authorisation may name a mandate.
  actor.clear_mandate_ref();
  actor.clear_on_behalf_of();
  if ((actor.role() == "system") != by_timer) {
    return Outcome::Forbidden("the system role is reserved for the engine's timers");
  }
  if (!Has(spec.roles, actor.role())) {
    return Outcome::Forbidden("role '" + actor.role() + "' may not issue " + spec.name);
  }
  if (!Has(p.roles, actor.role()) && !Has(p.roles, "admin")) {
    return Outcome::Forbidden("caller '" + p.system + "' may not act as '" + actor.role() + "'");
  }
  Scope scope = wf.ScopeOf(current, body);
  if (!scope.district.empty() && !Has(p.districts, scope.district) && !Has(p.districts, "*")) {
    return Outcome::Forbidden("caller '" + p.system + "' may not act in district '" +
                              scope.district + "'");
  }
  if (!spec.is_decision || actor.role() != "district-manager") return Outcome::Ok();
  const MandateAuthority* authority = registry_->mandate_authority();
  if (authority == nullptr) {
    return Outcome::Forbidden("no mandate register is configured", "mandate-in-force");
  }
  InstanceReader read = [&](std::string_view w, std::string_view id) -> const Instance* {
    const LoadedInstance* l = LoadInto(w, id, reads);
    return l != nullptr && l->version > 0 ? l->instance.get() : nullptr;
  };
  return authority->Authorize(read, scope, effective, &actor);
}

Engine::Impl::Attempt Engine::Impl::TryOnce(const Workflow& wf, const CommandSpec& spec,
                                            CommandRequest& request, const TimerEntry* fired) {
  Attempt a;
  CommandResult& r = a.result;
  ReadSet reads;
  const std::string stream = Engine::StreamId(request.workflow, request.instance_id);
  const LoadedInstance* cur = LoadInto(request.workflow, request.instance_id, &reads);
  if (cur == nullptr) {
    r.outcome = Outcome::Unavailable("cannot load " + stream);
    return a;
  }
  if (request.if_match && *request.if_match != cur->version) {
    r.outcome =
        Outcome::PreconditionFailed("instance is at version " + std::to_string(cur->version) +
                                    ", not " + std::to_string(*request.if_match));
    return a;
  }
  const Micros now = clock_->Now();
  Micros effective = request.effective.value_or(now);
  if (fired != nullptr) effective = std::max(fired->due_micros(), cur->last_effective);
  if (effective > now) {
    r.outcome = Outcome::InvalidArgument("effectiveDate lies in the future");
    return a;
  }
  if (effective < cur->last_effective) {
    r.outcome = Outcome::InvalidArgument("effectiveDate lies before the instance's last event");
    return a;
  }
  r.outcome = Authorise(wf, spec, *cur->instance, *request.body, effective, fired != nullptr,
                        &reads, &request);
  if (!r.outcome.ok()) return a;

  DecideContext ctx(
      request.workflow, request.instance_id, request.actor, effective, now,
      [&](std::string_view w, std::string_view id) { return LoadInto(w, id, &reads); });
  r.outcome = wf.Decide(ctx, *cur->instance, *request.body);
  if (!r.outcome.ok()) return a;
  if (ctx.events().empty()) {  // no fact to record; timers may still change (a fired one goes)
    std::vector<SideWrite> writes;
    r.outcome = TimerWrites(ctx, stream, fired, &writes);
    if (r.outcome.ok() && !writes.empty()) {
      Status s = store_->Write(writes, /*sync=*/true);
      if (!s.ok()) r.outcome = Outcome::Unavailable(s.ToString());
    }
    for (const auto& t : ctx.timers()) {
      if (!t.cancel) LowerTimersFrom(t.due);
    }
    r.version = cur->version;
    r.state = std::string(cur->instance->StateName());
    return a;
  }
  for (const auto& e : ctx.events()) {
    if (LoadInto(e.workflow, e.instance_id, &reads) == nullptr) {
      r.outcome =
          Outcome::Unavailable("cannot load " + Engine::StreamId(e.workflow, e.instance_id));
      return a;
    }
  }
  AppendRequest append;
  append.command_id = request.command_id;
  std::map<std::string, Evolved> after;
  r.outcome = Evolve(ctx, reads, &append, &after);
  if (!r.outcome.ok()) return a;
  for (auto& sa : append.streams) {
    for (auto& env : sa.events) {
      *env.mutable_actor() = request.actor;
      env.set_correlation_id(request.correlation_id.empty() ? request.command_id
                                                            : request.correlation_id);
      env.set_causation_id(request.causation_id.empty() ? request.command_id
                                                        : request.causation_id);
    }
  }
  r.outcome = TimerWrites(ctx, stream, fired, &append.side_writes);
  if (!r.outcome.ok()) return a;
  SnapshotWrites(after, reads, &append.side_writes);

  AppendOutcome out = store_->Append(std::move(append));
  if (out.status.IsWrongExpectedVersion()) {
    cache_.Erase(out.status.stream());
    a.retry = true;
    a.conflict_stream = out.status.stream();
    return a;
  }
  if (out.status.IsDuplicateCommand()) {
    a.result = Duplicate(out.receipt, stream);
    return a;
  }
  if (!out.status.ok()) {
    r.outcome = Outcome::Unavailable(out.status.ToString());
    return a;
  }
  for (const auto& t : ctx.timers()) {
    if (!t.cancel) LowerTimersFrom(t.due);
  }
  r.receipt = std::move(out.receipt);
  auto own = after.find(stream);
  r.version = own != after.end() ? own->second.version : cur->version;
  r.state = std::string(own != after.end() ? own->second.instance->StateName()
                                           : cur->instance->StateName());
  for (auto& [s, ev] : after) {
    auto li = std::make_shared<LoadedInstance>();
    li->instance = std::move(ev.instance);
    li->version = ev.version;
    li->definition_version = ev.definition_version;
    li->last_effective = ev.last_effective;
    cache_.Put(s, std::move(li));
  }
  return a;
}

Outcome Engine::Impl::Evolve(DecideContext& ctx, const ReadSet& reads, AppendRequest* append,
                             std::map<std::string, Evolved>* after) const {
  for (auto& e : ctx.events()) {
    const std::string stream = Engine::StreamId(e.workflow, e.instance_id);
    auto it = after->find(stream);
    if (it == after->end()) {
      const LoadedInstance& before = *reads.at(stream);
      Evolved ev{before.instance->Clone(), before.version, before.definition_version,
                 before.last_effective, append->streams.size()};
      it = after->emplace(stream, std::move(ev)).first;
      append->streams.push_back({stream,
                                 before.version == 0 ? ExpectedVersion::NoStream()
                                                     : ExpectedVersion::Exact(before.version),
                                 {}});
    }
    Evolved& ev = it->second;
    EventEnvelope env;
    env.set_stream_id(stream);
    env.set_stream_version(ev.version + 1);
    env.set_workflow(e.workflow);
    env.set_definition_version(ev.definition_version);
    env.set_event_type(e.payload->GetDescriptor()->full_name());
    env.set_schema_version(e.schema_version);
    *env.mutable_effective_date() = ToTimestamp(ctx.effective());
    *env.mutable_actor() = ctx.actor();
    env.set_payload(e.payload->SerializeAsString());
    // The same applier replay will use: live and replayed state cannot drift apart.
    Outcome o = ev.instance->Apply(env, *e.payload);
    if (!o.ok()) return o;
    ev.version += 1;
    ev.last_effective = ctx.effective();
    append->streams[ev.append_index].events.push_back(std::move(env));
  }
  return Outcome::Ok();
}

}  // namespace wijkflow::engine
