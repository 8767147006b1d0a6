# ruff: noqa: E501  (JSON shapes copied from the docs read best on one line each)
"""Issue 23: a malformed answer or chunk raises the package's typed error, never another.

A property test puts random values of wrong types at every field of a rich answer (and of
every event of a rich stream); mapping it, showing it as content blocks and summing the
chunks either works or raises a ``VisionRouterError`` that says where, body redacted.
"""

from __future__ import annotations

import copy
import json
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from langchain_core.messages.ai import add_ai_message_chunks

from langchain_visionrouter import VisionRouterError
from langchain_visionrouter._redaction import register_secret
from langchain_visionrouter._response.answers import StreamAssembler, chat_result
from tests.cassette_sources.dialects import first_answer

PNG = "data:image/png;base64,iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk+M9QDwADhgGAWjR9awAAAABJRU5ErkJggg=="
MESSAGE = {
    "role": "assistant",
    "content": [{"type": "thinking", "thinking": [{"type": "text", "text": "hm"}]}, {"type": "text", "text": "hi"}],
    "reasoning": "r",
    "reasoning_content": "rc",
    "reasoning_details": [{"type": "reasoning.text", "text": "t", "index": 0, "format": "x"}],
    "annotations": [{"type": "url_citation", "url_citation": {"url": "https://x", "start_index": 0, "end_index": 2}}],
    "refusal": None,
    "images": [{"type": "image_url", "image_url": {"url": PNG}}],
    "tool_calls": [
        {
            "id": "c1",
            "type": "function",
            "index": 0,
            "function": {"name": "f", "arguments": "{}"},
            "extra_content": {"google": {"thought_signature": "s"}},
        }
    ],
    "executed_tools": [{"index": 0, "type": "search", "output": "o"}],
}
ANSWER = {
    "id": "gen-1",
    "model": "m",
    "provider": "P",
    "created": 1,
    "system_fingerprint": "fp",
    "choices": [
        {
            "index": 0,
            "finish_reason": "stop",
            "native_finish_reason": "stop",
            "stop_reason": None,
            "content_filter_results": {"hate": {"filtered": False}},
            "message": MESSAGE,
        }
    ],
    "usage": {
        "prompt_tokens": 1,
        "completion_tokens": 2,
        "total_tokens": 3,
        "completion_tokens_details": {"reasoning_tokens": 1},
    },
    "prompt_filter_results": [{"prompt_index": 0}],
}


def _events() -> list[dict[str, Any]]:
    delta = dict(MESSAGE)
    first = {
        **{k: v for k, v in ANSWER.items() if k != "choices"},
        "choices": [
            {k: v for k, v in ANSWER["choices"][0].items() if k != "message"} | {"delta": delta, "finish_reason": None}
        ],
    }
    second = {
        "id": "gen-1",
        "choices": [{"index": 0, "delta": {"content": "!", "reasoning_content": "x"}, "finish_reason": "stop"}],
    }
    return [first, second, {"id": "gen-1", "choices": [], "usage": ANSWER["usage"]}, first_answer("groq")]


def _paths(value: Any, prefix: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    out = [prefix] if prefix else []
    if isinstance(value, dict):
        for k, v in value.items():
            out += _paths(v, (*prefix, k))
    elif isinstance(value, list):
        for i, v in enumerate(value):
            out += _paths(v, (*prefix, i))
    return out


def _put(value: Any, path: tuple[Any, ...], new: Any) -> Any:
    value = copy.deepcopy(value)
    target = value
    for key in path[:-1]:
        target = target[key]
    target[path[-1]] = new
    return value


WRONG = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(),
    st.floats(allow_nan=False),
    st.text(max_size=5),
    st.lists(st.one_of(st.integers(), st.text(max_size=3), st.none()), max_size=3),
    st.dictionaries(
        st.sampled_from(["index", "text", "type", "id", "url", "x"]),
        st.one_of(st.integers(), st.text(max_size=3), st.lists(st.none(), max_size=1)),
        max_size=3,
    ),
)
ANSWER_PATHS = _paths(ANSWER)
EVENTS = _events()
EVENT_PATHS = [(i, *p) for i, e in enumerate(EVENTS) for p in _paths(e)]


class _End:
    done = True
    head = None
    failure = None
    exceeded = None
    timeout = None
    status_code = 200
    headers: dict[str, str] = {}


@settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(path=st.sampled_from(ANSWER_PATHS), new=WRONG)
def test_a_wrong_type_anywhere_in_an_answer_raises_only_the_typed_error(path: tuple[Any, ...], new: Any) -> None:
    body = _put(ANSWER, path, new)
    try:
        result = chat_result(body, model_provider="openrouter")
        for generation in result.generations:
            _ = generation.message.content_blocks
    except VisionRouterError as exc:
        assert exc.status_code == 200 and str(exc)


@settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(path=st.sampled_from(EVENT_PATHS), new=WRONG)
def test_a_wrong_type_anywhere_in_a_stream_raises_only_the_typed_error(path: tuple[Any, ...], new: Any) -> None:
    events = _put(EVENTS, path, new)
    assembler = StreamAssembler("openrouter")
    try:
        chunks = [c for e in events if (c := assembler.feed(json.dumps(e))) is not None]
        chunks.append(assembler.last_chunk(_End()))
        _ = add_ai_message_chunks(chunks[0], *chunks[1:]).content_blocks
    except VisionRouterError as exc:
        assert str(exc)


@pytest.mark.parametrize(
    ("change", "where"),
    [
        ({"id": True}, "the answer.id is a boolean"),
        ({"content": 5}, "choices[0].message.content is a number"),
        ({"content": [{"text": 5}]}, "choices[0].message.content[0].text is a number"),
        ({"reasoning_details": [{"index": []}]}, "reasoning_details[0].index is a list"),
        ({"tool_calls": [{"id": "c", "function": "f"}]}, "tool_calls[0].function is a string"),
    ],
)
def test_the_issue_cases_say_what_and_where_with_the_body_redacted(change: dict[str, Any], where: str) -> None:
    register_secret("sk-or-v1-secret-in-a-body-0123456789")
    message = {"role": "assistant", "content": "sk-or-v1-secret-in-a-body-0123456789"}
    body = {"id": "gen-1", "choices": [{"index": 0, "message": message}]}
    if "id" in change:
        body["id"] = change["id"]
    else:
        message.update(change)
    with pytest.raises(VisionRouterError) as caught:
        chat_result(body, model_provider="openrouter")
    assert where in str(caught.value) and "malformed" in str(caught.value)
    assert "sk-or-v1-secret-in-a-body" not in str(caught.value)


def test_a_streamed_annotations_number_is_a_stream_error() -> None:
    from langchain_visionrouter import StreamError

    assembler = StreamAssembler("openrouter")
    assembler.feed(json.dumps({"id": "g", "choices": [{"index": 0, "delta": {"content": "a"}}]}))
    with pytest.raises(StreamError, match=r"choices\[0\]\.delta\.annotations is a number") as caught:
        assembler.feed(json.dumps({"id": "g", "choices": [{"index": 0, "delta": {"annotations": 5}}]}))
    assert caught.value.partial.content == "a"
