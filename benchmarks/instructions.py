"""How cost grows with size, counted in instructions (callgrind): repeatable where time is not.

On a shared or virtual machine two timings of the same work differ by 10-20 %, more than
the 5 % a growth check allows. Callgrind counts the instructions a process executes: the
same for the same work, whatever else the machine is doing. Each figure is the difference
of two runs of ``benchmarks.worker count`` under callgrind, one running ``k`` operations
after the warm-up and one running none, so start-up, imports and warm-up cancel out; the
hash seed is fixed so both runs build the same dicts.

What it cannot see is the time spent waiting on memory, which a larger heap can add; the
paired timings in the main tables show that side.

The same counts give two of the targets, a short call and a 2,000-chunk stream, as a
ratio of instructions to the floor's. Not the 100 concurrent calls: how the event loop
interleaves 100 sockets depends on timing, and two counts of the same batches differed by
up to 7 %.

Slow: Python runs ~40x slower under callgrind, and each count is a fresh process (about
a minute for start-up alone), 18 of them per contender: ~10 minutes each for the floor
and ChatVisionRouter, ~20 for ChatOpenAI (4x their cost per chunk), run two at a time on
2 cores. ChatOpenRouter (20x per chunk) would take hours, so it is counted only when
named in ``--count-contenders``.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

from benchmarks.report import growth_ratio
from benchmarks.worker import PAIR_SIZES

ROOT = Path(__file__).resolve().parents[1]
#: Two of the targets, counted too (operations per count): the per-call client cost of a
#: short answer and of a 2,000-chunk stream, as a ratio to the floor's.
TARGETS = {"invoke": 100, "stream2000": 5}
_COLLECTED = re.compile(r"Collected\s*:\s*(\d+)")


def available() -> bool:
    return shutil.which("valgrind") is not None


def _count(contender: str, scenario: str, k: int, base: str, env: dict[str, str]) -> int:
    cmd = ["valgrind", "--tool=callgrind", "--callgrind-out-file=/dev/null"]
    cmd += [sys.executable, "-m", "benchmarks.worker", "count", contender, scenario, base, str(k)]
    proc = subprocess.run(
        cmd, cwd=ROOT, env={**env, "PYTHONHASHSEED": "0"}, capture_output=True, text=True, timeout=7200
    )
    found = _COLLECTED.search(proc.stderr)
    if proc.returncode != 0 or found is None:
        raise RuntimeError(f"callgrind run {cmd[3:]} failed:\n{proc.stdout[-2000:]}\n{proc.stderr[-4000:]}")
    return int(found.group(1))


def measure(contenders: list[str], base: str, env: dict[str, str]) -> dict[str, Any]:
    """Instructions per operation: for each contender, group and size with the growth ratio,
    and for the counted targets. The sizes are those the paired timings use
    (``PAIR_SIZES``); each size runs as much work as the largest (ten 1,000-chunk streams
    against one of 10,000)."""
    runs = [
        (c, f"{group}{size}", k)
        for c in contenders
        for group, sizes in PAIR_SIZES.items()
        for size in sizes
        for k in (0, sizes[-1] // size)
    ]
    runs += [(c, scenario, k) for c in contenders for scenario, ops in TARGETS.items() for k in (0, ops)]
    # Counts do not depend on what runs beside them: use every core.
    with ThreadPoolExecutor(max_workers=os.cpu_count() or 1) as pool:
        counted = pool.map(lambda run: _count(run[0], run[1], run[2], base, env), runs)
        counts = dict(zip(runs, counted, strict=True))
    result: dict[str, Any] = {}
    for c in contenders:
        for group, sizes in PAIR_SIZES.items():
            per_op = {}
            for size in sizes:
                k = sizes[-1] // size
                per_op[str(size)] = (counts[c, f"{group}{size}", k] - counts[c, f"{group}{size}", 0]) / k
            result.setdefault(c, {})[group] = {"per_op": per_op, "ratio": growth_ratio(group, per_op)}
        result[c]["targets"] = {
            scenario: (counts[c, scenario, ops] - counts[c, scenario, 0]) / ops for scenario, ops in TARGETS.items()
        }
    return result
