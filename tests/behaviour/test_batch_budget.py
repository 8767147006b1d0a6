"""Budget and pace at the edges: a cap across resumes with varying costs, tpm reserved up front,
Retry-After storms paused together, a run that cannot make progress."""

from __future__ import annotations

import asyncio
import json
import random
import threading
from pathlib import Path
from typing import Any

import pytest

from langchain_visionrouter._batch import admission
from langchain_visionrouter._batch.admission import Budget, Pacer
from langchain_visionrouter._batch.journal import Journal
from tests.batchkit import batch_argv, make_images, read_lines, run_cli
from tests.fakerouter import Recorded, Scripted, answer
from tests.wire import completion, usage

PRICE = ("--price", "1,1", "--max-tokens", "1000")  # a worst case a bit over $0.001 a call


class VaryingCost:
    """Answers with a seeded random cost between 0 and 0.001 (under every call's worst case), or none."""

    def __init__(self, seed: int, missing: float = 0.0) -> None:
        self.rng = random.Random(seed)
        self.missing = missing
        self.lock = threading.Lock()

    def __call__(self, request: Recorded) -> Scripted:
        with self.lock:
            cost = None if self.rng.random() < self.missing else round(self.rng.uniform(0, 0.001), 7)
        use = usage(90, 10, cost=cost)
        if cost is None:
            del use["cost"]  # a router that reports no cost
        return answer(json=completion(gen="g", model="m", provider="P", content="ok", use=use))


@pytest.mark.parametrize("missing", [0.0, 0.3])
def test_the_budget_caps_the_total_over_three_resumes(tmp_path: Path, fake_router: Any, missing: float) -> None:
    make_images(tmp_path / "p", 60)
    fake_router.respond(VaryingCost(seed=24, missing=missing))
    out = tmp_path / "r.jsonl"
    codes, errs = [], []
    for _ in range(3):
        code, _, err = run_cli(
            batch_argv(fake_router, out, tmp_path / "p", extra=("--budget", "0.01", "-c", "8", *PRICE))
        )
        codes.append(code)
        errs.append(err)
    spent = Journal(str(out)).spent
    assert spent <= 0.01  # every answer costs at most its reservation: never over
    assert codes == [1, 1, 1] and all("stopped early: budget" in err for err in errs)
    assert "by earlier runs" in errs[2]
    lines = read_lines(out)
    assert len(lines) == len(fake_router.requests) < 60  # nothing sent that was not written
    if missing:  # an answer without a cost is charged at its worst case, and says so
        assert any(line.get("charged") for line in lines)


@pytest.fixture
def clock(monkeypatch: pytest.MonkeyPatch) -> list[float]:
    """A fake clock for the pacer: ``asyncio.sleep`` moves it instead of waiting."""
    now = [1000.0]
    sleep = asyncio.sleep

    async def fake_sleep(seconds: float) -> None:
        now[0] += seconds
        await sleep(0)

    monkeypatch.setattr(admission.time, "monotonic", lambda: now[0])
    monkeypatch.setattr(admission.asyncio, "sleep", fake_sleep)
    return now


async def test_tpm_is_reserved_before_sending(clock: list[float]) -> None:
    pacer = Pacer(rpm=None, tpm=6000)
    starts = []
    for _ in range(4):  # calls of 1,000 tokens under 6,000 a minute: one every 10 s, from the first
        await pacer.wait(1000)
        starts.append(clock[0] - 1000.0)
    assert starts == [0.0, 10.0, 20.0, 30.0]
    pacer.settle(1000, 400)  # the last answer used fewer: the next start comes sooner
    await pacer.wait(1000)
    assert clock[0] - 1000.0 == pytest.approx(34.0)


async def test_a_pause_holds_every_sender_together(clock: list[float]) -> None:
    pacer = Pacer(rpm=None, tpm=None)
    pacer.pause(30.0)
    starts = await asyncio.gather(*(pacer.wait() for _ in range(3)))
    assert len(starts) == 3 and clock[0] - 1000.0 == pytest.approx(30.0)


async def test_reservations_wait_for_calls_in_flight_and_refuse_when_none_can_free_room() -> None:
    budget = Budget(cap=1.0, spent_before=0.4)
    assert await budget.reserve(0.5)
    waiting = asyncio.ensure_future(budget.reserve(0.5))
    await asyncio.sleep(0)
    assert not waiting.done()  # 0.4 + 0.5 + 0.5 > 1: wait for the call in flight
    await budget.settle(0.5, 0.1)
    assert await waiting  # it cost 0.1: room for the next
    assert not await Budget(cap=1.0, spent_before=0.9).reserve(0.2)


def test_a_retry_after_longer_than_max_wait_stops_the_run_without_error_lines(tmp_path: Path, fake_router: Any) -> None:
    make_images(tmp_path / "p", 40)
    fake_router.respond(
        lambda r: answer(429, json={"error": {"code": 429, "message": "slow down"}}, headers={"Retry-After": "3600"})
    )
    out = tmp_path / "r.jsonl"
    code, _, err = run_cli(batch_argv(fake_router, out, tmp_path / "p", extra=("-c", "4", "--retries", "2")))
    assert code == 1 and "asks to wait 3600 s" in err and "rerun after that" in err
    assert read_lines(out) == []  # nothing written: every item is still to do
    assert len(fake_router.requests) <= 4  # one wave, then the run stopped


def test_error_lines_state_the_requests_really_sent(tmp_path: Path, fake_router: Any) -> None:
    make_images(tmp_path / "p", 2)
    fake_router.respond(
        lambda r: answer(429, json={"error": {"code": 429, "message": "slow down"}}, headers={"Retry-After": "0"})
    )
    out = tmp_path / "r.jsonl"
    code, _, err = run_cli(batch_argv(fake_router, out, tmp_path / "p", extra=("-c", "1", "--retries", "2")))
    assert code == 1, err
    lines = read_lines(out)
    assert len(lines) == 2
    for line in lines:  # 3 rounds of the model's 1 + 2 tries
        assert line["error"]["attempts"] == 9 and "9 request(s) sent for this item" in line["error"]["message"]
        assert "max_retries=" not in line["error"]["message"]
    assert len(fake_router.requests) == 18


def test_a_run_that_cannot_make_progress_stops_and_says_why(tmp_path: Path, fake_router: Any) -> None:
    make_images(tmp_path / "p", 60)
    fake_router.respond(lambda r: answer(503, json={"error": {"code": 503, "message": "no capacity"}}))
    out = tmp_path / "r.jsonl"
    code, _, err = run_cli(batch_argv(fake_router, out, tmp_path / "p", extra=("-c", "2", "--max-wait", "0")))
    assert code == 1 and "no progress: the last 20 calls all failed" in err and "no capacity" in err
    assert len(read_lines(out)) < 60 and json.dumps(read_lines(out)).count("ProviderError") < 20
