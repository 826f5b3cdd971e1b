#!/usr/bin/python3
"""Runs the store contract suite's PostgreSQL instances against a private cluster.

Starts a throw-away PostgreSQL on 127.0.0.1 (the Postgres class of tests/api/ghtest.py),
with its data directory on tmpfs (/dev/shm) when there is one, runs gatehouse_contract
with GATEHOUSE_CONTRACT_PG_URL pointing at its admin database and --gtest_filter=*/postgres
(each test creates and drops its own database there), streams the output, stops the
cluster and exits with the test binary's code.

  /usr/bin/python3 tests/contract/run_postgres.py [path/to/gatehouse_contract] [gtest args...]

The binary defaults to $BUILD_DIR/gatehouse_contract (BUILD_DIR defaults to build).
Extra arguments go to the binary; a later --gtest_filter replaces the default one.
"""
from __future__ import annotations

import os
import subprocess
import sys
import tempfile
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(REPO / "tests" / "api"))

from ghtest import Postgres  # noqa: E402  (needs the path above)

PG_FILTER = "--gtest_filter=*/postgres"


def tmpfs_dir() -> str | None:
    """/dev/shm when it is a writable tmpfs mount, else None.

    Every test creates and drops a database, a directory of some 450 files; on the
    disk-backed /tmp that file traffic, not the SQL, was most of the run (about 0.5 s of
    server CPU per CREATE DATABASE against 0.04 s on tmpfs, and several-fold swings from run
    to run with the disk's other load). The cluster is thrown away afterwards and runs with
    fsync=off anyway, so keeping it in memory loses nothing.
    """
    try:
        with open("/proc/mounts") as mounts:
            tmpfs = any(line.split()[1:3] == ["/dev/shm", "tmpfs"] for line in mounts)
    except OSError:
        return None
    return "/dev/shm" if tmpfs and os.access("/dev/shm", os.W_OK | os.X_OK) else None


def main(argv: list[str]) -> int:
    if argv and not argv[0].startswith("-"):
        binary, extra = Path(argv[0]), argv[1:]
    else:
        binary, extra = REPO / os.environ.get("BUILD_DIR", "build") / "gatehouse_contract", argv
    binary = binary.resolve()
    if not os.access(binary, os.X_OK):
        print(f"run_postgres: {binary} is missing; build it first "
              f"(ninja -C <build dir> gatehouse_contract)", file=sys.stderr)
        return 2

    # Postgres() makes its directory with tempfile.mkdtemp, so this moves the whole cluster.
    tempfile.tempdir = tmpfs_dir()
    pg = Postgres()
    try:
        pg.start()
        env = dict(os.environ, GATEHOUSE_CONTRACT_PG_URL=pg.url("postgres"))
        cmd = [str(binary), PG_FILTER, *extra]
        print(f"run_postgres: PostgreSQL on 127.0.0.1:{pg.port} (data in {pg.dir}); {' '.join(cmd)}",
              flush=True)
        # Output streams straight through: the child inherits stdout and stderr.
        return subprocess.run(cmd, env=env).returncode
    except (OSError, subprocess.SubprocessError) as e:
        print(f"run_postgres: could not start PostgreSQL: {e}", file=sys.stderr)
        err = getattr(e, "stderr", None)
        if err:
            print(err, file=sys.stderr)
        return 2
    finally:
        pg.stop()


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
