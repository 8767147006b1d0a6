"""Tool calls in answers: parsing, streamed assembly, and content blocks.

Answers are served in the wire format through the loopback FakeRouter, so each test
goes through the whole adapter (transport, SSE decoding, mapping) as in production.
"""

from __future__ import annotations

import json
import re
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from langchain_core.messages import AIMessage, AIMessageChunk

from langchain_visionrouter import ChatVisionRouter
from langchain_visionrouter._response.answers import chat_result, parse_tool_calls
from tests.wire import Mapper, Stream, call, completion, tool_delta, usage

MODEL = "openai/gpt-4.1-mini"
GEN = "gen-1754441566-QNLn11ywo16tGzus0Wix"


@pytest.fixture
def model(make_model: Any) -> ChatVisionRouter:
    return make_model(model=MODEL)  # type: ignore[no-any-return]


def answer(**kwargs: Any) -> dict[str, Any]:
    kwargs.setdefault("finish", "tool_calls")
    return completion(gen=GEN, model=MODEL, provider="OpenAI", use=usage(48, 11), **kwargs)


def stream() -> Stream:
    return Stream(gen=GEN, model=MODEL, provider="OpenAI", fingerprint="fp_6f2eabb9a5")


def summed(chunks: list[AIMessageChunk]) -> AIMessageChunk:
    full = chunks[0]
    for chunk in chunks[1:]:
        full = full + chunk
    return full


def calls_without_type(message: AIMessage) -> list[dict[str, Any]]:
    return [{k: v for k, v in tc.items() if k != "type"} for tc in message.tool_calls]


# ---------------------------------------------------------------------------
# Parsing non-streamed answers


def test_arguments_are_parsed(fake_router: Any, model: ChatVisionRouter) -> None:
    fake_router.reply(json=answer(tool_calls=[call("call_1", "divide", {"a": 1, "b": [2, 3], "c": "é"})]))
    message = model.invoke("divide")
    assert message.tool_calls == [
        {"name": "divide", "args": {"a": 1, "b": [2, 3], "c": "é"}, "id": "call_1", "type": "tool_call"}
    ]
    assert message.invalid_tool_calls == []
    assert message.response_metadata["finish_reason"] == "tool_calls"


@pytest.mark.parametrize("arguments", [None, "", "{}", "  ", "\n"], ids=["missing", "empty", "braces", "blank", "nl"])
def test_no_argument_tool_gives_empty_dict(fake_router: Any, model: ChatVisionRouter, arguments: str | None) -> None:
    raw = call("call_o4OCgtJrNoZTmoCRvmlfoHfj", "llm_version", arguments)
    assert ("arguments" in raw["function"]) == (arguments is not None)
    fake_router.reply(json=answer(tool_calls=[raw]))
    message = model.invoke("version?")
    assert message.tool_calls == [
        {"name": "llm_version", "args": {}, "id": "call_o4OCgtJrNoZTmoCRvmlfoHfj", "type": "tool_call"}
    ]
    assert message.invalid_tool_calls == []


def test_arguments_as_an_object_are_accepted() -> None:
    calls, invalid = parse_tool_calls([{"id": "c", "function": {"name": "f", "arguments": {"x": 1}}}])
    assert calls == [{"name": "f", "args": {"x": 1}, "id": "c", "type": "tool_call"}]
    assert invalid == []


def test_malformed_arguments_become_invalid_calls_with_raw_kept(fake_router: Any, model: ChatVisionRouter) -> None:
    fake_router.reply(
        json=answer(
            tool_calls=[
                call("call_ok", "divide", '{"a": 1}', index=0),
                call("call_bad", "divide", '{"a": 1, "b":', index=1),
            ]
        )
    )
    message = model.invoke("divide")  # never raises
    assert message.tool_calls == [{"name": "divide", "args": {"a": 1}, "id": "call_ok", "type": "tool_call"}]
    [bad] = message.invalid_tool_calls
    assert bad["name"] == "divide"
    assert bad["id"] == "call_bad"
    assert bad["args"] == '{"a": 1, "b":'  # exactly as sent
    assert bad["error"] and "not valid JSON" in bad["error"]


@pytest.mark.parametrize(
    ("arguments", "error"),
    [
        ("[1, 2]", "not a JSON object"),
        ("3", "not a JSON object"),
        ('"text"', "not a JSON object"),
        ("{'a': 1}", "not valid JSON"),
    ],
)
def test_arguments_that_are_not_an_object_are_invalid(arguments: str, error: str) -> None:
    calls, invalid = parse_tool_calls([call("c1", "f", arguments)])
    assert calls == []
    assert invalid[0]["args"] == arguments
    assert error in (invalid[0]["error"] or "")


@pytest.mark.parametrize("arguments", ['{"a": 1}', None, ""])
def test_a_call_without_a_name_is_invalid(arguments: str | None) -> None:
    raw = {"id": "c1", "type": "function", "function": {"name": "", "arguments": arguments}}
    calls, invalid = parse_tool_calls([raw])
    assert calls == []
    assert invalid[0]["id"] == "c1"
    assert invalid[0]["error"] == "the tool call has no name"


def test_liberal_in_shapes_strict_with_wrong_types() -> None:
    from langchain_visionrouter._response.dialects import Malformed

    assert parse_tool_calls(None) == ([], [])
    calls, invalid = parse_tool_calls([None, {"function": {"name": "f", "arguments": "{}"}}])
    assert calls == [{"name": "f", "args": {}, "id": None, "type": "tool_call"}]
    assert invalid == []
    # Groq sends the string "null" for a tool without arguments (langchain-groq's comment).
    assert parse_tool_calls([{"id": "c", "function": {"name": "f", "arguments": "null"}}])[0][0]["args"] == {}
    for bad, where in (("nope", "tool_calls is not a list"), ([3], "tool_calls[0] is not a tool call"),
                       ([{"function": "f"}], "tool_calls[0].function is a string"),
                       ([{"id": 5, "function": {"name": "f"}}], "tool_calls[0].id is a number")):  # fmt: skip
        with pytest.raises(Malformed, match=re.escape(where)):
            parse_tool_calls(bad)


def test_parallel_calls_in_one_answer(fake_router: Any, model: ChatVisionRouter) -> None:
    fake_router.reply(
        json=answer(
            tool_calls=[
                call("call_a", "get_weather", {"city": "Paris"}, index=0),
                call("call_b", "get_weather", {"city": "Lima"}, index=1),
            ]
        )
    )
    message = model.invoke("weather")
    assert [(tc["id"], tc["args"]) for tc in message.tool_calls] == [
        ("call_a", {"city": "Paris"}),
        ("call_b", {"city": "Lima"}),
    ]


# ---------------------------------------------------------------------------
# Streaming: assembly by index


def stream_chunks(fake_router: Any, model: ChatVisionRouter, events: list[dict[str, Any]]) -> list[AIMessageChunk]:
    fake_router.reply_sse([*events, "[DONE]"], comments=2)
    return list(model.stream("go"))


def test_recorded_shape_id_and_name_on_first_fragment_only(fake_router: Any, model: ChatVisionRouter) -> None:
    s = stream()
    events = [
        s.chunk(tool_delta(0, call_id="call_o4OC", name="get_weather", arguments="")),
        s.chunk(tool_delta(0, arguments='{"ci')),
        s.chunk(tool_delta(0, arguments='ty": "Pa')),
        s.chunk(tool_delta(0, arguments='ris"}')),
        *s.end(finish="tool_calls", use=usage(48, 11)),
    ]
    chunks = stream_chunks(fake_router, model, events)
    fragments = [tc for c in chunks for tc in c.tool_call_chunks]
    assert [(f["id"], f["name"], f["args"], f["index"]) for f in fragments] == [
        ("call_o4OC", "get_weather", "", 0),
        (None, None, '{"ci', 0),
        (None, None, 'ty": "Pa', 0),
        (None, None, 'ris"}', 0),
    ]
    full = summed(chunks)
    assert calls_without_type(full) == [{"name": "get_weather", "args": {"city": "Paris"}, "id": "call_o4OC"}]
    assert full.response_metadata["finish_reason"] == "tool_calls"


def test_whole_call_in_one_fragment(fake_router: Any, model: ChatVisionRouter) -> None:
    s = stream()
    events = [
        s.chunk(tool_delta(0, call_id="tool_0_get_weather", name="get_weather", arguments='{"city":"Paris"}')),
        *s.end(finish="tool_calls", use=usage(48, 11)),
    ]
    full = summed(stream_chunks(fake_router, model, events))
    assert calls_without_type(full) == [{"name": "get_weather", "args": {"city": "Paris"}, "id": "tool_0_get_weather"}]


def test_missing_index(fake_router: Any, model: ChatVisionRouter) -> None:
    s = stream()
    events = [
        s.chunk(tool_delta(None, call_id="call_a", name="get_weather", arguments='{"city":')),
        s.chunk(tool_delta(None, arguments='"Paris"}')),  # continues call_a
        s.chunk(tool_delta(None, call_id="call_b", name="get_time", arguments='{"tz": "UTC"}')),  # a new call
        *s.end(finish="tool_calls", use=usage(48, 11)),
    ]
    full = summed(stream_chunks(fake_router, model, events))
    assert calls_without_type(full) == [
        {"name": "get_weather", "args": {"city": "Paris"}, "id": "call_a"},
        {"name": "get_time", "args": {"tz": "UTC"}, "id": "call_b"},
    ]


def test_repeated_empty_id_and_repeated_id_and_name(fake_router: Any, model: ChatVisionRouter) -> None:
    s = stream()
    events = [
        s.chunk(tool_delta(0, call_id="call_x", name="lookup", arguments="")),
        s.chunk(tool_delta(0, call_id="", arguments='{"q":')),  # empty id repeated
        s.chunk(tool_delta(0, call_id="call_x", name="lookup", arguments=' "cat"}')),  # id and name repeated
        *s.end(finish="tool_calls", use=usage(48, 11)),
    ]
    full = summed(stream_chunks(fake_router, model, events))
    assert calls_without_type(full) == [{"name": "lookup", "args": {"q": "cat"}, "id": "call_x"}]


def test_name_sent_after_the_id_is_kept() -> None:
    mapper = Mapper("openrouter")
    s = stream()
    first = mapper.chunk(s.chunk(tool_delta(0, call_id="call_x", arguments="")))
    second = mapper.chunk(s.chunk(tool_delta(0, name="lookup", arguments="{}")))
    assert first is not None and second is not None
    full = first + second
    assert calls_without_type(full) == [{"name": "lookup", "args": {}, "id": "call_x"}]


def test_parallel_calls_interleaved_stay_apart(fake_router: Any, model: ChatVisionRouter) -> None:
    s = stream()
    events = [
        s.chunk(tool_delta(0, call_id="call_a", name="get_weather", arguments="")),
        s.chunk(tool_delta(1, call_id="call_b", name="get_weather", arguments="")),
        s.chunk(tool_delta(0, arguments='{"city": "Par')),
        s.chunk(tool_delta(1, arguments='{"city": "Li')),
        s.chunk(tool_delta(1, arguments='ma"}')),
        s.chunk(tool_delta(0, arguments='is"}')),
        *s.end(finish="tool_calls", use=usage(48, 11)),
    ]
    full = summed(stream_chunks(fake_router, model, events))
    assert calls_without_type(full) == [
        {"name": "get_weather", "args": {"city": "Paris"}, "id": "call_a"},
        {"name": "get_weather", "args": {"city": "Lima"}, "id": "call_b"},
    ]


def test_parallel_calls_all_numbered_zero_stay_apart(fake_router: Any, model: ChatVisionRouter) -> None:
    # Some providers give every parallel call index 0; the ids tell them apart.
    s = stream()
    events = [
        s.chunk(tool_delta(0, call_id="call_a", name="get_weather", arguments='{"city": "Paris"}')),
        s.chunk(tool_delta(0, call_id="call_b", name="get_weather", arguments='{"city":')),
        s.chunk(tool_delta(0, arguments=' "Lima"}')),
        *s.end(finish="tool_calls", use=usage(48, 11)),
    ]
    full = summed(stream_chunks(fake_router, model, events))
    assert calls_without_type(full) == [
        {"name": "get_weather", "args": {"city": "Paris"}, "id": "call_a"},
        {"name": "get_weather", "args": {"city": "Lima"}, "id": "call_b"},
    ]


def test_text_then_tool_call(fake_router: Any, model: ChatVisionRouter) -> None:
    s = stream()
    events = [
        s.chunk({"content": "Let me check."}),
        s.chunk(tool_delta(0, call_id="call_a", name="get_weather", arguments='{"city": "Paris"}')),
        *s.end(finish="tool_calls", use=usage(48, 11), shape="repeat_finish"),
    ]
    full = summed(stream_chunks(fake_router, model, events))
    assert full.content == "Let me check."
    assert calls_without_type(full) == [{"name": "get_weather", "args": {"city": "Paris"}, "id": "call_a"}]
    assert full.usage_metadata is not None and full.usage_metadata["input_tokens"] == 48


def test_streamed_malformed_arguments_become_an_invalid_call(fake_router: Any, model: ChatVisionRouter) -> None:
    s = stream()
    events = [
        s.chunk(tool_delta(0, call_id="call_ok", name="divide", arguments='{"a": 1}')),
        s.chunk(tool_delta(1, call_id="call_bad", name="divide", arguments="{'a': ")),
        s.chunk(tool_delta(1, arguments="1}")),
        *s.end(finish="tool_calls", use=usage(48, 11)),
    ]
    full = summed(stream_chunks(fake_router, model, events))  # never raises
    assert calls_without_type(full) == [{"name": "divide", "args": {"a": 1}, "id": "call_ok"}]
    [bad] = full.invalid_tool_calls
    assert (bad["name"], bad["id"], bad["args"]) == ("divide", "call_bad", "{'a': 1}")


# ---------------------------------------------------------------------------
# Summed stream == non-streamed answer, through the whole adapter

SCENARIOS: dict[str, tuple[list[dict[str, Any]], list[list[dict[str, Any]]]]] = {
    # name: (the non-streamed tool_calls, the streamed deltas' tool_calls fragments)
    "recorded no-arg": (
        [call("call_o4OC", "llm_version", "{}")],
        [
            [{"index": 0, "id": "call_o4OC", "type": "function", "function": {"name": "llm_version", "arguments": ""}}],
            [{"index": 0, "function": {"arguments": "{}"}, "type": "function"}],
        ],
    ),
    "no-arg, arguments never sent": (
        [call("call_1", "llm_version", None)],
        [[{"index": 0, "id": "call_1", "type": "function", "function": {"name": "llm_version"}}]],
    ),
    "split arguments": (
        [call("call_1", "add", {"a": 1, "b": 2})],
        [
            [{"index": 0, "id": "call_1", "type": "function", "function": {"name": "add", "arguments": '{"a"'}}],
            [{"index": 0, "function": {"arguments": ": 1, "}}],
            [{"index": 0, "function": {"arguments": '"b": 2}'}}],
        ],
    ),
    "parallel, two per delta": (
        [call("call_a", "add", {"a": 1, "b": 2}, index=0), call("call_b", "mul", {"a": 3, "b": 4}, index=1)],
        [
            [
                {"index": 0, "id": "call_a", "type": "function", "function": {"name": "add", "arguments": '{"a": 1,'}},
                {"index": 1, "id": "call_b", "type": "function", "function": {"name": "mul", "arguments": '{"a": 3,'}},
            ],
            [{"index": 1, "function": {"arguments": ' "b": 4}'}}, {"index": 0, "function": {"arguments": ' "b": 2}'}}],
        ],
    ),
    "no index, whole calls": (
        [call("call_a", "add", {"a": 1, "b": 2}, index=None), call("call_b", "mul", {"a": 3, "b": 4}, index=None)],
        [
            [{"id": "call_a", "type": "function", "function": {"name": "add", "arguments": '{"a": 1, "b": 2}'}}],
            [{"id": "call_b", "type": "function", "function": {"name": "mul", "arguments": '{"a": 3, "b": 4}'}}],
        ],
    ),
}


@pytest.mark.parametrize("scenario", list(SCENARIOS))
def test_summed_stream_equals_non_streamed(fake_router: Any, model: ChatVisionRouter, scenario: str) -> None:
    whole, fragments = SCENARIOS[scenario]
    fake_router.reply(json=answer(tool_calls=whole))
    s = stream()
    events = [s.chunk({"content": None, "tool_calls": f}) for f in fragments]
    fake_router.reply_sse([*events, *s.end(finish="tool_calls", use=usage(48, 11)), "[DONE]"])

    invoked = model.invoke("go")
    streamed = summed(list(model.stream("go")))
    assert invoked.tool_calls  # the scenario has calls to compare
    assert streamed.tool_calls == invoked.tool_calls
    assert streamed.invalid_tool_calls == invoked.invalid_tool_calls == []
    assert streamed.content_blocks == invoked.content_blocks


@st.composite
def streamed_calls(draw: st.DrawFn) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """Parallel calls with JSON arguments, cut into fragments at random and interleaved."""
    n = draw(st.integers(1, 3))
    keys = st.text("abcxyz", min_size=1, max_size=4)
    values = st.one_of(st.integers(-5, 5), st.text('ab é"\\{}', max_size=6), st.booleans(), st.none())
    whole, pending = [], []
    for i in range(n):
        args = json.dumps(draw(st.dictionaries(keys, values, max_size=3)))
        cuts = sorted(draw(st.lists(st.integers(0, len(args)), max_size=4)))
        pieces = [args[a:b] for a, b in zip([0, *cuts], [*cuts, len(args)], strict=True)]
        whole.append(call(f"call_{i}", f"tool_{i}", args, index=i))
        first = {"index": i, "id": f"call_{i}", "type": "function", "function": {"name": f"tool_{i}", "arguments": ""}}
        frags = [first]
        frags += [{"index": i, "function": {"arguments": p}} for p in pieces]
        pending.append(frags)
    order: list[dict[str, Any]] = []
    started = 0
    while any(pending):  # interleave; calls start in index order, each call's fragments in order
        live = [i for i in range(min(started + 1, n)) if pending[i]]
        i = draw(st.sampled_from(live))
        started = max(started, i + 1)
        order.append(pending[i].pop(0))
    return whole, order


@settings(max_examples=60, deadline=None)
@given(streamed_calls())
def test_property_summed_fragments_equal_the_whole_calls(
    case: tuple[list[dict[str, Any]], list[dict[str, Any]]],
) -> None:
    whole, order = case
    mapper = Mapper("openrouter")
    s = stream()
    chunks = [mapper.chunk(s.chunk({"content": None, "tool_calls": [fragment]})) for fragment in order]
    full = summed([c for c in chunks if c is not None] + [mapper.end(completed=True)])
    expected = chat_result(answer(tool_calls=whole), model_provider="openrouter").generations[0].message
    assert full.tool_calls == expected.tool_calls


# ---------------------------------------------------------------------------
# content_blocks


def test_content_blocks_of_an_answer_with_calls(fake_router: Any, model: ChatVisionRouter) -> None:
    fake_router.reply(
        json=answer(
            content="Checking.",
            tool_calls=[call("call_ok", "divide", '{"a": 1}', index=0), call("call_bad", "divide", "{oops", index=1)],
        )
    )
    blocks = model.invoke("go").content_blocks
    assert blocks[0] == {"type": "text", "text": "Checking."}
    assert blocks[1] == {"type": "tool_call", "id": "call_ok", "name": "divide", "args": {"a": 1}}
    assert blocks[2]["type"] == "invalid_tool_call"
    assert blocks[2]["args"] == "{oops" and blocks[2]["id"] == "call_bad"


def test_content_blocks_of_chunks_show_fragments_and_the_sum_whole_calls(
    fake_router: Any, model: ChatVisionRouter
) -> None:
    s = stream()
    events = [
        s.chunk(tool_delta(0, call_id="call_a", name="get_weather", arguments="")),
        s.chunk(tool_delta(0, arguments='{"city": "Paris"}')),
        *s.end(finish="tool_calls", use=usage(48, 11)),
    ]
    chunks = stream_chunks(fake_router, model, events)
    with_calls = [c for c in chunks if c.tool_call_chunks]
    assert [c.content_blocks for c in with_calls] == [
        [{"type": "tool_call_chunk", "id": "call_a", "name": "get_weather", "args": "", "index": 0}],
        [{"type": "tool_call_chunk", "id": None, "name": None, "args": '{"city": "Paris"}', "index": 0}],
    ]
    assert all(c.response_metadata.get("model_provider") == "openrouter" for c in chunks)
    assert summed(chunks).content_blocks == [
        {"type": "tool_call", "id": "call_a", "name": "get_weather", "args": {"city": "Paris"}}
    ]


def test_v1_output_stream_sums_to_one_call(fake_router: Any) -> None:
    s = stream()
    events = [
        s.chunk(tool_delta(0, call_id="call_a", name="get_weather", arguments="")),
        s.chunk(tool_delta(0, arguments='{"city":')),
        s.chunk(tool_delta(0, arguments=' "Paris"}')),
        *s.end(finish="tool_calls", use=usage(48, 11)),
    ]
    fake_router.reply_sse([*events, "[DONE]"])
    with ChatVisionRouter(model=MODEL, api_key="k", base_url=fake_router.url, output_version="v1") as llm:
        full = summed(list(llm.stream("go")))
    call_blocks = [b for b in full.content if isinstance(b, dict) and b["type"].startswith("tool_call")]
    assert len(call_blocks) == 1  # the fragments joined, nothing stray
    assert call_blocks[0]["id"] == "call_a" and call_blocks[0]["name"] == "get_weather"
    assert full.tool_calls[0]["args"] == {"city": "Paris"}
