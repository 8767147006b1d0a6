"""Choices and deltas -> ``AIMessage`` fields: a whole answer's message, a stream's chunks.

The mapping half of :mod:`~langchain_visionrouter._response.answers` (which judges the
body, and takes the plain-text chunk's short path itself): :func:`ai_message` for a whole
answer's choice, :class:`DeltaMapper` (stateful) for each streamed delta; both read a
message through :func:`read_message`. Fields not mapped are
merged here and handed over once, for the closing chunk (see ``dialects.py``).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from langchain_core.messages import AIMessage, ToolCallChunk
from langchain_core.messages.ai import UsageMetadata

from langchain_visionrouter._response.dialects import (
    CHOICE_TYPES,
    DELTA_FIELDS,
    MAPPED_CHOICE_FIELDS,
    MESSAGE_TYPES,
    OBJECT,
    check_details,
    check_fields,
    merge_kept,
    reasoning_kwargs,
    split_content,
)
from langchain_visionrouter._response.fields import ToolCallFragments, as_object, cost_metadata, parse_tool_calls
from langchain_visionrouter._response.outputs import OutputBlocks, message_content, unmapped_fields
from langchain_visionrouter._response.reasoning import StreamDetails

__all__ = ["KEPT_MESSAGE_FIELDS", "DeltaMapper", "ai_message", "generation_info", "read_message", "response_metadata"]

#: Assistant-message fields kept in additional_kwargs, as the router sent them (images and
#: audio data become content blocks; the audio's id and expiry stay here; reasoning, by
#: dialect: see dialects.py).
KEPT_MESSAGE_FIELDS = ("reasoning_details", "annotations", "refusal")


def read_message(raw: Mapping[str, Any], where: str) -> tuple[str, dict[str, Any], list[Any] | None]:
    """A message's (or delta's) types checked; its text, its reasoning by dialect, content parts kept raw."""
    check_fields(raw, MESSAGE_TYPES, where)
    text, thinking, parts = split_content(raw.get("content"), where)
    additional: dict[str, Any] = {}
    reasoning_kwargs(raw, thinking, additional)
    check_details(raw.get("reasoning_details"), where)
    return text, additional, parts


def response_metadata(body: Mapping[str, Any], model_provider: str) -> dict[str, Any]:
    """A whole answer's ``response_metadata``: its top-level fields, mapped or kept as sent."""
    metadata: dict[str, Any] = {"model_provider": model_provider}
    if body.get("model"):
        metadata["model_name"] = body["model"]
    if body.get("id"):
        metadata["id"] = body["id"]
    if body.get("provider"):
        metadata["provider"] = body["provider"]
    if body.get("system_fingerprint"):
        metadata["system_fingerprint"] = body["system_fingerprint"]
    if body.get("created") is not None:
        metadata["created"] = body["created"]
    metadata.update(cost_metadata(body))
    if isinstance(body.get("usage"), OBJECT):  # all of it: image, audio, server-tool counts...
        metadata["usage"] = dict(body["usage"])
    metadata.update(unmapped_fields(body, metadata))  # openrouter_metadata, service_tier, newer ones
    return metadata


def generation_info(choice: Mapping[str, Any]) -> dict[str, Any]:
    """A choice's ``finish_reason``, ``native_finish_reason`` and ``logprobs``."""
    info: dict[str, Any] = {}
    for key in ("finish_reason", "native_finish_reason", "logprobs"):
        if choice.get(key) is not None:
            info[key] = choice[key]
    return info


def ai_message(
    choice: Mapping[str, Any],
    metadata: Mapping[str, Any],
    usage: UsageMetadata | None,
    output_blocks: bool = False,
    audio_format: Any = None,
    where: str = "choices[0]",
) -> AIMessage:
    """One choice of a whole answer as an ``AIMessage`` (``Malformed`` if unreadable)."""
    check_fields(choice, CHOICE_TYPES, where)
    where += ".message"
    raw = as_object(choice.get("message"))
    text, additional, parts = read_message(raw, where)
    content = message_content(raw, text, listed=output_blocks, audio_format=audio_format, raw_images=additional)
    additional.update((k, raw[k]) for k in KEPT_MESSAGE_FIELDS if raw.get(k) not in (None, [], ""))
    if parts:
        additional["content_parts"] = parts
    if not DELTA_FIELDS.issuperset(raw):  # Groq's executed_tools, Gemini's extra_content, newer ones
        additional.update((k, v) for k, v in raw.items() if k not in DELTA_FIELDS and v is not None)
    if raw.get("audio") is not None:
        audio = OutputBlocks(listed=False).audio_metadata(raw["audio"])
        if audio:
            additional["audio"] = audio
    kept_calls: dict[str, Any] = {}
    calls, invalid = parse_tool_calls(raw.get("tool_calls"), kept_calls, where)
    if kept_calls:
        additional["tool_call_fields"] = kept_calls
    response_metadata = dict(metadata)
    response_metadata.update(generation_info(choice))
    if not MAPPED_CHOICE_FIELDS.issuperset(choice):  # Azure's content_filter_results, vLLM's stop_reason...
        response_metadata.update((k, v) for k, v in choice.items() if k not in MAPPED_CHOICE_FIELDS and v is not None)
    # Empty fields are left to their defaults: the same message, less to validate.
    fields: dict[str, Any] = {"content": content, "response_metadata": response_metadata}
    if additional:
        fields["additional_kwargs"] = additional
    if calls:
        fields["tool_calls"] = calls
    if invalid:
        fields["invalid_tool_calls"] = invalid
    if usage is not None:
        fields["usage_metadata"] = usage
    if metadata.get("id") is not None:
        fields["id"] = metadata["id"]
    return AIMessage(**fields)


class DeltaMapper:
    """Maps each delta (not the plain-text ones) and keeps what is sent once at the end."""

    __slots__ = ("_calls", "_details", "_empty_reasoning_sent", "kept_choice", "kept_message", "outputs")

    def __init__(self, outputs: OutputBlocks) -> None:
        self.outputs = outputs
        self._calls = ToolCallFragments()
        self._details = StreamDetails()
        #: Unmapped delta and choice fields, merged, sent once on the closing chunk.
        self.kept_message: dict[str, Any] = {}
        self.kept_choice: dict[str, Any] = {}
        self._empty_reasoning_sent = False

    def map(
        self, choice: Mapping[str, Any], delta: Mapping[str, Any]
    ) -> tuple[str | list[Any], dict[str, Any], list[ToolCallChunk]]:
        """One delta's content, ``additional_kwargs`` and tool-call chunks (``Malformed`` if unreadable)."""
        where = "choices[0].delta"
        text, additional, parts = read_message(delta, where)
        if additional.get("reasoning_content") == "":  # kept (DeepSeek wants it back), but once
            if self._empty_reasoning_sent:
                del additional["reasoning_content"]
            self._empty_reasoning_sent = True
        if delta.get("reasoning_details"):
            additional["reasoning_details"] = self._details.fragments(delta["reasoning_details"])
        if delta.get("annotations"):
            additional["annotations"] = list(delta["annotations"])
        if delta.get("refusal"):
            additional["refusal"] = delta["refusal"]
        if parts:
            self.kept_message["content_parts"] = [*self.kept_message.get("content_parts", ()), *parts]
        if not DELTA_FIELDS.issuperset(delta):
            _keep(self.kept_message, delta, DELTA_FIELDS)
        if not MAPPED_CHOICE_FIELDS.issuperset(choice):
            _keep(self.kept_choice, choice, MAPPED_CHOICE_FIELDS)
        raw_calls = delta.get("tool_calls")
        call_chunks = self._calls.chunks(raw_calls, where) if raw_calls is not None else []
        content: str | list[Any] = text
        if self.outputs.listed or "images" in delta or "audio" in delta:  # (the common text chunk skips this)
            rejected: dict[str, Any] = {}
            content = self.outputs.content(text, delta.get("images"), delta.get("audio"), raw_images=rejected)
            if rejected:
                self.kept_message["images"] = [*self.kept_message.get("images", ()), *rejected["images"]]
            audio = self.outputs.audio_metadata(delta.get("audio"))
            if audio:
                additional["audio"] = audio
        return content, additional, call_chunks

    def kept(self) -> dict[str, Any]:
        """The unmapped delta fields (and tool-call fields) the stream carried, merged."""
        kept = dict(self.kept_message)
        calls = self._calls.kept()
        if calls:
            kept["tool_call_fields"] = calls
        return kept


def _keep(kept: dict[str, Any], raw: Mapping[str, Any], mapped: frozenset[str]) -> None:
    for key, value in raw.items():
        if key not in mapped and value is not None:
            kept[key] = merge_kept(kept.get(key), value)
