"""Listing embedding models (``GET /embeddings/models``), paged, with the ``/models`` fallback."""

from __future__ import annotations

from typing import Any

import pytest

from langchain_visionrouter import InvalidInputError, VisionRouterEmbeddings, clear_catalog_cache
from tests.conftest import FAKE_KEY
from tests.fakerouter import FakeRouter


def entry(model_id: str, inputs: list[str], outputs: list[str] | None = None) -> dict[str, Any]:
    return {
        "id": model_id,
        "name": model_id.split("/")[1],
        "architecture": {"input_modalities": inputs, "output_modalities": outputs or ["embeddings"]},
        "pricing": {"prompt": "0.00000002", "completion": "0"},
    }


TEXT = entry("openai/text-embedding-3-small", ["text"])
VL = entry("nvidia/llama-nemotron-embed-vl-1b-v2", ["text", "image"])
CHAT = entry("openai/gpt-4o-mini", ["text", "image"], ["text"])


@pytest.fixture(autouse=True)
def _fresh_catalog() -> Any:
    clear_catalog_cache()
    yield
    clear_catalog_cache()


def make(router: FakeRouter, model: str = "openai/text-embedding-3-small") -> VisionRouterEmbeddings:
    return VisionRouterEmbeddings(model=model, api_key=FAKE_KEY, base_url=router.url, max_retries=0)


def test_embedding_models_paged_and_filtered(fake_router: FakeRouter) -> None:
    fake_router.reply(json={"data": [TEXT], "total_count": 2, "links": {"next": "/api/v1/embeddings/models?offset=1"}})
    fake_router.reply(json={"data": [VL], "total_count": 2, "links": {"next": None}})
    emb = make(fake_router)
    assert [m.id for m in emb.list_models()] == [TEXT["id"], VL["id"]]
    assert [r.path for r in fake_router.requests] == ["/api/v1/embeddings/models", "/api/v1/embeddings/models?offset=1"]
    assert fake_router.requests[0].headers["Authorization"] == f"Bearer {FAKE_KEY}"
    assert [m.id for m in emb.list_models(input_modalities="image")] == [VL["id"]]  # cached: no new request
    assert len(fake_router.requests) == 2
    assert emb.supports_images(VL["id"]) is True
    assert emb.supports_images() is False
    assert all(m.is_embedding_model for m in emb.list_models())
    with pytest.raises(InvalidInputError, match="not among the embedding models"):
        emb.supports_images("openai/gpt-4o-mini")
    emb.close()


def test_a_next_link_to_another_host_is_not_followed(fake_router: FakeRouter, caplog: pytest.LogCaptureFixture) -> None:
    fake_router.reply(json={"data": [TEXT], "links": {"next": "https://elsewhere.example/embeddings/models?offset=1"}})
    emb = make(fake_router)
    assert [m.id for m in emb.list_models()] == [TEXT["id"]]
    assert len(fake_router.requests) == 1
    assert "elsewhere.example" in caplog.text and "not fetched" in caplog.text
    emb.close()


def test_gateways_without_the_listing_fall_back_to_models(fake_router: FakeRouter) -> None:
    fake_router.reply(404, json={"error": {"code": 404, "message": "Not Found"}})
    fake_router.reply(json={"data": [TEXT, CHAT, VL]})  # a gateway ignoring the filter: chat models dropped
    emb = make(fake_router)
    assert [m.id for m in emb.list_models()] == [TEXT["id"], VL["id"]]
    assert [r.path for r in fake_router.requests] == [
        "/api/v1/embeddings/models",
        "/api/v1/models?output_modalities=embeddings",
    ]
    emb.close()
