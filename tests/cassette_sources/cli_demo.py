"""The example the ``visionrouter`` command replays when no API key is set. It ships inside the
package (langchain_visionrouter/_cli/demo/), and is written from the documented wire format."""

from __future__ import annotations

from typing import Any

from tests.cassette_sources.core import IMAGE_URL, VISION_MODEL, chunk, completion, usage
from tests.cassette_tools import exchange, sse

GEN = "gen-1763712200-Dm3oVq8RtK1yPw6Ls4Hc"
ANSWER = [
    "The image",
    " shows two",
    " translucent dice",
    ", one red and one white,",
    " on a checkered",
    " background that marks",
    " transparency.",
]
REQUEST = {
    "model": VISION_MODEL,
    "messages": [
        {
            "role": "user",
            "content": [
                {"type": "text", "text": "What is in this image?"},
                {"type": "image_url", "image_url": {"url": IMAGE_URL}},
            ],
        }
    ],
}
USAGE = usage(1298, 21, 0.0001382)

PACKAGE_CASSETTES: dict[str, list[dict[str, Any]]] = {
    "langchain_visionrouter/_cli/demo/cli_demo.yaml": [
        exchange(
            {**REQUEST, "stream": True, "stream_options": {"include_usage": True}},
            sse(
                [chunk(GEN, VISION_MODEL, "Google", {})]
                + [chunk(GEN, VISION_MODEL, "Google", {"content": piece}) for piece in ANSWER]
                + [
                    chunk(GEN, VISION_MODEL, "Google", {}, "stop"),
                    chunk(GEN, VISION_MODEL, "Google", {}, None, usage=USAGE),
                ],
                comments=2,
            ),
        ),
        exchange(REQUEST, completion(GEN, VISION_MODEL, "Google", "".join(ANSWER), USAGE)),
    ]
}
