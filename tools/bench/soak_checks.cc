#include "tools/bench/soak_checks.h"

#include <chrono>
#include <cstdlib>
#include <thread>

#include "adapters/http/client.h"
#include "tools/bench/soak_mix.h"

namespace wijkflow::bench {
namespace {

using Clock = std::chrono::steady_clock;
// How long the checks wait for the server to catch up once the load stops: a bound on waiting,
// far above what catching up takes, so that a stuck projection fails instead of hanging.
constexpr auto kCatchUp = std::chrono::seconds(60);

}  // namespace

uint64_t NumberAfter(const std::string& json, const std::string& key) {
  const size_t at = json.find("\"" + key + "\":");
  if (at == std::string::npos) return 0;
  return std::strtoull(json.c_str() + at + key.size() + 3, nullptr, 10);
}

namespace {

// The sum of the values of /readyz's "projectionLag" object.
uint64_t TotalLag(const std::string& json) {
  size_t at = json.find("\"projectionLag\":{");
  if (at == std::string::npos) return UINT64_MAX;
  const size_t end = json.find('}', at);
  uint64_t lag = 0;
  for (at = json.find(':', at + 17); at < end; at = json.find(':', at + 1)) {
    lag += std::strtoull(json.c_str() + at + 1, nullptr, 10);
  }
  return lag;
}

}  // namespace

void CheckAtEnd(uint16_t port, const std::vector<uint64_t>& cycles_done,
                const std::atomic<uint64_t>* follower_last, std::vector<std::string>* failures) {
  auto c = http::HttpClient::Connect("127.0.0.1", port);
  if (!c) {
    failures->push_back("cannot connect for the checks at the end");
    return;
  }
  // Ready, with every projection at the last position.
  http::ClientResponse r;
  const auto deadline = Clock::now() + kCatchUp;
  uint64_t last = 0, lag = UINT64_MAX;
  while (Clock::now() < deadline) {
    if (!c->Get("/readyz", "", &r)) break;
    last = NumberAfter(r.body, "lastPosition");
    lag = TotalLag(r.body);
    if (r.status == 200 && lag == 0) break;
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
  std::printf("readyz: %d, last position %llu, projection lag %llu\n", r.status,
              static_cast<unsigned long long>(last), static_cast<unsigned long long>(lag));
  if (r.status != 200 || lag != 0) {
    failures->push_back("not ready with projections caught up: " + std::to_string(r.status) + " " +
                        r.body);
  }
  // The follower has every position up to the last.
  while (Clock::now() < deadline && follower_last->load() < last) {
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
  std::printf("event stream: followed to position %llu\n",
              static_cast<unsigned long long>(follower_last->load()));
  if (follower_last->load() != last) {
    failures->push_back("the event stream reached position " +
                        std::to_string(follower_last->load()) + " of " + std::to_string(last));
  }
  // Each finished round's budget: exactly the grants that fit its ceiling.
  const std::string granted =
      "\"grantedCents\":\"" + std::to_string(kSoakGrantsPerRound * kSoakGrantCents) + "\"";
  uint64_t rounds = 0, wrong = 0;
  for (size_t conn = 0; conn < cycles_done.size(); ++conn) {
    for (uint64_t cycle = 0; cycle < cycles_done[conn]; ++cycle) {
      const std::string round = SoakRound(static_cast<int>(conn), cycle);
      ++rounds;
      if (!c->Get("/v1/projections/round-budget?key=budget/" + round, SoakAuditorToken(), &r) ||
          r.status != 200 || r.body.find(granted) == std::string::npos) {
        if (++wrong == 1) failures->push_back("round " + round + ": " + r.body);
      }
    }
  }
  std::printf("round budgets: %llu of %llu finished rounds hold exactly their grants\n",
              static_cast<unsigned long long>(rounds - wrong),
              static_cast<unsigned long long>(rounds));
  if (wrong > 0) failures->push_back(std::to_string(wrong) + " round budgets wrong");
}

}  // namespace wijkflow::bench
