"""``python -m benchmarks.soak``: thousands of calls, and how much memory each one leaves behind.

Run by hand (never by pytest). Starts the loopback router (``benchmarks.server``), then
makes ``--calls`` calls per phase through ``ChatVisionRouter`` (short invoke, 50-chunk
stream, ``ainvoke``/``astream`` under one event loop, an invoke with a 64 KiB image
resized, and a *new model per call dropped without close()*), after a warm-up of
``--calls // 10``. For each phase it reports the growth per call of the traced Python
memory (``tracemalloc``, after a collection) and of the resident set size (RSS), and the
open file descriptors before and after (a leaked socket is one more each call).

A bounded client keeps all three flat: growth per call of a few bytes (caches reaching
their bound, allocator noise), the same descriptors before and after.
"""

from __future__ import annotations

import argparse
import asyncio
import base64
import gc
import io
import json
import os
import sys
import time
import tracemalloc
from collections.abc import Callable
from typing import Any

from benchmarks.__main__ import ROOT, Server, _env


def _rss() -> int:
    with open("/proc/self/statm") as file:
        return int(file.read().split()[1]) * os.sysconf("SC_PAGE_SIZE")


def _fds() -> int:
    return len(os.listdir("/proc/self/fd"))


def _image_block() -> dict[str, Any]:
    from PIL import Image

    out = io.BytesIO()
    Image.effect_noise((256, 256), 64).convert("RGB").save(out, "PNG")
    data = base64.b64encode(out.getvalue()).decode()
    return {"type": "image", "base64": data, "mime_type": "image/png"}


def _phase(name: str, calls: int, one: Callable[[int], None]) -> dict[str, Any]:
    for i in range(max(1, calls // 10)):  # warm-up: pools, lazy imports, caches
        one(i)
    gc.collect()
    traced0, rss0, fds0 = tracemalloc.get_traced_memory()[0], _rss(), _fds()
    started = time.monotonic()
    for i in range(calls):
        one(i)
    elapsed = time.monotonic() - started
    gc.collect()
    traced1, rss1, fds1 = tracemalloc.get_traced_memory()[0], _rss(), _fds()
    return {
        "phase": name,
        "calls": calls,
        "seconds": round(elapsed, 1),
        "traced_bytes_per_call": round((traced1 - traced0) / calls, 1),
        "rss_bytes_per_call": round((rss1 - rss0) / calls, 1),
        "fds_before": fds0,
        "fds_after": fds1,
    }


def run(base: str, calls: int) -> list[dict[str, Any]]:
    from langchain_core.messages import HumanMessage

    from langchain_visionrouter import ChatVisionRouter

    short, stream, image = base + "/s/short/v1", base + "/s/stream50/v1", base + "/s/image/v1"
    model = ChatVisionRouter(model="m", api_key="bench-key-000000", base_url=short)
    streamer = ChatVisionRouter(model="m", api_key="bench-key-000000", base_url=stream)
    resizer = ChatVisionRouter(model="m", api_key="bench-key-000000", base_url=image, image_max_side=64)
    picture = [HumanMessage(content=[{"type": "text", "text": "what?"}, _image_block()])]
    loop = asyncio.new_event_loop()

    async def both() -> None:
        await model.ainvoke("hello")
        async for _ in streamer.astream("hello"):
            pass

    def dropped(_: int) -> None:
        ChatVisionRouter(model="m", api_key="bench-key-000000", base_url=short).invoke("hello")

    phases = [
        ("invoke", lambda _: model.invoke("hello")),
        ("stream (50 chunks)", lambda _: [c for c in streamer.stream("hello")]),
        ("ainvoke + astream", lambda _: loop.run_until_complete(both())),
        ("invoke with an image resized", lambda _: resizer.invoke(picture)),
        ("new model per call, never closed", dropped),
    ]
    tracemalloc.start()
    try:
        return [_phase(name, calls, one) for name, one in phases]
    finally:
        tracemalloc.stop()
        loop.run_until_complete(model.aclose())
        loop.run_until_complete(streamer.aclose())
        loop.close()
        for each in (model, streamer, resizer):
            each.close()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.soak", description=__doc__.splitlines()[0])
    parser.add_argument("--calls", type=int, default=3000, help="calls per phase (default 3000)")
    parser.add_argument("--child", default=None, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.child:  # the measuring process: a fresh interpreter, no other work in it
        print(json.dumps(run(args.child, args.calls)))
        return 0
    env = _env()
    server = Server(env)
    try:
        import subprocess

        proc = subprocess.run(
            [sys.executable, "-m", "benchmarks.soak", "--calls", str(args.calls), "--child", server.base],
            cwd=ROOT,
            env=env,
            capture_output=True,
            text=True,
            timeout=3600,
        )
    finally:
        server.close()
    if proc.returncode != 0:
        print(proc.stderr[-4000:], file=sys.stderr)
        return 1
    rows = json.loads(proc.stdout.strip().splitlines()[-1])
    print("| phase | calls | s | traced B/call | RSS B/call | fds before -> after |")
    print("|---|---|---|---|---|---|")
    for r in rows:
        print(
            f"| {r['phase']} | {r['calls']} | {r['seconds']} | {r['traced_bytes_per_call']} | "
            f"{r['rss_bytes_per_call']} | {r['fds_before']} -> {r['fds_after']} |"
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
