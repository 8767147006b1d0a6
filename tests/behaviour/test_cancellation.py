"""Streams cancelled after their first chunk leave nothing behind.

Hundreds of streams are stopped after their first chunk (a task cancelled, an
``aclosing`` block left, a plain ``break``, a sync generator dropped) through a model
whose pool is small: a connection not released would soon exhaust it, and the calls
after the cancellations would wait for the pool and fail. Checked without a clock: once
the cancelled streams are closed, no connection of the pool is still in use and no
request waits for one. No warning may be raised (unclosed sockets or transports show
as ``ResourceWarning``).
"""

from __future__ import annotations

import asyncio
import contextlib
import gc
import warnings
from typing import Any

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


def pool_in_use(client: Any) -> int:
    """Requests an httpx client's pool is serving or queueing (each holds or waits for a connection)."""
    pool = client._transport._pool  # httpcore's ConnectionPool: the one place that knows
    return len(pool._requests)


async def settled(model: ChatVisionRouter) -> int:
    """The async pool's use once the closings scheduled by the cancellations have run.

    Cancelled generators are closed by tasks the loop schedules (its async-generator hooks), so
    give the loop turns (not time) to run them; each takes a bounded number of turns."""
    client = model._clients.async_()
    for _ in range(1000):
        if not pool_in_use(client):
            break
        await asyncio.sleep(0)
    return pool_in_use(client)


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

    async def scenario() -> None:
        model = model_for(fake_router)
        try:
            for how in ("cancel", "aclosing", "break"):
                await asyncio.gather(*(first_chunk_then(model, how) for _ in range(70)))
                assert await settled(model) == 0, how  # every cancelled stream gave its connection back
            gc.collect()
            assert await settled(model) == 0
            for _ in range(3 * POOL):  # more calls than the pool has connections
                assert (await model.ainvoke("after")).content == "prompt"
            assert await settled(model) == 0
        finally:
            await model.aclose()

    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        asyncio.run(scenario())
        gc.collect()
    assert [str(w.message) for w in caught] == []
    assert fake_router.wait_closed(fake_router.connections)  # every connection ended


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
                assert pool_in_use(model._clients.sync()) == 0
            for _ in range(3 * POOL):
                assert model.invoke("after").content == "prompt"
            assert pool_in_use(model._clients.sync()) == 0
        finally:
            model.close()
        gc.collect()
    assert [str(w.message) for w in caught] == []
    assert fake_router.wait_closed(fake_router.connections)


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
            # The pool's worth sent and held at the router, the others queued for the pool.
            assert await asyncio.to_thread(fake_router.wait_requests, POOL)
            assert pool_in_use(model._clients.async_()) == 2 * POOL
            for task in tasks:
                task.cancel()
            await asyncio.gather(*tasks, return_exceptions=True)
            gate.set()
            fake_router.respond(quick)
            assert await settled(model) == 0  # the cancelled calls released every connection
            assert (await model.ainvoke("after")).content == "prompt"
            assert len(fake_router.requests) == POOL + 1  # the queued calls were never sent
        finally:
            await model.aclose()

    asyncio.run(scenario())
