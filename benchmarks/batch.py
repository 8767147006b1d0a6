"""The batch engine at scale: items per second against the ideal and ``abatch``; memory for 100,000 items.

    python -m benchmarks.batch                 # ~4 min; prints a Markdown table
    python -m benchmarks.batch --quick         # fewer items, no 100,000-item run

The router is ``benchmarks/server.py``'s raw asyncio server in its own process, with every
answer held back ``LATENCY`` seconds (a slow model). With ``c`` requests in flight the
most anyone can do is ``c / LATENCY`` items per second (the ideal); ``run_batch`` is
measured against it, against the loop people write by hand: ``model.abatch(all
messages, config={"max_concurrency": c})``, and against bare httpx posting the same body
(the floor: what the client machine's CPU allows at all). Each item is a small PNG sent
inline. The client's CPU time per item is reported too: when items/s is far below the
ideal, it says whether the client's CPU is what is short.

Peak memory: a fresh process runs 100,000 items through ``run_batch`` (a generator of
items, each image made into a block when its turn comes, results written to a JSONL
journal as the CLI does) and reports its peak RSS growth over the RSS after imports; the
same for ``abatch`` over a list of 100,000 messages. The model there is a stand-in that
answers at once (with usage and cost): on this machine's CPU, 100,000 real loopback
calls take an hour, and the HTTP layer's memory does not grow with the item count (its
pool holds ``concurrency`` connections), so what grows or not is the engine's.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import resource
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from typing import Any

LATENCY = 0.2
CONCURRENCIES = (8, 64, 256)
ROUNDS = 10  # items per concurrency slot: each run lasts about ROUNDS * LATENCY seconds at best
BIG = 100_000


class _Later:
    """A transport whose writes go out ``LATENCY`` seconds late: the server's 'model time'."""

    def __init__(self, transport: Any) -> None:
        self.transport = transport

    def write(self, data: bytes) -> None:
        asyncio.get_running_loop().call_later(LATENCY, self._write, data)

    def _write(self, data: bytes) -> None:
        if not self.transport.is_closing():
            self.transport.write(data)


async def serve() -> None:
    from benchmarks import server

    class Slow(server.RouterProtocol):
        def connection_made(self, transport: asyncio.BaseTransport) -> None:
            super().connection_made(transport)
            self.transport = _Later(transport)  # type: ignore[assignment]

    loop = asyncio.get_running_loop()
    srv = await loop.create_server(Slow, "127.0.0.1", 0, backlog=2048)
    print(f"PORT {srv.sockets[0].getsockname()[1]}", flush=True)
    reader = asyncio.StreamReader()
    await loop.connect_read_pipe(lambda: asyncio.StreamReaderProtocol(reader), sys.stdin)
    await reader.read()  # until the parent closes our stdin
    srv.close()


def start_server() -> tuple[subprocess.Popen[str], str]:
    proc = subprocess.Popen(
        [sys.executable, "-m", "benchmarks.batch", "--serve"], stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True
    )
    assert proc.stdout is not None
    port = proc.stdout.readline().split()[1]
    return proc, f"http://127.0.0.1:{port}/s/short/v1"


def model(base_url: str, concurrency: int) -> Any:
    import httpx

    from langchain_visionrouter import ChatVisionRouter

    # The default pool keeps 100 connections; more in flight needs a client of one's own.
    limits = httpx.Limits(max_connections=max(100, concurrency), max_keepalive_connections=max(20, concurrency))
    client = httpx.AsyncClient(limits=limits, timeout=60)
    return ChatVisionRouter(
        model="m", api_key="k", base_url=base_url, max_retries=0, timeout=60, http_async_client=client
    )


def items(n: int) -> Iterator[Any]:
    from langchain_visionrouter import BatchItem

    png = _png()
    for i in range(n):
        yield BatchItem(str(i), png)


def _png() -> bytes:
    import struct
    import zlib

    def chunk(tag: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + tag + data + struct.pack(">I", zlib.crc32(tag + data) & 0xFFFFFFFF)

    ihdr = struct.pack(">IIBBBBB", 2, 2, 8, 2, 0, 0, 0)
    idat = zlib.compress((b"\0" + b"\xff" * 6) * 2)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", ihdr) + chunk(b"IDAT", idat) + chunk(b"IEND", b"")


async def with_run_batch(base_url: str, n: int, c: int, journal: str | None = None) -> float:
    from langchain_visionrouter import run_batch
    from langchain_visionrouter._batch.io import Journal

    llm = model(base_url, c)
    out = Journal(journal) if journal else None
    start = time.perf_counter()
    count = 0
    async for result in run_batch(llm, items(n), "Describe.", concurrency=c):
        assert result.ok, result.error
        count += 1
        if out is not None:
            out.write(result.to_json())
    elapsed = time.perf_counter() - start
    assert count == n
    if out is not None:
        out.close()
    await llm.aclose()
    await llm.http_async_client.aclose()
    return elapsed


async def with_abatch(base_url: str, n: int, c: int) -> float:
    from langchain_core.messages import HumanMessage

    from langchain_visionrouter._batch.engine import content_block

    llm = model(base_url, c)
    png = _png()
    messages = [
        [HumanMessage(content=[{"type": "text", "text": "Describe."}, content_block(png, None)])] for _ in range(n)
    ]
    start = time.perf_counter()
    answers = await llm.abatch(messages, config={"max_concurrency": c})
    elapsed = time.perf_counter() - start
    assert len(answers) == n
    await llm.aclose()
    await llm.http_async_client.aclose()
    return elapsed


def timed(fn: Any, *args: Any) -> tuple[float, float]:
    """Wall seconds (as the function measured them) and this process's CPU seconds, both threads."""
    cpu = time.process_time()
    wall = asyncio.run(fn(*args))
    return wall, time.process_time() - cpu


async def with_httpx(base_url: str, n: int, c: int) -> float:
    """The floor: bare httpx posting the same body, ``c`` at a time, no chat model at all."""
    import base64

    import httpx

    body = {
        "model": "m",
        "messages": [{"role": "user", "content": [{"type": "text", "text": "Describe."}, _image_part(base64)]}],
    }
    limits = httpx.Limits(max_connections=max(100, c), max_keepalive_connections=max(20, c))
    async with httpx.AsyncClient(limits=limits, timeout=60) as client:
        gate = asyncio.Semaphore(c)

        async def one() -> None:
            async with gate:
                response = await client.post(base_url + "/chat/completions", json=body)
                response.json()

        start = time.perf_counter()
        await asyncio.gather(*(one() for _ in range(n)))
        return time.perf_counter() - start


def _image_part(base64: Any) -> dict[str, Any]:
    return {"type": "image_url", "image_url": {"url": "data:image/png;base64," + base64.b64encode(_png()).decode()}}


def peak(kind: str) -> dict[str, float]:
    """Run 100,000 items in a fresh process; its RSS after imports and at peak (MB)."""
    code = subprocess.run(
        [sys.executable, "-m", "benchmarks.batch", "--peak", kind],
        capture_output=True,
        text=True,
        check=True,
    )
    return json.loads(code.stdout.strip().splitlines()[-1])


def _rss_mb() -> float:
    with open("/proc/self/status") as f:
        for line in f:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    return 0.0


def stand_in() -> Any:
    """A chat model answering at once with usage and cost: the engine's memory without HTTP's time."""
    from langchain_core.language_models import BaseChatModel
    from langchain_core.messages import AIMessage
    from langchain_core.outputs import ChatGeneration, ChatResult

    class StandIn(BaseChatModel):
        @property
        def _llm_type(self) -> str:
            return "stand-in"

        def _generate(self, messages: Any, stop: Any = None, run_manager: Any = None, **kw: Any) -> ChatResult:
            usage = {"input_tokens": 17, "output_tokens": 9, "total_tokens": 26}
            meta = {"cost": 0.0000123, "model_name": "m", "provider": "P", "id": "gen-1"}
            message = AIMessage(SHORT, usage_metadata=usage, response_metadata=meta)  # type: ignore[arg-type]
            return ChatResult(generations=[ChatGeneration(message=message)])

        async def _agenerate(self, messages: Any, stop: Any = None, run_manager: Any = None, **kw: Any) -> ChatResult:
            await asyncio.sleep(0.001)
            return self._generate(messages)

    return StandIn()


SHORT = "Hello! How can I help you today?"


async def engine_peak(kind: str, journal: str) -> float:
    from langchain_core.messages import HumanMessage

    from langchain_visionrouter import run_batch
    from langchain_visionrouter._batch.engine import content_block
    from langchain_visionrouter._batch.io import Journal

    llm = stand_in()
    start = time.perf_counter()
    if kind == "run_batch":
        out = Journal(journal)
        async for result in run_batch(llm, items(BIG), "Describe.", concurrency=256):
            out.write(result.to_json())
        out.close()
    else:
        png = _png()
        block = [{"type": "text", "text": "Describe."}]
        messages = [[HumanMessage(content=[*block, content_block(png, None)])] for _ in range(BIG)]
        answers = await llm.abatch(messages, config={"max_concurrency": 256})
        assert len(answers) == BIG
    return time.perf_counter() - start


def peak_child(kind: str) -> None:
    import langchain_visionrouter._batch.io  # noqa: F401  (imports count as the baseline)
    from langchain_visionrouter import ChatVisionRouter  # noqa: F401

    stand_in()
    base = _rss_mb()
    with tempfile.TemporaryDirectory() as tmp:
        seconds = asyncio.run(engine_peak(kind, os.path.join(tmp, "out.jsonl")))
    top = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(json.dumps({"base_mb": round(base, 1), "peak_mb": round(top, 1), "seconds": round(seconds, 1)}))


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--quick", action="store_true")
    parser.add_argument("--serve", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--peak", default=None, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.serve:
        asyncio.run(serve())
        return
    if args.peak:
        peak_child(args.peak)
        return
    proc, url = start_server()
    try:
        rounds = 3 if args.quick else ROUNDS
        load = os.getloadavg()[0]
        print(f"Latency {LATENCY * 1000:.0f} ms; {rounds} items per slot; {os.cpu_count()} CPUs, load {load:.1f}\n")
        print(
            "| concurrency | items | ideal items/s | run_batch items/s | of ideal | CPU ms/item "
            "| abatch items/s | of ideal | CPU ms/item | bare httpx items/s | CPU ms/item |"
        )
        print("|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|")
        for c in CONCURRENCIES:
            n = c * rounds
            asyncio.run(with_run_batch(url, c, c))  # warm up: imports, connections
            ours, ours_cpu = timed(with_run_batch, url, n, c)
            theirs, theirs_cpu = timed(with_abatch, url, n, c)
            floor, floor_cpu = timed(with_httpx, url, n, c)
            ideal = c / LATENCY
            print(
                f"| {c} | {n} | {ideal:.0f} | {n / ours:.0f} | {n / ours / ideal:.0%} | {ours_cpu / n * 1000:.1f} "
                f"| {n / theirs:.0f} | {n / theirs / ideal:.0%} | {theirs_cpu / n * 1000:.1f} "
                f"| {n / floor:.0f} | {floor_cpu / n * 1000:.1f} |"
            )
        if not args.quick:
            print(f"\nPeak memory, {BIG:,} items at concurrency 256, a stand-in model (RSS in MB):\n")
            print("| engine | after imports | peak | growth | seconds |")
            print("|---|---:|---:|---:|---:|")
            for kind in ("run_batch", "abatch"):
                m = peak(kind)
                growth = m["peak_mb"] - m["base_mb"]
                print(f"| {kind} | {m['base_mb']} | {m['peak_mb']} | {growth:.1f} | {m['seconds']} |")
    finally:
        assert proc.stdin is not None
        proc.stdin.close()
        proc.wait(timeout=10)


if __name__ == "__main__":
    main()
