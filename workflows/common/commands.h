// CommandTable: a workflow's commands in one place. Each command is declared once with its
// roles, whether it is a decision, and its handler; the table yields the engine's CommandSpecs
// and dispatches Decide to the handler of the command's message type.
#pragma once

#include <google/protobuf/message.h>

#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <unordered_map>
#include <utility>
#include <vector>

#include "engine/decide_context.h"
#include "engine/workflow.h"

namespace wijkflow::workflows {

using engine::DecideContext;
using engine::Message;
using engine::Outcome;

// What a handler sees of the instance: its state name and its folded data.
template <class Data>
struct View {
  std::string_view state;
  const Data& data;
};

template <class Data>
class CommandTable {
 public:
  template <class Cmd>
  using Handler = Outcome (*)(DecideContext&, const View<Data>&, const Cmd&);

  struct Options {
    bool is_decision = false;
    bool creates = false;  // may be issued to an instance that has no events yet
  };

  // `initial_state`: the state of an instance without events. Only commands declared with
  // `creates` are accepted there; any other is NotFound.
  explicit CommandTable(std::string_view initial_state) : initial_state_(initial_state) {}

  // Declares command `Cmd`, named `name` (the HTTP path segment), for `roles`.
  template <class Cmd>
  CommandTable& On(std::string name, std::vector<std::string> roles, Handler<Cmd> handler,
                   Options options = {}) {
    specs_.push_back(
        {std::move(name), &Cmd::default_instance(), std::move(roles), options.is_decision});
    handlers_[Cmd::descriptor()] = {
        options.creates,
        [handler](DecideContext& ctx, const View<Data>& view, const Message& command) {
          return handler(ctx, view, static_cast<const Cmd&>(command));
        }};
    return *this;
  }

  const std::vector<engine::CommandSpec>& specs() const { return specs_; }

  Outcome Decide(DecideContext& ctx, const engine::Instance& current,
                 const Message& command) const {
    auto it = handlers_.find(command.GetDescriptor());
    if (it == handlers_.end()) {
      return Outcome::NotFound("no command " + command.GetDescriptor()->full_name() + " in " +
                               ctx.workflow());
    }
    View<Data> view{current.StateName(), static_cast<const Data&>(current.Data())};
    if (view.state == initial_state_ && !it->second.creates) {
      return Outcome::NotFound(ctx.workflow() + "/" + ctx.instance_id() + " does not exist");
    }
    return it->second.handle(ctx, view, command);
  }

 private:
  struct Entry {
    bool creates;
    std::function<Outcome(DecideContext&, const View<Data>&, const Message&)> handle;
  };
  std::string initial_state_;
  std::vector<engine::CommandSpec> specs_;
  std::unordered_map<const google::protobuf::Descriptor*, Entry> handlers_;
};

// A workflow put together from the parts every workflow has: a name and the definition version
// new instances start under, its machine (a factory and a description from the transition
// table), its command table, and the district (and amount) its instances and commands concern.
template <class Data>
class TableWorkflow final : public engine::Workflow {
 public:
  using Factory = std::unique_ptr<engine::Instance> (*)(uint32_t definition_version);
  // Fills the machine's part of the info; says what is wrong with the machine, if anything.
  using Describe = Outcome (*)(engine::WorkflowInfo* info);
  // `data` is the instance's (empty for a new one); `command` the command at hand.
  using ScopeFn = engine::Scope (*)(const Data& data, const Message& command);
  // The district an instance holding `data` belongs to (read scoping); empty: none.
  using DistrictFn = std::string (*)(const Data& data);

  struct Parts {
    std::string name;
    uint32_t definition_version = 1;
    Factory make = nullptr;
    Describe describe = nullptr;
    const CommandTable<Data>* commands = nullptr;
    ScopeFn scope = nullptr;
    DistrictFn district = nullptr;
  };

  explicit TableWorkflow(Parts parts) : parts_(std::move(parts)) {
    info_.name = parts_.name;
    info_.definition_version = parts_.definition_version;
    described_ = parts_.describe != nullptr ? parts_.describe(&info_) : Outcome::Ok();
  }

  const engine::WorkflowInfo& Info() const override { return info_; }
  const std::vector<engine::CommandSpec>& Commands() const override {
    static const std::vector<engine::CommandSpec> none;
    return parts_.commands != nullptr ? parts_.commands->specs() : none;
  }
  std::unique_ptr<engine::Instance> NewInstance(uint32_t definition_version) const override {
    return parts_.make(definition_version);
  }
  engine::Scope ScopeOf(const engine::Instance& current, const Message& command) const override {
    return parts_.scope(static_cast<const Data&>(current.Data()), command);
  }
  std::string DistrictOf(const engine::Instance& instance) const override {
    return parts_.district(static_cast<const Data&>(instance.Data()));
  }
  Outcome Decide(DecideContext& ctx, const engine::Instance& current,
                 const Message& command) const override {
    return parts_.commands->Decide(ctx, current, command);
  }
  Outcome Check() const override {
    std::string missing;
    auto need = [&](bool present, const char* what) {
      if (!present) missing += std::string(missing.empty() ? "" : ", ") + what;
    };
    need(parts_.make != nullptr, "a factory of instances (make)");
    need(parts_.describe != nullptr, "a description of its machine (describe)");
    need(parts_.commands != nullptr, "a command table (commands)");
    need(parts_.scope != nullptr, "a scope function (scope)");
    need(parts_.district != nullptr, "a district function (district)");
    if (!missing.empty()) return Outcome::InvalidArgument("it has no " + missing);
    return described_;
  }

 private:
  Parts parts_;
  engine::WorkflowInfo info_;
  Outcome described_;
};

// Emits `event` on the instance the command is for.
template <class E>
void Emit(DecideContext& ctx, E event) {
  ctx.Emit(std::make_unique<E>(std::move(event)));
}

}  // namespace wijkflow::workflows
