"""Answer fields -> LangChain types: usage, cost and tool calls (whole, or streamed fragments). Lenient.

Every field may be missing or null; ``cost`` may sit in ``usage`` (OpenRouter) or at
the root (Infron). Bad tool-call arguments become invalid calls; a tool call of a type no
reading fits (a number, a ``function`` that is a string) raises ``Malformed``.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any, cast

from langchain_core.messages import AIMessage, InvalidToolCall, ToolCall, ToolCallChunk
from langchain_core.messages.ai import InputTokenDetails, OutputTokenDetails, UsageMetadata
from langchain_core.messages.tool import invalid_tool_call, tool_call, tool_call_chunk

from langchain_visionrouter._response.dialects import (
    CALL_TYPES,
    FUNCTION_TYPES,
    MAPPED_CALL_FIELDS,
    OBJECT,
    Malformed,
    check_fields,
    merge_kept,
)

__all__ = ["ToolCallFragments", "as_object", "cost_metadata", "parse_tool_calls", "usage_message", "usage_metadata"]


def usage_metadata(usage: Mapping[str, Any] | None) -> UsageMetadata | None:
    """Map the router's ``usage`` object to LangChain's ``UsageMetadata``."""
    if not isinstance(usage, OBJECT):
        return None
    input_tokens = _int(usage.get("prompt_tokens"))
    output_tokens = _int(usage.get("completion_tokens"))
    total = usage.get("total_tokens")
    result = UsageMetadata(
        input_tokens=input_tokens,
        output_tokens=output_tokens,
        total_tokens=_int(total) if total is not None else input_tokens + output_tokens,
    )
    input_details = _details(usage.get("prompt_tokens_details"), _INPUT_DETAILS)
    if input_details:
        result["input_token_details"] = cast(InputTokenDetails, input_details)
    output_details = _details(usage.get("completion_tokens_details"), _OUTPUT_DETAILS)
    if output_details:
        result["output_token_details"] = cast(OutputTokenDetails, output_details)
    return result


# The router's token details -> LangChain's: (the router's field, LangChain's key).
_INPUT_DETAILS = (("cached_tokens", "cache_read"), ("cache_write_tokens", "cache_creation"), ("audio_tokens", "audio"))
_OUTPUT_DETAILS = (("reasoning_tokens", "reasoning"), ("audio_tokens", "audio"))


def _details(raw: Any, fields: tuple[tuple[str, str], ...]) -> dict[str, int]:
    if not isinstance(raw, OBJECT):
        return {}
    return {ours: _int(raw[theirs]) for theirs, ours in fields if raw.get(theirs) is not None}


def as_object(value: Any) -> Mapping[str, Any]:
    """``value`` if it is a JSON object, else an empty one (fields may be missing or null)."""
    return value if isinstance(value, OBJECT) else {}


def _int(value: Any) -> int:
    try:
        return int(value or 0)
    except (TypeError, ValueError):
        return 0


def cost_metadata(body: Mapping[str, Any]) -> dict[str, Any]:
    """``cost`` and ``cost_details``: inside ``usage`` on OpenRouter, at the root on Infron."""
    usage = as_object(body.get("usage"))
    out: dict[str, Any] = {}
    for key in ("cost", "cost_details", "is_byok"):
        value = usage.get(key) if usage.get(key) is not None else body.get(key)
        if value is not None:
            out[key] = value
    return out


def usage_message(
    body: Mapping[str, Any],
    requested_model: str,
    provider_label: str,
    *,
    content: Any = "",
    generation_id: str | None = None,
) -> AIMessage:
    """Tokens and cost of one answer (embeddings, images, rerank), as the message ``track_usage()``
    counts (like a chat answer's); ``content`` what it holds, if anything."""
    metadata: dict[str, Any] = {"model_name": body.get("model") or requested_model, **cost_metadata(body)}
    metadata["model_provider"] = provider_label
    for key in ("id", "provider"):
        if body.get(key) is not None:
            metadata[key] = body[key]
    if generation_id and "id" not in metadata:
        metadata["id"] = generation_id
    return AIMessage(content=content, usage_metadata=usage_metadata(body.get("usage")), response_metadata=metadata)


def parse_tool_calls(
    raw_calls: Any, kept: dict[str, Any] | None = None, where: str = "choices[0].message"
) -> tuple[list[ToolCall], list[InvalidToolCall]]:
    """Parse ``message.tool_calls``. Bad arguments become invalid calls.

    Arguments that are missing, ``null``, ``""`` or ``"{}"`` all give ``{}`` (tools
    without parameters come back every one of those ways); Groq sends ``"null"`` for them
    too (langchain-groq's comment). A call's fields not mapped (Gemini's ``extra_content``)
    go to ``kept[call_id]``. A call or field of a type no reading fits raises ``Malformed``.
    """
    calls: list[ToolCall] = []
    invalid: list[InvalidToolCall] = []
    if raw_calls is None:
        return calls, invalid
    if not isinstance(raw_calls, list):
        raise Malformed(f"{where}.tool_calls is not a list")
    for i, raw in enumerate(raw_calls):
        if raw is None:
            continue
        here = f"{where}.tool_calls[{i}]"
        function = _call_function(raw, here)
        name = function.get("name") or None
        call_id = raw.get("id") or None
        if kept is not None and not MAPPED_CALL_FIELDS.issuperset(raw):
            _keep_call_fields(kept, call_id or f"index:{i}", raw)
        arguments = function.get("arguments")
        if isinstance(arguments, OBJECT):  # some providers send an object, not a string
            arguments = json.dumps(arguments)
        if arguments is None or (isinstance(arguments, str) and arguments.strip() in ("", "null")):
            arguments = "{}"
        if not name:  # nothing could run it, whatever its arguments
            invalid.append(
                invalid_tool_call(name=None, args=str(arguments), id=call_id, error="the tool call has no name")
            )
            continue
        try:
            args = json.loads(arguments)
        except (TypeError, ValueError) as exc:
            invalid.append(
                invalid_tool_call(
                    name=name, args=str(arguments), id=call_id, error=f"arguments are not valid JSON: {exc}"
                )
            )
            continue
        if not isinstance(args, dict):
            invalid.append(
                invalid_tool_call(name=name, args=arguments, id=call_id, error="arguments are not a JSON object")
            )
            continue
        calls.append(tool_call(name=name, args=args, id=call_id))
    return calls, invalid


def _call_function(raw: Any, where: str) -> Mapping[str, Any]:
    """A tool call's ``function`` object, its fields' types checked."""
    if not isinstance(raw, OBJECT):
        raise Malformed(f"{where} is not a tool call (an object)")
    check_fields(raw, CALL_TYPES, where)
    function = raw.get("function") or {}
    check_fields(function, FUNCTION_TYPES, f"{where}.function")
    return function


def _keep_call_fields(kept: dict[str, Any], key: str, raw: Mapping[str, Any]) -> None:
    fields = {k: v for k, v in raw.items() if k not in MAPPED_CALL_FIELDS and v is not None}
    if fields:
        kept[key] = merge_kept(kept.get(key), fields)


class ToolCallFragments:
    """Streamed tool-call fragments -> ``ToolCallChunk`` objects that sum to whole calls.

    Stateful: a call's id and name go on its first fragment only (summing chunks joins
    strings), and each call gets a slot of its own (see :meth:`_call_slot`).
    """

    __slots__ = ("_ids", "_kept", "_last", "_named", "_slots")

    def __init__(self) -> None:
        self._ids: dict[int, str | None] = {}  # tool-call slot -> id, for fragments
        self._named: set[int] = set()  # tool-call slots whose name was sent
        self._slots: dict[int, int] = {}  # the router's tool-call index -> our slot
        self._last = -1
        self._kept: dict[int, Any] = {}  # slot -> the call's unmapped fields, merged

    def chunks(self, raw_calls: Any, where: str = "choices[0].delta") -> list[ToolCallChunk]:
        """The chunks for one delta's ``tool_calls`` (``null`` entries skipped; ``Malformed`` for bad ones)."""
        if not isinstance(raw_calls, list):
            raise Malformed(f"{where}.tool_calls is not a list")
        chunks: list[ToolCallChunk] = []
        for i, raw in enumerate(raw_calls):
            if raw is None:
                continue
            function = _call_function(raw, f"{where}.tool_calls[{i}]")
            call_id = raw.get("id") or None
            name = function.get("name") or None
            slot = self._call_slot(raw.get("index"), call_id)
            if not MAPPED_CALL_FIELDS.issuperset(raw):  # Gemini's extra_content: kept, sent at the end
                fields = {k: v for k, v in raw.items() if k not in MAPPED_CALL_FIELDS and v is not None}
                if fields:
                    self._kept[slot] = merge_kept(self._kept.get(slot), fields)
            # A call's id and name go on the first fragment that carries them and never
            # again: summing chunks concatenates strings, so a repeat would be doubled.
            if call_id is not None and self._ids.get(slot) is None:
                self._ids[slot] = call_id
            else:
                call_id = None
            if name is not None and slot not in self._named:
                self._named.add(slot)
            else:
                name = None
            arguments = function.get("arguments")
            if isinstance(arguments, OBJECT):
                arguments = json.dumps(arguments)
            chunks.append(
                tool_call_chunk(name=name, args=arguments if isinstance(arguments, str) else "", id=call_id, index=slot)
            )
        return chunks

    def kept(self) -> dict[str, Any]:
        """Every call's unmapped fields, by call id (``"index:N"`` for a call without one)."""
        return {(self._ids.get(slot) or f"index:{slot}"): fields for slot, fields in self._kept.items()}

    def _call_slot(self, index: Any, call_id: str | None) -> int:
        """The index a tool-call fragment gets in our chunks (LangChain joins fragments by it).

        Usually the router's ``index``. Without one, a new id starts a new call and
        anything else continues the last call. A known index arriving with a different
        id is a new call too: some providers number parallel calls all ``0``.
        """
        if isinstance(index, int) and not isinstance(index, bool):
            slot = self._slots.get(index)
            if slot is None or self._other_call(slot, call_id):
                slot = self._new_slot(index)
                self._slots[index] = slot
        elif self._last < 0 or self._other_call(self._last, call_id):
            slot = self._new_slot(None)
        else:
            slot = self._last
        self._last = slot
        return slot

    def _other_call(self, slot: int, call_id: str | None) -> bool:
        known = self._ids.get(slot)
        return call_id is not None and known is not None and known != call_id

    def _new_slot(self, preferred: int | None) -> int:
        used = self._ids.keys() | self._named | set(self._slots.values())
        slot = preferred if preferred is not None and preferred not in used else max(used, default=-1) + 1
        self._ids.setdefault(slot, None)
        return slot
