#!/usr/bin/env bash
# `make serve`: run the freshly built server on the embedded default (SQLite under ./data).
set -euo pipefail
cd "$(dirname "$0")/.."
mkdir -p "${GATEHOUSE_DATA_DIR:-./data}"
exec "./${BUILD_DIR:-build}/gatehouse" serve "$@"
