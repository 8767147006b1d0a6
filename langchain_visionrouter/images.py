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

Only the first few bytes of a base64 payload are ever decoded here; validity of the
rest is checked with a regular expression, so an 8 MiB image costs no extra copy.
"""

from __future__ import annotations

import base64
import binascii
import logging
import os
import posixpath
import re
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit

from langchain_visionrouter.errors import ImageInputError
from langchain_visionrouter.routers import COMMON_IMAGE_TYPES

__all__ = [
    "DEFAULT_MAX_IMAGE_BYTES",
    "ImagePolicy",
    "check_base64_payload",
    "check_image_url",
    "image_data_url",
    "load_file_as_data_url",
    "parse_data_url",
    "sniff_mime_type",
]

logger = logging.getLogger(__name__)

#: Hard ceiling on a decoded inline image: larger ones are refused, never sent.
DEFAULT_MAX_IMAGE_BYTES = 20 * 1024 * 1024

_B64_RE = re.compile(r"[A-Za-z0-9+/]*={0,2}")
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
    """What a router accepts for inline images."""

    router: str = "custom"
    allowed_types: frozenset[str] = COMMON_IMAGE_TYPES
    max_bytes: int = DEFAULT_MAX_IMAGE_BYTES

    def describe_allowed(self) -> str:
        return ", ".join(sorted(self.allowed_types))


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
    if _B64_RE.fullmatch(payload) is None or len(payload) % 4:
        cleaned = _WHITESPACE_RE.sub("", payload)  # wrapped base64 (e.g. base64.encodebytes)
        if len(cleaned) == len(payload) or _B64_RE.fullmatch(cleaned) is None or len(cleaned) % 4:
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
            f"{where}: image is {size / 1e6:.1f} MB, over the {policy.max_bytes / 1e6:.1f} MB "
            "ceiling. Downscale it first (image_block(..., max_side=2048)) or raise the "
            "ceiling with image_max_decoded_bytes."
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
    return sniffed, payload


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


def load_file_as_data_url(path: str | os.PathLike[str], policy: ImagePolicy | None = None) -> str:
    """Read a local image or PDF and return it as a checked base64 data URL."""
    where = f"file {os.fspath(path)!r}"
    p = Path(path).expanduser()
    try:
        data = p.read_bytes()
    except FileNotFoundError:
        raise ImageInputError(f"{where}: no such file.") from None
    except IsADirectoryError:
        raise ImageInputError(f"{where}: is a directory, not an image file.") from None
    except OSError as exc:
        raise ImageInputError(f"{where}: cannot be read ({exc.strerror or exc}).") from None
    if not data:
        raise ImageInputError(f"{where}: the file is empty.")
    mime = sniff_mime_type(data[:16])
    if mime == "application/pdf":
        return "data:application/pdf;base64," + base64.b64encode(data).decode("ascii")
    policy = policy or ImagePolicy()
    if mime not in policy.allowed_types:
        msg = (
            f"{where}: the bytes are {_kind(mime)}, which {policy.router} does not accept. "
            f"Accepted: {policy.describe_allowed()} images, or a PDF."
        )
        raise ImageInputError(msg)
    if len(data) > policy.max_bytes:
        msg = f"{where}: {len(data) / 1e6:.1f} MB is over the {policy.max_bytes / 1e6:.1f} MB ceiling."
        raise ImageInputError(msg)
    return f"data:{mime};base64," + base64.b64encode(data).decode("ascii")
