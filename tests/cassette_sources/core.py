"""Core adapter cassettes, written from the documented wire format (router-wire-format.md
sections 4-6), in the shapes seen in public recordings of live OpenRouter traffic."""

from __future__ import annotations

import base64
from typing import Any

from tests import wire
from tests.cassette_tools import exchange, sse
from tests.wire import solid_png as tiny_png

VISION_MODEL = "google/gemini-2.0-flash-001"
TEXT_MODEL = "openai/gpt-4o-mini"
REASONING_MODEL = "anthropic/claude-sonnet-4"
IMAGE_URL = "https://upload.wikimedia.org/wikipedia/commons/thumb/4/47/PNG_transparency_demonstration_1.png/280px-PNG_transparency_demonstration_1.png"
IMAGE_URL_2 = "https://upload.wikimedia.org/wikipedia/commons/7/70/Example.png"


RED_PNG_B64 = base64.b64encode(tiny_png((255, 0, 0))).decode()
GREEN_PNG_B64 = base64.b64encode(tiny_png((0, 255, 0))).decode()
TINY_PDF = (
    b"%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj 2 0 obj<</Type/Pages/Kids[3 0 R]/Count 1>>endobj "
    b"3 0 obj<</Type/Page/MediaBox[0 0 200 200]/Parent 2 0 R>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n"
)
TINY_PDF_B64 = base64.b64encode(TINY_PDF).decode()


def completion(
    gen_id: str,
    model: str,
    provider: str,
    content: str | None,
    usage: dict[str, Any],
    *,
    finish: str = "stop",
    native: str = "stop",
    system_fingerprint: str | None = None,
    **message_fields: Any,
) -> dict[str, Any]:
    body = wire.completion(
        gen=gen_id,
        model=model,
        provider=provider,
        content=content,
        finish=finish,
        native=native,
        use=usage,
        created=1763712000,
        fingerprint=system_fingerprint,
    )
    body["choices"][0]["message"].update(message_fields)
    return body


def usage(prompt: int, completion_tokens: int, cost: float, *, cached: int = 0, reasoning: int = 0) -> dict[str, Any]:
    return {
        "prompt_tokens": prompt,
        "completion_tokens": completion_tokens,
        "total_tokens": prompt + completion_tokens,
        "cost": cost,
        "is_byok": False,
        "prompt_tokens_details": {"cached_tokens": cached, "audio_tokens": 0},
        "cost_details": {
            "upstream_inference_cost": None,
            "upstream_inference_prompt_cost": round(cost * 0.4, 10),
            "upstream_inference_completions_cost": round(cost * 0.6, 10),
        },
        "completion_tokens_details": {"reasoning_tokens": reasoning, "image_tokens": 0},
    }


def chunk(
    gen_id: str, model: str, provider: str, delta: dict[str, Any], finish: str | None = None, **extra: Any
) -> dict[str, Any]:
    event = wire.Stream(gen=gen_id, model=model, provider=provider, created=1763712001).chunk(delta, finish=finish)
    event.update(extra)
    return event


def user(content: Any) -> dict[str, Any]:
    return {"role": "user", "content": content}


def text_stream(gen_id: str, model: str, provider: str, pieces: list[str], use: dict[str, Any]) -> str:
    events = [chunk(gen_id, model, provider, {})]
    events += [chunk(gen_id, model, provider, {"content": p}) for p in pieces]
    events.append(chunk(gen_id, model, provider, {}, "stop"))
    # Usage-only closing chunk in the `choices: []` shape.
    events.append(
        {
            "id": gen_id,
            "provider": provider,
            "model": model,
            "object": "chat.completion.chunk",
            "created": 1763712001,
            "choices": [],
            "usage": use,
        }
    )
    return sse(events, comments=3)


STREAM = {"stream": True, "stream_options": {"include_usage": True}}

_ERROR_MODEL_BODY = {"model": TEXT_MODEL, "messages": [user("Hello")]}


def _error(status: int, error: dict[str, Any], headers: dict[str, str] | None = None) -> list[dict[str, Any]]:
    body = {"error": {"code": status, **error}, "user_id": "user_2yTq8fWbKzA1"}
    return [exchange(_ERROR_MODEL_BODY, body, status=status, headers=headers)]


CASSETTES: dict[str, list[dict[str, Any]]] = {
    "core_text_invoke": [
        exchange(
            {
                "model": TEXT_MODEL,
                "messages": [
                    {"role": "system", "content": "Answer in one sentence."},
                    user("What is the capital of France?"),
                ],
                "temperature": 0.0,
            },
            completion(
                "gen-1763712000-k3VfQ2lP9sXw7Rb1TzYc",
                TEXT_MODEL,
                "OpenAI",
                "The capital of France is Paris.",
                usage(24, 8, 0.0000084),
                system_fingerprint="fp_560af6e559",
            ),
            headers={"X-Generation-Id": "gen-1763712000-k3VfQ2lP9sXw7Rb1TzYc"},
        )
    ],
    "core_image_url": [
        exchange(
            {
                "model": VISION_MODEL,
                "messages": [
                    user(
                        [
                            {"type": "text", "text": "What is in this image?"},
                            {"type": "image_url", "image_url": {"url": IMAGE_URL, "detail": "low"}},
                        ]
                    )
                ],
            },
            completion(
                "gen-1763712010-Qm4nHw8ZsP2aLdXe5Ruy",
                VISION_MODEL,
                "Google",
                "Two dice, one red and one white, on a checkered transparent background.",
                usage(1301, 17, 0.0001369),
            ),
        )
    ],
    "core_image_base64": [
        exchange(
            {
                "model": VISION_MODEL,
                "messages": [
                    user(
                        [
                            {"type": "text", "text": "What colour is this image?"},
                            {"type": "image_url", "image_url": {"url": f"data:image/png;base64,{RED_PNG_B64}"}},
                        ]
                    )
                ],
            },
            completion(
                "gen-1763712020-Bv7cKx1YtN5mWq3Pj9Ls", VISION_MODEL, "Google Vertex", "Red.", usage(265, 2, 0.0000273)
            ),
        )
    ],
    "core_image_standard_block": [
        exchange(
            {
                "model": VISION_MODEL,
                "messages": [
                    user(
                        [
                            {"type": "text", "text": "Describe the image in one word."},
                            {"type": "image_url", "image_url": {"url": f"data:image/png;base64,{GREEN_PNG_B64}"}},
                        ]
                    )
                ],
            },
            completion("gen-1763712030-Hs2dLf6GqR8nZt4Wv1Ke", VISION_MODEL, "Google", "Green", usage(266, 1, 0.000027)),
        )
    ],
    "core_multiple_images": [
        exchange(
            {
                "model": VISION_MODEL,
                "messages": [
                    user(
                        [
                            {"type": "text", "text": "Compare these three images."},
                            {"type": "image_url", "image_url": {"url": IMAGE_URL}},
                            {"type": "image_url", "image_url": {"url": f"data:image/png;base64,{RED_PNG_B64}"}},
                            {"type": "image_url", "image_url": {"url": IMAGE_URL_2}},
                        ]
                    )
                ],
            },
            completion(
                "gen-1763712040-Tn9pXc3VbM7kJs2Qy6Ad",
                VISION_MODEL,
                "Google",
                "The first shows two dice, the second is a plain red square, the third is a small example graphic.",
                usage(1848, 24, 0.0001944),
            ),
        )
    ],
    "core_pdf_file": [
        exchange(
            {
                "model": VISION_MODEL,
                "messages": [
                    user(
                        [
                            {"type": "text", "text": "Summarise this document."},
                            {
                                "type": "file",
                                "file": {
                                    "filename": "blank.pdf",
                                    "file_data": f"data:application/pdf;base64,{TINY_PDF_B64}",
                                },
                            },
                        ]
                    )
                ],
            },
            completion(
                "gen-1763712050-Wd5rGh8LpK2sFx9Nc4Mz",
                VISION_MODEL,
                "Google",
                "The document is a single blank page with no text.",
                usage(283, 12, 0.0000331),
                annotations=[
                    {
                        "type": "file",
                        "file": {"hash": "9f2c4e7a1b", "name": "blank.pdf", "content": [{"type": "text", "text": ""}]},
                    }
                ],
            ),
        )
    ],
    "core_stream_usage": [
        exchange(
            {"model": TEXT_MODEL, "messages": [user("Two names for a pet pelican, be brief")], **STREAM},
            text_stream(
                "gen-1763712060-Lp3vYb8HcQ1xZr6Tk2Wn",
                TEXT_MODEL,
                "OpenAI",
                ["Peb", "bles", " and", " Sk", "ipper", "."],
                usage(17, 6, 0.0000062),
            ),
        )
    ],
    "core_stream_reasoning": [
        exchange(
            {
                "model": REASONING_MODEL,
                "messages": [user("Is 91 prime? Answer yes or no.")],
                **STREAM,
                "reasoning": {"max_tokens": 1024},
            },
            sse(
                [
                    chunk("gen-1763712070-Rz8kNm2WqT5vBx1Jc7Hs", REASONING_MODEL, "Anthropic", {}),
                    chunk(
                        "gen-1763712070-Rz8kNm2WqT5vBx1Jc7Hs",
                        REASONING_MODEL,
                        "Anthropic",
                        {
                            "reasoning": "91 = 7 x 13",
                            "reasoning_details": [
                                {
                                    "type": "reasoning.text",
                                    "text": "91 = 7 x 13",
                                    "format": "anthropic-claude-v1",
                                    "index": 0,
                                }
                            ],
                        },
                    ),
                    chunk(
                        "gen-1763712070-Rz8kNm2WqT5vBx1Jc7Hs",
                        REASONING_MODEL,
                        "Anthropic",
                        {
                            "reasoning": ", so it is composite.",
                            "reasoning_details": [
                                {
                                    "type": "reasoning.text",
                                    "text": ", so it is composite.",
                                    "format": "anthropic-claude-v1",
                                    "index": 0,
                                }
                            ],
                        },
                    ),
                    chunk(
                        "gen-1763712070-Rz8kNm2WqT5vBx1Jc7Hs",
                        REASONING_MODEL,
                        "Anthropic",
                        {
                            "reasoning_details": [
                                {
                                    "type": "reasoning.text",
                                    "signature": "EqQBCkgIBhABGAIiQLm0sQ5x",
                                    "format": "anthropic-claude-v1",
                                    "index": 0,
                                }
                            ]
                        },
                    ),
                    chunk("gen-1763712070-Rz8kNm2WqT5vBx1Jc7Hs", REASONING_MODEL, "Anthropic", {"content": "No"}),
                    chunk("gen-1763712070-Rz8kNm2WqT5vBx1Jc7Hs", REASONING_MODEL, "Anthropic", {"content": "."}),
                    # Usage rides on the chunk that repeats finish_reason "stop" (third recorded shape).
                    chunk("gen-1763712070-Rz8kNm2WqT5vBx1Jc7Hs", REASONING_MODEL, "Anthropic", {}, "stop"),
                    chunk(
                        "gen-1763712070-Rz8kNm2WqT5vBx1Jc7Hs",
                        REASONING_MODEL,
                        "Anthropic",
                        {},
                        "stop",
                        usage=usage(44, 31, 0.000597, reasoning=27),
                    ),
                ],
                comments=5,
            ),
        )
    ],
    "core_stream_error_recorded_form": [
        exchange(
            {"model": TEXT_MODEL, "messages": [user("Write a long story.")], **STREAM, "max_tokens": 4},
            sse(
                [
                    chunk("gen-1763712080-Ek4sWx7NbJ2pQr9Lm3Vd", TEXT_MODEL, "OpenAI", {"content": "Once"}),
                    chunk("gen-1763712080-Ek4sWx7NbJ2pQr9Lm3Vd", TEXT_MODEL, "OpenAI", {"content": " upon a"}),
                    chunk("gen-1763712080-Ek4sWx7NbJ2pQr9Lm3Vd", TEXT_MODEL, "OpenAI", {}, "length"),
                    {
                        "id": "gen-1763712080-Ek4sWx7NbJ2pQr9Lm3Vd",
                        "provider": "OpenAI",
                        "model": TEXT_MODEL,
                        "object": "chat.completion.chunk",
                        "created": 1763712081,
                        "error": {"code": 400, "message": "Token limit reached"},
                        "choices": [{"index": 0, "delta": {"role": "assistant", "content": ""}, "finish_reason": None}],
                        "usage": usage(12, 4, 0.0000042),
                    },
                ],
                comments=1,
            ),
        )
    ],
    "core_stream_error_documented_form": [
        exchange(
            {"model": TEXT_MODEL, "messages": [user("Count to ten.")], **STREAM},
            sse(
                [
                    chunk("gen-1763712090-Yc6tHv1MrP8kDs3Wq5Nb", TEXT_MODEL, "OpenAI", {"content": "1, 2, 3"}),
                    {
                        "id": "gen-1763712090-Yc6tHv1MrP8kDs3Wq5Nb",
                        "object": "chat.completion.chunk",
                        "created": 1763712091,
                        "provider": "OpenAI",
                        "model": TEXT_MODEL,
                        "error": {
                            "code": "server_error",
                            "message": "Provider disconnected unexpectedly",
                            "metadata": {"error_type": "provider_unavailable", "provider_code": "ECONNRESET"},
                        },
                        "choices": [{"index": 0, "delta": {"content": ""}, "finish_reason": "error"}],
                    },
                ],
                comments=0,
            ),
        )
    ],
    "core_error_in_200": [
        exchange(
            _ERROR_MODEL_BODY,
            {
                "error": {
                    "code": 502,
                    "message": "Provider returned error",
                    "metadata": {"raw": "upstream connect error", "provider_name": "Azure"},
                },
                "user_id": "user_2yTq8fWbKzA1",
            },
        ),
    ],
    "core_error_400": _error(
        400, {"message": "temperature: must be between 0 and 2", "metadata": {"provider_name": None}}
    ),
    "core_error_401": _error(401, {"message": "No cookie auth credentials found"}),
    "core_error_402": _error(
        402, {"message": "Insufficient credits. Add more using https://openrouter.ai/settings/credits"}
    ),
    "core_error_403": _error(
        403,
        {
            "message": "openai/gpt-4o-mini requires moderation on OpenAI. Your input was flagged.",
            "metadata": {
                "reasons": ["harassment"],
                "flagged_input": "Hello",
                "provider_name": "OpenAI",
                "model_slug": TEXT_MODEL,
            },
        },
    ),
    "core_error_404": _error(404, {"message": "No endpoints found for openai/gpt-4o-mini."}),
    "core_error_408": _error(408, {"message": "Request timed out"}),
    "core_error_413": _error(413, {"message": "Request entity too large"}),
    "core_error_422": _error(422, {"message": "Invalid request: messages must not be empty"}),
    "core_error_429": _error(
        429,
        {
            "message": "Provider returned error",
            "metadata": {
                "raw": "openai/gpt-4o-mini is temporarily rate-limited upstream. Please retry shortly, "
                "or add your own key to accumulate your rate limits: https://openrouter.ai/settings/integrations",
                "provider_name": "OpenAI",
            },
        },
        headers={"Retry-After": "7"},
    ),
    "core_error_500": _error(500, {"message": "Internal Server Error"}),
    "core_error_502": _error(
        502,
        {
            "message": "Provider returned error",
            "metadata": {"raw": '{"error":{"message":"The server had an error"}}', "provider_name": "OpenAI"},
        },
    ),
    "core_error_503": _error(
        503,
        {
            "message": "No instances available",
            "metadata": {"error_type": "provider_unavailable", "provider_code": "503"},
        },
    ),
    "core_error_524": _error(524, {"message": "Provider took too long to respond"}),
    "core_error_529": _error(
        529, {"message": "Provider returned error", "metadata": {"raw": "Overloaded", "provider_name": "Anthropic"}}
    ),
    "core_retry_429_then_200": [
        *_error(
            429,
            {"message": "Rate limit exceeded: free-models-per-min."},
            headers={"X-RateLimit-Limit": "20", "X-RateLimit-Remaining": "0", "X-RateLimit-Reset": "1000"},
        ),
        exchange(
            _ERROR_MODEL_BODY,
            completion(
                "gen-1763712100-Fa2kPq7XsL4vNc8Jd1Rm",
                TEXT_MODEL,
                "OpenAI",
                "Hello! How can I help you today?",
                usage(8, 9, 0.0000066),
            ),
        ),
    ],
}
