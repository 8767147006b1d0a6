"""Infron's differences, replayed from cassettes: each test checks what was sent against the
cassette's request and what came back against the cassette's response."""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

import httpx
import pytest
from langchain_core.messages import HumanMessage

from langchain_visionrouter import ChatVisionRouter, NotFoundError, clear_catalog_cache
from tests.cassette_sources.infron import IMAGE_URL
from tests.cassette_tools import load, request_json, response_events, response_json

pytestmark = pytest.mark.vcr


class Capture:
    """An httpx client that remembers the JSON bodies it sent."""

    def __init__(self) -> None:
        self.sent: list[Any] = []
        self.client = httpx.Client(event_hooks={"request": [self._hook]})

    def _hook(self, request: httpx.Request) -> None:
        self.sent.append(json.loads(request.content) if request.content else None)


@pytest.fixture
def capture() -> Iterator[Capture]:
    cap = Capture()
    yield cap
    cap.client.close()


def _infron(capture: Capture, **kwargs: Any) -> ChatVisionRouter:
    kwargs.setdefault("model", "openai/gpt-4o-mini")
    return ChatVisionRouter(router="infron", http_client=capture.client, **kwargs)


PROMPT = [
    HumanMessage(
        content=[
            {"type": "text", "text": "What animal is in this picture? One word."},
            {"type": "image", "url": IMAGE_URL},
        ]
    )
]


@pytest.mark.default_cassette("infron_chat_usage_cost.yaml")
def test_usage_opt_in_and_cost_at_the_root(capture: Capture) -> None:
    (interaction,) = load("infron_chat_usage_cost")
    wire = response_json(interaction)
    message = _infron(capture).invoke(PROMPT)

    assert capture.sent == [request_json(interaction)]  # base URL matched; usage.include sent
    assert message.content == wire["choices"][0]["message"]["content"]
    assert message.response_metadata["cost"] == wire["cost"]
    assert message.response_metadata["cost_details"] == wire["cost_details"]
    assert message.response_metadata["model_name"] == wire["model"]
    assert message.response_metadata["model_provider"] == "infron"
    assert "provider" not in message.response_metadata  # Infron left it out: tolerated, not invented
    assert message.usage_metadata == {
        "input_tokens": wire["usage"]["prompt_tokens"],
        "output_tokens": wire["usage"]["completion_tokens"],
        "total_tokens": wire["usage"]["total_tokens"],
    }
    assert message.id == wire["id"]


@pytest.mark.default_cassette("infron_stream_usage.yaml")
def test_streamed_usage_opt_in_and_cost_at_the_root(capture: Capture) -> None:
    (interaction,) = load("infron_stream_usage")
    events = response_events(interaction)
    chunks = list(_infron(capture).stream(PROMPT))

    assert capture.sent == [request_json(interaction)]  # stream_options.include_usage and usage.include
    full = chunks[0]
    for chunk in chunks[1:]:
        full += chunk
    expected_text = "".join(
        e["choices"][0]["delta"].get("content") or "" for e in events if e["choices"] and e["choices"][0]["delta"]
    )
    assert full.content == expected_text
    last = events[-1]
    assert full.usage_metadata is not None
    assert full.usage_metadata["input_tokens"] == last["usage"]["prompt_tokens"]
    assert full.usage_metadata["output_tokens"] == last["usage"]["completion_tokens"]
    assert full.usage_metadata["total_tokens"] == last["usage"]["total_tokens"]
    assert full.response_metadata["cost"] == last["cost"]
    assert full.response_metadata["cost_details"] == last["cost_details"]
    assert full.response_metadata["model_name"] == events[0]["model"]
    assert "provider" not in full.response_metadata


@pytest.mark.default_cassette("infron_fallback_models.yaml")
@pytest.mark.parametrize("where", ["constructor", "per call"])
def test_fallback_models(capture: Capture, where: str) -> None:
    (interaction,) = load("infron_fallback_models")
    sent_wire = request_json(interaction)
    fallbacks = sent_wire["fallback_models"]
    if where == "constructor":
        message = _infron(capture, models=fallbacks).invoke("Say hello.")
    else:
        message = _infron(capture).invoke("Say hello.", models=fallbacks)

    assert capture.sent == [sent_wire]
    assert "models" not in capture.sent[0]
    wire = response_json(interaction)
    assert message.content == wire["choices"][0]["message"]["content"]
    assert message.response_metadata["model_name"] == wire["model"]  # the fallback that served


@pytest.mark.default_cassette("infron_error_openai_style.yaml")
def test_openai_style_error_body(capture: Capture) -> None:
    (interaction,) = load("infron_error_openai_style")
    error = response_json(interaction)["error"]
    llm = _infron(capture, model=request_json(interaction)["model"], max_retries=2)
    with pytest.raises(NotFoundError) as info:
        llm.invoke("Hi")

    exc = info.value
    assert len(capture.sent) == 1  # a 404 is not retried
    assert exc.status_code == interaction["response"]["status"]["code"]
    assert exc.message == error["message"]
    assert exc.code == error["code"]
    assert exc.metadata == {"type": error["type"], "param": error["param"]}
    assert error["message"] in str(exc)


@pytest.fixture
def _fresh_catalog() -> Iterator[None]:
    clear_catalog_cache()
    yield
    clear_catalog_cache()


@pytest.mark.default_cassette("infron_models.yaml")
@pytest.mark.usefixtures("_fresh_catalog")
def test_flatter_models_schema(capture: Capture) -> None:
    (interaction,) = load("infron_models")
    entries = response_json(interaction)["data"]
    llm = _infron(capture)

    models = llm.list_models()
    assert [m.id for m in models] == [e["id"] for e in entries]
    for model, entry in zip(models, entries, strict=True):
        assert model.input_modalities == {m.lower() for m in entry["input_modalities"]}
        assert model.output_modalities == {m.lower() for m in entry["output_modalities"]}
        assert model.context_length == entry["context_length"]
        # Already USD per million tokens: kept as is.
        assert model.prompt_price == entry["pricing"]["prompt"]
        assert model.completion_price == entry["pricing"]["completion"]
        expected_params = entry.get("supported_parameters")
        assert model.supported_parameters == (set(expected_params) if expected_params is not None else None)

    vision = [e["id"] for e in entries if "image" in {m.lower() for m in e["input_modalities"]}]
    assert [m.id for m in llm.list_models(input_modalities="IMAGE")] == vision
    tools = [e["id"] for e in entries if "tools" in e.get("supported_parameters", [])]
    assert [m.id for m in llm.list_models(supported_parameters=["tools"])] == tools
    for entry in entries:  # answered from the cache: the cassette holds a single GET
        assert llm.supports_images(entry["id"]) == (entry["id"] in vision)
    assert capture.sent == [None]
