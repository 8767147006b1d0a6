"""LangChain audio and video blocks (standard or OpenAI-style) -> the router's ``input_audio`` and
``video_url`` parts. Pure; the blocks :func:`~langchain_visionrouter.video_block` and
:func:`~langchain_visionrouter.audio_block` make are checked already, others are checked here.

The wire forms (OpenRouter's "Video Inputs" and "Audio" guides, the chat schema):
``{"type": "video_url", "video_url": {"url": <http(s) or data URL>}}`` and
``{"type": "input_audio", "input_audio": {"data": <raw base64>, "format": "wav"}}``.
The schema's ``video_url`` object declares only ``url`` but is open (no
``additionalProperties: false``), and the guide names a Gemini-only "processing mode" whose
field could not be read: a block's ``extras`` (but ``cache_control``) go into that object as
given, so a documented option reaches the router without a release of this package.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from langchain_visionrouter._media.av import sniff_av_type
from langchain_visionrouter._media.checks import base64_head, check_base64_payload
from langchain_visionrouter._media.types import ROUTER_AUDIO_TYPES, ROUTER_VIDEO_TYPES, audio_format_for, canonical_mime
from langchain_visionrouter._media.urls import check_image_url
from langchain_visionrouter._wire.body import DataURL
from langchain_visionrouter.errors import InvalidInputError

__all__ = ["audio_part", "video_part"]

_NOT_OPTIONS = frozenset({"cache_control", "format"})


def _options(block: Mapping[str, Any]) -> dict[str, Any]:
    extras = block.get("extras")
    return {k: v for k, v in extras.items() if k not in _NOT_OPTIONS} if isinstance(extras, Mapping) else {}


def audio_part(block: Mapping[str, Any], where: str) -> dict[str, Any]:
    """An ``input_audio`` part; the format from ``extras["format"]``, else the bytes, else ``mime_type``."""
    if isinstance(block.get("input_audio"), Mapping):
        return {"type": "input_audio", "input_audio": dict(block["input_audio"])}
    if "url" in block and "base64" not in block:
        msg = f"{where}: audio by URL cannot be sent: the router takes audio inline only (base64)."
        raise InvalidInputError(msg + " Download it and use audio_block(path).")
    data = block.get("base64") if "base64" in block else block.get("data")
    mime = block.get("mime_type")
    if not isinstance(data, str) or not isinstance(mime, str):
        raise InvalidInputError(f"{where}: audio block needs 'base64' and 'mime_type'.")
    data = check_base64_payload(data, where=where)
    extras = block.get("extras")
    fmt = extras.get("format") if isinstance(extras, Mapping) else None
    if not isinstance(fmt, str):
        # The bytes win over a declared type that contradicts them (as for images).
        sniffed = sniff_av_type(base64_head(data, 64))
        fmt = audio_format_for(sniffed if sniffed in ROUTER_AUDIO_TYPES else mime)
    return {"type": "input_audio", "input_audio": {"data": data, "format": fmt}}


def video_part(block: Mapping[str, Any], where: str) -> dict[str, Any]:
    """A ``video_url`` part, with the block's ``extras`` as further ``video_url`` fields."""
    if isinstance(block.get("video_url"), Mapping):
        return {"type": "video_url", "video_url": dict(block["video_url"])}
    options = _options(block)
    if isinstance(block.get("url"), str):
        check_image_url(block["url"], where=where)
        return {"type": "video_url", "video_url": {"url": block["url"], **options}}
    data, mime = block.get("base64"), block.get("mime_type")
    if isinstance(data, str) and isinstance(mime, str):
        data = check_base64_payload(data, where=where)
        sniffed = sniff_av_type(base64_head(data, 64))
        mime = ROUTER_VIDEO_TYPES.get(sniffed or canonical_mime(mime), mime)
        return {"type": "video_url", "video_url": {"url": DataURL(mime, data), **options}}
    raise InvalidInputError(f"{where}: video block needs 'url', or 'base64' with 'mime_type'.")
