"""OpenRouter's model catalog, its "no endpoint supports image input" answer, and a generation lookup,
written from sections 6 and 7 of the wire format (and OpenRouter's API reference for ``/generation``).

``/models`` nests modalities under ``architecture`` and gives prices as strings in USD per
token; a handful of models is enough: two text-only, four that take images, one router-priced
meta model (price ``"-1"``).
"""

from __future__ import annotations

from typing import Any

from tests.cassette_tools import OPENROUTER, exchange


def _model(
    model_id: str,
    name: str,
    inputs: list[str],
    context: int,
    max_out: int | None,
    prompt: str,
    completion: str,
    params: list[str],
) -> dict[str, Any]:
    return {
        "id": model_id,
        "canonical_slug": model_id,
        "name": name,
        "created": 1721260800,
        "context_length": context,
        "architecture": {
            "modality": "+".join(inputs) + "->text",
            "input_modalities": inputs,
            "output_modalities": ["text"],
            "tokenizer": "Other",
            "instruct_type": None,
        },
        "pricing": {"prompt": prompt, "completion": completion, "request": "0", "image": "0"},
        "top_provider": {"context_length": context, "max_completion_tokens": max_out, "is_moderated": False},
        "per_request_limits": None,
        "supported_parameters": params,
    }


MODELS_BODY = {
    "data": [
        _model(
            "openai/gpt-4o-mini",
            "OpenAI: GPT-4o-mini",
            ["text", "image", "file"],
            128000,
            16384,
            "0.00000015",
            "0.0000006",
            ["max_tokens", "temperature", "tools", "tool_choice", "response_format", "structured_outputs", "seed"],
        ),
        _model(
            "anthropic/claude-3.5-sonnet",
            "Anthropic: Claude 3.5 Sonnet",
            ["text", "image", "file"],
            200000,
            8192,
            "0.000003",
            "0.000015",
            ["max_tokens", "temperature", "tools", "tool_choice", "stop", "top_k"],
        ),
        _model(
            "meta-llama/llama-3.1-8b-instruct",
            "Meta: Llama 3.1 8B Instruct",
            ["text"],
            131072,
            None,
            "0.00000002",
            "0.00000003",
            ["max_tokens", "temperature", "tools", "tool_choice", "top_k", "repetition_penalty", "min_p"],
        ),
        _model(
            "google/gemini-2.0-flash-001",
            "Google: Gemini 2.0 Flash",
            ["text", "image", "file", "audio", "video"],
            1048576,
            8192,
            "0.0000001",
            "0.0000004",
            ["max_tokens", "temperature", "tools", "tool_choice", "response_format", "structured_outputs"],
        ),
        _model(
            "mistralai/mistral-7b-instruct",
            "Mistral: Mistral 7B Instruct",
            ["text"],
            32768,
            16384,
            "0.000000028",
            "0.000000054",
            ["max_tokens", "temperature", "top_p", "stop"],
        ),
        _model(
            "openrouter/auto",
            "Auto Router",
            ["text", "image"],
            2000000,
            None,
            "-1",
            "-1",
            [],
        ),
    ]
}

MODELS = [exchange(None, MODELS_BODY, method="GET", url=OPENROUTER + "/models")]

NO_IMAGE_ENDPOINT = [
    exchange(
        {
            "model": "meta-llama/llama-3.1-8b-instruct",
            "messages": [
                {
                    "role": "user",
                    "content": [
                        {"type": "text", "text": "Describe this picture."},
                        {"type": "image_url", "image_url": {"url": "https://example.com/photo.png"}},
                    ],
                }
            ],
        },
        {"error": {"message": "No endpoints found that support image input", "code": 404}},
        status=404,
    ),
    # The adapter fetches the catalog to suggest vision-capable models.
    exchange(None, MODELS_BODY, method="GET", url=OPENROUTER + "/models"),
]

GENERATION_ID = "gen-1754000000-Ab3dEf6hIj9kLm2nOp5q"
_GENERATION_URL = OPENROUTER + "/generation?id=" + GENERATION_ID
GENERATION = [
    # Looked up right after the answer: not recorded yet.
    exchange(
        None, {"error": {"message": "Generation not found", "code": 404}}, status=404, method="GET", url=_GENERATION_URL
    ),
    exchange(
        None,
        {
            "data": {
                "id": GENERATION_ID,
                "upstream_id": "chatcmpl-BzUpstream42",
                "total_cost": 0.00011325,
                "cache_discount": None,
                "upstream_inference_cost": None,
                "created_at": "2025-08-01T10:13:20.123456+00:00",
                "model": "openai/gpt-4o-mini",
                "app_id": None,
                "streamed": True,
                "cancelled": False,
                "provider_name": "OpenAI",
                "latency": 412,
                "moderation_latency": None,
                "generation_time": 1530,
                "finish_reason": "stop",
                "native_finish_reason": "stop",
                "tokens_prompt": 695,
                "tokens_completion": 15,
                "native_tokens_prompt": 707,
                "native_tokens_completion": 12,
                "native_tokens_reasoning": 0,
                "num_media_prompt": 1,
                "num_media_completion": None,
                "num_search_results": None,
                "origin": "",
                "usage": 0.00011325,
                "is_byok": False,
            }
        },
        method="GET",
        url=_GENERATION_URL,
    ),
]

CASSETTES = {
    "openrouter_models": MODELS,
    "openrouter_no_image_endpoint": NO_IMAGE_ENDPOINT,
    "openrouter_generation": GENERATION,
}
