#!/usr/bin/env bash
# Sanitizer run: builds build-asan/ with AddressSanitizer + UndefinedBehaviorSanitizer (gcc),
# runs the unit tests (CTest) and the API suite on SQLite against the instrumented binary, and
# fails if any test fails or any sanitizer report was written by any process (unit tests,
# servers, CLI invocations of the harness).
#
# Sanitizer reports go to $ASAN_REPORT_DIR (log_path=<dir>/asan, <dir>/ubsan: one file per
# process, suffixed with its pid), because the API harness deletes each server's data dir (and
# its server.log) when the server is closed. An empty directory at the end means no report.
#
#   scripts/test-asan.sh               build, unit tests, API suite
#   scripts/test-asan.sh --build-only  configure + build only
#   scripts/test-asan.sh --unit-only   build + unit tests
#   extra arguments after `--` go to pytest (e.g. -- -k login)
#
# Environment: ASAN_BUILD_DIR (default build-asan), JOBS (default 2), ASAN_REPORT_DIR
# (default build-asan/sanitizer-reports, emptied at start).
set -euo pipefail

cd "$(dirname "${BASH_SOURCE[0]}")/.."
ROOT=$PWD
BUILD_DIR="${ASAN_BUILD_DIR:-build-asan}"
JOBS="${JOBS:-2}"
PYTHON=/usr/bin/python3   # another python3 may be first on PATH; the Debian one has the packages
MODE=all
PYTEST_ARGS=()
while [ $# -gt 0 ]; do
  case "$1" in
    --build-only) MODE=build ;;
    --unit-only) MODE=unit ;;
    --) shift; PYTEST_ARGS=("$@"); break ;;
    *) echo "test-asan: unknown argument $1" >&2; exit 2 ;;
  esac
  shift
done

SAN_FLAGS="-fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=undefined"

echo "== configure $BUILD_DIR (ASan + UBSan, RelWithDebInfo)"
# Precompiled headers stay on: CMAKE_CXX_FLAGS reach the .gch as well as every user of it, so
# the flags match (and some sources rely on the PCH for includes). A cache left over from a
# run that disabled them is switched back with CMAKE_DISABLE_PRECOMPILE_HEADERS=OFF.
cmake -S . -B "$BUILD_DIR" -G Ninja \
  -DCMAKE_BUILD_TYPE=RelWithDebInfo \
  -DCMAKE_CXX_FLAGS="$SAN_FLAGS" \
  -DCMAKE_C_FLAGS="$SAN_FLAGS" \
  -DCMAKE_EXE_LINKER_FLAGS="-fsanitize=address,undefined" \
  -DCMAKE_DISABLE_PRECOMPILE_HEADERS=OFF \
  -DGATEHOUSE_TESTS=ON >/dev/null

echo "== build $BUILD_DIR (-j$JOBS, nice)"
t0=$(date +%s)
# Others edit the work tree during a build: an object compiled while one of its headers changed
# looks up to date to ninja but has the old layout (ASan then reports overflows no source has).
# tests/asan/stale_objects.py deletes such objects; build again until none is left.
for round in 1 2 3 4; do
  nice -n 10 cmake --build "$BUILD_DIR" -j "$JOBS" --target gatehouse gatehouse_unit
  [ -z "$("$PYTHON" tests/asan/stale_objects.py "$BUILD_DIR")" ] && break
  echo "test-asan: objects compiled against a header that changed meanwhile were deleted; building again"
done
echo "test-asan: build took $(( $(date +%s) - t0 ))s"
[ "$MODE" = build ] && exit 0

REPORT_DIR="${ASAN_REPORT_DIR:-$ROOT/$BUILD_DIR/sanitizer-reports}"
rm -rf "$REPORT_DIR"
mkdir -p "$REPORT_DIR"
SUPP="$ROOT/tests/asan/lsan.supp"
export ASAN_OPTIONS="detect_leaks=1:abort_on_error=1:halt_on_error=1:log_path=$REPORT_DIR/asan"
export UBSAN_OPTIONS="print_stacktrace=1:halt_on_error=1:log_path=$REPORT_DIR/ubsan"
export LSAN_OPTIONS="suppressions=$SUPP:print_suppressions=0"

failed=()

echo "== unit tests (ctest, $BUILD_DIR)"
if ! ctest --test-dir "$BUILD_DIR" --output-on-failure -j "$JOBS"; then
  failed+=("unit")
fi

if [ "$MODE" = all ]; then
  echo "== API tests on sqlite (instrumented binary)"
  log="$REPORT_DIR/../pytest-api.log"
  # UBSan in the combined gcc runtime prints its reports on stderr whatever log_path says, and
  # the harness deletes each server's data dir (with its server.log) when it closes it. The
  # harness therefore runs a wrapper that copies the binary's stderr into $REPORT_DIR too
  # (the wrapper execs the binary: the pid the harness signals is gatehouse itself).
  wrapper="$ROOT/$BUILD_DIR/gatehouse-stderr-tee"
  cat >"$wrapper" <<WRAP
#!/usr/bin/env bash
exec "$ROOT/$BUILD_DIR/gatehouse" "\$@" 2> >(tee -a "$REPORT_DIR/stderr.\$\$" >&2)
WRAP
  chmod +x "$wrapper"
  set +e
  GATEHOUSE_BINARY="$wrapper" GATEHOUSE_TEST_ENGINE=sqlite \
    "$PYTHON" -m pytest -q tests/api "${PYTEST_ARGS[@]}" 2>&1 | tee "$log"
  rc=${PIPESTATUS[0]}
  set -e
  [ "$rc" -ne 0 ] && failed+=("api-sqlite")
  # The harness lists servers that died or ignored SIGTERM in a terminal-summary section
  # (tests/api/conftest.py, ghtest.UNCLEAN_STOPS) without failing the run; a sanitizer abort
  # shows up there, so treat the section as a failure.
  if grep -q "gatehouse processes that did not stop cleanly" "$log"; then
    echo "test-asan: the API suite reported unclean server stops (see $log)" >&2
    failed+=("unclean-stops")
  fi
fi

# Sanitizer files (asan.PID, ubsan.PID) and the stderr copies that hold a sanitizer report.
reports=$( (find "$REPORT_DIR" -type f -size +0 \( -name 'asan.*' -o -name 'ubsan.*' \);
            grep -lE "runtime error:|ERROR: (Address|Leak|UndefinedBehavior)Sanitizer" "$REPORT_DIR"/stderr.* 2>/dev/null || true) | sort -u)
if [ -n "$reports" ]; then
  echo "== sanitizer reports ($REPORT_DIR): count x kind at the first frame in src/ or tests/" >&2
  # shellcheck disable=SC2086
  "$PYTHON" tests/asan/summarize.py $reports >&2
  first=$(echo "$reports" | head -1)
  echo "--- the first report in full: $first" >&2
  head -80 "$first" >&2
  failed+=("sanitizer-reports($(echo "$reports" | wc -l))")
fi

if [ ${#failed[@]} -ne 0 ]; then
  echo "test-asan: FAILED: ${failed[*]}" >&2
  exit 1
fi
echo "test-asan: all passed, no sanitizer reports"
