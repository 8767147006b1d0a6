"""A storm: hundreds of concurrent calls (invoke and stream, sync and async) against a
loopback router that injects seeded random faults.

Faults: 5xx, 429 with ``Retry-After``, a reset before any answer, a slow first byte, an
error inside a 200, a body cut off, a body that is not JSON; for streams also a stream
cut mid-way, an error chunk and a malformed chunk. Every call must end (each has its
deadline) in exactly the full answer or a typed error: none hangs, none comes back
truncated. The fault for each (call, attempt) is drawn from a seeded generator, so a
failure can be replayed with the same seed.
"""

from __future__ import annotations

import asyncio
import random
import threading
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import pytest

from langchain_visionrouter import ChatVisionRouter
from langchain_visionrouter.errors import VisionRouterError
from tests.fakerouter import FakeRouter, Recorded, Scripted, answer, sse_answer
from tests.wire import Stream, completion, usage

pytestmark = [pytest.mark.storm, pytest.mark.timeout(90)]

SEED = 15
CALLS = 75  # per flavour: sync invoke, sync stream, async invoke, async stream (300 in all)
DEADLINE = 8.0  # each call's own deadline
KEY = "sk-or-v1-storm00000000000000000000000000000000000000000000000000000000"
JSON_FAULTS = ["500", "429", "reset", "slow", "error200", "cut", "notjson"]
STREAM_FAULTS = ["500", "429", "reset", "slow", "cut", "errorchunk", "malformed"]


def expected(call: str) -> list[str]:
    return [f"answer to {call}: ", "one ", "two ", "three ", "end."]


class StormRouter:
    """Answers each request with a fault or the full answer, as the seed decides."""

    def __init__(self, router: FakeRouter) -> None:
        self.attempts: dict[str, int] = {}
        self.faults: dict[str, int] = {}
        self.lock = threading.Lock()
        router.respond(self.answer)

    def answer(self, request: Recorded) -> Scripted:
        body = request.json
        call = body["messages"][0]["content"]
        with self.lock:
            attempt = self.attempts.get(call, 0)
            self.attempts[call] = attempt + 1
        rng = random.Random(f"{SEED}/{call}/{attempt}")
        stream = bool(body.get("stream"))
        fault = rng.choice(STREAM_FAULTS if stream else JSON_FAULTS) if rng.random() < 0.5 else None
        with self.lock:
            self.faults[fault or "none"] = self.faults.get(fault or "none", 0) + 1
        wire = Stream(gen=f"gen-{call}", model="test/model", provider="Storm")
        pieces = expected(call)
        events = [*wire.text(pieces, use=usage(3, 5)), "[DONE]"]
        error = {"error": {"code": 502, "message": "upstream failed"}}
        if fault == "500":
            return answer(500, json={"error": {"code": 500, "message": "internal"}})
        if fault == "429":
            return answer(429, json={"error": {"code": 429, "message": "slow down"}}, headers={"Retry-After": "0.05"})
        if fault == "reset":
            return Scripted(reset=True)
        delay = 0.3 if fault == "slow" else 0.0
        if not stream:
            if fault == "error200":
                return answer(json=error)
            if fault == "notjson":
                return answer(body="<html>gateway</html>", headers={"Content-Type": "application/json"})
            done = completion(gen=f"gen-{call}", model="test/model", provider="Storm", content="".join(pieces))
            return answer(json=done, delay=delay, drop=fault == "cut")
        if fault == "cut":
            return sse_answer(events[:3], drop=True)
        if fault == "errorchunk":
            return sse_answer([*events[:3], error])
        if fault == "malformed":
            return sse_answer(chunks=[b'data: {"choices": [{"delta": {"content": "x"}}\n\n'])
        return _slow(events) if fault == "slow" else sse_answer(events)


def _slow(events: list[Any]) -> Scripted:
    scripted = sse_answer(events)
    scripted.delay = 0.05  # a slow first byte, and a slow drip after it
    return scripted


def check(call: str, outcome: Any) -> str:
    """``"ok"``, or the error's class name; fails on anything else.

    No bound on time here (a loaded machine would break it): every call ending, in the exact
    answer or a typed error, is the claim; the deadline itself is proven in test_limits.py."""
    if isinstance(outcome, BaseException):
        assert isinstance(outcome, VisionRouterError), f"{call}: untyped {outcome!r}"
        return type(outcome).__name__
    assert outcome == "".join(expected(call)), f"{call}: truncated or wrong: {outcome!r}"
    return "ok"


def model_for(router: FakeRouter) -> ChatVisionRouter:
    return ChatVisionRouter(
        model="test/model", api_key=KEY, base_url=router.url, max_retries=2, timeout=3, deadline=DEADLINE
    )


def run_sync(model: ChatVisionRouter, call: str, stream: bool) -> tuple[str, Any]:
    try:
        if stream:
            outcome: Any = "".join(chunk.text for chunk in model.stream(call))
        else:
            outcome = model.invoke(call).content
    except Exception as exc:
        outcome = exc
    return call, outcome


async def run_async(model: ChatVisionRouter, call: str, stream: bool) -> tuple[str, Any]:
    try:
        if stream:
            outcome: Any = "".join([chunk.text async for chunk in model.astream(call)])
        else:
            outcome = (await model.ainvoke(call)).content
    except Exception as exc:
        outcome = exc
    return call, outcome


def test_storm_sync_and_async(fake_router: FakeRouter) -> None:
    storm = StormRouter(fake_router)
    model = model_for(fake_router)
    try:
        with ThreadPoolExecutor(max_workers=32) as pool:
            jobs = [
                pool.submit(run_sync, model, f"sync-{kind}-{i}", kind == "stream")
                for kind in ("invoke", "stream")
                for i in range(CALLS)
            ]

            async def burst() -> list[tuple[str, Any]]:
                calls = [
                    run_async(model, f"async-{kind}-{i}", kind == "stream")
                    for kind in ("invoke", "stream")
                    for i in range(CALLS)
                ]
                return list(await asyncio.gather(*calls))

            results = asyncio.run(burst())  # while the threads storm too
            results += [job.result() for job in jobs]
    finally:
        model.close()
    assert len(results) == 4 * CALLS
    verdicts = [check(call, outcome) for call, outcome in results]
    print({v: verdicts.count(v) for v in set(verdicts)}, storm.faults)  # shown with -s
    # The storm did what it is for: most calls recovered through retries, and some failed, typed.
    assert verdicts.count("ok") > len(verdicts) // 2
    assert set(verdicts) - {"ok"}, "no fault reached the caller: the storm is too mild"
    assert {"500", "429", "reset", "slow", "cut", "errorchunk", "malformed", "error200", "notjson"} <= set(storm.faults)
