"""A scripted router on loopback, for tests that need real HTTP without the network.

    with FakeRouter() as router:
        router.reply(json={"choices": [...]})                  # one scripted answer
        router.reply_sse([{"choices": [...]}, "[DONE]"])       # a stream of events
        model = ChatVisionRouter(model="m", api_key="k", base_url=router.url)
        ...
        router.requests[0].json                                # what the adapter sent

Answers are served in the order scripted; when the script is empty a responder set
with ``respond(fn)`` answers (``fn(request) -> Scripted``, e.g. echoing the prompt for
concurrency tests), else the request gets a 599 so a test never hangs. Streams are
sent with chunked encoding, one piece per ``chunks`` item, optionally slowed
(``delay``) or cut off (``drop``: the connection is closed without the terminating
chunk). ``abort`` closes the connection without any answer; ``reset`` resets it (an RST,
as a load balancer dropping a stale keep-alive connection does).

``hold()`` returns a gate: an answer scripted with ``gate=`` waits for it before its
status line, or after ``gate_after`` stream pieces. While held, the server watches the
connection: ``client_gone`` is set when the client closes it (a time-out, a cancelled
stream). Gates still held are released when the router stops. ``connections`` counts
TCP connections accepted, ``closed`` those that ended.

Tests wait on events, never on the clock: ``wait_requests(n)`` returns once ``n``
requests have arrived (all read, their answers not yet sent), ``wait_closed(n)`` once
``n`` connections have ended. Their time-outs only keep a broken test from hanging.
"""

from __future__ import annotations

import contextlib
import json as jsonlib
import select
import socket
import struct
import threading
import time
from collections import deque
from collections.abc import Callable
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
    abort: bool = False  # close the connection without sending anything
    reset: bool = False  # reset the connection (RST) without sending anything
    gate: threading.Event | None = None  # wait for it (see FakeRouter.hold) ...
    gate_after: int | None = None  # ... after this many stream pieces; None: before the status line


def sse_body(events: list[Any], *, crlf: bool = False, comments: int = 0) -> list[bytes]:
    """Encode events (dicts, or the string ``"[DONE]"``) as SSE frames, one frame per piece."""
    nl = "\r\n" if crlf else "\n"
    pieces = [f": OPENROUTER PROCESSING{nl}{nl}".encode()] * comments
    for event in events:
        data = event if isinstance(event, str) else jsonlib.dumps(event)
        pieces.append(f"data: {data}{nl}{nl}".encode())
    return pieces


def answer(
    status: int = 200,
    *,
    json: Any = None,
    body: bytes | str | None = None,
    headers: dict[str, str] | None = None,
    delay: float = 0.0,
    gate: threading.Event | None = None,
    drop: bool = False,
) -> Scripted:
    """One complete answer (JSON when ``json`` is given); ``drop`` cuts the body in half."""
    headers = dict(headers or {})
    if json is not None:
        raw = jsonlib.dumps(json).encode()
        headers.setdefault("Content-Type", "application/json")
    else:
        raw = body.encode() if isinstance(body, str) else (body or b"")
    return Scripted(status=status, headers=headers, body=raw, delay=delay, gate=gate, drop=drop)


def sse_answer(
    events: list[Any] | None = None,
    *,
    chunks: list[bytes] | None = None,
    headers: dict[str, str] | None = None,
    delay: float = 0.0,
    drop: bool = False,
    comments: int = 0,
    crlf: bool = False,
    gate: threading.Event | None = None,
    gate_after: int | None = None,
) -> Scripted:
    """A streamed answer, from events or from raw byte pieces."""
    pieces = chunks if chunks is not None else sse_body(events or [], crlf=crlf, comments=comments)
    headers = {"Content-Type": "text/event-stream", **(headers or {})}
    return Scripted(
        status=200, headers=headers, chunks=pieces, delay=delay, drop=drop, gate=gate, gate_after=gate_after
    )


class FakeRouter:
    """A threaded HTTP server on 127.0.0.1 that answers from a script and records requests."""

    def __init__(self) -> None:
        self.requests: list[Recorded] = []
        self._script: deque[Scripted] = deque()
        self._lock = threading.Lock()
        self._changed = threading.Condition(self._lock)  # notified on each request and each closed connection
        self.connections = 0  # TCP connections accepted (to check pooling)
        self.closed = 0  # TCP connections that ended (either side closed them)
        self.client_gone = threading.Event()  # a held answer saw its client close the connection
        self.responder: Callable[[Recorded], Scripted] | None = None
        self._gates: list[threading.Event] = []
        router = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, *args: Any) -> None:  # keep test output clean
                pass

            def setup(self) -> None:
                super().setup()
                with router._lock:
                    router.connections += 1

            def handle(self) -> None:
                # A client that resets its connection (a cancelled stream) is not a server error.
                with contextlib.suppress(ConnectionResetError, BrokenPipeError):
                    super().handle()

            def finish(self) -> None:
                with contextlib.suppress(OSError):
                    super().finish()
                with router._lock:
                    router.closed += 1
                    router._changed.notify_all()

            def _wait(self, gate: threading.Event) -> bool:
                """Wait for the gate; False (and ``client_gone`` set) if the client left first."""
                while not gate.wait(0.01):
                    readable, _, _ = select.select([self.connection], [], [], 0)
                    if readable and not self.connection.recv(1, socket.MSG_PEEK):
                        router.client_gone.set()
                        self.close_connection = True
                        return False
                return True

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
                recorded = Recorded(self.command, self.path, dict(self.headers.items()), body)
                with router._lock:
                    router.requests.append(recorded)
                    router._changed.notify_all()
                    scripted = router._script.popleft() if router._script else None
                if scripted is None and router.responder is not None:
                    scripted = router.responder(recorded)
                if scripted is None:
                    scripted = Scripted(status=599, body=b'{"error":{"code":599,"message":"nothing scripted"}}')
                try:
                    self._answer(scripted)
                except (BrokenPipeError, ConnectionResetError):
                    self.close_connection = True  # the client went away (time-out, cancelled stream)

            def _answer(self, scripted: Scripted) -> None:
                if scripted.reset:  # SO_LINGER 0: close() sends an RST, not a FIN
                    self.connection.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
                    self.connection.close()
                    self.close_connection = True
                    return
                if scripted.abort:
                    self.connection.shutdown(socket.SHUT_RDWR)
                    self.close_connection = True
                    return
                if scripted.gate is not None and scripted.gate_after is None and not self._wait(scripted.gate):
                    return
                if scripted.delay:
                    time.sleep(scripted.delay)
                self.send_response(scripted.status)
                for name, value in scripted.headers.items():
                    self.send_header(name, value)
                if scripted.chunks is None:
                    self.send_header("Content-Length", str(len(scripted.body)))
                    self.end_headers()
                    if scripted.drop:  # half the promised body, then the connection goes
                        self.wfile.write(scripted.body[: len(scripted.body) // 2])
                        self.wfile.flush()
                        self.connection.shutdown(socket.SHUT_RDWR)
                        self.close_connection = True
                        return
                    self.wfile.write(scripted.body)
                    return
                self.send_header("Transfer-Encoding", "chunked")
                self.end_headers()
                for i, piece in enumerate(scripted.chunks):
                    if scripted.gate is not None and scripted.gate_after == i and not self._wait(scripted.gate):
                        return
                    self.wfile.write(f"{len(piece):x}\r\n".encode() + piece + b"\r\n")
                    self.wfile.flush()
                    if scripted.delay:
                        time.sleep(scripted.delay)
                if (
                    scripted.gate is not None
                    and scripted.gate_after == len(scripted.chunks)
                    and not self._wait(scripted.gate)
                ):
                    return
                if scripted.drop:
                    self.connection.shutdown(socket.SHUT_RDWR)
                    self.close_connection = True
                    return
                self.wfile.write(b"0\r\n\r\n")

            do_POST = _handle
            do_GET = _handle

        class Server(ThreadingHTTPServer):
            request_queue_size = 256  # a burst of concurrent connects must not overflow the backlog
            daemon_threads = True

        self._server = Server(("127.0.0.1", 0), Handler)
        # A short poll interval: shutdown() waits up to one interval, at every test teardown.
        self._thread = threading.Thread(target=self._server.serve_forever, args=(0.02,), daemon=True)

    # -- scripting ------------------------------------------------------------------

    def reply(self, status: int = 200, **kwargs: Any) -> None:
        """Script one complete answer (JSON by default); arguments as :func:`answer`."""
        self._script.append(answer(status, **kwargs))

    def reply_sse(self, events: list[Any] | None = None, **kwargs: Any) -> None:
        """Script a streamed answer, from events or from raw byte pieces; arguments as :func:`sse_answer`."""
        self._script.append(sse_answer(events, **kwargs))

    def abort(self) -> None:
        """Script a connection closed without any answer."""
        self._script.append(Scripted(abort=True))

    def reset(self) -> None:
        """Script a connection reset (RST) without any answer."""
        self._script.append(Scripted(reset=True))

    def respond(self, fn: Callable[[Recorded], Scripted]) -> None:
        """Answer every request the script does not cover with ``fn(request)``."""
        self.responder = fn

    def hold(self) -> threading.Event:
        """A gate for a scripted answer (``gate=``); ``set()`` it to let the answer go."""
        gate = threading.Event()
        self._gates.append(gate)
        return gate

    def wait_requests(self, n: int, timeout: float = 60.0) -> bool:
        """Wait until at least ``n`` requests have arrived (False only if a broken test would hang)."""
        with self._changed:
            return self._changed.wait_for(lambda: len(self.requests) >= n, timeout)

    def wait_closed(self, n: int, timeout: float = 60.0) -> bool:
        """Wait until at least ``n`` connections have ended (False only if a broken test would hang)."""
        with self._changed:
            return self._changed.wait_for(lambda: self.closed >= n, timeout)

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
        for gate in self._gates:
            gate.set()
        self._server.shutdown()
        self._server.server_close()
        self._thread.join(timeout=5)
