"""Infron as a first-class router, at the loopback router: where it differs from OpenRouter.

(The same differences are replayed from written cassettes in tests/cassette_tests/test_infron_cassettes.py.)
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from langchain_visionrouter import (
    AuthenticationError,
    ChatVisionRouter,
    RateLimitError,
    clear_catalog_cache,
)

CHUNK = {"id": "chatcmpl-1", "object": "chat.completion.chunk", "model": "gpt-4o-mini-2024-07-18"}
USAGE = {"prompt_tokens": 11, "completion_tokens": 2, "total_tokens": 13}


def _stream_events(*, with_usage: bool) -> list[Any]:
    events: list[Any] = [
        {**CHUNK, "choices": [{"index": 0, "delta": {"role": "assistant", "content": "Hi"}, "finish_reason": None}]},
        {**CHUNK, "choices": [{"index": 0, "delta": {}, "finish_reason": "stop"}]},
    ]
    if with_usage:
        events.append({**CHUNK, "choices": [], "usage": USAGE, "cost": 0.0002, "cost_details": {"discount_rate": 0.8}})
    return [*events, "[DONE]"]


ANSWER = {
    "id": "chatcmpl-2",
    "model": "gpt-4o-mini-2024-07-18",
    "choices": [{"index": 0, "finish_reason": "stop", "message": {"role": "assistant", "content": "Hi"}}],
    "usage": USAGE,
    "cost": 0.0002,
    "cost_details": {"upstream_inference_cost": 0.00025, "discount_rate": 0.8},
}


@pytest.fixture
def infron(fake_router: Any) -> Iterator[ChatVisionRouter]:
    # Shaped like Infron's base URL: /v1, no /api.
    llm = ChatVisionRouter(
        router="infron", model="openai/gpt-4o-mini", base_url=fake_router.base + "/v1", max_retries=0
    )
    yield llm
    llm.close()


def test_default_base_url_and_key_variable(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("OPENROUTER_API_KEY")
    monkeypatch.setenv("INFRON_API_KEY", "infron-key")
    llm = ChatVisionRouter(router="infron", model="openai/gpt-4o-mini")
    assert llm.base_url == "https://llm.onerouter.pro/v1"
    assert llm.api_key is not None and llm.api_key.get_secret_value() == "infron-key"
    assert llm._template().url == "https://llm.onerouter.pro/v1/chat/completions"


def test_invoke_opts_in_to_usage_and_reads_cost_at_the_root(fake_router: Any, infron: ChatVisionRouter) -> None:
    fake_router.reply(json=ANSWER)
    message = infron.invoke("hello")
    request = fake_router.requests[0]
    assert request.path == "/v1/chat/completions"
    assert request.json["usage"] == {"include": True}
    assert "stream_options" not in request.json
    assert message.usage_metadata == {"input_tokens": 11, "output_tokens": 2, "total_tokens": 13}
    assert message.response_metadata["cost"] == ANSWER["cost"]
    assert message.response_metadata["cost_details"] == ANSWER["cost_details"]
    assert "provider" not in message.response_metadata


def test_stream_opts_in_to_usage_both_ways(fake_router: Any, infron: ChatVisionRouter) -> None:
    fake_router.reply_sse(_stream_events(with_usage=True))
    chunks = list(infron.stream("hello"))
    body = fake_router.requests[0].json
    assert body["stream_options"] == {"include_usage": True}
    assert body["usage"] == {"include": True}
    full = sum(chunks[1:], chunks[0])
    assert full.content == "Hi"
    assert full.usage_metadata is not None and full.usage_metadata["total_tokens"] == 13
    assert full.response_metadata["cost"] == 0.0002
    assert full.response_metadata["cost_details"] == {"discount_rate": 0.8}
    assert "provider" not in full.response_metadata


def test_stream_without_usage_asks_for_none(fake_router: Any, infron: ChatVisionRouter) -> None:
    fake_router.reply_sse(_stream_events(with_usage=False))
    chunks = list(infron.stream("hello", stream_usage=False))
    body = fake_router.requests[0].json
    assert "stream_options" not in body and "usage" not in body
    full = sum(chunks[1:], chunks[0])
    assert full.content == "Hi"
    assert full.usage_metadata is None


def test_openrouter_is_not_asked_for_usage(fake_router: Any) -> None:
    fake_router.reply_sse(_stream_events(with_usage=True))
    fake_router.reply(json=ANSWER)
    with ChatVisionRouter(model="m", api_key="k", base_url=fake_router.url) as llm:
        list(llm.stream("hello"))
        llm.invoke("hello")
    streamed, plain = (r.json for r in fake_router.requests)
    assert streamed["stream_options"] == {"include_usage": True}
    assert "usage" not in streamed and "usage" not in plain


def test_cost_at_the_root_without_a_usage_object(fake_router: Any, infron: ChatVisionRouter) -> None:
    # Liberal: a chunk with the root cost but the usage on an earlier chunk.
    events = [
        {**CHUNK, "choices": [{"index": 0, "delta": {"content": "Hi"}, "finish_reason": "stop"}], "usage": USAGE},
        {**CHUNK, "choices": [], "cost": 0.0003},
        "[DONE]",
    ]
    fake_router.reply_sse(events)
    chunks = list(infron.stream("hello"))
    full = sum(chunks[1:], chunks[0])
    assert full.response_metadata["cost"] == 0.0003
    assert full.usage_metadata is not None and full.usage_metadata["input_tokens"] == 11


def test_fallback_models_on_both_routers(fake_router: Any, infron: ChatVisionRouter) -> None:
    fake_router.reply(json=ANSWER)
    fake_router.reply(json=ANSWER)
    infron.invoke("hello", models=["a/one", "b/two"])
    with ChatVisionRouter(model="m", api_key="k", base_url=fake_router.url, models=["a/one"]) as openrouter:
        openrouter.invoke("hello")
    to_infron, to_openrouter = (r.json for r in fake_router.requests)
    assert to_infron["fallback_models"] == ["a/one", "b/two"] and "models" not in to_infron
    assert to_openrouter["models"] == ["a/one"] and "fallback_models" not in to_openrouter


@pytest.mark.parametrize(
    ("status", "error", "cls"),
    [
        (401, {"message": "Incorrect API key provided.", "type": "invalid_api_key", "param": None, "code": None},
         AuthenticationError),
        (429, {"message": "Rate limit reached.", "type": "rate_limit_error", "param": None,
               "code": "rate_limit_exceeded"}, RateLimitError),
    ],
)  # fmt: skip
def test_openai_style_error_bodies(
    fake_router: Any, infron: ChatVisionRouter, status: int, error: dict[str, Any], cls: type[Exception]
) -> None:
    fake_router.reply(status, json={"error": error})
    with pytest.raises(cls) as info:
        infron.invoke("hello")
    exc: Any = info.value
    assert exc.status_code == status
    assert exc.message == error["message"]
    assert exc.code == error["code"]
    assert exc.metadata == {"type": error["type"]}  # null param is not invented
    assert exc.provider_name is None


def test_flatter_models_schema_at_loopback(fake_router: Any, infron: ChatVisionRouter) -> None:
    clear_catalog_cache()
    fake_router.reply(
        json={
            "data": [
                {"id": "x/vision", "input_modalities": ["TEXT", "Image"], "output_modalities": ["Text"],
                 "pricing": {"prompt": 1.5, "completion": 6}},
                {"id": "x/text", "input_modalities": ["Text"], "output_modalities": ["TEXT"]},
            ]
        }
    )  # fmt: skip
    models = infron.list_models()
    clear_catalog_cache()
    assert fake_router.requests[0].method == "GET"
    assert fake_router.requests[0].path == "/v1/models"
    assert [m.id for m in models] == ["x/vision", "x/text"]
    assert models[0].input_modalities == {"text", "image"}
    assert (models[0].prompt_price, models[0].completion_price) == (1.5, 6.0)
    assert models[1].prompt_price is None and not models[1].supports_images
