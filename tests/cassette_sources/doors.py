"""Cassettes for the router's other doors: the Image API, rerank (also in the RAG-over-images
example), and video and audio input to chat.

Written from the documented wire formats, not recorded (docs/images-rerank-video-audio.md cites them):

* ``POST /images`` and its stream: OpenRouter's "Image Generation" guide and the OpenAPI
  ``ImageGenerationRequest``/``ImageGenerationResponse``/``ImageStreamingResponse`` (``data[].b64_json``,
  ``media_type``, ``usage.cost``; stream events ``image_generation.partial_image`` and
  ``image_generation.completed``, then ``[DONE]``); no ``id`` in the body, the generation id in the
  ``X-Generation-Id`` header as on every OpenRouter answer.
* ``POST /rerank``: the OpenAPI "Rerank request input" / "Rerank response" (``results[].index``,
  ``relevance_score``, ``document`` echoed; ``usage.search_units``, ``total_tokens``, ``cost``).
* chat with ``video_url`` and ``input_audio`` parts: OpenRouter's "Video Inputs" and "Audio" guides;
  ``prompt_tokens_details.video_tokens``/``audio_tokens`` in usage (router-wire-format-2.md section 7).
"""

from __future__ import annotations

import base64
from typing import Any

from tests.cassette_sources import embeddings as rag
from tests.cassette_tools import OPENROUTER, exchange
from tests.wire import av_file, completion, png, usage

IMAGES_URL = OPENROUTER + "/images"
RERANK_URL = OPENROUTER + "/rerank"
CHAT_URL = OPENROUTER + "/chat/completions"

IMAGE_MODEL = "google/gemini-2.5-flash-image"
EDIT_MODEL = "openai/gpt-image-1"
RERANK_MODEL = "cohere/rerank-4-pro"
AV_MODEL = "google/gemini-2.5-flash"


def b64(data: bytes) -> str:
    return base64.b64encode(data).decode()


GENERATED = png(48, 32, seed=2)
EDITED = png(48, 32, seed=3)
PREVIEW = png(12, 8, seed=1)
PROMPT = "A red bicycle against a blue wall, flat illustration"
EDIT_PROMPT = "make this scene look like a watercolor painting"


def image_answer(data: bytes, cost: float, tokens: int) -> dict[str, Any]:
    return {
        "created": 1763712000,
        "data": [{"b64_json": b64(data), "media_type": "image/png"}],
        "usage": {"prompt_tokens": 0, "completion_tokens": tokens, "total_tokens": tokens, "cost": cost},
    }


def _stream_body() -> str:
    from tests.cassette_tools import sse

    completed = {
        "type": "image_generation.completed",
        "b64_json": b64(GENERATED),
        "media_type": "image/png",
        "created": 1763712005,
        "usage": {"prompt_tokens": 16, "completion_tokens": 272, "total_tokens": 288, "cost": 0.011},
    }
    partial = {"type": "image_generation.partial_image", "partial_image_index": 0, "b64_json": b64(PREVIEW)}
    return sse([partial, completed])


# -- the RAG example, reranked -----------------------------------------------------------------

RAG_QUESTION = rag.QUESTION


def rerank_request(documents: list[Any], top_n: int) -> dict[str, Any]:
    return {"model": RERANK_MODEL, "query": RAG_QUESTION, "documents": documents, "top_n": top_n}


def rerank_documents() -> list[Any]:
    """What the example sends: the three candidates the vector store found, in its order."""
    return [
        {"text": "picture bicycle.png", "image": rag.data_url("bicycle.png")},
        rag.RETRIEVED_NOTES[0],
        {"text": "picture boat.png", "image": rag.data_url("boat.png")},
    ]


RERANK_SCORES = {0: 0.93, 1: 0.71, 2: 0.08}


def rerank_answer(documents: list[Any], top_n: int) -> dict[str, Any]:
    order = sorted(RERANK_SCORES, key=lambda i: -RERANK_SCORES[i])[:top_n]
    results = [
        {
            "index": i,
            "relevance_score": RERANK_SCORES[i],
            "document": documents[i] if isinstance(documents[i], dict) else {"text": documents[i]},
        }
        for i in order
    ]
    return {
        "id": "gen-rerank-1763712010-Xq2",
        "model": RERANK_MODEL,
        "provider": "Cohere",
        "results": results,
        "usage": {"search_units": 1, "total_tokens": 1480, "cost": 0.0025},
    }


# -- chat with a video and an audio clip -------------------------------------------------------

VIDEO = av_file("video/mp4", 4096)
AUDIO = av_file("audio/mpeg", 2048)
AV_QUESTION = "What happens in the clip, and what does the voice memo say about it?"
AV_ANSWER = "A cyclist rides past a blue wall; the memo says the bike was bought in Lyon."


def av_request() -> dict[str, Any]:
    return {
        "model": AV_MODEL,
        "messages": [
            {
                "role": "user",
                "content": [
                    {"type": "text", "text": AV_QUESTION},
                    {"type": "video_url", "video_url": {"url": "data:video/mp4;base64," + b64(VIDEO)}},
                    {"type": "input_audio", "input_audio": {"data": b64(AUDIO), "format": "mp3"}},
                ],
            }
        ],
    }


def av_answer() -> dict[str, Any]:
    use = usage(2210, 24, prompt_price=3e-7, completion_price=2.5e-6)
    use["prompt_tokens_details"] = {"cached_tokens": 0, "audio_tokens": 160, "video_tokens": 1940}
    return completion(
        gen="gen-1763712020-Av9", model=AV_MODEL, provider="Google AI Studio", content=AV_ANSWER, finish="stop", use=use
    )


CASSETTES: dict[str, list[dict[str, Any]]] = {
    "images_generate_edit": [
        exchange(
            {"model": IMAGE_MODEL, "prompt": PROMPT, "aspect_ratio": "16:9"},
            image_answer(GENERATED, 0.039, 1290),
            url=IMAGES_URL,
            headers={"X-Generation-Id": "gen-img-1763712000-Gn1"},
        ),
        exchange(
            {
                "model": EDIT_MODEL,
                "prompt": EDIT_PROMPT,
                "quality": "low",
                "input_references": [
                    {"type": "image_url", "image_url": {"url": "data:image/png;base64," + b64(GENERATED)}}
                ],
            },
            image_answer(EDITED, 0.011, 272),
            url=IMAGES_URL,
            headers={"X-Generation-Id": "gen-img-1763712003-Ed2"},
        ),
    ],
    "images_stream": [
        exchange(
            {"model": EDIT_MODEL, "prompt": PROMPT, "stream": True},
            _stream_body(),
            url=IMAGES_URL,
            headers={"X-Generation-Id": "gen-img-1763712005-St3"},
        )
    ],
    # The RAG-over-images example with a reranker between the store and the chat model: the
    # same index, query and answer as rag_images, and the rerank in between.
    "rag_images_rerank": [
        *rag.CASSETTES["rag_images"][:3],
        exchange(rerank_request(rerank_documents(), 2), rerank_answer(rerank_documents(), 2), url=RERANK_URL),
        rag.CASSETTES["rag_images"][3],
    ],
    "chat_video_audio": [exchange(av_request(), av_answer(), url=CHAT_URL)],
}
