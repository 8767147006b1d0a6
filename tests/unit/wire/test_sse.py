"""_sse: the stream parser, by example and under every split (hypothesis).

A valid SSE body is generated from random events (text with multi-byte characters,
tool calls whose arguments arrive in fragments, usage in each recorded shape), written
with ``\\n``, ``\\r\\n`` or mixed line endings, ``:`` comments inside and between
frames, runs of keep-alives, ignored fields (``event:``, ``id:``) and multi-line
``data:`` fields; then cut into pieces at arbitrary byte offsets (inside a UTF-8
character, between ``\\r`` and ``\\n``, one byte at a time). Whatever the cuts:

- ``_sse.SSEDecoder`` yields exactly the events that were written;
- ``_responses.StreamAssembler`` gives the same final message, tool calls and usage;
- the real model, streaming from the FakeRouter, gives the same message (fewer examples).
"""

from __future__ import annotations

import itertools
import json
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from langchain_core.messages import AIMessageChunk
from langchain_core.messages.ai import add_ai_message_chunks

from langchain_visionrouter import ChatVisionRouter, StreamError
from langchain_visionrouter._wire.sse import SSEDecoder
from tests.fakerouter import FakeRouter
from tests.wire import Mapper

# Modest budgets: the whole file runs in seconds on a shared 2-core box.
FAST = settings(max_examples=150, deadline=None, database=None)
MEDIUM = settings(max_examples=60, deadline=None, database=None)
E2E = settings(max_examples=12, deadline=None, database=None, suppress_health_check=[HealthCheck.too_slow])

# Text with ASCII, accents, CJK, emoji and JSON-escaped characters (quotes, newlines, controls).
TEXT = st.text(
    alphabet=st.one_of(
        st.characters(min_codepoint=32, max_codepoint=126),
        st.sampled_from('éüßñ日本語中文한국어🙂🚀 \n\t"\\\r\x00\u2028'),
    ),
    max_size=12,
)
NAME = st.from_regex(r"[a-z][a-z_]{0,11}", fullmatch=True)
ARGS = st.dictionaries(NAME, st.one_of(st.integers(-1000, 1000), TEXT, st.booleans(), st.none()), max_size=3)


@dataclass
class Scenario:
    events: list[Any]  # dicts, and "[DONE]" when sent
    text: str
    calls: list[tuple[str, dict[str, Any]]]
    usage: dict[str, int]
    done: bool


def _fragments(draw: st.DrawFn, s: str) -> list[str]:
    cuts = sorted(set(draw(st.lists(st.integers(0, len(s)), max_size=4))))
    bounds = [0, *cuts, len(s)]
    return [s[a:b] for a, b in itertools.pairwise(bounds) if b > a] or [""]


@st.composite
def scenarios(draw: st.DrawFn) -> Scenario:
    base = {"id": "gen-prop", "model": "test/model", "object": "chat.completion.chunk"}

    def event(delta: dict[str, Any], finish: str | None = None, **extra: Any) -> dict[str, Any]:
        return {**base, "choices": [{"index": 0, "delta": delta, "finish_reason": finish}], **extra}

    texts = draw(st.lists(TEXT, max_size=6))
    events: list[Any] = [event({"role": "assistant", "content": ""})]
    events += [event({"role": "assistant", "content": t}) for t in texts]
    calls = draw(st.lists(st.tuples(NAME, ARGS), max_size=2))
    for i, (name, args) in enumerate(calls):
        first = {"index": i, "id": f"call_{i}", "type": "function", "function": {"name": name, "arguments": ""}}
        events.append(event({"tool_calls": [first]}))
        for piece in _fragments(draw, json.dumps(args)):
            events.append(event({"tool_calls": [{"index": i, "function": {"arguments": piece}}]}))
    finish = "tool_calls" if calls else "stop"
    prompt, completion = draw(st.integers(0, 5000)), draw(st.integers(0, 5000))
    usage = {"prompt_tokens": prompt, "completion_tokens": completion, "total_tokens": prompt + completion}
    shape = draw(st.sampled_from(["empty-choices", "null-finish", "repeated-finish", "with-finish"]))
    if shape == "with-finish":
        events.append(event({"content": ""}, finish, usage=usage))
    else:
        events.append(event({"content": ""}, finish))
        if shape == "empty-choices":
            events.append({**base, "choices": [], "usage": usage})
        else:
            events.append(event({}, None if shape == "null-finish" else finish, usage=usage))
    done = draw(st.booleans())
    if done:
        events.append("[DONE]")
    return Scenario(events, "".join(texts), [(n, a) for n, a in calls], usage, done)


@st.composite
def bodies(draw: st.DrawFn, scenario: Scenario) -> bytes:
    """Write the scenario's events as SSE, in one of many equivalent ways."""
    style = draw(st.sampled_from(["\n", "\r\n", "mixed"]))

    def nl() -> str:
        return draw(st.sampled_from(["\n", "\r\n"])) if style == "mixed" else style

    keepalive = st.sampled_from([": OPENROUTER PROCESSING", ":", ": ping"])
    out: list[str] = []
    for item in scenario.events:
        for _ in range(draw(st.integers(0, 3))):  # keep-alive frames between events
            out.append(draw(keepalive) + nl() + nl())
        if draw(st.integers(0, 4)) == 0:  # a comment or an ignored field inside the frame
            out.append(draw(st.sampled_from([": still thinking", "event: message", "id: 7", "retry: 1000"])) + nl())
        payload = item if isinstance(item, str) else json.dumps(item, ensure_ascii=False)
        space = draw(st.sampled_from(["data: ", "data:"]))
        if isinstance(item, dict) and draw(st.integers(0, 3)) == 0 and ", " in payload:
            # A multi-line data field: the lines join with "\n", which JSON reads as whitespace.
            head, _, tail = payload.partition(", ")
            out.append(f"{space}{head},{nl()}data: {tail}{nl()}{nl()}")
        else:
            out.append(f"{space}{payload}{nl()}{nl()}")
    for _ in range(draw(st.integers(0, 2))):
        out.append(draw(keepalive) + nl() + nl())
    return "".join(out).encode("utf-8")


@st.composite
def split(draw: st.DrawFn, body: bytes) -> list[bytes]:
    """Cut ``body`` at arbitrary byte offsets (sometimes into single bytes)."""
    if draw(st.integers(0, 9)) == 0:
        return [body[i : i + 1] for i in range(len(body))]
    cuts = sorted(set(draw(st.lists(st.integers(0, len(body)), max_size=40))))
    bounds = [0, *cuts, len(body)]
    return [body[a:b] for a, b in itertools.pairwise(bounds)]


@st.composite
def cases(draw: st.DrawFn) -> tuple[Scenario, list[bytes]]:
    scenario = draw(scenarios())
    body = draw(bodies(scenario))
    return scenario, draw(split(body))


def decode(pieces: list[bytes]) -> list[str]:
    decoder = SSEDecoder()
    out: list[str] = []
    for piece in pieces:
        out += [payload.decode() for payload in decoder.feed(piece)]
    return out + [payload.decode() for payload in decoder.flush()]


def as_events(payloads: list[str]) -> list[Any]:
    return [p if p == "[DONE]" else json.loads(p) for p in payloads]


def map_stream(events: list[Any]) -> AIMessageChunk:
    mapper = Mapper("openrouter")
    chunks: list[AIMessageChunk] = []
    done = False
    for item in events:
        if item == "[DONE]":
            done = True
            break
        chunk = mapper.chunk(item)
        if chunk is not None:
            chunks.append(chunk)
    chunks.append(mapper.end(completed=done))
    return add_ai_message_chunks(chunks[0], *chunks[1:])


def check_message(message: AIMessageChunk, scenario: Scenario) -> None:
    assert message.content == scenario.text
    assert [(c["name"], c["args"]) for c in message.tool_calls] == scenario.calls
    assert [c["id"] for c in message.tool_calls] == [f"call_{i}" for i in range(len(scenario.calls))]
    assert message.invalid_tool_calls == []
    assert message.response_metadata["finish_reason"] == ("tool_calls" if scenario.calls else "stop")
    usage = message.usage_metadata
    assert usage is not None
    assert (usage["input_tokens"], usage["output_tokens"], usage["total_tokens"]) == (
        scenario.usage["prompt_tokens"],
        scenario.usage["completion_tokens"],
        scenario.usage["total_tokens"],
    )


# ---------------------------------------------------------------------------


@FAST
@given(cases())
def test_decoder_yields_the_written_events_under_any_split(case: tuple[Scenario, list[bytes]]) -> None:
    scenario, pieces = case
    assert as_events(decode(pieces)) == scenario.events


@FAST
@given(scenarios(), st.data())
def test_every_split_of_one_body_decodes_alike(scenario: Scenario, data: st.DataObject) -> None:
    body = data.draw(bodies(scenario))
    whole = decode([body])
    assert decode(data.draw(split(body))) == whole
    assert decode(data.draw(split(body))) == whole


@MEDIUM
@given(cases())
def test_mapper_gives_the_same_message_tool_calls_and_usage(case: tuple[Scenario, list[bytes]]) -> None:
    scenario, pieces = case
    check_message(map_stream(as_events(decode(pieces))), scenario)


@FAST
@given(st.binary(max_size=200), st.lists(st.integers(0, 200), max_size=10))
def test_decoder_never_hangs_or_crashes_unexpectedly_on_garbage(junk: bytes, cuts: list[int]) -> None:
    # Arbitrary bytes: the decoder either returns payloads or raises StreamError (invalid UTF-8).
    bounds = [0, *sorted({min(c, len(junk)) for c in cuts}), len(junk)]
    pieces = [junk[a:b] for a, b in itertools.pairwise(bounds)]
    try:
        split_result = decode(pieces)
    except StreamError:
        with pytest.raises(StreamError):
            decode([junk])
        return
    assert split_result == decode([junk])


# ---------------------------------------------------------------------------
# End to end: the real model, streaming the split body from the loopback router


@pytest.fixture(scope="module")
def e2e() -> Iterator[tuple[FakeRouter, ChatVisionRouter]]:
    with FakeRouter() as router:
        model = ChatVisionRouter(model="test/model", api_key="sk-prop-test-key", base_url=router.url, max_retries=0)
        yield router, model
        model.close()


@E2E
@given(cases())
def test_model_streams_the_same_message_under_any_split(
    e2e: tuple[FakeRouter, ChatVisionRouter], case: tuple[Scenario, list[bytes]]
) -> None:
    router, model = e2e
    scenario, pieces = case
    router.reply_sse(chunks=[p for p in pieces if p])  # an empty HTTP chunk would end the body
    chunks = list(model.stream("go"))
    check_message(add_ai_message_chunks(chunks[0], *chunks[1:]), scenario)


# -- by example ---------------------------------------------------------------------------


def test_comments_blank_lines_and_crlf() -> None:
    body = b': OPENROUTER PROCESSING\r\n\r\n: OPENROUTER PROCESSING\r\n\r\ndata: {"a":1}\r\n\r\ndata: [DONE]\r\n\r\n'
    assert decode([body]) == ['{"a":1}', "[DONE]"]


def test_frames_split_anywhere_even_inside_a_utf8_character() -> None:
    body = 'data: {"t":"h\u00e9llo \u2603"}\n\ndata: {"t":"x"}\n\n'.encode()
    expected = decode([body])
    assert expected == ['{"t":"h\u00e9llo \u2603"}', '{"t":"x"}']
    for cut in range(1, len(body)):
        assert decode([body[:cut], body[cut:]]) == expected
    assert decode([bytes([b]) for b in body]) == expected


def test_multi_line_data_and_other_fields() -> None:
    assert decode([b"event: message\nid: 7\ndata: line1\ndata: line2\nretry: 10\n\n"]) == ["line1\nline2"]


def test_last_event_without_blank_line_is_flushed() -> None:
    assert decode([b"data: {}\n"]) == ["{}"]
    assert decode([b"data: {}"]) == ["{}"]


def test_reader_stops_at_done_and_keeps_the_head_until_the_first_event() -> None:
    from langchain_visionrouter._wire.sse import EventReader

    reader = EventReader()
    assert list(reader.feed(b": keep-alive\n\n")) == []
    assert reader.head == b": keep-alive\n\n"
    assert list(reader.feed(b'data: {"a":1}\n\ndata: [DONE]\n\ndata: {"after":1}\n\n')) == [b'{"a":1}']
    assert reader.done and reader.head is None
