"""Image prompts replayed through the project's cassette plugin configuration (tests/conftest.py)."""

from __future__ import annotations

import base64

import pytest
from langchain_core.messages import HumanMessage
from vcr.errors import CannotOverwriteExistingCassetteException

from langchain_visionrouter import ChatVisionRouter, image_block
from tests.cassette_sources.image_digests import MODEL, PROMPT, RED_PIXEL_PNG
from tests.cassette_tools import load, request_json, response_json

#: A 1x1 blue PNG: another image than the one in the cassette.
BLUE_PIXEL_PNG = base64.b64decode(
    "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAIAAACQd1PeAAAADElEQVR4nGNgYPgPAAEDAQAIicLsAAAAAElFTkSuQmCC"
)


def ask(image: bytes) -> object:
    with ChatVisionRouter(model=MODEL, max_retries=0) as llm:
        return llm.invoke([HumanMessage(content=[{"type": "text", "text": PROMPT}, image_block(image)])])


@pytest.mark.default_cassette("openrouter_image_digest")
@pytest.mark.vcr
def test_same_image_replays_and_maps_the_answer() -> None:
    (interaction,) = load("openrouter_image_digest")
    wire = response_json(interaction)
    message = ask(RED_PIXEL_PNG)
    assert message.content == wire["choices"][0]["message"]["content"]
    assert message.response_metadata["id"] == wire["id"]
    assert message.response_metadata["model_name"] == wire["model"]
    assert message.usage_metadata["input_tokens"] == wire["usage"]["prompt_tokens"]
    assert message.usage_metadata["output_tokens"] == wire["usage"]["completion_tokens"]
    # The cassette holds the image's digest, not its bytes.
    url = request_json(interaction)["messages"][0]["content"][1]["image_url"]["url"]
    assert url.startswith("data:image/png;base64,sha256:")


@pytest.mark.default_cassette("openrouter_image_digest")
@pytest.mark.vcr
def test_another_image_does_not_replay() -> None:
    with pytest.raises(CannotOverwriteExistingCassetteException, match="different inline payloads"):
        ask(BLUE_PIXEL_PNG)
