#!/usr/bin/env bash
# Memory soak: N minutes (default 10) of mixed traffic from 6 keep-alive client threads
# against a fresh server on a free loopback port, with RSS printed every 10 s and the growth
# after the first minute at the end (target: <= 8 MiB). Uses a private copy of the binary,
# so a rebuild of build/gatehouse during the run does not matter. Loopback only; bounded in
# time and request count; the server is stopped by PID at the end.
#
# Usage: bench/soak.sh [minutes] [soak.py options: --threads N --interval S --csv FILE
#                      --max-requests N --target-mib M --check --keep]
# Server settings: any GATEHOUSE_* variable in the environment overrides the soak defaults
# (cheap Argon2, rate limits off, access log off); MALLOC_ARENA_MAX etc. pass through.
#   e.g. GATEHOUSE_TOKEN_CACHE_ENTRIES=10000 MALLOC_ARENA_MAX=2 bench/soak.sh 3
set -euo pipefail
cd "$(dirname "$0")/.."
MINUTES=${1:-10}
[ $# -gt 0 ] && shift
BIN=${GATEHOUSE_BINARY:-build/gatehouse}

# Wait (up to 10 min) for a binary that is not being written, then copy it.
for _ in $(seq 300); do
  if [ -x "$BIN" ]; then
    s1=$(stat -c '%s %Y' "$BIN"); sleep 1; s2=$(stat -c '%s %Y' "$BIN")
    [ "$s1" = "$s2" ] && break
  fi
  sleep 1
done
[ -x "$BIN" ] || { echo "soak: $BIN not found (build it first)" >&2; exit 1; }
COPY_DIR=$(mktemp -d /tmp/gh-soak-bin.XXXXXX)
trap 'rm -rf "$COPY_DIR"' EXIT
cp "$BIN" "$COPY_DIR/gatehouse"
"$COPY_DIR/gatehouse" version > /dev/null || { echo "soak: $BIN does not run" >&2; exit 1; }
echo "binary: $BIN ($(stat -c '%y' "$BIN" | cut -d. -f1)), repo HEAD $(git rev-parse --short HEAD 2>/dev/null || echo "?") (the binary may hold uncommitted changes)"
/usr/bin/python3 bench/soak.py --binary "$COPY_DIR/gatehouse" --minutes "$MINUTES" "$@"
