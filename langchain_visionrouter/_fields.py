"""Answer fields -> LangChain types: usage, cost and tool calls. Pure, lenient.

Every field may be missing or null; ``cost`` may sit in ``usage`` (OpenRouter) or at
the root (Infron). Bad tool-call arguments become invalid calls; nothing here raises.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

from langchain_core.messages import InvalidToolCall, ToolCall
from langchain_core.messages.ai import InputTokenDetails, OutputTokenDetails, UsageMetadata
from langchain_core.messages.tool import invalid_tool_call, tool_call

__all__ = ["as_object", "cost_metadata", "parse_tool_calls", "usage_metadata"]


def usage_metadata(usage: Mapping[str, Any] | None) -> UsageMetadata | None:
    """Map the router's ``usage`` object to LangChain's ``UsageMetadata``."""
    if not isinstance(usage, Mapping):
        return None
    input_tokens = _int(usage.get("prompt_tokens"))
    output_tokens = _int(usage.get("completion_tokens"))
    total = usage.get("total_tokens")
    result = UsageMetadata(
        input_tokens=input_tokens,
        output_tokens=output_tokens,
        total_tokens=_int(total) if total is not None else input_tokens + output_tokens,
    )
    prompt_details = usage.get("prompt_tokens_details")
    if isinstance(prompt_details, Mapping):
        input_details = InputTokenDetails()
        if prompt_details.get("cached_tokens") is not None:
            input_details["cache_read"] = _int(prompt_details["cached_tokens"])
        if prompt_details.get("cache_write_tokens") is not None:
            input_details["cache_creation"] = _int(prompt_details["cache_write_tokens"])
        if prompt_details.get("audio_tokens") is not None:
            input_details["audio"] = _int(prompt_details["audio_tokens"])
        if input_details:
            result["input_token_details"] = input_details
    completion_details = usage.get("completion_tokens_details")
    if isinstance(completion_details, Mapping):
        output_details = OutputTokenDetails()
        if completion_details.get("reasoning_tokens") is not None:
            output_details["reasoning"] = _int(completion_details["reasoning_tokens"])
        if completion_details.get("audio_tokens") is not None:
            output_details["audio"] = _int(completion_details["audio_tokens"])
        if output_details:
            result["output_token_details"] = output_details
    return result


def as_object(value: Any) -> Mapping[str, Any]:
    """``value`` if it is a JSON object, else an empty one (fields may be missing or null)."""
    return value if isinstance(value, Mapping) else {}


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


def parse_tool_calls(raw_calls: Any) -> tuple[list[ToolCall], list[InvalidToolCall]]:
    """Parse ``message.tool_calls``. Bad arguments become invalid calls; nothing raises.

    Arguments that are missing, ``null``, ``""`` or ``"{}"`` all give ``{}`` (tools
    without parameters come back every one of those ways).
    """
    calls: list[ToolCall] = []
    invalid: list[InvalidToolCall] = []
    if not isinstance(raw_calls, list):
        return calls, invalid
    for raw in raw_calls:
        if not isinstance(raw, Mapping):
            continue
        function = as_object(raw.get("function"))
        name = function.get("name") or None
        call_id = raw.get("id") or None
        arguments = function.get("arguments")
        if isinstance(arguments, Mapping):  # some providers send an object, not a string
            arguments = json.dumps(arguments)
        if arguments is None or (isinstance(arguments, str) and not arguments.strip()):
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
