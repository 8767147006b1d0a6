"""Input-token estimates offline: no tokenizer, no download. Pure.

What a request will be billed before it is sent, for ``get_num_tokens_from_messages``
(and so ``trim_messages(token_counter=llm)``) and ``visionrouter ask --estimate``:

* **images** by the token rule of the model's family in the one table of family facts
  (:data:`langchain_visionrouter._router.profiles.PROFILES`, each row with its source;
  :data:`~langchain_visionrouter._router.profiles.FALLBACK` otherwise), counted on the
  size the family sees the image at, from the pixel size read from the image's header
  (never decoded);
* **text** by OpenAI's rule of thumb, one token per :data:`CHARS_PER_TOKEN` characters
  (routers serve many tokenizers; none is downloaded), plus :data:`TOKENS_PER_MESSAGE`
  per message and :data:`TOKENS_PER_REPLY` to prime the answer (OpenAI's cookbook);
* **PDFs** at :data:`TOKENS_PER_PDF_PAGE` per page (pages counted in the file).

These are estimates: the router's bill (``usage_metadata``) is the truth.
"""

from __future__ import annotations

import base64
import binascii
import json
import math
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from langchain_visionrouter._media.checks import DATA_URL_RE, base64_head
from langchain_visionrouter._media.header import HEADER_BYTES, image_dimensions
from langchain_visionrouter._router.profiles import FALLBACK, Profile, image_tokens, profile_for
from langchain_visionrouter._wire.body import DataURL

if TYPE_CHECKING:
    from langchain_core.messages import BaseMessage

    from langchain_visionrouter._media.checks import ImagePolicy
    from langchain_visionrouter._request.prepare import PreparedCall

__all__ = [
    "CHARS_PER_TOKEN",
    "UNKNOWN_SIZE",
    "Estimate",
    "TokenEstimates",
    "estimate_call",
    "estimate_payload",
    "round_price",
    "text_tokens",
]

CHARS_PER_TOKEN = 4  # OpenAI: "one token is roughly 4 characters of English text"
TOKENS_PER_MESSAGE = 3  # OpenAI cookbook, "How to count tokens with tiktoken"
TOKENS_PER_REPLY = 3
#: Anthropic's PDF support page: each page costs 1,500-3,000 tokens of text; the lower bound.
TOKENS_PER_PDF_PAGE = 1500
#: The pixel size assumed for an image whose size cannot be read without fetching it (a URL).
UNKNOWN_SIZE = (1024, 1024)


def text_tokens(text: str) -> int:
    """Tokens of a text by the characters rule."""
    return math.ceil(len(text) / CHARS_PER_TOKEN)


@dataclass
class Estimate:
    """Estimated input tokens of a request, and how they were counted."""

    tokens: int = 0
    """All of it: text, images, files, message overhead."""
    image_tokens: int = 0
    images: int = 0
    images_of_unknown_size: int = 0
    """Images whose size could not be read (URLs): counted at :data:`UNKNOWN_SIZE`."""
    pdf_pages: int = 0
    rule: str = ""
    """The image rule used, with its source."""


def _base64_of(url: Any) -> str | None:
    if isinstance(url, DataURL):
        return url.data
    if isinstance(url, str) and url[:5].lower() == "data:" and ";base64," in url[:100]:
        return url.split(",", 1)[1]
    return None


def _image_head(url: Any) -> bytes | None:
    """The first :data:`HEADER_BYTES` of an inline image, decoded (the size is there); no copy of the rest."""
    window = HEADER_BYTES // 3 * 4
    if isinstance(url, DataURL):
        return base64_head(url.data[:window], HEADER_BYTES)
    match = DATA_URL_RE.match(url) if isinstance(url, str) else None
    if match is None or "base64" not in match.group(2).lower():
        return None
    return base64_head(url[match.end() : match.end() + window], HEADER_BYTES)


def _pdf_pages(payload: str) -> int:
    try:
        data = base64.b64decode(payload)
    except (binascii.Error, ValueError):
        return 1
    return max(1, len(re.findall(rb"/Type\s*/Page(?![a-zA-Z])", data)))


def _count_parts(parts: Iterable[Any], rule: Profile, out: Estimate) -> int:
    tokens = 0
    for part in parts:
        if not isinstance(part, Mapping):
            continue
        kind = part.get("type")
        if kind == "text":
            tokens += text_tokens(str(part.get("text") or ""))
        elif kind == "image_url":
            image = part.get("image_url") or {}
            head = _image_head(image.get("url"))
            size = image_dimensions(head) if head is not None else None
            if size is None:
                out.images_of_unknown_size += 1
                size = UNKNOWN_SIZE
            counted = image_tokens(rule, *size, detail=image.get("detail"))
            out.images += 1
            out.image_tokens += counted
            tokens += counted
        elif kind == "file":
            payload = _base64_of((part.get("file") or {}).get("file_data"))
            pages = _pdf_pages(payload) if payload is not None else 1
            out.pdf_pages += pages
            tokens += pages * TOKENS_PER_PDF_PAGE
    return tokens


def estimate_payload(messages: Sequence[Mapping[str, Any]], model: str, tools: Sequence[Any] = ()) -> Estimate:
    """Estimated input tokens of a chat-completions ``messages`` list (as the adapter sends it)."""
    rule = profile_for(model) or FALLBACK
    out = Estimate(rule=f"{rule.family} ({rule.token_source or rule.source})")
    tokens = TOKENS_PER_REPLY
    for message in messages:
        tokens += TOKENS_PER_MESSAGE
        content = message.get("content")
        if isinstance(content, str):
            tokens += text_tokens(content)
        elif isinstance(content, list):
            tokens += _count_parts(content, rule, out)
        for call in message.get("tool_calls") or ():
            tokens += text_tokens(json.dumps(call.get("function", call), ensure_ascii=False))
    if tools:
        tokens += text_tokens(json.dumps(list(tools), ensure_ascii=False, default=str))
    out.tokens = tokens
    return out


def estimate_call(call: PreparedCall) -> Estimate:
    """Estimated input tokens of a prepared call: of its body as it would be sent.

    The images counted are the ones the call carries, after ``image_fit`` and every
    resize, and a call that could not be prepared (an image refused) raised already: so
    ``--estimate`` (of ``visionrouter ask`` and ``visionrouter batch``) agrees with what
    the command sends.
    """
    body = call.body
    messages = body.get("messages")
    tools = body.get("tools")
    return estimate_payload(
        messages if isinstance(messages, list) else [], call.model, tools if isinstance(tools, list) else ()
    )


def round_price(value: float | None) -> float | None:
    """A price or cost without float noise (``0.09999999999999999`` -> ``0.1``): 12 significant digits."""
    return None if value is None else float(f"{value:.12g}")


class TokenEstimates:
    """The chat model's token counting (LangChain's ``get_num_tokens*``), by the rules above."""

    model: str

    def _image_policy(self) -> ImagePolicy:  # pragma: no cover - the chat model's own is used
        raise NotImplementedError

    def get_num_tokens_from_messages(self, messages: list[BaseMessage], tools: Sequence[Any] | None = None) -> int:
        """Estimated input tokens of ``messages`` (and ``tools``), offline: no tokenizer, no download.

        Images count by the published rule of the model's family (OpenAI tiles or
        patches by ``detail``, Anthropic by pixels, Gemini by tiles, Gemma flat; OpenAI's
        tile rule otherwise; see docs/model-families.md),
        from the size in each image's header; text by one token per 4 characters. So
        ``trim_messages(messages, token_counter=llm, max_tokens=...)`` works anywhere.

        Example:
            .. code-block:: python

                llm.get_num_tokens_from_messages([HumanMessage([image_block("photo.jpg")])])
        """
        from langchain_visionrouter._request.messages import convert_messages
        from langchain_visionrouter._request.tools import format_tools

        formatted = format_tools(tools) if tools else []
        return estimate_payload(convert_messages(messages, self._image_policy()), self.model, formatted).tokens

    def get_num_tokens(self, text: str) -> int:
        """Estimated tokens of a text (one per 4 characters), offline."""
        return text_tokens(text)
