#!/usr/bin/env bash
# Runs every test: C++ unit tests (CTest), then the black-box API suite against SQLite and
# against PostgreSQL, then the browser + openid-client interop tests (tests/browser). Runs all
# of them and fails at the end if any failed.
set -euo pipefail

cd "$(dirname "${BASH_SOURCE[0]}")/.."

BUILD_DIR="${BUILD_DIR:-build}"
PYTHON=/usr/bin/python3   # another python3 may be first on PATH; the Debian one has the packages
failed=()

if [ ! -x "$BUILD_DIR/gatehouse" ]; then
  echo "run-tests: $BUILD_DIR/gatehouse is missing; build first (make build)" >&2
  exit 2
fi

echo "== unit tests (ctest)"
if ! ctest --test-dir "$BUILD_DIR" --output-on-failure; then
  failed+=("unit")
fi

# The store contract suite's PostgreSQL instances (ctest runs only the SQLite ones): a private
# cluster started by the script, one fresh database per test (tests/contract/README.md).
echo "== store contract suite on PostgreSQL"
if ! "$PYTHON" tests/contract/run_postgres.py "$BUILD_DIR/gatehouse_contract"; then
  failed+=("contract-postgres")
fi

for engine in sqlite postgres; do
  echo "== API tests on $engine"
  if ! GATEHOUSE_BINARY="$PWD/$BUILD_DIR/gatehouse" GATEHOUSE_TEST_ENGINE="$engine" \
      "$PYTHON" -m pytest -q tests/api "$@"; then
    failed+=("api-$engine")
  fi
done

# Browser + interop: Playwright (playwright-core) driving Debian's chromium through the login
# UI, and the npm openid-client library as a relying party. Needs Node.js >= 20 and npm.
echo "== browser + interop tests (chromium, openid-client)"
if ! GATEHOUSE_BINARY="$PWD/$BUILD_DIR/gatehouse" bash -c '
    set -euo pipefail
    for tool in node npm; do
      command -v "$tool" >/dev/null || { echo "run-tests: $tool is missing (Node.js >= 20 with npm is required)" >&2; exit 2; }
    done
    [ -x "${CHROMIUM_PATH:-/usr/bin/chromium}" ] || { echo "run-tests: chromium is missing (make deps)" >&2; exit 2; }
    cd tests/browser
    npm ci --no-audit --no-fund
    node --test'; then
  failed+=("browser")
fi

# Schemathesis against the OpenAPI document: a bounded run, about 1 min with a fresh venv
# (tests/schemathesis/README.md); the long run is `make fuzz-api`.
echo "== API fuzzing (schemathesis)"
if ! GATEHOUSE_BINARY="$PWD/$BUILD_DIR/gatehouse" bash scripts/schemathesis.sh; then
  failed+=("schemathesis")
fi

# libFuzzer smoke: every tests/fuzz target for a few seconds from its seed corpus (a separate
# clang ASan/UBSan build in build-fuzz, configured and built by the make target).
echo "== fuzz smoke"
if ! make --no-print-directory fuzz-smoke; then
  failed+=("fuzz")
fi

if [ ${#failed[@]} -ne 0 ]; then
  echo "run-tests: FAILED: ${failed[*]}" >&2
  exit 1
fi
echo "run-tests: all passed"
