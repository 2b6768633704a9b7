#include "tools/cli/common.h"

#include <google/protobuf/descriptor.h>
#include <google/protobuf/util/time_util.h>

#include <CLI/CLI.hpp>
#include <iostream>

#include "workflows/register_all.h"

namespace wijkflow::cli {

void Fail(const std::string& message, int code) {
  std::cerr << "wijkflow: " << message << "\n";
  throw CLI::RuntimeError(code);
}

std::unique_ptr<Opened> Open(const std::string& dir, bool writable) {
  auto o = std::make_unique<Opened>();
  workflows::RegisterAll(o->registry);
  StoreOptions options;
  options.create_if_missing = false;
  Status s = writable ? EventStore::Open(options, dir, &o->store)
                      : EventStore::OpenReadOnly(options, dir, &o->store);
  if (!s.ok()) Fail("cannot open " + dir + ": " + s.ToString());
  o->engine = std::make_unique<engine::Engine>(o->store.get(), &o->registry, SystemClock::Default(),
                                               engine::EngineOptions{.cache_entries = 0});
  return o;
}

std::string FormatTime(const google::protobuf::Timestamp& t) {
  google::protobuf::Timestamp s;
  s.set_seconds(t.seconds());
  return google::protobuf::util::TimeUtil::ToString(s);
}

Micros ParseTimeOrThrow(const std::string& text) {
  google::protobuf::Timestamp ts;
  if (!google::protobuf::util::TimeUtil::FromString(text, &ts)) {
    throw CLI::ValidationError("time", "'" + text + "' is not RFC 3339, e.g. 2023-10-01T00:00:00Z");
  }
  return ts.seconds() * 1'000'000 + ts.nanos() / 1000;
}

std::string StringField(const engine::Message& m, const std::string& name) {
  const auto* f = m.GetDescriptor()->FindFieldByName(name);
  if (f == nullptr || f->is_repeated() ||
      f->type() != google::protobuf::FieldDescriptor::TYPE_STRING) {
    return "";
  }
  return m.GetReflection()->GetString(m, f);
}

int64_t IntField(const engine::Message& m, const std::string& name) {
  const auto* f = m.GetDescriptor()->FindFieldByName(name);
  if (f == nullptr || f->is_repeated() ||
      f->cpp_type() != google::protobuf::FieldDescriptor::CPPTYPE_INT64) {
    return 0;
  }
  return m.GetReflection()->GetInt64(m, f);
}

std::vector<Step> Timeline(Opened& o, const std::string& workflow, const std::string& id) {
  const engine::Workflow* wf = o.registry.Find(workflow);
  if (wf == nullptr) Fail("no workflow '" + workflow + "'", 2);
  std::vector<EventEnvelope> events;
  Status s = o.store->ReadStream(engine::Engine::StreamId(workflow, id), 1, SIZE_MAX, &events);
  if (!s.ok()) Fail(s.ToString());
  std::vector<Step> steps;
  std::unique_ptr<engine::Instance> inst;
  for (EventEnvelope& e : events) {
    if (!inst) inst = wf->NewInstance(e.definition_version());
    Step step;
    step.payload = engine::DecodePayload(e);
    step.before = std::string(inst->StateName());
    if (step.payload && inst->Apply(e, *step.payload).ok()) {
      step.after = std::string(inst->StateName());
    } else {
      step.after = "<does not replay>";
    }
    step.envelope = std::move(e);
    steps.push_back(std::move(step));
  }
  return steps;
}

}  // namespace wijkflow::cli
