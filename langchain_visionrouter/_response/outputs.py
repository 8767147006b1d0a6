"""Generated output -> LangChain standard blocks: images, audio, citations, server-tool activity.

Pure functions of the router's answer fields (router-wire-format-2.md, sections 1-4, 7):

- ``message.images`` / ``delta.images``: ``[{"type": "image_url", "image_url": {"url"}}]``
  (the spec's ``ChatAssistantImages`` has no ``type``: accepted too). Each entry is one
  whole image, never a fragment (the docs are silent on splitting; we read every entry as
  complete, in arrival order, and never join URLs across chunks). Only a
  ``data:image/...;base64,`` URL whose bytes are of the type it declares, or an ``http(s)``
  URL, becomes an image block; any other entry (a path, ``javascript:``, ``data:text/html``,
  bare base64) is kept raw in ``additional_kwargs["images"]`` with a warning, and is never
  sent back as an image.
- ``delta.audio``: ``{"data": <base64 fragment>, "transcript": <text fragment>}``; the data
  fragments are joined, then decoded once (summing the chunks' audio blocks does the join).
- ``annotations``: ``url_citation`` (nested, or the spec's flat ``URLCitation``) -> a
  LangChain ``Citation``; ``file`` annotations stay in ``additional_kwargs`` to send back.
- ``reasoning_details`` items ``reasoning.server_tool_call`` -> ``server_tool_call`` and
  ``server_tool_result`` blocks (the details themselves are kept, to be sent back unchanged).

Content with output blocks is a list: one text block at ``index`` 0, then each audio or
image block at an index of its own, so that LangChain's chunk summing joins the text
fragments, joins the audio fragments, and keeps images apart.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Iterable, Mapping
from typing import Any

from langchain_core.messages import content as types

from langchain_visionrouter._media.checks import DATA_URL_RE, base64_head, sniff_mime_type
from langchain_visionrouter._media.types import MIME_ALIASES, audio_mime_for
from langchain_visionrouter._response.dialects import OBJECT

logger = logging.getLogger("langchain_visionrouter")

__all__ = [
    "MAPPED_TOP_FIELDS",
    "OutputBlocks",
    "audio_mime",
    "citation",
    "image_block",
    "message_content",
    "output_options",
    "server_tool_blocks",
    "text_block",
    "unmapped_fields",
    "wants_audio",
    "wants_output_blocks",
]

#: Top-level answer fields mapped elsewhere; every other one is kept in response_metadata.
MAPPED_TOP_FIELDS = frozenset(
    {"id", "model", "provider", "object", "created", "choices", "usage", "cost", "cost_details", "is_byok", "error"}
)
# The first base64 characters of audio containers (RIFF, ID3, fLaC, OggS).
_AUDIO_MAGIC = (("UklGR", "audio/wav"), ("SUQz", "audio/mpeg"), ("ZkxhQ", "audio/flac"), ("T2dnUw", "audio/ogg"))


def wants_output_blocks(payload: Mapping[str, Any]) -> bool:
    """Whether a request asks for image or audio output (its answer's content is then a list)."""
    modalities = payload.get("modalities")
    return isinstance(modalities, list) and bool({"image", "audio"} & set(modalities))


def wants_audio(payload: Mapping[str, Any]) -> bool:
    """Whether a request asks for audio output (which the router only sends in a stream)."""
    modalities = payload.get("modalities")
    return isinstance(modalities, list) and "audio" in modalities


def output_options(payload: Mapping[str, Any]) -> dict[str, Any]:
    """What reading the answer to ``payload`` needs to know: list content? which audio format?"""
    audio = payload.get("audio")
    return {
        "output_blocks": wants_output_blocks(payload),
        "audio_format": audio.get("format") if isinstance(audio, OBJECT) else None,
    }


def text_block(text: str) -> dict[str, Any]:
    """The one text block of list content (index 0, so streamed fragments join)."""
    return {"type": "text", "text": text, "index": 0}


def image_block(entry: Any, index: int) -> dict[str, Any] | None:
    """A standard image block for one ``images`` entry, or ``None`` (with a warning) if it is not one.

    A ``data:image/<type>;base64,`` URL -> ``base64`` (its first bytes must not say another
    type; bytes no check knows are taken as declared); an ``http(s)`` URL -> ``url``.
    Nothing else: the spec's "URL or base64-encoded data" also allows bare base64, but a
    string without a scheme (``/files/out.png``) cannot be told from it, and sending it
    back as image data would be sending a path.
    """
    spec = entry.get("image_url", entry) if isinstance(entry, OBJECT) else None
    url = spec.get("url") if isinstance(spec, OBJECT) else spec
    if not isinstance(url, str) or not url:
        return _rejected("has no URL string", index)
    match = DATA_URL_RE.match(url)
    if match is not None:
        mime = match.group(1).strip().lower()
        if not mime.startswith("image/") or "base64" not in match.group(2).lower():
            return _rejected(f"is a data URL of {mime or 'no type'!r}, not base64 image data", index)
        data = url[match.end() :]
        sniffed = sniff_mime_type(base64_head(data))
        if sniffed is not None and sniffed != MIME_ALIASES.get(mime, mime):
            return _rejected(f"declares {mime} but its bytes are {sniffed}", index)
        return {"type": "image", "base64": data, "mime_type": mime, "index": index}
    if url[:8].lower().startswith(("http://", "https://")):
        return {"type": "image", "url": url, "index": index}
    return _rejected("is neither a data:image/...;base64 URL nor an http(s) URL", index)


def _rejected(why: str, index: int) -> dict[str, Any] | None:
    """No image block (``None``), and the warning saying why."""
    logger.warning("generated image %s %s; kept raw in additional_kwargs['images'], not as an image", index, why)
    return None


def audio_mime(requested_format: Any, data: str) -> str:
    """The audio's MIME type: from the format asked for, else from its first bytes."""
    if isinstance(requested_format, str) and requested_format:
        return audio_mime_for(requested_format)
    for prefix, mime in _AUDIO_MAGIC:
        if data.startswith(prefix):
            return mime
    return "audio/wav"  # OpenAI's default output format


def citation(annotation: Any) -> types.Citation | None:
    """A LangChain ``Citation`` for a ``url_citation`` annotation (nested or flat); else ``None``."""
    if not isinstance(annotation, OBJECT) or annotation.get("type") != "url_citation":
        return None
    spec = annotation.get("url_citation", annotation)
    if not isinstance(spec, OBJECT):
        return None
    out = types.Citation(type="citation")
    for key, target in (("url", "url"), ("title", "title"), ("content", "cited_text")):
        if isinstance(spec.get(key), str):
            out[target] = spec[key]  # type: ignore[literal-required]
    for key in ("start_index", "end_index"):
        if isinstance(spec.get(key), int):
            out[key] = spec[key]  # type: ignore[literal-required]
    return out


def server_tool_blocks(detail: Mapping[str, Any]) -> list[types.ContentBlock]:
    """``server_tool_call`` (and ``server_tool_result`` when it ran) for a ``reasoning.server_tool_call``."""
    call_id = str(detail.get("tool_call_id") or detail.get("id") or "")
    arguments = detail.get("arguments")
    args = _json_object(arguments)
    call = types.ServerToolCall(type="server_tool_call", id=call_id, name=str(detail.get("tool_name") or ""), args=args)
    if not args and isinstance(arguments, str) and arguments.strip():
        call["extras"] = {"arguments": arguments}  # not a JSON object: kept as sent
    blocks: list[types.ContentBlock] = [call]
    if "result" in detail:
        result = detail["result"]
        parsed = _json_value(result)
        failed = isinstance(parsed, OBJECT) and parsed.get("status") == "error"
        blocks.append(
            types.ServerToolResult(
                type="server_tool_result", tool_call_id=call_id, status="error" if failed else "success", output=parsed
            )
        )
    return blocks


def unmapped_fields(body: Mapping[str, Any], skip: Iterable[str] = ()) -> dict[str, Any]:
    """Top-level answer fields not mapped elsewhere (``openrouter_metadata``, ``service_tier``...)."""
    skipped = MAPPED_TOP_FIELDS.union(skip)
    return {k: v for k, v in body.items() if k not in skipped and v is not None}


def _json_value(value: Any) -> Any:
    if isinstance(value, str):
        try:
            return json.loads(value)
        except ValueError:
            return value
    return value


def _json_object(value: Any) -> dict[str, Any]:
    parsed = _json_value(value)
    return dict(parsed) if isinstance(parsed, OBJECT) else {}


def message_content(
    raw: Mapping[str, Any],
    text: str,
    *,
    listed: bool,
    audio_format: Any = None,
    raw_images: dict[str, Any] | None = None,
) -> str | list[Any]:
    """A non-streamed message's content: ``text``, or a list when it carries images or audio.

    ``listed``: the request asked for image or audio output, so the content is a list even
    when none came back (the same shape a stream of that request sums to).
    """
    audio = raw.get("audio")
    if not listed and audio is None and raw.get("images") is None:
        return text  # the common answer: text alone, no blocks to number
    blocks = OutputBlocks(listed=listed, audio_format=audio_format)
    transcript = audio.get("transcript") if isinstance(audio, OBJECT) else None
    if not text and isinstance(transcript, str):
        text = transcript
    return blocks.content(text, raw.get("images"), audio, whole=True, raw_images=raw_images)


class OutputBlocks:
    """Stream state for list content: which indexes are taken, and where the audio goes.

    Once content is a list (asked for up front, or on the first image or audio of a
    stream that did not ask), every later chunk's content is a list too, so that chunk
    sums never mix a string into it.
    """

    __slots__ = ("_audio_index", "_audio_sent", "_next", "_text_opened", "audio_format", "listed")

    def __init__(self, *, listed: bool, audio_format: Any = None) -> None:
        self.listed = listed
        self.audio_format = audio_format
        self._text_opened = False
        self._next = 1
        self._audio_index: int | None = None
        self._audio_sent: set[str] = set()

    def audio_metadata(self, audio: Any) -> dict[str, Any]:
        """The audio's other fields (``id``, ``expires_at``), each once (chunk sums join strings)."""
        if not isinstance(audio, OBJECT):
            return {}
        out = {
            k: v
            for k, v in audio.items()
            if k not in ("data", "transcript") and k not in self._audio_sent and v is not None
        }
        self._audio_sent.update(out)
        return out

    def content(
        self, text: str, images: Any, audio: Any, *, whole: bool = False, raw_images: dict[str, Any] | None = None
    ) -> str | list[Any]:
        """The content of one chunk (or of a whole message, ``whole=True``).

        Image entries that are not images (see :func:`image_block`) go to
        ``raw_images["images"]``, as sent.
        """
        media: list[dict[str, Any]] = []
        if isinstance(audio, OBJECT):
            data = audio.get("data")
            if not whole and isinstance(audio.get("transcript"), str):
                text += audio["transcript"]  # streamed transcript fragments are the text
            if isinstance(data, str) and data:
                media.append(self._audio(data))
        if isinstance(images, list):
            for entry in images:
                block = image_block(entry, self._next)
                if block is not None:
                    self._next += 1
                    media.append(block)
                elif raw_images is not None:
                    raw_images.setdefault("images", []).append(entry)
        if not (self.listed or media):
            return text
        self.listed = True
        blocks: list[Any] = []
        if text or not self._text_opened:
            blocks.append(text_block(text))  # index 0 comes first, so the sum puts text first
            self._text_opened = True
        return blocks + media

    def _audio(self, data: str) -> dict[str, Any]:
        if self._audio_index is None:
            self._audio_index = self._next
            self._next += 1
            mime = audio_mime(self.audio_format, data)
            return {"type": "audio", "base64": data, "mime_type": mime, "index": self._audio_index}
        return {"type": "audio", "base64": data, "index": self._audio_index}
