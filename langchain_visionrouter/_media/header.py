"""An image's pixel size from its header, without decoding it (and without Pillow). Pure.

One home for "how big is this image": the decompression-bomb and truncation checks,
token estimates and model-fit downscaling all read it here. PNG, GIF, WebP (lossy,
lossless, extended) and JPEG (baseline and progressive) are read; anything else, or a
header cut short, gives ``None``: the caller decides what an unreadable size means.
"""

from __future__ import annotations

import struct

__all__ = ["HEADER_BYTES", "TAIL_BYTES", "image_dimensions", "image_problem"]

#: Bytes enough for the size of nearly every image: a JPEG's frame header can sit behind
#: an EXIF block (thumbnails included) of up to 64 KiB, and a few more segments.
HEADER_BYTES = 256 * 1024
#: Bytes of an image's end enough to see whether it was cut short.
TAIL_BYTES = 4096


def image_dimensions(data: bytes) -> tuple[int, int] | None:
    """``(width, height)`` read from the first bytes of an image file, or ``None``.

    Args:
        data: The file's bytes, or at least its first :data:`HEADER_BYTES`.

    Example:
        .. code-block:: python

            image_dimensions(open("photo.jpg", "rb").read(HEADER_BYTES))  # (4032, 3024)
    """
    if data.startswith(b"\x89PNG\r\n\x1a\n"):
        return _png(data)
    if data[:6] in (b"GIF87a", b"GIF89a"):
        return _gif(data)
    if data[:4] == b"RIFF" and data[8:12] == b"WEBP":
        return _webp(data)
    if data.startswith(b"\xff\xd8"):
        return _jpeg(data)
    return None


def _positive(width: int, height: int) -> tuple[int, int] | None:
    return (width, height) if width > 0 and height > 0 else None


def _png(data: bytes) -> tuple[int, int] | None:
    # The signature, then the IHDR chunk: length, "IHDR", width, height (big-endian).
    if len(data) < 24 or data[12:16] != b"IHDR":
        return None
    width, height = struct.unpack(">II", data[16:24])
    return _positive(width, height)


def _gif(data: bytes) -> tuple[int, int] | None:
    if len(data) < 10:
        return None
    width, height = struct.unpack("<HH", data[6:10])
    return _positive(width, height)


def _webp(data: bytes) -> tuple[int, int] | None:
    kind = data[12:16]
    if kind == b"VP8 " and len(data) >= 30 and data[23:26] == b"\x9d\x01\x2a":
        width, height = struct.unpack("<HH", data[26:30])
        return _positive(width & 0x3FFF, height & 0x3FFF)
    if kind == b"VP8L" and len(data) >= 25 and data[20] == 0x2F:
        bits = int.from_bytes(data[21:25], "little")
        return _positive((bits & 0x3FFF) + 1, ((bits >> 14) & 0x3FFF) + 1)
    if kind == b"VP8X" and len(data) >= 30:
        width = int.from_bytes(data[24:27], "little") + 1
        height = int.from_bytes(data[27:30], "little") + 1
        return _positive(width, height)
    return None


# Start-of-frame markers (all but DHT 0xC4, JPG 0xC8 and DAC 0xCC), which carry the size.
_SOF = frozenset({0xC0, 0xC1, 0xC2, 0xC3, 0xC5, 0xC6, 0xC7, 0xC9, 0xCA, 0xCB, 0xCD, 0xCE, 0xCF})


def _jpeg(data: bytes) -> tuple[int, int] | None:
    pos, end = 2, len(data)
    while pos + 4 <= end:
        if data[pos] != 0xFF:
            return None  # not at a marker: a corrupt stream
        marker = data[pos + 1]
        if marker == 0xFF:  # fill byte
            pos += 1
            continue
        if marker in (0x01, *range(0xD0, 0xD8)):  # markers without a length
            pos += 2
            continue
        if marker in (0xD9, 0xDA):  # end of image, or scan data before any frame header
            return None
        length = int.from_bytes(data[pos + 2 : pos + 4], "big")
        if length < 2:
            return None
        if marker in _SOF:
            if pos + 9 > end:
                return None
            height, width = struct.unpack(">HH", data[pos + 5 : pos + 9])
            return _positive(width, height)
        pos += 2 + length
    return None


_TYPE_NAMES = {b"\x89P": "PNG", b"GI": "GIF", b"RI": "WebP", b"\xff\xd8": "JPEG"}


def image_problem(head: bytes, tail: bytes, size: int, *, whole: bool = False) -> str | None:
    """What makes an image of an accepted type unfit to send, or ``None`` if nothing does.

    A header too short (a 6-byte ``GIF89a`` stub) or damaged to give the size, or a file
    visibly cut short: a PNG without its ``IEND`` chunk, a GIF without its trailer, a WebP
    shorter than its RIFF header says. A JPEG's end is checked only when ``whole`` (the
    bytes are all in ``tail``): data may follow its end marker (a motion photo's video).

    Args:
        head: The first bytes (up to :data:`HEADER_BYTES`).
        tail: The last bytes (a few KiB), or all of them.
        size: The image's length in bytes.
        whole: ``tail`` holds the whole image.
    """
    name = _TYPE_NAMES.get(head[:2], "image")
    if image_dimensions(head) is None:
        return f"the {name} header is incomplete or damaged (its size in pixels cannot be read)"
    if name == "PNG" and b"IEND" not in tail:
        return "the PNG is cut short (its closing IEND chunk is missing)"
    if name == "GIF" and b";" not in tail[-16:]:
        return "the GIF is cut short (its closing trailer byte is missing)"
    if name == "WebP" and int.from_bytes(head[4:8], "little") + 8 > size:
        return f"the WebP is cut short ({size} bytes of the {int.from_bytes(head[4:8], 'little') + 8} its header says)"
    if name == "JPEG" and whole and b"\xff\xd9" not in tail:
        return "the JPEG is cut short (its end-of-image marker is missing)"
    return None
