#include "adapters/http/router.h"

namespace wijkflow::http {

std::vector<std::string_view> Router::Split(std::string_view path) {
  std::vector<std::string_view> segs;
  if (path.empty() || path[0] != '/') return segs;
  path.remove_prefix(1);
  while (true) {
    size_t slash = path.find('/');
    segs.push_back(path.substr(0, slash));
    if (slash == std::string_view::npos) break;
    path.remove_prefix(slash + 1);
  }
  return segs;
}

int Router::Add(std::string method, std::string pattern) {
  Route r{std::move(method), std::move(pattern), {}, {}, static_cast<int>(routes_.size())};
  for (std::string_view s : Split(r.pattern)) {
    r.segments.emplace_back(s);
    r.literal.push_back(!(s.size() >= 2 && s.front() == '{' && s.back() == '}'));
  }
  routes_.push_back(std::move(r));
  return routes_.back().id;
}

bool Router::Matches(const Route& r, const std::vector<std::string_view>& segs) {
  if (r.segments.size() != segs.size()) return false;
  for (size_t i = 0; i < segs.size(); ++i) {
    if (r.literal[i] ? segs[i] != r.segments[i] : segs[i].empty()) return false;
  }
  return true;
}

bool Router::MoreSpecific(const Route& a, const Route& b) {
  for (size_t i = 0; i < a.literal.size() && i < b.literal.size(); ++i) {
    if (a.literal[i] != b.literal[i]) return a.literal[i];
  }
  return false;
}

RouteMatch Router::Match(std::string_view method, std::string_view path) const {
  RouteMatch m;
  const auto segs = Split(path);
  const Route* best_path = nullptr;  // most specific pattern matching the path, any method
  const Route* best = nullptr;       // ... with this method
  for (const Route& r : routes_) {
    if (!Matches(r, segs)) continue;
    if (best_path == nullptr || MoreSpecific(r, *best_path)) best_path = &r;
    if (r.method == method && (best == nullptr || MoreSpecific(r, *best))) best = &r;
  }
  if (best_path == nullptr) return m;
  if (best == nullptr || MoreSpecific(*best_path, *best)) {
    // The path names a resource that does not take this method.
    for (const Route& r : routes_) {
      if (r.pattern != best_path->pattern) continue;
      m.allow += (m.allow.empty() ? "" : ", ") + r.method;
    }
    return m;
  }
  m.route = best->id;
  m.pattern = best->pattern;
  for (size_t i = 0; i < segs.size(); ++i) {
    if (!best->literal[i]) {
      const std::string& name = best->segments[i];
      m.params[name.substr(1, name.size() - 2)] = std::string(segs[i]);
    }
  }
  return m;
}

}  // namespace wijkflow::http
