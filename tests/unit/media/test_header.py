"""_image_header: sizes read from headers agree with Pillow's, for every type and many sizes."""

from __future__ import annotations

import io

import pytest
from PIL import Image

from langchain_visionrouter._media.header import image_dimensions


def encoded(size: tuple[int, int], fmt: str, **kwargs: object) -> bytes:
    buffer = io.BytesIO()
    mode = "RGBA" if fmt == "WEBP" and kwargs.get("lossless") else "RGB"
    Image.new(mode, size, (10, 200, 30)).save(buffer, fmt, **kwargs)  # type: ignore[arg-type]
    return buffer.getvalue()


FORMATS = [
    ("PNG", {}),
    ("GIF", {}),
    ("JPEG", {}),
    ("JPEG", {"progressive": True}),
    ("WEBP", {}),
    ("WEBP", {"lossless": True}),
]


@pytest.mark.parametrize(("fmt", "options"), FORMATS, ids=lambda v: str(v))
@pytest.mark.parametrize("size", [(1, 1), (17, 3), (640, 480), (3000, 20), (4097, 2049)])
def test_size_matches_pillow(fmt: str, options: dict[str, object], size: tuple[int, int]) -> None:
    data = encoded(size, fmt, **options)
    assert image_dimensions(data) == Image.open(io.BytesIO(data)).size == size


def test_jpeg_with_exif_before_the_frame_header() -> None:
    exif = Image.Exif()
    exif[0x010E] = "x" * 30_000  # ImageDescription: a big APP1 segment before SOF
    data = encoded((123, 45), "JPEG", exif=exif.tobytes())
    assert image_dimensions(data) == (123, 45)


def test_extended_webp_header() -> None:
    data = encoded((300, 200), "WEBP", exif=Image.Exif().tobytes() + b"x")
    assert image_dimensions(data) == (300, 200)


@pytest.mark.parametrize(
    "data",
    [
        b"",
        b"GIF89a",
        b"\x89PNG\r\n\x1a\n\x00\x00",
        b"\xff\xd8\xff\xe0\x00\x10JFIF",
        b"RIFF\x00\x00\x00\x00WEBPVP8 ",
        b"%PDF-1.7",
    ],
    ids=["empty", "gif-stub", "png-cut", "jpeg-cut", "webp-cut", "pdf"],
)
def test_unreadable_headers_give_none(data: bytes) -> None:
    assert image_dimensions(data) is None


def test_truncated_files_give_none_at_every_cut_of_the_header() -> None:
    for fmt, options in FORMATS:
        data = encoded((64, 32), fmt, **options)
        cuts = [n for n in range(len(data)) if image_dimensions(data[:n]) is not None]
        assert cuts, fmt
        assert all(image_dimensions(data[:n]) == (64, 32) for n in cuts), fmt
