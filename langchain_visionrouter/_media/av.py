"""``video_block`` and ``audio_block``: a file, bytes or a URL -> a LangChain standard video or
audio content block, checked before any request (type read from the bytes, size, the router's formats).

What the router takes (OpenRouter's "Video Inputs" and "Audio" guides):

* video: a ``video_url`` part holding an http(s) URL or a base64 data URL; formats
  ``video/mp4``, ``video/mpeg``, ``video/mov``, ``video/webm``. Which providers fetch URLs
  varies (Gemini on AI Studio: YouTube links only), so a URL is passed as given.
* audio: an ``input_audio`` part, base64 only ("direct URLs are not supported for audio
  content"); formats wav, mp3, aiff, aac, ogg, flac, m4a (and raw pcm16/pcm24, which has
  no header to read: give such bytes with ``audio_format``).

Size: both guides are silent ("check model-specific file size limits"). The default
ceiling is 20 MiB decoded, the inline-data limit of a Gemini request (the models the
guides use); ``max_bytes`` raises it for a model known to take more.
"""

from __future__ import annotations

import base64
from collections.abc import Mapping
from typing import Any

from langchain_visionrouter._media.blocks import URL_RE, _read_bytes, _too_big, is_web_url
from langchain_visionrouter._media.checks import (
    base64_head,
    check_base64_payload,
    decoded_size,
    parse_data_url,
    sniff_mime_type,
    type_name,
)
from langchain_visionrouter._media.types import (
    ROUTER_AUDIO_TYPES,
    ROUTER_VIDEO_TYPES,
    audio_mime_for,
    canonical_mime,
    type_label,
)
from langchain_visionrouter._media.urls import check_image_url
from langchain_visionrouter.errors import ImageInputError

__all__ = ["DEFAULT_MAX_MEDIA_BYTES", "audio_block", "sniff_av_type", "video_block"]

#: Ceiling on an inline video or audio file (decoded bytes); see the module docstring.
DEFAULT_MAX_MEDIA_BYTES = 20 * 2**20

# ISO base media (MP4, MOV, M4A): the ``ftyp`` box's major brand says which.
_QUICKTIME_BRANDS = (b"qt  ",)
_AUDIO_MP4_BRANDS = (b"M4A ", b"M4B ", b"M4P ", b"F4A ")
_IMAGE_BRANDS = (b"avif", b"avis", b"heic", b"heix", b"hevc", b"heim", b"heis", b"mif1", b"msf1")
# Old QuickTime files start with an atom other than ``ftyp``.
_QUICKTIME_ATOMS = (b"moov", b"mdat", b"wide", b"free", b"skip", b"pnot")


def sniff_av_type(head: bytes) -> str | None:
    """The MIME type of a video or audio file from its first bytes (64 are enough), or ``None``.

    Containers read: MP4/M4V, MOV, M4A (the ``ftyp`` brand), WebM and Matroska (EBML, its
    doctype), MPEG program streams, AVI, WAV, AIFF, FLAC, Ogg, MP3 (ID3 tag or frame sync)
    and AAC (ADTS). MPEG transport streams (``.ts``) are not read: no router lists them.
    """
    if head[4:8] == b"ftyp":
        brand = head[8:12]
        if brand in _QUICKTIME_BRANDS:
            return "video/quicktime"
        if brand in _AUDIO_MP4_BRANDS:
            return "audio/mp4"
        if brand in _IMAGE_BRANDS:
            return None  # HEIC/AVIF: images
        return "video/mp4"
    if head[4:8] in _QUICKTIME_ATOMS:
        return "video/quicktime"
    if head.startswith(b"\x1a\x45\xdf\xa3"):  # EBML: WebM or Matroska, by the doctype near the start
        return "video/webm" if b"webm" in head[:64] else "video/x-matroska"
    if head[:4] in (b"\x00\x00\x01\xba", b"\x00\x00\x01\xb3"):  # MPEG-PS pack / MPEG-1 sequence header
        return "video/mpeg"
    if head[:4] == b"RIFF" and head[8:12] == b"WAVE":
        return "audio/wav"
    if head[:4] == b"RIFF" and head[8:12] == b"AVI ":
        return "video/x-msvideo"
    if head[:4] == b"FORM" and head[8:12] in (b"AIFF", b"AIFC"):
        return "audio/aiff"
    if head.startswith(b"fLaC"):
        return "audio/flac"
    if head.startswith(b"OggS"):
        return "audio/ogg"
    if head.startswith(b"ID3"):
        return "audio/mpeg"
    if head.startswith(b"ADIF"):
        return "audio/aac"
    if len(head) >= 2 and head[0] == 0xFF and head[1] & 0xE0 == 0xE0:
        layer = (head[1] >> 1) & 0b11
        return "audio/aac" if layer == 0 else "audio/mpeg"  # ADTS has layer 00; MPEG audio 01-11
    return None


def _media_type(head: bytes) -> str | None:
    return sniff_av_type(head) or sniff_mime_type(head[:16])


_VIDEO_ACCEPTED = ", ".join(type_label(m) for m in ROUTER_VIDEO_TYPES)
_AUDIO_ACCEPTED = ", ".join(sorted(type_label(m) for m in ROUTER_AUDIO_TYPES))


def _check_limit(caller: str, max_bytes: int) -> None:
    if isinstance(max_bytes, bool) or not isinstance(max_bytes, int) or max_bytes <= 0:
        raise ImageInputError(f"{caller}: max_bytes must be a positive number of bytes, not {max_bytes!r}.")


def _payload(source: Any, caller: str, max_bytes: int) -> tuple[str, bytes, str]:
    """``(base64 payload, its first bytes, where)`` of a data URL, bytes, a path or a file object."""
    if isinstance(source, str) and source[:5].lower() == "data:":
        where = f"data URL {source[:30] + '...'!r}"
        _, payload = parse_data_url(source, where=where)
        payload = check_base64_payload(payload, where=where)
        size = decoded_size(payload)
        if size > max_bytes:
            raise _too_big(where, f"{size} bytes", max_bytes)
        return payload, base64_head(payload, 64), where
    data, where = _read_bytes(source, caller, max_bytes)
    return base64.b64encode(data).decode("ascii"), data[:64], where


def video_block(
    source: Any, *, max_bytes: int = DEFAULT_MAX_MEDIA_BYTES, options: Mapping[str, Any] | None = None
) -> dict[str, Any]:
    """Make a LangChain standard video content block, checked before any request.

    Args:
        source: A path (``str`` or ``Path``), ``bytes``, a binary file object, a
            ``data:video/...;base64,`` URL, or an ``http(s)`` URL (a YouTube link, a file
            URL), kept as a URL for the router to fetch.
        max_bytes: Ceiling on a file sent inline (decoded bytes; default 20 MiB).
        options: Extra fields of the wire part's ``video_url`` object, sent as given (for
            options a provider documents beyond ``url``, e.g. a Gemini processing mode).

    Returns:
        ``{"type": "video", "base64": ..., "mime_type": ...}`` or ``{"type": "video",
        "url": ...}``, with ``extras`` holding ``options``.

    Raises:
        ImageInputError: The source cannot be read, is too big, or is not a video type the
            router lists (MP4, MPEG, MOV, WebM; read from the bytes, never from a name).

    Example:
        .. code-block:: python

            from langchain_core.messages import HumanMessage
            from langchain_visionrouter import ChatVisionRouter, video_block

            llm = ChatVisionRouter(model="google/gemini-2.5-flash", vision_check="error")
            llm.invoke([HumanMessage(content=[
                {"type": "text", "text": "What happens in this clip?"},
                video_block("clip.mp4"),
            ])])
    """
    _check_limit("video_block", max_bytes)
    if options is not None and not isinstance(options, Mapping):
        raise ImageInputError(f"video_block: options must be a dict of video_url fields, not {type(options).__name__}.")
    if options and "url" in options:
        raise ImageInputError("video_block: options must not set 'url'; give the video as the source.")
    if isinstance(source, str) and URL_RE.match(source):
        check_image_url(source, where=f"URL {source[:80]!r}")
        block: dict[str, Any] = {"type": "video", "url": source}
    else:
        payload, head, where = _payload(source, "video_block", max_bytes)
        mime = _media_type(head)
        if mime not in ROUTER_VIDEO_TYPES:
            hint = " Use audio_block(...) for audio." if mime in ROUTER_AUDIO_TYPES else ""
            msg = f"{where}: the bytes are {type_name(mime)}, not a video type the router takes ({_VIDEO_ACCEPTED})."
            raise ImageInputError(msg + hint + " Convert it (e.g. with ffmpeg) to MP4 first.")
        block = {"type": "video", "base64": payload, "mime_type": ROUTER_VIDEO_TYPES[mime]}
    if options:
        block["extras"] = dict(options)
    return block


def audio_block(
    source: Any, *, max_bytes: int = DEFAULT_MAX_MEDIA_BYTES, audio_format: str | None = None
) -> dict[str, Any]:
    """Make a LangChain standard audio content block, checked before any request.

    Audio is always sent inline: the router takes no audio URLs.

    Args:
        source: A path (``str`` or ``Path``), ``bytes``, a binary file object, or a
            ``data:audio/...;base64,`` URL.
        max_bytes: Ceiling on the file (decoded bytes; default 20 MiB).
        audio_format: The ``input_audio.format`` to send, for bytes without a header
            (``"pcm16"``, ``"pcm24"``); by default the format is read from the bytes (WAV,
            MP3, FLAC, Ogg, AAC, M4A, AIFF).

    Returns:
        ``{"type": "audio", "base64": ..., "mime_type": ...}``.

    Raises:
        ImageInputError: The source cannot be read, is too big, is a URL, or is not an
            audio type the router lists.

    Example:
        .. code-block:: python

            llm.invoke([HumanMessage(content=[
                {"type": "text", "text": "Transcribe this."},
                audio_block("memo.mp3"),
            ])])
    """
    _check_limit("audio_block", max_bytes)
    if isinstance(source, str) and URL_RE.match(source):
        kind = "an http(s) URL" if is_web_url(source) else "a URL"
        msg = f"audio_block: {kind} cannot be sent: the router takes audio inline only. Download it and pass the path."
        raise ImageInputError(msg)
    payload, head, where = _payload(source, "audio_block", max_bytes)
    if audio_format is not None:
        if not isinstance(audio_format, str) or not audio_format.strip():
            raise ImageInputError(
                f"audio_block: audio_format must be a format name such as 'wav', not {audio_format!r}."
            )
        fmt = audio_format.strip().lower()
        # The format rides in extras too: pcm16 and pcm24 share one MIME type (audio/pcm).
        return {"type": "audio", "base64": payload, "mime_type": audio_mime_for(fmt), "extras": {"format": fmt}}
    mime = _media_type(head)
    if mime not in ROUTER_AUDIO_TYPES:
        hint = " Use video_block(...) for video." if mime in ROUTER_VIDEO_TYPES else ""
        msg = f"{where}: the bytes are {type_name(mime)}, not an audio type the router takes ({_AUDIO_ACCEPTED})."
        raise ImageInputError(msg + hint + " Raw PCM: pass audio_format='pcm16' (or 'pcm24').")
    return {"type": "audio", "base64": payload, "mime_type": canonical_mime(mime)}
