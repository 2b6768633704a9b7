// Router: matches a method and a path against patterns such as "/v1/{workflow}/{id}/events".
// A pattern segment in braces captures one path segment. Where several patterns match a path,
// the one with more literal segments (earlier ones breaking ties) wins, so "/v1/workflows/{name}"
// beats "/v1/{workflow}/{id}".
#pragma once

#include <map>
#include <string>
#include <string_view>
#include <vector>

namespace wijkflow::http {

struct RouteMatch {
  int route = -1;       // the id Add returned; -1: no route for this method and path
  std::string pattern;  // the matched pattern, for metrics and logs
  std::map<std::string, std::string> params;
  // When route == -1 but the path matched some pattern: the methods it allows ("GET, POST").
  std::string allow;
};

class Router {
 public:
  // Returns the route's id (0, 1, ...). REQUIRES: pattern starts with '/'.
  int Add(std::string method, std::string pattern);
  RouteMatch Match(std::string_view method, std::string_view path) const;

 private:
  struct Route {
    std::string method;
    std::string pattern;
    std::vector<std::string> segments;  // "{x}" for a parameter
    std::vector<bool> literal;
    int id;
  };
  static std::vector<std::string_view> Split(std::string_view path);
  static bool Matches(const Route& r, const std::vector<std::string_view>& segs);
  // Higher is more specific.
  static bool MoreSpecific(const Route& a, const Route& b);

  std::vector<Route> routes_;
};

}  // namespace wijkflow::http
