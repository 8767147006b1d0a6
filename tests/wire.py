"""Builders for router answers in the documented wire format (shared/router-wire-format.md).

Used by unit tests (served through the loopback FakeRouter) and by the cassette sources,
so that both speak exactly what OpenRouter sends: ``gen-`` ids, ``provider``, ``model``,
``finish_reason`` with ``native_finish_reason``, ``role`` and an empty ``content``
repeated in every delta, usage with ``cost`` on the last chunk.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any, Literal

from langchain_core.messages import AIMessageChunk

from langchain_visionrouter._response.answers import StreamAssembler

CREATED = 1754441566
UsageShape = Literal["empty_choices", "empty_delta", "repeat_finish"]


def usage(
    prompt: int,
    completion: int,
    *,
    prompt_price: float = 0.4e-6,
    completion_price: float = 1.6e-6,
    reasoning: int = 0,
    cached: int = 0,
    cache_write: int | None = None,
    image: int | None = None,
    cost: float | None = None,
) -> dict[str, Any]:
    """A ``usage`` object as OpenRouter sends it, with ``cost`` computed from the prices (USD/token)."""
    if cost is None:
        cost = round(prompt * prompt_price + completion * completion_price, 10)
    details: dict[str, Any] = {"reasoning_tokens": reasoning}
    if image is not None:
        details["image_tokens"] = image
    prompt_details: dict[str, Any] = {"cached_tokens": cached}
    if cache_write is not None:
        prompt_details["cache_write_tokens"] = cache_write
    return {
        "prompt_tokens": prompt,
        "completion_tokens": completion,
        "total_tokens": prompt + completion,
        "cost": cost,
        "is_byok": False,
        "prompt_tokens_details": prompt_details,
        "cost_details": {"upstream_inference_cost": None},
        "completion_tokens_details": details,
    }


def error_body(code: int | str, message: str, **metadata: Any) -> dict[str, Any]:
    """An error body in OpenRouter's shape (``metadata`` only when given)."""
    err: dict[str, Any] = {"code": code, "message": message}
    if metadata:
        err["metadata"] = metadata
    return {"error": err}


def call(call_id: str, name: str, arguments: Any, *, index: int | None = 0) -> dict[str, Any]:
    """One tool call of a non-streamed answer (``arguments`` a JSON string, or a dict to encode)."""
    out: dict[str, Any] = {"id": call_id, "type": "function"}
    if index is not None:
        out["index"] = index
    args = arguments if isinstance(arguments, str) or arguments is None else json.dumps(arguments)
    out["function"] = {"name": name} if args is None else {"name": name, "arguments": args}
    return out


def completion(
    *,
    gen: str,
    model: str,
    provider: str,
    content: str | None = "",
    tool_calls: list[dict[str, Any]] | None = None,
    reasoning: str | None = None,
    reasoning_details: list[dict[str, Any]] | None = None,
    finish: str = "stop",
    native: str | None = None,
    use: dict[str, Any] | None = None,
    created: int = CREATED,
    fingerprint: str | None = None,
    images: list[dict[str, Any]] | None = None,
    annotations: list[dict[str, Any]] | None = None,
    top: dict[str, Any] | None = None,
) -> dict[str, Any]:
    """A non-streamed chat completion (``top``: more top-level fields, e.g. ``service_tier``)."""
    message: dict[str, Any] = {"role": "assistant", "content": content, "refusal": None, "reasoning": reasoning}
    if reasoning_details is not None:
        message["reasoning_details"] = reasoning_details
    if tool_calls is not None:
        message["tool_calls"] = tool_calls
    if images is not None:
        message["images"] = images
    if annotations is not None:
        message["annotations"] = annotations
    body: dict[str, Any] = {
        "id": gen,
        "provider": provider,
        "model": model,
        "object": "chat.completion",
        "created": created,
        "choices": [
            {
                "logprobs": None,
                "finish_reason": finish,
                "native_finish_reason": native or finish,
                "index": 0,
                "message": message,
            }
        ],
    }
    if fingerprint is not None:
        body["system_fingerprint"] = fingerprint
    if use is not None:
        body["usage"] = use
    body.update(top or {})
    return body


# ---------------------------------------------------------------------------
# Outputs, server tools and errors of part 2 (shared/router-wire-format-2.md)


def image(data: bytes, mime: str = "image/png", *, typed: bool = True) -> dict[str, Any]:
    """One ``message.images`` / ``delta.images`` entry: the guide's shape, or the spec's (no ``type``)."""
    import base64

    entry: dict[str, Any] = {"image_url": {"url": f"data:{mime};base64,{base64.b64encode(data).decode()}"}}
    return {"type": "image_url", **entry} if typed else entry


def url_citation(url: str, title: str, content: str, start: int, end: int) -> dict[str, Any]:
    """A ``url_citation`` annotation (web search)."""
    spec = {"url": url, "title": title, "content": content, "start_index": start, "end_index": end}
    return {"type": "url_citation", "url_citation": spec}


def file_annotation(file_hash: str, name: str, text: str) -> dict[str, Any]:
    """A ``file`` annotation (a parsed PDF)."""
    return {"type": "file", "file": {"hash": file_hash, "name": name, "content": [{"type": "text", "text": text}]}}


def server_tool_call(tool: str, call_id: str, arguments: dict[str, Any], result: dict[str, Any]) -> dict[str, Any]:
    """A ``reasoning.server_tool_call`` detail (a tool the router ran), as the spec shows it."""
    return {
        "type": "reasoning.server_tool_call",
        "tool_name": tool,
        "tool_call_id": call_id,
        "arguments": json.dumps(arguments),
        "result": json.dumps(result),
        "id": None,
        "format": "unknown",
        "index": 0,
    }


def server_tool_use(requested: int, executed: int, web_search: int | None = None) -> dict[str, Any]:
    """``usage.server_tool_use_details``."""
    return {"tool_calls_requested": requested, "tool_calls_executed": executed, "web_search_requests": web_search}


def audio_delta(data: str | None = None, transcript: str | None = None, **more: Any) -> dict[str, Any]:
    """A delta carrying audio output: a base64 fragment and/or a transcript fragment."""
    audio: dict[str, Any] = dict(more)
    if data is not None:
        audio["data"] = data
    if transcript is not None:
        audio["transcript"] = transcript
    return {"audio": audio}


def availability_error(
    message: str,
    *,
    code: str,
    retryable: bool,
    status: int,
    error_type: str,
    retry_after: float | None = None,
    models: list[str] | None = None,
    providers: list[str] | None = None,
    fallbacks: list[str] | None = None,
) -> dict[str, Any]:
    """An error body with ``error.availability``, in the changelog's shape (``error_type``/``http_status``
    beside the message, no ``code``)."""
    availability: dict[str, Any] = {
        "code": code,
        "retryable": retryable,
        "requested_models": models or ["anthropic/claude-sonnet-4.5"],
        "docs_url": f"https://openrouter.ai/docs/errors#{code}",
    }
    if retry_after is not None:
        availability["retry_after"] = retry_after
    if providers is not None:
        availability["affected_providers"] = providers
    if fallbacks is not None:
        availability["fallback_models"] = fallbacks
    return {
        "error": {
            "message": message,
            "error_type": error_type,
            "http_status": status,
            "availability": availability,
            "metadata": {"previous_errors": [{"provider": "anthropic", "code": code, "status": status}]},
        }
    }


class Stream:
    """The chunks of one streamed answer, sharing id, provider, model and created."""

    def __init__(
        self, *, gen: str, model: str, provider: str, created: int = CREATED, fingerprint: str | None = None
    ) -> None:
        self.gen, self.model, self.provider, self.created, self.fingerprint = gen, model, provider, created, fingerprint

    def chunk(
        self,
        delta: dict[str, Any] | None = None,
        *,
        finish: str | None = None,
        native: str | None = None,
        use: dict[str, Any] | None = None,
        choices: bool = True,
        top: dict[str, Any] | None = None,
    ) -> dict[str, Any]:
        """One chunk. ``delta`` gets ``role`` and ``content: ""`` unless it sets them (as recorded)."""
        event: dict[str, Any] = {
            "id": self.gen,
            "provider": self.provider,
            "model": self.model,
            "object": "chat.completion.chunk",
            "created": self.created,
        }
        if choices:
            full_delta = {"role": "assistant", "content": "", **(delta or {})}
            event["choices"] = [
                {
                    "index": 0,
                    "delta": full_delta,
                    "finish_reason": finish,
                    "native_finish_reason": native or finish,
                    "logprobs": None,
                }
            ]
        else:
            event["choices"] = []
        if self.fingerprint is not None:
            event["system_fingerprint"] = self.fingerprint
        if use is not None:
            event["usage"] = use
        event.update(top or {})
        return event

    def text(
        self,
        pieces: list[str],
        *,
        use: dict[str, Any],
        finish: str = "stop",
        native: str | None = None,
        shape: UsageShape = "empty_delta",
        lead: bool = True,
    ) -> list[dict[str, Any]]:
        """A text answer: an empty opening delta, one chunk per piece, the finish, then usage."""
        events = [self.chunk()] if lead else []
        events += [self.chunk({"content": piece}) for piece in pieces]
        return events + self.end(use=use, finish=finish, native=native, shape=shape)

    def end(
        self, *, use: dict[str, Any], finish: str = "stop", native: str | None = None, shape: UsageShape = "empty_delta"
    ) -> list[dict[str, Any]]:
        """The closing chunks, with usage in one of the three recorded shapes."""
        if shape == "repeat_finish":
            return [
                self.chunk(finish=finish, native=native),
                self.chunk(finish=finish, native=native, use=use),
            ]
        closing = self.chunk(finish=finish, native=native)
        if shape == "empty_choices":
            return [closing, self.chunk(choices=False, use=use)]
        return [closing, self.chunk(use=use)]


def tool_delta(
    index: int | None = 0,
    *,
    call_id: str | None = None,
    name: str | None = None,
    arguments: str | None = None,
    content: str | None = None,
) -> dict[str, Any]:
    """A delta with one tool-call fragment, as OpenAI sends them via OpenRouter."""
    fragment: dict[str, Any] = {}
    if index is not None:
        fragment["index"] = index
    if call_id is not None:
        fragment["id"] = call_id
    fragment["type"] = "function"
    function: dict[str, Any] = {}
    if name is not None:
        function["name"] = name
    if arguments is not None:
        function["arguments"] = arguments
    fragment["function"] = function
    return {"content": content, "tool_calls": [fragment]}


def _png_chunk(kind: bytes, data: bytes) -> bytes:
    import struct
    import zlib

    return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)


def _png(width: int, height: int, rows: bytes) -> bytes:
    import struct
    import zlib

    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + _png_chunk(b"IHDR", header)
        + _png_chunk(b"IDAT", zlib.compress(rows, 9))
        + _png_chunk(b"IEND", b"")
    )


def solid_png(rgb: tuple[int, int, int] = (255, 0, 0), size: int = 2) -> bytes:
    """A valid square PNG of one colour, built without Pillow."""
    return _png(size, size, (b"\x00" + bytes(rgb) * size) * size)


def png(width: int = 64, height: int = 48, *, seed: int = 0) -> bytes:
    """A small, valid PNG (coloured bands), byte-for-byte the same on every run."""
    rows = []
    for y in range(height):
        row = bytearray([0])  # filter: none
        for x in range(width):
            band = (x * 4 // width + seed) % 4
            row += bytes(((60 + 60 * band) % 256, (200 - 40 * band) % 256, (90 + 30 * band + y) % 256))
        rows.append(bytes(row))
    return _png(width, height, b"".join(rows))


# ---------------------------------------------------------------------------
# Embeddings (router-wire-format-2.md section 9)


def float32_base64(vector: list[float]) -> str:
    """A vector as ``encoding_format="base64"`` sends it: little-endian float32, base64."""
    import base64
    import struct

    return base64.b64encode(struct.pack(f"<{len(vector)}f", *vector)).decode()


def embeddings(
    vectors: list[list[float]],
    *,
    model: str = "openai/text-embedding-3-small",
    gen: str = "gen-emb-1754441566-aaaa",
    provider: str | None = "OpenAI",
    order: list[int] | None = None,
    encoding: Literal["float", "base64"] = "float",
    prompt_tokens: int | None = None,
    price: float = 0.02e-6,
    cost: float | None = None,
) -> dict[str, Any]:
    """An ``/embeddings`` answer; ``order`` lists the indices in the order the items come in."""
    indices = list(range(len(vectors))) if order is None else order
    tokens = 4 * len(vectors) if prompt_tokens is None else prompt_tokens
    data = [
        {
            "object": "embedding",
            "index": i,
            "embedding": float32_base64(vectors[i]) if encoding == "base64" else vectors[i],
        }
        for i in indices
    ]
    body: dict[str, Any] = {"id": gen, "object": "list", "model": model, "data": data}
    if provider is not None:
        body["provider"] = provider
    body["usage"] = {
        "prompt_tokens": tokens,
        "total_tokens": tokens,
        "cost": round(tokens * price, 12) if cost is None else cost,
        "is_byok": False,
    }
    return body


# ---------------------------------------------------------------------------
# Driving the stream assembler directly (no HTTP)


@dataclass
class Ended:
    """How a stream ended, as the HTTP layer would report it (see ``_responses.StreamEnd``)."""

    done: bool = True
    head: bytes | None = None
    failure: BaseException | None = None
    exceeded: Any = None  # a _limits.Exceeded
    timeout: float | None = None
    status_code: int = 200
    headers: dict[str, str] = field(default_factory=dict)


class Mapper(StreamAssembler):
    """``StreamAssembler`` fed decoded events (dicts) and ended by a flag, for unit tests."""

    def chunk(self, event: Any) -> AIMessageChunk | None:
        return self.feed(event if isinstance(event, (bytes, str)) else json.dumps(event))

    def end(self, *, completed: bool) -> AIMessageChunk:
        return self.last_chunk(Ended(done=completed))


# -- video and audio files: their first bytes as each container writes them, then padding ------

_AV_HEADS = {
    "video/mp4": b"\x00\x00\x00\x20ftypisom\x00\x00\x02\x00isomiso2avc1mp41",
    "video/quicktime": b"\x00\x00\x00\x14ftypqt  \x20\x05\x03\x00qt  ",
    "video/webm": b"\x1a\x45\xdf\xa3\x9f\x42\x86\x81\x01\x42\xf7\x81\x01\x42\xf2\x81\x04"
    b"\x42\xf3\x81\x08\x42\x82\x84webm",
    "video/mpeg": b"\x00\x00\x01\xba\x44\x00\x04\x00\x04\x01\x01\x89\xc3\xf8",
    "video/x-matroska": b"\x1a\x45\xdf\xa3\xa3\x42\x86\x81\x01\x42\x82\x88matroska",
    "audio/wav": b"RIFF\x24\x08\x00\x00WAVEfmt \x10\x00\x00\x00\x01\x00\x01\x00\x44\xac\x00\x00",
    "audio/mpeg": b"ID3\x04\x00\x00\x00\x00\x00\x23TSSE\x00\x00\x00\x0f\x00\x00\x03Lavf",
    "audio/flac": b"fLaC\x00\x00\x00\x22\x10\x00\x10\x00",
    "audio/ogg": b"OggS\x00\x02\x00\x00\x00\x00\x00\x00\x00\x00",
    "audio/aac": b"\xff\xf1\x50\x80\x02\x1f\xfc",
    "audio/mp4": b"\x00\x00\x00\x20ftypM4A \x00\x00\x02\x00M4A isomiso2",
    "audio/aiff": b"FORM\x00\x00\x10\x00AIFFCOMM\x00\x00\x00\x12",
}


def av_file(mime: str, size: int = 2048) -> bytes:
    """A file of ``mime`` as far as its first bytes go (what the package reads), ``size`` bytes long."""
    head = _AV_HEADS[mime]
    return head + bytes((i * 7) % 251 for i in range(max(0, size - len(head))))
