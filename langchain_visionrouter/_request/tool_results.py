"""Tool results that are images in disguise: a content block LangChain turned into JSON text.

A LangChain tool that returns ``image_block(...)`` (one dict) instead of
``[image_block(...)]`` (a list of content blocks) gets its result stringified with
``json.dumps``: the model would receive the base64 as text, megabytes of it, silently.
The intent is unambiguous (a JSON object that *is* an image or file content block), so
the block is sent as the image it is, with one warning per process saying how to write
it. Pure.
"""

from __future__ import annotations

import json
import warnings
from typing import Any

__all__ = ["blocks_in_tool_text"]

# Blocks that carry a payload (what makes a JSON text a disguised image), and the others a
# list of content blocks may hold beside them.
_PAYLOAD_TYPES = frozenset({"image", "image_url", "file"})
_BLOCK_TYPES = _PAYLOAD_TYPES | {"text"}
_PAYLOAD_KEYS = frozenset({"base64", "url", "data", "image_url", "file_id", "file", "source"})
_warned = False


def _is_block(value: Any) -> bool:
    return isinstance(value, dict) and value.get("type") in _BLOCK_TYPES


def _has_payload(value: dict[str, Any]) -> bool:
    return value.get("type") in _PAYLOAD_TYPES and bool(_PAYLOAD_KEYS & value.keys())


def blocks_in_tool_text(text: str, *, where: str) -> list[dict[str, Any]] | None:
    """The content blocks a tool result's text is the JSON of, if it holds an image or file block.

    ``None`` for any other text (plain text, JSON data that is not content blocks), which
    is sent unchanged.
    """
    head = text[:1] if text[:1] in "{[" else text.lstrip()[:1]
    if head not in ("{", "[") or '"type"' not in text:
        return None
    try:
        value = json.loads(text)
    except ValueError:
        return None
    blocks = [value] if isinstance(value, dict) else value
    if not isinstance(blocks, list) or not blocks or not all(_is_block(b) for b in blocks):
        return None
    if not any(_has_payload(b) for b in blocks):
        return None
    global _warned
    if not _warned:
        _warned = True
        warnings.warn(
            f"{where}: the tool result is the JSON text of an image (or file) content block, as LangChain "
            "writes a tool's dict result; it is sent as the image it is. Return a list of content blocks "
            "from the tool (e.g. `return [image_block(path)]`) to send images as intended by every model.",
            UserWarning,
            stacklevel=2,
        )
    return blocks
