#!/usr/bin/env bash
# Installs what is missing, builds, and runs every test.
#   tools/test.sh              release build in build/
#   tools/test.sh --sanitize   AddressSanitizer + UBSan build in build-asan/
#   tools/test.sh --tsan       ThreadSanitizer over the event store, engine and race tests, in
#                              build-tsan/
set -euo pipefail
cd "$(dirname "$0")/.."
tools/install-deps.sh
if [[ "${1:-}" == "--tsan" ]]; then
  # Only the store and engine tests, which own the concurrency (group commit, subscriptions,
  # projections, timers), and race_test, which races 100 commands through the engine. RocksDB is
  # not built with TSan; tests/tsan.supp says why its interceptor calls are ignored.
  tsan_tests=(events_event_store_test events_concurrency_test events_durability_test engine_test
              race_test)
  if [[ ! -f build-tsan/CMakeCache.txt ]]; then
    cmake -S . -B build-tsan -G Ninja -DCMAKE_BUILD_TYPE=Debug -DWIJKFLOW_SANITIZE=thread
  fi
  cmake --build build-tsan -j "$(nproc)" --target "${tsan_tests[@]}"
  export TSAN_OPTIONS="suppressions=$PWD/tests/tsan.supp halt_on_error=1 second_deadlock_stack=1"
  export WIJKFLOW_TEST_SCALE=${WIJKFLOW_TEST_SCALE:-0.2}
  for t in "${tsan_tests[@]}"; do
    echo "== $t (ThreadSanitizer)"
    build-tsan/bin/"$t" --gtest_brief=1
  done
elif [[ "${1:-}" == "--sanitize" ]]; then
  tools/build.sh build-asan -DCMAKE_BUILD_TYPE=Debug -DWIJKFLOW_SANITIZE=address,undefined
  export ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 UBSAN_OPTIONS=print_stacktrace=1
  export WIJKFLOW_TEST_SCALE=${WIJKFLOW_TEST_SCALE:-0.2}
  ctest --test-dir build-asan --output-on-failure -j "$(nproc)"
else
  tools/build.sh build
  ctest --test-dir build --output-on-failure -j "$(nproc)"
fi
