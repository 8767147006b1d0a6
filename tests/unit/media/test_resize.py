"""Downscaling and re-encoding (langchain_visionrouter._media.resize), through image_block and directly."""

from __future__ import annotations

import base64
import io
import logging
import os

import pytest
from PIL import Image

from langchain_visionrouter import ImageInputError, image_block
from langchain_visionrouter._media.resize import fit_image


def encode(image: Image.Image, fmt: str, **params: object) -> bytes:
    out = io.BytesIO()
    image.save(out, format=fmt, **params)
    return out.getvalue()


def opened(block_or_bytes: dict | bytes) -> Image.Image:
    data = block_or_bytes if isinstance(block_or_bytes, bytes) else base64.b64decode(block_or_bytes["base64"])
    image = Image.open(io.BytesIO(data))
    image.load()
    return image


def noise(size: tuple[int, int], mode: str = "RGB") -> Image.Image:
    """Random pixels: incompressible, the worst case for a byte budget."""
    channels = len(mode)
    return Image.frombytes(mode, size, os.urandom(size[0] * size[1] * channels))


def halves(size: tuple[int, int], left: tuple, right: tuple, mode: str = "RGB") -> Image.Image:
    image = Image.new(mode, size, left)
    image.paste(Image.new(mode, (size[0] - size[0] // 2, size[1]), right), (size[0] // 2, 0))
    return image


def test_max_side_keeps_aspect_ratio() -> None:
    block = image_block(encode(halves((3000, 1500), (255, 0, 0), (0, 0, 255)), "PNG"), max_side=1000)
    with opened(block) as image:
        assert image.size == (1000, 500)
        assert image.format == "PNG"
        assert image.getpixel((10, 250)) == (255, 0, 0)
        assert image.getpixel((990, 250)) == (0, 0, 255)
    with opened(image_block(encode(Image.new("RGB", (1001, 333)), "PNG"), max_side=100)) as image:
        assert image.size == (100, 33)  # 333/1001*100 = 33.3


def test_within_limits_is_not_re_encoded() -> None:
    data = encode(noise((64, 32)), "JPEG", quality=75)
    assert fit_image(data, where="x", max_side=64, max_bytes=len(data)) == (data, "image/jpeg")
    assert fit_image(data, where="x", max_side=64)[0] is data
    assert base64.b64decode(image_block(data, max_side=4096)["base64"]) == data  # never upscaled


def test_jpeg_stays_jpeg() -> None:
    block = image_block(encode(noise((800, 600)), "JPEG", quality=95), max_side=200)
    assert block["mime_type"] == "image/jpeg"
    with opened(block) as image:
        assert image.size == (200, 150)


def test_transparency_kept_lossless_png() -> None:
    source = halves((400, 200), (255, 0, 0, 255), (0, 255, 0, 0), mode="RGBA")
    block = image_block(encode(source, "PNG"), max_side=100)
    assert block["mime_type"] == "image/png"
    with opened(block) as image:
        assert image.mode == "RGBA"
        assert image.size == (100, 50)
        assert image.getpixel((5, 25)) == (255, 0, 0, 255)
        assert image.getpixel((95, 25))[3] == 0


def test_transparent_webp_stays_lossless_webp() -> None:
    source = halves((300, 300), (10, 20, 30, 255), (0, 0, 0, 0), mode="RGBA")
    given = encode(source, "WEBP", quality=50)  # lossy (with an alpha channel)
    with opened(given) as decoded_source:
        colour = decoded_source.getpixel((20, 20))
    block = image_block(given, max_side=150)
    data = base64.b64decode(block["base64"])
    assert block["mime_type"] == "image/webp"
    assert data[12:16] == b"VP8L"  # the lossless WebP bitstream
    with opened(data) as image:
        assert image.size == (150, 150)
        assert image.getpixel((10, 10)) == colour  # no further loss
        assert image.getpixel((140, 10))[3] == 0


def test_exif_orientation_is_applied() -> None:
    # Stored 200x100, left red and right blue, with EXIF orientation 6: "rotate 90
    # clockwise to display". Upright it is 100x200 with red on top.
    stored = halves((200, 100), (255, 0, 0), (0, 0, 255))
    exif = Image.Exif()
    exif[0x0112] = 6
    block = image_block(encode(stored, "JPEG", quality=95, exif=exif), max_side=100)
    with opened(block) as image:
        assert image.size == (50, 100)
        red, blue = image.getpixel((25, 10)), image.getpixel((25, 90))
        assert red[0] > 200 and red[2] < 60, red
        assert blue[2] > 200 and blue[0] < 60, blue
        assert image.getexif().get(0x0112) in (None, 1)  # no second rotation by the viewer


def test_max_bytes_lossy_result_under_the_limit() -> None:
    data = encode(noise((900, 600)), "JPEG", quality=95)
    block = image_block(data, max_bytes=60_000)
    out = base64.b64decode(block["base64"])
    assert len(data) > 60_000 >= len(out)
    assert len(out) > 30_000  # the budget is used, not wasted on a needlessly small image
    assert block["mime_type"] == "image/jpeg"
    with opened(out) as image:
        width, height = image.size
        assert abs(width / height - 1.5) < 0.02


def test_max_bytes_opaque_png_becomes_jpeg() -> None:
    data = encode(noise((500, 500)), "PNG")
    block = image_block(data, max_bytes=100_000)
    assert block["mime_type"] == "image/jpeg"
    assert len(base64.b64decode(block["base64"])) <= 100_000


def test_max_bytes_transparent_image_shrinks_but_stays_lossless() -> None:
    data = encode(noise((400, 400), "RGBA"), "PNG")
    block = image_block(data, max_bytes=80_000)
    out = base64.b64decode(block["base64"])
    assert block["mime_type"] == "image/png"
    assert len(out) <= 80_000
    with opened(out) as image:
        assert image.mode == "RGBA"
        assert image.size[0] == image.size[1] < 400


def test_pil_image_with_limits() -> None:
    block = image_block(noise((1000, 500)), max_side=300, max_bytes=50_000)
    out = base64.b64decode(block["base64"])
    assert len(out) <= 50_000
    with opened(out) as image:
        assert max(image.size) <= 300
        assert abs(image.size[0] / image.size[1] - 2) < 0.05


def test_impossible_budget_is_refused() -> None:
    with pytest.raises(ImageInputError, match="cannot make the image fit in 40 bytes"):
        image_block(encode(noise((200, 200)), "PNG"), max_bytes=40)


def test_converting_transparent_image_to_jpeg_flattens_on_white() -> None:
    source = halves((20, 20), (0, 0, 0, 255), (0, 0, 0, 0), mode="RGBA")
    block = image_block(encode(source, "PNG"), mime_type="image/jpeg")
    with opened(block) as image:
        assert image.format == "JPEG"
        assert image.getpixel((18, 10))[0] > 240  # transparent -> white, not black
        assert image.getpixel((2, 10))[0] < 20


def test_cmyk_jpeg_comes_out_rgb() -> None:
    data = encode(Image.new("CMYK", (300, 300), (0, 255, 255, 0)), "JPEG")
    with opened(image_block(data, max_side=100)) as image:
        assert image.mode == "RGB"
        assert image.getpixel((50, 50))[0] > 200


def test_animated_gif_first_frame_with_a_warning(caplog: pytest.LogCaptureFixture) -> None:
    frames = [Image.new("RGB", (200, 100), colour) for colour in ((255, 0, 0), (0, 255, 0))]
    out = io.BytesIO()
    frames[0].save(out, format="GIF", save_all=True, append_images=frames[1:], duration=100)
    with caplog.at_level(logging.WARNING):
        block = image_block(out.getvalue(), max_side=50)
    assert "first frame" in caplog.text
    assert block["mime_type"] == "image/png"
    with opened(block) as image:
        assert image.size == (50, 25)
        assert image.convert("RGB").getpixel((5, 5))[0] > 200


def test_corrupt_image_is_refused_when_it_must_be_decoded() -> None:
    broken = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64
    with pytest.raises(ImageInputError, match=r"cannot be decoded|header is incomplete or damaged"):
        image_block(broken, max_side=10)
