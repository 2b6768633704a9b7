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

void Engine::ExecuteAsync(CommandRequest request, Done done, Waiting wait) {
  impl_->ExecuteAsync(std::move(request), std::move(done), std::move(wait));
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

Engine::Impl::~Impl() {
  std::unique_lock<std::mutex> lock(async_mu_);
  async_cv_.wait(lock, [&] { return async_in_flight_ == 0; });
}

StripeLock& Engine::Impl::StripeFor(const std::string& stream) {
  return stripes_[std::hash<std::string>{}(stream) % stripes_.size()];
}

Outcome Engine::Impl::Check(const CommandRequest& request, const Workflow** wf,
                            const CommandSpec** spec) const {
  if (request.principal.system.empty()) return Outcome::Unauthenticated("no credentials");
  *wf = registry_->Find(request.workflow);
  if (*wf == nullptr) return Outcome::NotFound("no workflow '" + request.workflow + "'");
  *spec = FindCommand(**wf, request.command);
  if (*spec == nullptr) {
    return Outcome::NotFound("workflow '" + request.workflow + "' has no command '" +
                             request.command + "'");
  }
  if (!ValidInstanceId(request.instance_id)) {
    return Outcome::InvalidArgument("instance id must be 1-128 of [A-Za-z0-9._:-]");
  }
  if (!request.body || request.body->GetDescriptor() != (*spec)->prototype->GetDescriptor()) {
    return Outcome::InvalidArgument("command body is not a " +
                                    (*spec)->prototype->GetDescriptor()->full_name());
  }
  return Outcome::Ok();
}

// An earlier command with this id, looked for under the instance's lock, so that a retry racing
// its original sees the original's result. An id made just now (128 random bits) has no
// original to find. Sets *found to its result, if any.
bool Engine::Impl::FindEarlier(CommandRequest& request, const std::string& stream,
                               CommandResult* found) {
  if (request.command_id.empty()) {
    request.command_id = NewCommandId();
    request.command_id_is_new = true;
  }
  if (request.command_id_is_new) return false;
  AppendReceipt seen;
  Status s = store_->FindCommand(request.command_id, &seen);
  if (s.ok()) {
    *found = Duplicate(seen, stream);
    return true;
  }
  if (!s.IsNotFound()) {
    found->outcome = Outcome::Unavailable(s.ToString());
    return true;
  }
  return false;
}

CommandResult Engine::Impl::Execute(CommandRequest request, const TimerEntry* fired) {
  CommandResult r;
  const Workflow* wf = nullptr;
  const CommandSpec* spec = nullptr;
  r.outcome = Check(request, &wf, &spec);
  if (!r.outcome.ok()) return r;
  const std::string stream = Engine::StreamId(request.workflow, request.instance_id);
  StripeLock& own = StripeFor(stream);
  std::unique_lock<StripeLock> lock(own);
  if (FindEarlier(request, stream, &r)) return r;
  // Streams other than this one that we lost a race on, locked for the next attempts, so that
  // commands contending for a hot stream (the round every submission and grant writes) take
  // turns.
  std::vector<std::unique_lock<StripeLock>> contended;
  std::vector<const StripeLock*> held = {&own};
  for (int attempt = 0; attempt < options_.max_attempts; ++attempt) {
    Attempt a = TryOnce(*wf, *spec, request, fired, held);
    if (!a.retry) return std::move(a.result);
    StripeLock& other = StripeFor(a.conflict_stream);
    if (std::find(held.begin(), held.end(), &other) != held.end()) {
      Backoff(attempt);
      continue;
    }
    // Let go of everything and wait for all of it again in address order: a command never
    // waits for a lock while holding one, except in that order, so no two wait for each other.
    std::vector<StripeLock*> want = {&other, &own};
    for (auto& l : contended) want.push_back(l.mutex());
    contended.clear();
    lock.unlock();
    std::sort(want.begin(), want.end());
    want.erase(std::unique(want.begin(), want.end()), want.end());
    for (StripeLock* l : want) l->lock();
    lock = std::unique_lock<StripeLock>(own, std::adopt_lock);
    held.assign(want.begin(), want.end());
    for (StripeLock* l : want) {
      if (l != &own) contended.emplace_back(*l, std::adopt_lock);
    }
    // Another command may have come and gone on this instance meanwhile, with our id.
    if (FindEarlier(request, stream, &r)) return r;
  }
  r.outcome = Outcome::Conflict("instance kept changing; gave up after " +
                                std::to_string(options_.max_attempts) + " attempts");
  return r;
}

void Engine::Impl::ExecuteAsync(CommandRequest request, Done done, Waiting wait) {
  CommandResult r;
  const Workflow* wf = nullptr;
  const CommandSpec* spec = nullptr;
  r.outcome = Check(request, &wf, &spec);
  if (!r.outcome.ok()) return done(std::move(r));
  const std::string stream = Engine::StreamId(request.workflow, request.instance_id);
  StripeLock& stripe = StripeFor(stream);
  if (!stripe.try_lock()) return wait(std::move(request), std::move(done));
  std::unique_lock<StripeLock> lock(stripe, std::adopt_lock);
  if (FindEarlier(request, stream, &r)) {
    lock.unlock();
    return done(std::move(r));
  }
  auto d = std::make_shared<Decided>(Decide(*wf, *spec, request, nullptr));
  if (d->append && d->append->streams.size() > 1) {
    // Another stream is written too (a round): that takes turns under its lock (TryOnce),
    // which a network thread must not wait for.
    lock.unlock();
    return wait(std::move(request), std::move(done));
  }
  if (!d->append) {
    lock.unlock();
    if (d->result.outcome.ok() && !d->timer_writes.empty()) {
      return wait(std::move(request), std::move(done));  // decided again, and written, there
    }
    return done(std::move(d->result));
  }
  AppendRequest append = std::move(*d->append);
  d->append.reset();
  {
    std::lock_guard<std::mutex> count(async_mu_);
    ++async_in_flight_;
  }
  // The lock is held until the append is settled, on whichever thread that is.
  lock.release();
  auto retry = std::make_shared<CommandRequest>(std::move(request));
  store_->AppendAsync(std::move(append), [this, d, retry, &stripe, done = std::move(done),
                                          wait = std::move(wait)](AppendOutcome out) {
    Attempt a = Settle(*d, std::move(out));
    stripe.unlock();
    if (a.retry) {
      wait(std::move(*retry), done);
    } else {
      done(std::move(a.result));
    }
    std::lock_guard<std::mutex> count(async_mu_);
    if (--async_in_flight_ == 0) async_cv_.notify_all();
  });
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

Engine::Impl::Decided Engine::Impl::Decide(const Workflow& wf, const CommandSpec& spec,
                                           CommandRequest& request, const TimerEntry* fired) {
  Decided d;
  CommandResult& r = d.result;
  ReadSet reads;
  d.stream = Engine::StreamId(request.workflow, request.instance_id);
  const LoadedInstance* cur = LoadInto(request.workflow, request.instance_id, &reads);
  if (cur == nullptr) {
    r.outcome = Outcome::Unavailable("cannot load " + d.stream);
    return d;
  }
  if (request.if_match && *request.if_match != cur->version) {
    r.outcome =
        Outcome::PreconditionFailed("instance is at version " + std::to_string(cur->version) +
                                    ", not " + std::to_string(*request.if_match));
    return d;
  }
  const Micros now = clock_->Now();
  Micros effective = request.effective.value_or(now);
  if (fired != nullptr) effective = std::max(fired->due_micros(), cur->last_effective);
  if (effective > now) {
    r.outcome = Outcome::InvalidArgument("effectiveDate lies in the future");
    return d;
  }
  if (effective < cur->last_effective) {
    r.outcome = Outcome::InvalidArgument("effectiveDate lies before the instance's last event");
    return d;
  }
  r.outcome = Authorise(wf, spec, *cur->instance, *request.body, effective, fired != nullptr,
                        &reads, &request);
  if (!r.outcome.ok()) return d;

  DecideContext ctx(
      request.workflow, request.instance_id, request.actor, effective, now,
      [&](std::string_view w, std::string_view id) { return LoadInto(w, id, &reads); });
  r.outcome = wf.Decide(ctx, *cur->instance, *request.body);
  if (!r.outcome.ok()) return d;
  for (const auto& t : ctx.timers()) {
    if (!t.cancel) d.timers_set.push_back(t.due);
  }
  r.version = cur->version;
  r.state = std::string(cur->instance->StateName());
  if (ctx.events().empty()) {  // no fact to record; timers may still change (a fired one goes)
    r.outcome = TimerWrites(ctx, d.stream, fired, &d.timer_writes);
    return d;
  }
  for (const auto& e : ctx.events()) {
    if (LoadInto(e.workflow, e.instance_id, &reads) == nullptr) {
      r.outcome =
          Outcome::Unavailable("cannot load " + Engine::StreamId(e.workflow, e.instance_id));
      return d;
    }
  }
  AppendRequest append;
  append.command_id = request.command_id;
  r.outcome = Evolve(ctx, reads, &append, &d.after);
  if (!r.outcome.ok()) return d;
  for (auto& sa : append.streams) {
    for (auto& env : sa.events) {
      *env.mutable_actor() = request.actor;
      env.set_correlation_id(request.correlation_id.empty() ? request.command_id
                                                            : request.correlation_id);
      env.set_causation_id(request.causation_id.empty() ? request.command_id
                                                        : request.causation_id);
    }
  }
  r.outcome = TimerWrites(ctx, d.stream, fired, &append.side_writes);
  if (!r.outcome.ok()) return d;
  SnapshotWrites(d.after, reads, &append.side_writes);
  d.append = std::move(append);
  return d;
}

Engine::Impl::Attempt Engine::Impl::Settle(Decided& d, AppendOutcome out) {
  Attempt a;
  if (out.status.IsWrongExpectedVersion()) {
    cache_.Erase(out.status.stream());
    a.retry = true;
    a.conflict_stream = out.status.stream();
    return a;
  }
  if (out.status.IsDuplicateCommand()) {
    a.result = Duplicate(out.receipt, d.stream);
    return a;
  }
  if (!out.status.ok()) {
    a.result.outcome = Outcome::Unavailable(out.status.ToString());
    return a;
  }
  for (Micros due : d.timers_set) LowerTimersFrom(due);
  a.result = std::move(d.result);
  a.result.receipt = std::move(out.receipt);
  if (auto own = d.after.find(d.stream); own != d.after.end()) {
    a.result.version = own->second.version;
    a.result.state = std::string(own->second.instance->StateName());
  }
  for (auto& [s, ev] : d.after) {
    auto li = std::make_shared<LoadedInstance>();
    li->instance = std::move(ev.instance);
    li->version = ev.version;
    li->definition_version = ev.definition_version;
    li->last_effective = ev.last_effective;
    cache_.Put(s, std::move(li));
  }
  return a;
}

Engine::Impl::Attempt Engine::Impl::TryOnce(const Workflow& wf, const CommandSpec& spec,
                                            CommandRequest& request, const TimerEntry* fired,
                                            const std::vector<const StripeLock*>& held) {
  Decided d = Decide(wf, spec, request, fired);
  if (d.append) {
    std::vector<std::unique_lock<StripeLock>> taken;
    for (const StreamAppend& s : d.append->streams) {
      StripeLock& lock = StripeFor(s.stream_id);
      if (std::find(held.begin(), held.end(), &lock) != held.end()) continue;
      bool mine = false;
      for (const auto& t : taken) mine |= t.mutex() == &lock;
      if (mine) continue;
      if (!lock.try_lock()) {
        Attempt a;
        a.retry = true;
        a.conflict_stream = s.stream_id;
        return a;
      }
      taken.emplace_back(lock, std::adopt_lock);
    }
    return Settle(d, store_->Append(std::move(*d.append)));
  }
  if (d.result.outcome.ok() && !d.timer_writes.empty()) {
    Status s = store_->Write(d.timer_writes, /*sync=*/true);
    if (!s.ok()) d.result.outcome = Outcome::Unavailable(s.ToString());
  }
  if (d.result.outcome.ok()) {
    for (Micros due : d.timers_set) LowerTimersFrom(due);
  }
  Attempt a;
  a.result = std::move(d.result);
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
