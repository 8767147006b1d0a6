"""Nothing the router returns is lost (issue 14, items 3, 4, 5, 7 and 8).

Answers written from the documented shapes (router-wire-format-2.md, sections 2-4, 6-8) are
replayed through the loopback router, non-streamed and streamed, and the messages inspected:
citations on the text in ``content_blocks``, server-tool activity, audio output, the whole
``usage`` and every unmapped top-level field, and ``error.availability`` on the typed error
and in the retry policy.
"""

from __future__ import annotations

import base64
import itertools
import pickle
from typing import Any

import pytest
from langchain_core.messages import AIMessage, AIMessageChunk, HumanMessage

from langchain_visionrouter import NotFoundError, RateLimitError, StreamError
from langchain_visionrouter._wire.http import is_retryable
from tests import wire

PROVIDER = "OpenAI"


def _summed(chunks: list[AIMessageChunk]) -> AIMessageChunk:
    total = chunks[0]
    for chunk in chunks[1:]:
        total = total + chunk
    return total


# -- citations (item 3) ---------------------------------------------------------------------------

CITED = "Paris is the capital of France. It has 2.1 million people."
CITATIONS = [
    wire.url_citation("https://en.wikipedia.org/wiki/Paris", "Paris - Wikipedia", "Paris is the capital", 0, 31),
    wire.url_citation("https://insee.fr/paris", "INSEE", "2,1 millions [...] habitants", 32, 58),
]
FILE = wire.file_annotation("abc123", "report.pdf", "Parsed text content...")
EXPECTED_CITATIONS = [
    {"type": "citation", "url": "https://en.wikipedia.org/wiki/Paris", "title": "Paris - Wikipedia",
     "cited_text": "Paris is the capital", "start_index": 0, "end_index": 31},
    {"type": "citation", "url": "https://insee.fr/paris", "title": "INSEE",
     "cited_text": "2,1 millions [...] habitants", "start_index": 32, "end_index": 58},
]  # fmt: skip


def test_citations_on_the_text_block_non_streamed_and_streamed(make_model: Any, fake_router: Any) -> None:
    llm = make_model(model="openai/gpt-5.2:online")
    fake_router.reply(json=wire.completion(gen="gen-cite", model="openai/gpt-5.2", provider=PROVIDER, content=CITED,
                                           annotations=[*CITATIONS, FILE], use=wire.usage(40, 20)))  # fmt: skip
    whole = llm.invoke("Capital of France, and its population?")
    assert whole.content_blocks == [{"type": "text", "text": CITED, "annotations": EXPECTED_CITATIONS}]
    assert whole.additional_kwargs["annotations"] == [*CITATIONS, FILE]  # kept as sent

    s = wire.Stream(gen="gen-cite", model="openai/gpt-5.2", provider=PROVIDER)
    fake_router.reply_sse(
        [s.chunk({"content": CITED[:31]}), s.chunk({"content": CITED[31:], "annotations": CITATIONS[:1]}),
         s.chunk({"annotations": [CITATIONS[1], FILE]}), *s.end(use=wire.usage(40, 20)), "[DONE]"]
    )  # fmt: skip
    chunks = list(llm.stream("Capital of France, and its population?"))
    total = _summed(chunks)
    assert total.content_blocks == whole.content_blocks
    assert total.additional_kwargs["annotations"] == whole.additional_kwargs["annotations"]
    # A chunk holding only annotations shows them on an (empty) text block of its own.
    only = next(c for c in chunks if c.text == "" and c.additional_kwargs.get("annotations"))
    assert only.content_blocks[0]["annotations"] == EXPECTED_CITATIONS[1:]  # type: ignore[typeddict-item]

    # File annotations go back (they spare re-parsing the PDF); citations are output only.
    fake_router.reply(json=wire.completion(gen="gen-2", model="m", provider=PROVIDER, content="ok"))
    llm.invoke([HumanMessage("q"), whole, HumanMessage("more")])
    assert fake_router.requests[-1].json["messages"][1]["annotations"] == [FILE]


def test_flat_url_citation_of_the_spec_is_read_too() -> None:
    from langchain_visionrouter._response.outputs import citation

    flat = {"type": "url_citation", "url": "https://x.example", "title": "X", "start_index": 1, "end_index": 2}
    assert citation(flat) == {"type": "citation", "url": "https://x.example", "title": "X", "start_index": 1,
                              "end_index": 2}  # fmt: skip


# -- server tools (item 4) ------------------------------------------------------------------------

SERVER_TOOLS = [
    {"type": "openrouter:web_search", "parameters": {"max_results": 3, "allowed_domains": ["reuters.com"]}},
    {"type": "openrouter:datetime", "parameters": {"timezone": "Europe/Paris"}},
    {"type": "web_search_preview"},
]


def get_stock_price(ticker: str) -> float:
    """The latest price of a stock."""
    return 1.0


def test_server_tools_are_sent_unchanged_beside_function_tools(make_model: Any, fake_router: Any) -> None:
    detail = wire.server_tool_call(
        "openrouter:web_search", "call_srv_1", {"query": "ACME stock news"}, {"status": "ok", "results": 3}
    )
    use = {**wire.usage(300, 40), "server_tool_use_details": wire.server_tool_use(1, 1, 1)}
    answer = wire.completion(gen="gen-srv", model="openai/gpt-5.2", provider=PROVIDER,
                             content="ACME rose 3% today.", reasoning_details=[detail], use=use)  # fmt: skip
    fake_router.reply(json=answer)
    llm = make_model(model="openai/gpt-5.2").bind_tools(
        [*SERVER_TOOLS, get_stock_price], tool_choice={"type": "openrouter:web_search"}
    )
    message = llm.invoke("How is ACME doing?")
    body = fake_router.requests[0].json
    assert body["tools"][:3] == SERVER_TOOLS
    assert body["tools"][3]["function"]["name"] == "get_stock_price"
    assert body["tool_choice"] == {"type": "openrouter:web_search"}
    # The activity is kept: the detail to send back, the blocks to read, the counts.
    assert message.additional_kwargs["reasoning_details"] == [detail]
    assert message.content_blocks[:2] == [
        {"type": "server_tool_call", "id": "call_srv_1", "name": "openrouter:web_search",
         "args": {"query": "ACME stock news"}},
        {"type": "server_tool_result", "tool_call_id": "call_srv_1", "status": "success",
         "output": {"status": "ok", "results": 3}},
    ]  # fmt: skip
    assert message.response_metadata["usage"]["server_tool_use_details"] == wire.server_tool_use(1, 1, 1)
    # And the detail goes back unchanged on the next turn ("rehydrated into a later turn").
    fake_router.reply(json=wire.completion(gen="gen-2", model="m", provider=PROVIDER, content="ok"))
    llm.invoke([HumanMessage("How is ACME doing?"), message, HumanMessage("And tomorrow?")])
    assert fake_router.requests[1].json["messages"][1]["reasoning_details"] == [detail]


def test_streamed_server_tool_activity_sums_like_the_answer(make_model: Any, fake_router: Any) -> None:
    detail = wire.server_tool_call("openrouter:datetime", "call_dt", {}, {"datetime": "2026-08-22T10:00:00+02:00"})
    s = wire.Stream(gen="gen-srv-s", model="openai/gpt-5.2", provider=PROVIDER)
    use = {**wire.usage(10, 5), "server_tool_use_details": wire.server_tool_use(1, 1)}
    fake_router.reply_sse(
        [s.chunk({"reasoning_details": [detail]}), s.chunk({"content": "It is 10:00."}), *s.end(use=use), "[DONE]"]
    )
    total = _summed(list(make_model().bind_tools(SERVER_TOOLS[1:2]).stream("Time?")))
    assert [b["type"] for b in total.content_blocks] == ["server_tool_call", "server_tool_result", "text"]
    assert total.response_metadata["usage"]["server_tool_use_details"]["tool_calls_executed"] == 1


# -- audio output (item 5) -----------------------------------------------------------------------

WAV = b"RIFF$\x00\x00\x00WAVEfmt " + bytes(range(40))
WAV_B64 = base64.b64encode(WAV).decode()


def _audio_events() -> list[Any]:
    s = wire.Stream(gen="gen-audio", model="openai/gpt-4o-audio-preview", provider=PROVIDER)
    cut = [0, 16, 40, len(WAV_B64)]
    data = [WAV_B64[a:b] for a, b in itertools.pairwise(cut)]
    return [
        s.chunk(wire.audio_delta(transcript="Hello", id="audio_abc", expires_at=1770000000)),
        s.chunk(wire.audio_delta(data=data[0])),
        s.chunk(wire.audio_delta(data=data[1], transcript=" there!")),
        s.chunk(wire.audio_delta(data=data[2])),
        *s.end(use={**wire.usage(12, 30), "completion_tokens_details": {"audio_tokens": 25}}),
        "[DONE]",
    ]


AUDIO = {"modalities": ["text", "audio"], "audio": {"voice": "alloy", "format": "wav"}}


def _check_audio(message: AIMessage) -> None:
    blocks = message.content_blocks
    assert blocks[0] == {"type": "text", "text": "Hello there!"}
    assert blocks[1]["type"] == "audio" and blocks[1]["mime_type"] == "audio/wav"  # type: ignore[typeddict-item]
    assert base64.b64decode(blocks[1]["base64"]) == WAV  # type: ignore[typeddict-item]  # joined, decoded once
    assert len(blocks) == 2
    assert message.additional_kwargs["audio"] == {"id": "audio_abc", "expires_at": 1770000000}
    assert message.usage_metadata is not None and message.usage_metadata["output_token_details"]["audio"] == 25


def test_streamed_audio_becomes_an_audio_block_and_text(make_model: Any, fake_router: Any) -> None:
    fake_router.reply_sse(_audio_events())
    _check_audio(_summed(list(make_model(**AUDIO).stream("Say hello"))))


def test_non_streamed_audio_call_streams_underneath(make_model: Any, fake_router: Any) -> None:
    fake_router.reply_sse(_audio_events())
    message = make_model(**AUDIO).invoke("Say hello")
    assert fake_router.requests[0].json["stream"] is True  # "Audio output requires streaming"
    _check_audio(message)


async def test_async_non_streamed_audio_call_streams_underneath(make_model: Any, fake_router: Any) -> None:
    fake_router.reply_sse(_audio_events())
    message = await make_model(model="openai/gpt-4o-audio-preview").ainvoke("Say hello", **AUDIO)
    assert fake_router.requests[0].json["stream"] is True
    _check_audio(message)


# -- the whole usage and every unmapped field (item 7) ----------------------------------------------

FULL_USAGE = {
    "prompt_tokens": 194, "completion_tokens": 2, "total_tokens": 196,
    "prompt_tokens_details": {"cached_tokens": 0, "cache_write_tokens": 100, "audio_tokens": 0, "video_tokens": 7},
    "completion_tokens_details": {"reasoning_tokens": 0, "audio_tokens": 0, "image_tokens": 5,
                                  "accepted_prediction_tokens": None, "rejected_prediction_tokens": None},
    "cost": 0.0012, "is_byok": True,
    "cost_details": {"upstream_inference_cost": None, "upstream_inference_prompt_cost": 0.0008,
                     "upstream_inference_completions_cost": 0.0004},
    "server_tool_use_details": {"tool_calls_requested": 2, "tool_calls_executed": 2, "web_search_requests": None},
}  # fmt: skip
ROUTER_METADATA = {"requested": "openai/gpt-5.2", "strategy": "direct", "region": "us", "attempt": 1,
                   "is_byok": True,
                   "endpoints": {"total": 3, "available": [{"provider": "openai", "selected": True}]}}  # fmt: skip
TOP = {"service_tier": "flex", "system_fingerprint": "fp_1", "openrouter_metadata": ROUTER_METADATA,
       "a_field_from_next_year": {"x": 1}}  # fmt: skip


def test_nothing_returned_is_lost_non_streamed_and_streamed(make_model: Any, fake_router: Any) -> None:
    llm = make_model(openrouter_metadata=True)
    fake_router.reply(json=wire.completion(gen="gen-all", model="openai/gpt-5.2", provider=PROVIDER, content="Hi",
                                           use=FULL_USAGE, top=TOP))  # fmt: skip
    whole = llm.invoke("hi")
    for key, value in TOP.items():
        assert whole.response_metadata[key] == value, key
    assert whole.response_metadata["usage"] == FULL_USAGE

    s = wire.Stream(gen="gen-all", model="openai/gpt-5.2", provider=PROVIDER, fingerprint="fp_1")
    tier = {"service_tier": "flex"}
    events = [s.chunk({"content": "H"}, top=tier), s.chunk({"content": "i"}, top=tier),
              s.chunk(finish="stop", top={**tier, "a_field_from_next_year": {"x": 1}}),
              s.chunk(choices=False, use=FULL_USAGE, top={"openrouter_metadata": ROUTER_METADATA}),
              "[DONE]"]  # fmt: skip
    fake_router.reply_sse(events)
    total = _summed(list(llm.stream("hi")))
    for key, value in TOP.items():
        assert total.response_metadata[key] == value, key  # once each: never "flexflexflex"
    assert total.response_metadata["usage"] == FULL_USAGE
    assert total.usage_metadata == whole.usage_metadata


# -- error.availability (item 8) ------------------------------------------------------------------

CAPACITY = wire.availability_error(
    "All providers for anthropic/claude-sonnet-4.5 are at capacity. Retry after 40 seconds.",
    code="capacity_exhausted", retryable=True, status=429, error_type="rate_limit_exceeded", retry_after=40,
    providers=["anthropic", "amazon-bedrock"], fallbacks=["anthropic/claude-haiku-4.5"],
)  # fmt: skip
NO_ENDPOINTS = wire.availability_error(
    "No endpoints for anthropic/claude-sonnet-4.5 match your data policy.",
    code="no_endpoints", retryable=False, status=404, error_type="not_found",
)  # fmt: skip


def test_availability_is_parsed_onto_the_typed_error(make_model: Any, fake_router: Any) -> None:
    fake_router.reply(429, json=CAPACITY)
    with pytest.raises(RateLimitError) as info:
        make_model().invoke("hi")
    exc = info.value
    availability = exc.availability
    assert availability is not None
    assert availability.code == "capacity_exhausted" and availability.retryable is True
    assert availability.retry_after == 40 and exc.retry_after == 40  # no Retry-After header: taken from here
    assert availability.requested_models == ("anthropic/claude-sonnet-4.5",)
    assert availability.affected_providers == ("anthropic", "amazon-bedrock")
    assert availability.fallback_models == ("anthropic/claude-haiku-4.5",)
    assert exc.metadata["error_type"] == "rate_limit_exceeded"
    assert pickle.loads(pickle.dumps(exc)).availability == availability


def test_retryable_false_is_not_retried_and_true_waits_retry_after(
    make_model: Any, fake_router: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    from langchain_visionrouter._wire import http as _http

    waits: list[float] = []
    monkeypatch.setattr(_http.time, "sleep", waits.append)
    # A 404 that says retryable: true is retried (switch on retryable, not the code) ...
    retryable_404 = wire.availability_error("no endpoints right now", code="no_endpoints", retryable=True,
                                            status=404, error_type="not_found", retry_after=2)  # fmt: skip
    fake_router.reply(404, json=retryable_404)
    fake_router.reply(json=wire.completion(gen="gen-ok", model="m", provider=PROVIDER, content="ok"))
    assert make_model(max_retries=2).invoke("hi").text == "ok"
    assert waits == [2.0]
    # ... and a 429 (retryable by status) that says retryable: false is not.
    refused = wire.availability_error("region", code="capacity_exhausted", retryable=False, status=429,
                                      error_type="rate_limit_exceeded")  # fmt: skip
    fake_router.reply(429, json=refused)
    with pytest.raises(RateLimitError):
        make_model(max_retries=2).invoke("hi")
    assert len(fake_router.requests) == 3


def test_availability_on_a_stream_error_chunk(make_model: Any, fake_router: Any) -> None:
    s = wire.Stream(gen="gen-se", model="m", provider=PROVIDER)
    error = {**NO_ENDPOINTS["error"], "code": 404}
    fake_router.reply_sse([s.chunk({"content": "Hel"}), {**s.chunk(finish="error"), "error": error}, "[DONE]"])
    with pytest.raises(StreamError) as info:
        list(make_model().stream("hi"))
    assert info.value.availability is not None and info.value.availability.retryable is False
    assert info.value.partial.text == "Hel"
    assert not is_retryable(info.value)


def test_availability_for_a_not_found_keeps_the_routers_words(make_model: Any, fake_router: Any) -> None:
    fake_router.reply(404, json=NO_ENDPOINTS)
    with pytest.raises(NotFoundError, match="match your data policy") as info:
        make_model().invoke("hi")
    assert info.value.availability is not None and info.value.availability.code == "no_endpoints"
