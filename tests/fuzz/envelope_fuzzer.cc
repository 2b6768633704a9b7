// A stored record on its way back out of the store. The input is the bytes of a `log` value (a
// serialized envelope, then its stream and global hashes) as read from RocksDB; it goes through
// ParseRecord as the store's readers parse it, its payload is decoded as replay and the
// projection runner decode it (DecodePayload, PayloadDecoder), applied to an instance of its
// workflow as replay applies it (new, or restored from a snapshot in any state), folded into
// every projection (on an in-memory model), and printed as GET /v1/events prints it. A corrupt
// record may be refused anywhere on the way, but must never crash or leak.
#include <google/protobuf/arena.h>
#include <google/protobuf/util/message_differencer.h>
#include <spdlog/spdlog.h>

#include <cstddef>
#include <cstdint>
#include <map>
#include <memory>
#include <string>
#include <string_view>

#include "adapters/http/instance_index.h"
#include "adapters/http/json.h"
#include "engine/engine.h"
#include "engine/payload_decoder.h"
#include "events/format.h"
#include "tests/fuzz/fuzz_check.h"
#include "workflows/register_all.h"

namespace wijkflow::fuzz {
namespace {

using google::protobuf::util::MessageDifferencer;

engine::WorkflowRegistry& Registry() {
  static auto* registry = [] {
    auto* r = new engine::WorkflowRegistry();
    workflows::RegisterAll(*r);
    r->AddProjection(http::NewInstanceIndex(r));
    return r;
  }();
  return *registry;
}

// A projection's model in memory.
class MapModel final : public engine::ModelWriter {
 public:
  explicit MapModel(const engine::Message* prototype) : prototype_(prototype) {}

  void Delete(const std::string& key) override { values_.erase(key); }

 private:
  const engine::Message* FindValue(const std::string& key) override {
    auto it = values_.find(key);
    return it == values_.end() ? nullptr : it->second.get();
  }
  engine::Message* EditValue(const std::string& key) override {
    std::unique_ptr<engine::Message>& value = values_[key];
    if (!value) value.reset(prototype_->New());
    return value.get();
  }

  const engine::Message* prototype_;
  std::map<std::string, std::unique_ptr<engine::Message>> values_;
};

// Folds the record into an instance of its workflow as replay would: as the first event of a new
// instance, and as the next event after a snapshot in each of the workflow's states.
void Replay(const EventEnvelope& env, const engine::Message& payload) {
  const engine::Workflow* wf = Registry().Find(env.workflow());
  if (wf == nullptr) return;
  auto fold = [&](engine::Instance& instance) {
    if (!instance.Apply(env, payload).ok()) return;
    (void)http::MessageJson(instance.Data());
    (void)instance.Clone()->StateName();
  };
  fold(*wf->NewInstance(env.definition_version()));
  for (const std::string& state : wf->Info().states) {
    std::unique_ptr<engine::Instance> instance = wf->NewInstance(env.definition_version());
    if (instance->Restore(state, "").ok()) fold(*instance);
  }
}

void Run(std::string_view value) {
  EventEnvelope env;
  RecordView view;
  if (!ParseRecord(value, &env, &view).ok()) return;

  std::unique_ptr<engine::Message> payload = engine::DecodePayload(env);
  engine::PayloadDecoder decoder;
  google::protobuf::Arena arena;
  const engine::Message* decoded = decoder.Decode(env, &arena);
  Require((payload == nullptr) == (decoded == nullptr),
          "DecodePayload and PayloadDecoder agree on whether a payload decodes");
  if (payload != nullptr) {
    Require(MessageDifferencer::Equals(*payload, *decoded),
            "DecodePayload and PayloadDecoder decode the same payload");
    Replay(env, *payload);
    for (const auto& projection : Registry().projections()) {
      MapModel model(projection->ValueType());
      projection->Apply(env, *payload, model);
    }
  }
  http::JsonWriter w;
  http::WriteEnvelope(w, env);
}

}  // namespace
}  // namespace wijkflow::fuzz

extern "C" int LLVMFuzzerInitialize(int*, char***) {
  spdlog::set_level(spdlog::level::off);
  wijkflow::fuzz::Registry();
  return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  wijkflow::fuzz::Run(std::string_view(reinterpret_cast<const char*>(data), size));
  return 0;
}
