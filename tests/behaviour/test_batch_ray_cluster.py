"""The batch on a local two-worker Ray cluster with a shared ledger: repeated and blank keys, a worker
killed mid-run, a budget and a rerun. Each row gets its own answer; each key is written once."""

from __future__ import annotations

import json
import os
import signal
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from langchain_visionrouter import BatchWorker
from tests.batchkit import Responder, expected_answer, make_images, read_lines

# A local Ray start and two workers take ~40 s idle; the bound is a safety net, not a speed target.
pytestmark = [pytest.mark.ray, pytest.mark.timeout(900)]
ROOT = Path(__file__).resolve().parents[2]


class DyingWorker(BatchWorker):
    """Killed (SIGKILL) right after writing its first result, in its first life only (a marker file says)."""

    def __init__(self, prompt: str, *, marker: str, **kwargs: Any) -> None:
        super().__init__(prompt, **kwargs)
        self.marker = marker

    async def _send(self, items: list[Any]) -> dict[str, Any]:
        if not os.path.exists(self.marker) and len(items) > 1:
            from langchain_visionrouter._batch.ledger import _call

            first = items[0]
            lines = await super()._send([first])  # written to the ledger
            await _call(self.ledger.claim, self.worker, [i.key for i in items])  # holds the others...
            open(self.marker, "w").close()
            os.kill(os.getpid(), signal.SIGKILL)  # ... and dies holding them
            return lines
        return await super()._send(items)


@pytest.fixture(scope="module")
def ray_local() -> Iterator[Any]:
    try:
        import ray
        import ray.data
    except ImportError:
        pytest.skip("ray is not installed: pip install 'langchain-visionrouter[ray]' to run the Ray tests")
    ray.init(
        num_cpus=2,
        include_dashboard=False,
        log_to_driver=False,
        _node_ip_address="127.0.0.1",
        runtime_env={"env_vars": {"PYTHONPATH": str(ROOT)}},
    )
    yield ray
    ray.shutdown()


def pipeline(ray: Any, manifest: Path, router: Any, ledger: Any, marker: Path, dest: Path, **extra: Any) -> list[Any]:
    ds = ray.data.read_csv(str(manifest))
    answered = ds.map_batches(
        DyingWorker,
        fn_constructor_kwargs={
            "prompt": "Describe.",
            "model": {"model": "test/model", "router": "custom", "base_url": router.url, "max_retries": 0},
            "workers": 2,
            "concurrency": 4,
            "ledger": ledger,
            "marker": str(marker),
            **extra,
        },
        concurrency=2,
        num_cpus=0.5,
        batch_size=4,
    )
    answered.write_json(str(dest))
    return [json.loads(line) for f in sorted(dest.glob("*.json")) for line in f.read_text().splitlines()]


def test_two_workers_one_killed_each_row_its_own_answer_each_key_once(
    tmp_path: Path, fake_router: Any, ray_local: Any
) -> None:
    from langchain_visionrouter._batch.ledger import start_ledger

    images = make_images(tmp_path / "p", 10)
    responder = Responder()
    fake_router.respond(responder)
    rows = [f"k{i},{p}" for i, p in enumerate(images[:6])]
    rows += [f",{p}" for p in images[6:]]  # blank key cells: keyed by their source, each its own
    rows += [f"k{i},{images[i]}" for i in range(3)]  # repeated keys (same item): one call, every row answered
    manifest = tmp_path / "m.csv"
    manifest.write_text("key,path\n" + "\n".join(rows) + "\n")
    out = tmp_path / "journal.jsonl"
    ledger = start_ledger(out)
    marker = tmp_path / "died"
    got = pipeline(ray_local, manifest, fake_router, ledger, marker, tmp_path / "run1")
    assert marker.exists()  # a worker was killed mid-run
    assert len(got) == 13
    for row in got:
        assert row["answer"] == expected_answer(Path(row["path"])) and row["error"] is None, row
        assert isinstance(row["total_tokens"], int)
    ray_local.get(ledger.close.remote())
    lines = read_lines(out)
    assert len(lines) == len({line["key"] for line in lines}) == 10  # each key written once
    resent = sum(n - 1 for n in responder.per_item.values())
    assert len(responder.per_item) == 10 and resent <= 2  # only what was in flight at the kill

    # A rerun against the same journal answers every row from it: nothing is sent.
    ray_local.kill(ledger)
    before = len(fake_router.requests)
    ledger = start_ledger(out)
    again = pipeline(ray_local, manifest, fake_router, ledger, marker, tmp_path / "run2")
    assert len(fake_router.requests) == before
    assert sorted(r["answer"] for r in again) == sorted(r["answer"] for r in got)
    ray_local.kill(ledger)
