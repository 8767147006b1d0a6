"""Image and file checks: everything about an image that can be known before paying for a request.

The MIME type of inline images is read from the bytes, never trusted from a name or a
declared type: a declared type that contradicts the bytes is *corrected from the bytes*
(providers reject mismatches, and the bytes are what the model will see). Unsupported
types, empty or malformed payloads, and images over the size ceiling raise
:class:`~langchain_visionrouter.errors.ImageInputError` naming where the image was.

An image given by URL cannot be read before sending; its type is taken from the
``mime_type`` the caller declared, else from the URL path's extension, and a type
the router does not accept (``.bmp``, ``.svg``, ``.heic``, a GIF for Infron...) is
refused. A URL with no telling extension is left to the router.

Only the first few bytes of a base64 payload are decoded to check it; validity of the
rest is checked with a regular expression, so an 8 MiB image costs no extra copy. The
whole image is decoded only when it must be downscaled or converted, which needs
Pillow (the ``images`` extra) and happens in the private ``_resize`` module, imported
on first use.

:func:`image_block` and :func:`file_block` turn a path, bytes, a file object, a URL, a
data URL or a PIL image into a LangChain standard content block.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import importlib
import logging
import os
import posixpath
import re
import sys
from collections import OrderedDict
from dataclasses import dataclass
from pathlib import Path
from threading import Lock
from types import ModuleType
from typing import Any
from urllib.parse import urlsplit

from langchain_visionrouter._routers import COMMON_IMAGE_TYPES
from langchain_visionrouter.errors import ImageInputError

__all__ = [
    "DEFAULT_MAX_IMAGE_BYTES",
    "PILLOW_HINT",
    "ImagePolicy",
    "check_base64_payload",
    "check_image_url",
    "file_block",
    "image_block",
    "image_data_url",
    "parse_data_url",
    "sniff_mime_type",
]

logger = logging.getLogger(__name__)

#: Hard ceiling on a decoded inline image: larger ones are refused, never sent.
DEFAULT_MAX_IMAGE_BYTES = 20 * 1024 * 1024
#: How to get Pillow, named by every error raised for its absence.
PILLOW_HINT = 'pip install "langchain-visionrouter[images]"'

_B64_RE = re.compile(r"[A-Za-z0-9+/]*={0,2}")  # only for a hint on a path that looks like base64
_B64_ALPHABET = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/"
_B64_WINDOW = 64 * 1024
_WHITESPACE_RE = re.compile(r"\s+")
_DATA_URL_RE = re.compile(r"data:([^,;]*)((?:;[^,;]*)*?),", re.IGNORECASE)

_NAMES = {
    "image/png": "PNG",
    "image/jpeg": "JPEG",
    "image/gif": "GIF",
    "image/webp": "WebP",
    "image/bmp": "BMP",
    "image/tiff": "TIFF",
    "image/heic": "HEIC",
    "image/avif": "AVIF",
    "image/svg+xml": "SVG",
    "application/pdf": "PDF",
}
_ALIASES = {"image/jpg": "image/jpeg", "image/pjpeg": "image/jpeg", "image/x-png": "image/png"}
_EXTENSIONS = {
    ".png": "image/png",
    ".jpg": "image/jpeg",
    ".jpeg": "image/jpeg",
    ".jpe": "image/jpeg",
    ".gif": "image/gif",
    ".webp": "image/webp",
    ".bmp": "image/bmp",
    ".dib": "image/bmp",
    ".tif": "image/tiff",
    ".tiff": "image/tiff",
    ".heic": "image/heic",
    ".heif": "image/heic",
    ".avif": "image/avif",
    ".svg": "image/svg+xml",
    ".svgz": "image/svg+xml",
    ".ico": "image/x-icon",
}


@dataclass(frozen=True)
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

    def describe_allowed(self) -> str:
        return ", ".join(sorted(self.allowed_types))

    @property
    def resizes(self) -> bool:
        """Whether images may have to be decoded (and so Pillow is needed)."""
        return self.max_side is not None or self.fit_bytes is not None


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


def _kind(mime: str | None) -> str:
    if mime is None:
        return "unrecognised data"
    return _NAMES.get(mime, mime)


def parse_data_url(url: str, *, where: str) -> tuple[str, str]:
    """Split ``data:<mime>;base64,<payload>`` into ``(mime, payload)``.

    Raises ``ImageInputError`` for anything that is not a base64 data URL.
    """
    match = _DATA_URL_RE.match(url)
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
    return mime, url[match.end() :]


def check_base64_payload(payload: str, *, where: str) -> str:
    """Validate a base64 payload without decoding it; return it (whitespace removed if any)."""
    if not payload:
        raise ImageInputError(f"{where}: the image is empty (no base64 data).")
    if not _is_base64(payload):
        cleaned = _WHITESPACE_RE.sub("", payload)  # wrapped base64 (e.g. base64.encodebytes)
        if len(cleaned) == len(payload) or not _is_base64(cleaned):
            bad = re.search(r"[^A-Za-z0-9+/=\s]", payload)
            detail = (
                f"invalid character {bad.group()!r} at position {bad.start()}"
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
        payload = cleaned
    return payload


def _is_base64(payload: str) -> bool:
    """Standard alphabet, at most two ``=`` of padding at the end, a length divisible by 4.

    Checked a window at a time with ``bytes.translate`` (C speed, no whole copy): a
    regular expression took about 20 ms on an 8 MiB image, more than sending it.
    """
    if len(payload) % 4 or not payload.isascii():  # isascii is O(1) on str
        return False
    end = len(payload) - (2 if payload.endswith("==") else 1 if payload.endswith("=") else 0)
    return not any(
        payload[i : min(i + _B64_WINDOW, end)].encode("ascii").translate(None, _B64_ALPHABET)
        for i in range(0, end, _B64_WINDOW)
    )


def _decoded_size(payload: str) -> int:
    return len(payload) // 4 * 3 - payload[-2:].count("=")


def _head(payload: str) -> bytes:
    try:
        return base64.b64decode(payload[:32])
    except (binascii.Error, ValueError):
        return b""


def check_image_base64(payload: str, declared: str | None, policy: ImagePolicy, *, where: str) -> tuple[str, str]:
    """Check an inline image; return ``(mime type read from the bytes, payload)``."""
    payload = check_base64_payload(payload, where=where)
    size = _decoded_size(payload)
    if size > policy.max_bytes:
        msg = (
            f"{where}: the image is {_size(size)}, over the {_size(policy.max_bytes)} ceiling, so it "
            "is not sent. Downscale it first (image_block(..., max_side=2048)) or raise the "
            "ceiling with ChatVisionRouter(image_max_decoded_bytes=...)."
        )
        raise ImageInputError(msg)
    declared = _ALIASES.get(declared or "", declared) if declared else None
    sniffed = sniff_mime_type(_head(payload))
    if sniffed is None or sniffed not in policy.allowed_types:
        msg = (
            f"{where}: the bytes are {_kind(sniffed)}"
            + (f" (declared {declared})" if declared else "")
            + f", which {policy.router} does not accept. Accepted image types: "
            f"{policy.describe_allowed()}. Convert the image (e.g. to PNG or JPEG) first."
        )
        raise ImageInputError(msg)
    if declared and declared != sniffed:
        logger.info("%s: declared %s but the bytes are %s; sending %s", where, declared, sniffed, sniffed)
    if policy.max_side is not None or (policy.fit_bytes is not None and size > policy.fit_bytes):
        sniffed, payload = _fit_base64(payload, sniffed, policy, where=where)
    return sniffed, payload


# Resized images by (sha256 of the payload, limits): a conversation re-sends its
# images on every turn, and hashing costs a few ms where resizing costs a hundred.
# Only results are kept (an image already within the limits is remembered as such),
# never the caller's payloads.
_FIT_CACHE: OrderedDict[tuple[bytes, int | None, int | None], tuple[str, str] | None] = OrderedDict()
_FIT_CACHE_SIZE = 32
_FIT_CACHE_LOCK = Lock()


def _fit_base64(payload: str, mime: str, policy: ImagePolicy, *, where: str) -> tuple[str, str]:
    key = (hashlib.sha256(payload.encode("ascii")).digest(), policy.max_side, policy.fit_bytes)
    with _FIT_CACHE_LOCK:
        if key in _FIT_CACHE:
            _FIT_CACHE.move_to_end(key)
            hit = _FIT_CACHE[key]
            return (mime, payload) if hit is None else hit
    data = base64.b64decode(payload)
    out, out_mime = _pillow().fit_image(data, where=where, max_side=policy.max_side, max_bytes=policy.fit_bytes)
    result = None
    if out is not data:
        if out_mime not in policy.allowed_types or len(out) > policy.max_bytes:
            msg = (
                f"{where}: the downscaled image ({_kind(out_mime)}, {len(out)} bytes) still cannot be "
                f"sent to {policy.router}. Accepted image types: {policy.describe_allowed()}."
            )
            raise ImageInputError(msg)
        result = (out_mime, base64.b64encode(out).decode("ascii"))
    with _FIT_CACHE_LOCK:
        _FIT_CACHE[key] = result
        while len(_FIT_CACHE) > _FIT_CACHE_SIZE:
            _FIT_CACHE.popitem(last=False)
    return (mime, payload) if result is None else result


def _pillow() -> ModuleType:
    """The Pillow-backed helpers, imported on first use; a clear error without Pillow."""
    try:
        return importlib.import_module("langchain_visionrouter._resize")
    except ImportError as exc:
        msg = f"Resizing or converting images needs Pillow, which is not installed: {PILLOW_HINT}"
        raise ImportError(msg) from exc


def require_pillow() -> None:
    """Raise the ``ImportError`` naming the extra now if Pillow is missing."""
    _pillow()


def image_data_url(url: str, policy: ImagePolicy, *, where: str) -> str:
    """Check an image data URL; return it, with the MIME type corrected from the bytes."""
    declared, payload = parse_data_url(url, where=where)
    mime, checked = check_image_base64(payload, declared or None, policy, where=where)
    if mime == declared and checked is payload:
        return url  # the common case: no copy
    return f"data:{mime};base64,{checked}"


def check_image_url(url: str, *, where: str, policy: ImagePolicy | None = None, declared: str | None = None) -> None:
    """Refuse URL schemes the router cannot fetch (``file:``, ``javascript:``, ``ftp:`` ...).

    With a ``policy`` (image URLs), also refuse an image type the router does not accept,
    read from the ``declared`` MIME type or else from the URL's extension.
    """
    scheme = url.split(":", 1)[0].lower() if ":" in url else ""
    if scheme in ("http", "https"):
        if policy is not None:
            _check_url_image_type(url, declared, policy, where)
        return
    if not scheme:
        msg = (
            f"{where}: {url[:80]!r} is not a URL. Give an http(s) URL, a base64 data URL, "
            "or load a local file with image_block(path)."
        )
    else:
        msg = (
            f"{where}: URL scheme {scheme!r} is not supported ({url[:80]!r}). The router "
            "fetches only http and https URLs; send local or private images inline with "
            "image_block(path) or as a base64 data URL."
        )
    raise ImageInputError(msg)


def _check_url_image_type(url: str, declared: str | None, policy: ImagePolicy, where: str) -> None:
    declared = declared.strip().lower() if isinstance(declared, str) else ""
    declared = _ALIASES.get(declared, declared)
    if declared.startswith("image/"):
        mime, source = declared, f"declared mime_type {declared}"
    else:
        try:
            path = urlsplit(url).path
        except ValueError:
            return
        ext = posixpath.splitext(path)[1].lower()
        mime, source = _EXTENSIONS.get(ext, ""), f"its {ext} extension"
    if mime and mime not in policy.allowed_types:
        msg = (
            f"{where}: the image at {url[:80]!r} is {_kind(mime)} (from {source}), which {policy.router} "
            f"does not accept. Accepted image types: {policy.describe_allowed()}. Convert the image "
            "(e.g. to PNG or JPEG) and send it by URL or inline."
        )
        raise ImageInputError(msg)


def _read_file(path: str | os.PathLike[str]) -> tuple[bytes, str]:
    where = f"file {os.fspath(path)!r}"
    p = Path(path).expanduser()
    try:
        data = p.read_bytes()
    except FileNotFoundError:
        hint = ""
        if isinstance(path, str) and len(path) > 64 and _B64_RE.fullmatch(path):
            hint = " It looks like base64 data: pass base64.b64decode(...) bytes or a data URL instead."
            where = f"file {path[:40] + '...'!r}"
        raise ImageInputError(f"{where}: no such file.{hint}") from None
    except IsADirectoryError:
        raise ImageInputError(f"{where}: is a directory, not an image file.") from None
    except OSError as exc:
        raise ImageInputError(f"{where}: cannot be read ({exc.strerror or exc}).") from None
    if not data:
        raise ImageInputError(f"{where}: the file is empty.")
    return data, where


# -- content blocks from anything -------------------------------------------------------

_URL_RE = re.compile(r"[A-Za-z][A-Za-z0-9+.-]+://")
_ACCEPTED = ", ".join(sorted(COMMON_IMAGE_TYPES))
# Types Pillow reads that no router takes: image_block can convert them on request.
_CONVERTIBLE = frozenset({"image/bmp", "image/tiff"})
_SOURCES = "a path, bytes, a binary file object, an http(s) URL, a data URL or a PIL image"


def image_block(
    source: Any,
    *,
    mime_type: str | None = None,
    detail: str | None = None,
    max_side: int | None = None,
    max_bytes: int | None = None,
) -> dict[str, Any]:
    """Make a LangChain standard image content block from (almost) anything.

    The image type is read from the bytes (PNG, JPEG, GIF and WebP signatures), never
    from a file name. Local data is sent inline as base64; an ``http(s)`` URL is kept as
    a URL, for the router to fetch.

    Args:
        source: A path (``str`` or ``Path``), ``bytes``, a binary file object, an
            ``http(s)`` URL, a ``data:`` URL, or a ``PIL.Image.Image``.
        mime_type: The type to send. By default the type of the bytes (a PIL image is
            encoded as PNG, or JPEG when it was loaded from a JPEG). When the bytes are of
            another type they are converted, which needs Pillow; so
            ``mime_type="image/png"`` turns a GIF, BMP or TIFF into a PNG.
        detail: ``"auto"``, ``"low"`` or ``"high"``: how closely the model looks (and
            what it costs), for providers that take it.
        max_side: Downscale so that the longer side is at most this many pixels (aspect
            ratio kept, EXIF orientation applied). Needs Pillow.
        max_bytes: Re-encode (lower quality, then smaller size; transparent images stay
            lossless and only shrink) until the image is at most this many bytes.
            Needs Pillow.

    Returns:
        ``{"type": "image", "base64": ..., "mime_type": ...}`` or
        ``{"type": "image", "url": ...}``, with ``extras={"detail": ...}`` when given.

    Raises:
        ImageInputError: The source cannot be read, is not an image type routers accept
            (the message names the source and the accepted types), or cannot be made to
            fit ``max_bytes``.
        ImportError: Pillow is needed (resizing, converting, PIL images) but missing.

    Example:
        .. code-block:: python

            from langchain_core.messages import HumanMessage
            from langchain_visionrouter import image_block

            HumanMessage(content=[
                {"type": "text", "text": "What is in this photo?"},
                image_block("holiday.jpg", max_side=1568),
            ])
    """
    _check_limit("max_side", max_side)
    _check_limit("max_bytes", max_bytes)
    if detail is not None and detail not in ("auto", "low", "high"):
        raise ImageInputError(f"image_block: detail must be 'auto', 'low' or 'high', not {detail!r}.")
    want = _wanted_type(mime_type)
    process = max_side is not None or max_bytes is not None

    image = _pil_image(source)
    if image is not None:
        data, mime = _pillow().encode_image(
            image, where="PIL image", mime_type=want, max_side=max_side, max_bytes=max_bytes
        )
        return _image_base64_block(base64.b64encode(data).decode("ascii"), mime, detail)

    if isinstance(source, str) and source[:5].lower() == "data:":
        where = f"data URL {source[:30] + '...'!r}"
        _, payload = parse_data_url(source, where=where)
        payload = check_base64_payload(payload, where=where)
        sniffed = sniff_mime_type(_head(payload))
        if not process and want in (None, sniffed) and sniffed in COMMON_IMAGE_TYPES:
            return _image_base64_block(payload, sniffed, detail)  # checked; no need to decode it all
        return _image_from_bytes(base64.b64decode(payload), where, want, detail, max_side, max_bytes)

    if isinstance(source, str) and _URL_RE.match(source):
        where = f"URL {source[:80]!r}"
        check_image_url(source, where=where)
        if process or want is not None:
            msg = (
                f"{where}: max_side, max_bytes and mime_type need the image's bytes, but a URL is "
                "fetched by the router. Download it and pass the bytes, or leave those options out."
            )
            raise ImageInputError(msg)
        return _with_detail({"type": "image", "url": source}, detail)

    data, where = _read_bytes(source, "image_block")
    return _image_from_bytes(data, where, want, detail, max_side, max_bytes)


def file_block(source: Any, *, filename: str | None = None) -> dict[str, Any]:
    """Make a LangChain standard file content block for a PDF.

    Args:
        source: A path (``str`` or ``Path``), ``bytes``, a binary file object, an
            ``http(s)`` URL (kept as a URL) or a ``data:application/pdf;base64,`` URL.
        filename: The name the model sees. Defaults to the file's own name, the last
            part of the URL, or ``"document.pdf"``.

    Returns:
        ``{"type": "file", "base64": ..., "mime_type": "application/pdf", "filename": ...}``,
        or ``{"type": "file", "url": ..., "filename": ...}``.

    Raises:
        ImageInputError: The source cannot be read or is not a PDF (checked from the
            bytes: a PDF starts with ``%PDF-``).

    Example:
        .. code-block:: python

            HumanMessage(content=[
                {"type": "text", "text": "Summarise this report."},
                file_block("q3-report.pdf"),
            ])
    """
    if _pil_image(source) is not None:
        raise ImageInputError("file_block: a PIL image is not a PDF; use image_block(image) instead.")
    if isinstance(source, str) and source[:5].lower() == "data:":
        where = f"data URL {source[:30] + '...'!r}"
        _, payload = parse_data_url(source, where=where)
        payload = check_base64_payload(payload, where=where)
        _require_pdf(sniff_mime_type(_head(payload)), where)
        return _file_base64_block(payload, filename or "document.pdf")
    if isinstance(source, str) and _URL_RE.match(source):
        check_image_url(source, where=f"URL {source[:80]!r}")
        name = filename or posixpath.basename(urlsplit(source).path) or "document.pdf"
        return {"type": "file", "url": source, "filename": name}
    data, where = _read_bytes(source, "file_block")
    _require_pdf(sniff_mime_type(data[:16]), where)
    if filename is None:
        own = source if isinstance(source, (str, os.PathLike)) else getattr(source, "name", None)
        filename = os.path.basename(os.fspath(own)) if isinstance(own, (str, os.PathLike)) else None
    return _file_base64_block(base64.b64encode(data).decode("ascii"), filename or "document.pdf")


def _check_limit(name: str, value: int | None) -> None:
    if value is not None and (isinstance(value, bool) or not isinstance(value, int) or value <= 0):
        raise ImageInputError(f"image_block: {name} must be a positive number of {name[4:]}s, not {value!r}.")


def _wanted_type(mime_type: str | None) -> str | None:
    if mime_type is None:
        return None
    want = _ALIASES.get(mime_type.strip().lower(), mime_type.strip().lower())
    if want not in COMMON_IMAGE_TYPES:
        raise ImageInputError(f"image_block: mime_type {mime_type!r} is not one routers accept: {_ACCEPTED}.")
    return want


def _pil_image(source: Any) -> Any:
    # PIL can only have made the object if PIL is imported: never import it to check.
    module = sys.modules.get("PIL.Image")
    return source if module is not None and isinstance(source, module.Image) else None


def _read_bytes(source: Any, caller: str) -> tuple[bytes, str]:
    if isinstance(source, (bytes, bytearray, memoryview)):
        data = bytes(source)
        if not data:
            raise ImageInputError(f"{caller}: the bytes are empty.")
        return data, f"{len(data)} bytes given to {caller}"
    if isinstance(source, (str, os.PathLike)):
        return _read_file(source)
    if callable(getattr(source, "read", None)):
        name = getattr(source, "name", None)
        where = f"file object {os.fspath(name)!r}" if isinstance(name, (str, os.PathLike)) else "file object"
        try:
            data = source.read()
        except OSError as exc:
            raise ImageInputError(f"{where}: cannot be read ({exc}).") from None
        if isinstance(data, str):
            raise ImageInputError(f"{where}: opened in text mode; open it in binary mode ('rb').")
        if not isinstance(data, (bytes, bytearray, memoryview)):
            raise ImageInputError(f"{where}: read() returned {type(data).__name__}, not bytes.")
        if not data:
            raise ImageInputError(f"{where}: nothing to read (empty, or already read to the end).")
        return bytes(data), where
    raise ImageInputError(f"{caller}: cannot read {type(source).__name__}; give {_SOURCES}.")


def _image_from_bytes(
    data: bytes,
    where: str,
    want: str | None,
    detail: str | None,
    max_side: int | None,
    max_bytes: int | None,
) -> dict[str, Any]:
    if not data:
        raise ImageInputError(f"{where}: the image is empty.")
    sniffed = sniff_mime_type(data[:16])
    if sniffed == "application/pdf":
        raise ImageInputError(f"{where}: the bytes are a PDF, not an image; use file_block(...) for PDFs.")
    if want is None and sniffed not in COMMON_IMAGE_TYPES:
        hint = (
            ' Convert it with image_block(..., mime_type="image/png") (needs Pillow).'
            if sniffed in _CONVERTIBLE
            else " Convert it to PNG or JPEG first."
        )
        msg = (
            f"{where}: the bytes are {_kind(sniffed)}, not an image routers accept. Accepted image types: {_ACCEPTED}."
        )
        raise ImageInputError(msg + hint)
    mime = sniffed or ""
    if max_side is not None or max_bytes is not None or (want is not None and want != sniffed):
        convert_to = want if want is not None and want != sniffed else None
        data, mime = _pillow().fit_image(
            data, where=where, max_side=max_side, max_bytes=max_bytes, convert_to=convert_to
        )
    return _image_base64_block(base64.b64encode(data).decode("ascii"), mime, detail)


def _image_base64_block(payload: str, mime: str | None, detail: str | None) -> dict[str, Any]:
    return _with_detail({"type": "image", "base64": payload, "mime_type": mime}, detail)


def _with_detail(block: dict[str, Any], detail: str | None) -> dict[str, Any]:
    if detail is not None:
        block["extras"] = {"detail": detail}
    return block


def _require_pdf(mime: str | None, where: str) -> None:
    if mime != "application/pdf":
        use = " Use image_block(...) for images." if mime in COMMON_IMAGE_TYPES else ""
        raise ImageInputError(f"{where}: the bytes are {_kind(mime)}, not a PDF; file_block takes PDFs.{use}")


def _file_base64_block(payload: str, filename: str) -> dict[str, Any]:
    return {"type": "file", "base64": payload, "mime_type": "application/pdf", "filename": filename}
