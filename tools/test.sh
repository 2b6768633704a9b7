#!/usr/bin/env bash
# Installs what is missing, builds, and runs every test.
#   tools/test.sh              release build in build/, then tools/check-workflow-folder.sh
#   tools/test.sh --sanitize   AddressSanitizer + UBSan build in build-asan/
#   tools/test.sh --tsan       ThreadSanitizer over the event store, engine and race tests, in
#                              build-tsan/
#   tools/test.sh --fuzz [T..] libFuzzer targets (tests/fuzz) built with clang, ASan and UBSan in
#                              build-fuzz/: every seed once, then each target (or those named)
#                              for WIJKFLOW_FUZZ_SECONDS (default 30), from the random seed
#                              WIJKFLOW_FUZZ_SEED (default 1, so that a run repeats; 0 draws one)
set -euo pipefail
cd "$(dirname "$0")/.."
if [[ "${1:-}" == "--fuzz" ]]; then tools/install-deps.sh --fuzz; else tools/install-deps.sh; fi
if [[ "${1:-}" == "--tsan" ]]; then
  # Only the store and engine tests, which own the concurrency (group commit, subscriptions,
  # projections, timers), and race_test, which races 100 commands through the engine. RocksDB is
  # not built with TSan; tests/tsan.supp says what that makes it ignore, and why.
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
elif [[ "${1:-}" == "--fuzz" ]]; then
  shift
  targets=("$@")
  ((${#targets[@]})) || targets=(command_json http_request envelope)
  if [[ ! -f build-fuzz/CMakeCache.txt ]]; then
    # -O1: many times the executions per second of -O0, and assertions stay on.
    cmake -S . -B build-fuzz -G Ninja -DCMAKE_CXX_COMPILER=clang++ -DWIJKFLOW_FUZZ=ON \
      -DCMAKE_BUILD_TYPE=Debug -DCMAKE_CXX_FLAGS_DEBUG="-g -O1"
  fi
  cmake --build build-fuzz -j "$(nproc)" --target "${targets[@]/%/_fuzzer}"
  export ASAN_OPTIONS=detect_leaks=1 UBSAN_OPTIONS=print_stacktrace=1
  seconds=${WIJKFLOW_FUZZ_SECONDS:-30}
  seed=${WIJKFLOW_FUZZ_SEED:-1}
  mkdir -p build-fuzz/artifacts build-fuzz/logs
  # Runs a fuzzer with its output in a log; on failure shows the report. A failing input is left
  # in build-fuzz/artifacts/: once fixed, it joins the seeds as a regression test.
  fuzz() {
    local name=$1 log=build-fuzz/logs/$1.log
    shift
    if ! "$@" >"$log" 2>&1; then
      tail -n 60 "$log"
      echo "test.sh: $name failed (log: $log; input: build-fuzz/artifacts/)" >&2
      return 1
    fi
  }
  for t in "${targets[@]}"; do
    fuzzer=build-fuzz/bin/${t}_fuzzer
    seeds=tests/fuzz/corpus/$t
    fuzz "$t-seeds" "$fuzzer" -artifact_prefix="build-fuzz/artifacts/$t-" "$seeds"/*
    echo "== $t: $(grep -c '^Executed' "build-fuzz/logs/$t-seeds.log") seeds pass"
    # New inputs go to a scratch corpus: the seeds in the repository stay hand-picked.
    mkdir -p "build-fuzz/corpus/$t"
    fuzz "$t" "$fuzzer" -max_total_time="$seconds" -seed="$seed" -timeout=10 \
      -dict="tests/fuzz/$t.dict" -artifact_prefix="build-fuzz/artifacts/$t-" -print_final_stats=1 \
      "build-fuzz/corpus/$t" "$seeds"
    echo "== $t: fuzzed ${seconds}s: $(grep -E '^stat::(number_of_executed_units|peak_rss_mb)' \
      "build-fuzz/logs/$t.log" | tr '\n' ' ')"
  done
elif [[ "${1:-}" == "--sanitize" ]]; then
  tools/build.sh build-asan -DCMAKE_BUILD_TYPE=Debug -DWIJKFLOW_SANITIZE=address,undefined
  export ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 UBSAN_OPTIONS=print_stacktrace=1
  export WIJKFLOW_TEST_SCALE=${WIJKFLOW_TEST_SCALE:-0.2}
  ctest --test-dir build-asan --output-on-failure -j "$(nproc)"
else
  tools/build.sh build
  ctest --test-dir build --output-on-failure -j "$(nproc)"
  # A workflow is one folder: the guide's example, dropped in as a new one, builds and registers.
  tools/check-workflow-folder.sh build
fi
