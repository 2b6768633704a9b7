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

// A projection's model in memory, with the byte and the message access the runner gives.
class MapModel final : public engine::ModelWriter {
 public:
  explicit MapModel(const engine::Message* prototype) : prototype_(prototype) {}

  bool Get(const std::string& key, std::string* value) override {
    if (auto it = messages_.find(key); it != messages_.end()) {
      it->second->SerializeToString(value);
      return true;
    }
    auto it = bytes_.find(key);
    if (it == bytes_.end()) return false;
    *value = it->second;
    return true;
  }
  void Put(const std::string& key, std::string value) override {
    messages_.erase(key);
    bytes_[key] = std::move(value);
  }
  void Delete(const std::string& key) override {
    messages_.erase(key);
    bytes_.erase(key);
  }
  const engine::Message* Find(const std::string& key) override { return Parsed(key, false); }
  engine::Message* Edit(const std::string& key) override { return Parsed(key, true); }

 private:
  // The value at `key` as a message, parsed from its bytes if need be; made empty if absent and
  // `create`. A value whose bytes do not parse reads as empty, as a projection would find it.
  engine::Message* Parsed(const std::string& key, bool create) {
    if (auto it = messages_.find(key); it != messages_.end()) return it->second.get();
    auto bytes = bytes_.find(key);
    if (bytes == bytes_.end() && !create) return nullptr;
    std::unique_ptr<engine::Message> m(prototype_->New());
    if (bytes != bytes_.end()) {
      (void)m->ParseFromString(bytes->second);
      bytes_.erase(bytes);
    }
    return (messages_[key] = std::move(m)).get();
  }

  const engine::Message* prototype_;
  std::map<std::string, std::string> bytes_;
  std::map<std::string, std::unique_ptr<engine::Message>> messages_;
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
