"""vision_check for video and audio: a part sent to a model whose catalog entry lacks that input
modality is stopped before paying ("error"), or warned about ("warn"), against the loopback router."""

from __future__ import annotations

import warnings
from typing import Any

import pytest
from langchain_core.messages import HumanMessage

from langchain_visionrouter import InvalidInputError, audio_block, video_block
from tests.catalog_data import VISION_ANSWER, openrouter_entry, paths
from tests.wire import av_file

pytestmark = pytest.mark.usefixtures("fresh_catalog")

MODELS = {
    "data": [
        openrouter_entry("acme/vision", ["text", "image"], []),
        openrouter_entry("google/gemini-2.5-flash", ["text", "image", "file", "audio", "video"], []),
        openrouter_entry("acme/listener", ["text", "audio"], []),
        openrouter_entry("acme/unknown-modalities", [], []),
    ]
}


def video_message() -> HumanMessage:
    return HumanMessage(content=[{"type": "text", "text": "What happens?"}, video_block(av_file("video/mp4"))])


def audio_message() -> HumanMessage:
    return HumanMessage(content=[{"type": "text", "text": "Transcribe."}, audio_block(av_file("audio/wav"))])


def test_a_video_to_a_model_without_video_input_is_stopped_before_paying(
    fake_router: Any, make_vision_model: Any
) -> None:
    fake_router.reply(json=MODELS)
    llm = make_vision_model("acme/listener", vision_check="error")
    with pytest.raises(InvalidInputError) as info:
        llm.invoke([video_message()])
    message = str(info.value)
    assert "['acme/listener'] cannot take video input" in message
    assert "google/gemini-2.5-flash" in message  # a model that does
    assert paths(fake_router) == ["GET /models"]  # the chat request was never sent


def test_audio_to_a_model_without_audio_input_is_stopped_too(fake_router: Any, make_vision_model: Any) -> None:
    fake_router.reply(json=MODELS)
    with pytest.raises(InvalidInputError, match=r"\['acme/vision'\] cannot take audio input"):
        make_vision_model("acme/vision", vision_check="error").invoke([audio_message()])
    assert paths(fake_router) == ["GET /models"]


def test_a_model_that_takes_video_and_audio_gets_the_request(fake_router: Any, make_vision_model: Any) -> None:
    fake_router.reply(json=MODELS)
    fake_router.reply(json=VISION_ANSWER)
    llm = make_vision_model("google/gemini-2.5-flash", vision_check="error")
    llm.invoke([video_message(), audio_message()])
    assert paths(fake_router) == ["GET /models", "POST /chat/completions"]
    sent = fake_router.requests[1].json["messages"]
    assert sent[0]["content"][1]["type"] == "video_url"
    assert sent[1]["content"][1]["input_audio"]["format"] == "wav"


def test_warn_sends_after_warning(fake_router: Any, make_vision_model: Any) -> None:
    fake_router.reply(json=MODELS)
    fake_router.reply(json=VISION_ANSWER)
    with pytest.warns(UserWarning, match="cannot take video input"):
        make_vision_model("acme/vision", vision_check="warn").invoke([video_message()])
    assert paths(fake_router) == ["GET /models", "POST /chat/completions"]


def test_a_model_listed_without_modalities_is_sent_unchecked_with_one_warning(
    fake_router: Any, make_vision_model: Any
) -> None:
    fake_router.reply(json=MODELS)
    fake_router.reply(json=VISION_ANSWER)
    fake_router.reply(json=VISION_ANSWER)
    llm = make_vision_model("acme/unknown-modalities", vision_check="error")
    with pytest.warns(UserWarning, match="take video input"):
        llm.invoke([video_message()])
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # once per model
        llm.invoke([video_message()])
    assert paths(fake_router) == ["GET /models", "POST /chat/completions", "POST /chat/completions"]


def test_vision_check_off_reads_no_catalog_for_video(fake_router: Any, make_vision_model: Any) -> None:
    fake_router.reply(json=VISION_ANSWER)
    make_vision_model("acme/listener").invoke([video_message()])
    assert paths(fake_router) == ["POST /chat/completions"]
