#!/usr/bin/env bash
# Admission control under a login flood (issue 9). One run, one server (SQLite, rate limits
# off, production Argon2id cost), three phases of the same foreground traffic:
#   alone:   refresh (16 connections) and GET /api/v1/auth/me (16 connections) together;
#   flood:   the same, while FLOOD_CONNS connections post valid logins paced to FLOOD_FACTOR
#            (default 8) times the hashing capacity (hash threads / one hash time);
#   torrent: the same, with the logins unpaced (closed loop: each connection sends its next
#            login as soon as the 503 comes back, ignoring Retry-After).
# Prints the p99 of refresh and of /me per phase, the logins' answers (200 vs 503) and their
# rate as a multiple of the capacity, and checks the targets on the paced flood: p99 <=
# max(3 x alone, 50 ms) for refresh, max(3 x alone, 20 ms) for /me.
# Usage: bench/flood.sh [seconds per phase]   (GATEHOUSE_BINARY picks the binary)
set -euo pipefail
cd "$(dirname "$0")/.."
DURATION=${1:-15}
FLOOD_CONNS=${FLOOD_CONNS:-256}
FLOOD_FACTOR=${FLOOD_FACTOR:-8}
PORT=${BENCH_PORT:-18191}
BIN=${GATEHOUSE_BINARY:-./build/gatehouse}
DIR=$(mktemp -d /tmp/gatehouse-flood.XXXXXX)
EMAIL=flood@example.com
PASSWORD='flood-password-correct-horse'
export GATEHOUSE_DATA_DIR=$DIR GATEHOUSE_LISTEN=127.0.0.1:$PORT GATEHOUSE_RATE_LIMIT_ENABLED=false \
       GATEHOUSE_MAX_SESSIONS_PER_USER=0 GATEHOUSE_ACCESS_LOG=false
URL=http://127.0.0.1:$PORT
PID=""
WRK_PIDS=()
cleanup() {
  for p in "${WRK_PIDS[@]}"; do kill "$p" 2>/dev/null || true; done
  [ -n "$PID" ] && kill "$PID" 2>/dev/null
  wait 2>/dev/null || true
  [ -n "${KEEP_DIR:-}" ] && cp -r "$DIR" "$KEEP_DIR"; rm -rf "$DIR"
}
trap cleanup EXIT

# The hashing capacity, measured before the server runs (nothing else on the CPU).
HASH_THREADS=${GATEHOUSE_HASH_THREADS:-$(nproc)}  # the server's default: one per core
HASH_MS=$(./build/gatehouse_hash_bench 19456 2 20)
CAPACITY=$(awk -v t="$HASH_THREADS" -v ms="$HASH_MS" 'BEGIN {printf "%.1f", t * 1000 / ms}')
# Each flood connection waits conns / rate between logins (its own answer time comes on top).
DELAY_MS=$(awk -v c="$FLOOD_CONNS" -v cap="$CAPACITY" -v f="$FLOOD_FACTOR" 'BEGIN {printf "%d", 1000 * c / (cap * f)}')

$BIN user create --email $EMAIL --password "$PASSWORD" --verified --json > /dev/null
$BIN serve >> "$DIR/server.log" 2>&1 &
PID=$!
until curl -sf "$URL/readyz" > /dev/null; do sleep 0.01; done

login() { curl -s -X POST "$URL/api/v1/auth/login" -H 'Content-Type: application/json' \
            -d "{\"email\":\"$EMAIL\",\"password\":\"$PASSWORD\"}"; }
json_field() { /usr/bin/python3 -c "import json,sys; print(json.load(sys.stdin)[\"data\"][\"$1\"])"; }
TOKEN=$(login | json_field access_token)
REFRESH_CONNS=16
: > "$DIR/refresh_tokens"
for phase in alone flood torrent; do  # each phase its own tokens: a rotated token is spent
  for _ in $(seq $((REFRESH_CONNS * 2))); do login | json_field refresh_token >> "$DIR/tokens_$phase"; done
done

p99_ms() {  # wrk --latency output -> p99 in ms
  awk '$1=="99%" { v=$2; if (v ~ /us$/) { sub(/us/,"",v); v/=1000 } else if (v ~ /ms$/) { sub(/ms/,"",v) }
                   else if (v ~ /s$/) { sub(/s/,"",v); v*=1000 } printf "%.2f", v }' "$1"
}
rps() { awk '/Requests\/sec/ {print $2}' "$1"; }
timeouts() { local n; n=$(grep -o 'timeout [0-9]*' "$1" | awk '{print $2}'); echo "${n:-0}"; }
# p99 in ms; a request wrk gave up on (2 s) counts as 2000 ms, so timeouts cannot look fast.
p99_or_timeout() { if [ "$(timeouts "$1")" -gt 0 ]; then echo 2000; else p99_ms "$1"; fi; }
p99_cell() { if [ "$(timeouts "$1")" -gt 0 ]; then echo ">2000 ($(timeouts "$1") t/o)"; else p99_ms "$1"; fi; }
non2xx() { local n; n=$(awk '/Non-2xx/ {print $5}' "$1"); echo "${n:-0}"; }

foreground() {  # phase name: refresh and /me side by side, both to $DIR/<phase>-*.txt
  local phase=$1
  TOKENS_FILE=$DIR/tokens_$phase TOKENS_PER_THREAD=$((REFRESH_CONNS * 2)) \
    wrk -t1 -c$REFRESH_CONNS -d"${DURATION}s" --latency -s bench/refresh.lua "$URL/api/v1/auth/refresh" \
    > "$DIR/$phase-refresh.txt" 2>&1 &
  local a=$!
  TOKEN=$TOKEN wrk -t1 -c16 -d"${DURATION}s" --latency -s bench/me.lua "$URL/api/v1/auth/me" \
    > "$DIR/$phase-me.txt" 2>&1 &
  local b=$!
  wait $a $b
}

flood() {  # phase delay_ms: the logins start first and run past the foreground on both ends
  EMAIL=$EMAIL PASSWORD=$PASSWORD DELAY_MS=$2 wrk -t1 -c"$FLOOD_CONNS" -d"$((DURATION + 4))s" --latency \
    -s bench/flood_login.lua "$URL/api/v1/auth/login" > "$DIR/$1-login.txt" 2>&1 &
  WRK_PIDS=($!)
  sleep 2  # the flood reaches its steady state (a warm-up, not a wait for a condition)
  foreground "$1"
  wait "${WRK_PIDS[@]}"
  WRK_PIDS=()
}

foreground alone
flood flood "$DELAY_MS"
flood torrent 0
LOGIN_SECS=$((DURATION + 4))
count() { grep -o "$2=[0-9]*" "$DIR/$1-login.txt" | head -1 | cut -d= -f2; }
login_row() {  # phase
  printf '| %-7s | %10s | %8s | %16s | %12s | %13s |\n' "$1" "$(rps "$DIR/$1-login.txt")" \
    "$(awk -v o="$(rps "$DIR/$1-login.txt")" -v c="$CAPACITY" 'BEGIN {printf "%.1fx", o / c}')" \
    "$(awk -v n="$(count "$1" ok)" -v s="$LOGIN_SECS" 'BEGIN {printf "%.1f", n / s}')" \
    "$(count "$1" busy)" "$(p99_cell "$DIR/$1-login.txt")"
}

verdict() {  # flood alone floor_ms
  awk -v f="$1" -v a="$2" -v floor="$3" 'BEGIN { lim = 3 * a; if (lim < floor) lim = floor;
    printf "%s (limit %.1f ms)", (f <= lim ? "PASS" : "FAIL"), lim }'
}
row() {  # label file-stem floor_ms
  local a f t
  a=$(p99_or_timeout "$DIR/alone-$2.txt"); f=$(p99_or_timeout "$DIR/flood-$2.txt")
  printf '| %-25s | %9s | %9s | %9s | %9s | %9s | %9s | %s |\n' "$1" \
    "$(rps "$DIR/alone-$2.txt")" "$(p99_cell "$DIR/alone-$2.txt")" "$(rps "$DIR/flood-$2.txt")" \
    "$(p99_cell "$DIR/flood-$2.txt")" "$(rps "$DIR/torrent-$2.txt")" "$(p99_cell "$DIR/torrent-$2.txt")" \
    "$(verdict "$f" "$a" "$3")"
}

echo
echo "Login flood ($(nproc) cores, ${DURATION}s per phase, $FLOOD_CONNS login connections, SQLite)"
echo "hashing capacity: $HASH_THREADS threads / ${HASH_MS} ms = $CAPACITY logins/s; paced flood: ${DELAY_MS} ms between a connection's logins"
echo
echo "| foreground (p99 in ms)    | alone r/s | alone p99 | flood r/s | flood p99 | torr. r/s | torr. p99 | target (paced flood) |"
echo "|---------------------------|-----------|-----------|-----------|-----------|-----------|-----------|----------------------|"
row "POST /api/v1/auth/refresh" refresh 50
row "GET /api/v1/auth/me" me 20
echo
echo "| logins  | answers/s  | × capacity | logged in/s (200) | 503 (busy)   | p99 ms (all)  |"
echo "|---------|------------|----------|------------------|--------------|---------------|"
login_row flood
login_row torrent
echo
echo "non-2xx in the foreground: refresh $(non2xx "$DIR/flood-refresh.txt") / $(non2xx "$DIR/torrent-refresh.txt"), me $(non2xx "$DIR/flood-me.txt") / $(non2xx "$DIR/torrent-me.txt") (flood / torrent)"
