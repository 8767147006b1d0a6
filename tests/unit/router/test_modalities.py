"""_router/modalities.py: ``modalities`` derived from the catalog for image models, never
replacing the user's own, and the router's output-modalities 404 turned into a clear typed
error saying what to set (with or without a catalog to consult)."""

from __future__ import annotations

from typing import Any

import pytest

from langchain_visionrouter import NotFoundError
from langchain_visionrouter._client.catalog import clear_catalog_cache
from tests import wire

MODEL = "google/gemini-3-pro-image-preview"


def _answer() -> dict[str, Any]:
    images = [wire.image(wire.png(32, 24, seed=0))]
    return wire.completion(gen="gen-img-1", model=MODEL, provider="Google AI Studio", content="Done.", images=images)


@pytest.fixture(autouse=True)
def _fresh_catalog() -> Any:
    clear_catalog_cache()
    yield
    clear_catalog_cache()


CATALOG = {
    "data": [
        {"id": "black-forest-labs/flux.2-pro",
         "architecture": {"input_modalities": ["text", "image"], "output_modalities": ["image"]}},
        {"id": MODEL, "architecture": {"input_modalities": ["text", "image"], "output_modalities": ["image", "text"]}},
    ]
}  # fmt: skip


@pytest.mark.parametrize(
    ("model", "derived"), [("black-forest-labs/flux.2-pro", ["image"]), (MODEL, ["image", "text"])]
)
def test_modalities_are_derived_from_the_catalog(make_model: Any, fake_router: Any, model: str, derived: Any) -> None:
    fake_router.reply(json=CATALOG)
    fake_router.reply(json=_answer())
    make_model(model=model, image_config={"aspect_ratio": "16:9"}).invoke("Draw")
    listing, chat = fake_router.requests
    assert listing.method == "GET" and listing.path.endswith("/models?output_modalities=all")
    assert chat.json["modalities"] == derived and chat.json["image_config"] == {"aspect_ratio": "16:9"}


def test_modalities_given_are_never_replaced(make_model: Any, fake_router: Any) -> None:
    fake_router.reply(json=_answer())
    make_model(model=MODEL, modalities=["image"], image_config={"image_size": "2K"}).invoke("Draw")
    assert [r.method for r in fake_router.requests] == ["POST"]  # no catalog fetch needed
    assert fake_router.requests[0].json["modalities"] == ["image"]


NO_ENDPOINTS = {
    "error": {
        "message": "No endpoints found that support the requested output modalities: image, text",
        "code": 404,
        "metadata": {"routing_funnel": [], "failed_routing_step": "Filter by Model Output Modalities"},
    }
}


def test_output_modalities_404_says_what_to_set(make_model: Any, fake_router: Any) -> None:
    fake_router.reply(404, json=NO_ENDPOINTS)
    fake_router.reply(json=CATALOG)
    with pytest.raises(NotFoundError) as info:
        make_model(model="black-forest-labs/flux.2-pro", modalities=["image", "text"]).invoke("Draw")
    text = str(info.value)
    assert "set modalities=['image']" in text
    assert "No endpoints found that support the requested output modalities" in text  # the router's words kept
    assert info.value.status_code == 404 and info.value.metadata["failed_routing_step"].startswith("Filter")


async def test_output_modalities_404_without_a_catalog_still_says_what_to_set(
    make_model: Any, fake_router: Any
) -> None:
    fake_router.reply(404, json=NO_ENDPOINTS)
    fake_router.reply(500, json={"error": {"message": "catalog down", "code": 500}})
    with pytest.raises(NotFoundError, match=r"\['image'\] for image-only models"):
        await make_model(model="some/image-model", modalities=["image", "text"]).ainvoke("Draw")
