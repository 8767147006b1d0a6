"""The Image API's answers -> LangChain standard image blocks, usage and cost. Data in, data out.

Buffered (``ImageGenerationResponse``): ``{"created", "data": [{"b64_json", "media_type"?}],
"usage"?: {"prompt_tokens", "completion_tokens", "total_tokens", "cost"?}}``. No ``id``: the
generation id is the ``X-Generation-Id`` header every OpenRouter answer carries.

Streamed (``stream: true``; only providers with native streaming, others answer buffered
JSON, read as such): ``data:`` events typed by ``type``:
``image_generation.partial_image`` (``partial_image_index``, ``b64_json``: a preview),
``image_generation.text_chunk`` (``text``, ``phase``: SVG text as it comes, spec only),
``image_generation.completed`` (``b64_json``, ``media_type``?, ``usage``?: one final image),
``error`` (``error: {message, code?, type?}``), then ``[DONE]``.

Lenient where the docs are silent: an item holding a ``url`` instead of ``b64_json`` is kept
as a URL block (Infron's image host answers URLs, with ``b64_json: ""``); a missing
``media_type`` is read from the bytes, else PNG; each ``completed`` event is one final image
in arrival order (whether ``n > 1`` streams several is not documented); unknown event types
are skipped. Strict where certainly wrong: an answer with no image at all, an item with
neither bytes nor URL, an error event, a stream cut short before ``[DONE]`` or any image.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from langchain_core.messages import AIMessage

from langchain_visionrouter._media.checks import base64_head, sniff_mime_type
from langchain_visionrouter._response.answers import Answer, StreamEnd, broken_stream
from langchain_visionrouter._response.fields import cost_metadata, usage_message
from langchain_visionrouter._wire import router_errors as _errors
from langchain_visionrouter._wire.router_errors import error_from_body
from langchain_visionrouter.errors import StreamError

__all__ = ["ImageStream", "image_message"]


def _block(item: Any, index: int, generation_id: str | None) -> dict[str, Any]:
    if not isinstance(item, Mapping):
        raise _errors.malformed_answer(
            f"image {index} of its answer is not an object: {item!r:.100}", generation_id=generation_id
        )
    data, url = item.get("b64_json"), item.get("url")
    media_type = item.get("media_type") if isinstance(item.get("media_type"), str) else None
    if isinstance(data, str) and data:
        mime = media_type or sniff_mime_type(base64_head(data)) or "image/png"
        block: dict[str, Any] = {"type": "image", "base64": data, "mime_type": mime}
    elif isinstance(url, str) and url:
        block = {"type": "image", "url": url}
        if media_type:
            block["mime_type"] = media_type
    else:
        msg = f"image {index} of its answer has neither b64_json nor url"
        raise _errors.malformed_answer(msg, item, generation_id=generation_id)
    extras = {k: item[k] for k in ("revised_prompt",) if isinstance(item.get(k), str) and item[k]}
    if extras:
        block["extras"] = extras
    return block


def image_message(answer: Answer, *, requested_model: str, provider_label: str) -> AIMessage:
    """A buffered answer -> an ``AIMessage`` whose content is the image blocks, with usage and cost."""
    body, gen = answer.body, answer.generation_id
    if not isinstance(body, Mapping):
        raise _errors.unexpected_answer("its answer is not a JSON object", body, generation_id=gen)
    items = body.get("data")
    if not isinstance(items, list) or not items:
        raise _errors.unexpected_answer(
            "its answer holds no images (no data)", body, generation_id=body.get("id") or gen
        )
    blocks = [_block(item, i, gen) for i, item in enumerate(items)]
    return usage_message(body, requested_model, provider_label, content=blocks, generation_id=gen)


@dataclass
class ImageStream:
    """Reads the Image API's stream, event by event: previews, final images, text, usage."""

    requested_model: str
    provider_label: str
    generation_id: str | None = None
    images: list[dict[str, Any]] = field(default_factory=list)
    text: list[str] = field(default_factory=list)
    usage: dict[str, Any] = field(default_factory=dict)
    whole: AIMessage | None = None

    def feed(self, event: Any) -> dict[str, Any] | None:
        """The block one event carries (a preview has ``extras["partial"]``), or ``None``.

        ``event`` is an SSE payload, or the whole judged :class:`Answer` of a provider that
        answered the stream request buffered. Raises ``StreamError`` for an error event
        or one that is not a JSON object.
        """
        if not isinstance(event, (bytes, str)):
            answer = event if isinstance(event, Answer) else Answer(event, self.generation_id)
            self.whole = image_message(answer, requested_model=self.requested_model, provider_label=self.provider_label)
            return None
        try:
            data = json.loads(event)
        except ValueError:
            raise self._error(f"the router sent a stream event that is not valid JSON: {event[:200]!r}") from None
        if not isinstance(data, Mapping):
            raise self._error(f"the router sent a stream event that is not a JSON object: {event[:200]!r}")
        kind = data.get("type")
        if kind == "error" or data.get("error"):
            raise error_from_body(data, generation_id=self.generation_id, cls=StreamError, partial=self._partial())
        if isinstance(data.get("usage"), Mapping):
            self.usage = {"usage": data["usage"], **cost_metadata(data)}
        if kind == "image_generation.partial_image":
            block = _block(data, len(self.images), self.generation_id)
            index = data.get("partial_image_index")
            block["extras"] = {"partial": True, "partial_image_index": index if isinstance(index, int) else 0}
            return block
        if kind == "image_generation.completed":
            block = _block(data, len(self.images), self.generation_id)
            self.images.append(block)
            return block
        # Only the answer's own text (SVG markup); reasoning and draft phases are not images.
        text_chunk = kind == "image_generation.text_chunk" and data.get("phase", "content") == "content"
        if text_chunk and isinstance(data.get("text"), str):
            self.text.append(data["text"])
        return None

    def result(self, end: StreamEnd) -> AIMessage:
        """The final message (images, usage, cost); raises if the stream failed or was cut short."""
        broken = broken_stream(end, self.generation_id, self._partial)
        if broken is not None:
            raise broken
        if self.whole is not None:
            return self.whole
        if not self.images and not self.text:
            what = "without [DONE]" if not end.done else "with [DONE]"
            raise self._error(f"the image stream ended {what} before any final image")
        if not end.done:
            raise self._error("the image stream ended before [DONE]: the answer may be incomplete")
        return self._partial()

    def _partial(self) -> AIMessage:
        content: list[dict[str, Any]] = list(self.images)
        if self.text:
            content.append({"type": "text", "text": "".join(self.text)})
        body = {**self.usage}
        return usage_message(
            body, self.requested_model, self.provider_label, content=content, generation_id=self.generation_id
        )

    def _error(self, message: str) -> StreamError:
        return _errors.stream_error(message, generation_id=self.generation_id, partial=self._partial())
