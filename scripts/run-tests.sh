#!/usr/bin/env bash
# Runs every test: C++ unit tests (CTest), then the black-box API suite against SQLite and
# against PostgreSQL. Runs all three and fails at the end if any failed.
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

for engine in sqlite postgres; do
  echo "== API tests on $engine"
  if ! GATEHOUSE_BINARY="$PWD/$BUILD_DIR/gatehouse" GATEHOUSE_TEST_ENGINE="$engine" \
      "$PYTHON" -m pytest -q tests/api "$@"; then
    failed+=("api-$engine")
  fi
done

if [ ${#failed[@]} -ne 0 ]; then
  echo "run-tests: FAILED: ${failed[*]}" >&2
  exit 1
fi
echo "run-tests: all passed"
