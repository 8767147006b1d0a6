"""The router's answers -> ``AIMessage`` / ``AIMessageChunk``: text, tool calls, reasoning,
usage, cost and metadata.

Liberal in what it accepts: every field may be missing or null, usage may ride on any
chunk, ``finish_reason`` may repeat, ``cost`` may sit in ``usage`` (OpenRouter) or at the
root (Infron). Data in, data out: no I/O.

Streamed chunks are built so that summing them (``chunk + chunk``, as LangChain does)
gives the same message a non-streamed answer would: metadata strings are sent once,
tool-call ids and names only on a call's first fragment, usage exactly once, on the
last chunk.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from typing import Any

from langchain_core.messages import AIMessage, AIMessageChunk, InvalidToolCall, ToolCall, ToolCallChunk
from langchain_core.messages import content as types
from langchain_core.messages.ai import InputTokenDetails, OutputTokenDetails, UsageMetadata, add_ai_message_chunks
from langchain_core.messages.tool import invalid_tool_call, tool_call, tool_call_chunk
from langchain_core.outputs import ChatGeneration, ChatResult

from langchain_visionrouter.errors import StreamError, error_class_for_status, error_from_body
from langchain_visionrouter.messages import merge_reasoning_details
from langchain_visionrouter.routers import ROUTERS

_GROWING_DETAIL_FIELDS = frozenset({"text", "summary", "data", "signature"})

__all__ = [
    "StreamMapper",
    "StreamSoFar",
    "chat_result",
    "parse_tool_calls",
    "register_content_translators",
    "usage_metadata",
]

# Chunk metadata sent once per stream: (response_metadata key, event field).
_ONCE_FIELDS = (
    ("id", "id"),
    ("model_name", "model"),
    ("provider", "provider"),
    ("system_fingerprint", "system_fingerprint"),
)
# Assistant-message fields kept in additional_kwargs, as the router sent them.
_KEPT_MESSAGE_FIELDS = ("reasoning", "reasoning_details", "annotations", "images", "refusal", "audio")


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


def _obj(value: Any) -> Mapping[str, Any]:
    """``value`` if it is a JSON object, else an empty one (fields may be missing or null)."""
    return value if isinstance(value, Mapping) else {}


def _int(value: Any) -> int:
    try:
        return int(value or 0)
    except (TypeError, ValueError):
        return 0


def _cost_metadata(body: Mapping[str, Any]) -> dict[str, Any]:
    """``cost`` and ``cost_details``: inside ``usage`` on OpenRouter, at the root on Infron."""
    usage = _obj(body.get("usage"))
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
        function = _obj(raw.get("function"))
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


def chat_result(body: Mapping[str, Any], *, model_provider: str, generation_id: str | None = None) -> ChatResult:
    """Map a non-streamed chat-completions answer to a ``ChatResult``.

    Raises the typed error for an error body, and for a choice that failed after
    partial output (``finish_reason: "error"``), with that output as ``partial``.
    """
    choices = body.get("choices")
    if not choices:
        if body.get("error"):
            raise error_from_body(body, status_code=200, generation_id=generation_id)
        msg = f"the router's answer has no choices: {json.dumps(body)[:300]}"
        raise error_class_for_status(None)(
            msg, status_code=200, generation_id=body.get("id") or generation_id, body=body
        )

    metadata = _response_metadata(body, model_provider)
    if generation_id and "id" not in metadata:
        metadata["id"] = generation_id
    usage = usage_metadata(body.get("usage"))
    generations = []
    for choice in choices:
        if not isinstance(choice, Mapping):
            continue
        message = _message(choice, metadata, usage)
        if choice.get("error") or choice.get("finish_reason") == "error":
            err = choice.get("error") or {"message": "the provider failed mid-answer (finish_reason: error)"}
            exc = error_from_body({"error": err}, status_code=200, generation_id=metadata.get("id"))
            exc.partial = message
            raise exc
        generations.append(ChatGeneration(message=message, generation_info=_generation_info(choice)))
    llm_output: dict[str, Any] = {k: metadata[k] for k in ("model_name", "id", "provider") if k in metadata}
    return ChatResult(generations=generations, llm_output=llm_output)


def _response_metadata(body: Mapping[str, Any], model_provider: str) -> dict[str, Any]:
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
    metadata.update(_cost_metadata(body))
    return metadata


def _generation_info(choice: Mapping[str, Any]) -> dict[str, Any]:
    info: dict[str, Any] = {}
    for key in ("finish_reason", "native_finish_reason", "logprobs"):
        if choice.get(key) is not None:
            info[key] = choice[key]
    return info


def _message(choice: Mapping[str, Any], metadata: Mapping[str, Any], usage: UsageMetadata | None) -> AIMessage:
    raw = _obj(choice.get("message"))
    content = raw.get("content")
    if isinstance(content, list):  # a few providers answer in parts
        content = "".join(p.get("text", "") for p in content if isinstance(p, Mapping))
    additional = {k: raw[k] for k in _KEPT_MESSAGE_FIELDS if raw.get(k) not in (None, [], "")}
    calls, invalid = parse_tool_calls(raw.get("tool_calls"))
    response_metadata = dict(metadata)
    response_metadata.update(_generation_info(choice))
    # Empty fields are left to their defaults: the same message, less to validate.
    fields: dict[str, Any] = {"content": content or "", "response_metadata": response_metadata}
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


class StreamMapper:
    """Turns stream events into ``AIMessageChunk`` objects, one per event with content.

    Stateful, so that the chunks sum correctly: see the module docstring. Feed each
    decoded event to :meth:`chunk`; call :meth:`last_chunk` when the stream ends.
    """

    __slots__ = (
        "_call_ids",
        "_call_named",
        "_call_slots",
        "_details_seen",
        "_last_slot",
        "_pending_once",
        "_sent",
        "cost",
        "finish_reason",
        "generation_id",
        "include_usage",
        "model_provider",
        "usage",
    )

    def __init__(self, model_provider: str, *, include_usage: bool = True) -> None:
        self.model_provider = model_provider
        self.include_usage = include_usage
        self.finish_reason: str | None = None
        self.generation_id: str | None = None
        self.usage: Mapping[str, Any] | None = None
        self.cost: dict[str, Any] = {}
        self._sent: set[str] = set()  # response_metadata keys already emitted
        # Event-level metadata not yet emitted, as (metadata key, event field): usually
        # empty after the first event, so later events skip the lookups.
        self._pending_once = list(_ONCE_FIELDS)
        self._call_ids: dict[int, str | None] = {}  # tool-call slot -> id, for fragments
        self._call_named: set[int] = set()  # tool-call slots whose name was sent
        self._call_slots: dict[int, int] = {}  # the router's tool-call index -> our slot
        self._last_slot = -1
        self._details_seen: dict[int, dict[str, Any]] = {}

    def chunk(self, event: Mapping[str, Any]) -> AIMessageChunk | None:
        """The chunk for one event, or ``None`` if it carries nothing to yield.

        Raises ``StreamError`` for an event with a top-level ``error``, whatever
        ``finish_reason`` says.
        """
        if event.get("error"):
            self._take_usage(event)
            err = event["error"]
            status = err.get("code") if isinstance(err, Mapping) else None
            raise error_from_body(
                event,
                status_code=status if isinstance(status, int) else None,
                generation_id=event.get("id") or self.generation_id,
                cls=StreamError,
            )
        if event.get("usage") is not None or event.get("cost") is not None:
            self._take_usage(event)
        metadata: dict[str, Any] = {}
        if self._pending_once:
            for key, field in tuple(self._pending_once):
                self._once(metadata, key, event.get(field))
                if key in self._sent:
                    self._pending_once.remove((key, field))
        if self.generation_id is None and event.get("id"):
            self.generation_id = event["id"]

        choices = event.get("choices")
        choice = choices[0] if isinstance(choices, list) and choices and isinstance(choices[0], Mapping) else None
        if choice is None:
            return AIMessageChunk(content="", response_metadata=metadata, id=self.generation_id) if metadata else None
        delta = _obj(choice.get("delta"))
        finish = choice.get("finish_reason")
        if finish and self.finish_reason is None:
            self.finish_reason = finish
            metadata["finish_reason"] = finish
            self._once(metadata, "native_finish_reason", choice.get("native_finish_reason"))
        if finish == "error" or choice.get("error"):
            err = choice.get("error") or {"message": "the provider failed mid-stream (finish_reason: error)"}
            raise error_from_body({"error": err}, generation_id=self.generation_id, cls=StreamError)

        content = delta.get("content") or ""
        additional: dict[str, Any] = {}
        if delta.get("reasoning"):
            additional["reasoning"] = delta["reasoning"]
        if delta.get("reasoning_details"):
            additional["reasoning_details"] = self._details(delta["reasoning_details"])
        for key in ("annotations", "images"):
            if delta.get(key):
                additional[key] = list(delta[key])
        if delta.get("refusal"):
            additional["refusal"] = delta["refusal"]
        raw_calls = delta.get("tool_calls")
        call_chunks = self._tool_call_chunks(raw_calls) if raw_calls else []
        if isinstance(content, list):
            content = "".join(p.get("text", "") for p in content if isinstance(p, Mapping))
        if not (content or additional or call_chunks or metadata):
            return None
        # Named only where our content_blocks translation differs from LangChain's default
        # (reasoning, tool calls) or metadata is sent anyway: a plain text chunk translates
        # the same without it, and LangChain keeps every chunk of a stream until it ends.
        if additional or call_chunks or metadata:
            metadata["model_provider"] = self.model_provider
        # Only the fields the event fills: fewer to validate, and a smaller model kept per
        # chunk (LangChain holds every chunk of a stream until it ends).
        fields: dict[str, Any] = {"content": content, "response_metadata": metadata}
        if additional:
            fields["additional_kwargs"] = additional
        if call_chunks:
            fields["tool_call_chunks"] = call_chunks
        if self.generation_id is not None:
            fields["id"] = self.generation_id
        return AIMessageChunk(**fields)

    def last_chunk(self, *, completed: bool) -> AIMessageChunk:
        """The closing chunk: usage and cost, counted once, and ``chunk_position="last"``.

        Raises ``StreamError`` if the stream ended with neither ``[DONE]`` nor a
        ``finish_reason``: a truncated answer is never passed off as complete.
        """
        if not completed and self.finish_reason is None:
            msg = "the stream ended before the answer was complete (no finish_reason, no [DONE])"
            raise StreamError(msg, generation_id=self.generation_id)
        metadata: dict[str, Any] = {"model_provider": self.model_provider}
        usage = usage_metadata(self.usage) if self.include_usage else None
        if self.include_usage:
            metadata.update(self.cost)
        return AIMessageChunk(
            content="",
            usage_metadata=usage,
            response_metadata=metadata,
            id=self.generation_id,
            chunk_position="last",
        )

    def _once(self, metadata: dict[str, Any], key: str, value: Any) -> None:
        if value is not None and value != "" and key not in self._sent:
            self._sent.add(key)
            metadata[key] = value

    def _take_usage(self, event: Mapping[str, Any]) -> None:
        # The last usage seen wins: it is sent once, but never counted twice if repeated.
        if isinstance(event.get("usage"), Mapping):
            self.usage = event["usage"]
            self.cost = _cost_metadata(event)
        elif event.get("cost") is not None:  # Infron: cost at the root
            self.cost = _cost_metadata(event)

    def _tool_call_chunks(self, raw_calls: Any) -> list[ToolCallChunk]:
        if not isinstance(raw_calls, list):
            return []
        chunks: list[ToolCallChunk] = []
        for raw in raw_calls:
            if not isinstance(raw, Mapping):
                continue
            function = _obj(raw.get("function"))
            call_id = raw.get("id") or None
            name = function.get("name") or None
            slot = self._call_slot(raw.get("index"), call_id)
            # A call's id and name go on the first fragment that carries them and never
            # again: summing chunks concatenates strings, so a repeat would be doubled.
            if call_id is not None and self._call_ids.get(slot) is None:
                self._call_ids[slot] = call_id
            else:
                call_id = None
            if name is not None and slot not in self._call_named:
                self._call_named.add(slot)
            else:
                name = None
            arguments = function.get("arguments")
            if isinstance(arguments, Mapping):
                arguments = json.dumps(arguments)
            chunks.append(
                tool_call_chunk(name=name, args=arguments if isinstance(arguments, str) else "", id=call_id, index=slot)
            )
        return chunks

    def _call_slot(self, index: Any, call_id: str | None) -> int:
        """The index a tool-call fragment gets in our chunks (LangChain joins fragments by it).

        Usually the router's ``index``. Without one, a new id starts a new call and
        anything else continues the last call. A known index arriving with a different
        id is a new call too: some providers number parallel calls all ``0``.
        """
        if isinstance(index, int) and not isinstance(index, bool):
            slot = self._call_slots.get(index)
            if slot is None or self._other_call(slot, call_id):
                slot = self._new_slot(index)
                self._call_slots[index] = slot
        elif self._last_slot < 0 or self._other_call(self._last_slot, call_id):
            slot = self._new_slot(None)
        else:
            slot = self._last_slot
        self._last_slot = slot
        return slot

    def _other_call(self, slot: int, call_id: str | None) -> bool:
        known = self._call_ids.get(slot)
        return call_id is not None and known is not None and known != call_id

    def _new_slot(self, preferred: int | None) -> int:
        used = self._call_ids.keys() | self._call_named | set(self._call_slots.values())
        slot = preferred if preferred is not None and preferred not in used else max(used, default=-1) + 1
        self._call_ids.setdefault(slot, None)
        return slot

    def _details(self, details: Any) -> list[Any]:
        # Fragments of one detail share an index, and LangChain concatenates their strings
        # when chunks are summed; so a repeated fragment keeps only its index, its growing
        # fields, and fields not seen before (a repeated type or format would be doubled).
        if not isinstance(details, list):
            return [details]
        out = []
        for item in details:
            if not (isinstance(item, Mapping) and isinstance(item.get("index"), int)):
                out.append(item)
                continue
            seen = self._details_seen.get(item["index"])
            if seen is None or (item.get("id") and seen.get("id") and item["id"] != seen["id"]):
                # A new detail; one with another id is new too (Gemini: one per tool call),
                # and LangChain keeps details with different ids apart when summing.
                self._details_seen[item["index"]] = dict(item)
                out.append(dict(item))
                continue
            fresh = {"index": item["index"]}
            for k, v in item.items():
                if k in _GROWING_DETAIL_FIELDS:
                    if v:
                        fresh[k] = v
                elif k not in seen and v is not None:
                    fresh[k] = seen[k] = v
            out.append(fresh)
        return out


# Fields a plain text chunk leaves at their defaults, with those defaults.
_BLANK_CHUNK = AIMessageChunk(content="")
_OTHER_FIELDS = tuple(
    (name, getattr(_BLANK_CHUNK, name))
    for name in AIMessageChunk.model_fields
    if name not in ("content", "id", "type", "response_metadata")
)
_KNOWN_FIELDS = frozenset(
    {"content", "additional_kwargs", "response_metadata", "type", "name", "id", "tool_calls"}
    | {"invalid_tool_calls", "usage_metadata", "tool_call_chunks", "chunk_position"}
)
# A langchain-core with other AIMessageChunk fields gets the generic check.
_FIELDS_AS_KNOWN = set(AIMessageChunk.model_fields) == _KNOWN_FIELDS


def _plain_text(chunk: AIMessageChunk) -> bool:
    """Text, an id, at most a ``model_provider`` in its metadata, and nothing else."""
    meta = chunk.response_metadata
    if meta and (len(meta) != 1 or "model_provider" not in meta):
        return False
    if _FIELDS_AS_KNOWN:  # spelled out: this runs once per streamed chunk
        return (
            isinstance(chunk.content, str)
            and not chunk.additional_kwargs
            and not chunk.tool_call_chunks
            and not chunk.tool_calls
            and not chunk.invalid_tool_calls
            and chunk.usage_metadata is None
            and chunk.chunk_position is None
            and chunk.name is None
        )
    return isinstance(chunk.content, str) and all(getattr(chunk, name) == blank for name, blank in _OTHER_FIELDS)


_PIECES_PER_BLOCK = 256


class StreamSoFar:
    """What a stream has yielded so far, summed on demand (a failed stream's ``partial``).

    Keeping every chunk would leave a heap that grows with the stream for the garbage
    collector to walk, so each chunk would cost more than the one before. Runs of plain
    text chunks (same id, same metadata, nothing but text) are kept as their text, joined
    every few hundred pieces; other chunks whole. The sum is exactly ``add_ai_message_chunks`` of every chunk added:
    summing keeps a repeated ``model_provider`` once, so a run counts it once too, for as
    long as every chunk names the same one (after a second name, nothing is joined).

    A chunk is looked at one step late: LangChain updates a chunk it was given (its
    ``id``, its ``response_metadata``) before it asks for the next one, and the sum must
    see those updates, as it would had every chunk been kept.
    """

    __slots__ = ("_blocks", "_chunks", "_last", "_provider", "_run_key", "_text", "_whole")

    def __init__(self) -> None:
        self._chunks: list[AIMessageChunk] = []
        self._text: list[str] = []  # the current run's text: joined blocks, then pieces
        self._blocks = 0  # how many items of _text are joined blocks
        self._run_key: tuple[str | None, Any] = (None, None)  # (id, model_provider) of the run
        self._provider: Any = None  # the model_provider every chunk so far named
        self._whole = False  # two different model_providers seen: keep every chunk whole
        self._last: AIMessageChunk | None = None

    def add(self, chunk: AIMessageChunk) -> None:
        """Add the chunk about to be yielded."""
        last, self._last = self._last, chunk
        if last is not None:
            self._keep(last)

    def total(self, tail: AIMessageChunk) -> AIMessageChunk:
        """The sum of every chunk added, then ``tail``."""
        if self._last is not None:
            self._keep(self._last)
            self._last = None
        self._flush()
        return add_ai_message_chunks(self._chunks[0], *self._chunks[1:], tail) if self._chunks else tail

    def _keep(self, chunk: AIMessageChunk) -> None:
        provider = chunk.response_metadata.get("model_provider")
        if provider is not None and provider != self._provider:
            if self._provider is not None:
                self._whole = True
            self._provider = provider
        if not self._whole and _plain_text(chunk):
            key = (chunk.id, provider)
            if self._text and key != self._run_key:
                self._flush()
            self._text.append(chunk.content)  # type: ignore[arg-type]
            self._run_key = key
            if len(self._text) - self._blocks >= _PIECES_PER_BLOCK:
                # A few characters each, the pieces would cost ~50 B of object apiece:
                # joined, the run costs what its text does.
                self._text[self._blocks :] = ["".join(self._text[self._blocks :])]
                self._blocks += 1
        else:
            self._flush()
            self._chunks.append(chunk)

    def _flush(self) -> None:
        if self._text:
            chunk_id, provider = self._run_key
            metadata = {} if provider is None else {"model_provider": provider}
            self._chunks.append(AIMessageChunk(content="".join(self._text), id=chunk_id, response_metadata=metadata))
            self._text = []
            self._blocks = 0


# ---------------------------------------------------------------------------
# Standard content blocks (``AIMessage.content_blocks``)


def _reasoning_blocks(message: AIMessage) -> list[types.ContentBlock]:
    details = message.additional_kwargs.get("reasoning_details")
    blocks: list[types.ContentBlock] = []
    if isinstance(details, list) and details:
        for detail in merge_reasoning_details(details):
            if not isinstance(detail, Mapping):
                continue
            block = types.ReasoningContentBlock(type="reasoning")
            text = detail.get("text") or detail.get("summary")
            if isinstance(text, str):
                block["reasoning"] = text
            extras = {k: v for k, v in detail.items() if k not in ("text", "summary") and v is not None}
            if extras:
                block["extras"] = extras
            blocks.append(block)
        if blocks:
            return blocks
    reasoning = message.additional_kwargs.get("reasoning")
    if isinstance(reasoning, str) and reasoning:
        blocks.append(types.ReasoningContentBlock(type="reasoning", reasoning=reasoning))
    return blocks


def _translate(message: AIMessage) -> list[types.ContentBlock]:
    blocks = _reasoning_blocks(message)
    content = message.content
    if isinstance(content, str):
        if content:
            blocks.append(types.TextContentBlock(type="text", text=content))
    else:
        for part in content:
            if isinstance(part, str):
                blocks.append(types.TextContentBlock(type="text", text=part))
            elif isinstance(part, Mapping) and part.get("type") == "text":
                blocks.append(types.TextContentBlock(type="text", text=part.get("text", "")))
    # Like LangChain's OpenAI translator: a stream chunk shows its fragments, the summed
    # message (chunk_position="last") its whole calls.
    use_chunks = isinstance(message, AIMessageChunk) and message.chunk_position != "last"
    if use_chunks:
        assert isinstance(message, AIMessageChunk)
        for tcc in message.tool_call_chunks:
            chunk_block = types.ToolCallChunk(
                type="tool_call_chunk", id=tcc.get("id"), name=tcc.get("name"), args=tcc.get("args")
            )
            if tcc.get("index") is not None:
                chunk_block["index"] = tcc["index"]  # type: ignore[typeddict-item]
            blocks.append(chunk_block)
    else:
        for tc in message.tool_calls:
            blocks.append(types.ToolCall(type="tool_call", id=tc.get("id"), name=tc["name"], args=tc["args"]))
    for itc in message.invalid_tool_calls:
        blocks.append(
            types.InvalidToolCall(
                type="invalid_tool_call",
                id=itc.get("id"),
                name=itc.get("name"),
                args=itc.get("args"),
                error=itc.get("error"),
            )
        )
    return blocks


def register_content_translators(labels: Iterable[str]) -> None:
    """Teach ``content_blocks`` our dialect (reasoning, reasoning_details) for these providers."""
    from langchain_core.messages.block_translators import get_translator, register_translator

    for label in labels:
        if get_translator(label) is None:  # never override another package's translator
            register_translator(label, _translate, _translate)


# Here, where the messages are made, so any message of ours translates alike whatever
# module a program imported first.
register_content_translators(preset.provider_label for preset in ROUTERS.values())
