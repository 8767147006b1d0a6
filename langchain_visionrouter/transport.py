"""HTTP to the router: pooled httpx clients, retries, SSE reading and error mapping.

The only module that does network I/O. What goes in is a :class:`RouterRequest`
(URL, headers, body bytes, time-out, retry budget); what comes out is decoded JSON,
or decoded stream events, or a typed :mod:`~langchain_visionrouter.errors` exception.

Retries follow the router's error table: 408, 429, 5xx, a refused or dropped
connection before any answer, and a 200 body that is a retryable error. 400, 401,
402, 403 and 404 are never retried, a request that timed out while the router was
working is not retried (it may already be billed), and a stream is never retried
once its body has begun: what it yielded cannot be taken back. Redirects are not
followed (the key would go to another host): a 3xx is an error naming the target.

The credentials of every request are registered with
:mod:`~langchain_visionrouter.redaction`, so no error built from what the router
answered can show them.
"""

from __future__ import annotations

import asyncio
import contextlib
import email.utils
import json
import logging
import math
import random
import threading
import time
from collections.abc import AsyncGenerator, AsyncIterator, Iterator, Mapping
from dataclasses import dataclass, field
from datetime import timezone
from typing import Any

import httpx

from langchain_visionrouter.errors import (
    APIConnectionError,
    RequestTimeoutError,
    StreamError,
    VisionRouterError,
    error_from_body,
    error_from_response,
)
from langchain_visionrouter.redaction import register_header_secrets

__all__ = [
    "AsyncEventStream",
    "EventStream",
    "HTTPClients",
    "RouterRequest",
    "SSEDecoder",
    "retry_delay",
]

logger = logging.getLogger(__name__)

RETRYABLE_STATUS = frozenset({408, 429, 500, 502, 503, 504, 520, 522, 524, 529})
INITIAL_BACKOFF = 0.5  # seconds; doubled per attempt, with jitter
MAX_BACKOFF = 8.0
#: Cap, in seconds, on a wait the router asks for (Retry-After, X-RateLimit-Reset): a longer
#: one is cut to this before the retry. Read at each retry, so it can be changed at run time.
MAX_RETRY_WAIT = 60.0
_DONE = "[DONE]"


@dataclass(frozen=True)
class RouterRequest:
    """One request to the router, fully prepared (a POST unless ``method`` says otherwise)."""

    url: str
    headers: Mapping[str, str] = field(repr=False)  # carries the API key
    #: The JSON body, or its pieces (see :func:`~langchain_visionrouter.body.encode_body`).
    body: bytes | list[bytes]
    timeout: float | None
    max_retries: int
    method: str = "POST"


# ---------------------------------------------------------------------------
# Clients


def _limits() -> httpx.Limits:
    return httpx.Limits(max_connections=100, max_keepalive_connections=20)


class _LoopClient:
    """The pooled async client of one event loop, closed when that loop shuts down.

    httpx connections belong to the loop that opened them and can only be closed on
    it. ``asyncio.run`` and every ``asyncio.Runner`` (pytest-asyncio's too) call
    ``loop.shutdown_asyncgens()`` before closing the loop, which closes every suspended
    async generator *on that loop*: a guard generator parked at its ``yield`` is
    therefore the hook that closes the client's connections while they still can be,
    instead of leaving them to leak ("unclosed transport" ``ResourceWarning``) when
    the next ``asyncio.run`` makes a new loop. It is invisible to ``asyncio.all_tasks()``.
    """

    __slots__ = ("_guard", "client", "closed", "loop")

    def __init__(self, loop: asyncio.AbstractEventLoop) -> None:
        self.loop = loop
        self.client = httpx.AsyncClient(timeout=None, limits=_limits())
        self.closed = False
        self._guard = self._close_at_loop_shutdown()
        # Run the guard to its first yield now: that registers it with the running loop.
        with contextlib.suppress(StopIteration):
            self._guard.asend(None).send(None)

    async def _close_at_loop_shutdown(self) -> AsyncGenerator[None, None]:
        try:
            yield
        finally:
            self.closed = True
            if not self.loop.is_closed():
                await self.client.aclose()

    async def aclose(self) -> None:
        """Close the client; must run on its loop."""
        await self._guard.aclose()

    def abandon(self) -> None:
        """Finish the guard without a loop (its loop is closed, or it already ran)."""
        with contextlib.suppress(StopIteration, RuntimeError):
            self._guard.aclose().send(None)


class HTTPClients:
    """One pooled sync client, and one pooled async client per event loop, created on first use.

    An async client belongs to the event loop that created it (httpx connections cannot
    cross loops), so each loop gets its own, closed when that loop shuts down (see
    :class:`_LoopClient`): running a model under ``asyncio.run`` twice, or from several
    threads each with its own loop, neither leaks connections nor shares them across
    loops. Clients passed in by the user are used as given and never closed here.
    """

    def __init__(
        self,
        http_client: httpx.Client | None = None,
        http_async_client: httpx.AsyncClient | None = None,
    ) -> None:
        self._client = http_client
        self._owns_client = http_client is None
        self._user_aclient = http_async_client
        self._aclients: dict[asyncio.AbstractEventLoop, _LoopClient] = {}
        self._closing: set[Any] = set()  # close-downs scheduled on other loops, kept alive
        self._lock = threading.Lock()

    def sync(self) -> httpx.Client:
        client = self._client
        if client is None:
            with self._lock:
                if self._client is None:
                    self._client = httpx.Client(timeout=None, limits=_limits())
                client = self._client
        return client

    def async_(self) -> httpx.AsyncClient:
        if self._user_aclient is not None:
            return self._user_aclient
        loop = asyncio.get_running_loop()
        entry = self._aclients.get(loop)
        if entry is not None and not entry.closed:
            return entry.client
        with self._lock:
            self._prune()
            entry = self._aclients.get(loop)
            if entry is None:
                entry = self._aclients[loop] = _LoopClient(loop)
            return entry.client

    def _prune(self) -> None:
        # Clients of loops that have ended: closed at the loop's shutdown, or past closing.
        for loop, entry in list(self._aclients.items()):
            if entry.closed or loop.is_closed():
                del self._aclients[loop]
                entry.abandon()

    def _take_async(self) -> list[_LoopClient]:
        with self._lock:
            self._prune()
            entries = list(self._aclients.values())
            self._aclients.clear()
        return entries

    def _close_elsewhere(self, entry: _LoopClient, current: asyncio.AbstractEventLoop | None) -> bool:
        """Close a client whose loop is not ``current``; False if it must be awaited here."""
        loop = entry.loop
        if loop is current:
            return False
        if loop.is_running():  # in another thread: close it there, without waiting
            future = asyncio.run_coroutine_threadsafe(entry.aclose(), loop)
            self._closing.add(future)
            future.add_done_callback(self._closing.discard)
        elif current is None:  # an idle loop, and none running here: run the close on it
            loop.run_until_complete(entry.aclose())
        else:  # an idle loop, but this thread is busy running another: it closes at its shutdown
            with self._lock:
                self._aclients.setdefault(loop, entry)
        return True

    def close(self) -> None:
        """Close the sync client and every async client that can be closed from here."""
        if self._owns_client and self._client is not None:
            client, self._client = self._client, None
            client.close()
        current = _running_loop()
        for entry in self._take_async():
            if not self._close_elsewhere(entry, current):
                # The running loop is this thread's: close the client on it, soon.
                future = asyncio.ensure_future(entry.aclose())
                self._closing.add(future)
                future.add_done_callback(self._closing.discard)

    async def aclose(self) -> None:
        """Close the sync client and every async client; the running loop's is closed before returning."""
        if self._owns_client and self._client is not None:
            client, self._client = self._client, None
            client.close()
        current = asyncio.get_running_loop()
        for entry in self._take_async():
            if not self._close_elsewhere(entry, current):
                await entry.aclose()

    def __deepcopy__(self, memo: dict[int, Any]) -> HTTPClients:
        # A copy of a model gets pools of its own; clients the user passed in are shared.
        return HTTPClients(None if self._owns_client else self._client, self._user_aclient)

    def __reduce__(self) -> Any:
        # Pools are not state: an unpickled model opens its own on first use.
        return (HTTPClients, (None if self._owns_client else self._client, self._user_aclient))


def _running_loop() -> asyncio.AbstractEventLoop | None:
    try:
        return asyncio.get_running_loop()
    except RuntimeError:
        return None


# ---------------------------------------------------------------------------
# Retry policy (pure)


def _number(value: str) -> float | None:
    try:
        number = float(value)
    except ValueError:
        return None
    return None if math.isnan(number) else number


def _http_date(value: str, now: float) -> float | None:
    try:
        parsed = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError, IndexError):
        return None
    if parsed.tzinfo is None:
        parsed = parsed.replace(tzinfo=timezone.utc)
    return parsed.timestamp() - now


def _header_seconds(headers: Mapping[str, str], now: float) -> float | None:
    # Never raises: a malformed header is ignored (back-off applies), not an error.
    value = (headers.get("retry-after") or "").strip()
    if value:
        seconds = _number(value)
        if seconds is None:
            seconds = _http_date(value, now)
        if seconds is not None:
            return max(0.0, seconds)
    reset = (headers.get("x-ratelimit-reset") or "").strip()
    if reset:
        stamp = _number(reset)
        if stamp is None:
            return None
        if stamp > 1e11:  # epoch milliseconds, as OpenRouter sends
            stamp /= 1000.0
        return max(0.0, stamp - now)
    return None


def retry_after_seconds(headers: Mapping[str, str]) -> float | None:
    """The wait the router asked for, in seconds, from ``Retry-After`` or ``X-RateLimit-Reset``."""
    return _header_seconds(headers, time.time())


def retry_delay(attempt: int, asked: float | None) -> float:
    """Seconds to wait before retry number ``attempt`` (0-based).

    A wait the router asked for is honoured up to :data:`MAX_RETRY_WAIT`; otherwise
    exponential back-off with jitter.
    """
    if asked is not None:
        return min(asked, MAX_RETRY_WAIT)
    base: float = min(INITIAL_BACKOFF * 2.0**attempt, MAX_BACKOFF)
    return base * (0.5 + random.random() / 2)


def _is_retryable(exc: VisionRouterError) -> bool:
    status = exc.status_code
    if status == 200 and isinstance(exc.code, int):  # an error body inside a 200
        status = exc.code
    return status in RETRYABLE_STATUS or (status is not None and status >= 500)


def _connection_error(exc: httpx.HTTPError) -> VisionRouterError:
    if isinstance(exc, httpx.TimeoutException):
        return RequestTimeoutError(f"request timed out ({type(exc).__name__}): {exc}")
    if isinstance(exc, (httpx.ConnectError, httpx.UnsupportedProtocol)):
        return APIConnectionError(f"could not reach the router ({type(exc).__name__}): {exc}")
    return APIConnectionError(f"the connection to the router was lost ({type(exc).__name__}): {exc}")


def _safe_to_retry_transport_error(exc: httpx.HTTPError) -> bool:
    # The request never reached the router: connect failures, and a pooled connection
    # the server had already closed ("Server disconnected without sending a response").
    # A read time-out, or an answer cut off mid-body, means the router was working on
    # it (and may bill it), so it is not retried.
    return isinstance(exc, (httpx.ConnectError, httpx.ConnectTimeout, httpx.PoolTimeout)) or (
        isinstance(exc, httpx.RemoteProtocolError) and "without sending a response" in str(exc).lower()
    )


def _retry_or_raise(exc: Exception, attempt: int, req: RouterRequest) -> float:
    """Seconds to wait before the next attempt, or raise the typed error if there is none."""
    if isinstance(exc, httpx.HTTPError):
        if attempt >= req.max_retries or not _safe_to_retry_transport_error(exc):
            raise _connection_error(exc) from exc
        delay, reason = retry_delay(attempt, None), type(exc).__name__
    else:
        assert isinstance(exc, VisionRouterError)
        if attempt >= req.max_retries or not _is_retryable(exc):
            raise exc
        delay, reason = retry_delay(attempt, exc.retry_after), f"HTTP {exc.status_code}"
    logger.debug("retry %d of %d to %s after %s, in %.2fs", attempt + 1, req.max_retries, req.url, reason, delay)
    return delay


#: Bytes handed to httpx at a time from a big body piece: httpcore re-slices what a socket
#: send leaves over, so one 11 MB write would briefly cost a second 11 MB copy.
_WRITE_SIZE = 256 * 1024


def _windows(pieces: list[bytes]) -> Iterator[bytes]:
    for piece in pieces:
        if len(piece) <= _WRITE_SIZE:
            yield piece
        else:
            for start in range(0, len(piece), _WRITE_SIZE):
                yield piece[start : start + _WRITE_SIZE]


class _BodyPieces(httpx.SyncByteStream, httpx.AsyncByteStream):
    """A body sent piece by piece, for sync and async clients alike; re-iterable for retries."""

    def __init__(self, pieces: list[bytes]) -> None:
        self.pieces = pieces

    def __iter__(self) -> Iterator[bytes]:
        return _windows(self.pieces)

    async def __aiter__(self) -> AsyncIterator[bytes]:
        for window in _windows(self.pieces):
            yield window


class _PiecewiseRequest(httpx.Request):
    """A request whose body goes out in pieces; ``content`` joins them only if someone asks."""

    @property
    def content(self) -> bytes:
        # An event hook or a recorder (vcrpy) reading the body gets it whole, as httpx
        # does for any streamed request it has read.
        return self.read()


def _build(client: httpx.Client | httpx.AsyncClient, req: RouterRequest) -> httpx.Request:
    body = req.body
    if isinstance(body, bytes):
        return client.build_request(req.method, req.url, content=body or None, headers=req.headers, timeout=req.timeout)
    # Big inline payloads: each piece is written to the socket as it is (no joined copy),
    # under an explicit Content-Length so the router gets a plain, not chunked, body.
    template = client.build_request(req.method, req.url, content=b"", headers=req.headers, timeout=req.timeout)
    headers = template.headers.copy()
    headers["Content-Length"] = str(sum(len(piece) for piece in body))
    return _PiecewiseRequest(
        req.method, template.url, headers=headers, stream=_BodyPieces(body), extensions=template.extensions
    )


def _decode_json(response: httpx.Response, content: bytes) -> Any:
    try:
        return json.loads(content)
    except ValueError:
        raise VisionRouterError(
            f"the router answered HTTP {response.status_code} with a body that is not JSON: {content[:200]!r}",
            status_code=response.status_code,
            generation_id=response.headers.get("x-generation-id"),
        ) from None


def _status_error(response: httpx.Response, content: bytes) -> VisionRouterError:
    status = response.status_code
    if status < 400:  # a redirect: not followed, so the key never goes to another host
        location = response.headers.get("location")
        msg = (
            f"the router answered HTTP {status}, a redirect to {location!r}; redirects are not followed. "
            "Check base_url (scheme, host, path)."
        )
        return VisionRouterError(msg, status_code=status, generation_id=response.headers.get("x-generation-id"))
    return error_from_response(status, content, response.headers, retry_after=retry_after_seconds(response.headers))


def _check_json(response: httpx.Response, content: bytes) -> Any:
    """Decode a complete answer, raising the typed error for a failed one."""
    if response.status_code >= 300:
        raise _status_error(response, content)
    data = _decode_json(response, content)
    if isinstance(data, Mapping) and data.get("error") and not data.get("choices"):
        raise error_from_body(data, status_code=200, generation_id=response.headers.get("x-generation-id"))
    return data


# ---------------------------------------------------------------------------
# Plain requests


def post_json(clients: HTTPClients, req: RouterRequest) -> Any:
    """POST and return the decoded JSON answer, retrying what is safe to retry."""
    register_header_secrets(req.headers)
    client = clients.sync()
    attempt = 0
    while True:
        try:
            response = client.send(_build(client, req))
            try:
                content = response.read()
            finally:
                response.close()
            return _check_json(response, content)
        except (httpx.HTTPError, VisionRouterError) as exc:
            delay = _retry_or_raise(exc, attempt, req)
        attempt += 1
        time.sleep(delay)


async def apost_json(clients: HTTPClients, req: RouterRequest) -> Any:
    """Async :func:`post_json`."""
    register_header_secrets(req.headers)
    client = clients.async_()
    attempt = 0
    while True:
        try:
            response = await client.send(_build(client, req))
            try:
                content = await response.aread()
            finally:
                await response.aclose()
            return _check_json(response, content)
        except (httpx.HTTPError, VisionRouterError) as exc:
            delay = _retry_or_raise(exc, attempt, req)
        attempt += 1
        await asyncio.sleep(delay)


# ---------------------------------------------------------------------------
# Server-sent events


class SSEDecoder:
    """Incremental server-sent-events decoder: bytes in, ``data`` payloads out.

    Handles ``\\n`` and ``\\r\\n`` line endings, ``:`` comment lines (OpenRouter's
    ``: OPENROUTER PROCESSING`` keep-alives), multi-line ``data:`` fields and frames
    split anywhere across network reads, including inside a UTF-8 character.
    """

    __slots__ = ("_buffer", "_data")

    def __init__(self) -> None:
        self._buffer = b""
        self._data: list[str] = []

    def feed(self, chunk: bytes) -> list[str]:
        """Add bytes; return the payloads of the events they completed."""
        if b"\n" not in chunk:
            self._buffer += chunk
            return []
        lines = (self._buffer + chunk).split(b"\n")
        self._buffer = lines.pop()
        events: list[str] = []
        data = self._data
        for line in lines:
            if line[-1:] == b"\r":
                line = line[:-1]
            if not line:
                if data:
                    events.append("\n".join(data))
                    data.clear()
            elif line[:5] == b"data:":
                value = line[5:]
                if value[:1] == b" ":
                    value = value[1:]
                try:
                    data.append(value.decode("utf-8"))
                except UnicodeDecodeError as exc:
                    msg = f"the router sent a stream line that is not valid UTF-8 ({exc.reason}): {value[:200]!r}"
                    raise StreamError(msg) from None
            # ':' comments and other fields (event:, id:, retry:) carry nothing for us.
        return events

    def flush(self) -> list[str]:
        """End of input: return a last event that had no closing blank line."""
        events = self.feed(b"\n\n") if self._buffer or self._data else []
        self._buffer = b""
        return events


def _parse_event(payload: str) -> Any:
    try:
        event = json.loads(payload)
    except ValueError:
        raise StreamError(f"the router sent a stream event that is not valid JSON: {payload[:200]!r}") from None
    if not isinstance(event, dict):
        raise StreamError(f"the router sent a stream event that is not a JSON object: {payload[:200]!r}")
    return event


def _is_json(response: httpx.Response) -> bool:
    return "json" in response.headers.get("content-type", "").lower()


def _whole_answer(response: httpx.Response, content: bytes) -> list[Any]:
    """A stream request answered with plain JSON: raise its error, or make the answer one event.

    Some gateways ignore ``stream: true``, and a router may report an error as a JSON
    body with status 200; neither is lost or mistaken for a truncated stream.
    """
    data = _check_json(response, content)
    if not isinstance(data, Mapping):
        raise StreamError(f"the router answered a stream request with JSON that is not an object: {content[:200]!r}")
    choices = [
        {**{k: v for k, v in choice.items() if k != "message"}, "delta": choice.get("message") or {}}
        for choice in data.get("choices") or []
        if isinstance(choice, Mapping)
    ]
    return [{**data, "object": "chat.completion.chunk", "choices": choices}]


# Bytes of a stream's start kept until its first event, to report a body that has none.
_HEAD_LIMIT = 8 * 1024


def _check_unframed(head: bytes, response: httpx.Response) -> None:
    """A stream that ended without a single event: raise what its body said, if anything.

    Some gateways send a JSON error (or a proxy's text) labelled ``text/event-stream``;
    its message must not be lost behind "the stream ended before the answer was complete".
    """
    lines = [line for line in head.splitlines() if line.strip() and not line.startswith(b":")]
    if not lines:
        return  # nothing, or keep-alives only: the caller reports the truncation
    text = b"\n".join(lines).decode("utf-8", "replace")
    try:
        data = json.loads(text)
    except ValueError:
        data = None
    if isinstance(data, Mapping) and data.get("error"):
        raise error_from_body(
            data, status_code=response.status_code, generation_id=response.headers.get("x-generation-id")
        )
    raise StreamError(
        f"the router's stream held no events; its body was: {text[:300]!r}",
        status_code=response.status_code,
        generation_id=response.headers.get("x-generation-id"),
    )


# Bytes read past [DONE] to let the connection go back to the pool (the body normally ends
# right there); a server sending more than this is cut off, costing only the connection.
_DRAIN_LIMIT = 64 * 1024


def _drain(chunks: Iterator[bytes]) -> None:
    """Read the body's end after ``[DONE]`` so the connection is reused, not dropped."""
    seen = 0
    try:
        for piece in chunks:
            seen += len(piece)
            if seen > _DRAIN_LIMIT:
                return
    except httpx.HTTPError:
        pass  # the answer was complete; only the connection is lost


async def _adrain(chunks: AsyncIterator[bytes]) -> None:
    seen = 0
    try:
        async for piece in chunks:
            seen += len(piece)
            if seen > _DRAIN_LIMIT:
                return
    except httpx.HTTPError:
        pass


class _EventReader:
    """Network reads -> parsed events: the frame logic both stream classes share.

    Keeps the body's first bytes until the first event (to report a body that has none),
    stops at ``[DONE]`` and parses each event. Events are yielded one by one, so a bad
    event raises only after every good one before it has been handed on.
    """

    __slots__ = ("_decoder", "_head", "done")

    def __init__(self) -> None:
        self._decoder = SSEDecoder()
        self._head: bytes | None = b""
        self.done = False

    def feed(self, raw: bytes) -> Iterator[Any]:
        head = self._head
        if head is not None and len(head) < _HEAD_LIMIT:
            self._head = head + raw
        return self._events(self._decoder.feed(raw))

    def finish(self, response: httpx.Response) -> Iterator[Any]:
        """The events of a last frame with no closing blank line; then, if the body held no
        event at all, raise what it said."""
        yield from self._events(self._decoder.flush())
        if self._head is not None and not self.done:
            _check_unframed(self._head, response)

    def _events(self, payloads: list[str]) -> Iterator[Any]:
        for payload in payloads:
            self._head = None
            if payload == _DONE:
                self.done = True
                return
            yield _parse_event(payload)


def _stream_failure(exc: httpx.HTTPError, timeout: float | None) -> VisionRouterError:
    if isinstance(exc, httpx.TimeoutException):
        return RequestTimeoutError(f"stream stalled: no data within the {timeout}s timeout")
    return StreamError(f"connection lost mid-stream ({type(exc).__name__}: {exc})")


class EventStream:
    """The decoded JSON events of one streamed answer.

    Iterate it once. ``completed`` is true when the router sent ``data: [DONE]``;
    ``generation_id`` comes from the ``X-Generation-Id`` header when sent.
    """

    def __init__(self, clients: HTTPClients, req: RouterRequest) -> None:
        register_header_secrets(req.headers)
        self._clients = clients
        self._req = req
        self.completed = False
        self.generation_id: str | None = None

    def _open(self) -> tuple[httpx.Response, list[Any] | None]:
        """The open stream, or the whole answer as events when the router sent plain JSON."""
        client = self._clients.sync()
        req = self._req
        attempt = 0
        while True:
            try:
                response = client.send(_build(client, req), stream=True)
                if response.status_code < 300 and not _is_json(response):
                    return response, None
                try:
                    content = response.read()
                finally:
                    response.close()
                if response.status_code >= 300:
                    raise _status_error(response, content)
                return response, _whole_answer(response, content)
            except (httpx.HTTPError, VisionRouterError) as exc:
                delay = _retry_or_raise(exc, attempt, req)
            attempt += 1
            time.sleep(delay)

    def __iter__(self) -> Iterator[Any]:
        response, whole = self._open()
        self.generation_id = response.headers.get("x-generation-id")
        if whole is not None:
            self.completed = True
            yield from whole
            return
        reader = _EventReader()
        try:
            chunks = response.iter_bytes()
            for raw in chunks:
                yield from reader.feed(raw)
                if reader.done:
                    self.completed = True
                    _drain(chunks)
                    return
            yield from reader.finish(response)
            self.completed = reader.done
        except httpx.HTTPError as exc:
            raise _stream_failure(exc, self._req.timeout) from exc
        finally:
            response.close()


class AsyncEventStream:
    """Async :class:`EventStream`."""

    def __init__(self, clients: HTTPClients, req: RouterRequest) -> None:
        register_header_secrets(req.headers)
        self._clients = clients
        self._req = req
        self.completed = False
        self.generation_id: str | None = None

    async def _open(self) -> tuple[httpx.Response, list[Any] | None]:
        client = self._clients.async_()
        req = self._req
        attempt = 0
        while True:
            try:
                response = await client.send(_build(client, req), stream=True)
                if response.status_code < 300 and not _is_json(response):
                    return response, None
                try:
                    content = await response.aread()
                finally:
                    await response.aclose()
                if response.status_code >= 300:
                    raise _status_error(response, content)
                return response, _whole_answer(response, content)
            except (httpx.HTTPError, VisionRouterError) as exc:
                delay = _retry_or_raise(exc, attempt, req)
            attempt += 1
            await asyncio.sleep(delay)

    async def __aiter__(self) -> AsyncIterator[Any]:
        response, whole = await self._open()
        self.generation_id = response.headers.get("x-generation-id")
        if whole is not None:
            self.completed = True
            for event in whole:
                yield event
            return
        reader = _EventReader()
        try:
            chunks = response.aiter_bytes()
            async for raw in chunks:
                for event in reader.feed(raw):
                    yield event
                if reader.done:
                    self.completed = True
                    await _adrain(chunks)
                    return
            for event in reader.finish(response):
                yield event
            self.completed = reader.done
        except httpx.HTTPError as exc:
            raise _stream_failure(exc, self._req.timeout) from exc
        finally:
            await response.aclose()
