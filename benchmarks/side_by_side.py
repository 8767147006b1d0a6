"""Instructions per operation of two checkouts side by side, against the floor (callgrind).

For a change that must not cost per-call work: ``invoke`` (a short answer) and a
2,000-chunk ``stream``, counted in instructions, which repeat whatever else the machine
is doing (timings on a shared machine do not). Each figure is a run doing ``k``
operations minus a run doing none, both under callgrind with a fixed hash seed, as in
:mod:`benchmarks.instructions`; the floor is counted in the last checkout given.

Run (from the repo root, valgrind installed; ~15 min a checkout on 2 cores)::

    git worktree add /tmp/before <revision>
    python -m benchmarks.side_by_side /tmp/before .

Each checkout is imported from its own folder (``PYTHONPATH``), with this interpreter's
packages; the benchmark router is the last checkout's.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

#: Operations counted per scenario (the k of "k operations minus none").
COUNTS = {"invoke": 100, "stream2000": 5}
_COLLECTED = re.compile(r"Collected\s*:\s*(\d+)")


def _count(tree: str, base: str, contender: str, scenario: str, k: int) -> int:
    cmd = ["valgrind", "--tool=callgrind", "--callgrind-out-file=/dev/null", sys.executable]
    cmd += ["-m", "benchmarks.worker", "count", contender, scenario, base, str(k)]
    env = {**os.environ, "PYTHONHASHSEED": "0", "PYTHONPATH": tree}
    proc = subprocess.run(cmd, cwd=tree, env=env, capture_output=True, text=True, timeout=7200)
    found = _COLLECTED.search(proc.stderr)
    if proc.returncode != 0 or found is None:
        raise RuntimeError(f"callgrind run failed in {tree}:\n{proc.stderr[-3000:]}")
    return int(found.group(1))


def main(trees: list[str]) -> None:
    trees = [str(Path(t).resolve()) for t in trees]
    pipe = subprocess.PIPE
    server = subprocess.Popen(
        [sys.executable, "-m", "benchmarks.server"], cwd=trees[-1], stdin=pipe, stdout=pipe, text=True
    )
    try:
        assert server.stdout is not None
        base = f"http://127.0.0.1:{int(server.stdout.readline().split()[1])}"
        jobs = [(trees[-1], "floor", s, k) for s, n in COUNTS.items() for k in (n, 0)]
        jobs += [(t, "visionrouter", s, k) for t in trees for s, n in COUNTS.items() for k in (n, 0)]
        with ThreadPoolExecutor(2) as pool:  # two at a time: one per core
            counts = dict(zip(jobs, pool.map(lambda job: _count(job[0], base, *job[1:]), jobs), strict=True))
    finally:
        if server.stdin is not None:
            server.stdin.close()
        server.wait(timeout=30)
    per_op = {(t, c, s): (v - counts[(t, c, s, 0)]) / k for (t, c, s, k), v in counts.items() if k}
    floor = {s: per_op[(trees[-1], "floor", s)] for s in COUNTS}
    print(f"{'checkout':40} {'contender':13} {'scenario':11} {'instructions/op':>16}  vs floor")
    for (tree, contender, scenario), value in sorted(per_op.items()):
        print(f"{tree:40} {contender:13} {scenario:11} {value:16,.0f}  {value / floor[scenario]:.3f}x")


if __name__ == "__main__":
    main(sys.argv[1:] or ["."])
