"""``supports_images`` on gateways whose ``/models`` lists ids only (issue 16, item 3).

vLLM, LiteLLM and Ollama answer ``/models`` in OpenAI's shape: ids, no modalities.
Image support is then unknown (``None``), and ``vision_check`` lets the images through,
warning once per model at most.
"""

from __future__ import annotations

import warnings
from collections.abc import Iterator
from typing import Any

import pytest
from langchain_core.messages import HumanMessage

from langchain_visionrouter import ChatVisionRouter, clear_catalog_cache, supports_images
from tests import wire

# What vLLM's OpenAI-compatible server answers (openai.types.Model fields only).
IDS_ONLY = {
    "object": "list",
    "data": [
        {"id": "Qwen/Qwen2-VL-7B-Instruct", "object": "model", "created": 1700000000, "owned_by": "vllm"},
        {"id": "meta-llama/Llama-3.1-8B-Instruct", "object": "model", "created": 1700000000, "owned_by": "vllm"},
    ],
}
MIXED = {
    "data": [
        {"id": "acme/vision", "architecture": {"input_modalities": ["text", "image"], "output_modalities": ["text"]}},
        {"id": "acme/text", "architecture": {"input_modalities": ["text"], "output_modalities": ["text"]}},
        {"id": "acme/mystery"},
    ]
}
ANSWER = wire.completion(gen="gen-1", model="Qwen/Qwen2-VL-7B-Instruct", provider="local", content="a cat")
IMAGE = HumanMessage(content=["What is this?", {"type": "image", "url": "https://example.com/cat.png"}])


@pytest.fixture(autouse=True)
def _fresh_catalog() -> Iterator[None]:
    clear_catalog_cache()
    yield
    clear_catalog_cache()


def _local(fake_router: Any, model: str = "Qwen/Qwen2-VL-7B-Instruct", **kwargs: Any) -> ChatVisionRouter:
    return ChatVisionRouter(model=model, router="custom", base_url=fake_router.url, max_retries=0, **kwargs)


def test_ids_only_catalog_answers_unknown(fake_router: Any) -> None:
    fake_router.reply(json=IDS_ONLY)
    with _local(fake_router) as llm:
        assert llm.supports_images() is None
        assert llm.supports_images("meta-llama/Llama-3.1-8B-Instruct") is None
        profile = llm.get_catalog().get("Qwen/Qwen2-VL-7B-Instruct").profile()
    assert "image_inputs" not in profile  # unknown, not False
    assert supports_images("Qwen/Qwen2-VL-7B-Instruct", router="custom", base_url=fake_router.url) is None
    assert len(fake_router.requests) == 1  # one cached fetch


def test_known_answers_stay_true_and_false(fake_router: Any) -> None:
    fake_router.reply(json=MIXED)
    with _local(fake_router, "acme/vision") as llm:
        assert llm.supports_images() is True
        assert llm.supports_images("acme/text") is False
        assert llm.supports_images("acme/mystery") is None


def test_vision_check_error_lets_an_unknown_model_through_warning_once(fake_router: Any) -> None:
    fake_router.reply(json=IDS_ONLY)
    for _ in range(3):
        fake_router.reply(json=ANSWER)
    with _local(fake_router, vision_check="error") as llm, warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        answers = [llm.invoke([IMAGE]).content for _ in range(3)]
    assert answers == ["a cat"] * 3
    assert [r.method for r in fake_router.requests] == ["GET", "POST", "POST", "POST"]
    texts = [str(w.message) for w in caught if issubclass(w.category, UserWarning)]
    assert len(texts) == 1, texts
    assert "Qwen/Qwen2-VL-7B-Instruct" in texts[0] and "sent unchecked" in texts[0]


def test_vision_check_error_still_refuses_a_known_text_model(fake_router: Any) -> None:
    fake_router.reply(json=MIXED)
    with _local(fake_router, "acme/text", vision_check="error") as llm, pytest.raises(ValueError, match="acme/text"):
        llm.invoke([IMAGE])
    assert [r.method for r in fake_router.requests] == ["GET"]
