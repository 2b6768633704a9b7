// The request mix of `wijkflow-bench soak`: what each connection sends, cycle after cycle. A cycle
// sets, publishes and opens a subsidy round of its own, takes ten initiatives through intake,
// review and a decision (the round's ceiling fits eight grants, so the last two are refused with
// 422 and then refused by the council), publishes the granted ones, and takes a district agreement
// from its draft to a running action plan. Duplicate transitions (409), a plan outside the
// agreement's period (422), client retries with the same Idempotency-Key and reads of state,
// history, lists and projections sit in between. Each calling system has a token of its own.
//
// Connections work on instances of their own, so every answer is known in advance except where
// the script says otherwise (SoakRequest::also).
#pragma once

#include <cstdint>
#include <string>
#include <utility>
#include <vector>

#include "engine/engine.h"
#include "events/clock.h"

namespace wijkflow::bench {

struct SoakRequest {
  std::string method;  // GET or POST
  std::string target;
  std::string token;
  std::string role;  // X-Actor-Role; commands only
  std::string key;   // Idempotency-Key; commands only
  std::string body;
  int expect = 200;
  // A second acceptable answer where the outcome is a race the script cannot order (0: none):
  // the round's opening timer falls due at publication, so it may open the round before the
  // executive's OpenRound does.
  int also = 0;
  // A read of a read model (a projection, a list), which lags the log: it carries the
  // connection's last write as ?minPosition=, as a client reading its own write does.
  bool own_write = false;
  bool Accepts(int status) const { return status == expect || (also != 0 && status == also); }
};

// The calling systems of the soak: token, then who it is and what it may do.
std::vector<std::pair<std::string, engine::Principal>> SoakSystems();

// The token of the auditor, which reads everything (the event-stream follower uses it).
std::string SoakAuditorToken();

// In a round of the soak, this many grants fit under the ceiling; the rest get 422.
inline constexpr int kSoakGrantsPerRound = 8;
inline constexpr int kSoakInitiativesPerRound = 10;
inline constexpr int64_t kSoakGrantCents = 100'000;

// The round of cycle `cycle` of connection `conn`.
std::string SoakRound(int conn, uint64_t cycle);

// The requests of cycle `cycle` of connection `conn`, at wall-clock time `now`.
std::vector<SoakRequest> SoakCycle(int conn, uint64_t cycle, Micros now);

}  // namespace wijkflow::bench
