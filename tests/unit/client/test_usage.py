"""Cost accounting: ``track_usage()`` totals after a mixed run at the loopback router, and
``get_generation()``."""

from __future__ import annotations

import asyncio
import threading
from collections.abc import Iterator
from typing import Any

import pytest
from langchain_core.prompts import ChatPromptTemplate
from langchain_core.tools import tool

from langchain_visionrouter import (
    ChatVisionRouter,
    InvalidInputError,
    ModelUsage,
    NotFoundError,
    StreamError,
    UsageTracker,
    aget_generation,
    get_generation,
    track_usage,
)


def _usage(prompt: int, completion: int, cost: float | None, *, at_root: bool = False) -> dict[str, Any]:
    usage: dict[str, Any] = {"prompt_tokens": prompt, "completion_tokens": completion,
                             "total_tokens": prompt + completion}  # fmt: skip
    out: dict[str, Any] = {"usage": usage}
    if cost is not None:
        if at_root:  # Infron
            out["cost"] = cost
        else:
            usage["cost"] = cost
    return out


def answer(model: str, prompt: int, completion: int, cost: float | None, *, at_root: bool = False) -> dict[str, Any]:
    return {
        "id": "gen-x",
        "model": model,
        "choices": [{"index": 0, "finish_reason": "stop", "message": {"role": "assistant", "content": "ok"}}],
        **_usage(prompt, completion, cost, at_root=at_root),
    }


def events(model: str, prompt: int, completion: int, cost: float | None, *, at_root: bool = False) -> list[Any]:
    head = {"id": "gen-s", "model": model}
    return [
        {**head, "choices": [{"index": 0, "delta": {"content": "o"}, "finish_reason": None}]},
        {**head, "choices": [{"index": 0, "delta": {"content": "k"}, "finish_reason": "stop"}]},
        {**head, "choices": [], **_usage(prompt, completion, cost, at_root=at_root)},
        "[DONE]",
    ]


class Ledger:
    """What was scripted, so expected totals are computed, not hard-coded."""

    def __init__(self) -> None:
        self.by_model: dict[str, ModelUsage] = {}

    def add(self, model: str, prompt: int, completion: int, cost: float | None) -> None:
        usage = self.by_model.setdefault(model, ModelUsage())
        usage += ModelUsage(
            calls=1,
            input_tokens=prompt,
            output_tokens=completion,
            total_tokens=prompt + completion,
            cost=cost or 0.0,
            calls_without_cost=0 if cost is not None else 1,
        )


@pytest.fixture
def models(fake_router: Any) -> Iterator[tuple[ChatVisionRouter, ChatVisionRouter]]:
    openrouter = ChatVisionRouter(model="acme/a", api_key="k", base_url=fake_router.url, max_retries=0)
    infron = ChatVisionRouter(
        model="acme/b", api_key="k", base_url=fake_router.base + "/v1", router="infron", max_retries=0
    )
    yield openrouter, infron
    openrouter.close()
    infron.close()


def _assert_matches(tracker: UsageTracker, ledger: Ledger) -> None:
    assert set(tracker.by_model) == set(ledger.by_model)
    for model, expected in ledger.by_model.items():
        got = tracker.by_model[model]
        assert (got.calls, got.input_tokens, got.output_tokens, got.total_tokens, got.calls_without_cost) == (
            expected.calls,
            expected.input_tokens,
            expected.output_tokens,
            expected.total_tokens,
            expected.calls_without_cost,
        ), model
        assert got.cost == pytest.approx(expected.cost), model
    total = tracker.total
    assert total.calls == sum(u.calls for u in ledger.by_model.values())
    assert tracker.total_tokens == sum(u.total_tokens for u in ledger.by_model.values())
    assert tracker.total_cost == pytest.approx(sum(u.cost for u in ledger.by_model.values()))


async def test_mixed_run_totals(fake_router: Any, models: tuple[ChatVisionRouter, ChatVisionRouter]) -> None:
    openrouter, infron = models
    ledger = Ledger()

    def script_answer(model: str, p: int, c: int, cost: float | None, *, at_root: bool = False) -> None:
        fake_router.reply(json=answer(model, p, c, cost, at_root=at_root))
        ledger.add(model, p, c, cost)

    def script_stream(model: str, p: int, c: int, cost: float | None, *, at_root: bool = False) -> None:
        fake_router.reply_sse(events(model, p, c, cost, at_root=at_root))
        ledger.add(model, p, c, cost)

    with track_usage() as usage:
        script_answer("acme/a", 10, 5, 0.001)
        openrouter.invoke("1")
        script_stream("acme/b", 20, 7, 0.002, at_root=True)  # Infron: cost at the root
        assert "".join(c.text for c in infron.stream("2")) == "ok"
        script_answer("acme/a", 3, 4, 0.0005)
        await openrouter.ainvoke("3")
        script_stream("acme/a", 6, 1, 0.0001)
        async for _ in openrouter.astream("4"):
            pass
        for _ in range(3):  # identical answers: a batch is served in any order
            script_answer("acme/a", 1, 1, 0.00001)
        openrouter.batch(["5", "6", "7"], config={"max_concurrency": 3})
        for _ in range(2):
            script_answer("acme/b", 2, 2, 0.00002, at_root=True)
        await infron.abatch(["8", "9"])
        script_answer("acme/a", 4, 4, 0.0004)
        chain = ChatPromptTemplate.from_messages([("user", "Caption {thing}")]) | openrouter
        chain.invoke({"thing": "a cat"})
        fake_router.reply(json=answer("acme/fallback", 5, 5, 0.0003))  # a fallback served:
        ledger.add("acme/a", 5, 5, 0.0003)  # counted under the model asked for
        openrouter.invoke("10", models=["acme/fallback"])
        script_answer("acme/a", 7, 0, None)  # no cost reported: counted, flagged
        openrouter.invoke("11")
        script_stream("acme/a", 2, 3, 0.0002)
        streaming = openrouter.model_copy(update={"streaming": True})
        streaming.invoke("12")  # invoke over a stream
        await infron.aclose()
        await openrouter.aclose()

    _assert_matches(usage, ledger)
    assert usage.by_model["acme/a"].calls == 10
    assert usage.by_model["acme/a"].served_by == {"acme/a": 9, "acme/fallback": 1}
    assert usage.by_model["acme/a"].calls_without_cost == 1
    assert len(fake_router.requests) == sum(u.calls for u in ledger.by_model.values())


def test_nothing_counted_outside_and_nesting_counts_once(fake_router: Any, models: Any) -> None:
    openrouter, _ = models
    for p in (1, 2, 3):
        fake_router.reply(json=answer("acme/a", p, 1, p / 1000))
    with track_usage() as outer:
        openrouter.invoke("a")
        with track_usage() as inner:
            openrouter.invoke("b")
    openrouter.invoke("c")  # outside: nobody counts it
    assert inner.total.calls == 1 and inner.total.input_tokens == 2
    assert outer.total.calls == 2 and outer.total.input_tokens == 3
    assert outer.total_cost == pytest.approx(0.003)


def test_trackers_in_threads_are_independent(fake_router: Any, models: Any) -> None:
    openrouter, _ = models
    for _ in range(4):
        fake_router.reply(json=answer("acme/a", 5, 5, 0.001))
    results: list[UsageTracker] = []

    def work() -> None:
        with track_usage() as usage:
            openrouter.invoke("x")
            openrouter.invoke("y")
        results.append(usage)

    threads = [threading.Thread(target=work) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert [r.total.calls for r in results] == [2, 2]
    assert [r.total_tokens for r in results] == [20, 20]


async def test_concurrent_tasks_share_the_block(fake_router: Any, models: Any) -> None:
    openrouter, _ = models
    for _ in range(8):
        fake_router.reply(json=answer("acme/a", 2, 3, 0.0001))
    with track_usage() as usage:
        await asyncio.gather(*(openrouter.ainvoke(str(i)) for i in range(8)))
    await openrouter.aclose()
    assert usage.total.calls == 8 and usage.total_tokens == 40
    assert usage.total_cost == pytest.approx(0.0008)


def test_agent_run_is_counted(fake_router: Any, models: Any) -> None:
    from langchain.agents import create_agent

    openrouter, _ = models

    @tool
    def get_weather(city: str) -> str:
        """Weather in a city."""
        return "sunny"

    call = {"id": "call_1", "type": "function", "function": {"name": "get_weather", "arguments": '{"city": "Paris"}'}}
    first = answer("acme/a", 50, 10, 0.005)
    first["choices"][0]["message"] = {"role": "assistant", "content": None, "tool_calls": [call]}
    first["choices"][0]["finish_reason"] = "tool_calls"
    fake_router.reply(json=first)
    # A distinct id: the agent's state merges messages that share one.
    fake_router.reply(json={**answer("acme/a", 70, 8, 0.007), "id": "gen-y"})
    agent = create_agent(openrouter, tools=[get_weather])
    with track_usage() as usage:
        result = agent.invoke({"messages": [("user", "Weather in Paris?")]})
    assert result["messages"][-1].content == "ok"
    assert usage.by_model["acme/a"].calls == 2
    assert usage.total.input_tokens == 120 and usage.total.output_tokens == 18
    assert usage.total_cost == pytest.approx(0.012)


def test_failed_stream_with_usage_is_counted(fake_router: Any, models: Any) -> None:
    openrouter, _ = models
    head = {"id": "gen-e", "model": "acme/a"}
    fake_router.reply_sse(
        [
            {**head, "choices": [{"index": 0, "delta": {"content": "partial"}, "finish_reason": "length"}]},
            {**head, "error": {"code": 400, "message": "Token limit reached"}, "choices": [],
             **_usage(9, 100, 0.0009)},
            "[DONE]",
        ]
    )  # fmt: skip
    with track_usage() as usage, pytest.raises(StreamError):
        list(openrouter.stream("x"))
    got = usage.by_model["acme/a"]
    assert (got.calls, got.failed_calls, got.output_tokens) == (1, 1, 100)
    assert got.cost == pytest.approx(0.0009)


def test_tracker_as_an_explicit_callback(fake_router: Any, models: Any) -> None:
    openrouter, _ = models
    fake_router.reply(json=answer("acme/a", 1, 2, 0.5))
    tracker = UsageTracker()
    openrouter.invoke("x", config={"callbacks": [tracker]})
    assert tracker.total.total_tokens == 3 and tracker.total_cost == 0.5
    assert "calls=1" in repr(tracker)


# -- get_generation ---------------------------------------------------------------------------------

STATS = {"data": {"id": "gen-42", "model": "acme/a", "provider_name": "Acme", "total_cost": 0.0012,
                  "tokens_prompt": 10, "tokens_completion": 4, "latency": 300, "extra_field": [1]}}  # fmt: skip
NOT_YET = {"error": {"message": "Generation not found", "code": 404}}


def test_get_generation_retries_404_then_answers(fake_router: Any) -> None:
    fake_router.reply(404, json=NOT_YET)
    fake_router.reply(404, json=NOT_YET)
    fake_router.reply(json=STATS)
    stats = get_generation("gen-42", base_url=fake_router.url, wait=0.01)
    assert (stats.id, stats.model, stats.provider_name, stats.total_cost) == ("gen-42", "acme/a", "Acme", 0.0012)
    assert (stats.tokens_prompt, stats.tokens_completion, stats.latency) == (10, 4, 300)
    assert stats.native_tokens_prompt is None  # missing: None, not invented
    assert stats.raw["extra_field"] == [1]
    assert [r.method for r in fake_router.requests] == ["GET"] * 3
    assert fake_router.requests[0].path == "/api/v1/generation?id=gen-42"
    assert fake_router.requests[0].headers["Authorization"].startswith("Bearer ")


def test_get_generation_gives_up_after_its_attempts(fake_router: Any) -> None:
    for _ in range(2):
        fake_router.reply(404, json=NOT_YET)
    with pytest.raises(NotFoundError, match="Generation not found"):
        get_generation("gen-missing", base_url=fake_router.url, attempts=2, wait=0.01)
    assert len(fake_router.requests) == 2


async def test_aget_generation(fake_router: Any) -> None:
    fake_router.reply(404, json=NOT_YET)
    fake_router.reply(json=STATS)
    stats = await aget_generation("gen-42", base_url=fake_router.url, wait=0.01, api_key="explicit")
    assert stats.total_cost == 0.0012
    assert fake_router.requests[1].headers["Authorization"] == "Bearer explicit"


@pytest.mark.parametrize("bad", ["", "   ", None])
def test_get_generation_needs_an_id(fake_router: Any, bad: Any) -> None:
    with pytest.raises(InvalidInputError, match="needs a generation id"):
        get_generation(bad, base_url=fake_router.url)
    assert fake_router.requests == []
