"""_vision: what a request carries, the vision check before sending, and the router's no-image 404.

Answers come from the loopback router (the catalog's own suite is test_catalog.py).
"""

from __future__ import annotations

import warnings
from typing import Any

import pytest

from langchain_visionrouter import InvalidInputError, NotFoundError
from langchain_visionrouter._router.vision import checkable_models
from tests.catalog_data import IMAGE_MESSAGE, MODELS, VISION_ANSWER, paths

pytestmark = pytest.mark.usefixtures("fresh_catalog")


def test_a_preset_alone_is_not_checkable() -> None:
    assert checkable_models(["a/b", "@preset/mine", "c/d@preset/x"]) == ["a/b", "c/d@preset/x"]


def test_vision_check_off_makes_no_catalog_call(fake_router: Any, make_vision_model: Any) -> None:
    fake_router.reply(json=VISION_ANSWER)
    make_vision_model("acme/text").invoke([IMAGE_MESSAGE])
    assert paths(fake_router) == ["POST /chat/completions"]


def test_vision_check_error_raises_before_the_request(fake_router: Any, make_vision_model: Any) -> None:
    fake_router.reply(json=MODELS)
    llm = make_vision_model("acme/text", vision_check="error")
    with pytest.raises(InvalidInputError) as info:
        llm.invoke([IMAGE_MESSAGE])
    assert "['acme/text'] cannot take image input" in str(info.value)
    assert "acme/vision, other/vision-pdf" in str(info.value)  # same vendor first
    assert paths(fake_router) == ["GET /models"]
    with pytest.raises(InvalidInputError):  # streams too, from the cache
        list(llm.stream([IMAGE_MESSAGE]))
    assert len(fake_router.requests) == 1


async def test_vision_check_error_async(fake_router: Any, make_vision_model: Any) -> None:
    fake_router.reply(json=MODELS)
    llm = make_vision_model("acme/text", vision_check="error")
    with pytest.raises(InvalidInputError, match="cannot take image input"):
        await llm.ainvoke([IMAGE_MESSAGE])
    with pytest.raises(InvalidInputError, match="cannot take image input"):
        async for _ in llm.astream([IMAGE_MESSAGE]):
            pass
    await llm.aclose()
    assert paths(fake_router) == ["GET /models"]


def test_vision_check_warn_sends_anyway(fake_router: Any, make_vision_model: Any) -> None:
    fake_router.reply(json=MODELS)
    fake_router.reply(json=VISION_ANSWER)
    with pytest.warns(UserWarning, match=r"\['acme/text'\] cannot take image input"):
        make_vision_model("acme/text", vision_check="warn").invoke([IMAGE_MESSAGE])
    assert paths(fake_router) == ["GET /models", "POST /chat/completions"]


def test_vision_check_passes_vision_models_and_text_requests(fake_router: Any, make_vision_model: Any) -> None:
    fake_router.reply(json=MODELS)
    fake_router.reply(json=VISION_ANSWER)
    fake_router.reply(json=VISION_ANSWER)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        make_vision_model("acme/vision", vision_check="error").invoke([IMAGE_MESSAGE])
        make_vision_model("acme/text", vision_check="error").invoke("no image here")  # no check needed
    assert paths(fake_router) == ["GET /models", "POST /chat/completions", "POST /chat/completions"]


@pytest.mark.parametrize("router", ["openrouter", "infron"])
def test_vision_check_covers_fallback_models(fake_router: Any, make_vision_model: Any, router: str) -> None:
    fake_router.reply(json=MODELS)
    llm = make_vision_model(
        "acme/vision", router=router, vision_check="error", models=["other/vision-pdf", "other/text"]
    )
    with pytest.raises(InvalidInputError, match=r"\['other/text'\] cannot take image input"):
        llm.invoke([IMAGE_MESSAGE])


def test_vision_check_warns_for_a_model_it_cannot_find(fake_router: Any, make_vision_model: Any) -> None:
    fake_router.reply(json=MODELS)
    fake_router.reply(json=VISION_ANSWER)
    with pytest.warns(UserWarning, match="catalog does not say whether"):
        make_vision_model("new/model", vision_check="error").invoke([IMAGE_MESSAGE])
    assert len(fake_router.requests) == 2


def test_no_image_endpoint_404_without_a_catalog_still_says_what_to_do(
    fake_router: Any, make_vision_model: Any
) -> None:
    fake_router.reply(404, json={"error": {"message": "No endpoints found that support image input", "code": 404}})
    fake_router.reply(500, json={"error": {"message": "down", "code": 500}})  # the catalog fetch fails
    with pytest.raises(NotFoundError) as info:
        make_vision_model("acme/text").invoke([IMAGE_MESSAGE])
    assert "acme/text cannot take image input" in str(info.value)
    assert "list_models(input_modalities='image')" in str(info.value)


def test_other_404s_are_left_alone(fake_router: Any, make_vision_model: Any) -> None:
    fake_router.reply(404, json={"error": {"message": "Model not found", "code": 404}})
    with pytest.raises(NotFoundError) as info:
        make_vision_model("acme/nope").invoke("hi")
    assert info.value.message == "Model not found" and info.value.__cause__ is None
    assert len(fake_router.requests) == 1  # no catalog fetch
