"""_batch.py: run_batch against the loopback router (answers by image, counted per item)."""

from __future__ import annotations

import asyncio
import base64
from pathlib import Path
from typing import Any

import pytest

from langchain_visionrouter import BatchItem, BatchResult, run_batch
from langchain_visionrouter._batch.admission import Prices
from langchain_visionrouter._batch.io import expand_inputs
from tests.batchkit import COST, TOKENS, Responder, expected_answer, make_images


async def collect(run: Any) -> list[BatchResult]:
    return [result async for result in run]


async def test_every_item_answered_once_with_its_own_answer(tmp_path: Path, fake_router: Any, make_model: Any) -> None:
    paths = make_images(tmp_path, 12)
    responder = Responder(peak=4)
    fake_router.respond(responder)
    run = run_batch(make_model(), expand_inputs([str(tmp_path)]), "Describe.", concurrency=4)
    results = await collect(run)
    assert sorted(r.key for r in results) == sorted(str(p) for p in paths)
    for result in results:
        assert result.ok
        assert result.answer == expected_answer(Path(result.key))
        assert result.cost == COST and result.model == "test/vision" and result.provider == "FakeProvider"
        assert result.generation_id == "gen-" + result.answer.split()[1]
        assert result.usage is not None and result.usage["total_tokens"] == sum(TOKENS)
    assert len(fake_router.requests) == 12 and set(responder.per_item.values()) == {1}
    assert responder.max_in_flight == 4
    assert (run.done, run.failed, run.stopped) == (12, 0, None)
    assert run.cost == pytest.approx(12 * COST)


async def test_the_prompt_and_system_are_sent_and_a_manifest_prompt_wins(
    tmp_path: Path, fake_router: Any, make_model: Any
) -> None:
    (path,) = make_images(tmp_path, 1)
    fake_router.respond(Responder())
    items = [BatchItem("a", str(path)), BatchItem("b", str(path), prompt="Own question?", metadata={"sku": 7})]
    results = {r.key: r for r in await collect(run_batch(make_model(), items, "Shared?", system="Be brief."))}
    bodies = {r.json["messages"][1]["content"][0]["text"]: r.json for r in fake_router.requests}
    assert set(bodies) == {"Shared?", "Own question?"}
    assert all(b["messages"][0] == {"role": "system", "content": "Be brief."} for b in bodies.values())
    assert results["b"].to_json()["metadata"] == {"sku": 7}


async def test_a_failing_item_is_a_typed_error_line_and_the_others_go_on(
    tmp_path: Path, fake_router: Any, make_model: Any
) -> None:
    paths = make_images(tmp_path, 5)
    bad = expected_answer(paths[2]).split()[1]
    fake_router.respond(Responder(fail={bad}))
    results = {r.key: r for r in await collect(run_batch(make_model(), expand_inputs([str(tmp_path)]), "?"))}
    error = results[str(paths[2])].to_json()["error"]
    assert error["type"] == "BadRequestError" and error["status_code"] == 400 and bad in error["message"]
    assert "answer" not in results[str(paths[2])].to_json()
    assert sum(r.ok for r in results.values()) == 4


async def test_an_unreadable_file_is_an_error_of_its_item_only(
    tmp_path: Path, fake_router: Any, make_model: Any
) -> None:
    (good,) = make_images(tmp_path, 1)
    broken = tmp_path / "broken.png"
    broken.write_bytes(b"not a png at all")
    fake_router.respond(Responder())
    items = [BatchItem("good", str(good)), BatchItem("broken", str(broken))]
    results = {r.key: r for r in await collect(run_batch(make_model(), items, "?"))}
    assert results["good"].ok
    assert results["broken"].error is not None and results["broken"].error["type"] == "ImageInputError"
    assert len(fake_router.requests) == 1  # the broken file never reached the router


async def test_skip_sends_nothing_and_duplicate_keys_are_refused_up_front(
    tmp_path: Path, fake_router: Any, make_model: Any
) -> None:
    paths = make_images(tmp_path, 3)
    fake_router.respond(Responder())
    run = run_batch(make_model(), [BatchItem(str(p), str(p)) for p in paths], "?", skip={str(paths[1])})
    assert sorted(r.key for r in await collect(run)) == sorted([str(paths[0]), str(paths[2])])
    assert len(fake_router.requests) == 2 and run.skipped == 1
    items = [BatchItem(str(p), str(p), origin=f"row {i}") for i, p in enumerate([*paths, paths[0]])]
    with pytest.raises(ValueError, match=r"duplicate key.*row 0 and row 3"):
        run_batch(make_model(), items, "?")
    assert len(fake_router.requests) == 2


async def test_budget_stops_before_the_next_call_would_pass_it(
    tmp_path: Path, fake_router: Any, make_model: Any
) -> None:
    make_images(tmp_path, 20)
    fake_router.respond(Responder(delay=0.01))
    # Each call reserves its worst case, ~0.00127 (1000 answer tokens and ~270 input tokens at $1 a
    # million), and costs 0.001: four reserve at once, a fifth fits once they are settled, a sixth never.
    prices = Prices(1.0, 1.0, source="test")
    model = make_model(max_tokens=1000)
    run = run_batch(model, expand_inputs([str(tmp_path)]), "?", concurrency=4, budget=0.0055, prices=prices)
    results = await collect(run)
    assert len(results) == len(fake_router.requests) == 5
    assert run.cost == pytest.approx(0.005)
    assert run.stopped is not None and "budget" in run.stopped and "would pass it" in run.stopped


async def test_rpm_spaces_the_requests_at_the_server(tmp_path: Path, fake_router: Any, make_model: Any) -> None:
    make_images(tmp_path, 8)
    responder = Responder()
    fake_router.respond(responder)
    await collect(run_batch(make_model(), expand_inputs([str(tmp_path)]), "?", concurrency=8, rpm=600))
    assert_paced(responder.starts, 0.1, 8)


def assert_paced(starts: list[float], interval: float, n: int) -> None:
    """At the server, any ``k + 1`` starts span at least ``k - 2`` intervals. Starts are paced at the
    client: the first requests, slowed by opening connections on a busy machine, can reach the server
    late, bunched with the next ones (up to three seen at once); unpaced, all would start within ms."""
    assert len(starts) == n
    for i in range(n):
        for j in range(i + 3, n):
            assert starts[j] - starts[i] >= (j - i - 2) * interval - 0.03, (i, j, starts)


async def test_tpm_holds_the_next_start_by_the_tokens_used(tmp_path: Path, fake_router: Any, make_model: Any) -> None:
    make_images(tmp_path, 5)
    responder = Responder()
    fake_router.respond(responder)
    tpm = sum(TOKENS) * 60 / 0.15  # each answer's 100 tokens buy 0.15 s
    await collect(run_batch(make_model(), expand_inputs([str(tmp_path)]), "?", concurrency=1, tpm=tpm))
    assert_paced(responder.starts, 0.15, 5)


async def test_a_bad_key_stops_the_run_by_raising(tmp_path: Path, fake_router: Any, make_model: Any) -> None:
    from langchain_visionrouter import AuthenticationError

    make_images(tmp_path, 6)
    for _ in range(6):
        fake_router.reply(401, json={"error": {"code": 401, "message": "No auth credentials found"}})
    run = run_batch(make_model(), expand_inputs([str(tmp_path)]), "?", concurrency=2)
    with pytest.raises(AuthenticationError):
        await collect(run)
    assert run.stopped is not None and "AuthenticationError" in run.stopped
    assert len(fake_router.requests) <= 2


async def test_structured_output_gives_parsed_json(tmp_path: Path, fake_router: Any, make_model: Any) -> None:
    (path,) = make_images(tmp_path, 1)
    fake_router.respond(Responder(content='{"alt": "a red square", "ok": true}'))
    schema = {
        "title": "Alt",
        "type": "object",
        "properties": {"alt": {"type": "string"}, "ok": {"type": "boolean"}},
        "required": ["alt", "ok"],
    }
    items = [BatchItem("k", str(path))]
    # json_mode answers in the content, which the responder fills; the schema is the caller's.
    (result,) = await collect(run_batch(make_model(), items, "?", schema=schema))
    assert result.ok, result.error
    assert result.answer == {"alt": "a red square", "ok": True} and result.cost == COST


async def test_items_are_pulled_lazily(fake_router: Any, make_model: Any) -> None:
    from tests.cassette_sources.core import tiny_png

    pulled = 0
    fake_router.respond(Responder(delay=0.05))

    def items() -> Any:
        nonlocal pulled
        for i in range(1000):
            pulled += 1
            yield BatchItem(str(i), tiny_png((i % 256, i // 256, 0)))

    run = run_batch(make_model(), items(), "?", concurrency=3)
    seen = 0
    async for _ in run:
        seen += 1
        if seen == 2:
            break
    assert pulled <= 2 + 3 + 1  # what finished, what was in flight, one more
    await asyncio.sleep(0)


def test_bad_options_are_refused_before_any_request(make_model: Any) -> None:
    for kwargs, word in (({"concurrency": 0}, "concurrency"), ({"budget": -1}, "budget"), ({"rpm": 0}, "rpm")):
        with pytest.raises(ValueError, match=word):
            run_batch(make_model(), [], "?", **kwargs)


def test_inline_bytes_are_sent_as_an_image(make_model: Any) -> None:
    from langchain_visionrouter._batch.engine import content_block
    from tests.cassette_sources.core import tiny_png

    block = content_block(tiny_png(), None)
    assert block["type"] == "image" and base64.b64decode(block["base64"]) == tiny_png()
