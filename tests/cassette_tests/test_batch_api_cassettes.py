"""OpenRouter's Batch API replayed from cassettes written from its documentation
(tests/cassette_sources/openrouter_batch.py): what was submitted is checked against the
cassette's request, and each journal line against the cassette's result rows."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from langchain_visionrouter import BatchItem, ChatVisionRouter, run_batch
from langchain_visionrouter.testing import BODY_MATCHER, DEFAULT_MATCH_ON
from tests.cassette_sources.openrouter_batch import URLS
from tests.cassette_tools import load, request_json, response_json

# The submitted body is pinned: it must be the cassette's, byte for byte in meaning.
pytestmark = pytest.mark.vcr(match_on=[*DEFAULT_MATCH_ON, BODY_MATCHER])


async def _no_wait(seconds: float) -> None:
    pass


def _run(tmp_path: Path) -> tuple[Any, list[dict[str, Any]]]:
    model = ChatVisionRouter(model="google/gemini-2.0-flash-001", api_key="sk-or-test", max_retries=0)
    out = tmp_path / "out.jsonl"
    run = run_batch(model, [BatchItem(u, u) for u in URLS], "Describe.", out=out, via="batch-api")
    run.sleep = _no_wait
    run.run_sync()
    return run, [json.loads(line) for line in out.read_text().splitlines()]


def _rows(name: str) -> dict[str, Any]:
    rows: list[Any] = []
    for interaction in load(name):
        body = response_json(interaction)
        rows += body.get("results") or body.get("data") or []
    return {row["custom_id"]: row for row in rows}


def _check(name: str, run: Any, lines: list[dict[str, Any]]) -> None:
    sent = request_json(load(name)[0])
    assert lines[0]["batch"]["keys"] == URLS and lines[0]["batch"]["id"] == "batch_abc123"
    assert list(sent) == ["endpoint", "model", "completion_window", "requests"]
    rows = _rows(name)
    by_key = {line["key"]: line for line in lines if "key" in line}
    for n, url in enumerate(URLS):
        body = rows[str(n)]["response"]["body"]
        line = by_key[url]
        assert line["answer"] == body["choices"][0]["message"]["content"]
        assert line["usage"]["input_tokens"] == body["usage"]["prompt_tokens"]
        assert line["generation_id"] == body["id"] and line["provider"] == body["provider"]
        assert line["cost"] is None  # the docs give no per-item cost
    done = [line for line in lines if "batch_done" in line]
    assert len(done) == 1 and done[0]["spent"] == 0.000136  # the batch's usage.cost, once
    assert run.done == 2 and run.cost == pytest.approx(0.000136)


@pytest.mark.default_cassette("openrouter_batch_inline.yaml")
def test_batch_with_inline_results(tmp_path: Path) -> None:
    run, lines = _run(tmp_path)
    _check("openrouter_batch_inline", run, lines)


@pytest.mark.default_cassette("openrouter_batch_paged.yaml")
def test_batch_with_paged_results(tmp_path: Path) -> None:
    run, lines = _run(tmp_path)
    _check("openrouter_batch_paged", run, lines)
