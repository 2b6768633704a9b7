#!/usr/bin/env bash
# Installs what is missing, builds, and runs every test.
#   tools/test.sh              release build in build/
#   tools/test.sh --sanitize   AddressSanitizer + UBSan build in build-asan/
set -euo pipefail
cd "$(dirname "$0")/.."
tools/install-deps.sh
if [[ "${1:-}" == "--sanitize" ]]; then
  tools/build.sh build-asan -DCMAKE_BUILD_TYPE=Debug -DWIJKFLOW_SANITIZE=address,undefined
  export ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 UBSAN_OPTIONS=print_stacktrace=1
  export WIJKFLOW_TEST_SCALE=${WIJKFLOW_TEST_SCALE:-0.2}
  ctest --test-dir build-asan --output-on-failure -j "$(nproc)"
else
  tools/build.sh build
  ctest --test-dir build --output-on-failure -j "$(nproc)"
fi
