"""What gateways add to the OpenAI schema: reasoning dialects, content lists, fields kept raw. Pure.

Reasoning arrives in four dialects (docs/gateways.md has the table, with sources):

- ``reasoning`` (OpenRouter, Groq, vLLM >= 0.11): kept as ``additional_kwargs["reasoning"]``;
- ``reasoning_content`` (DeepSeek, Z.ai, SGLang, vLLM < 0.11): kept as
  ``additional_kwargs["reasoning_content"]``, where ChatDeepSeek puts it;
- ``reasoning_details`` (OpenRouter): kept as ``additional_kwargs["reasoning_details"]``;
- Mistral's ``{"type": "thinking", "thinking": [{"type": "text", "text": ...}]}`` content
  parts: their text is kept as ``additional_kwargs["thinking"]``.

``additional_kwargs["reasoning_content"]`` is also where ChatGroq, ChatOpenRouter and
ChatDeepSeek put the reasoning whatever its wire field, so every dialect's text is found
there too (the same string, not a copy). Which key holds it *as sent* decides what is sent
back (see ``_request/messages.py``): a ``reasoning_content`` next to ``reasoning`` or
``thinking`` is that mirror, and is never sent.

Fields the package does not map are kept, never dropped (:data:`KEPT_PLACES`): a message's or
delta's in ``additional_kwargs[field]``, a choice's in ``response_metadata[field]``, a tool
call's in ``additional_kwargs["tool_call_fields"][call_id][field]``. Streamed, they are merged
(:func:`merge_kept`) and sent once on the closing chunk, so that the summed stream holds what
the non-streamed answer holds (summing chunks would join repeated strings and add numbers).

Types are checked where a value is certainly wrong (a ``content`` that is a number): the
check raises :class:`Malformed`, which the answer mapper turns into the typed error.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from typing import Any

__all__ = [
    "CALL_TYPES",
    "CHOICE_TYPES",
    "DELTA_FIELDS",
    "FUNCTION_TYPES",
    "KEPT_PLACES",
    "MAPPED_CALL_FIELDS",
    "MAPPED_CHOICE_FIELDS",
    "MESSAGE_TYPES",
    "PLAIN_CHOICE",
    "PLAIN_DELTA",
    "TOP_TYPES",
    "Malformed",
    "check_details",
    "check_fields",
    "merge_kept",
    "reasoning_kwargs",
    "split_content",
    "warn_raw",
]

logger = logging.getLogger("langchain_visionrouter")

#: Where each kind of unmapped field is kept (the docs' table says the same).
KEPT_PLACES = {
    "answer or chunk (top level)": "response_metadata[field]",
    "choice": "response_metadata[field]",
    "message or delta": "additional_kwargs[field]",
    "tool call": 'additional_kwargs["tool_call_fields"][tool_call_id][field]',
}

_STR = (str,)
_INT = (int,)
_NUM = (int, float)
#: A JSON object: decoded answers are dicts, checked first (the fast path); any Mapping passes.
OBJECT = (dict, Mapping)
_MAP = OBJECT
_LIST = (list,)

#: Top-level answer fields and the types they must have when present (null is always allowed).
TOP_TYPES: dict[str, tuple[type, ...]] = {
    "id": _STR,
    "model": _STR,
    "provider": _STR,
    "system_fingerprint": _STR,
    "created": _NUM,
    "choices": _LIST,
    "usage": _MAP,
}
#: A choice's mapped fields and their types.
CHOICE_TYPES: dict[str, tuple[type, ...]] = {
    "index": _INT,
    "finish_reason": _STR,
    "native_finish_reason": _STR,
    "message": _MAP,
    "delta": _MAP,
}
MAPPED_CHOICE_FIELDS = frozenset({*CHOICE_TYPES, "logprobs", "error"})
#: A message's (or delta's) mapped fields and their types.
MESSAGE_TYPES: dict[str, tuple[type, ...]] = {
    "role": _STR,
    "content": (str, list),
    "reasoning": _STR,
    "reasoning_content": _STR,
    "reasoning_details": _LIST,
    "annotations": _LIST,
    "refusal": _STR,
    "tool_calls": _LIST,
    "images": _LIST,
    "audio": _MAP,
}
DELTA_FIELDS = frozenset(MESSAGE_TYPES)
#: The delta and choice of a plain text chunk: their mapping takes the short path.
PLAIN_DELTA = frozenset({"role", "content"})
PLAIN_CHOICE = frozenset({"index", "delta", "finish_reason", "native_finish_reason", "logprobs"})
#: A tool call's mapped fields (its others, such as Gemini's ``extra_content``, are kept).
MAPPED_CALL_FIELDS = frozenset({"id", "type", "function", "index"})
CALL_TYPES: dict[str, tuple[type, ...]] = {"id": _STR, "type": _STR, "function": _MAP, "index": _INT}
FUNCTION_TYPES: dict[str, tuple[type, ...]] = {"name": _STR, "arguments": (str, Mapping)}


class Malformed(ValueError):
    """A field of the answer has a type no reading can make sense of (the message says where)."""


def _kind(value: Any) -> str:
    names = {dict: "an object", list: "a list", str: "a string", bool: "a boolean", int: "a number", float: "a number"}
    return names.get(type(value), type(value).__name__)


def check_fields(obj: Mapping[str, Any], types: Mapping[str, tuple[type, ...]], where: str) -> None:
    """Raise :class:`Malformed` for a field of ``obj`` present with a wrong type (null is fine)."""
    for key, allowed in types.items():
        value = obj.get(key)
        if value is None:
            continue
        if not isinstance(value, allowed) or (type(value) is bool and bool not in allowed):
            expected = " or ".join(sorted({_kind(t()) if t is not Mapping else "an object" for t in allowed}))
            raise Malformed(f"{where}.{key} is {_kind(value)}, not {expected}")


def split_content(content: Any, where: str) -> tuple[str, str | None, list[Any] | None]:
    """``content`` -> (its text, Mistral's thinking text, the parts kept raw).

    A string is the text. A list is read part by part: ``text`` parts (and any part with a
    string ``text``) are the text, ``thinking`` parts are reasoning, any other part is kept
    raw (``additional_kwargs["content_parts"]``), never dropped.
    """
    if isinstance(content, str):
        return content, None, None
    if content is None:
        return "", None, None
    if not isinstance(content, list):
        raise Malformed(f"{where}.content is {_kind(content)}, not a string, a list of parts or null")
    texts: list[str] = []
    thinking: list[str] | None = None
    kept: list[Any] | None = None
    for i, part in enumerate(content):
        if isinstance(part, str):
            texts.append(part)
            continue
        if not isinstance(part, OBJECT):
            raise Malformed(f"{where}.content[{i}] is {_kind(part)}, not a content part (an object)")
        if part.get("type") == "thinking":
            thinking = thinking if thinking is not None else []
            thinking.append(_thinking_text(part.get("thinking"), f"{where}.content[{i}].thinking"))
            continue
        text = part.get("text")
        if isinstance(text, str):
            texts.append(text)
        elif text is not None:
            raise Malformed(f"{where}.content[{i}].text is {_kind(text)}, not a string")
        elif part:
            kept = kept if kept is not None else []
            kept.append(part)
    return "".join(texts), None if thinking is None else "".join(thinking), kept


def _thinking_text(thinking: Any, where: str) -> str:
    # Mistral's ThinkChunk: "thinking" is a list of text chunks (docs.mistral.ai, reasoning);
    # a plain string is read too.
    if isinstance(thinking, str) or thinking is None:
        return thinking or ""
    if not isinstance(thinking, list):
        raise Malformed(f"{where} is {_kind(thinking)}, not a list of text parts")
    out = []
    for i, part in enumerate(thinking):
        text = part.get("text") if isinstance(part, OBJECT) else part
        if not isinstance(text, str):
            raise Malformed(f"{where}[{i}] has no text string")
        out.append(text)
    return "".join(out)


def reasoning_kwargs(raw: Mapping[str, Any], thinking: str | None, out: dict[str, Any]) -> None:
    """Put a message's (or delta's) reasoning in ``out`` (``additional_kwargs``), by dialect.

    An empty ``reasoning_content`` string is kept: DeepSeek wants it back, even empty, on a
    tool-call turn (a 400 otherwise; see ``_request/messages.py``).
    """
    reasoning = raw.get("reasoning")
    if reasoning:
        out["reasoning"] = reasoning
    content = raw.get("reasoning_content")
    if content is not None:
        out["reasoning_content"] = content
    elif reasoning:
        out["reasoning_content"] = reasoning  # ChatGroq's and ChatOpenRouter's place for it
    if thinking:
        out["thinking"] = thinking
        out.setdefault("reasoning_content", thinking)


def merge_kept(old: Any, new: Any) -> Any:
    """Two streamed values of one kept field -> the one value a whole answer would hold.

    Objects merge key by key; lists of objects with an ``index`` merge item by item (Groq's
    ``executed_tools`` sends an entry again with its ``output``), other lists gain the items
    they lack; anything else: the later value wins (vLLM's ``stop_reason`` is null until the
    end). Docs are silent on how these fields stream: this is the reading that loses nothing.
    """
    if new is None:
        return old
    if isinstance(old, OBJECT) and isinstance(new, OBJECT):
        merged = dict(old)
        for key, value in new.items():
            merged[key] = merge_kept(merged.get(key), value)
        return merged
    if isinstance(old, list) and isinstance(new, list):
        merged_list = list(old)
        for item in new:
            index = item.get("index") if isinstance(item, OBJECT) else None
            at = None
            if isinstance(index, (int, str)):
                at = next(
                    (i for i, o in enumerate(merged_list) if isinstance(o, OBJECT) and o.get("index") == index), None
                )
            if at is not None:
                merged_list[at] = merge_kept(merged_list[at], item)
            elif item not in merged_list:
                merged_list.append(item)
        return merged_list
    return new


def warn_raw(what: str, where: str) -> None:
    """Say that something was kept raw instead of being mapped."""
    logger.warning("%s: %s; kept raw in additional_kwargs, not mapped", where, what)


def check_details(details: Any, where: str) -> None:
    """``reasoning_details`` items must be objects, their ``index`` (when set) a number."""
    if not details:
        return
    for i, item in enumerate(details):
        if not isinstance(item, OBJECT):
            raise Malformed(f"{where}.reasoning_details[{i}] is {_kind(item)}, not an object")
        index = item.get("index")
        if index is not None and (type(index) is not int):
            raise Malformed(f"{where}.reasoning_details[{i}].index is {_kind(index)}, not a number")
