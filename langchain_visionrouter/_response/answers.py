"""The router's answers -> ``AIMessage`` / ``AIMessageChunk``; the one place that judges a body.

Judging: :func:`judge_json` decides whether a complete answer is JSON and not an error
(an error object inside a 200 is an error); :class:`StreamAssembler` decides, event by
event, whether a stream failed (an error event, ``finish_reason: "error"``, an event
that is not JSON) and, at its end, whether it was complete (``[DONE]`` or a
``finish_reason``), truncated or never a stream at all. Every error it raises is built
with the ``partial`` message streamed before the failure.

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
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any, Protocol

from langchain_core.messages import AIMessageChunk
from langchain_core.messages.ai import add_ai_message_chunks
from langchain_core.outputs import ChatGeneration, ChatResult

from langchain_visionrouter._response import content_blocks  # noqa: F401  (registers content_blocks translators)
from langchain_visionrouter._response.dialects import (
    CHOICE_TYPES,
    OBJECT,
    PLAIN_CHOICE,
    PLAIN_DELTA,
    TOP_TYPES,
    Malformed,
    check_fields,
)
from langchain_visionrouter._response.fields import (
    cost_metadata,
    parse_tool_calls,
    usage_metadata,
)
from langchain_visionrouter._response.mapping import DeltaMapper, ai_message, generation_info, response_metadata
from langchain_visionrouter._response.outputs import MAPPED_TOP_FIELDS, OutputBlocks, unmapped_fields
from langchain_visionrouter._wire import router_errors as _errors
from langchain_visionrouter._wire.limits import Exceeded
from langchain_visionrouter._wire.router_errors import error_from_body
from langchain_visionrouter.errors import StreamError, VisionRouterError

__all__ = [
    "Answer",
    "StreamAssembler",
    "StreamEnd",
    "chat_result",
    "judge_answer",
    "judge_json",
    "parse_tool_calls",
    "usage_metadata",
]

# Chunk metadata sent once per stream: (response_metadata key, event field).
_ONCE_FIELDS = (
    ("id", "id"),
    ("model_name", "model"),
    ("provider", "provider"),
    ("system_fingerprint", "system_fingerprint"),
)
# A chunk's fields read elsewhere: any other is kept in response_metadata, once.
_CHUNK_FIELDS = MAPPED_TOP_FIELDS | {field for _, field in _ONCE_FIELDS}
# What the safety net turns into the typed error: a malformed answer that slipped past the
# type checks must still never surface as a TypeError or pydantic's ValidationError.
_MAPPING_ERRORS = (Malformed, TypeError, ValueError, AttributeError, KeyError, IndexError)


def _excerpt(body: Any) -> str:
    # (VisionRouterError redacts its message: credentials never reach it.)
    return json.dumps(body, default=str)[:300]


def _unreadable(exc: Exception) -> str:
    return str(exc) if isinstance(exc, Malformed) else f"it could not be read ({type(exc).__name__}: {exc})"


def judge_json(status_code: int, headers: Mapping[str, str], content: bytes) -> Any:
    """Decode a complete 2xx answer; raise the typed error if it is not JSON, or is an error body."""
    try:
        # Decoded first (routers send UTF-8): json.loads(bytes) runs a Python-level encoding
        # sniff; bytes that are not UTF-8 still get it (JSON may be UTF-16 or -32).
        try:
            text: str | bytes = content.decode("utf-8")
        except UnicodeDecodeError:
            text = content
        data = json.loads(text)
    except ValueError:
        raise _errors.not_json_error(status_code, content, headers) from None
    if isinstance(data, OBJECT) and data.get("error") and not data.get("choices"):
        raise error_from_body(data, status_code=status_code, generation_id=headers.get("x-generation-id"))
    return data


@dataclass(frozen=True)
class Answer:
    """A judged JSON answer and the generation id its headers carried (endpoints whose
    bodies have no ``id``, such as the Image API)."""

    body: Any
    generation_id: str | None


def judge_answer(status_code: int, headers: Mapping[str, str], content: bytes) -> Answer:
    """:func:`judge_json`, keeping ``X-Generation-Id``."""
    return Answer(judge_json(status_code, headers, content), headers.get("x-generation-id"))


def chat_result(
    body: Mapping[str, Any],
    *,
    model_provider: str,
    generation_id: str | None = None,
    output_blocks: bool = False,
    audio_format: Any = None,
) -> ChatResult:
    """Map a non-streamed chat-completions answer to a ``ChatResult``.

    Raises the typed error for an error body, and for a choice that failed after
    partial output (``finish_reason: "error"``), with that output as ``partial``.
    ``output_blocks``: the request asked for image or audio output, so content is a list
    (see :mod:`~langchain_visionrouter._response.outputs`); it is one anyway when images come back.
    A malformed answer (a field of a type no reading fits) raises ``VisionRouterError``
    saying which field, with an excerpt of the body.
    """
    try:
        return _chat_result(body, model_provider, generation_id, output_blocks, audio_format)
    except _MAPPING_ERRORS as exc:
        gen_id = body.get("id") if isinstance(body, OBJECT) and isinstance(body.get("id"), str) else None
        raise _errors.malformed_answer(
            f"the router's answer is malformed: {_unreadable(exc)}. Its body: {_excerpt(body)}",
            body,
            generation_id=gen_id or generation_id,
        ) from None


def _chat_result(
    body: Mapping[str, Any], model_provider: str, generation_id: str | None, output_blocks: bool, audio_format: Any
) -> ChatResult:
    if not isinstance(body, OBJECT):
        raise Malformed(f"the answer is {type(body).__name__}, not a JSON object")
    check_fields(body, TOP_TYPES, "the answer")
    choices = body.get("choices")
    if not choices:
        if body.get("error"):
            raise error_from_body(body, status_code=200, generation_id=generation_id)
        raise _errors.unexpected_answer(
            "its answer has no choices", body, generation_id=body.get("id") or generation_id
        )

    metadata = response_metadata(body, model_provider)
    if generation_id and "id" not in metadata:
        metadata["id"] = generation_id
    usage = usage_metadata(body.get("usage"))
    generations = []
    for i, choice in enumerate(choices):
        if choice is None:
            continue
        if not isinstance(choice, OBJECT):
            raise Malformed(f"choices[{i}] is not a choice (an object)")
        message = ai_message(choice, metadata, usage, output_blocks, audio_format, f"choices[{i}]")
        if choice.get("error") or choice.get("finish_reason") == "error":
            err = choice.get("error") or {"message": "the provider failed mid-answer (finish_reason: error)"}
            raise error_from_body({"error": err}, status_code=200, generation_id=metadata.get("id"), partial=message)
        generations.append(ChatGeneration(message=message, generation_info=generation_info(choice)))
    llm_output: dict[str, Any] = {k: metadata[k] for k in ("model_name", "id", "provider") if k in metadata}
    return ChatResult(generations=generations, llm_output=llm_output)


class StreamEnd(Protocol):
    """How a stream's body ended, as the HTTP layer reports it (see ``_streams.Stream``)."""

    @property
    def done(self) -> bool: ...  # "[DONE]" arrived
    @property
    def head(self) -> bytes | None: ...  # the body's first bytes, if it held no event at all
    @property
    def failure(self) -> BaseException | None: ...  # the network error that cut it short
    @property
    def exceeded(self) -> Exceeded | None: ...  # the bound (deadline, size) that stopped it
    @property
    def timeout(self) -> float | None: ...
    @property
    def status_code(self) -> int: ...
    @property
    def headers(self) -> Mapping[str, str]: ...


def broken_stream(end: StreamEnd, generation_id: str | None, partial: Callable[[], Any]) -> VisionRouterError | None:
    """The error for a stream the HTTP layer cut short (a bound reached, the connection lost),
    with what had arrived as ``partial``; ``None`` if the body ended on its own."""
    if end.exceeded is not None:
        what, limit = end.exceeded.what, end.exceeded.limit
        return _errors.limit_exceeded(what, limit, stream=True, generation_id=generation_id, partial=partial())
    if end.failure is not None:
        return _errors.stream_interrupted(
            end.failure, timeout=end.timeout, generation_id=generation_id, partial=partial()
        )
    return None


class StreamAssembler:
    """Stream events -> ``AIMessageChunk`` objects, and the verdict on the stream.

    Feed each event (an SSE payload, or a whole JSON answer to a stream request) to
    :meth:`chunk`; call :meth:`last_chunk` when the events end. Stateful, so that the
    chunks sum correctly (see the module docstring), and it keeps the chunks it made, so
    that an error can carry what was streamed before it (``partial``).
    """

    __slots__ = (
        "_chunks",
        "_deltas",
        "_pending_once",
        "_sent",
        "cost",
        "finish_reason",
        "generation_id",
        "include_usage",
        "model_provider",
        "usage",
    )

    def __init__(
        self,
        model_provider: str,
        *,
        include_usage: bool = True,
        generation_id: str | None = None,
        output_blocks: bool = False,
        audio_format: Any = None,
    ) -> None:
        self.model_provider = model_provider
        self._deltas = DeltaMapper(OutputBlocks(listed=output_blocks, audio_format=audio_format))
        self.include_usage = include_usage
        self.finish_reason: str | None = None
        self.generation_id: str | None = generation_id
        self.usage: Mapping[str, Any] | None = None
        self.cost: dict[str, Any] = {}
        self._chunks: list[AIMessageChunk] = []
        self._sent: set[str] = set()  # response_metadata keys already emitted
        # Event-level metadata not yet emitted, as (metadata key, event field): usually
        # empty after the first event, so later events skip the lookups.
        self._pending_once = list(_ONCE_FIELDS)

    def feed(self, event: bytes | str | Any) -> AIMessageChunk | None:
        """The chunk for one event, or ``None`` if it carries nothing to yield.

        ``event`` is an SSE payload, or any other value: the whole (decoded JSON) answer
        of a gateway that ignored ``stream: true``. Raises ``StreamError`` (with
        ``partial``) for an event that is not a JSON object, or that carries an
        ``error``, whatever ``finish_reason`` says.
        """
        event = self._parse(event) if isinstance(event, (bytes, str)) else self._whole(event)
        try:
            message = self._map(event)
        except _MAPPING_ERRORS as exc:
            raise self._error(
                f"the router sent a malformed stream event: {_unreadable(exc)}. The event: {_excerpt(event)}"
            ) from None
        if message is not None:
            self._chunks.append(message)
        return message

    def partial(self) -> AIMessageChunk:
        """What the stream produced so far: its chunks summed, plus usage if the router sent it."""
        tail = AIMessageChunk(
            content="",
            usage_metadata=usage_metadata(self.usage),
            response_metadata={**self.cost, **self._deltas.kept_choice},
            additional_kwargs=self._deltas.kept(),
        )
        return add_ai_message_chunks(self._chunks[0], *self._chunks[1:], tail) if self._chunks else tail

    def _parse(self, payload: bytes | str) -> Mapping[str, Any]:
        try:
            # Decoded first: json.loads(bytes) runs a Python-level encoding sniff on every event.
            event = json.loads(payload.decode("utf-8") if isinstance(payload, bytes) else payload)
        except UnicodeDecodeError as exc:
            raise self._error(
                f"the router sent a stream line that is not valid UTF-8 ({exc.reason}): {payload[:200]!r}"
            ) from None
        except ValueError:
            text = payload if isinstance(payload, str) else payload.decode("utf-8", "replace")
            raise self._error(f"the router sent a stream event that is not valid JSON: {text[:200]!r}") from None
        if not isinstance(event, dict):
            raise self._error(f"the router sent a stream event that is not a JSON object: {str(payload)[:200]!r}")
        return event

    def _whole(self, body: Any) -> Mapping[str, Any]:
        """A whole chat completion, seen as the one chunk event it amounts to."""
        if not isinstance(body, OBJECT):
            raise self._error(f"the router answered a stream request with JSON that is not an object: {body!r:.200}")
        choices = [
            {**{k: v for k, v in choice.items() if k != "message"}, "delta": choice.get("message") or {}}
            if isinstance(choice, OBJECT)
            else choice
            for choice in (body.get("choices") or [] if isinstance(body.get("choices"), list) else [])
        ]
        return {**body, "object": "chat.completion.chunk", "choices": choices}

    def _error(self, message: str, **fields: Any) -> StreamError:
        return _errors.stream_error(message, generation_id=self.generation_id, partial=self.partial(), **fields)

    def _map(self, event: Mapping[str, Any]) -> AIMessageChunk | None:
        if event.get("error"):
            self._take_usage(event)
            err = event["error"]
            status = err.get("code") if isinstance(err, OBJECT) else None
            raise error_from_body(
                event,
                status_code=status if isinstance(status, int) else None,
                generation_id=event.get("id") or self.generation_id,
                cls=StreamError,
                partial=self.partial(),
            )
        if event.get("usage") is not None or event.get("cost") is not None:
            self._take_usage(event)
        metadata: dict[str, Any] = {}
        if self._pending_once:
            for key, field in tuple(self._pending_once):
                value = event.get(field)
                if value is not None and type(value) is not str:
                    raise Malformed(f"the event's {field} is {type(value).__name__}, not a string")
                self._once(metadata, key, value)
                if key in self._sent:
                    self._pending_once.remove((key, field))
        if not _CHUNK_FIELDS.issuperset(event):  # service_tier, openrouter_metadata, newer ones: each once
            for key, value in unmapped_fields(event).items():
                self._once(metadata, key, value)
            x_groq = event.get("x_groq")
            if isinstance(x_groq, OBJECT) and x_groq.get("usage") is not None and event.get("usage") is None:
                self._take_usage(x_groq)  # Groq streams usage there (langchain-groq reads it there too)
        if self.generation_id is None and event.get("id"):
            if not isinstance(event["id"], str):
                raise Malformed("the event's id is not a string")
            self.generation_id = event["id"]

        choices = event.get("choices")
        if not choices:
            return AIMessageChunk(content="", response_metadata=metadata, id=self.generation_id) if metadata else None
        if not isinstance(choices, list):
            raise Malformed("the event's choices is not a list")
        choice = choices[0]
        if not isinstance(choice, OBJECT):
            raise Malformed("choices[0] is not a choice (an object)")
        delta = choice.get("delta")
        if delta is None:
            delta = {}
        elif not isinstance(delta, OBJECT):
            raise Malformed("choices[0].delta is not an object")
        # The common text chunk: nothing but role and text, no finish. (Checked as key sets,
        # so that the per-chunk cost stays near LangChain's floor.)
        if (
            PLAIN_DELTA.issuperset(delta)
            and PLAIN_CHOICE.issuperset(choice)
            and not choice.get("finish_reason")
            and not self._deltas.outputs.listed
        ):
            content = delta.get("content")
            if content is None or type(content) is str:
                if not (content or metadata):
                    return None
                if metadata:
                    metadata["model_provider"] = self.model_provider
                fields: dict[str, Any] = {"content": content or "", "response_metadata": metadata}
                if self.generation_id is not None:
                    fields["id"] = self.generation_id
                return AIMessageChunk(**fields)
        check_fields(choice, CHOICE_TYPES, "choices[0]")
        finish = choice.get("finish_reason")
        if finish and self.finish_reason is None:
            self.finish_reason = finish
            metadata["finish_reason"] = finish
            self._once(metadata, "native_finish_reason", choice.get("native_finish_reason"))
        if finish == "error" or choice.get("error"):
            err = choice.get("error") or {"message": "the provider failed mid-stream (finish_reason: error)"}
            raise error_from_body(
                {"error": err}, generation_id=self.generation_id, cls=StreamError, partial=self.partial()
            )
        content, additional, call_chunks = self._deltas.map(choice, delta)
        if not (content or additional or call_chunks or metadata):
            return None
        # Named only where our content_blocks translation differs from LangChain's default
        # (reasoning, tool calls) or metadata is sent anyway: a plain text chunk translates
        # the same without it, and LangChain keeps every chunk of a stream until it ends.
        if additional or call_chunks or metadata:
            metadata["model_provider"] = self.model_provider
        # Only the fields the event fills: fewer to validate, and a smaller model kept per
        # chunk (LangChain holds every chunk of a stream until it ends).
        fields = {"content": content, "response_metadata": metadata}
        if additional:
            fields["additional_kwargs"] = additional
        if call_chunks:
            fields["tool_call_chunks"] = call_chunks
        if self.generation_id is not None:
            fields["id"] = self.generation_id
        return AIMessageChunk(**fields)

    def last_chunk(self, end: StreamEnd) -> AIMessageChunk:
        """The closing chunk: usage and cost, counted once, and ``chunk_position="last"``.

        Judges how the stream ended. Raises the typed error (with ``partial``) if the body
        broke off, if it held no event at all (what it said instead, when it said
        anything), or if it ended with neither ``[DONE]`` nor a ``finish_reason``: a
        truncated answer is never passed off as complete.
        """
        broken = broken_stream(end, self.generation_id, self.partial)
        if broken is not None:
            raise broken
        if end.head is not None and not end.done:
            self._judge_unframed(end)
        if not end.done and self.finish_reason is None:
            raise self._error("the stream ended before the answer was complete (no finish_reason, no [DONE])")
        metadata: dict[str, Any] = {"model_provider": self.model_provider, **self._deltas.kept_choice}
        usage = usage_metadata(self.usage) if self.include_usage else None
        if self.include_usage:
            metadata.update(self.cost)
            if isinstance(self.usage, OBJECT):
                metadata["usage"] = dict(self.usage)
        return AIMessageChunk(
            content=[] if self._deltas.outputs.listed else "",
            usage_metadata=usage,
            response_metadata=metadata,
            additional_kwargs=self._deltas.kept(),
            id=self.generation_id,
            chunk_position="last",
        )

    def _once(self, metadata: dict[str, Any], key: str, value: Any) -> None:
        if value is not None and value != "" and key not in self._sent:
            self._sent.add(key)
            metadata[key] = value

    def _take_usage(self, event: Mapping[str, Any]) -> None:
        # The last usage seen wins: it is sent once, but never counted twice if repeated.
        if event.get("usage") is not None and not isinstance(event["usage"], OBJECT):
            raise Malformed(f"usage is {type(event['usage']).__name__}, not an object")
        if isinstance(event.get("usage"), OBJECT):
            self.usage = event["usage"]
            self.cost = cost_metadata(event)
        elif event.get("cost") is not None:  # Infron: cost at the root
            self.cost = cost_metadata(event)

    def _judge_unframed(self, end: StreamEnd) -> None:
        """A stream that ended without a single event: raise what its body said, if anything.

        Some gateways send a JSON error (or a proxy's text) labelled ``text/event-stream``;
        its message must not be lost behind "the stream ended before the answer was complete".
        """
        assert end.head is not None
        lines = [line for line in end.head.splitlines() if line.strip() and not line.startswith(b":")]
        if not lines:
            return  # nothing, or keep-alives only: a truncation
        text = b"\n".join(lines).decode("utf-8", "replace")
        try:
            data = json.loads(text)
        except ValueError:
            data = None
        generation_id = end.headers.get("x-generation-id")
        if isinstance(data, OBJECT) and data.get("error"):
            raise error_from_body(data, status_code=end.status_code, generation_id=generation_id)
        raise _errors.stream_error(
            f"the router's stream held no events; its body was: {text[:300]!r}",
            status_code=end.status_code,
            generation_id=generation_id,
        )
