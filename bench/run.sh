#!/usr/bin/env bash
# Benchmark runner: starts Gatehouse on a temporary SQLite database, measures this
# machine's ceilings (openssl speed, Argon2id hash time), runs the wrk scenarios and prints
# a table. Loopback only; every load is bounded in time. Usage: bench/run.sh [seconds]
set -euo pipefail
cd "$(dirname "$0")/.."
DURATION=${1:-10}
PORT=${BENCH_PORT:-18181}
BIN=${GATEHOUSE_BINARY:-./build/gatehouse}
DIR=$(mktemp -d /tmp/gatehouse-bench.XXXXXX)
EMAIL=bench@example.com
PASSWORD='bench-password-correct-horse'
export GATEHOUSE_DATA_DIR=$DIR GATEHOUSE_LISTEN=127.0.0.1:$PORT GATEHOUSE_RATE_LIMIT_ENABLED=false \
       GATEHOUSE_MAX_SESSIONS_PER_USER=0 GATEHOUSE_ACCESS_LOG=${BENCH_ACCESS_LOG:-false}
URL=http://127.0.0.1:$PORT
PID=""
cleanup() { [ -z "${NGINX_PID:-}" ] || kill "$NGINX_PID" 2>/dev/null || true; [ -n "$PID" ] && kill "$PID" 2>/dev/null; wait 2>/dev/null || true; cp "$DIR/server.log" /tmp/gatehouse-bench-server.log 2>/dev/null; rm -rf "$DIR"; }
trap cleanup EXIT

now_ms() { date +%s%3N; }
start_server() {  # sets PID and STARTUP_MS
  local t0; t0=$(now_ms)
  $BIN serve >> "$DIR/server.log" 2>&1 &
  PID=$!
  until curl -sf "$URL/readyz" > /dev/null; do sleep 0.005; done
  STARTUP_MS=$(( $(now_ms) - t0 ))
}
stop_server() { kill "$PID"; wait "$PID" 2>/dev/null || true; PID=""; }

$BIN user create --email $EMAIL --password "$PASSWORD" --verified --json > /dev/null
start_server   # first start: creates keys and the admin
stop_server
start_server   # measured: start to ready on an existing database
sleep 1
IDLE_RSS_KB=$(ps -o rss= -p "$PID" | tr -d ' ')

login() { curl -s -X POST "$URL/api/v1/auth/login" -H 'Content-Type: application/json' \
            -d "{\"email\":\"$EMAIL\",\"password\":\"$PASSWORD\"}"; }
TOKEN=$(login | /usr/bin/python3 -c 'import json,sys; print(json.load(sys.stdin)["data"]["access_token"])')
CONNS_REFRESH=32
TOKENS_REFRESH=$((CONNS_REFRESH * 2))  # spare tokens: wrk may ask for a request before handing over a response
: > "$DIR/refresh_tokens"
for _ in $(seq $TOKENS_REFRESH); do
  login | /usr/bin/python3 -c 'import json,sys; print(json.load(sys.stdin)["data"]["refresh_token"])' >> "$DIR/refresh_tokens"
done

# Authorization fixtures: a service with a role granting doc:read to the bench user, and
# an application token of that service.
api() { curl -s -X "$1" "$URL$2" -H 'Content-Type: application/json' -H "Authorization: Bearer $TOKEN" ${3:+-d "$3"}; }
field() { /usr/bin/python3 -c "import json,sys; print(json.load(sys.stdin)$1)"; }
SUBJECT=$(api GET /api/v1/auth/me | field '["data"]["id"]')
SERVICE_ID=$(api POST /api/v1/services '{"name":"bench-docs"}' | field '["data"]["id"]')
ROLE_ID=$(api POST "/api/v1/services/$SERVICE_ID/roles" '{"name":"reader","permissions":["doc:read"]}' | field '["data"]["id"]')
api POST "/api/v1/users/$SUBJECT/services/$SERVICE_ID/roles/$ROLE_ID" > /dev/null
APP_TOKEN=$(api POST /api/v1/tokens "{\"service_id\":\"$SERVICE_ID\",\"name\":\"bench\"}" | field '["data"]["token"]')

# OAuth fixtures: a confidential client for client_credentials and introspection.
CLIENT_JSON=$($BIN client create --name bench --grant client_credentials --scope "api:read" --json 2>/dev/null)
CLIENT_ID=$(field '["client_id"]' <<< "$CLIENT_JSON")
CLIENT_SECRET=$(field '["client_secret"]' <<< "$CLIENT_JSON")
BASIC=$(printf '%s:%s' "$CLIENT_ID" "$CLIENT_SECRET" | base64 -w0)
ACCESS=$(curl -s -X POST "$URL/oauth2/token" -H "Authorization: Basic $BASIC" -d grant_type=client_credentials | field '["access_token"]')

# name | connections | wrk args...
RESULTS=()
run() {
  local name=$1 conns=$2; shift 2
  local out; out=$(wrk -t2 -c"$conns" -d"${DURATION}s" --latency "$@" 2>&1)
  local rps p50 p99 errs
  rps=$(awk '/Requests\/sec/ {print $2}' <<< "$out")
  p50=$(awk '$1=="50%" {print $2}' <<< "$out")
  p99=$(awk '$1=="99%" {print $2}' <<< "$out")
  errs=$(awk '/Non-2xx/ {print $5}' <<< "$out"); errs=${errs:-0}
  RESULTS+=("$(printf '| %-38s | %5s | %12s | %9s | %9s | %8s |' "$name" "$conns" "$rps" "$p50" "$p99" "$errs")")
}
TOKEN=$TOKEN run "GET /api/v1/auth/me" 64 -s bench/me.lua "$URL/api/v1/auth/me"
run "GET /.well-known/jwks.json" 64 "$URL/.well-known/jwks.json"
TOKEN=$TOKEN SUBJECT=$SUBJECT SERVICE=bench-docs run "POST /api/v1/authz/check" 64 -s bench/authz_check.lua "$URL/api/v1/authz/check"
APP_TOKEN=$APP_TOKEN run "GET /api/v1/tokens/validate" 64 -s bench/token_validate.lua "$URL/api/v1/tokens/validate"
BASIC=$BASIC run "POST /oauth2/token (client_credentials)" 64 -s bench/client_credentials.lua "$URL/oauth2/token"
BASIC=$BASIC ACCESS=$ACCESS run "POST /oauth2/introspect" 64 -s bench/introspect.lua "$URL/oauth2/introspect"
run "GET /.well-known/openid-configuration" 64 "$URL/.well-known/openid-configuration"
EMAIL=$EMAIL PASSWORD=$PASSWORD run "POST /api/v1/auth/login" 16 -s bench/login.lua "$URL/api/v1/auth/login"
TOKENS_FILE=$DIR/refresh_tokens TOKENS_PER_THREAD=$((TOKENS_REFRESH / 2)) \
  run "POST /api/v1/auth/refresh" $CONNS_REFRESH -s bench/refresh.lua "$URL/api/v1/auth/refresh"
LOADED_RSS_KB=$(ps -o rss= -p "$PID" | tr -d ' ')

# Ratios to a reference on the same machine in the same run: one nginx worker answering a
# static 200. wrk -t1 -c32, RATIO_RUNS runs of RATIO_SECONDS each, the scenarios interleaved
# so that drift of the shared VM hits all of them alike; medians with min-max.
RATIO_RUNS=${RATIO_RUNS:-5}
RATIO_SECONDS=${RATIO_SECONDS:-5}
NGINX_PORT=$((PORT + 1))
mkdir -p "$DIR/nginx/logs"
cat > "$DIR/nginx/nginx.conf" <<NGINX
worker_processes 1;
daemon off;
pid $DIR/nginx/nginx.pid;
error_log $DIR/nginx/logs/error.log;
events { worker_connections 1024; }
http {
  access_log off;
  server { listen 127.0.0.1:$NGINX_PORT; location / { return 200 "ok\n"; } }
}
NGINX
nginx -p "$DIR/nginx" -c "$DIR/nginx/nginx.conf" &
NGINX_PID=$!
until curl -sf "http://127.0.0.1:$NGINX_PORT/" > /dev/null; do sleep 0.01; done
ratio_rps() { wrk -t1 -c32 -d"${RATIO_SECONDS}s" "$@" 2>&1 | awk '/Requests\/sec/ {print $2}'; }
RATIO_NAMES=(nginx healthz me client_credentials introspect)
for _ in $(seq "$RATIO_RUNS"); do
  ratio_rps "http://127.0.0.1:$NGINX_PORT/" >> "$DIR/ratio_nginx"
  ratio_rps "$URL/healthz" >> "$DIR/ratio_healthz"
  TOKEN=$TOKEN ratio_rps -s bench/me.lua "$URL/api/v1/auth/me" >> "$DIR/ratio_me"
  BASIC=$BASIC ratio_rps -s bench/client_credentials.lua "$URL/oauth2/token" >> "$DIR/ratio_client_credentials"
  BASIC=$BASIC ACCESS=$ACCESS ratio_rps -s bench/introspect.lua "$URL/oauth2/introspect" >> "$DIR/ratio_introspect"
done
kill "$NGINX_PID" 2>/dev/null; wait "$NGINX_PID" 2>/dev/null || true; NGINX_PID=""
median_of() { sort -g "$1" | awk '{v[NR]=$1} END {print (NR % 2) ? v[(NR+1)/2] : (v[NR/2] + v[NR/2+1]) / 2}'; }
min_of() { sort -g "$1" | head -1; }
max_of() { sort -g "$1" | tail -1; }
NGINX_MEDIAN=$(median_of "$DIR/ratio_nginx")
HASH_THREADS=$(nproc)

# Ceilings on this machine
HASH_MS=$(./build/gatehouse_hash_bench 19456 2 40)
# The same hash on every hashing thread at once: memory bandwidth makes each one slower.
PAR_FILES=(); PAR_PIDS=()
for t in $(seq "$HASH_THREADS"); do
  f=$(mktemp); PAR_FILES+=("$f")
  ./build/gatehouse_hash_bench 19456 2 40 > "$f" &
  PAR_PIDS+=($!)
done
wait "${PAR_PIDS[@]}"  # only these: the server is a background child too
PAR_MS=$(cat "${PAR_FILES[@]}" | awk '{s += $1} END {printf "%.3f", s / NR}')
rm -f "${PAR_FILES[@]}"
PAR_CEIL=$(awk -v t="$HASH_THREADS" -v ms="$PAR_MS" 'BEGIN {printf "%.1f", t * 1000 / ms}')
SPEED=$(openssl speed -seconds 2 ecdsap256 ed25519 rsa2048 2>/dev/null)
es_sign=$(awk '/256 bits ecdsa \(nistp256\)/ {print $(NF-1)}' <<< "$SPEED" | head -1)
es_verify=$(awk '/256 bits ecdsa \(nistp256\)/ {print $NF}' <<< "$SPEED" | head -1)
ed_sign=$(awk '/253 bits EdDSA \(Ed25519\)/ {print $(NF-1)}' <<< "$SPEED" | head -1)
ed_verify=$(awk '/253 bits EdDSA \(Ed25519\)/ {print $NF}' <<< "$SPEED" | head -1)
rsa_sign=$(awk '/^rsa 2048 bits/ {print $(NF-1)}' <<< "$SPEED" | head -1)
rsa_verify=$(awk '/^rsa 2048 bits/ {print $NF}' <<< "$SPEED" | head -1)
LOGIN_CEIL=$(awk -v t="$HASH_THREADS" -v ms="$HASH_MS" 'BEGIN {printf "%.1f", t * 1000 / ms}')

echo
echo "Gatehouse benchmark ($(nproc) cores, wrk -t2 on the same machine, ${DURATION}s per scenario, SQLite)"
echo
echo "| scenario                               | conns |        req/s |       p50 |       p99 | non-2xx  |"
echo "|----------------------------------------|-------|--------------|-----------|-----------|----------|"
printf '%s\n' "${RESULTS[@]}"
echo
echo "| ceiling (one core unless noted)          | value |"
echo "|------------------------------------------|-------|"
echo "| Argon2id verify, m=19 MiB t=2 (ms)        | $HASH_MS |"
echo "| login ceiling: $HASH_THREADS hash threads / hash time (req/s) | $LOGIN_CEIL |"
echo "| Argon2id with $HASH_THREADS hashes in parallel (ms each)   | $PAR_MS |"
echo "| measured parallel hashing ceiling (req/s)         | $PAR_CEIL |"
echo "| ES256 sign / verify per s (openssl speed) | $es_sign / $es_verify |"
echo "| Ed25519 sign / verify per s               | $ed_sign / $ed_verify |"
echo "| RS256 sign / verify per s                 | $rsa_sign / $rsa_verify |"
echo
echo "Ratios to one nginx worker (static 200), wrk -t1 -c32, $RATIO_RUNS runs of ${RATIO_SECONDS}s, interleaved"
echo
echo "| scenario | median req/s | min–max | ratio (median) | ratio (min) | target |"
echo "|---|---:|---:|---:|---:|---|"
for n in "${RATIO_NAMES[@]}"; do
  f="$DIR/ratio_$n"
  case $n in
    me) target="≥ 0.45×, min ≥ 0.40×" ;; client_credentials) target="≥ 0.30×" ;;
    introspect) target="≥ 0.45×" ;; *) target="" ;;
  esac
  awk -v n="$n" -v med="$(median_of "$f")" -v lo="$(min_of "$f")" -v hi="$(max_of "$f")" -v ref="$NGINX_MEDIAN" -v t="$target" \
    'BEGIN {printf "| %s | %.0f | %.0f–%.0f | %.2f× | %.2f× | %s |\n", n, med, lo, hi, med / ref, lo / ref, t}'
done
echo
echo "start to ready on an existing database: ${STARTUP_MS} ms (includes process start; polled every 5 ms)"
echo "RSS idle: $((IDLE_RSS_KB / 1024)) MiB; after the runs: $((LOADED_RSS_KB / 1024)) MiB"
