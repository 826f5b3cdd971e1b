#!/usr/bin/env python3
"""Groups sanitizer reports (ASAN_OPTIONS/UBSAN_OPTIONS log_path files) by kind and the first
frame in Gatehouse's own code, so that one bug met by a hundred servers reads as one line.
Usage: summarize.py REPORT_FILE..."""
import re
import sys
from collections import OrderedDict

OWN = re.compile(r" in (\S.*?) (/\S*/(?:src|tests)/[^ :]+:\d+)")
groups: "OrderedDict[tuple, list]" = OrderedDict()
for path in sys.argv[1:]:
    try:
        text = open(path, errors="replace").read()
    except OSError:
        continue
    for block in re.split(r"(?m)^(?==+\n==\d+==ERROR|==\d+==ERROR|\S+:\d+:\d+: runtime error)", text):
        m = re.search(r"ERROR: (\w+): ([\w-]+(?: [\w-]+)*)|(\S+:\d+:\d+): runtime error: (.*)", block)
        if not m:
            continue
        if m.group(1):
            kind = f"{m.group(1)}: {m.group(2)}"
            frame = OWN.search(block)
            where = f"{frame.group(2)} ({frame.group(1)[:120]})" if frame else "(no frame in src/)"
        else:
            kind = f"UBSan: {m.group(4)[:160]}"
            where = m.group(3)
        groups.setdefault((kind, re.sub(r"^/\S*?/(src|tests)/", r"\1/", where)), []).append(path)
for (kind, where), files in groups.items():
    print(f"{len(files):4d} x {kind} at {where}  (e.g. {files[0]})")
