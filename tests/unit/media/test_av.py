"""``video_block`` / ``audio_block`` and the audio and video parts: checked before any request."""

from __future__ import annotations

import base64
import json
import re
from pathlib import Path

import pytest
from langchain_core.messages import HumanMessage

from langchain_visionrouter import audio_block, video_block
from langchain_visionrouter._media.av import sniff_av_type
from langchain_visionrouter._media.checks import ImagePolicy, ImageTally
from langchain_visionrouter._request.messages import convert_messages
from langchain_visionrouter._wire.body import encode_body
from langchain_visionrouter.errors import ImageInputError, InvalidInputError
from tests.wire import av_file, png


@pytest.mark.parametrize(
    "mime",
    [
        "video/mp4",
        "video/quicktime",
        "video/webm",
        "video/mpeg",
        "video/x-matroska",
        "audio/wav",
        "audio/mpeg",
        "audio/flac",
        "audio/ogg",
        "audio/aac",
        "audio/mp4",
        "audio/aiff",
    ],
)
def test_the_type_is_read_from_the_bytes(mime: str) -> None:
    assert sniff_av_type(av_file(mime)[:64]) == mime


def test_mp3_frame_sync_without_a_tag_and_images_are_not_video() -> None:
    assert sniff_av_type(b"\xff\xfb\x90\x64" + bytes(60)) == "audio/mpeg"
    assert sniff_av_type(b"\x00\x00\x00\x18ftypheic" + bytes(50)) is None
    assert sniff_av_type(png(4, 4)[:64]) is None


def test_video_block_from_a_path_sends_the_routers_spelling_of_mov(tmp_path: Path) -> None:
    clip = tmp_path / "clip.bin"  # the name says nothing: the bytes do
    clip.write_bytes(av_file("video/quicktime"))
    block = video_block(clip)
    assert block == {
        "type": "video",
        "base64": base64.b64encode(clip.read_bytes()).decode(),
        "mime_type": "video/mov",
    }


def test_video_block_keeps_a_url_and_its_options() -> None:
    block = video_block("https://www.youtube.com/watch?v=dQw4w9WgXcQ", options={"processing": "low"})
    assert block == {
        "type": "video",
        "url": "https://www.youtube.com/watch?v=dQw4w9WgXcQ",
        "extras": {"processing": "low"},
    }


@pytest.mark.parametrize(
    ("source", "words"),
    [
        (av_file("audio/wav"), "WAV, not a video type the router takes"),
        (png(8, 8), "PNG, not a video type"),
        (b"just some text, not a video at all" * 4, "unrecognised data"),
        (av_file("video/x-matroska"), "Matroska (MKV), not a video type"),
        ("file:///etc/passwd", "file"),
        (b"", "empty"),
    ],
)
def test_video_block_refuses_what_the_router_cannot_take(source: object, words: str) -> None:
    with pytest.raises(ImageInputError, match=re.escape(words.split(",")[0])):
        video_block(source)


def test_video_block_refuses_a_file_over_the_ceiling_without_reading_it(tmp_path: Path) -> None:
    clip = tmp_path / "big.mp4"
    clip.write_bytes(av_file("video/mp4", size=5000))
    with pytest.raises(ImageInputError, match="over the 4096-byte limit"):
        video_block(clip, max_bytes=4096)
    with pytest.raises(ImageInputError, match="is a directory"):
        video_block(tmp_path)
    with pytest.raises(ImageInputError, match="must not set 'url'"):
        video_block(clip, options={"url": "https://elsewhere"})


def test_audio_block_reads_the_format_and_refuses_urls_and_video() -> None:
    data = av_file("audio/mpeg")
    assert audio_block(data) == {"type": "audio", "base64": base64.b64encode(data).decode(), "mime_type": "audio/mpeg"}
    with pytest.raises(ImageInputError, match="inline only"):
        audio_block("https://example.com/memo.mp3")
    with pytest.raises(ImageInputError, match="Use video_block"):
        audio_block(av_file("video/mp4"))
    with pytest.raises(ImageInputError, match="audio_format='pcm16'"):
        audio_block(b"\x01\x02" * 100)
    raw = audio_block(b"\x01\x02" * 100, audio_format="pcm24")
    assert raw["extras"] == {"format": "pcm24"}
    with pytest.raises(ImageInputError, match="over the 100-byte limit"):
        audio_block(data, max_bytes=100)


def _sent(*blocks: dict[str, object]) -> tuple[list[dict[str, object]], ImageTally]:
    tally = ImageTally()
    messages = convert_messages(
        [HumanMessage(content=[{"type": "text", "text": "hi"}, *blocks])], ImagePolicy(tally=tally)
    )

    body = json.loads(b"".join(p if isinstance(p, bytes) else p.encode() for p in _pieces(messages)))
    return body[0]["content"][1:], tally


def _pieces(messages: object) -> list[bytes]:
    encoded = encode_body({"m": messages})
    raw = (
        encoded
        if isinstance(encoded, bytes)
        else b"".join(bytes(p) if not isinstance(p, bytes) else p for p in encoded)
    )
    return [raw[5:-1]]  # {"m": [...]} -> [...]


def test_standard_blocks_become_the_wire_parts_and_are_counted() -> None:
    wav, mp4 = av_file("audio/wav"), av_file("video/mp4")
    parts, tally = _sent(
        audio_block(wav),
        {"type": "audio", "base64": base64.b64encode(wav).decode(), "mime_type": "audio/mpeg"},  # the bytes win
        audio_block(b"\x00\x01" * 64, audio_format="pcm24"),
        video_block(mp4, options={"processing": "fast"}),
        {"type": "video", "url": "https://example.com/clip.webm"},
    )
    wav64 = base64.b64encode(wav).decode()
    assert parts[0] == {"type": "input_audio", "input_audio": {"data": wav64, "format": "wav"}}
    assert parts[1]["input_audio"]["format"] == "wav"
    assert parts[2]["input_audio"]["format"] == "pcm24"
    assert parts[3] == {
        "type": "video_url",
        "video_url": {"url": "data:video/mp4;base64," + base64.b64encode(mp4).decode(), "processing": "fast"},
    }
    assert parts[4] == {"type": "video_url", "video_url": {"url": "https://example.com/clip.webm"}}
    assert (tally.images, tally.videos, tally.audios) == (0, 2, 3)
    assert tally.media() == {"video", "audio"}


def test_an_audio_block_by_url_is_refused_in_the_users_terms() -> None:
    with pytest.raises(InvalidInputError, match="inline only"):
        _sent({"type": "audio", "url": "https://example.com/a.mp3"})
