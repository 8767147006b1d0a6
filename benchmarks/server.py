"""A loopback server that answers like the router, fast enough never to be the bottleneck.

Run as its own process (``python -m benchmarks.server``; it prints ``PORT <n>`` on stdout),
so its work lands on the other core and never in the client's CPU time. It is a raw
asyncio protocol: no framework, every answer is built once and cached as bytes.

Routes (the scenario is in the path, so a contender's ``base_url`` picks it):

- ``POST /s/short/v1/chat/completions``: a short non-streaming answer, OpenRouter's shape;
- ``POST /s/stream<N>/v1/chat/completions``: an SSE stream of ``N`` content chunks in
  OpenRouter's exact shape (``: OPENROUTER PROCESSING`` comments, a role chunk, ``N``
  content chunks, a ``finish_reason`` chunk, a usage chunk, ``data: [DONE]``), sent with
  chunked transfer encoding, one SSE frame per HTTP chunk, as the router sends them;
- ``GET /_stats``: what the last request to each scenario looked like (body size, chunked
  or not, the first bytes), so the benchmark can check every contender sent the same thing.

Request bodies of any size are read (Content-Length or chunked) and counted, not kept.
"""

from __future__ import annotations

import asyncio
import json
import re
import sys
from typing import Any

GENERATION_ID = "gen-1770044198-BenchBenchBenchBench"
MODEL = "openai/gpt-4o-mini"
CREATED = 1770044198
SHORT_ANSWER = "Hello! How can I help you today?"
#: Tokens cycled through by the streams; a few characters each, as real streams send.
WORDS = (" The", " quick", " brown", " fox", " jumps", " over", " the", " lazy", " dog", ".", " It", " runs")
_USAGE = {
    "prompt_tokens": 17,
    "completion_tokens": 9,
    "total_tokens": 26,
    "cost": 0.0000123,
    "is_byok": False,
    "prompt_tokens_details": {"cached_tokens": 0},
    "cost_details": {"upstream_inference_cost": None},
    "completion_tokens_details": {"reasoning_tokens": 0},
}
_ROUTE = re.compile(rb"^/s/([a-z0-9]+)/v1/chat/completions$")
_HEAD_SAMPLE = 400  # bytes of each request body kept for the stats


def stream_text(n: int) -> str:
    """The text a stream of ``n`` content chunks carries, for checking what a contender got."""
    return "".join(WORDS[i % len(WORDS)] for i in range(n))


def short_body() -> bytes:
    body = {
        "id": GENERATION_ID,
        "provider": "OpenAI",
        "model": MODEL,
        "object": "chat.completion",
        "created": CREATED,
        "choices": [
            {
                "logprobs": None,
                "finish_reason": "stop",
                "native_finish_reason": "stop",
                "index": 0,
                "message": {
                    "role": "assistant",
                    "content": SHORT_ANSWER,
                    "refusal": None,
                    "reasoning": None,
                },
            }
        ],
        "system_fingerprint": "fp_bench",
        "usage": {**_USAGE},
    }
    return json.dumps(body, separators=(",", ":")).encode()


def _chunk(delta: dict[str, Any], finish: str | None, **extra: Any) -> dict[str, Any]:
    return {
        "id": GENERATION_ID,
        "provider": "OpenAI",
        "model": MODEL,
        "object": "chat.completion.chunk",
        "created": CREATED,
        "choices": [
            {"index": 0, "delta": delta, "finish_reason": finish, "native_finish_reason": finish, "logprobs": None}
        ],
        "system_fingerprint": "fp_bench",
        **extra,
    }


def sse_frames(n: int) -> list[bytes]:
    """The SSE frames of an ``n``-content-chunk stream, as OpenRouter sends them."""
    frames = [b": OPENROUTER PROCESSING\n\n", b": OPENROUTER PROCESSING\n\n"]
    events = [_chunk({"role": "assistant", "content": ""}, None)]
    events += [_chunk({"role": "assistant", "content": WORDS[i % len(WORDS)]}, None) for i in range(n)]
    events.append(_chunk({"role": "assistant", "content": ""}, "stop"))
    usage_chunk = _chunk({"role": "assistant", "content": ""}, None, usage=_USAGE)
    events.append(usage_chunk)
    frames += [b"data: " + json.dumps(e, separators=(",", ":")).encode() + b"\n\n" for e in events]
    frames.append(b"data: [DONE]\n\n")
    return frames


def _response(status: str, headers: dict[str, str], body: bytes | None, frames: list[bytes] | None = None) -> bytes:
    lines = [f"HTTP/1.1 {status}"]
    lines += [f"{k}: {v}" for k, v in headers.items()]
    if frames is None:
        assert body is not None
        lines.append(f"Content-Length: {len(body)}")
        return ("\r\n".join(lines) + "\r\n\r\n").encode() + body
    lines.append("Transfer-Encoding: chunked")
    out = [("\r\n".join(lines) + "\r\n\r\n").encode()]
    out += [b"%x\r\n%s\r\n" % (len(f), f) for f in frames]
    out.append(b"0\r\n\r\n")
    return b"".join(out)


_COMMON = {"Date": "Thu, 01 Jan 2026 00:00:00 GMT", "X-Generation-Id": GENERATION_ID}
_cache: dict[bytes, bytes] = {}


def answer_for(scenario: bytes) -> bytes | None:
    cached = _cache.get(scenario)
    if cached is not None:
        return cached
    if scenario in (b"short", b"image"):
        out = _response("200 OK", {**_COMMON, "Content-Type": "application/json"}, short_body())
    elif scenario.startswith(b"stream") and scenario[6:].isdigit():
        headers = {**_COMMON, "Content-Type": "text/event-stream", "Cache-Control": "no-cache"}
        out = _response("200 OK", headers, None, sse_frames(int(scenario[6:])))
    else:
        return None
    _cache[scenario] = out
    return out


class Stats:
    def __init__(self) -> None:
        self.last: dict[str, dict[str, Any]] = {}
        self.connections = 0


STATS = Stats()


class RouterProtocol(asyncio.Protocol):
    """HTTP/1.1 keep-alive, one request at a time per connection (as httpx sends them)."""

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        assert isinstance(transport, asyncio.Transport)
        self.transport = transport
        self.buf = bytearray()
        self.state = "head"
        STATS.connections += 1

    def data_received(self, data: bytes) -> None:
        if self.state == "length" and not self.buf:
            # The hot path for big bodies: count, keep nothing.
            take = min(self.remaining, len(data))
            self._sample(data[:take] if len(self.head_sample) < _HEAD_SAMPLE else b"")
            self.received += take
            self.remaining -= take
            data = data[take:]
            if self.remaining:
                return
            self._respond()
        self.buf += data
        self._process()

    def _sample(self, data: bytes) -> None:
        if data and len(self.head_sample) < _HEAD_SAMPLE:
            self.head_sample += data[: _HEAD_SAMPLE - len(self.head_sample)]

    def _process(self) -> None:
        while True:
            if self.state == "head":
                end = self.buf.find(b"\r\n\r\n")
                if end < 0:
                    return
                head = bytes(self.buf[:end])
                del self.buf[: end + 4]
                self._start(head)
            elif self.state == "length":
                take = min(self.remaining, len(self.buf))
                self._sample(bytes(self.buf[:take]))
                del self.buf[:take]
                self.received += take
                self.remaining -= take
                if self.remaining:
                    return
                self._respond()
            elif self.state == "chunked":
                if not self._chunked_step():
                    return
            else:  # pragma: no cover
                return

    def _start(self, head: bytes) -> None:
        request_line, *header_lines = head.split(b"\r\n")
        method, path, _ = request_line.split(b" ", 2)
        headers = {}
        for line in header_lines:
            name, _, value = line.partition(b":")
            headers[name.strip().lower()] = value.strip()
        self.method, self.path, self.headers = method, path, headers
        self.received = 0
        self.head_sample = b""
        if headers.get(b"transfer-encoding", b"").lower() == b"chunked":
            self.state = "chunked"
            self.chunk_left = 0
            return
        self.remaining = int(headers.get(b"content-length", b"0"))
        self.state = "length"
        if not self.remaining:
            self._respond()

    def _chunked_step(self) -> bool:
        """Consume what the buffer holds of a chunked body; False when more bytes are needed."""
        if self.chunk_left:
            take = min(self.chunk_left, len(self.buf))
            if not take:
                return False
            self._sample(bytes(self.buf[:take]))
            del self.buf[:take]
            self.received += take
            self.chunk_left -= take
            return True
        end = self.buf.find(b"\r\n")
        if end < 0:
            return False
        line = bytes(self.buf[:end])
        if line == b"":  # the CRLF after a chunk's data
            del self.buf[:2]
            return True
        size = int(line.split(b";")[0], 16)
        if size == 0:  # last chunk: "0\r\n" then the empty line (clients send no trailers)
            if len(self.buf) < end + 4:
                return False
            del self.buf[: end + 4]
            self._respond()
            return True
        del self.buf[: end + 2]
        self.chunk_left = size
        return True

    def _respond(self) -> None:
        chunked = self.state == "chunked"
        self.state = "head"
        path = self.path.split(b"?")[0]
        if path == b"/_stats":
            body = json.dumps({"last": STATS.last, "connections": STATS.connections}).encode()
            self.transport.write(_response("200 OK", {"Content-Type": "application/json"}, body))
            return
        match = _ROUTE.match(path)
        out = answer_for(match.group(1)) if match and self.method == b"POST" else None
        if out is None:
            body = b'{"error":{"code":404,"message":"no such benchmark route"}}'
            self.transport.write(_response("404 Not Found", {"Content-Type": "application/json"}, body))
            return
        name = match.group(1).decode()  # type: ignore[union-attr]
        STATS.last[name] = {
            "body_bytes": self.received,
            "chunked": chunked,
            "content_length": (self.headers.get(b"content-length") or b"").decode() or None,
            "head": self.head_sample.decode("latin-1"),
        }
        self.transport.write(out)


async def serve(port: int = 0) -> None:
    loop = asyncio.get_running_loop()
    server = await loop.create_server(RouterProtocol, "127.0.0.1", port, backlog=1024)
    bound = server.sockets[0].getsockname()[1]
    for scenario in (b"short", b"stream1000", b"stream2000", b"stream10000"):
        answer_for(scenario)  # build the big answers before anyone waits on them
    print(f"PORT {bound}", flush=True)
    # Stop when the parent closes our stdin: the server never outlives the benchmark.
    reader = asyncio.StreamReader()
    await loop.connect_read_pipe(lambda: asyncio.StreamReaderProtocol(reader), sys.stdin)
    await reader.read()
    server.close()


if __name__ == "__main__":
    asyncio.run(serve(int(sys.argv[1]) if len(sys.argv) > 1 else 0))
