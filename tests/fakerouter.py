"""A scripted router on loopback, for tests that need real HTTP without the network.

    with FakeRouter() as router:
        router.reply(json={"choices": [...]})                  # one scripted answer
        router.reply_sse([{"choices": [...]}, "[DONE]"])       # a stream of events
        model = ChatVisionRouter(model="m", api_key="k", base_url=router.url)
        ...
        router.requests[0].json                                # what the adapter sent

Answers are served in the order scripted; a request with nothing scripted gets a 599
so a test never hangs. Streams are sent with chunked encoding, one piece per
``chunks`` item, optionally slowed (``delay``) or cut off (``drop``: the connection is
closed without the terminating chunk).
"""

from __future__ import annotations

import json as jsonlib
import socket
import threading
import time
from collections import deque
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any


@dataclass
class Recorded:
    method: str
    path: str
    headers: dict[str, str]
    body: bytes

    @property
    def json(self) -> Any:
        return jsonlib.loads(self.body) if self.body else None


@dataclass
class Scripted:
    status: int = 200
    headers: dict[str, str] = field(default_factory=dict)
    body: bytes = b""
    chunks: list[bytes] | None = None  # when set, sent chunked, one piece each
    delay: float = 0.0  # seconds before the status line (and between chunks)
    drop: bool = False  # close the connection before the stream's end


def sse_body(events: list[Any], *, crlf: bool = False, comments: int = 0) -> list[bytes]:
    """Encode events (dicts, or the string ``"[DONE]"``) as SSE frames, one frame per piece."""
    nl = "\r\n" if crlf else "\n"
    pieces = [f": OPENROUTER PROCESSING{nl}{nl}".encode()] * comments
    for event in events:
        data = event if isinstance(event, str) else jsonlib.dumps(event)
        pieces.append(f"data: {data}{nl}{nl}".encode())
    return pieces


class FakeRouter:
    """A threaded HTTP server on 127.0.0.1 that answers from a script and records requests."""

    def __init__(self) -> None:
        self.requests: list[Recorded] = []
        self._script: deque[Scripted] = deque()
        self._lock = threading.Lock()
        self.connections = 0  # TCP connections accepted (to check pooling)
        router = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, *args: Any) -> None:  # keep test output clean
                pass

            def setup(self) -> None:
                super().setup()
                with router._lock:
                    router.connections += 1

            def _read_body(self) -> bytes:
                if self.headers.get("Transfer-Encoding", "").lower() == "chunked":
                    out = b""
                    while True:
                        size = int(self.rfile.readline().strip() or b"0", 16)
                        if size == 0:
                            self.rfile.readline()
                            return out
                        out += self.rfile.read(size)
                        self.rfile.readline()
                return self.rfile.read(int(self.headers.get("Content-Length") or 0))

            def _handle(self) -> None:
                body = self._read_body()
                with router._lock:
                    router.requests.append(Recorded(self.command, self.path, dict(self.headers.items()), body))
                    scripted = router._script.popleft() if router._script else None
                if scripted is None:
                    scripted = Scripted(status=599, body=b'{"error":{"code":599,"message":"nothing scripted"}}')
                if scripted.delay:
                    time.sleep(scripted.delay)
                self.send_response(scripted.status)
                for name, value in scripted.headers.items():
                    self.send_header(name, value)
                if scripted.chunks is None:
                    self.send_header("Content-Length", str(len(scripted.body)))
                    self.end_headers()
                    self.wfile.write(scripted.body)
                    return
                self.send_header("Transfer-Encoding", "chunked")
                self.end_headers()
                try:
                    for piece in scripted.chunks:
                        self.wfile.write(f"{len(piece):x}\r\n".encode() + piece + b"\r\n")
                        self.wfile.flush()
                        if scripted.delay:
                            time.sleep(scripted.delay)
                    if scripted.drop:
                        self.connection.shutdown(socket.SHUT_RDWR)
                        self.close_connection = True
                        return
                    self.wfile.write(b"0\r\n\r\n")
                except (BrokenPipeError, ConnectionResetError):
                    self.close_connection = True  # the client went away (cancelled stream)

            do_POST = _handle
            do_GET = _handle

        self._server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self._server.daemon_threads = True
        # Poll often: shutdown() waits for the next poll, and every test's teardown calls it.
        self._thread = threading.Thread(target=self._server.serve_forever, args=(0.05,), daemon=True)

    # -- scripting ------------------------------------------------------------------

    def reply(
        self,
        status: int = 200,
        *,
        json: Any = None,
        body: bytes | str | None = None,
        headers: dict[str, str] | None = None,
        delay: float = 0.0,
    ) -> None:
        """Script one complete answer (JSON by default)."""
        headers = dict(headers or {})
        if json is not None:
            raw = jsonlib.dumps(json).encode()
            headers.setdefault("Content-Type", "application/json")
        else:
            raw = body.encode() if isinstance(body, str) else (body or b"")
        self._script.append(Scripted(status=status, headers=headers, body=raw, delay=delay))

    def reply_sse(
        self,
        events: list[Any] | None = None,
        *,
        chunks: list[bytes] | None = None,
        headers: dict[str, str] | None = None,
        delay: float = 0.0,
        drop: bool = False,
        comments: int = 0,
        crlf: bool = False,
    ) -> None:
        """Script a streamed answer, from events or from raw byte pieces."""
        pieces = chunks if chunks is not None else sse_body(events or [], crlf=crlf, comments=comments)
        headers = {"Content-Type": "text/event-stream", **(headers or {})}
        self._script.append(Scripted(status=200, headers=headers, chunks=pieces, delay=delay, drop=drop))

    # -- lifecycle ------------------------------------------------------------------

    @property
    def base(self) -> str:
        host, port = self._server.server_address[:2]
        return f"http://{host}:{port}"

    @property
    def url(self) -> str:
        """A base URL shaped like OpenRouter's."""
        return self.base + "/api/v1"

    def __enter__(self) -> FakeRouter:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._server.shutdown()
        self._server.server_close()
        self._thread.join(timeout=5)
