"""Issue 26, item 9: 16-bit images keep their greys in every path that converts them.

A black-to-white ramp, 16 bits a sample (grey, and RGB), written as a PNG by hand (Pillow
cannot write 16-bit RGB). After a resize (``max_side``), a format change (``mime_type``)
and a fit to the model's family (``image_fit="model"``), the ramp must read about 10%,
50% and 90% grey at 10%, 50% and 90% of its width: Pillow's own 16-to-8-bit conversion
clips, which made all three 255.
"""

from __future__ import annotations

import base64
import io
import struct
import zlib
from typing import Any

import pytest

from langchain_visionrouter import image_block
from tests import wire

Image = pytest.importorskip("PIL.Image")

WIDTH, HEIGHT = 2400, 4  # wide enough for every family's fit rule to downscale it


def _chunk(kind: bytes, data: bytes) -> bytes:
    return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))


def ramp_png(channels: int) -> bytes:
    """A horizontal 0..65535 ramp, 16 bits a sample; ``channels``: 1 (grey) or 3 (RGB)."""
    colour_type = {1: 0, 3: 2}[channels]
    row = b"".join(struct.pack(">H", x * 65535 // (WIDTH - 1)) * channels for x in range(WIDTH))
    raw = b"".join(b"\x00" + row for _ in range(HEIGHT))
    header = struct.pack(">IIBBBBB", WIDTH, HEIGHT, 16, colour_type, 0, 0, 0)
    return b"\x89PNG\r\n\x1a\n" + _chunk(b"IHDR", header) + _chunk(b"IDAT", zlib.compress(raw)) + _chunk(b"IEND", b"")


def greys(data: bytes) -> list[int]:
    """The ramp's value at 10%, 50% and 90% of its width (first channel), 0-255."""
    with Image.open(io.BytesIO(data)) as image:
        grey = image.convert("L")
        return [grey.getpixel((int(grey.width * f), grey.height // 2)) for f in (0.1, 0.5, 0.9)]


def assert_ramp(data: bytes) -> None:
    got = greys(data)
    for value, expected in zip(got, (26, 128, 230), strict=True):
        assert abs(value - expected) <= 6, got


def _payload(block: dict[str, Any]) -> bytes:
    return base64.b64decode(block["base64"])


@pytest.mark.parametrize("channels", [1, 3], ids=["grey16", "rgb16"])
def test_a_resized_16_bit_ramp_keeps_its_greys(channels: int) -> None:
    block = image_block(ramp_png(channels), max_side=1000)
    with Image.open(io.BytesIO(_payload(block))) as image:
        assert image.width == 1000
    assert_ramp(_payload(block))


@pytest.mark.parametrize("channels", [1, 3], ids=["grey16", "rgb16"])
@pytest.mark.parametrize("mime", ["image/jpeg", "image/webp"])
def test_a_16_bit_ramp_converted_to_another_format_keeps_its_greys(channels: int, mime: str) -> None:
    block = image_block(ramp_png(channels), mime_type=mime)
    assert block["mime_type"] == mime
    assert_ramp(_payload(block))


@pytest.mark.parametrize("channels", [1, 3], ids=["grey16", "rgb16"])
def test_a_16_bit_ramp_fitted_to_the_model_keeps_its_greys(make_model: Any, fake_router: Any, channels: int) -> None:
    fake_router.reply(json=wire.completion(gen="gen-16", model="m", provider="P", content="ok"))
    block = {"type": "image", "base64": base64.b64encode(ramp_png(channels)).decode(), "mime_type": "image/png"}
    make_model(model="openai/gpt-4o", image_fit="model").invoke([("user", [{"type": "text", "text": "?"}, block])])
    url = fake_router.requests[-1].json["messages"][0]["content"][1]["image_url"]["url"]
    sent = base64.b64decode(url.split(",", 1)[1])
    with Image.open(io.BytesIO(sent)) as image:
        assert image.width < WIDTH  # it was fitted, so converted
    assert_ramp(sent)


@pytest.mark.parametrize(
    ("mode", "values"),
    [("I", (0, 65535)), ("F", (0.0, 1.0)), ("I;16", (0, 65535))],
)
def test_a_deep_pil_image_is_rescaled_not_clipped(mode: str, values: tuple[float, float]) -> None:
    image = Image.new(mode, (WIDTH, HEIGHT))
    low, high = values
    for x in range(WIDTH):
        for y in range(HEIGHT):
            image.putpixel((x, y), type(high)(low + (high - low) * x / (WIDTH - 1)))
    assert_ramp(_payload(image_block(image, max_side=800)))
