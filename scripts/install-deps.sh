#!/usr/bin/env bash
# Installs every Debian 12 package Gatehouse needs to build, run, test and benchmark.
# Idempotent and non-interactive: packages already present are skipped, and apt-get is
# not touched at all when nothing is missing.
set -euo pipefail

PACKAGES=(
  # toolchain
  build-essential cmake ninja-build ccache pkg-config git
  # product libraries
  libboost1.81-dev libboost-json1.81-dev libboost-url1.81-dev
  libssl-dev libsodium-dev libcrypt-dev libzxcvbn-dev zlib1g-dev
  libsqlite3-dev libpq-dev libcurl4-openssl-dev
  libspdlog-dev libfmt-dev libcli11-dev
  # tests
  libgtest-dev libgmock-dev postgresql-15 sqlite3
  python3 python3-pytest python3-requests python3-jwt python3-cryptography python3-authlib
  # browser tests (tests/browser: playwright-core drives Debian's chromium; Node.js >= 20 and
  # npm are required too, but Debian 12's nodejs is 18, too old, so they are not listed here)
  chromium
  # benchmarks (nginx-light: the static-200 reference bench/run.sh measures beside Gatehouse;
  # its service is kept from starting, see below)
  wrk nginx-light
  # fuzzing (tests/fuzz): clang and its libFuzzer runtime (clang_rt.fuzzer for -fsanitize=fuzzer)
  clang libclang-rt-14-dev
)

# Node.js >= 20 with npm runs tests/browser; it does not come from Debian 12 (whose nodejs is 18).
node_major="$(node -p 'process.versions.node.split(".")[0]' 2>/dev/null || echo 0)"
if [ "$node_major" -lt 20 ] || ! command -v npm >/dev/null; then
  echo "install-deps: warning: Node.js >= 20 and npm are needed for the browser tests (found: $(node -v 2>/dev/null || echo none))" >&2
fi

missing=()
for p in "${PACKAGES[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing+=("$p")
done

if [ ${#missing[@]} -eq 0 ]; then
  echo "install-deps: all ${#PACKAGES[@]} packages present"
  exit 0
fi

echo "install-deps: installing ${missing[*]}"
SUDO=""
[ "$(id -u)" -eq 0 ] || SUDO="sudo"
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -qq
# Debian starts a freshly installed nginx on port 80; the benchmark runs its own on loopback.
# A policy-rc.d that refuses service starts (unless one exists already) keeps it stopped.
policy=/usr/sbin/policy-rc.d
if [ ! -e "$policy" ]; then
  printf '#!/bin/sh\nexit 101\n' | $SUDO tee "$policy" >/dev/null
  $SUDO chmod 755 "$policy"
  trap '$SUDO rm -f "$policy"' EXIT
fi
$SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}"
