"""``python -m benchmarks``: run every scenario, write results to ``benchmarks/results/``.

Starts the loopback router (``benchmarks.server``) in its own process, then, round by
round, runs each (scenario, contender) measurement in a fresh worker process
(``benchmarks.worker``), alternating the contenders' order from round to round. Reports
the median of the rounds and its ratio to the floor.

Then, where valgrind is installed, counts instructions under callgrind
(``benchmarks.instructions``): how cost grows with stream length and image size, and the
short-call and 2,000-chunk-stream targets, free of the machine's noise.

Options: ``--rounds N`` (default 3), ``--quick`` (fewer operations per measurement, for a
smoke run), ``--contenders a,b`` and ``--scenarios x,y`` to run a subset,
``--count-contenders a,b`` (default ``floor,visionrouter,openai``; empty to skip the counts),
``--out DIR`` (default ``benchmarks/results``).
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

from benchmarks import instructions
from benchmarks.contenders import CONTENDERS, IMPORTS, available
from benchmarks.report import SCENARIOS, environment, summarize, write_outputs

ROOT = Path(__file__).resolve().parents[1]
IMPORTS_PER_ROUND = 7


def _env() -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.upper().startswith(("LANGCHAIN_", "LANGSMITH_"))}
    for var in ("HTTP_PROXY", "HTTPS_PROXY", "ALL_PROXY", "http_proxy", "https_proxy", "all_proxy"):
        env.pop(var, None)
    env["NO_PROXY"] = env["no_proxy"] = "127.0.0.1,localhost"
    # Installed packages import from compiled bytecode; let the worktree's be compiled too.
    env.pop("PYTHONDONTWRITEBYTECODE", None)
    # The worktree's package, whatever is pip-installed.
    env["PYTHONPATH"] = os.pathsep.join([str(ROOT), env.get("PYTHONPATH", "")]).rstrip(os.pathsep)
    return env


def _worker(args: list[str], env: dict[str, str]) -> dict[str, Any]:
    proc = subprocess.run(
        [sys.executable, "-m", "benchmarks.worker", *args],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=900,
    )
    if proc.returncode != 0:
        raise RuntimeError(f"worker {args} failed:\n{proc.stdout[-2000:]}\n{proc.stderr[-4000:]}")
    return json.loads(proc.stdout.strip().splitlines()[-1])


class Server:
    """The loopback router process; it exits when its stdin closes."""

    def __init__(self, env: dict[str, str]) -> None:
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "benchmarks.server"],
            cwd=ROOT,
            env=env,
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            text=True,
        )
        assert self.proc.stdout is not None
        line = self.proc.stdout.readline()
        if not line.startswith("PORT "):
            self.close()
            raise RuntimeError(f"benchmark server did not start: {line!r}")
        self.base = f"http://127.0.0.1:{int(line.split()[1])}"

    def close(self) -> None:
        if self.proc.stdin:
            self.proc.stdin.close()
        try:
            self.proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks", description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--quick", action="store_true", help="fewer operations per measurement (smoke run)")
    parser.add_argument("--contenders", default=",".join(CONTENDERS))
    parser.add_argument("--scenarios", default=",".join(SCENARIOS))
    parser.add_argument("--out", default=str(ROOT / "benchmarks" / "results"))
    parser.add_argument(
        "--count-contenders",
        default="floor,visionrouter,openai",
        help="contenders also counted in instructions under callgrind (slow: ~10-20 min each; "
        "ChatOpenRouter takes hours, so it is not among the default); empty to skip",
    )
    args = parser.parse_args(argv)

    wanted = [c for c in args.contenders.split(",") if c]
    contenders = [c for c in wanted if available(c)]
    skipped = sorted(set(wanted) - set(contenders))
    if "floor" not in contenders:
        contenders.insert(0, "floor")  # ratios need it
    scenarios = [s for s in args.scenarios.split(",") if s]
    unknown = sorted(set(scenarios) - set(SCENARIOS))
    if unknown:
        parser.error(f"unknown scenarios {unknown}; known: {', '.join(SCENARIOS)}")
    if skipped:
        print(f"not installed, skipped: {', '.join(skipped)} (pip install -r benchmarks/requirements.txt)")

    env = _env()
    raw: dict[str, dict[str, list[dict[str, Any]]]] = {s: {c: [] for c in contenders} for s in scenarios}
    counted: dict[str, Any] = {}
    started = time.time()
    server = Server(env)
    try:
        if "import" in scenarios:  # compile .pyc files and warm the page cache first
            for c in contenders:
                _worker(["import", IMPORTS[c]], env)
        for rnd in range(args.rounds):
            order = contenders[rnd % len(contenders) :] + contenders[: rnd % len(contenders)]
            print(f"round {rnd + 1}/{args.rounds}: order {', '.join(order)}", flush=True)
            for scenario in scenarios:
                spec = SCENARIOS[scenario]
                for c in order:
                    if scenario == "import":
                        runs = [_worker(["import", IMPORTS[c]], env) for _ in range(IMPORTS_PER_ROUND)]
                        result = {
                            "wall": statistics.median(r["wall"] for r in runs),
                            "cpu": statistics.median(r["cpu"] for r in runs),
                            "modules": runs[0]["modules"],
                        }
                    else:
                        iters = max(1, spec.iters // (4 if args.quick else 1))
                        mode_args = [spec.mode, c, spec.op, server.base]
                        if spec.mode == "mem":
                            iters = spec.iters  # repetitions, not shortened by --quick
                        result = _worker(mode_args + ([str(iters)] if spec.mode != "upload" else []), env)
                    raw[scenario][c].append(result)
                    print(f"  {scenario:<14} {c:<13} {_show(result)}", flush=True)
        count = [c for c in args.count_contenders.split(",") if c in contenders]
        if count and not instructions.available():
            print("valgrind not found: instruction counts skipped (apt-get install valgrind)")
        elif count:
            print(f"counting instructions under callgrind: {', '.join(count)} (10-20 minutes each)", flush=True)
            counted = instructions.measure(count, server.base, env)
    finally:
        server.close()

    meta = environment(contenders, skipped, args.rounds, args.quick, time.time() - started)
    summary = summarize(raw, contenders)
    summary["instructions"] = counted
    paths = write_outputs(Path(args.out), meta, raw, summary)
    print("\n" + paths["table"].read_text())
    print("written: " + ", ".join(str(p) for p in paths.values()))
    return 0


def _show(result: dict[str, Any]) -> str:
    if "body_bytes" in result:
        return "  ".join(f"{m}: {b:,} B" for m, b in result["body_bytes"].items())
    if "sizes" in result:  # a paired growth measurement: median time per operation, size by size
        medians = ((size, statistics.median(result["cpu"][str(size)])) for size in result["sizes"])
        return "  ".join(f"{size}: cpu {cpu * 1e3:.3f} ms" for size, cpu in medians)
    if "peak" in result:
        return f"peak {result['peak'] / 1e6:8.2f} MB"
    return f"cpu {result['cpu'] * 1e3:9.3f} ms  wall {result['wall'] * 1e3:9.3f} ms"


if __name__ == "__main__":
    raise SystemExit(main())
