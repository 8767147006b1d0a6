"""OpenRouter's catalog, its "no endpoint supports image input" 404 and a generation lookup,
replayed from cassettes and checked against what each cassette says."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from langchain_core.messages import HumanMessage

from langchain_visionrouter import (
    ChatVisionRouter,
    NotFoundError,
    aget_generation,
    clear_catalog_cache,
    get_generation,
    list_models,
)
from tests.cassette_sources.openrouter_catalog import GENERATION_ID
from tests.cassette_tools import load, request_json, response_json

pytestmark = [pytest.mark.vcr, pytest.mark.usefixtures("_fresh_catalog")]


@pytest.fixture
def _fresh_catalog() -> Iterator[None]:
    clear_catalog_cache()
    yield
    clear_catalog_cache()


def _entries(name: str, index: int = 0) -> list[dict[str, Any]]:
    data: list[dict[str, Any]] = response_json(load(name)[index])["data"]
    return data


def _takes_images(entry: dict[str, Any]) -> bool:
    return "image" in entry["architecture"]["input_modalities"]


@pytest.mark.default_cassette("openrouter_models.yaml")
def test_nested_models_schema() -> None:
    entries = _entries("openrouter_models")
    models = list_models()

    assert [m.id for m in models] == [e["id"] for e in entries]
    for model, entry in zip(models, entries, strict=True):
        assert model.name == entry["name"]
        assert model.input_modalities == set(entry["architecture"]["input_modalities"])
        assert model.output_modalities == set(entry["architecture"]["output_modalities"])
        assert model.context_length == entry["context_length"]
        assert model.max_completion_tokens == entry["top_provider"]["max_completion_tokens"]
        assert model.supported_parameters == set(entry["supported_parameters"])
        prompt = float(entry["pricing"]["prompt"])
        if prompt < 0:  # router-priced: unknown
            assert model.prompt_price is None
        else:  # strings in USD per token -> numbers per million tokens
            assert model.prompt_price == pytest.approx(prompt * 1e6)
            assert model.completion_price == pytest.approx(float(entry["pricing"]["completion"]) * 1e6)

    vision = [e["id"] for e in entries if _takes_images(e)]
    assert [m.id for m in list_models(input_modalities="image")] == vision
    structured = [e["id"] for e in entries if {"tools", "structured_outputs"} <= set(e["supported_parameters"])]
    assert [m.id for m in list_models(supported_parameters=["tools", "structured_outputs"])] == structured
    audio_vision = [e["id"] for e in entries if {"image", "audio"} <= set(e["architecture"]["input_modalities"])]
    assert [m.id for m in list_models(input_modalities=["image", "audio"])] == audio_vision


@pytest.mark.default_cassette("openrouter_models.yaml")
def test_profile_from_the_catalog() -> None:
    entries = {e["id"]: e for e in _entries("openrouter_models")}
    for model_id in ("openai/gpt-4o-mini", "meta-llama/llama-3.1-8b-instruct", "anthropic/claude-3.5-sonnet"):
        entry = entries[model_id]
        with ChatVisionRouter(model=model_id) as llm:
            profile = llm.refresh_profile()  # one fetch, then the cache
        assert llm.profile == profile
        assert profile["image_inputs"] == _takes_images(entry)
        assert profile["tool_calling"] == ("tools" in entry["supported_parameters"])
        assert profile["structured_output"] == ("structured_outputs" in entry["supported_parameters"])
        assert profile["max_input_tokens"] == entry["context_length"]
        assert profile.get("max_output_tokens") == entry["top_provider"]["max_completion_tokens"]


@pytest.mark.default_cassette("openrouter_no_image_endpoint.yaml")
@pytest.mark.parametrize("how", ["invoke", "stream"])
def test_no_image_endpoint_becomes_a_clear_error(how: str) -> None:
    chat, catalog = load("openrouter_no_image_endpoint")
    router_message = response_json(chat)["error"]["message"]
    model_id = request_json(chat)["model"]
    vision = [e["id"] for e in response_json(catalog)["data"] if _takes_images(e)]
    llm = ChatVisionRouter(model=model_id, max_retries=0)
    message = HumanMessage(
        content=[
            {"type": "text", "text": "Describe this picture."},
            {"type": "image", "url": "https://example.com/photo.png"},
        ]
    )
    with llm, pytest.raises(NotFoundError) as info:
        if how == "invoke":
            llm.invoke([message])
        else:
            list(llm.stream([message]))

    text = str(info.value)
    assert f"{model_id} cannot take image input" in text
    assert router_message in text
    assert f"Vision-capable models include: {', '.join(vision[:5])}." in text
    assert info.value.status_code == 404
    assert isinstance(info.value.__cause__, NotFoundError)
    assert info.value.__cause__.message == router_message


@pytest.mark.default_cassette("openrouter_no_image_endpoint.yaml")
async def test_no_image_endpoint_becomes_a_clear_error_async() -> None:
    chat, catalog = load("openrouter_no_image_endpoint")
    vision = [e["id"] for e in response_json(catalog)["data"] if _takes_images(e)]
    llm = ChatVisionRouter(model=request_json(chat)["model"], max_retries=0)
    message = HumanMessage(
        content=[
            {"type": "text", "text": "Describe this picture."},
            {"type": "image_url", "image_url": {"url": "https://example.com/photo.png"}},
        ]
    )
    with pytest.raises(NotFoundError, match="Vision-capable models include: " + vision[0]):
        await llm.ainvoke([message])
    await llm.aclose()


@pytest.mark.default_cassette("openrouter_generation.yaml")
def test_generation_lookup_retries_a_404() -> None:
    interactions = load("openrouter_generation")
    # Written with a 404 first (not recorded yet); a live re-recording may not have one.
    assert all(i["response"]["status"]["code"] == 404 for i in interactions[:-1])
    data = response_json(interactions[-1])["data"]
    stats = get_generation(GENERATION_ID, wait=0.01)

    assert stats.id == data["id"]
    assert stats.model == data["model"]
    assert stats.provider_name == data["provider_name"]
    assert stats.total_cost == data["total_cost"]
    assert stats.tokens_prompt == data["tokens_prompt"]
    assert stats.tokens_completion == data["tokens_completion"]
    assert stats.native_tokens_prompt == data["native_tokens_prompt"]
    assert stats.native_tokens_completion == data["native_tokens_completion"]
    assert stats.latency == data["latency"]
    assert stats.generation_time == data["generation_time"]
    assert stats.finish_reason == data["finish_reason"]
    assert stats.streamed is data["streamed"]
    assert stats.raw == data


@pytest.mark.default_cassette("openrouter_generation.yaml")
async def test_generation_lookup_async_and_from_the_model() -> None:
    data = response_json(load("openrouter_generation")[-1])["data"]
    stats = await aget_generation(GENERATION_ID, wait=0.01)
    assert (stats.id, stats.total_cost, stats.native_tokens_reasoning) == (
        data["id"],
        data["total_cost"],
        data["native_tokens_reasoning"],
    )


@pytest.mark.default_cassette("openrouter_generation.yaml")
def test_generation_lookup_from_the_model() -> None:
    data = response_json(load("openrouter_generation")[-1])["data"]
    stats = ChatVisionRouter(model="openai/gpt-4o-mini").get_generation(GENERATION_ID, wait=0.01)
    assert stats.total_cost == data["total_cost"]
