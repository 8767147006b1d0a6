"""Catalog answers and a model factory shared by the catalog and vision-check suites."""

from __future__ import annotations

from typing import Any

from langchain_core.messages import HumanMessage


def openrouter_entry(model_id: str, inputs: list[str], params: list[str] | None = None, **extra: Any) -> dict[str, Any]:
    entry: dict[str, Any] = {
        "id": model_id,
        "name": model_id.upper(),
        "context_length": 8000,
        "architecture": {"modality": "+".join(inputs) + "->text", "input_modalities": inputs,
                         "output_modalities": ["text"]},
        "pricing": {"prompt": "0.000001", "completion": "0.000002"},
        "top_provider": {"max_completion_tokens": 1000},
        **extra,
    }  # fmt: skip
    if params is not None:
        entry["supported_parameters"] = params
    return entry


MODELS = {
    "data": [
        openrouter_entry("acme/vision", ["text", "image"], ["tools", "structured_outputs", "temperature"]),
        openrouter_entry("acme/text", ["text"], ["tools"]),
        openrouter_entry("other/vision-pdf", ["text", "image", "file"], ["reasoning"]),
        openrouter_entry("other/text", ["text"], []),
    ]
}
VISION_ANSWER = {
    "id": "gen-1",
    "model": "acme/vision",
    "choices": [{"index": 0, "finish_reason": "stop", "message": {"role": "assistant", "content": "a cat"}}],
}
IMAGE_MESSAGE = HumanMessage(
    content=[{"type": "text", "text": "What is this?"}, {"type": "image", "url": "https://example.com/cat.png"}]
)


def paths(fake_router: Any) -> list[str]:
    return [f"{r.method} {r.path.split('?')[0].removeprefix('/api/v1')}" for r in fake_router.requests]
