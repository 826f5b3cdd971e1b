#!/usr/bin/env bash
# API fuzzing from the OpenAPI document (tests/schemathesis/README.md).
#
# Starts a private gatehouse (free loopback port, temp data dir, cheap Argon2, no rate
# limits), logs in an administrator, and runs schemathesis against
# /api/v1/openapi.json with the checks not_a_server_error, status_code_conformance,
# content_type_conformance and response_schema_conformance. Fails when schemathesis reports a
# failure, when the server dies during the run, or when a sanitizer report appears (an ASan
# binary can be fuzzed too: GATEHOUSE_BINARY=build-asan/gatehouse).
#
#   scripts/schemathesis.sh          bounded run (part of `make test`)
#   scripts/schemathesis.sh --long   long run (`make fuzz-api`): fuzzing repeats until the
#                                    time budget is spent
#
# Environment:
#   GATEHOUSE_BINARY           binary under test (default build/gatehouse; copied first)
#   SCHEMATHESIS_MAX_EXAMPLES  cases per operation and phase (default 20; --long: 200)
#   SCHEMATHESIS_MAX_TIME      bounded: hard limit in seconds for the whole run (default 900);
#                              --long: the fuzzing budget (default 1800)
#   SCHEMATHESIS_WORKERS       concurrent workers (default 1, see below)
#   SCHEMATHESIS_SEED          fixed seed (default: random, printed)
#   SCHEMATHESIS_REPORT_DIR    reports (JUnit, JSON, cassette) go here (default build/schemathesis-report)
#   SCHEMATHESIS_ARGS          extra arguments for `schemathesis run`
set -euo pipefail

cd "$(dirname "${BASH_SOURCE[0]}")/.."
ROOT=$PWD
SCHEMATHESIS_VERSION=4.32.5
VENV="$ROOT/build/venv-schemathesis"
LONG=0
[ "${1:-}" = "--long" ] && LONG=1

BINARY="${GATEHOUSE_BINARY:-$ROOT/build/gatehouse}"
if [ $LONG = 1 ]; then
  MAX_EXAMPLES="${SCHEMATHESIS_MAX_EXAMPLES:-200}"
  MAX_TIME="${SCHEMATHESIS_MAX_TIME:-1800}"
else
  MAX_EXAMPLES="${SCHEMATHESIS_MAX_EXAMPLES:-20}"
  MAX_TIME="${SCHEMATHESIS_MAX_TIME:-900}"
fi
# One worker by default: with several, hypothesis parses lambda sources from several threads at
# once, and the Debian Python 3.11.2 ast module then fails ("AST constructor recursion depth
# mismatch", CPython gh-106905, fixed in 3.11.5), an error of the tool that fails the run.
WORKERS="${SCHEMATHESIS_WORKERS:-1}"
REPORT_DIR="$(realpath -m "${SCHEMATHESIS_REPORT_DIR:-$ROOT/build/schemathesis-report}")"
CHECKS=not_a_server_error,status_code_conformance,content_type_conformance,response_schema_conformance

if [ ! -x "$BINARY" ]; then
  echo "schemathesis: $BINARY is missing; build first (make build)" >&2
  exit 2
fi

# ---- schemathesis in its own venv (the Debian python, pinned version)
if [ "$("$VENV/bin/schemathesis" --version 2>/dev/null)" != "schemathesis, version $SCHEMATHESIS_VERSION" ]; then
  echo "== installing schemathesis $SCHEMATHESIS_VERSION into $VENV"
  rm -rf "$VENV"
  /usr/bin/python3 -m venv "$VENV"
  "$VENV/bin/pip" install -q --disable-pip-version-check "schemathesis==$SCHEMATHESIS_VERSION"
fi
ST="$VENV/bin/schemathesis"
PY="$VENV/bin/python"

# ---- a private server
WORK=$(mktemp -d /tmp/gh-schemathesis.XXXXXX)
SERVER_PID=""
cleanup() {
  if [ -n "$SERVER_PID" ] && kill -0 "$SERVER_PID" 2>/dev/null; then
    kill -TERM "$SERVER_PID" 2>/dev/null || true
    for _ in $(seq 1 100); do kill -0 "$SERVER_PID" 2>/dev/null || break; sleep 0.2; done
    kill -KILL "$SERVER_PID" 2>/dev/null || true
  fi
  rm -rf "$WORK"
}
trap cleanup EXIT

cp "$BINARY" "$WORK/gatehouse"
mkdir -p "$WORK/data" "$WORK/sanitizer" "$REPORT_DIR"
PORT=$("$PY" -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
BASE="http://127.0.0.1:$PORT"
ADMIN_EMAIL=fuzz-admin@example.com
ADMIN_PASSWORD="fuzz-$("$PY" -c 'import secrets; print(secrets.token_urlsafe(18))')"

# Only this script's GATEHOUSE_* settings reach the server. A sanitizer build writes its
# reports to $WORK/sanitizer (checked at the end); other binaries ignore these variables.
server_env=(env $(env | grep -o '^GATEHOUSE_[A-Z0-9_]*' | sed 's/^/-u /')
  GATEHOUSE_ARGON2_MEMORY_KIB=1024 GATEHOUSE_ARGON2_ITERATIONS=1
  GATEHOUSE_RATE_LIMIT_ENABLED=false
  GATEHOUSE_ACCESS_TOKEN_TTL=86400
  GATEHOUSE_IO_THREADS=2 GATEHOUSE_HASH_THREADS=2
  GATEHOUSE_ADMIN_EMAIL="$ADMIN_EMAIL" GATEHOUSE_ADMIN_PASSWORD="$ADMIN_PASSWORD"
  ASAN_OPTIONS="${ASAN_OPTIONS:-detect_leaks=1:abort_on_error=1:halt_on_error=1}:log_path=$WORK/sanitizer/asan"
  UBSAN_OPTIONS="${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}:log_path=$WORK/sanitizer/ubsan"
  LSAN_OPTIONS="suppressions=$ROOT/tests/asan/lsan.supp:print_suppressions=0")
(cd "$WORK/data" && exec "${server_env[@]}" "$WORK/gatehouse" serve --listen "127.0.0.1:$PORT" \
   --data-dir "$WORK/data" >"$WORK/server.log" 2>&1) &
SERVER_PID=$!
for _ in $(seq 1 300); do
  curl -fs -m 2 "$BASE/healthz" >/dev/null 2>&1 && break
  kill -0 "$SERVER_PID" 2>/dev/null || { echo "schemathesis: the server exited during start:" >&2; tail -30 "$WORK/server.log" >&2; exit 1; }
  sleep 0.1
done
curl -fs -m 2 "$BASE/healthz" >/dev/null || { echo "schemathesis: the server did not become ready" >&2; exit 1; }
echo "== gatehouse $BINARY on $BASE (pid $SERVER_PID)"

# ---- principals: the administrator (main run); the second run makes its own users
api() {  # api METHOD PATH JSON [TOKEN] -> body on stdout
  local auth=()
  [ -n "${4:-}" ] && auth=(-H "Authorization: Bearer $4")
  curl -s -m 30 -X "$1" "$BASE$2" -H 'Content-Type: application/json' "${auth[@]}" -d "$3"
}
field() { "$PY" -c 'import json,sys; d=json.load(sys.stdin); [d := d[k] for k in sys.argv[1].split(".")]; print(d)' "$1"; }

login=$(api POST /api/v1/auth/login "{\"email\":\"$ADMIN_EMAIL\",\"password\":\"$ADMIN_PASSWORD\"}")
ADMIN_TOKEN=$(field data.access_token <<<"$login") || { echo "schemathesis: admin login failed: $login" >&2; exit 1; }
export GH_FUZZ_ADMIN_ID GH_FUZZ_SESSION_ID
GH_FUZZ_ADMIN_ID=$(field data.user.id <<<"$login")
GH_FUZZ_SESSION_ID=$(field data.session_id <<<"$login")

# The registration flow itself, once (the second pass registers a user per case).
USER_PASSWORD="Fuzz-user-$("$PY" -c 'import secrets; print(secrets.token_urlsafe(18))')"
reg=$(api POST /api/v1/auth/register "{\"email\":\"fuzz-user@example.com\",\"password\":\"$USER_PASSWORD\"}")
[ "$(field success <<<"$reg")" = True ] || { echo "schemathesis: registration failed: $reg" >&2; exit 1; }
USER_ID=$(field data.id <<<"$reg")
# One of each resource, so that cases reach existing ones too (hooks.py maps path parameters).
export GH_FUZZ_IDS
GH_FUZZ_IDS=$("$PY" "$ROOT/tests/schemathesis/seed.py" "$BASE" "$ADMIN_TOKEN" "$USER_ID")
echo "== seeded resources: $GH_FUZZ_IDS"

# ---- schemathesis
export SCHEMATHESIS_HOOKS="${SCHEMATHESIS_HOOKS:-hooks}"  # another module may extend hooks.py
export PYTHONPATH="$ROOT/tests/schemathesis${PYTHONPATH:+:$PYTHONPATH}" PYTHONDONTWRITEBYTECODE=1
SEED="${SCHEMATHESIS_SEED:-$("$PY" -c 'import secrets; print(secrets.randbits(64))')}"
common=(--checks "$CHECKS" --max-examples "$MAX_EXAMPLES" --workers "$WORKERS" --seed "$SEED"
        --max-redirects 0 --request-timeout 30 --no-color --generation-database none
        --report junit,json --report-dir "$REPORT_DIR" ${SCHEMATHESIS_ARGS:-})
# Operations that end the caller's own session or account run last, each case with a user of
# its own (tests/schemathesis/hooks.py).
OWN=(DELETE_api_v1_users_me POST_api_v1_auth_logout POST_api_v1_users_me_password)
exclude=(); include=()
for id in "${OWN[@]}"; do exclude+=(--exclude-operation-id "$id"); include+=(--include-operation-id "$id"); done

if [ $LONG = 1 ]; then
  limit=(timeout -k 30 $((MAX_TIME + 900)))
  main_time=(--max-time "$MAX_TIME")
  own_time=(--max-time $((MAX_TIME / 20 + 30)))
else
  # Bounded: no --max-time (schemathesis would spend all of it fuzzing); a hard limit instead.
  limit=(timeout -k 30 "$MAX_TIME")
  main_time=(); own_time=()
fi

echo "== schemathesis $SCHEMATHESIS_VERSION: max-examples $MAX_EXAMPLES, seed $SEED, limit ${MAX_TIME}s"
rc=0
# Schemathesis keeps replayable crashes in ./.schemathesis: run it from the report dir
# (`cd build/schemathesis-report && st replay <id>`), not from the work tree.
cd "$REPORT_DIR"
"${limit[@]}" "$ST" --config-file "$ROOT/tests/schemathesis/schemathesis.toml" run "$BASE/api/v1/openapi.json" \
  -H "Authorization: Bearer $ADMIN_TOKEN" "${exclude[@]}" "${main_time[@]}" "${common[@]}" \
  --report-junit-path "$REPORT_DIR/junit-main.xml" --report-json-path "$REPORT_DIR/main.json" || rc=$?
echo "== schemathesis: operations that end the caller's session (a fresh user per case)"
GH_FUZZ_FRESH_USERS="$BASE" \
"${limit[@]}" "$ST" --config-file "$ROOT/tests/schemathesis/schemathesis.toml" run "$BASE/api/v1/openapi.json" \
  "${include[@]}" "${own_time[@]}" "${common[@]}" \
  --report-junit-path "$REPORT_DIR/junit-own.xml" --report-json-path "$REPORT_DIR/own.json" || rc=$((rc ? rc : $?))

cd "$ROOT"

# ---- verdict
"$PY" - "$REPORT_DIR/main.json" "$REPORT_DIR/own.json" <<'EOF' || true
import json, sys
ops = cases = failing = 0
for p in sys.argv[1:]:
    try:
        d = json.load(open(p))
    except (OSError, ValueError):
        continue
    ops += d["operations"]["tested"]
    cases += d["test_cases"]["generated"]
    failing += d["test_cases"]["unique_failures"]
print(f"schemathesis: {ops} operations tested, {cases} test cases, {failing} unique failures")
EOF
failed=()
[ "$rc" -eq 124 ] && echo "schemathesis: the run hit the ${MAX_TIME}s limit" >&2
[ "$rc" -ne 0 ] && failed+=("schemathesis(exit $rc)")
if ! kill -0 "$SERVER_PID" 2>/dev/null; then
  wait "$SERVER_PID" && src=0 || src=$?
  echo "schemathesis: THE SERVER DIED during the run (exit $src); log tail:" >&2
  tail -40 "$WORK/server.log" >&2
  failed+=("server-died")
  SERVER_PID=""
fi
if [ -n "$SERVER_PID" ]; then  # a clean stop, by PID
  kill -TERM "$SERVER_PID"
  wait "$SERVER_PID" && src=0 || src=$?
  SERVER_PID=""
  [ "$src" -ne 0 ] && { echo "schemathesis: the server exited $src on SIGTERM" >&2; failed+=("server-exit-$src"); }
fi
if [ -n "$(find "$WORK/sanitizer" -type f -size +0)" ]; then
  echo "schemathesis: sanitizer reports:" >&2
  for f in "$WORK/sanitizer"/*; do echo "--- $f" >&2; head -60 "$f" >&2; cp "$f" "$REPORT_DIR/"; done
  failed+=("sanitizer")
fi
# UBSan in the combined gcc runtime reports on stderr (the server log) whatever log_path says.
if grep -qE "runtime error:|ERROR: (Address|Leak|UndefinedBehavior)Sanitizer" "$WORK/server.log"; then
  echo "schemathesis: sanitizer reports in the server log:" >&2
  grep -E -A8 "runtime error:|ERROR: (Address|Leak|UndefinedBehavior)Sanitizer" "$WORK/server.log" | head -40 >&2
  failed+=("sanitizer-in-log")
fi
grep -q '"level":"error"' "$WORK/server.log" && { echo "schemathesis: errors in the server log:" >&2; grep '"level":"error"' "$WORK/server.log" | head -20 >&2; }
cp "$WORK/server.log" "$REPORT_DIR/server.log"
if [ ${#failed[@]} -ne 0 ]; then
  echo "schemathesis: FAILED: ${failed[*]} (reports in $REPORT_DIR)" >&2
  exit 1
fi
echo "schemathesis: passed (reports in $REPORT_DIR)"
