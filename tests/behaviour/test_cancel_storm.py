"""Issue 26, item 7: cancelled streams give their transports back.

300 concurrent ``astream`` calls through the default pool of 100 connections, each task
cancelled as soon as it has its first chunk. A cancelled stream whose response is not
closed (its close itself cancelled) would keep its connection: the pool would starve
after 100, and the unclosed transports would show as ``ResourceWarning``. The router
either holds every stream open after its first piece, or sends each answer whole at once.
"""

from __future__ import annotations

import asyncio
import contextlib
import gc
import warnings

import pytest

from langchain_visionrouter import ChatVisionRouter
from tests.fakerouter import FakeRouter, Recorded, Scripted, sse_answer
from tests.wire import Stream, usage

pytestmark = pytest.mark.timeout(120)

KEY = "sk-or-v1-cancelstorm00000000000000000000000000000000000000000000000000"
WIRE = Stream(gen="gen-storm", model="test/model", provider="Test")
STREAMS = 300


async def _storm(model: ChatVisionRouter) -> int:
    """Start every stream, cancel each after its first chunk; the number that got one."""
    firsts = [asyncio.Event() for _ in range(STREAMS)]

    async def consume(i: int) -> None:
        async for _ in model.astream(f"go {i}"):
            firsts[i].set()

    tasks = [asyncio.ensure_future(consume(i)) for i in range(STREAMS)]

    async def cancel_after_first(i: int) -> None:
        waiting = asyncio.ensure_future(firsts[i].wait())
        await asyncio.wait([waiting, tasks[i]], return_when=asyncio.FIRST_COMPLETED)
        waiting.cancel()
        tasks[i].cancel()
        # A second cancel while the first is being handled (a timeout or task group
        # cancelling too): it lands in the stream's clean-up, which must still close it.
        await asyncio.sleep(0)
        tasks[i].cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await tasks[i]

    await asyncio.gather(*(cancel_after_first(i) for i in range(STREAMS)))
    return sum(event.is_set() for event in firsts)


@pytest.mark.parametrize("answers", ["held open after the first piece", "whole at once"])
def test_300_streams_cancelled_after_their_first_chunk_all_get_one_and_leak_nothing(
    fake_router: FakeRouter, answers: str
) -> None:
    gate = fake_router.hold()  # released when the router stops: held streams never finish on their own
    events = [*WIRE.text(["first ", "second ", "third"], use=usage(1, 3)), "[DONE]"]

    def respond(_: Recorded) -> Scripted:
        if answers == "whole at once":
            return sse_answer(chunks=[b"".join(sse_answer(events).chunks or [])])
        return sse_answer(events, gate=gate, gate_after=1)

    fake_router.respond(respond)

    async def scenario() -> int:
        # The default pool (100 connections): the 300 streams must share it.
        model = ChatVisionRouter(model="test/model", api_key=KEY, base_url=fake_router.url, deadline=60)
        try:
            return await _storm(model)
        finally:
            await model.aclose()

    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        got_first = asyncio.run(scenario())
        gc.collect()
    assert got_first == STREAMS
    assert [str(w.message) for w in caught if issubclass(w.category, ResourceWarning)] == []
    assert len(fake_router.requests) == STREAMS
