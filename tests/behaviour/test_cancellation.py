"""Streams cancelled after their first chunk leave nothing behind.

Hundreds of streams are stopped after their first chunk (a task cancelled, an
``aclosing`` block left, a plain ``break``, a sync generator dropped) through a model
whose pool is small: a connection not released would soon exhaust it, and the calls
after the cancellations would wait for the deadline instead of completing at once.
No warning may be raised (unclosed sockets or transports show as ``ResourceWarning``).
"""

from __future__ import annotations

import asyncio
import contextlib
import gc
import time
import warnings

import pytest

from langchain_visionrouter import ChatVisionRouter
from tests.fakerouter import FakeRouter, Recorded, Scripted, answer, sse_answer
from tests.wire import Stream, completion, usage

pytestmark = pytest.mark.timeout(90)

KEY = "sk-or-v1-cancel0000000000000000000000000000000000000000000000000000000"
WIRE = Stream(gen="gen-cancel", model="test/model", provider="Test")
POOL = 8


def slow_stream(_: Recorded) -> Scripted:
    # 40 pieces, 20 ms apart: the stream is still going long after its first chunk.
    return sse_answer([*WIRE.text(["tick "] * 40, use=usage(1, 40)), "[DONE]"], delay=0.02)


def quick(request: Recorded) -> Scripted:
    if request.json.get("stream"):
        return slow_stream(request)
    return answer(json=completion(gen="gen-q", model="test/model", provider="Test", content="prompt"))


def model_for(router: FakeRouter) -> ChatVisionRouter:
    return ChatVisionRouter(
        model="test/model", api_key=KEY, base_url=router.url, max_connections=POOL, timeout=5, deadline=10
    )


async def first_chunk_then(model: ChatVisionRouter, how: str) -> None:
    if how == "cancel":
        got_one = asyncio.Event()

        async def consume() -> None:
            async for _ in model.astream("go"):
                got_one.set()

        task = asyncio.ensure_future(consume())
        await got_one.wait()
        task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await task
    elif how == "aclosing":
        async with contextlib.aclosing(model.astream("go")) as chunks:
            async for _ in chunks:
                break
    else:  # a plain break: the generator is closed by the loop's async-generator hooks
        async for _ in model.astream("go"):
            break


def test_hundreds_of_cancelled_async_streams_leak_nothing(fake_router: FakeRouter) -> None:
    fake_router.respond(quick)

    async def scenario() -> list[float]:
        model = model_for(fake_router)
        try:
            for how in ("cancel", "aclosing", "break"):
                await asyncio.gather(*(first_chunk_then(model, how) for _ in range(70)))
            gc.collect()
            await asyncio.sleep(0)  # let finalizers scheduled by the collection run
            timings = []
            for _ in range(3 * POOL):  # more calls than the pool has connections
                started = time.monotonic()
                assert (await model.ainvoke("after")).content == "prompt"
                timings.append(time.monotonic() - started)
            return timings
        finally:
            await model.aclose()

    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        timings = asyncio.run(scenario())
        gc.collect()
    assert max(timings) < 2, timings
    assert [str(w.message) for w in caught] == []
    assert fake_router.wait_closed(fake_router.connections, timeout=10)  # every connection ended


def test_hundreds_of_dropped_sync_streams_leak_nothing(fake_router: FakeRouter) -> None:
    fake_router.respond(quick)
    model = model_for(fake_router)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        try:
            for _ in range(120):
                chunks = model.stream("go")
                next(chunks)
                next(chunks)
                del chunks  # dropped mid-stream: closed at once (its connection released)
            started = time.monotonic()
            for _ in range(3 * POOL):
                assert model.invoke("after").content == "prompt"
            assert time.monotonic() - started < 3 * POOL * 0.5
        finally:
            model.close()
        gc.collect()
    assert [str(w.message) for w in caught] == []
    assert fake_router.wait_closed(fake_router.connections, timeout=10)


def test_a_cancelled_call_waiting_for_its_answer_releases_its_connection(fake_router: FakeRouter) -> None:
    gate = fake_router.hold()

    def held(request: Recorded) -> Scripted:
        scripted = quick(request)
        scripted.gate = gate
        return scripted

    fake_router.respond(held)

    async def scenario() -> None:
        model = model_for(fake_router)
        try:
            tasks = [asyncio.ensure_future(model.ainvoke("wait")) for _ in range(2 * POOL)]
            await asyncio.sleep(0.3)  # all sent (or queued for the pool), none answered
            for task in tasks:
                task.cancel()
            await asyncio.gather(*tasks, return_exceptions=True)
            gate.set()
            fake_router.respond(quick)
            started = time.monotonic()
            assert (await model.ainvoke("after")).content == "prompt"
            assert time.monotonic() - started < 2
        finally:
            await model.aclose()

    asyncio.run(scenario())
