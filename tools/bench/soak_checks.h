// The checks at the end of `wijkflow-bench soak`, against the running server once the load has
// stopped: readiness with every projection caught up, the event-stream follower at the last
// position, and each round a connection finished holding exactly the grants that fit it.
#pragma once

#include <atomic>
#include <cstdint>
#include <string>
#include <vector>

namespace wijkflow::bench {

// The number after `"key":` in `json` (0 if there is none).
uint64_t NumberAfter(const std::string& json, const std::string& key);

// Appends a line to `failures` for each check that fails. `cycles_done[c]`: the cycles
// connection c finished; `follower_last`: the last position the follower has seen, still moving.
void CheckAtEnd(uint16_t port, const std::vector<uint64_t>& cycles_done,
                const std::atomic<uint64_t>* follower_last, std::vector<std::string>* failures);

}  // namespace wijkflow::bench
