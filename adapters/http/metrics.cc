#include "adapters/http/metrics.h"

#include <algorithm>
#include <cmath>
#include <cstdio>

namespace wijkflow::http {
namespace {

std::string RenderLabels(const Labels& labels) {
  std::string out;
  for (const auto& [k, v] : labels) {
    if (!out.empty()) out.push_back(',');
    out.append(k);
    out.append("=\"");
    for (char c : v) {
      if (c == '\\' || c == '"') out.push_back('\\');
      if (c == '\n') {
        out.append("\\n");
        continue;
      }
      out.push_back(c);
    }
    out.push_back('"');
  }
  return out;
}

std::string Number(double v) {
  if (std::isinf(v)) return v > 0 ? "+Inf" : "-Inf";
  char buf[40];
  if (v == std::floor(v) && std::fabs(v) < 1e15) {
    std::snprintf(buf, sizeof(buf), "%.0f", v);
  } else {
    std::snprintf(buf, sizeof(buf), "%.9g", v);
  }
  return buf;
}

// name{labels,extra} value
void Line(std::string* out, std::string_view name, std::string_view suffix,
          const std::string& labels, const std::string& extra, const std::string& value) {
  out->append(name).append(suffix);
  if (!labels.empty() || !extra.empty()) {
    out->push_back('{');
    out->append(labels);
    if (!labels.empty() && !extra.empty()) out->push_back(',');
    out->append(extra);
    out->push_back('}');
  }
  out->push_back(' ');
  out->append(value);
  out->push_back('\n');
}

}  // namespace

const std::vector<double>& Metrics::LatencyBuckets() {
  static const std::vector<double> kBuckets = {0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05,
                                               0.1,    0.25,  0.5,    1,     2.5,  5,     10};
  return kBuckets;
}

void Metrics::Declare(std::string name, Type type, std::string help, std::vector<double> bounds) {
  std::lock_guard<std::mutex> lock(mu_);
  families_.emplace(std::move(name), Family{type, std::move(help), std::move(bounds), {}});
}

void Metrics::DeclareCounter(std::string name, std::string help) {
  Declare(std::move(name), Type::kCounter, std::move(help), {});
}
void Metrics::DeclareGauge(std::string name, std::string help) {
  Declare(std::move(name), Type::kGauge, std::move(help), {});
}
void Metrics::DeclareHistogram(std::string name, std::string help, std::vector<double> bounds) {
  std::sort(bounds.begin(), bounds.end());
  Declare(std::move(name), Type::kHistogram, std::move(help), std::move(bounds));
}

Metrics::Series* Metrics::Find(std::string_view name, const Labels& labels, Type type) {
  auto f = families_.find(name);
  if (f == families_.end() || f->second.type != type) return nullptr;
  Series& s = f->second.series[RenderLabels(labels)];
  if (type == Type::kHistogram && s.buckets.empty()) s.buckets.resize(f->second.bounds.size());
  return &s;
}

void Metrics::Add(std::string_view name, const Labels& labels, double delta) {
  std::lock_guard<std::mutex> lock(mu_);
  if (Series* s = Find(name, labels, Type::kCounter)) s->value += delta;
}

void Metrics::Set(std::string_view name, const Labels& labels, double value) {
  std::lock_guard<std::mutex> lock(mu_);
  if (Series* s = Find(name, labels, Type::kGauge)) s->value = value;
}

void Metrics::Observe(std::string_view name, const Labels& labels, double value) {
  std::lock_guard<std::mutex> lock(mu_);
  Series* s = Find(name, labels, Type::kHistogram);
  if (s == nullptr) return;
  const auto& bounds = families_.find(name)->second.bounds;
  auto it = std::lower_bound(bounds.begin(), bounds.end(), value);
  if (it != bounds.end()) s->buckets[static_cast<size_t>(it - bounds.begin())] += 1;
  s->count += 1;
  s->sum += value;
}

void Metrics::AddCollector(std::function<void(Metrics&)> collector) {
  std::lock_guard<std::mutex> lock(mu_);
  collectors_.push_back(std::move(collector));
}

std::string Metrics::Render() {
  std::vector<std::function<void(Metrics&)>> collectors;
  {
    std::lock_guard<std::mutex> lock(mu_);
    collectors = collectors_;
  }
  for (auto& c : collectors) c(*this);
  std::lock_guard<std::mutex> lock(mu_);
  std::string out;
  for (const auto& [name, f] : families_) {
    static const char* kTypes[] = {"counter", "gauge", "histogram"};
    out += "# HELP " + name + " " + f.help + "\n";
    out += "# TYPE " + name + " " + kTypes[static_cast<int>(f.type)] + "\n";
    for (const auto& [labels, s] : f.series) {
      if (f.type != Type::kHistogram) {
        Line(&out, name, "", labels, "", Number(s.value));
        continue;
      }
      uint64_t cumulative = 0;
      for (size_t i = 0; i < f.bounds.size(); ++i) {
        cumulative += s.buckets[i];
        Line(&out, name, "_bucket", labels, "le=\"" + Number(f.bounds[i]) + "\"",
             std::to_string(cumulative));
      }
      Line(&out, name, "_bucket", labels, "le=\"+Inf\"", std::to_string(s.count));
      Line(&out, name, "_sum", labels, "", Number(s.sum));
      Line(&out, name, "_count", labels, "", std::to_string(s.count));
    }
  }
  return out;
}

}  // namespace wijkflow::http
