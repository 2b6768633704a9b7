// What the fuzz targets share: a failed property aborts, so that libFuzzer keeps the input.
#pragma once

#include <cstdio>
#include <cstdlib>
#include <string_view>

namespace wijkflow::fuzz {

// Aborts with `what` when a property the code promises does not hold.
inline void Require(bool holds, std::string_view what) {
  if (holds) return;
  std::fprintf(stderr, "fuzz property violated: %.*s\n", static_cast<int>(what.size()),
               what.data());
  std::abort();
}

}  // namespace wijkflow::fuzz
