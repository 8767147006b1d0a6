"""The cluster ledger in process (no Ray): two workers sharing one journal and one budget, and a rerun."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from langchain_visionrouter import BatchWorker
from langchain_visionrouter._batch.admission import Prices
from langchain_visionrouter._batch.ledger import Ledger
from tests.batchkit import COST, Responder, make_images, read_lines


def workers(router: Any, ledger: Ledger, n: int = 2) -> list[BatchWorker]:
    model = {"model": "test/model", "router": "custom", "base_url": router.url, "max_retries": 0, "max_tokens": 1000}
    return [
        BatchWorker("?", model=model, workers=n, concurrency=4, ledger=ledger, budget=0.0055, prices=Prices(1, 1))
        for _ in range(n)
    ]


def test_two_workers_share_one_budget_and_a_rerun_counts_what_was_spent(tmp_path: Path, fake_router: Any) -> None:
    images = make_images(tmp_path, 8)
    fake_router.respond(Responder())
    out = tmp_path / "j.jsonl"
    ledger = Ledger(str(out), budget=0.0055)
    first, second = workers(fake_router, ledger)
    batches = [{"path": [str(p) for p in images[:4]]}, {"path": [str(p) for p in images[4:]]}]
    rows = first(batches[0])
    rows2 = second(batches[1])
    answered = [a for a in [*rows["answer"], *rows2["answer"]] if a is not None]
    not_sent = [e for e in [*rows["error_type"], *rows2["error_type"]] if e == "NotSent"]
    # Each call reserves ~0.00127 and costs 0.001: five fit in 0.0055 across both workers.
    assert len(answered) == len(fake_router.requests) == 5 and len(not_sent) == 3
    assert all(m is None or "budget" in m for m in [*rows["error"], *rows2["error"]])
    first.loop.run_until_complete(ledger.close())
    assert len(read_lines(out)) == 5

    again = Ledger(str(out), budget=0.0055)  # a rerun: the done rows come from the journal, the spend counts
    assert again.budget is not None and again.budget.spent_before == 5 * COST
    third = workers(fake_router, again, 1)[0]
    rows = third(batches[0])
    assert rows["answer"].count(None) <= 4 and len(fake_router.requests) == 5  # nothing fits: 0.005 + 0.00127
    third.loop.run_until_complete(again.close())
