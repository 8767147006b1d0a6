"""An image prompt stored the way ``langchain_visionrouter.testing`` stores it.

The request's image is the ``sha256:`` digest of its bytes, not the bytes: replay (with
the project's ``vcr_config``) matches only a request carrying that same image.
"""

from __future__ import annotations

import base64
import hashlib

from langchain_visionrouter.testing import digest_body
from tests.cassette_tools import exchange

#: A 1x1 red PNG (69 bytes), the image the cassette's request carried.
RED_PIXEL_PNG = base64.b64decode(
    "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAIAAACQd1PeAAAADElEQVR4nGP4z8AAAAMBAQDJ/pLvAAAAAElFTkSuQmCC"
)
assert hashlib.sha256(RED_PIXEL_PNG).hexdigest() == "b1ff9c8ea3a780bad09b346c423d2d0e46815926879b18e841d928376a946640"

MODEL = "google/gemini-2.0-flash-001"
PROMPT = "What colour is this pixel? One word."


def _image_prompt() -> dict:
    request = {
        "model": MODEL,
        "messages": [
            {
                "role": "user",
                "content": [
                    {"type": "text", "text": PROMPT},
                    {
                        "type": "image_url",
                        "image_url": {"url": "data:image/png;base64," + base64.b64encode(RED_PIXEL_PNG).decode()},
                    },
                ],
            }
        ],
    }
    response = {
        "id": "gen-1770044300-RedPixelWritten00001",
        "object": "chat.completion",
        "created": 1770044300,
        "model": MODEL,
        "provider": "Google",
        "system_fingerprint": None,
        "choices": [
            {
                "index": 0,
                "finish_reason": "stop",
                "native_finish_reason": "STOP",
                "logprobs": None,
                "message": {"role": "assistant", "content": "Red.", "refusal": None, "reasoning": None},
            }
        ],
        "usage": {
            "prompt_tokens": 266,
            "completion_tokens": 2,
            "total_tokens": 268,
            "prompt_tokens_details": {"cached_tokens": 0},
            "cost": 0.0000274,
            "is_byok": False,
        },
    }
    interaction = exchange(request, response)
    interaction["request"]["body"] = digest_body(interaction["request"]["body"])
    return interaction


CASSETTES = {"openrouter_image_digest": [_image_prompt()]}
