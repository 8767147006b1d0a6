"""responses.py: answers and stream chunks -> AIMessage / AIMessageChunk."""

from __future__ import annotations

from typing import Any

import pytest
from langchain_core.messages import AIMessageChunk
from langchain_core.messages.ai import add_ai_message_chunks

from langchain_visionrouter._response.answers import chat_result, parse_tool_calls, usage_metadata
from langchain_visionrouter.errors import InsufficientCreditsError, ProviderError, RequestTimeoutError, StreamError
from tests import wire
from tests.wire import Mapper


def test_usage_metadata_maps_every_detail() -> None:
    usage = usage_metadata(
        {
            "prompt_tokens": 100,
            "completion_tokens": 50,
            "total_tokens": 150,
            "prompt_tokens_details": {"cached_tokens": 60, "cache_write_tokens": 40, "audio_tokens": 0},
            "completion_tokens_details": {"reasoning_tokens": 30, "image_tokens": 0},
        }
    )
    assert usage == {
        "input_tokens": 100,
        "output_tokens": 50,
        "total_tokens": 150,
        "input_token_details": {"cache_read": 60, "cache_creation": 40, "audio": 0},
        "output_token_details": {"reasoning": 30},
    }


def test_usage_metadata_tolerates_missing_and_null_fields() -> None:
    assert usage_metadata(None) is None
    assert usage_metadata({"prompt_tokens": 3, "completion_tokens": None, "prompt_tokens_details": None}) == {
        "input_tokens": 3,
        "output_tokens": 0,
        "total_tokens": 3,
    }


def answer(message: dict[str, Any], **root: Any) -> dict[str, Any]:
    return {
        "id": "gen-1",
        "model": "m/x",
        "choices": [{"index": 0, "finish_reason": "stop", "message": message}],
        **root,
    }


def test_chat_result_null_content_and_missing_optional_fields() -> None:
    result = chat_result(answer({"role": "assistant", "content": None}), model_provider="openrouter")
    message = result.generations[0].message
    assert message.content == ""
    assert "provider" not in message.response_metadata  # missing on Infron: not invented
    assert message.response_metadata["model_name"] == "m/x"


def test_chat_result_keeps_reasoning_annotations_and_images() -> None:
    msg = {
        "role": "assistant",
        "content": "hi",
        "reasoning": "because",
        "reasoning_details": [{"type": "reasoning.summary", "summary": "s"}],
        "annotations": [{"type": "url_citation", "url_citation": {"url": "https://x"}}],
        "images": [{"type": "image_url", "image_url": {"url": "data:image/png;base64,AAAA"}}],
        "refusal": None,
    }
    message = chat_result(answer(msg), model_provider="openrouter").generations[0].message
    kept = {k: msg[k] for k in ("reasoning", "reasoning_details", "annotations")}
    # The reasoning also where ChatGroq and ChatOpenRouter put it (issue 23).
    assert message.additional_kwargs == {**kept, "reasoning_content": "because"}
    assert message.content_blocks[0] == {"type": "reasoning", "reasoning": "s", "extras": {"type": "reasoning.summary"}}
    # Images are content now (response/test_outputs_images.py), not a copy in additional_kwargs.
    assert message.content_blocks[2] == {"type": "image", "base64": "AAAA", "mime_type": "image/png"}


def test_cost_at_the_root_is_read_too() -> None:
    body = answer(
        {"role": "assistant", "content": "x"},
        usage={"prompt_tokens": 1, "completion_tokens": 1},
        cost=0.5,
        cost_details={"discount_rate": 0.1},
    )
    metadata = chat_result(body, model_provider="infron").generations[0].message.response_metadata
    assert metadata["cost"] == 0.5
    assert metadata["cost_details"] == {"discount_rate": 0.1}


def test_choice_that_failed_after_partial_output_raises_with_the_partial() -> None:
    body = {
        "id": "gen-9",
        "choices": [
            {
                "index": 0,
                "finish_reason": "error",
                "error": {"code": 502, "message": "upstream died"},
                "message": {"role": "assistant", "content": "half an ans"},
            }
        ],
    }
    with pytest.raises(ProviderError) as info:
        chat_result(body, model_provider="openrouter")
    assert info.value.partial.content == "half an ans"
    assert info.value.generation_id == "gen-9"


def test_answer_without_choices_raises() -> None:
    with pytest.raises(ProviderError, match="overloaded"):
        chat_result({"error": {"code": 503, "message": "overloaded"}}, model_provider="openrouter")
    with pytest.raises(Exception, match="no choices"):
        chat_result({"id": "gen-1", "choices": []}, model_provider="openrouter")


@pytest.mark.parametrize("arguments", [None, "", "   ", "{}"])
def test_tool_without_parameters_gives_empty_args(arguments: Any) -> None:
    raw = {"id": "c1", "type": "function", "function": {"name": "now"}}
    if arguments is not None:
        raw["function"]["arguments"] = arguments
    calls, invalid = parse_tool_calls([raw])
    assert invalid == []
    assert calls == [{"name": "now", "args": {}, "id": "c1", "type": "tool_call"}]


def test_malformed_arguments_become_invalid_tool_calls() -> None:
    calls, invalid = parse_tool_calls(
        [
            {"id": "c1", "function": {"name": "f", "arguments": '{"a": '}},
            {"id": "c2", "function": {"name": "g", "arguments": "[1, 2]"}},
        ]
    )
    assert calls == []
    assert [(i["id"], i["args"]) for i in invalid] == [("c1", '{"a": '), ("c2", "[1, 2]")]
    assert all(i["error"] for i in invalid)


# -- streams ------------------------------------------------------------------------------


def event(delta: dict[str, Any] | None = None, finish: str | None = None, **root: Any) -> dict[str, Any]:
    """A chunk of one stream (no ``choices`` when neither delta nor finish is given), ``root`` fields added."""
    base = wire.Stream(gen="gen-s", model="m/x", provider="P").chunk(delta, finish=finish)
    if delta is None and finish is None:
        del base["choices"]
    base.update(root)
    return base


USAGE = {"prompt_tokens": 5, "completion_tokens": 2, "total_tokens": 7, "cost": 0.01}


def run(events: list[dict[str, Any]], *, completed: bool = True) -> tuple[list[AIMessageChunk], AIMessageChunk]:
    mapper = Mapper("openrouter")
    chunks = [c for c in (mapper.chunk(e) for e in events) if c is not None]
    chunks.append(mapper.end(completed=completed))
    full = chunks[0]
    for c in chunks[1:]:
        full = full + c
    return chunks, full


@pytest.mark.parametrize(
    "closing",
    [
        [event(choices=[], usage=USAGE)],  # choices: [] with usage
        [event({}, None, usage=USAGE)],  # empty delta, finish_reason null
        [event({}, "stop", usage=USAGE)],  # repeats finish_reason "stop"
    ],
    ids=["empty-choices", "null-finish", "repeated-stop"],
)
def test_usage_from_any_recorded_shape_counted_once(closing: list[dict[str, Any]]) -> None:
    events = [event({}), event({"content": "Hi"}), event({"content": "!"}, "stop"), *closing]
    chunks, full = run(events)
    assert full.content == "Hi!"
    assert full.usage_metadata == {"input_tokens": 5, "output_tokens": 2, "total_tokens": 7}
    assert sum(1 for c in chunks if c.usage_metadata) == 1
    assert full.response_metadata["finish_reason"] == "stop"  # not "stopstop"
    assert full.response_metadata["model_name"] == "m/x"  # not repeated per chunk
    assert full.response_metadata["provider"] == "P"
    assert full.response_metadata["cost"] == 0.01
    assert chunks[-1].chunk_position == "last"


def test_usage_repeated_on_two_chunks_is_not_double_counted() -> None:
    _, full = run([event({"content": "a"}, "stop", usage=USAGE), event(choices=[], usage=USAGE)])
    assert full.usage_metadata is not None and full.usage_metadata["total_tokens"] == 7


def test_stream_usage_off_reports_no_usage() -> None:
    mapper = Mapper("openrouter", include_usage=False)
    mapper.chunk(event({"content": "a"}, "stop", usage=USAGE))
    last = mapper.end(completed=True)
    assert last.usage_metadata is None
    assert "cost" not in last.response_metadata


def test_truncated_stream_is_an_error_but_finish_without_done_is_accepted() -> None:
    with pytest.raises(StreamError, match="ended before"):
        run([event({"content": "par"})], completed=False)
    _, full = run([event({"content": "whole"}, "stop")], completed=False)
    assert full.content == "whole"


def test_error_chunk_raises_whatever_finish_reason_says() -> None:
    mapper = Mapper("openrouter")
    mapper.chunk(event({"content": "x"}, "length"))
    with pytest.raises(StreamError) as info:
        mapper.chunk(event({}, None, error={"code": 400, "message": "Token limit reached"}, usage=USAGE))
    assert info.value.code == 400
    assert mapper.usage == USAGE


def test_streamed_chunks_sum_to_the_non_streamed_message() -> None:
    tool_events = [
        event(
            {
                "tool_calls": [
                    {"index": 0, "id": "call_a", "type": "function", "function": {"name": "add", "arguments": ""}}
                ]
            }
        ),
        event({"tool_calls": [{"index": 0, "function": {"arguments": '{"a": 1,'}}]}),
        event(
            {
                "tool_calls": [
                    {"index": 1, "id": "call_b", "type": "function", "function": {"name": "now", "arguments": "{}"}}
                ]
            }
        ),
        event({"tool_calls": [{"index": 0, "id": "", "function": {"arguments": ' "b": 2}'}}]}),
        event({}, "tool_calls"),
        event(choices=[], usage=USAGE),
    ]
    _, full = run(tool_events)
    whole = (
        chat_result(
            answer(
                {
                    "role": "assistant",
                    "content": None,
                    "tool_calls": [
                        {
                            "id": "call_a",
                            "type": "function",
                            "function": {"name": "add", "arguments": '{"a": 1, "b": 2}'},
                        },
                        {"id": "call_b", "type": "function", "function": {"name": "now", "arguments": "{}"}},
                    ],
                }
            ),
            model_provider="openrouter",
        )
        .generations[0]
        .message
    )
    assert full.tool_calls == whole.tool_calls
    assert [c["name"] for c in full.tool_calls] == ["add", "now"]


def test_reasoning_detail_fragments_sum_without_doubling_fixed_fields() -> None:
    frag = {"type": "reasoning.text", "format": "anthropic-claude-v1", "index": 0}
    _, full = run(
        [
            event({"reasoning_details": [{**frag, "text": "a"}]}),
            event({"reasoning_details": [{**frag, "text": "b"}]}),
            event({"reasoning_details": [{**frag, "signature": "sig"}]}),
            event({"content": "ok"}, "stop"),
        ]
    )
    assert full.additional_kwargs["reasoning_details"] == [{**frag, "text": "ab", "signature": "sig"}]


def test_model_provider_rides_only_on_chunks_whose_blocks_need_it() -> None:
    from langchain_visionrouter._response.content_blocks import _translate

    events = [
        event({}),
        event({"reasoning": "Think."}),
        event({"content": "Hi"}),
        event({"content": "!"}),
        event({}, "stop", usage=USAGE),
    ]
    chunks, full = run(events)
    named = ["model_provider" in c.response_metadata for c in chunks]
    # first (model, provider), reasoning, two plain text chunks, finish, last
    assert named == [True, True, False, False, True, True]
    for chunk in chunks:
        # LangChain's default translation of a plain text chunk is ours.
        assert chunk.content_blocks == _translate(chunk)
    assert full.response_metadata["model_provider"] == "openrouter"
    assert full.content_blocks == [
        {"type": "reasoning", "reasoning": "Think."},
        {"type": "text", "text": "Hi!"},
    ]


# -- the stream's verdict, built with what was streamed ---------------------------------------


def test_partial_is_the_sum_of_every_chunk_made() -> None:
    mapper = Mapper("openrouter")
    made = [
        mapper.chunk(event({"content": "Hel", "reasoning": "think"})),
        mapper.chunk(event({"tool_calls": [{"index": 0, "id": "c1", "function": {"name": "f", "arguments": "{"}}]})),
        mapper.chunk(event({"content": "lo"})),
    ]
    chunks = [c for c in made if c is not None]
    expected = add_ai_message_chunks(chunks[0], *chunks[1:])
    partial = mapper.partial()
    assert partial.content == expected.content == "Hello"
    assert partial.additional_kwargs == expected.additional_kwargs
    assert partial.tool_call_chunks == expected.tool_call_chunks


def test_a_broken_body_raises_with_what_was_streamed() -> None:
    import httpx

    mapper = Mapper("openrouter")
    mapper.chunk(event({"content": "half an"}))
    with pytest.raises(StreamError, match="connection lost mid-stream") as info:
        mapper.last_chunk(wire.Ended(done=False, failure=httpx.RemoteProtocolError("peer closed")))
    assert info.value.partial.content == "half an"
    with pytest.raises(RequestTimeoutError, match="stalled") as stalled:
        mapper.last_chunk(wire.Ended(done=False, failure=httpx.ReadTimeout("slow"), timeout=2.0))
    assert stalled.value.partial.content == "half an"


@pytest.mark.parametrize(
    ("head", "error", "needle"),
    [
        (b'{"error": {"code": 402, "message": "Insufficient credits"}}', InsufficientCreditsError, "Insufficient"),
        (b"<html>Bad gateway</html>", StreamError, "held no events"),
        (b": OPENROUTER PROCESSING\n\n", StreamError, "ended before the answer was complete"),
        (b"", StreamError, "ended before the answer was complete"),
    ],
    ids=["json-error", "proxy-text", "keep-alives-only", "empty"],
)
def test_a_body_with_no_event_says_what_it_held(head: bytes, error: type[Exception], needle: str) -> None:
    with pytest.raises(error, match=needle):
        Mapper("openrouter").last_chunk(wire.Ended(done=False, head=head))


def test_a_json_answer_to_a_stream_request_is_one_chunk() -> None:
    mapper = Mapper("openrouter")
    body = wire.completion(gen="gen-j", model="m/x", provider="P", content="whole", use=USAGE)
    first = mapper.feed(body)
    assert first is not None and first.content == "whole"
    last = mapper.last_chunk(wire.Ended(done=True))
    assert (first + last).usage_metadata == {"input_tokens": 5, "output_tokens": 2, "total_tokens": 7}
    with pytest.raises(StreamError, match="not an object"):
        Mapper("openrouter").feed([1, 2])


def test_an_event_that_is_not_json_raises_with_the_partial() -> None:
    mapper = Mapper("openrouter")
    mapper.chunk(event({"content": "so far"}))
    with pytest.raises(StreamError, match="not valid JSON") as info:
        mapper.feed(b"{not json")
    assert info.value.partial.content == "so far"
