"""HTTP to the router: pooled httpx clients, retries, SSE reading and error mapping.

The only module that does network I/O. What goes in is a :class:`RouterRequest`
(URL, headers, body bytes, time-out, retry budget); what comes out is decoded JSON,
or decoded stream events, or a typed :mod:`~langchain_visionrouter.errors` exception.

Retries follow the router's error table: 408, 429, 5xx, a refused or dropped
connection before any answer, and a 200 body that is a retryable error. 400, 401,
402, 403 and 404 are never retried, a request that timed out while the router was
working is not retried (it may already be billed), and a stream is never retried
once its body has begun: what it yielded cannot be taken back.
"""

from __future__ import annotations

import asyncio
import email.utils
import json
import logging
import random
import threading
import time
from collections.abc import AsyncIterator, Iterator, Mapping
from dataclasses import dataclass
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
#: Cap on a wait the router asks for (Retry-After, X-RateLimit-Reset); longer waits fail fast.
MAX_RETRY_WAIT = 60.0
_DONE = "[DONE]"


@dataclass(frozen=True)
class RouterRequest:
    """One request to the router, fully prepared (a POST unless ``method`` says otherwise)."""

    url: str
    headers: Mapping[str, str]
    body: bytes
    timeout: float | None
    max_retries: int
    method: str = "POST"


# ---------------------------------------------------------------------------
# Clients


class HTTPClients:
    """One pooled sync client and one pooled async client, created on first use.

    The async client belongs to the event loop that created it; used from another loop
    (``asyncio.run`` twice, say) a fresh one is made, since httpx connections cannot
    cross loops.
    """

    def __init__(
        self,
        http_client: httpx.Client | None = None,
        http_async_client: httpx.AsyncClient | None = None,
    ) -> None:
        self._client = http_client
        self._aclient = http_async_client
        self._owns_client = http_client is None
        self._owns_aclient = http_async_client is None
        self._aloop: asyncio.AbstractEventLoop | None = None
        self._lock = threading.Lock()

    def sync(self) -> httpx.Client:
        client = self._client
        if client is None:
            with self._lock:
                if self._client is None:
                    self._client = httpx.Client(
                        timeout=None, limits=httpx.Limits(max_connections=100, max_keepalive_connections=20)
                    )
                client = self._client
        return client

    def async_(self) -> httpx.AsyncClient:
        if not self._owns_aclient:
            assert self._aclient is not None
            return self._aclient
        loop = asyncio.get_running_loop()
        with self._lock:
            if self._aclient is None or self._aloop is not loop:
                self._aclient = httpx.AsyncClient(
                    timeout=None, limits=httpx.Limits(max_connections=100, max_keepalive_connections=20)
                )
                self._aloop = loop
            return self._aclient

    def close(self) -> None:
        if self._owns_client and self._client is not None:
            self._client.close()
            self._client = None

    async def aclose(self) -> None:
        self.close()
        if self._owns_aclient and self._aclient is not None:
            client, self._aclient, self._aloop = self._aclient, None, None
            await client.aclose()


# ---------------------------------------------------------------------------
# Retry policy (pure)


def _header_seconds(headers: Mapping[str, str], now: float) -> float | None:
    value = headers.get("retry-after")
    if value:
        try:
            return max(0.0, float(value))
        except ValueError:
            parsed = email.utils.parsedate_to_datetime(value) if value else None
            if parsed is not None:
                return max(0.0, parsed.timestamp() - now)
    reset = headers.get("x-ratelimit-reset")
    if reset:
        try:
            stamp = float(reset)
        except ValueError:
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
    return APIConnectionError(f"could not reach the router ({type(exc).__name__}): {exc}")


def _safe_to_retry_transport_error(exc: httpx.HTTPError) -> bool:
    # The request never reached the router: connect failures, and a pooled connection
    # the server had already closed. A read time-out means the router was working on
    # it (and may bill it), so it is not retried.
    return isinstance(exc, (httpx.ConnectError, httpx.ConnectTimeout, httpx.PoolTimeout)) or (
        isinstance(exc, httpx.RemoteProtocolError) and "without sending" in str(exc).lower()
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


def _build(client: httpx.Client | httpx.AsyncClient, req: RouterRequest) -> httpx.Request:
    return client.build_request(req.method, req.url, content=req.body or None, headers=req.headers, timeout=req.timeout)


def _decode_json(response: httpx.Response, content: bytes) -> Any:
    try:
        return json.loads(content)
    except ValueError:
        raise VisionRouterError(
            f"the router answered HTTP {response.status_code} with a body that is not JSON: {content[:200]!r}",
            status_code=response.status_code,
            generation_id=response.headers.get("x-generation-id"),
        ) from None


def _check_json(response: httpx.Response, content: bytes) -> Any:
    """Decode a complete answer, raising the typed error for a failed one."""
    if response.status_code >= 400:
        raise error_from_response(
            response.status_code, content, response.headers, retry_after=retry_after_seconds(response.headers)
        )
    data = _decode_json(response, content)
    if isinstance(data, Mapping) and data.get("error") and not data.get("choices"):
        raise error_from_body(data, status_code=200, generation_id=response.headers.get("x-generation-id"))
    return data


# ---------------------------------------------------------------------------
# Plain requests


def post_json(clients: HTTPClients, req: RouterRequest) -> Any:
    """POST and return the decoded JSON answer, retrying what is safe to retry."""
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
                data.append(value.decode("utf-8"))
            # ':' comments and other fields (event:, id:, retry:) carry nothing for us.
        return events

    def flush(self) -> list[str]:
        """End of input: return a last event that had no closing blank line."""
        events = self.feed(b"\n\n") if self._buffer or self._data else []
        self._buffer = b""
        return events


def _parse_event(payload: str) -> Any:
    try:
        return json.loads(payload)
    except ValueError:
        raise StreamError(f"the router sent a stream event that is not valid JSON: {payload[:200]!r}") from None


def _open_error(response: httpx.Response, content: bytes) -> VisionRouterError:
    return error_from_response(
        response.status_code, content, response.headers, retry_after=retry_after_seconds(response.headers)
    )


class EventStream:
    """The decoded JSON events of one streamed answer.

    Iterate it once. ``completed`` is true when the router sent ``data: [DONE]``;
    ``generation_id`` comes from the ``X-Generation-Id`` header when sent.
    """

    def __init__(self, clients: HTTPClients, req: RouterRequest) -> None:
        self._clients = clients
        self._req = req
        self.completed = False
        self.generation_id: str | None = None

    def _open(self) -> httpx.Response:
        client = self._clients.sync()
        req = self._req
        attempt = 0
        while True:
            try:
                response = client.send(_build(client, req), stream=True)
                if response.status_code < 400:
                    return response
                try:
                    content = response.read()
                finally:
                    response.close()
                raise _open_error(response, content)
            except (httpx.HTTPError, VisionRouterError) as exc:
                delay = _retry_or_raise(exc, attempt, req)
            attempt += 1
            time.sleep(delay)

    def __iter__(self) -> Iterator[Any]:
        response = self._open()
        self.generation_id = response.headers.get("x-generation-id")
        decoder = SSEDecoder()
        try:
            try:
                for raw in response.iter_bytes():
                    for payload in decoder.feed(raw):
                        if payload == _DONE:
                            self.completed = True
                            return
                        yield _parse_event(payload)
                for payload in decoder.flush():
                    if payload == _DONE:
                        self.completed = True
                        return
                    yield _parse_event(payload)
            except httpx.TimeoutException as exc:
                raise RequestTimeoutError(f"stream stalled: no data within the {self._req.timeout}s timeout") from exc
            except httpx.HTTPError as exc:
                raise StreamError(f"connection lost mid-stream ({type(exc).__name__}: {exc})") from exc
        finally:
            response.close()


class AsyncEventStream:
    """Async :class:`EventStream`."""

    def __init__(self, clients: HTTPClients, req: RouterRequest) -> None:
        self._clients = clients
        self._req = req
        self.completed = False
        self.generation_id: str | None = None

    async def _open(self) -> httpx.Response:
        client = self._clients.async_()
        req = self._req
        attempt = 0
        while True:
            try:
                response = await client.send(_build(client, req), stream=True)
                if response.status_code < 400:
                    return response
                try:
                    content = await response.aread()
                finally:
                    await response.aclose()
                raise _open_error(response, content)
            except (httpx.HTTPError, VisionRouterError) as exc:
                delay = _retry_or_raise(exc, attempt, req)
            attempt += 1
            await asyncio.sleep(delay)

    async def __aiter__(self) -> AsyncIterator[Any]:
        response = await self._open()
        self.generation_id = response.headers.get("x-generation-id")
        decoder = SSEDecoder()
        try:
            try:
                async for raw in response.aiter_bytes():
                    for payload in decoder.feed(raw):
                        if payload == _DONE:
                            self.completed = True
                            return
                        yield _parse_event(payload)
                for payload in decoder.flush():
                    if payload == _DONE:
                        self.completed = True
                        return
                    yield _parse_event(payload)
            except httpx.TimeoutException as exc:
                raise RequestTimeoutError(f"stream stalled: no data within the {self._req.timeout}s timeout") from exc
            except httpx.HTTPError as exc:
                raise StreamError(f"connection lost mid-stream ({type(exc).__name__}: {exc})") from exc
        finally:
            await response.aclose()
