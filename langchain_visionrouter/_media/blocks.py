"""``image_block`` and ``file_block``: a path, bytes, a file object, a URL, a data URL or a
PIL image -> a LangChain standard content block, checked by :mod:`~langchain_visionrouter._media.checks`.
"""

from __future__ import annotations

import base64
import os
import posixpath
import re
import stat
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from langchain_visionrouter._media.checks import (
    DEFAULT_MAX_IMAGE_BYTES,
    base64_head,
    base64_problem,
    check_base64_payload,
    decoded_size,
    incomplete_image,
    parse_data_url,
    pillow,
    sniff_mime_type,
    type_name,
)
from langchain_visionrouter._media.header import HEADER_BYTES, image_problem
from langchain_visionrouter._media.types import canonical_mime
from langchain_visionrouter._media.urls import check_image_url
from langchain_visionrouter._router.presets import COMMON_IMAGE_TYPES
from langchain_visionrouter.errors import ImageInputError

__all__ = ["file_block", "image_block"]

_B64_RE = re.compile(r"[A-Za-z0-9+/]*={0,2}")  # only for a hint on a path that looks like base64


#: Bytes read at most from a file that will be downscaled or converted (a big photo may
#: shrink to fit); a file sent as it is may not be bigger than the inline ceiling.
MAX_READ_BYTES = 64 * 2**20


def _kind(mode: int) -> str:
    if stat.S_ISDIR(mode):
        return "a directory"
    if stat.S_ISFIFO(mode):
        return "a pipe (FIFO)"
    if stat.S_ISCHR(mode) or stat.S_ISBLK(mode):
        return "a device"
    if stat.S_ISSOCK(mode):
        return "a socket"
    return "not a regular file"


def _too_big(where: str, size: str, limit: int) -> ImageInputError:
    return ImageInputError(
        f"{where}: the file is {size}, over the {limit}-byte limit for a file sent inline, so it was not "
        "read. Downscale or compress it first, or send it by http(s) URL."
    )


_PIECE = 2**20


def _read_pipe(file: Any, limit: int, first: bytes = b"") -> bytes:
    # In pieces: read(n) would set n bytes aside up front, whatever arrives.
    data = bytearray(first)
    while len(data) <= limit:
        piece = file.read(min(_PIECE, limit + 1 - len(data)))
        if not piece:
            break
        data += piece
    return bytes(data)


def read_path(path: str | os.PathLike[str], limit: int, *, allow_pipe: bool = False) -> tuple[bytes, str]:
    """A file's bytes, read once and at most ``limit`` bytes of them; ``(bytes, where)``.

    The path is checked before anything is read: a directory, a device (``/dev/zero``),
    a socket, a pipe (unless ``allow_pipe``: the CLI's ``<(cat photo.png)``), or a file
    over ``limit`` is refused. At most ``limit + 1`` bytes are read, so a file that grows
    while read is refused too.
    """
    where = f"file {os.fspath(path)!r}"
    p = Path(path).expanduser()
    try:
        info = p.stat()
        pipe = allow_pipe and stat.S_ISFIFO(info.st_mode)
        if not stat.S_ISREG(info.st_mode) and not pipe:
            msg = f"{where}: is {_kind(info.st_mode)}, not an image file. Give the path of a regular file"
            if allow_pipe:  # the CLI: bytes cannot be passed from a shell
                folder = " (for every image in a folder, list them: folder/*.jpg)" if stat.S_ISDIR(info.st_mode) else ""
                raise ImageInputError(msg + folder + ".")
            raise ImageInputError(msg + ", or read the data yourself and pass the bytes.")
        if info.st_size > limit:
            raise _too_big(where, f"{info.st_size} bytes", limit)
        with p.open("rb") as file:
            data = file.read(info.st_size + 1) if not pipe else _read_pipe(file, limit)
        if not pipe and len(data) > info.st_size:
            raise ImageInputError(f"{where}: the file grew while it was read; give a file that is complete.")
    except FileNotFoundError:
        hint = ""
        if isinstance(path, str) and len(path) > 64 and _B64_RE.fullmatch(path):
            hint = " It looks like base64 data: pass base64.b64decode(...) bytes or a data URL instead."
            where = f"file {path[:40] + '...'!r}"
        raise ImageInputError(f"{where}: no such file.{hint}") from None
    except OSError as exc:
        raise ImageInputError(f"{where}: cannot be read ({exc.strerror or exc}).") from None
    if len(data) > limit:
        raise _too_big(where, f"more than {limit} bytes", limit)
    if not data:
        raise ImageInputError(f"{where}: the file is empty.")
    return data, where


URL_RE = re.compile(r"[A-Za-z][A-Za-z0-9+.-]+://")
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
        detail: ``"auto"``, ``"low"``, ``"high"`` or ``"original"`` (OpenRouter; ``"high"``
            where unsupported): how closely the model looks (and what it costs).
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
    if detail is not None and detail not in ("auto", "low", "high", "original"):
        msg = f"image_block: detail must be 'auto', 'low', 'high' or 'original', not {detail!r}."
        raise ImageInputError(msg)
    want = _wanted_type(mime_type)
    process = max_side is not None or max_bytes is not None

    image = _pil_image(source)
    if image is not None:
        data, mime = pillow().encode_image(
            image, where="PIL image", mime_type=want, max_side=max_side, max_bytes=max_bytes
        )
        return _image_base64_block(base64.b64encode(data).decode("ascii"), mime, detail)

    if isinstance(source, str) and source[:5].lower() == "data:":
        where = f"data URL {source[:30] + '...'!r}"
        _, payload = parse_data_url(source, where=where)
        payload = check_base64_payload(payload, where=where)
        sniffed = sniff_mime_type(base64_head(payload))
        if not process and want in (None, sniffed) and sniffed in COMMON_IMAGE_TYPES:
            problem = base64_problem(payload, decoded_size(payload))
            if problem is not None:
                raise incomplete_image(where, problem)
            return _image_base64_block(payload, sniffed, detail)  # checked; no need to decode it all
        return _image_from_bytes(base64.b64decode(payload), where, want, detail, max_side, max_bytes)

    if isinstance(source, str) and URL_RE.match(source):
        where = f"URL {source[:80]!r}"
        check_image_url(source, where=where)
        if process or want is not None:
            msg = (
                f"{where}: max_side, max_bytes and mime_type need the image's bytes, but a URL is "
                "fetched by the router. Download it and pass the bytes, or leave those options out."
            )
            raise ImageInputError(msg)
        return _with_detail({"type": "image", "url": source}, detail)

    limit = MAX_READ_BYTES if process or want is not None else DEFAULT_MAX_IMAGE_BYTES
    data, where = _read_bytes(source, "image_block", limit)
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
        _require_pdf(sniff_mime_type(base64_head(payload)), where)
        return _file_base64_block(payload, filename or "document.pdf")
    if isinstance(source, str) and URL_RE.match(source):
        check_image_url(source, where=f"URL {source[:80]!r}")
        name = filename or posixpath.basename(urlsplit(source).path) or "document.pdf"
        return {"type": "file", "url": source, "filename": name}
    data, where = _read_bytes(source, "file_block", MAX_READ_BYTES)
    if filename is None:
        own = source if isinstance(source, (str, os.PathLike)) else getattr(source, "name", None)
        filename = os.path.basename(os.fspath(own)) if isinstance(own, (str, os.PathLike)) else None
    return _pdf_from_bytes(data, where, filename)


def _pdf_from_bytes(data: bytes, where: str, filename: str | None) -> dict[str, Any]:
    _require_pdf(sniff_mime_type(data[:16]), where)
    return _file_base64_block(base64.b64encode(data).decode("ascii"), filename or "document.pdf")


def path_block(
    path: str,
    *,
    detail: str | None = None,
    max_side: int | None = None,
    allow_pipe: bool = False,
    check_type: Callable[[str | None], None] | None = None,
) -> dict[str, Any]:
    """A local file as an image or a PDF block, by its bytes, reading it once (the CLI's files).

    Reading once matters for a pipe (``<(cat photo.png)``), which cannot be read twice.
    ``check_type`` sees the type read from the bytes first (the CLI's own advice for a BMP).
    """
    _check_limit("max_side", max_side)
    data, where = read_path(path, MAX_READ_BYTES if max_side else DEFAULT_MAX_IMAGE_BYTES, allow_pipe=allow_pipe)
    mime = sniff_mime_type(data[:16])
    if check_type is not None:
        check_type(mime)
    if mime == "application/pdf":
        return _pdf_from_bytes(data, where, os.path.basename(path))
    return _image_from_bytes(data, where, None, detail, max_side, None)


def _check_limit(name: str, value: int | None) -> None:
    if value is not None and (isinstance(value, bool) or not isinstance(value, int) or value <= 0):
        raise ImageInputError(f"image_block: {name} must be a positive number of {name[4:]}s, not {value!r}.")


def _wanted_type(mime_type: str | None) -> str | None:
    if mime_type is None:
        return None
    want = canonical_mime(mime_type)
    if want not in COMMON_IMAGE_TYPES:
        raise ImageInputError(f"image_block: mime_type {mime_type!r} is not one routers accept: {_ACCEPTED}.")
    return want


def _pil_image(source: Any) -> Any:
    # PIL can only have made the object if PIL is imported: never import it to check.
    module = sys.modules.get("PIL.Image")
    return source if module is not None and isinstance(source, module.Image) else None


def _read_bytes(source: Any, caller: str, limit: int) -> tuple[bytes, str]:
    if isinstance(source, (bytes, bytearray, memoryview)):
        data = bytes(source)
        if not data:
            raise ImageInputError(f"{caller}: the bytes are empty.")
        where = f"{len(data)} bytes given to {caller}"
        if len(data) > limit:
            raise _too_big(where, f"{len(data)} bytes", limit)
        return data, where
    if isinstance(source, (str, os.PathLike)):
        return read_path(source, limit)
    if callable(getattr(source, "read", None)):
        name = getattr(source, "name", None)
        where = f"file object {os.fspath(name)!r}" if isinstance(name, (str, os.PathLike)) else "file object"
        try:
            data = source.read(_PIECE)
            if isinstance(data, str):
                raise ImageInputError(f"{where}: opened in text mode; open it in binary mode ('rb').")
            if not isinstance(data, (bytes, bytearray, memoryview)):
                raise ImageInputError(f"{where}: read() returned {type(data).__name__}, not bytes.")
            if len(data) == _PIECE:
                data = _read_pipe(source, limit, bytes(data))
        except OSError as exc:
            raise ImageInputError(f"{where}: cannot be read ({exc}).") from None
        if not data:
            raise ImageInputError(f"{where}: nothing to read (empty, or already read to the end).")
        if len(data) > limit:
            raise _too_big(where, f"more than {limit} bytes", limit)
        return bytes(data), where
    raise ImageInputError(f"{caller}: cannot read {type(source).__name__}; give {_SOURCES}.")


def _looks_like_text(data: bytes) -> bool:
    """Whether the first KiB reads as UTF-8 text (no NUL): a text file given as an image."""
    head = data[:1024]
    if b"\0" in head:
        return False
    try:
        head.decode("utf-8")
    except UnicodeDecodeError as exc:
        return exc.start >= len(head) - 3  # only a character cut at the window's end
    return True


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
        if sniffed is None and _looks_like_text(data):
            # Text cannot be converted to an image: say what it is, not how to convert it.
            msg = (
                f"{where}: the data is text, not an image routers accept. Give an image ({_ACCEPTED}) or a "
                "PDF; to send text, put it in the prompt."
            )
            raise ImageInputError(msg)
        hint = (
            ' Convert it with image_block(..., mime_type="image/png") (needs Pillow).'
            if sniffed in _CONVERTIBLE
            else " Convert it to PNG or JPEG first."
        )
        msg = (
            f"{where}: the bytes are {type_name(sniffed)}, not an image routers accept. "
            f"Accepted image types: {_ACCEPTED}."
        )
        raise ImageInputError(msg + hint)
    problem = image_problem(data[:HEADER_BYTES], data, len(data), whole=True) if sniffed in COMMON_IMAGE_TYPES else None
    if problem is not None:
        raise incomplete_image(where, problem)
    mime = sniffed or ""
    if max_side is not None or max_bytes is not None or (want is not None and want != sniffed):
        convert_to = want if want is not None and want != sniffed else None
        data, mime = pillow().fit_image(
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
        raise ImageInputError(f"{where}: the bytes are {type_name(mime)}, not a PDF; file_block takes PDFs.{use}")


def _file_base64_block(payload: str, filename: str) -> dict[str, Any]:
    return {"type": "file", "base64": payload, "mime_type": "application/pdf", "filename": filename}


def is_web_url(source: str) -> bool:
    """Whether ``source`` is an http(s) URL (fetched by the router, not read here)."""
    return source[:8].lower().startswith(("http://", "https://"))


def is_pdf_url(source: str) -> bool:
    """Whether a URL (or data URL) is to be sent as a PDF file part: from its type or path."""
    if source[:5].lower() == "data:":
        return source[5:21].lower() == "application/pdf;"
    if is_web_url(source):
        from urllib.parse import urlsplit

        return urlsplit(source).path.lower().endswith(".pdf")
    return False
