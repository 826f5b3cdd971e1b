#!/usr/bin/env bash
# Runs every libFuzzer target in $FUZZ_BUILD_DIR (default build-fuzz; `make fuzz` builds it)
# for a bounded time, one after the other, and prints per target: executions, exec/s, new
# corpus units and crashes. Exits 1 when any target crashed (ASan/UBSan report, invariant,
# timeout or out-of-memory), 2 when a target is missing.
#
#   scripts/fuzz.sh            FUZZ_SECONDS (default 60) per target; the corpus found so far
#                              is kept in $FUZZ_BUILD_DIR/corpus/<target> across runs
#   scripts/fuzz.sh --smoke    FUZZ_SECONDS (default 4) per target from the seeds alone
#                              (fresh corpus, fixed -seed): the stage in scripts/run-tests.sh
# Env: FUZZ_TARGETS="jws form" picks targets; FUZZ_SEED fixes libFuzzer's seed; FUZZ_RUNS=N
# runs each target for N executions instead of a time (e.g. 10000000 for the 10^7 goal);
# GATEHOUSE_FUZZ_STRICT=1 adds the strict checks (tests/fuzz/README.md).
# Crashing inputs land in $FUZZ_BUILD_DIR/fuzz-artifacts/; reproduce one with
#   $FUZZ_BUILD_DIR/tests/fuzz/fuzz_<target> <file>
set -uo pipefail

cd "$(dirname "${BASH_SOURCE[0]}")/.."

smoke=0
[ "${1:-}" = "--smoke" ] && smoke=1
BUILD="${FUZZ_BUILD_DIR:-build-fuzz}"
SEEDS=tests/fuzz/corpus
ALL_TARGETS=(jws jwk json_body form cookie router authorization redirect_uri password user_import base64 client_ip)
read -r -a targets <<< "${FUZZ_TARGETS:-${ALL_TARGETS[*]}}"
if [ "$smoke" -eq 1 ]; then
  seconds="${FUZZ_SECONDS:-4}"
  seed="${FUZZ_SEED:-1}"
  work_root="$(mktemp -d)"
  trap 'rm -rf "$work_root"' EXIT
else
  seconds="${FUZZ_SECONDS:-60}"
  seed="${FUZZ_SEED:-0}"  # 0: libFuzzer picks one (printed in the log)
  work_root="$BUILD/corpus"
fi
artifacts="$BUILD/fuzz-artifacts"
logs="$BUILD/fuzz-logs"
mkdir -p "$artifacts" "$logs"

max_len() { case "$1" in jws) echo 16384 ;; *) echo 4096 ;; esac; }
stat() { sed -n "s/^stat::$1: *//p" "$2" | tail -1; }

missing=0
for t in "${targets[@]}"; do
  [ -x "$BUILD/tests/fuzz/fuzz_$t" ] || { echo "fuzz: $BUILD/tests/fuzz/fuzz_$t is missing (make fuzz builds it)" >&2; missing=1; }
done
[ "$missing" -eq 0 ] || exit 2

printf '%-14s %12s %10s %6s %8s %8s  %s\n' target executions exec/s new crashes seconds result
failed=()
start_all=$SECONDS
for t in "${targets[@]}"; do
  work="$work_root/$t"
  mkdir -p "$work"
  log="$logs/$t.log"
  before=$(find "$artifacts" -name "$t-*" 2>/dev/null | wc -l)
  start=$SECONDS
  if [ -n "${FUZZ_RUNS:-}" ]; then limit="-runs=$FUZZ_RUNS"; else limit="-max_total_time=$seconds"; fi
  nice -n 10 "$BUILD/tests/fuzz/fuzz_$t" "$work" "$SEEDS/$t" \
    "$limit" -max_len="$(max_len "$t")" -timeout=10 -rss_limit_mb=2048 \
    -seed="$seed" -print_final_stats=1 -artifact_prefix="$artifacts/$t-" >"$log" 2>&1
  rc=$?
  took=$((SECONDS - start))
  after=$(find "$artifacts" -name "$t-*" 2>/dev/null | wc -l)
  crashes=$((after - before))
  [ "$rc" -ne 0 ] && [ "$crashes" -eq 0 ] && crashes=1  # died without writing an artifact
  execs=$(stat number_of_executed_units "$log")
  rate=$(stat average_exec_per_sec "$log")
  new=$(stat new_units_added "$log")
  result=ok
  if [ "$crashes" -ne 0 ]; then
    result="CRASH: $(grep -m1 -E 'ERROR:|invariant violated|runtime error' "$log" | cut -c1-100) (log: $log)"
    failed+=("$t")
  fi
  printf '%-14s %12s %10s %6s %8s %8s  %s\n' "$t" "${execs:-?}" "${rate:-?}" "${new:-?}" "$crashes" "$took" "$result"
done
echo "fuzz: ${#targets[@]} targets in $((SECONDS - start_all)) s"
if [ ${#failed[@]} -ne 0 ]; then
  echo "fuzz: FAILED: ${failed[*]}; inputs in $artifacts/" >&2
  exit 1
fi
