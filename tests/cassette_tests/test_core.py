"""The core adapter against cassettes: what it sends, and what it makes of each answer.

Each test reads its cassette back (tests/cassette_tools.py) and compares the adapter's
output with the wire fields, so the assertions hold for a live re-recording too.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

import httpx
import pytest
from langchain_core.messages import AIMessage, AIMessageChunk, HumanMessage, SystemMessage

from langchain_visionrouter import (
    AuthenticationError,
    BadRequestError,
    ChatVisionRouter,
    InsufficientCreditsError,
    NotFoundError,
    PermissionDeniedError,
    ProviderError,
    RateLimitError,
    RequestTimeoutError,
    StreamError,
    VisionRouterError,
)
from tests.cassette_sources.core import (
    GREEN_PNG_B64,
    IMAGE_URL,
    IMAGE_URL_2,
    REASONING_MODEL,
    RED_PNG_B64,
    TEXT_MODEL,
    TINY_PDF_B64,
    VISION_MODEL,
)
from tests.cassette_tools import load, request_json, response_events, response_json

pytestmark = pytest.mark.vcr


class Sent:
    """Request bodies as the adapter sent them (httpx event hooks fire under vcrpy too)."""

    def __init__(self) -> None:
        self.bodies: list[Any] = []
        self.headers: list[httpx.Headers] = []

    def _record(self, request: httpx.Request) -> None:
        self.bodies.append(json.loads(request.content))
        self.headers.append(request.headers)

    async def _arecord(self, request: httpx.Request) -> None:
        self._record(request)


@pytest.fixture
def sent() -> Iterator[Sent]:
    yield Sent()


@pytest.fixture
def make_model(sent: Sent) -> Iterator[Any]:
    clients: list[Any] = []

    def make(model: str, **kwargs: Any) -> ChatVisionRouter:
        client = httpx.Client(event_hooks={"request": [sent._record]})
        aclient = httpx.AsyncClient(event_hooks={"request": [sent._arecord]})
        clients.append((client, aclient))
        kwargs.setdefault("max_retries", 0)
        return ChatVisionRouter(model=model, http_client=client, http_async_client=aclient, **kwargs)

    yield make
    for client, _ in clients:
        client.close()


@pytest.fixture
async def aclose_clients(make_model: Any) -> Any:
    # Async clients must be closed on the loop that used them.
    made: list[ChatVisionRouter] = []

    def make(model: str, **kwargs: Any) -> ChatVisionRouter:
        m = make_model(model, **kwargs)
        made.append(m)
        return m

    yield make
    for m in made:
        assert m.http_async_client is not None
        await m.http_async_client.aclose()


def check_metadata(message: AIMessage, wire: dict[str, Any]) -> None:
    choice = wire["choices"][0]
    assert message.response_metadata["model_name"] == wire["model"]
    assert message.response_metadata["provider"] == wire["provider"]
    assert message.response_metadata["id"] == wire["id"]
    assert message.response_metadata["finish_reason"] == choice["finish_reason"]
    assert message.response_metadata["native_finish_reason"] == choice["native_finish_reason"]
    assert message.response_metadata["cost"] == wire["usage"]["cost"]
    assert message.response_metadata["cost_details"] == wire["usage"]["cost_details"]
    assert message.response_metadata["model_provider"] == "openrouter"
    usage = message.usage_metadata
    assert usage is not None
    assert usage["input_tokens"] == wire["usage"]["prompt_tokens"]
    assert usage["output_tokens"] == wire["usage"]["completion_tokens"]
    assert usage["total_tokens"] == wire["usage"]["total_tokens"]
    assert (
        usage.get("input_token_details", {}).get("cache_read")
        == wire["usage"]["prompt_tokens_details"]["cached_tokens"]
    )
    assert (
        usage.get("output_token_details", {}).get("reasoning")
        == wire["usage"]["completion_tokens_details"]["reasoning_tokens"]
    )


def check_invoke(name: str, message: AIMessage, sent: Sent) -> None:
    interaction = load(name)[0]
    wire = response_json(interaction)
    assert sent.bodies == [request_json(interaction)]
    assert message.content == wire["choices"][0]["message"]["content"]
    check_metadata(message, wire)


# -- invoke -------------------------------------------------------------------------------


@pytest.mark.default_cassette("core_text_invoke.yaml")
def test_text_invoke(make_model: Any, sent: Sent) -> None:
    model = make_model(TEXT_MODEL, temperature=0)
    message = model.invoke([SystemMessage("Answer in one sentence."), HumanMessage("What is the capital of France?")])
    check_invoke("core_text_invoke", message, sent)
    wire = response_json(load("core_text_invoke")[0])
    assert message.response_metadata["system_fingerprint"] == wire["system_fingerprint"]
    assert message.id == wire["id"]
    assert sent.headers[0]["authorization"].startswith("Bearer ")


@pytest.mark.default_cassette("core_text_invoke.yaml")
async def test_text_ainvoke(aclose_clients: Any, sent: Sent) -> None:
    model = aclose_clients(TEXT_MODEL, temperature=0)
    message = await model.ainvoke(
        [SystemMessage("Answer in one sentence."), HumanMessage("What is the capital of France?")]
    )
    check_invoke("core_text_invoke", message, sent)


@pytest.mark.default_cassette("core_image_url.yaml")
def test_image_url(make_model: Any, sent: Sent) -> None:
    message = make_model(VISION_MODEL).invoke(
        [
            HumanMessage(
                content=[
                    {"type": "text", "text": "What is in this image?"},
                    {"type": "image_url", "image_url": {"url": IMAGE_URL, "detail": "low"}},
                ]
            )
        ]
    )
    check_invoke("core_image_url", message, sent)


@pytest.mark.default_cassette("core_image_base64.yaml")
def test_image_base64_data_url(make_model: Any, sent: Sent) -> None:
    message = make_model(VISION_MODEL).invoke(
        [
            HumanMessage(
                content=[
                    {"type": "text", "text": "What colour is this image?"},
                    {"type": "image_url", "image_url": {"url": f"data:image/png;base64,{RED_PNG_B64}"}},
                ]
            )
        ]
    )
    check_invoke("core_image_base64", message, sent)


@pytest.mark.default_cassette("core_image_standard_block.yaml")
def test_image_standard_block(make_model: Any, sent: Sent) -> None:
    message = make_model(VISION_MODEL).invoke(
        [
            HumanMessage(
                content=[
                    {"type": "text", "text": "Describe the image in one word."},
                    {"type": "image", "base64": GREEN_PNG_B64, "mime_type": "image/png"},
                ]
            )
        ]
    )
    check_invoke("core_image_standard_block", message, sent)


@pytest.mark.default_cassette("core_multiple_images.yaml")
def test_several_images_keep_their_order(make_model: Any, sent: Sent) -> None:
    message = make_model(VISION_MODEL).invoke(
        [
            HumanMessage(
                content=[
                    {"type": "text", "text": "Compare these three images."},
                    {"type": "image", "url": IMAGE_URL},  # standard block
                    {"type": "image", "source_type": "base64", "data": RED_PNG_B64, "mime_type": "image/png"},  # legacy
                    {"type": "image_url", "image_url": IMAGE_URL_2},  # OpenAI string form
                ]
            )
        ]
    )
    check_invoke("core_multiple_images", message, sent)


@pytest.mark.default_cassette("core_pdf_file.yaml")
def test_pdf_file_part(make_model: Any, sent: Sent) -> None:
    message = make_model(VISION_MODEL).invoke(
        [
            HumanMessage(
                content=[
                    {"type": "text", "text": "Summarise this document."},
                    {"type": "file", "base64": TINY_PDF_B64, "mime_type": "application/pdf", "filename": "blank.pdf"},
                ]
            )
        ]
    )
    check_invoke("core_pdf_file", message, sent)
    wire = response_json(load("core_pdf_file")[0])
    assert message.additional_kwargs["annotations"] == wire["choices"][0]["message"]["annotations"]


# -- streams ------------------------------------------------------------------------------


def wire_stream(name: str) -> tuple[str, dict[str, Any]]:
    events = response_events(load(name)[0])
    text = "".join((e["choices"][0]["delta"].get("content") or "") for e in events if e.get("choices"))
    usage = next(e["usage"] for e in events if e.get("usage"))
    return text, usage


def check_stream(name: str, chunks: list[AIMessageChunk], sent: Sent) -> AIMessageChunk:
    text, usage = wire_stream(name)
    assert sent.bodies == [request_json(load(name)[0])]
    full = chunks[0]
    for c in chunks[1:]:
        full = full + c
    assert full.content == text
    with_usage = [c for c in chunks if c.usage_metadata]
    assert len(with_usage) == 1, "usage must be counted exactly once"
    assert full.usage_metadata is not None
    assert full.usage_metadata["input_tokens"] == usage["prompt_tokens"]
    assert full.usage_metadata["output_tokens"] == usage["completion_tokens"]
    assert full.usage_metadata["total_tokens"] == usage["total_tokens"]
    assert full.response_metadata["cost"] == usage["cost"]
    assert full.response_metadata["finish_reason"] == "stop"
    assert chunks[-1].chunk_position == "last"
    return full


@pytest.mark.default_cassette("core_stream_usage.yaml")
def test_stream_with_usage(make_model: Any, sent: Sent) -> None:
    chunks = list(make_model(TEXT_MODEL).stream("Two names for a pet pelican, be brief"))
    full = check_stream("core_stream_usage", chunks, sent)
    events = response_events(load("core_stream_usage")[0])
    assert full.response_metadata["model_name"] == events[0]["model"]
    assert full.response_metadata["provider"] == events[0]["provider"]
    assert full.id == events[0]["id"]


@pytest.mark.default_cassette("core_stream_usage.yaml")
async def test_astream_with_usage(aclose_clients: Any, sent: Sent) -> None:
    chunks = [c async for c in aclose_clients(TEXT_MODEL).astream("Two names for a pet pelican, be brief")]
    check_stream("core_stream_usage", chunks, sent)


@pytest.mark.default_cassette("core_stream_usage.yaml")
def test_invoke_with_streaming_true_aggregates(make_model: Any, sent: Sent) -> None:
    message = make_model(TEXT_MODEL, streaming=True).invoke("Two names for a pet pelican, be brief")
    text, usage = wire_stream("core_stream_usage")
    assert message.content == text
    assert message.usage_metadata is not None and message.usage_metadata["total_tokens"] == usage["total_tokens"]


@pytest.mark.default_cassette("core_stream_reasoning.yaml")
def test_stream_with_reasoning(make_model: Any, sent: Sent) -> None:
    chunks = list(make_model(REASONING_MODEL).stream("Is 91 prime? Answer yes or no.", reasoning={"max_tokens": 1024}))
    full = check_stream("core_stream_reasoning", chunks, sent)
    events = response_events(load("core_stream_reasoning")[0])
    deltas = [e["choices"][0]["delta"] for e in events]
    wire_reasoning = "".join(d.get("reasoning") or "" for d in deltas)
    assert full.additional_kwargs["reasoning"] == wire_reasoning
    details = full.additional_kwargs["reasoning_details"]
    assert len(details) == 1, details
    assert details[0]["type"] == "reasoning.text"
    assert details[0]["format"] == "anthropic-claude-v1"
    assert details[0]["text"] == wire_reasoning
    assert details[0]["signature"] == "EqQBCkgIBhABGAIiQLm0sQ5x"
    usage = next(e["usage"] for e in events if e.get("usage"))
    assert full.usage_metadata is not None
    assert (
        full.usage_metadata["output_token_details"]["reasoning"]
        == usage["completion_tokens_details"]["reasoning_tokens"]
    )
    blocks = AIMessage(
        content=full.content, additional_kwargs=full.additional_kwargs, response_metadata=full.response_metadata
    ).content_blocks
    assert blocks[0]["type"] == "reasoning"
    assert blocks[0].get("reasoning") == wire_reasoning
    assert blocks[-1] == {"type": "text", "text": full.content}


@pytest.mark.default_cassette("core_stream_reasoning.yaml")
async def test_astream_with_reasoning(aclose_clients: Any, sent: Sent) -> None:
    model = aclose_clients(REASONING_MODEL)
    chunks = [c async for c in model.astream("Is 91 prime? Answer yes or no.", reasoning={"max_tokens": 1024})]
    full = check_stream("core_stream_reasoning", chunks, sent)
    assert full.additional_kwargs["reasoning_details"][0]["signature"] == "EqQBCkgIBhABGAIiQLm0sQ5x"


@pytest.mark.default_cassette("core_stream_error_recorded_form.yaml")
def test_mid_stream_error_recorded_form(make_model: Any, sent: Sent) -> None:
    """Error chunk with finish_reason null, after a `length` finish: still a failure."""
    with pytest.raises(StreamError) as info:
        list(make_model(TEXT_MODEL, max_tokens=4).stream("Write a long story."))
    events = response_events(load("core_stream_error_recorded_form")[0])
    err = events[-1]["error"]
    exc = info.value
    assert exc.message == err["message"]
    assert exc.code == err["code"] == 400
    assert exc.generation_id == events[-1]["id"]
    assert isinstance(exc.partial, AIMessageChunk)
    assert exc.partial.content == "Once upon a"
    assert exc.partial.usage_metadata is not None
    assert exc.partial.usage_metadata["total_tokens"] == events[-1]["usage"]["total_tokens"]
    assert "Token limit reached" in str(exc)


@pytest.mark.default_cassette("core_stream_error_documented_form.yaml")
async def test_mid_stream_error_documented_form_async(aclose_clients: Any, sent: Sent) -> None:
    model = aclose_clients(TEXT_MODEL)
    with pytest.raises(StreamError) as info:
        async for _ in model.astream("Count to ten."):
            pass
    events = response_events(load("core_stream_error_documented_form")[0])
    err = events[-1]["error"]
    exc = info.value
    assert exc.code == err["code"]
    assert exc.message == err["message"]
    assert exc.metadata["error_type"] == err["metadata"]["error_type"]
    assert exc.partial is not None and exc.partial.content == "1, 2, 3"


# -- errors -------------------------------------------------------------------------------

ERRORS = [
    ("core_error_400", BadRequestError),
    ("core_error_401", AuthenticationError),
    ("core_error_402", InsufficientCreditsError),
    ("core_error_403", PermissionDeniedError),
    ("core_error_404", NotFoundError),
    ("core_error_408", RequestTimeoutError),
    ("core_error_413", BadRequestError),
    ("core_error_422", BadRequestError),
    ("core_error_429", RateLimitError),
    ("core_error_500", ProviderError),
    ("core_error_502", ProviderError),
    ("core_error_503", ProviderError),
    ("core_error_524", ProviderError),
    ("core_error_529", ProviderError),
]


@pytest.mark.parametrize(
    ("cassette", "error_class"),
    [pytest.param(c, e, marks=pytest.mark.default_cassette(f"{c}.yaml"), id=c) for c, e in ERRORS],
)
def test_error_status(cassette: str, error_class: type[VisionRouterError], make_model: Any) -> None:
    interaction = load(cassette)[0]
    wire = response_json(interaction)["error"]
    status = interaction["response"]["status"]["code"]
    # Default retries: a non-retryable status must not be retried (the cassette holds one answer).
    retries = 0 if error_class in (RateLimitError, ProviderError, RequestTimeoutError) else 2
    model = make_model(TEXT_MODEL, max_retries=retries)
    with pytest.raises(error_class) as info:
        model.invoke("Hello")
    exc = info.value
    assert type(exc) is error_class
    assert exc.status_code == status
    assert exc.code == wire["code"]
    assert exc.message == wire["message"]
    assert wire["message"] in str(exc)
    metadata = wire.get("metadata") or {}
    for key, value in metadata.items():
        assert exc.metadata[key] == value
    if metadata.get("raw"):
        assert metadata["raw"] in str(exc)
        assert exc.raw == metadata["raw"]
    if metadata.get("provider_name"):
        assert exc.provider_name == metadata["provider_name"]
        assert metadata["provider_name"] in str(exc)
    headers = interaction["response"]["headers"]
    if "Retry-After" in headers:
        assert exc.retry_after == float(headers["Retry-After"][0])


@pytest.mark.default_cassette("core_error_401.yaml")
async def test_error_status_async(aclose_clients: Any) -> None:
    with pytest.raises(AuthenticationError) as info:
        await aclose_clients(TEXT_MODEL).ainvoke("Hello")
    assert info.value.status_code == 401


@pytest.mark.default_cassette("core_error_in_200.yaml")
def test_error_body_inside_200(make_model: Any) -> None:
    with pytest.raises(ProviderError) as info:
        make_model(TEXT_MODEL).invoke("Hello")
    wire = response_json(load("core_error_in_200")[0])["error"]
    exc = info.value
    assert exc.code == wire["code"]
    assert exc.message == wire["message"]
    assert exc.raw == wire["metadata"]["raw"]
    assert wire["metadata"]["raw"] in str(exc) and "Azure" in str(exc)


@pytest.mark.default_cassette("core_retry_429_then_200.yaml")
def test_rate_limit_then_success_is_retried(make_model: Any, sent: Sent, vcr: Any) -> None:
    message = make_model(TEXT_MODEL, max_retries=1).invoke("Hello")
    wire = response_json(load("core_retry_429_then_200")[1])
    assert message.content == wire["choices"][0]["message"]["content"]
    assert len(sent.bodies) == 2
    assert vcr.all_played
