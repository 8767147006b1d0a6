"""Image and file checks: everything about an image that can be known before paying for a request.

The MIME type of inline images is read from the bytes, never trusted from a name or a
declared type: a declared type that contradicts the bytes is *corrected from the bytes*
(providers reject mismatches, and the bytes are what the model will see). Unsupported
types, empty or malformed payloads, and images over the size ceiling raise
:class:`~langchain_visionrouter.errors.ImageInputError` naming where the image was.

Images given by URL are checked in :mod:`~langchain_visionrouter._media.urls`.

Only the first bytes of a base64 payload are decoded to check it (type, pixel size);
the rest is checked a window at a time where it lies (a data URL's payload is never
sliced out), so an 8 MiB image costs no copy. The
whole image is decoded only when it must be downscaled or converted, which needs
Pillow (the ``images`` extra) and happens in the private ``_resize`` module, imported
on first use.

:mod:`~langchain_visionrouter._media.blocks` builds the blocks users give (``image_block``).
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import importlib
import logging
import re
from collections import OrderedDict
from dataclasses import dataclass, field
from threading import Lock
from types import ModuleType

from langchain_visionrouter._media.header import HEADER_BYTES, TAIL_BYTES, image_dimensions, image_problem
from langchain_visionrouter._media.types import canonical_mime, type_label
from langchain_visionrouter._router.presets import COMMON_IMAGE_TYPES
from langchain_visionrouter._router.profiles import fitted_side
from langchain_visionrouter._wire.body import DataURL
from langchain_visionrouter.errors import ImageInputError

__all__ = [
    "DEFAULT_MAX_IMAGE_BYTES",
    "PILLOW_HINT",
    "ImagePolicy",
    "check_base64_payload",
    "image_data_url",
    "parse_data_url",
    "sniff_mime_type",
]

logger = logging.getLogger(__name__)

#: Hard ceiling on a decoded inline image: larger ones are refused, never sent.
DEFAULT_MAX_IMAGE_BYTES = 20 * 1024 * 1024
#: How to get Pillow, named by every error raised for its absence.
# Works wherever the package came from (a clone, a wheel, an index): Pillow is the whole
# [images] extra. From a clone the extra itself is `pip install ".[images]"`.
PILLOW_HINT = (
    'python3 -m pip install "Pillow>=10" (the [images] extra; from a clone: python3 -m pip install ".[images]")'
)

_B64_ALPHABET = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/"
_B64_WINDOW = 64 * 1024
_WHITESPACE_RE = re.compile(r"\s+")
_NOT_BASE64_RE = re.compile(r"[^A-Za-z0-9+/=\s]")
#: ``data:<mime>[;params],``: the head of a data URL (the payload starts at its end).
DATA_URL_RE = re.compile(r"data:([^,;]*)((?:;[^,;]*)*?),", re.IGNORECASE)


class ImageTally:
    """What one conversion did to media, counted as it happens (never read back from a body).

    One per call: the prepared call freezes it into its facts (image, video and audio parts
    sent, for the catalog checks; ``image_fit`` saving).
    """

    __slots__ = ("audios", "bytes_after", "bytes_before", "fitted", "images", "videos")

    def __init__(self) -> None:
        self.images = 0  # image parts sent, inline or by URL
        self.videos = 0  # video_url parts
        self.audios = 0  # input_audio parts
        self.fitted = 0  # of which image_fit downscaled
        self.bytes_before = 0
        self.bytes_after = 0

    def count(self, part_type: str) -> None:
        """Count one wire part of ``part_type`` (``image_url``, ``video_url``, ``input_audio``; others not)."""
        if part_type == "image_url":
            self.images += 1
        elif part_type == "video_url":
            self.videos += 1
        elif part_type == "input_audio":
            self.audios += 1

    def media(self) -> frozenset[str]:
        """The input modalities the parts counted need: ``"image"``, ``"video"``, ``"audio"``."""
        counts = (("image", self.images), ("video", self.videos), ("audio", self.audios))
        return frozenset(kind for kind, n in counts if n)

    def fit_report(self) -> dict[str, int] | None:
        """What ``image_fit`` saved: images downscaled, decoded bytes before and after; ``None``: none."""
        if not self.fitted:
            return None
        return {"images": self.fitted, "bytes_before": self.bytes_before, "bytes_after": self.bytes_after}


@dataclass(frozen=True, slots=True)
class ImagePolicy:
    """What a router accepts for inline images, and how big they may be sent.

    ``max_bytes`` is the hard ceiling on an image as given (decoded): above it the image
    is refused, never sent. ``max_side`` and ``fit_bytes`` are targets: a base64 image
    with a longer side or more bytes than these is downscaled and re-encoded (Pillow)
    before it is sent. URL images are fetched by the router and left alone.
    """

    router: str = "custom"
    allowed_types: frozenset[str] = COMMON_IMAGE_TYPES
    max_bytes: int = DEFAULT_MAX_IMAGE_BYTES
    max_side: int | None = None
    fit_bytes: int | None = None
    cache: bool = True  # remember resized images (see RESIZE_CACHE_BYTES)
    #: ``image_fit="model"``: the model whose family's rule bounds the pixels sent (see ``fit``).
    fit_model: str | None = None
    #: Counts what this call's conversion does (see :class:`ImageTally`); not part of the policy's value.
    tally: ImageTally | None = field(default=None, compare=False, repr=False)

    def describe_allowed(self) -> str:
        return ", ".join(sorted(self.allowed_types))

    @property
    def resizes(self) -> bool:
        """Whether images may have to be decoded (and so Pillow is needed)."""
        return self.max_side is not None or self.fit_bytes is not None or self.fit_model is not None


def sniff_mime_type(head: bytes) -> str | None:
    """The MIME type of a file from its first bytes (16 are enough), or ``None``."""
    if head.startswith(b"\x89PNG\r\n\x1a\n"):
        return "image/png"
    if head.startswith(b"\xff\xd8\xff"):
        return "image/jpeg"
    if head[:6] in (b"GIF87a", b"GIF89a"):
        return "image/gif"
    if head[:4] == b"RIFF" and head[8:12] == b"WEBP":
        return "image/webp"
    if head.startswith(b"%PDF-"):
        return "application/pdf"
    if head.startswith(b"BM"):
        return "image/bmp"
    if head[:4] in (b"II*\x00", b"MM\x00*"):
        return "image/tiff"
    if head[4:8] == b"ftyp":
        brand = head[8:12]
        if brand in (b"avif", b"avis"):
            return "image/avif"
        if brand in (b"heic", b"heix", b"hevc", b"heim", b"heis", b"mif1", b"msf1"):
            return "image/heic"
    stripped = head.lstrip()
    if stripped.startswith((b"<svg", b"<?xml")):
        return "image/svg+xml"
    return None


def _size(nbytes: int) -> str:
    # Binary units, so the default ceiling reads "20.0 MiB" as it is documented.
    return f"{nbytes / 2**20:.1f} MiB ({nbytes} bytes)"


def type_name(mime: str | None) -> str:
    """The name users know a type by (``"PNG"``), for messages; ``None``: bytes of no known type."""
    return "unrecognised data" if mime is None else type_label(mime)


def parse_data_url(url: str, *, where: str) -> tuple[str, str]:
    """Split ``data:<mime>;base64,<payload>`` into ``(mime, payload)``.

    Raises ``ImageInputError`` for anything that is not a base64 data URL.
    """
    mime, start = _data_url_head(url, where=where)
    return mime, url[start:]


def _data_url_head(url: str, *, where: str) -> tuple[str, int]:
    """``(mime, where the payload starts)``: the payload itself is not copied."""
    match = DATA_URL_RE.match(url)
    if match is None:
        msg = f"{where}: malformed data URL (starts {url[:40]!r}). Expected 'data:<mime type>;base64,<payload>'."
        raise ImageInputError(msg)
    mime = match.group(1).strip().lower()
    params = [p.strip().lower() for p in match.group(2).split(";") if p.strip()]
    if "base64" not in params:
        msg = (
            f"{where}: data URL is not base64-encoded (starts {url[:40]!r}). "
            "Encode the bytes with base64: 'data:<mime type>;base64,<payload>'."
        )
        raise ImageInputError(msg)
    return mime, match.end()


def check_base64_payload(payload: str, *, where: str) -> str:
    """Validate a base64 payload without decoding it; return it (whitespace removed if any)."""
    cleaned = _check_base64(payload, 0, where=where)
    return payload if cleaned is None else cleaned


def _check_base64(text: str, start: int, *, where: str) -> str | None:
    """Validate ``text[start:]`` as base64 without copying it.

    Returns ``None`` when it is valid as it is, else the payload with whitespace removed
    (wrapped base64, e.g. from ``base64.encodebytes``), a new string.
    """
    if start >= len(text):
        raise ImageInputError(f"{where}: the image is empty (no base64 data).")
    if _is_base64(text, start):
        return None
    cleaned = _WHITESPACE_RE.sub("", text[start:])
    if len(cleaned) == len(text) - start or not _is_base64(cleaned, 0):
        bad = _NOT_BASE64_RE.search(text, start)
        detail = (
            f"invalid character {bad.group()!r} at position {bad.start() - start}"
            if bad
            else "wrong length or misplaced '=' padding"
        )
        msg = (
            f"{where}: malformed base64 data ({detail}). Encode the bytes with "
            "base64.b64encode (standard alphabet, with padding)."
        )
        raise ImageInputError(msg)
    if not cleaned:
        raise ImageInputError(f"{where}: the image is empty (no base64 data).")
    return cleaned


def _is_base64(text: str, start: int = 0) -> bool:
    """``text[start:]`` is standard alphabet, at most two ``=`` of padding at the end, a length divisible by 4.

    Checked a window at a time with ``bytes.translate`` (C speed, no whole copy): a
    regular expression took about 20 ms on an 8 MiB image, more than sending it.
    """
    if (len(text) - start) % 4 or not text.isascii():  # isascii is O(1) on str
        return False
    end = len(text) - (2 if text.endswith("==") else 1 if text.endswith("=") else 0)
    return not any(
        text[i : min(i + _B64_WINDOW, end)].encode("ascii").translate(None, _B64_ALPHABET)
        for i in range(start, end, _B64_WINDOW)
    )


def decoded_size(text: str, start: int = 0) -> int:
    """Bytes of the checked base64 payload ``text[start:]``, decoded."""
    return (len(text) - start) // 4 * 3 - text[-2:].count("=")


def base64_head(payload: str, nbytes: int = 24) -> bytes:
    """The first ``nbytes`` (rounded up to 3) of a checked base64 payload, decoded."""
    try:
        return base64.b64decode(payload[: -(-nbytes // 3) * 4])
    except (binascii.Error, ValueError):
        return b""


def base64_problem(text: str, size: int, start: int = 0) -> str | None:
    """What makes the checked base64 image ``text[start:]`` unfit to send (see ``image_problem``).

    Decodes only its ends, where they lie (no slice of the whole payload).
    """
    head = base64_head(text[start : start + 4096 // 3 * 4], 4096)  # the size of nearly every image
    if image_dimensions(head) is None and len(text) - start > 4096 // 3 * 4:
        head = base64_head(text[start : start + HEADER_BYTES // 3 * 4], HEADER_BYTES)  # a JPEG behind big EXIF
    try:
        # Both offsets are whole base64 quanta from ``start``: the payload's length is a multiple of 4.
        tail = base64.b64decode(text[max(start, len(text) - TAIL_BYTES // 3 * 4) :])
    except (binascii.Error, ValueError):
        tail = b""
    return image_problem(head, tail, size, whole=len(head) >= size)


def incomplete_image(where: str, problem: str) -> ImageInputError:
    return ImageInputError(f"{where}: {problem}, so it is not sent. Is the image complete? Encode the whole file.")


def check_image_base64(
    payload: str, declared: str | None, policy: ImagePolicy, *, where: str, detail: object = None
) -> DataURL:
    """Check an inline image; return it as a :class:`DataURL` of the MIME type read from the bytes."""
    mime, replaced = _check_image(payload, 0, declared, policy, where=where, detail=detail)
    return DataURL(mime, payload if replaced is None else replaced)


def image_data_url(url: str, policy: ImagePolicy, *, where: str, detail: object = None) -> str | DataURL:
    """Check an image data URL; return it as given (no copy), or corrected from the bytes."""
    declared, start = _data_url_head(url, where=where)
    mime, replaced = _check_image(url, start, declared or None, policy, where=where, detail=detail)
    if replaced is None and mime == declared:
        return url  # the common case: the user's string is the body piece
    return DataURL(mime, url[start:] if replaced is None else replaced)


def _check_image(
    text: str, start: int, declared: str | None, policy: ImagePolicy, *, where: str, detail: object
) -> tuple[str, str | None]:
    """Check the image ``text[start:]`` (base64) without copying it.

    Returns ``(mime type read from the bytes, the payload to send instead or None to send
    it as it is)``; an image that ``image_fit`` downscaled is counted in ``policy.tally``.
    """
    replaced = _check_base64(text, start, where=where)
    if replaced is not None:
        text, start = replaced, 0
    size = decoded_size(text, start)
    if size > policy.max_bytes:
        msg = (
            f"{where}: the image is {_size(size)}, over the {_size(policy.max_bytes)} ceiling, so it "
            "is not sent. Downscale it first (image_block(..., max_side=2048)) or raise the "
            "ceiling with ChatVisionRouter(image_max_decoded_bytes=...)."
        )
        raise ImageInputError(msg)
    declared = canonical_mime(declared) if declared else None
    sniffed = sniff_mime_type(base64_head(text[start : start + 32]))
    if sniffed is None or sniffed not in policy.allowed_types:
        msg = (
            f"{where}: the bytes are {type_name(sniffed)}"
            + (f" (declared {declared})" if declared else "")
            + f", which {policy.router} does not accept. Accepted image types: "
            f"{policy.describe_allowed()}. Convert the image (e.g. to PNG or JPEG) first."
        )
        raise ImageInputError(msg)
    problem = base64_problem(text, size, start)
    if problem is not None:
        raise incomplete_image(where, problem)
    if declared and declared != sniffed:
        logger.info("%s: declared %s but the bytes are %s; sending %s", where, declared, sniffed, sniffed)
    max_side, model_fit = policy.max_side, None
    if policy.fit_model is not None and detail != "original":
        model_fit = fitted_side(policy.fit_model, detail, image_dimensions(_head_bytes(text, start)))
        if model_fit is not None:
            max_side = model_fit if max_side is None else min(max_side, model_fit)
    if max_side is not None or (policy.fit_bytes is not None and size > policy.fit_bytes):
        payload = text[start:] if start else text  # decoded whole to resize: the copy is the lesser cost
        fitted_mime, fitted = _fit_base64(payload, sniffed, policy, max_side, where=where)
        if fitted is not payload:
            if model_fit is not None and policy.tally is not None:
                policy.tally.fitted += 1
                policy.tally.bytes_before += size
                policy.tally.bytes_after += decoded_size(fitted)
            return fitted_mime, fitted
    return sniffed, replaced


def _head_bytes(text: str, start: int) -> bytes:
    """The first :data:`HEADER_BYTES` of the image, enough to read its size."""
    try:
        return base64.b64decode(text[start : start + HEADER_BYTES // 3 * 4])
    except (binascii.Error, ValueError):
        return b""


# Resized images by (sha256 of the payload, limits): a conversation re-sends its
# images on every turn, and hashing costs a few ms where resizing costs a hundred.
# Only results are kept (an image already within the limits is remembered as such),
# never the caller's payloads. Process-wide, so bounded in bytes (least recently used
# first out); ``ImagePolicy(cache=False)`` (``image_resize_cache=False``) bypasses it.
_FIT_CACHE: OrderedDict[tuple[bytes, int | None, int | None], tuple[str, str] | None] = OrderedDict()
#: Bytes of resized images kept process-wide (base64 characters); 0 keeps none.
RESIZE_CACHE_BYTES = 32 * 2**20
_fit_cache_bytes = 0
_FIT_CACHE_LOCK = Lock()


def _entry_size(entry: tuple[str, str] | None) -> int:
    return 0 if entry is None else len(entry[1])


def _remember(key: tuple[bytes, int | None, int | None], result: tuple[str, str] | None) -> None:
    global _fit_cache_bytes
    size = _entry_size(result)
    if size > RESIZE_CACHE_BYTES:
        return
    with _FIT_CACHE_LOCK:
        _fit_cache_bytes -= _entry_size(_FIT_CACHE.pop(key, None))
        _FIT_CACHE[key] = result
        _fit_cache_bytes += size
        while _FIT_CACHE and (_fit_cache_bytes > RESIZE_CACHE_BYTES or len(_FIT_CACHE) > 4096):
            _fit_cache_bytes -= _entry_size(_FIT_CACHE.popitem(last=False)[1])


def clear_resize_cache() -> None:
    """Forget every remembered resized image."""
    global _fit_cache_bytes
    with _FIT_CACHE_LOCK:
        _FIT_CACHE.clear()
        _fit_cache_bytes = 0


def _fit_base64(payload: str, mime: str, policy: ImagePolicy, max_side: int | None, *, where: str) -> tuple[str, str]:
    key = (hashlib.sha256(payload.encode("ascii")).digest(), max_side, policy.fit_bytes)
    if policy.cache:
        with _FIT_CACHE_LOCK:
            if key in _FIT_CACHE:
                _FIT_CACHE.move_to_end(key)
                hit = _FIT_CACHE[key]
                return (mime, payload) if hit is None else hit
    data = base64.b64decode(payload)
    out, out_mime = pillow().fit_image(data, where=where, max_side=max_side, max_bytes=policy.fit_bytes)
    result = None
    if out is not data:
        if out_mime not in policy.allowed_types or len(out) > policy.max_bytes:
            msg = (
                f"{where}: the downscaled image ({type_name(out_mime)}, {len(out)} bytes) still cannot be "
                f"sent to {policy.router}. Accepted image types: {policy.describe_allowed()}."
            )
            raise ImageInputError(msg)
        result = (out_mime, base64.b64encode(out).decode("ascii"))
    if policy.cache:
        _remember(key, result)
    return (mime, payload) if result is None else result


def pillow() -> ModuleType:
    """The Pillow-backed helpers, imported on first use; a clear error without Pillow."""
    try:
        return importlib.import_module("langchain_visionrouter._media.resize")
    except ImportError as exc:
        msg = f"Resizing or converting images needs Pillow, which is not installed: {PILLOW_HINT}"
        raise ImportError(msg) from exc


def require_pillow() -> None:
    """Raise the ``ImportError`` naming the extra now if Pillow is missing."""
    pillow()
