"""``run_batch(via="batch-api"|"auto")`` and ``visionrouter batch --via``: against a fake of
OpenRouter's Batch API that follows its documented wire format (tests/fakebatch.py).

No test sleeps: the run's poll sleep and clock are injected (a fake clock that the fake
sleep advances), and the interrupted run is interrupted from that sleep.
"""

from __future__ import annotations

import base64
import hashlib
import json
from pathlib import Path
from typing import Any

import pytest

from langchain_visionrouter import BatchItem, ChatVisionRouter, run_batch
from langchain_visionrouter._batch.admission import Prices
from langchain_visionrouter._batch.journal import Journal
from langchain_visionrouter.errors import InvalidInputError
from tests.batchkit import Responder, batch_argv, make_images, read_lines, run_cli
from tests.fakebatch import BATCH_COST, FakeBatches, results_by_key
from tests.wire import solid_png

URLS = [f"https://images.example.com/photo{i}.jpg" for i in range(5)]


def seen(url: str) -> str:
    return "seen " + hashlib.sha256(url.encode()).hexdigest()[:12]


class Clock:
    """A wall clock that only the fake sleep moves; records every wait asked for."""

    def __init__(self, interrupt_at: int | None = None) -> None:
        self.now = 1_782_097_200.0
        self.waits: list[float] = []
        self.interrupt_at = interrupt_at

    def __call__(self) -> float:
        return self.now

    async def sleep(self, seconds: float) -> None:
        if self.interrupt_at is not None and len(self.waits) >= self.interrupt_at:
            raise KeyboardInterrupt  # Ctrl-C while polling
        self.waits.append(seconds)
        self.now += seconds


def model_for(router: Any, **kw: Any) -> ChatVisionRouter:
    return ChatVisionRouter(
        model="test/vision", api_key="sk-test", router="custom", base_url=router.url, max_retries=0, **kw
    )


def go(router: Any, items: list[BatchItem], out: Path, clock: Clock, **kw: Any) -> Any:
    run = run_batch(model_for(router), items, "Describe.", out=out, via=kw.pop("via", "batch-api"), **kw)
    run.clock, run.sleep = clock, clock.sleep
    return run.run_sync()


def url_items(n: int = 3) -> list[BatchItem]:
    return [BatchItem(u, u, metadata={"n": i}) for i, u in enumerate(URLS[:n])]


def test_submitted_once_polled_with_backoff_results_as_live_lines(tmp_path: Path, fake_router: Any) -> None:
    fake = FakeBatches(steps=("validating", "in_progress", "in_progress", "completed"))
    fake_router.respond(fake)
    out, clock = tmp_path / "r.jsonl", Clock()
    seen_states: list[str] = []
    run = run_batch(model_for(fake_router), url_items(), "Describe.", out=out, via="batch-api")
    run.clock, run.sleep = clock, clock.sleep
    run.on_progress = lambda s: seen_states.append(f"{s.status} {s.counts()}")
    run.run_sync()
    assert len(fake.creates) == 1
    sent = fake.creates[0]
    assert list(sent) == ["endpoint", "model", "completion_window", "requests"]
    assert sent["model"] == "test/vision"
    part = sent["requests"][0]["body"]["messages"][-1]["content"][1]
    assert part == {"type": "image_url", "image_url": {"url": URLS[0]}}
    assert "stream" not in sent["requests"][0]["body"]
    assert seen_states[0].startswith("validating") and seen_states[-1] == "completed 3/3 completed, 0 failed"
    assert "in_progress 1/3 completed, 0 failed" in seen_states
    assert clock.waits == [5.0, 7.5]  # back-off between polls
    lines = read_lines(out)
    by_key = results_by_key(lines)
    assert sorted(by_key) == sorted(URLS[:3]) and all(len(v) == 1 for v in by_key.values())
    first = by_key[URLS[0]][0]
    assert first["answer"] == seen(URLS[0]) and first["metadata"] == {"n": 0}
    assert first["usage"]["input_tokens"] == 90 and first["cost"] is None  # no per-item cost given
    assert first["generation_id"].startswith("gen-batch-") and first["provider"] == "FakeProvider"
    assert lines[0]["batch"]["id"] == "batch_1" and lines[0]["batch"]["keys"] == URLS[:3]
    done = [line for line in lines if "batch_done" in line]
    assert done == [{"batch_done": "batch_1", "status": "completed", "spent": BATCH_COST, "note": done[0]["note"]}]
    assert run.done == 3 and run.failed == 0 and run.cost == pytest.approx(BATCH_COST)
    with Journal(str(out)) as journal:  # the batch's cost counted once, the batch closed
        assert journal.spent == pytest.approx(BATCH_COST) and journal.batches == {}


def test_paged_results_and_per_item_costs_are_not_counted_twice(tmp_path: Path, fake_router: Any) -> None:
    fake = FakeBatches(inline=False, page=2, item_cost=0.001, steps=("validating", "completed"))
    fake_router.respond(fake)
    out = tmp_path / "r.jsonl"
    run = go(fake_router, url_items(5), out, Clock())
    by_key = results_by_key(read_lines(out))
    assert len(by_key) == 5 and all(v[0]["cost"] == 0.001 for v in by_key.values())
    results_calls = [r.path for r in fake_router.requests if "/results" in r.path]
    assert len(results_calls) == 3 and "cursor=2" in results_calls[1]  # 5 rows, pages of 2
    assert run.cost == pytest.approx(BATCH_COST)
    with Journal(str(out)) as journal:
        assert journal.spent == pytest.approx(BATCH_COST)


def test_per_item_errors_are_typed_error_lines(tmp_path: Path, fake_router: Any) -> None:
    fake = FakeBatches(fail={"1"}, bad={"2"}, steps=("completed",))
    fake_router.respond(fake)
    out = tmp_path / "r.jsonl"
    run = go(fake_router, url_items(4), out, Clock())
    by_key = {k: v[0] for k, v in results_by_key(read_lines(out)).items()}
    assert by_key[URLS[1]]["error"]["message"].startswith("provider refused 1")
    assert by_key[URLS[2]]["error"]["type"] == "BadRequestError" and by_key[URLS[2]]["error"]["status_code"] == 400
    assert by_key[URLS[0]]["answer"] == seen(URLS[0]) and by_key[URLS[3]]["answer"] == seen(URLS[3])
    assert (run.done, run.failed, run.stopped) == (2, 2, None)


@pytest.mark.parametrize(
    ("steps", "answered"),
    [(("validating", "failed"), 0), (("in_progress", "expired"), 2), (("in_progress", "cancelled"), 0)],
)
def test_a_batch_that_ends_badly_leaves_an_error_line_per_unanswered_key(
    tmp_path: Path, fake_router: Any, steps: tuple[str, ...], answered: int
) -> None:
    fake = FakeBatches(steps=steps, error="model not available for batch")
    fake_router.respond(fake)
    out = tmp_path / "r.jsonl"
    run = go(fake_router, url_items(4), out, Clock())
    lines = read_lines(out)
    by_key = {k: v[0] for k, v in results_by_key(lines).items()}
    assert len(by_key) == 4
    errors = [v for v in by_key.values() if "error" in v]
    assert len(errors) == 4 - answered
    status = steps[-1]
    assert all(f"the batch {status}" in e["error"]["message"] for e in errors)
    assert [line["status"] for line in lines if "batch_done" in line] == [status]
    if status == "failed":
        assert "model not available for batch" in errors[0]["error"]["message"]
        assert run.stopped is not None and "failed" in run.stopped


def test_interrupted_while_polling_then_rerun_submits_once_and_writes_each_result_once(
    tmp_path: Path, fake_router: Any
) -> None:
    fake = FakeBatches(steps=("validating", "in_progress", "in_progress", "completed"))
    fake_router.respond(fake)
    out = tmp_path / "r.jsonl"
    items = url_items(4)
    with pytest.raises(KeyboardInterrupt):
        go(fake_router, items, out, Clock(interrupt_at=1))
    lines = read_lines(out)
    assert [list(line) for line in lines] == [["batch"]]  # journaled, nothing answered yet
    with Journal(str(out)) as journal:
        assert list(journal.batches) == ["batch_1"]
    # A crash after one result line was written (as if killed mid-writing):
    with open(out, "a", encoding="utf-8") as file:
        file.write(json.dumps({"key": URLS[0], "answer": "written before the crash", "cost": None}) + "\n")
    run = go(fake_router, items, out, Clock())
    assert len(fake.creates) == 1  # reattached, never resubmitted
    by_key = results_by_key(read_lines(out))
    assert sorted(by_key) == sorted(URLS[:4]) and all(len(v) == 1 for v in by_key.values())
    assert by_key[URLS[0]][0]["answer"] == "written before the crash"
    assert run.done == 3 and run.batches == []
    gets = fake.gets
    run = go(fake_router, items, out, Clock())  # everything done: no request at all
    assert len(fake.creates) == 1 and fake.gets == gets and run.skipped == 4


def test_inline_images_refused_up_front_naming_the_items(tmp_path: Path, fake_router: Any) -> None:
    fake = FakeBatches()
    fake_router.respond(fake)
    images = make_images(tmp_path / "photos", 2)
    items = url_items(1) + [BatchItem(str(p), p) for p in images]
    with pytest.raises(InvalidInputError) as caught:
        go(fake_router, items, tmp_path / "r.jsonl", Clock())
    message = str(caught.value)
    assert "2 item(s)" in message and str(images[0]) in message and "--via auto" in message
    assert "only as public http(s) URLs" in message
    assert fake_router.requests == []  # nothing sent
    inline = "data:image/png;base64," + base64.b64encode(solid_png()).decode()
    data_url = BatchItem("d", {"type": "image_url", "image_url": {"url": inline}})
    with pytest.raises(InvalidInputError, match="sent inline"):
        go(fake_router, [data_url], tmp_path / "r2.jsonl", Clock())
    assert fake_router.requests == []


def test_auto_sends_urls_through_the_batch_and_local_files_live(tmp_path: Path, fake_router: Any) -> None:
    responder = Responder()
    fake = FakeBatches(steps=("completed",), live=responder)
    fake_router.respond(fake)
    images = make_images(tmp_path / "photos", 2)
    items = url_items(2) + [BatchItem(str(p), p) for p in images]
    out = tmp_path / "r.jsonl"
    run = go(fake_router, items, out, Clock(), via="auto")
    assert len(fake.creates) == 1 and len(fake.creates[0]["requests"]) == 2
    assert sum(responder.per_item.values()) == 2  # the two local files, live
    by_key = results_by_key(read_lines(out))
    assert len(by_key) == 4 and all(len(v) == 1 and "answer" in v[0] for v in by_key.values())
    assert run.live == 2 and run.done == 4


def test_the_quickstarts_beta_path_when_v1_has_no_batches(tmp_path: Path, fake_router: Any) -> None:
    fake = FakeBatches(v1=False, steps=("completed",))
    fake_router.respond(fake)
    out = tmp_path / "r.jsonl"
    go(fake_router, url_items(2), out, Clock())
    assert [r.path for r in fake_router.requests][:3] == [
        "/api/v1/batches",
        "/api/beta/batches",
        "/api/beta/batches/batch_1",
    ]
    assert read_lines(out)[0]["batch"]["url"].endswith("/api/beta/batches")


def test_budget_admits_at_the_batch_discount_and_submits_what_fits(tmp_path: Path, fake_router: Any) -> None:
    fake = FakeBatches(steps=("completed",), cost=None)
    fake_router.respond(fake)
    model = model_for(fake_router, max_tokens=100)
    prices = Prices(1000.0, 1000.0, source="catalog")  # USD per million; "catalog": discounted to 500
    run = run_batch(
        model, url_items(4), "Describe.", out=tmp_path / "r.jsonl", via="batch-api", budget=1.0, prices=prices
    )
    clock = Clock()
    run.clock, run.sleep = clock, clock.sleep
    run.run_sync()
    admitted = len(fake.creates[0]["requests"])
    assert 0 < admitted < 4 and run.stopped is not None and "budget" in run.stopped
    assert "batch discount (50%" in run.stopped
    with Journal(str(tmp_path / "r.jsonl")) as journal:  # no usage.cost: charged at the reservation
        assert 0 < journal.spent <= 1.0


def test_polling_is_bounded_and_the_batch_stays_journaled(tmp_path: Path, fake_router: Any) -> None:
    fake = FakeBatches(steps=("in_progress",))
    fake_router.respond(fake)
    out, clock = tmp_path / "r.jsonl", Clock()
    run = go(fake_router, url_items(2), out, clock, batch_wait=60)
    assert sum(clock.waits) <= 60 and run.stopped is not None and "still in_progress" in run.stopped
    with Journal(str(out)) as journal:
        assert list(journal.batches) == ["batch_1"]


def test_infron_is_refused_with_what_its_docs_lack(fake_router: Any) -> None:
    model = ChatVisionRouter(model="openai/gpt-4o-mini-batch", api_key="k", router="infron", base_url=fake_router.url)
    with pytest.raises(InvalidInputError, match="not offered for Infron"):
        run_batch(model, url_items(1), "Describe.", via="batch-api")
    assert fake_router.requests == []


def test_cli_via_batch_api_progress_in_the_routers_counts(tmp_path: Path, fake_router: Any) -> None:
    fake = FakeBatches(steps=("validating", "completed"))
    fake_router.respond(fake)
    out = tmp_path / "r.jsonl"
    code, _, err = run_cli(batch_argv(fake_router, out, *URLS[:3], extra=("--via", "batch-api")))
    assert code == 0, err
    assert "batch batch_1: validating, 0/3 completed, 0 failed (the router's counts)" in err
    assert "batch batch_1: completed, 3/3 completed, 0 failed" in err
    assert len(results_by_key(read_lines(out))) == 3
    code, _, err = run_cli(
        batch_argv(fake_router, tmp_path / "x.jsonl", *make_images(tmp_path / "p", 1), extra=("--via", "batch-api"))
    )
    assert code == 2 and "--via auto" in err and len(fake.creates) == 1
    argv = batch_argv(fake_router, out, URLS[0], extra=("--via", "batch-api"))
    argv[argv.index("custom")] = "infron"
    code, _, err = run_cli(argv)
    assert code == 2 and "Infron" in err
