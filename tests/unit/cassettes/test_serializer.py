"""The cassettes written from ``tests/cassette_sources``: in sync with their sources, small,
and shaped like the router's wire format (shared/router-wire-format.md)."""

from __future__ import annotations

import json
from typing import Any

import pytest

from langchain_visionrouter._cassettes.serializer import READABLE
from tests.cassette_sources import all_cassettes
from tests.cassette_tools import CASSETTES, OPENROUTER

WRITTEN = all_cassettes()
MAX_BYTES = 512 * 1024


def chat_exchanges() -> list[tuple[str, int, dict[str, Any]]]:
    """Successful OpenRouter chat exchanges: the shape checked below is OpenRouter's success shape.

    Error answers (HTTP errors, error bodies, mid-stream error chunks) and Infron's dialect (other
    ids, no ``provider``) have their own shapes, checked by their own tests.
    """
    return [
        (name, i, item)
        for name, items in sorted(WRITTEN.items())
        for i, item in enumerate(items)
        if item["request"]["uri"] == OPENROUTER + "/chat/completions"
        and item["response"]["status"]["code"] == 200
        and '"error":' not in item["response"]["body"]["string"]
    ]


@pytest.mark.parametrize("name", sorted(WRITTEN))
def test_cassette_file_matches_its_source(name: str) -> None:
    path = CASSETTES / f"{name}.yaml"
    assert path.is_file(), f"{path.name} is missing: run python -m tests.cassette_sources"
    expected = READABLE.serialize({"interactions": WRITTEN[name], "version": 1})
    assert path.read_text() == expected, f"{path.name} differs from its source: run python -m tests.cassette_sources"
    assert path.stat().st_size <= MAX_BYTES


def test_every_written_cassette_is_listed_in_the_readme() -> None:
    readme = (CASSETTES / "README.md").read_text()
    for name in WRITTEN:
        assert f"| `{name}.yaml` |" in readme
        assert "recorded" not in readme.split(f"| `{name}.yaml` |", 1)[1].split("\n", 1)[0]


def _check_common(event: dict[str, Any], where: str) -> None:
    assert event["id"].startswith("gen-"), where
    assert isinstance(event["created"], int), where
    assert event["model"] and event["provider"], where


@pytest.mark.parametrize(("name", "index", "item"), chat_exchanges(), ids=lambda v: v if isinstance(v, str) else "")
def test_answers_follow_the_wire_format(name: str, index: int, item: dict[str, Any]) -> None:
    where = f"{name}[{index}]"
    request = json.loads(item["request"]["body"])
    assert "Authorization" not in item["request"]["headers"]
    body = item["response"]["body"]["string"]
    if not request.get("stream"):
        answer = json.loads(body)
        _check_common(answer, where)
        assert answer["object"] == "chat.completion"
        choice = answer["choices"][0]
        assert choice["finish_reason"] in ("stop", "length", "tool_calls") and choice["native_finish_reason"]
        assert choice["message"]["role"] == "assistant"
        assert (choice["finish_reason"] == "tool_calls") == bool(choice["message"].get("tool_calls"))
        assert answer["usage"]["cost"] > 0
        assert (
            answer["usage"]["total_tokens"] == answer["usage"]["prompt_tokens"] + answer["usage"]["completion_tokens"]
        )
        return

    assert item["response"]["headers"]["Content-Type"] == ["text/event-stream"]
    assert body.startswith(": OPENROUTER PROCESSING\n\n")
    frames = [f for f in body.split("\n\n") if f]
    assert frames[-1] == "data: [DONE]"
    events = [json.loads(f[6:]) for f in frames if f.startswith("data: {")]
    for event in events:
        _check_common(event, where)
        assert event["object"] == "chat.completion.chunk"
        for choice in event["choices"]:
            assert choice["delta"]["role"] == "assistant" and "content" in choice["delta"], where
            assert "native_finish_reason" in choice and "logprobs" in choice
    assert len({e["id"] for e in events}) == 1
    with_usage = [i for i, e in enumerate(events) if "usage" in e]
    assert with_usage == [len(events) - 1], f"{where}: usage must come once, on the last chunk"
    last = events[-1]
    shapes = {
        "empty_choices": last["choices"] == [],
        "empty_delta": bool(last["choices"]) and last["choices"][0]["finish_reason"] is None,
        "repeat_finish": bool(last["choices"]) and last["choices"][0]["finish_reason"] is not None,
    }
    assert sum(shapes.values()) == 1
    assert last["usage"]["cost"] > 0
    finishes = [c["finish_reason"] for e in events for c in e["choices"] if c["finish_reason"]]
    assert finishes and finishes[0] in ("stop", "length", "tool_calls")
