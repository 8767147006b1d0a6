"""_batch_ray.py: the batch on a local Ray instance (2 CPUs), against the loopback router."""

from __future__ import annotations

import io
import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from langchain_visionrouter import BatchWorker
from langchain_visionrouter._batch.on_ray import split_limits
from langchain_visionrouter._cli import ask as cli
from tests.batchkit import Responder, make_images, read_lines

# A local Ray start and two workers take ~40 s idle; the bound is a safety net, not a speed target.
pytestmark = [pytest.mark.ray, pytest.mark.timeout(900)]


def test_limits_are_split_across_workers() -> None:
    assert split_limits(4, 64, 600, None) == (16, 150, None)
    assert split_limits(3, 2, None, 9000) == (1, None, 3000)
    with pytest.raises(ValueError, match="workers"):
        split_limits(0, 8, None, None)


@pytest.fixture(scope="module")
def ray_local() -> Iterator[Any]:
    try:
        import ray
        import ray.data
    except ImportError:
        pytest.skip("ray is not installed: pip install 'langchain-visionrouter[ray]' to run the Ray tests")
    ray.init(num_cpus=2, include_dashboard=False, log_to_driver=False, _node_ip_address="127.0.0.1")
    yield ray
    ray.shutdown()


def test_ray_data_gives_the_same_results_as_the_cli(tmp_path: Path, fake_router: Any, ray_local: Any) -> None:
    images = make_images(tmp_path / "p", 10)
    responder = Responder(delay=0.02)
    fake_router.respond(responder)
    manifest = tmp_path / "m.csv"
    manifest.write_text("path,sku\n" + "".join(f"{p},{i}\n" for i, p in enumerate(images)))

    cli_out = tmp_path / "cli.jsonl"
    args = ["batch", "Describe.", str(manifest), "--out", str(cli_out), "--router", "custom"]
    assert cli.main([*args, "--base-url", fake_router.url], out=io.StringIO(), err=io.StringIO()) == 0

    assert len(fake_router.requests) == 10
    responder = Responder(delay=0.05)  # a fresh count for the Ray run
    fake_router.respond(responder)
    ds = ray_local.data.read_csv(str(manifest))
    answered = ds.map_batches(
        BatchWorker,
        fn_constructor_kwargs={
            "prompt": "Describe.",
            "model": {"model": "test/model", "router": "custom", "base_url": fake_router.url, "max_retries": 0},
            "workers": 2,
            "concurrency": 4,
        },
        concurrency=2,
        num_cpus=0.5,  # waiting on the network: two actors must leave a CPU for the read
        batch_size=3,
    )
    answered.write_json(str(tmp_path / "ray"))
    rows = [json.loads(line) for f in sorted((tmp_path / "ray").glob("*.json")) for line in f.read_text().splitlines()]

    expected = {line["key"]: line for line in read_lines(cli_out)}
    assert sorted(str(Path(row["key"]).resolve()) for row in rows) == sorted(expected)
    for row in rows:  # typed columns: the answer as text (not JSON text), tokens as numbers, a real null
        line = expected[str(Path(row["key"]).resolve())]
        assert row["answer"] == line["answer"] and row["total_tokens"] == line["usage"]["total_tokens"]
        for name in ("cost", "model", "provider", "generation_id"):
            assert row[name] == line[name], name
        assert row["error"] is None and row["error_type"] is None
        assert str(row["sku"]) == line["metadata"]["sku"]  # Arrow reads it as a number
    assert len(fake_router.requests) == 20 and set(responder.per_item.values()) == {1}
    assert responder.max_in_flight <= 4  # two workers with two each
