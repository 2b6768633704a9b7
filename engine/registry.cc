#include "engine/registry.h"

#include <google/protobuf/descriptor.h>

#include <algorithm>
#include <set>

namespace wijkflow::engine {
namespace {

std::string ShortName(const std::string& full_name) {
  return full_name.substr(full_name.rfind('.') + 1);
}

bool Contains(const std::vector<std::string>& v, const std::string& x) {
  return std::find(v.begin(), v.end(), x) != v.end();
}

// What `wf` breaks of the contracts WorkflowRegistry::Add lists (but the name's uniqueness).
std::vector<std::string> Problems(const Workflow& wf) {
  std::vector<std::string> out;
  const WorkflowInfo& info = wf.Info();
  if (!Contains(info.states, info.initial_state)) {
    out.push_back("its initial state '" + info.initial_state + "' is not among its states");
  }
  std::set<std::string> transition_events;
  for (const Transition& t : info.transitions) {
    transition_events.insert(t.event);
    for (const std::string* s : {&t.from, &t.to}) {
      if (!Contains(info.states, *s)) {
        out.push_back("transition " + t.from + " --" + t.event + "--> " + t.to + " names state '" +
                      *s + "', which is not among its states");
      }
    }
  }
  std::set<std::string> applied;
  for (const std::string& type : info.events) applied.insert(ShortName(type));
  for (const std::string& e : transition_events) {
    if (!applied.count(e)) out.push_back("event " + e + " has a transition but no applier");
  }
  for (const std::string& type : info.events) {
    if (!transition_events.count(ShortName(type))) {
      out.push_back("event " + type + " has an applier but no transition");
    }
  }
  std::set<std::string> names;
  std::set<const google::protobuf::Descriptor*> types;
  for (const CommandSpec& c : wf.Commands()) {
    if (c.name.empty() || !names.insert(c.name).second) {
      out.push_back("command name '" + c.name + "' is empty or used twice");
    }
    if (c.prototype == nullptr) {
      out.push_back("command " + c.name + " has no message type");
      continue;
    }
    if (!types.insert(c.prototype->GetDescriptor()).second) {
      out.push_back("commands share message type " + c.prototype->GetDescriptor()->full_name() +
                    " (a timer's command is found by its type)");
    }
    if (c.roles.empty()) out.push_back("command " + c.name + " has no roles");
  }
  if (Outcome o = wf.Check(); !o.ok()) out.push_back(o.message());
  return out;
}

}  // namespace

void WorkflowRegistry::Add(std::unique_ptr<Workflow> workflow) {
  const std::string name = workflow->Info().name;
  std::vector<std::string> problems = Problems(*workflow);
  if (name.empty()) problems.push_back("it has no name");
  if (Find(name) != nullptr) problems.push_back("a workflow of that name is registered already");
  for (const std::string& p : problems) problems_.push_back("workflow '" + name + "': " + p);
  if (problems.empty()) workflows_.push_back(std::move(workflow));
}

void WorkflowRegistry::AddProjection(std::unique_ptr<Projection> p) {
  const std::string name(p->Name());
  for (const auto& q : projections_) {
    if (q->Name() == name) {
      problems_.push_back("projection '" + name + "': a projection of that name is registered");
      return;
    }
  }
  if (name.empty()) {
    problems_.push_back("a projection has no name");
    return;
  }
  projections_.push_back(std::move(p));
}

void WorkflowRegistry::SetMandateAuthority(std::unique_ptr<MandateAuthority> m) {
  if (mandates_ != nullptr) {
    problems_.push_back("a second mandate authority was set");
    return;
  }
  mandates_ = std::move(m);
}

Outcome WorkflowRegistry::Check() const {
  if (problems_.empty()) return Outcome::Ok();
  std::string message;
  for (const std::string& p : problems_) message += (message.empty() ? "" : "\n") + p;
  return Outcome::InvalidArgument(message);
}

}  // namespace wijkflow::engine
