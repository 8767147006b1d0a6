"""Cassettes for ``VisionRouterEmbeddings``: LangChain's standard embeddings suite and the RAG-over-images example.

Written from the documented wire format (router-wire-format-2.md section 9), not recorded:
``POST /embeddings`` with ``model``/``input`` and the optional fields, answers ``{"object":
"list", "model", "data": [{"object": "embedding", "index", "embedding"}], "usage": {...,
"cost"}}`` plus the ``id`` and ``provider`` the router adds to its answers. The standard
suite asks for 256 dimensions as base64 (little-endian float32), the RAG example for floats.

The RAG example's images are small PNGs generated here (``tests/wire.py`` ``png``) and
written to a folder by the test; their vectors are made to sit near the concept each
file is named for, so that retrieval is checkable; the chat answer describes the
retrieved picture and note.
"""

from __future__ import annotations

import base64
import hashlib
import math
import struct
from typing import Any

from tests.cassette_tools import OPENROUTER, exchange
from tests.wire import completion, embeddings, png, usage

EMBEDDINGS_URL = OPENROUTER + "/embeddings"
CHAT_URL = OPENROUTER + "/chat/completions"

# -- LangChain's standard integration suite ----------------------------------------------------

MODEL = "openai/text-embedding-3-small"
DIMENSIONS = 256
STANDARD = "TestVisionRouterEmbeddingsStandard"
STANDARD_PARAMS = {"model": MODEL, "dimensions": DIMENSIONS, "encoding_format": "base64"}


def unit_vector(text: str, dims: int = DIMENSIONS) -> list[float]:
    """A unit vector derived from the text (the same on every run), exact in float32."""
    seed = hashlib.sha256(text.encode()).digest()
    raw = [((seed[i % 32] * (i + 7)) % 251) / 125.0 - 1.0 for i in range(dims)]
    norm = math.sqrt(sum(v * v for v in raw))
    return [struct.unpack("<f", struct.pack("<f", v / norm))[0] for v in raw]


def standard(texts: list[str], gen: str) -> dict[str, Any]:
    request = {"model": MODEL, "input": texts, "dimensions": DIMENSIONS, "encoding_format": "base64"}
    answer = embeddings(
        [unit_vector(t) for t in texts], gen=gen, encoding="base64", prompt_tokens=len(texts), model=MODEL
    )
    return exchange(request, answer, url=EMBEDDINGS_URL)


CASSETTES: dict[str, list[dict[str, Any]]] = {
    f"{STANDARD}.test_embed_query": [
        standard(["foo"], "gen-emb-1763712000-q1"),
        standard(["bar"], "gen-emb-1763712000-q2"),
    ],
    f"{STANDARD}.test_aembed_query": [
        standard(["foo"], "gen-emb-1763712001-q1"),
        standard(["bar"], "gen-emb-1763712001-q2"),
    ],
    f"{STANDARD}.test_embed_documents": [standard(["foo", "bar", "baz"], "gen-emb-1763712002-d1")],
    f"{STANDARD}.test_aembed_documents": [standard(["foo", "bar", "baz"], "gen-emb-1763712003-d1")],
}

# -- The RAG-over-images example -----------------------------------------------------------------

VL_MODEL = "nvidia/llama-nemotron-embed-vl-1b-v2"
CHAT_MODEL = "google/gemini-2.0-flash-001"
#: name -> (seed of the generated PNG, vector: bicycle, boat, tree, other)
IMAGES = {
    "bicycle.png": (1, [0.9, 0.1, 0.0, 0.1]),
    "boat.png": (2, [0.1, 0.9, 0.0, 0.1]),
    "oak.png": (3, [0.0, 0.1, 0.9, 0.1]),
}
NOTES = {
    "The red bicycle was bought second-hand in Lyon in 2019.": [0.7, 0.0, 0.0, 0.3],
    "The boat is moored at the north end of the lake.": [0.0, 0.8, 0.1, 0.2],
    "Oak trees lose their leaves in late autumn.": [0.0, 0.0, 0.8, 0.2],
}
QUESTION = "Where was the red bicycle bought, and what colours does its picture show?"
QUESTION_VECTOR = [1.0, 0.0, 0.0, 0.05]
ANSWER = (
    "It was bought second-hand in Lyon in 2019. The picture shows vertical bands of colour: "
    "green, blue, purple and teal."
)


def image_bytes(name: str) -> bytes:
    return png(48, 32, seed=IMAGES[name][0])


def data_url(name: str) -> str:
    return "data:image/png;base64," + base64.b64encode(image_bytes(name)).decode()


def rag_prompt(notes: list[str]) -> str:
    """The question with the retrieved notes, as the example builds it."""
    return "Answer from these notes and pictures.\n\nNotes:\n" + "\n".join(f"- {n}" for n in notes) + f"\n\n{QUESTION}"


RETRIEVED_NOTES = ["The red bicycle was bought second-hand in Lyon in 2019."]
RETRIEVED_IMAGES = ["bicycle.png"]


def _rag() -> list[dict[str, Any]]:
    notes = list(NOTES)
    images = sorted(IMAGES)
    return [
        exchange(
            {"model": VL_MODEL, "input": notes},
            embeddings(list(NOTES.values()), model=VL_MODEL, gen="gen-emb-1763712100-n", prompt_tokens=36),
            url=EMBEDDINGS_URL,
        ),
        exchange(
            {
                "model": VL_MODEL,
                "input": [{"content": [{"type": "image_url", "image_url": {"url": data_url(n)}}]} for n in images],
            },
            # The router answers in its own order: the example must put the vectors back by index.
            embeddings(
                [IMAGES[n][1] for n in images],
                model=VL_MODEL,
                gen="gen-emb-1763712100-i",
                prompt_tokens=3 * 258,
                order=[2, 0, 1],
            ),
            url=EMBEDDINGS_URL,
        ),
        exchange(
            {"model": VL_MODEL, "input": [QUESTION]},
            embeddings([QUESTION_VECTOR], model=VL_MODEL, gen="gen-emb-1763712100-q", prompt_tokens=16),
            url=EMBEDDINGS_URL,
        ),
        exchange(
            {
                "model": CHAT_MODEL,
                "messages": [
                    {
                        "role": "user",
                        "content": [
                            {"type": "text", "text": rag_prompt(RETRIEVED_NOTES)},
                            *({"type": "image_url", "image_url": {"url": data_url(n)}} for n in RETRIEVED_IMAGES),
                        ],
                    }
                ],
            },
            completion(
                gen="gen-1763712101-RagAnswer01",
                model=CHAT_MODEL,
                provider="Google",
                content=ANSWER,
                native="STOP",
                use=usage(330, 31, prompt_price=0.1e-6, completion_price=0.4e-6),
            ),
            url=CHAT_URL,
        ),
    ]


CASSETTES["rag_images"] = _rag()
