"""Client lifecycle: pooled clients created lazily, closed on request or with their
event loop, no leaked connections or ResourceWarnings, and models that survive
copying, binding, pickling and use from several threads.

Connections are counted where they land: at the FakeRouter (``connections`` accepted,
``closed`` ended), so "pooled" and "closed" are observed, not assumed.
"""

from __future__ import annotations

import asyncio
import copy
import gc
import pickle
import sys
import threading
import warnings
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import httpx
import pytest
from pydantic import BaseModel

from langchain_visionrouter import ChatVisionRouter
from tests.conftest import FAKE_KEY
from tests.fakerouter import FakeRouter, Recorded, Scripted, answer, sse_answer

KEY = "sk-or-v1-lifecycle0000000000000000000000000000000000000000000000000"


def _echo(request: Recorded) -> Scripted:
    prompt = request.json["messages"][-1]["content"]
    if request.json.get("stream"):
        return sse_answer(
            [
                {"choices": [{"index": 0, "delta": {"content": "re: "}}]},
                {"choices": [{"index": 0, "delta": {"content": prompt}, "finish_reason": "stop"}]},
                "[DONE]",
            ]
        )
    body = {"id": "gen-1", "choices": [{"index": 0, "finish_reason": "stop", "message": {"content": f"re: {prompt}"}}]}
    return answer(json=body)


@pytest.fixture
def router(fake_router: FakeRouter) -> FakeRouter:
    fake_router.respond(_echo)
    return fake_router


@pytest.fixture
def model(router: FakeRouter, make_model: Any) -> ChatVisionRouter:
    return make_model(model="m", api_key=KEY)  # type: ignore[no-any-return]


@pytest.fixture
def no_leaks(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """Fail if the test leaks a socket or transport: a ResourceWarning, or an error in a finaliser."""
    unraisable: list[Any] = []
    monkeypatch.setattr(sys, "unraisablehook", unraisable.append)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always", ResourceWarning)
        yield
        gc.collect()
        gc.collect()
    leaks = [w for w in caught if issubclass(w.category, ResourceWarning)]
    assert not leaks, [str(w.message) for w in leaks]
    assert not unraisable, [f"{u.exc_type.__name__}: {u.exc_value} in {u.object!r}" for u in unraisable]


# ---------------------------------------------------------------------------
# Pooling


def test_clients_are_created_lazily(router: FakeRouter) -> None:
    llm = ChatVisionRouter(model="m", api_key=KEY, base_url=router.url)
    llm.bind(stop=["x"])
    copy.copy(llm)
    assert llm._clients._client is None
    assert router.connections == 0
    llm.close()  # closing what was never opened is fine


def test_one_pooled_sync_client(router: FakeRouter, model: ChatVisionRouter) -> None:
    for i in range(5):
        assert model.invoke(f"q{i}").content == f"re: q{i}"
        assert "".join(c.text for c in model.stream(f"s{i}")) == f"re: s{i}"
    assert router.connections == 1  # every call, streams too, reused one kept-alive connection
    client = model._clients.sync()
    model.invoke("again")
    assert model._clients.sync() is client


async def test_one_pooled_async_client_per_loop(router: FakeRouter, model: ChatVisionRouter) -> None:
    for i in range(5):
        assert (await model.ainvoke(f"q{i}")).content == f"re: q{i}"
        assert "".join([c.text async for c in model.astream(f"s{i}")]) == f"re: s{i}"
    assert router.connections == 1
    await model.aclose()


def test_sync_and_async_pools_are_separate(router: FakeRouter, model: ChatVisionRouter, no_leaks: None) -> None:
    model.invoke("sync")
    asyncio.run(model.ainvoke("async"))
    assert router.connections == 2


# ---------------------------------------------------------------------------
# Closing


def test_close_closes_and_a_later_call_reopens(router: FakeRouter, model: ChatVisionRouter) -> None:
    model.invoke("one")
    model.close()
    assert router.wait_closed(1)
    assert model.invoke("two").content == "re: two"
    assert router.connections == 2


def test_context_manager_closes(router: FakeRouter, no_leaks: None) -> None:
    with ChatVisionRouter(model="m", api_key=KEY, base_url=router.url) as llm:
        assert llm.invoke("hi").content == "re: hi"
        assert router.closed == 0
    assert router.wait_closed(1)


async def test_async_context_manager_closes(router: FakeRouter) -> None:
    async with ChatVisionRouter(model="m", api_key=KEY, base_url=router.url) as llm:
        assert (await llm.ainvoke("hi")).content == "re: hi"
        llm.invoke("sync too")
    assert await asyncio.to_thread(router.wait_closed, 2)  # both pools closed


async def test_aclose_then_reuse(router: FakeRouter, model: ChatVisionRouter) -> None:
    await model.ainvoke("one")
    await model.aclose()
    assert await asyncio.to_thread(router.wait_closed, 1)
    assert (await model.ainvoke("two")).content == "re: two"
    assert router.connections == 2
    await model.aclose()


def test_user_clients_are_used_and_never_closed(router: FakeRouter, no_leaks: None) -> None:
    seen: list[str] = []
    with httpx.Client(event_hooks={"request": [lambda r: seen.append(str(r.url))]}) as client:
        llm = ChatVisionRouter(model="m", api_key=KEY, base_url=router.url, http_client=client)
        llm.invoke("hi")
        llm.close()
        assert not client.is_closed  # the caller's client, the caller's to close
        llm.invoke("still works")
    assert seen == [router.url + "/chat/completions"] * 2


# ---------------------------------------------------------------------------
# Event loops: each loop's client is closed with that loop


def test_async_client_is_closed_when_its_loop_ends(router: FakeRouter, model: ChatVisionRouter, no_leaks: None) -> None:
    assert asyncio.run(model.ainvoke("first loop")).content == "re: first loop"
    assert router.wait_closed(1)  # asyncio.run's shutdown closed the connection, on its own loop
    assert asyncio.run(model.ainvoke("second loop")).content == "re: second loop"
    assert router.wait_closed(2)
    assert router.connections == 2


def test_many_asyncio_runs_leak_nothing(router: FakeRouter, model: ChatVisionRouter, no_leaks: None) -> None:
    for i in range(10):
        assert asyncio.run(model.ainvoke(f"run {i}")).content == f"re: run {i}"
        assert "".join(asyncio.run(_collect(model, f"s{i}"))) == f"re: s{i}"
    assert router.wait_closed(router.connections)
    assert len(model._clients._aclients) <= 1  # finished loops are not remembered


async def _collect(model: ChatVisionRouter, prompt: str) -> list[str]:
    return [c.text async for c in model.astream(prompt)]


def test_aclose_on_another_loop_after_the_first_ended(
    router: FakeRouter, model: ChatVisionRouter, no_leaks: None
) -> None:
    asyncio.run(model.ainvoke("x"))
    asyncio.run(model.aclose())  # used to raise "Event loop is closed"
    assert router.wait_closed(1)


def test_close_runs_the_async_close_on_an_idle_loop(
    router: FakeRouter, model: ChatVisionRouter, no_leaks: None
) -> None:
    loop = asyncio.new_event_loop()
    try:
        assert loop.run_until_complete(model.ainvoke("x")).content == "re: x"
        model.close()  # the loop is idle, not closed: its client is closed on it
        assert router.wait_closed(1)
    finally:
        loop.close()


def test_close_reaches_a_loop_running_in_another_thread(
    router: FakeRouter, model: ChatVisionRouter, no_leaks: None
) -> None:
    loop = asyncio.new_event_loop()
    thread = threading.Thread(target=loop.run_forever, daemon=True)
    thread.start()
    try:
        result = asyncio.run_coroutine_threadsafe(model.ainvoke("far"), loop).result(10)
        assert result.content == "re: far"
        model.close()  # scheduled on the loop that owns the client
        assert router.wait_closed(1)
    finally:
        loop.call_soon_threadsafe(loop.stop)
        thread.join(5)
        loop.close()


def test_several_threads_each_with_its_own_loop(router: FakeRouter, model: ChatVisionRouter, no_leaks: None) -> None:
    async def burst(worker: int) -> list[str]:
        results = await asyncio.gather(*(model.ainvoke(f"w{worker}-{i}") for i in range(5)))
        return [str(r.content) for r in results]

    with ThreadPoolExecutor(4) as pool:
        results = list(pool.map(lambda w: asyncio.run(burst(w)), range(8)))
    assert results == [[f"re: w{w}-{i}" for i in range(5)] for w in range(8)]
    assert router.wait_closed(router.connections)  # every loop closed its own connections


# ---------------------------------------------------------------------------
# Copies, bindings, pickles


@pytest.mark.parametrize(
    "how",
    ["copy", "deepcopy", "model_copy", "model_copy_deep", "model_copy_update", "pickle"],
)
def test_models_survive_copies(router: FakeRouter, model: ChatVisionRouter, how: str, no_leaks: None) -> None:
    model.invoke("warm the pool")
    makers = {
        "copy": copy.copy,
        "deepcopy": copy.deepcopy,
        "model_copy": lambda m: m.model_copy(),
        "model_copy_deep": lambda m: m.model_copy(deep=True),
        "model_copy_update": lambda m: m.model_copy(update={"temperature": 0.5}),
        "pickle": lambda m: pickle.loads(pickle.dumps(m)),
    }
    other = makers[how](model)
    assert other.invoke("from the copy").content == "re: from the copy"
    assert asyncio.run(other.ainvoke("async copy")).content == "re: async copy"
    other.close()  # closing the copy never breaks the original
    assert model.invoke("original").content == "re: original"
    expected_key = FAKE_KEY if how == "pickle" else KEY  # a pickle carries no key: read again from the env
    assert router.requests[1].headers["Authorization"] == f"Bearer {expected_key}"
    if how == "model_copy_update":
        assert router.requests[1].json["temperature"] == 0.5


def test_deepcopy_shares_user_clients(router: FakeRouter, no_leaks: None) -> None:
    with httpx.Client() as client:
        llm = ChatVisionRouter(model="m", api_key=KEY, base_url=router.url, http_client=client)
        twin = copy.deepcopy(llm)
        assert twin.http_client is client
        assert twin.invoke("hi").content == "re: hi"


def test_unpickling_without_a_key_in_the_environment_says_why(
    model: ChatVisionRouter, monkeypatch: pytest.MonkeyPatch
) -> None:
    data = pickle.dumps(model)
    assert KEY.encode() not in data
    monkeypatch.delenv("OPENROUTER_API_KEY")
    with pytest.raises(ValueError, match=r"No API key for openrouter.*never pickled"):
        pickle.loads(data)


class Weather(BaseModel):
    """Weather for a city."""

    city: str


def test_bound_models_share_the_pool(router: FakeRouter, model: ChatVisionRouter) -> None:
    bound = model.bind(stop=["\n"], temperature=0.1)
    tooled = model.bind_tools([Weather])
    assert bound.invoke("a").content == "re: a"
    assert tooled.invoke("b").content == "re: b"
    assert model.invoke("c").content == "re: c"
    assert router.requests[0].json["stop"] == ["\n"]
    assert router.requests[1].json["tools"][0]["function"]["name"] == "Weather"
    assert "tools" not in router.requests[2].json  # binding never changed the model itself
    assert router.connections == 1


# ---------------------------------------------------------------------------
# Threads


def test_one_model_from_many_threads(router: FakeRouter, model: ChatVisionRouter) -> None:
    def work(i: int) -> tuple[str, str]:
        text = str(model.invoke(f"t{i}").content)
        streamed = "".join(c.text for c in model.stream(f"s{i}"))
        return text, streamed

    with ThreadPoolExecutor(8) as pool:
        results = list(pool.map(work, range(64)))
    assert results == [(f"re: t{i}", f"re: s{i}") for i in range(64)]
    assert len(router.requests) == 128
    assert router.connections <= 8  # one pool: at most one connection per thread in flight


def test_lazy_creation_is_thread_safe(router: FakeRouter, model: ChatVisionRouter) -> None:
    barrier = threading.Barrier(8)

    def grab(_: int) -> int:
        barrier.wait()
        return id(model._clients.sync())

    with ThreadPoolExecutor(8) as pool:
        assert len(set(pool.map(grab, range(8)))) == 1
