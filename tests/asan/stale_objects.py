#!/usr/bin/env python3
"""Deletes objects of a ninja build that are older than a header edited while they compiled.

In a work tree that others edit during a build, a header can change after a compiler read it
but before the object was written; ninja 1.11 then takes the object (newer than the header)
as up to date, and two objects compiled against two layouts of one struct make AddressSanitizer
report overflows that no source has. Usage: stale_objects.py BUILD_DIR; prints and deletes the
stale objects (exit 0), so that the next ninja run rebuilds them.
"""
import os
import subprocess
import sys

build = sys.argv[1]
started = {}  # output -> wall-clock second its last command started
with open(os.path.join(build, ".ninja_log")) as f:
    for line in f:
        if line.startswith("#"):
            continue
        parts = line.rstrip("\n").split("\t")
        if len(parts) < 5:
            continue
        start_ms, end_ms, mtime_ns, out = int(parts[0]), int(parts[1]), int(parts[2]), parts[3]
        started[out] = mtime_ns / 1e9 - (end_ms - start_ms) / 1000.0

deps = subprocess.run(["ninja", "-C", build, "-t", "deps"], capture_output=True, text=True, check=True).stdout
stale, current, newest = [], None, 0.0


def finish():
    if current and current in started and newest > started[current] + 0.5:
        stale.append(current)


for line in deps.splitlines():
    if line and not line.startswith(" "):
        finish()
        current, newest = line.split(":", 1)[0], 0.0
    elif line.strip():
        try:
            newest = max(newest, os.stat(line.strip()).st_mtime)
        except OSError:
            pass
finish()
for out in stale:
    print(f"stale (a dependency changed while it compiled): {out}")
    try:
        os.remove(os.path.join(build, out))
    except OSError:
        pass
