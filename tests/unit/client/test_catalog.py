"""The model catalog: parsing both schemas, filters, the in-process TTL cache and model
profiles (the vision checks are in test_vision.py). Answers come from the loopback router; the
cassette-replayed versions are in tests/cassette_tests/test_catalog_cassettes.py."""

from __future__ import annotations

from typing import Any

import pytest

from langchain_visionrouter import (
    ChatVisionRouter,
    InvalidInputError,
    ModelCatalog,
    list_models,
    supports_images,
)
from langchain_visionrouter._router.model_info import (
    ModelInfo,
    bundled_profile,
    filter_models,
    find_model,
    parse_model,
    parse_models,
)
from langchain_visionrouter.errors import VisionRouterError
from tests.catalog_data import MODELS, openrouter_entry, paths
from tests.conftest import FAKE_KEY

pytestmark = pytest.mark.usefixtures("fresh_catalog")


# -- parsing (pure) ------------------------------------------------------------------------------


def test_parse_openrouter_schema() -> None:
    (info,) = parse_models({"data": [openrouter_entry("a/b", ["text", "image"], ["tools"])]})
    assert info.id == "a/b" and info.name == "A/B"
    assert info.input_modalities == {"text", "image"} and info.output_modalities == {"text"}
    assert info.prompt_price == pytest.approx(1.0) and info.completion_price == pytest.approx(2.0)
    assert info.context_length == 8000 and info.max_completion_tokens == 1000
    assert info.supports_images and info.supports("tools") is True and info.supports("seed") is False


def test_parse_infron_schema_with_mixed_casing() -> None:
    info = parse_model(
        {"id": "a/b", "input_modalities": ["TEXT", " Image "], "output_modalities": ["Text"],
         "pricing": {"prompt": 3, "completion": "15"}, "context_length": "200000"}
    )  # fmt: skip
    assert info is not None
    assert info.input_modalities == {"text", "image"} and info.output_modalities == {"text"}
    assert (info.prompt_price, info.completion_price) == (3.0, 15.0)  # already per million
    assert info.context_length == 200000
    assert info.supported_parameters is None and info.supports("tools") is None


def test_parse_is_liberal() -> None:
    entries = [
        {"id": "a/only-id"},
        {"id": "a/modality-string", "architecture": {"modality": "text+image->text+image"}},
        {"id": "a/nulls", "architecture": None, "pricing": None, "top_provider": None, "context_length": None},
        {"name": "no id"},
        "not a dict",
        {"id": "a/bad-prices", "architecture": {"input_modalities": ["text"]},
         "pricing": {"prompt": "free", "completion": "-1"}},
    ]  # fmt: skip
    infos = parse_models(entries)  # a bare list is accepted too
    assert [i.id for i in infos] == ["a/only-id", "a/modality-string", "a/nulls", "a/bad-prices"]
    assert infos[0].input_modalities == frozenset() and infos[0].prompt_price is None
    assert infos[1].input_modalities == {"text", "image"} and infos[1].output_modalities == {"text", "image"}
    assert infos[3].prompt_price is None and infos[3].completion_price is None
    with pytest.raises(VisionRouterError, match="no model list"):
        parse_models({"models": []})


def test_filters_need_every_modality_and_parameter() -> None:
    models = parse_models(MODELS)
    ids = lambda ms: [m.id for m in ms]  # noqa: E731
    assert ids(filter_models(models, input_modalities="image")) == ["acme/vision", "other/vision-pdf"]
    assert ids(filter_models(models, input_modalities=["image", "file"])) == ["other/vision-pdf"]
    assert ids(filter_models(models, supported_parameters="tools")) == ["acme/vision", "acme/text"]
    assert ids(filter_models(models, input_modalities="Image", supported_parameters=["tools"])) == ["acme/vision"]
    assert ids(filter_models(models, output_modalities="image")) == []
    unknown = ModelInfo(id="x/unknown-params", input_modalities=frozenset({"text"}))
    assert filter_models([unknown], supported_parameters="tools") == []  # cannot be confirmed
    assert filter_models([unknown]) == [unknown]


def test_find_model_maps_variants_to_their_base_model() -> None:
    models = parse_models(MODELS)
    assert find_model(models, "acme/vision:online") is models[0]
    assert find_model(models, "ACME/Vision") is models[0]
    assert find_model(models, "acme/vision:free") is None  # a separately listed model
    assert find_model(models, "nobody/nothing") is None


# -- fetching and caching ---------------------------------------------------------------------


def test_catalog_is_fetched_once_per_ttl_and_shared(fake_router: Any, make_vision_model: Any) -> None:
    fake_router.reply(json=MODELS)
    llm = make_vision_model()
    assert [m.id for m in llm.list_models(input_modalities="image")] == ["acme/vision", "other/vision-pdf"]
    assert llm.supports_images("acme/vision") and not llm.supports_images("acme/text")
    assert make_vision_model("acme/text").supports_images() is False  # another instance: same cache
    assert paths(fake_router) == ["GET /models"]
    assert fake_router.requests[0].headers.get("Authorization") == f"Bearer {FAKE_KEY}"  # the model's own key

    fake_router.reply(json={"data": MODELS["data"][:1]})
    assert [m.id for m in llm.list_models(refresh=True)] == ["acme/vision"]
    fake_router.reply(json=MODELS)
    assert len(llm.get_catalog(ttl=0).models()) == 4  # expired at once
    assert paths(fake_router) == ["GET /models"] * 3


async def test_async_fetch_uses_the_same_cache(fake_router: Any, make_vision_model: Any) -> None:
    fake_router.reply(json=MODELS)
    llm = make_vision_model()
    catalog = llm.get_catalog()
    assert len(await catalog.amodels()) == 4
    assert len(catalog.models()) == 4
    await llm.aclose()
    assert len(fake_router.requests) == 1


def test_module_level_helpers(fake_router: Any) -> None:
    fake_router.reply(json=MODELS)
    vision = list_models(base_url=fake_router.url, input_modalities="image", supported_parameters="tools")
    assert [m.id for m in vision] == ["acme/vision"]
    assert supports_images("other/vision-pdf", base_url=fake_router.url) is True
    with pytest.raises(InvalidInputError, match=r"'acme/visoin' is not in the model catalog.*acme/vision"):
        supports_images("acme/visoin", base_url=fake_router.url)
    assert len(fake_router.requests) == 1


def test_catalog_repr_has_no_secret() -> None:
    catalog = ModelCatalog("https://example.com/v1/", api_key="sk-secret")
    assert "sk-secret" not in repr(catalog) and catalog.base_url == "https://example.com/v1"


# -- profiles -----------------------------------------------------------------------------------


def test_bundled_profile_without_a_network_call() -> None:
    profile = ChatVisionRouter(model="openai/gpt-4o-mini", api_key="k").profile
    assert profile is not None
    assert profile["image_inputs"] is True and profile["tool_calling"] is True
    assert profile["structured_output"] is True and profile["max_input_tokens"] == 128000
    text_only = ChatVisionRouter(model="meta-llama/llama-3.1-8b-instruct", api_key="k").profile
    assert text_only is not None and text_only["image_inputs"] is False
    assert bundled_profile("openai/gpt-4o-mini:online") == bundled_profile("openai/gpt-4o-mini")
    assert ChatVisionRouter(model="nobody/unknown", api_key="k").profile is None


def test_user_profile_is_kept() -> None:
    llm = ChatVisionRouter(model="openai/gpt-4o-mini", api_key="k", profile={"image_inputs": False})
    assert llm.profile == {"image_inputs": False}


def test_refresh_profile_from_the_catalog(fake_router: Any, make_vision_model: Any) -> None:
    fake_router.reply(json=MODELS)
    llm = make_vision_model("acme/vision")
    assert llm.profile is None  # not in the bundled snapshot
    profile = llm.refresh_profile()
    assert llm.profile == profile
    assert profile["image_inputs"] is True and profile["image_url_inputs"] is True
    assert profile["tool_calling"] is True and profile["structured_output"] is True
    assert profile["reasoning_output"] is False and profile["temperature"] is True
    assert profile["max_input_tokens"] == 8000 and profile["max_output_tokens"] == 1000
    assert make_vision_model("other/vision-pdf").refresh_profile()["pdf_inputs"] is True


def test_profile_of_a_model_without_parameters_leaves_tools_unknown() -> None:
    profile = ModelInfo(id="x", input_modalities=frozenset({"text"})).profile()
    assert "tool_calling" not in profile and "structured_output" not in profile
    assert profile["text_inputs"] is True and profile["image_inputs"] is False
