// A stored record on its way back out of the store. The input is the bytes of a `log` value (a
// serialized envelope, then its stream and global hashes) as read from RocksDB; it goes through
// ParseRecord as the store's readers parse it, its payload is decoded as replay and the
// projection runner decode it (DecodePayload, PayloadDecoder), applied to a new instance of its
// workflow as the first event of a replay, folded into every projection (on an in-memory model),
// and printed as GET /v1/events prints it. A corrupt record may be refused anywhere on the way,
// but must never crash or leak.
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

// A projection's model in memory, as the runner's batch presents it.
class MapModel final : public engine::ModelWriter {
 public:
  bool Get(const std::string& key, std::string* value) override {
    auto it = values_.find(key);
    if (it == values_.end()) return false;
    *value = it->second;
    return true;
  }
  void Put(const std::string& key, std::string value) override { values_[key] = std::move(value); }
  void Delete(const std::string& key) override { values_.erase(key); }

 private:
  std::map<std::string, std::string> values_;
};

void Replay(const EventEnvelope& env, const engine::Message& payload) {
  const engine::Workflow* wf = Registry().Find(env.workflow());
  if (wf == nullptr) return;
  std::unique_ptr<engine::Instance> instance = wf->NewInstance(env.definition_version());
  if (!instance->Apply(env, payload).ok()) return;
  (void)http::MessageJson(instance->Data());
  (void)instance->Clone()->StateName();
}

void Run(std::string_view value) {
  EventEnvelope env;
  RecordView view;
  if (!ParseRecord(value, &env, &view).ok()) return;

  std::unique_ptr<engine::Message> payload = engine::DecodePayload(env);
  engine::PayloadDecoder decoder;
  const engine::Message* decoded = decoder.Decode(env);
  Require((payload == nullptr) == (decoded == nullptr),
          "DecodePayload and PayloadDecoder agree on whether a payload decodes");
  if (payload != nullptr) {
    Require(MessageDifferencer::Equals(*payload, *decoded),
            "DecodePayload and PayloadDecoder decode the same payload");
    Replay(env, *payload);
    for (const auto& projection : Registry().projections()) {
      MapModel model;
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
