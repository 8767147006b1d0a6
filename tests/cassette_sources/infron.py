"""Infron (OneRouter) cassettes, written from section 8 of the wire format: where Infron differs.

- base URL ``https://llm.onerouter.pro/v1`` (no ``/api``), in every URI below;
- usage is opt-in: ``usage.include`` always, ``stream_options.include_usage`` when streaming;
- ``cost`` and ``cost_details`` at the response root (after discount: ``discount_rate``);
- the fallback list is ``fallback_models`` (shape presumed: a list of ids);
- an OpenAI-style error body ``{"error": {"message", "type", "param", "code"}}`` without ``metadata``;
- no ``provider`` in answers or chunks; ids in answers may be upstream names;
- a flatter ``/models``: modalities at the top level in mixed case, prices as numbers per million tokens.

Where the docs leave a detail open (the exact ``/models`` price keys, whether the stream has
keep-alive comments) the choice is the least surprising one and is noted beside it.
"""

from __future__ import annotations

from typing import Any

from tests.cassette_tools import INFRON, exchange, sse

CHAT = INFRON + "/chat/completions"
IMAGE_URL = "https://upload.wikimedia.org/wikipedia/commons/3/3a/Cat03.jpg"
PROMPT = [
    {
        "role": "user",
        "content": [
            {"type": "text", "text": "What animal is in this picture? One word."},
            {"type": "image_url", "image_url": {"url": IMAGE_URL}},
        ],
    }
]


def _answer(
    content: str, *, model: str, gen: str, usage: dict[str, Any], cost: float, discount: float
) -> dict[str, Any]:
    return {
        "id": gen,
        "object": "chat.completion",
        "created": 1754000000,
        "model": model,
        # no "provider": Infron may leave it out
        "choices": [
            {"index": 0, "finish_reason": "stop", "message": {"role": "assistant", "content": content}},
        ],
        "usage": usage,
        "cost": cost,
        "cost_details": {
            "upstream_inference_cost": round(cost / discount, 10),
            "discount_rate": discount,
        },
    }


CHAT_USAGE_COST = [
    exchange(
        {"model": "openai/gpt-4o-mini", "messages": PROMPT, "usage": {"include": True}},
        _answer(
            "Cat",
            model="gpt-4o-mini-2024-07-18",  # the upstream name, not the id asked for
            gen="chatcmpl-BzInfron0001",
            usage={"prompt_tokens": 8512, "completion_tokens": 2, "total_tokens": 8514},
            cost=0.00115,
            discount=0.9,
        ),
        url=CHAT,
    )
]

_STREAM_ID = "chatcmpl-BzInfron0002"
_CHUNK = {"id": _STREAM_ID, "object": "chat.completion.chunk", "created": 1754000001, "model": "gpt-4o-mini-2024-07-18"}
STREAM_USAGE = [
    exchange(
        {
            "model": "openai/gpt-4o-mini",
            "messages": PROMPT,
            "stream": True,
            "stream_options": {"include_usage": True},
            "usage": {"include": True},
        },
        sse(
            [
                {
                    **_CHUNK,
                    "choices": [{"index": 0, "delta": {"role": "assistant", "content": ""}, "finish_reason": None}],
                },
                {**_CHUNK, "choices": [{"index": 0, "delta": {"content": "A"}, "finish_reason": None}]},
                {**_CHUNK, "choices": [{"index": 0, "delta": {"content": " cat."}, "finish_reason": None}]},
                {**_CHUNK, "choices": [{"index": 0, "delta": {}, "finish_reason": "stop"}]},
                # The opted-in usage: its own chunk, no choices, cost at the root beside it.
                {
                    **_CHUNK,
                    "choices": [],
                    "usage": {"prompt_tokens": 8512, "completion_tokens": 3, "total_tokens": 8515},
                    "cost": 0.001152,
                    "cost_details": {"upstream_inference_cost": 0.00128, "discount_rate": 0.9},
                },
            ],
            comments=0,  # Infron documents no keep-alive comments
        ),
        url=CHAT,
    )
]

FALLBACK_MODELS = [
    exchange(
        {
            "model": "openai/gpt-4o-mini",
            "messages": [{"role": "user", "content": "Say hello."}],
            "fallback_models": ["anthropic/claude-3.5-haiku", "google/gemini-2.0-flash-001"],
            "usage": {"include": True},
        },
        _answer(
            "Hello!",
            model="claude-3-5-haiku-20241022",  # a fallback served, under its upstream name
            gen="chatcmpl-BzInfron0003",
            usage={"prompt_tokens": 10, "completion_tokens": 3, "total_tokens": 13},
            cost=0.0000216,
            discount=0.9,
        ),
        url=CHAT,
    )
]

ERROR_OPENAI_STYLE = [
    exchange(
        {"model": "openai/gpt-9-vision", "messages": [{"role": "user", "content": "Hi"}], "usage": {"include": True}},
        {
            "error": {
                "message": "The model `openai/gpt-9-vision` does not exist or you do not have access to it.",
                "type": "invalid_request_error",
                "param": "model",
                "code": "model_not_found",
            }
        },
        status=404,
        url=CHAT,
    )
]

# Prices: numbers, USD per million tokens, under "pricing" with OpenRouter's key names (presumed).
MODELS = [
    exchange(
        None,
        {
            "object": "list",
            "data": [
                {
                    "id": "openai/gpt-4o-mini",
                    "name": "GPT-4o mini",
                    "context_length": 128000,
                    "input_modalities": ["Text", "Image"],
                    "output_modalities": ["TEXT"],
                    "pricing": {"prompt": 0.15, "completion": 0.6},
                    "supported_parameters": ["tools", "tool_choice", "response_format", "structured_outputs"],
                },
                {
                    "id": "google/gemini-2.0-flash-001",
                    "name": "Gemini 2.0 Flash",
                    "context_length": 1048576,
                    "input_modalities": ["text", "image", "file", "audio", "video"],
                    "output_modalities": ["text"],
                    "pricing": {"prompt": 0.1, "completion": 0.4},
                    "supported_parameters": ["tools", "tool_choice", "response_format", "structured_outputs"],
                },
                {
                    "id": "deepseek/deepseek-chat",
                    "name": "DeepSeek V3",
                    "context_length": 163840,
                    "input_modalities": ["TEXT"],
                    "output_modalities": ["Text"],
                    "pricing": {"prompt": 0.27, "completion": 1.1},
                    # no supported_parameters: tool support unknown
                },
                {
                    "id": "anthropic/claude-3.5-haiku",
                    "name": "Claude 3.5 Haiku",
                    "context_length": 200000,
                    "input_modalities": ["Text", "Image"],
                    "output_modalities": ["Text"],
                    "pricing": {"prompt": 0.8, "completion": 4},
                    "supported_parameters": ["tools", "tool_choice"],
                },
            ],
        },
        method="GET",
        url=INFRON + "/models",
    )
]

# Embeddings: infronai.gitbook.io/docs/sdks-and-apis lists "POST /embeddings - Generate vector
# embeddings" under the base URL https://llm.onerouter.pro/v1, and infron.ai/docs/llm-apis/
# embeddings-api/overview says "send a POST request to /embeddings with your text input and
# chosen model". The rest of the shape is OpenAI's (the docs show no other); the data come
# back out of order here, as nothing in the docs promises order (the package sorts by index),
# and without cost (none documented for embeddings).
EMBEDDINGS = [
    exchange(
        {"model": "openai/text-embedding-3-small", "input": ["first text", "second text"], "dimensions": 4},
        {
            "object": "list",
            "model": "text-embedding-3-small",
            "data": [
                {"object": "embedding", "index": 1, "embedding": [0.0151, 0.0042, -0.0031, 0.0207]},
                {"object": "embedding", "index": 0, "embedding": [0.0023, -0.0093, 0.0114, -0.0015]},
            ],
            "usage": {"prompt_tokens": 6, "total_tokens": 6},
        },
        url=INFRON + "/embeddings",
    )
]

CASSETTES = {
    "infron_embeddings": EMBEDDINGS,
    "infron_chat_usage_cost": CHAT_USAGE_COST,
    "infron_stream_usage": STREAM_USAGE,
    "infron_fallback_models": FALLBACK_MODELS,
    "infron_error_openai_style": ERROR_OPENAI_STYLE,
    "infron_models": MODELS,
}
