#!/usr/bin/env bash
# Installs the Debian 12 packages wijkflow builds and tests with. Idempotent: installs only what is
# missing, so a second run is a no-op. Pass --fuzz for clang and libFuzzer (tools/test.sh --fuzz),
# --extra for those and the tools used outside the test runs.
set -euo pipefail

pkgs=(
  build-essential cmake ninja-build pkg-config ccache
  libboost1.81-dev           # MSM, Beast/Asio (header-only parts)
  librocksdb-dev             # event store
  libprotobuf-dev protobuf-compiler
  libspdlog-dev libfmt-dev
  libgtest-dev libgmock-dev libbenchmark-dev
  libssl-dev                 # SHA-256 (OpenSSL)
  libcli11-dev               # command lines
  libabsl-dev                # Swiss-table hash maps (the projections' model cache)
  libjemalloc-dev            # the programs' allocator
  tzdata                     # Europe/Amsterdam: calendar days and the order of receipt
  curl                       # the README's demo scenario
  chromium                   # renders the HTML audit report in its tests (headless)
)
if [[ "${1:-}" == "--fuzz" || "${1:-}" == "--extra" ]]; then
  pkgs+=(clang libclang-rt-14-dev)  # clang 14 and its libFuzzer runtime
fi
if [[ "${1:-}" == "--extra" ]]; then
  pkgs+=(rocksdb-tools wrk)
fi

missing=()
for p in "${pkgs[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if ((${#missing[@]} == 0)); then
  echo "install-deps: all ${#pkgs[@]} packages present"
  exit 0
fi
echo "install-deps: installing ${missing[*]}"
sudo=""
[[ $(id -u) -ne 0 ]] && sudo="sudo"
export DEBIAN_FRONTEND=noninteractive
$sudo apt-get update -qq
$sudo apt-get install -y -qq --no-install-recommends "${missing[@]}"
