// The way a POSTed command body becomes a command message: the adapter's JSON parser
// (adapters/http/proto_json_parse.cc), into the message type of a command of the real workflows,
// as PostCommand calls it.
//
// Input: "<workflow>/<Command>\n<body>", e.g. "initiatives/Submit\n{...}"; an input that names no
// command is skipped. Besides running clean under ASan and UBSan: what the parser accepts,
// protobuf's own parser (the engine's ParseCommand) accepts too, as the same message; printed
// by the adapter's printer and parsed again, and serialized and parsed again, a command stays
// whole; and its workflow can tell its scope (the first thing authorisation reads).
#include <google/protobuf/util/message_differencer.h>
#include <spdlog/spdlog.h>

#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <memory>
#include <string>
#include <string_view>

#include "adapters/http/json.h"
#include "adapters/http/proto_json.h"
#include "engine/registry.h"
#include "tests/fuzz/fuzz_check.h"
#include "workflows/register_all.h"

namespace wijkflow::fuzz {
namespace {

using google::protobuf::util::MessageDifferencer;

const engine::WorkflowRegistry& Registry() {
  static const auto* registry = [] {
    auto* r = new engine::WorkflowRegistry();
    workflows::RegisterAll(*r);
    return r;
  }();
  return *registry;
}

// The workflow and command named by "<workflow>/<Command>"; false if there is none.
bool FindCommand(std::string_view name, const engine::Workflow** wf,
                 const engine::CommandSpec** spec) {
  const size_t slash = name.find('/');
  if (slash == std::string_view::npos) return false;
  *wf = Registry().Find(name.substr(0, slash));
  if (*wf == nullptr) return false;
  for (const auto& c : (*wf)->Commands()) {
    if (c.name == name.substr(slash + 1)) *spec = &c;
  }
  return *spec != nullptr;
}

void Run(std::string_view input) {
  const size_t newline = input.find('\n');
  if (newline == std::string_view::npos) return;
  const engine::Workflow* wf = nullptr;
  const engine::CommandSpec* spec = nullptr;
  if (!FindCommand(input.substr(0, newline), &wf, &spec)) return;
  std::string_view json = input.substr(newline + 1);
  // As PostCommand: an empty body is the empty message.
  if (json.find_first_not_of(" \t\r\n") == std::string_view::npos) json = "{}";

  std::unique_ptr<engine::Message> body(spec->prototype->New());
  std::string error, field;
  if (!http::ParseMessageJson(json, body.get(), &error, &field)) {
    Require(!error.empty(), "a refused body has an error message");
    return;
  }
  // The adapter's parser keeps to protobuf's mapping: what it accepts, protobuf's parser accepts
  // and reads as the same message. It may refuse more: protobuf also takes what is not JSON
  // (trailing commas, single quotes, bare keys, raw control characters, unknown escapes).
  std::unique_ptr<engine::Message> by_protobuf(spec->prototype->New());
  if (!http::ParseMessageJsonByProtobuf(json, by_protobuf.get(), &error, &field)) {
    std::fprintf(stderr, "protobuf's parser: %s\n", error.c_str());
    Require(false, "protobuf's parser accepts what the adapter's parser accepts");
  }
  Require(MessageDifferencer::Equals(*body, *by_protobuf),
          "the adapter's parser reads the same message as protobuf's");

  // Its strings become the events' strings: they must parse back from the wire, as replay
  // parses every stored payload.
  std::unique_ptr<engine::Message> wire(spec->prototype->New());
  Require(wire->ParseFromString(body->SerializeAsString()),
          "an accepted command parses back from its wire format");

  const std::string printed = http::MessageJson(*body);
  std::unique_ptr<engine::Message> again(spec->prototype->New());
  Require(http::ParseMessageJson(printed, again.get(), &error, &field),
          "the printed command parses again");
  Require(MessageDifferencer::Equals(*body, *again), "the printed command parses to itself");

  const auto fresh = wf->NewInstance(wf->Info().definition_version);
  (void)wf->ScopeOf(*fresh, *body);
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
