"""HTTP to the router: send, retry, and hand back a judged body or an open event stream.

The only module that does network I/O. It knows HTTP (statuses, headers, bodies, SSE
framing) and nothing of chat completions: what a 2xx body means is judged by the
caller's ``judge`` (:func:`~langchain_visionrouter._response.answers.judge_json`), which may
raise a typed error; the retry loop then decides whether to try again.

Retries follow the router's error table: 408, 429, 5xx, a refused or dropped
connection before any answer, and a 2xx body judged to be a retryable error. 400,
401, 402, 403 and 404 are never retried, a request that timed out while the router was
working is not retried (it may already be billed), and a stream is never retried once
its body has begun: what it yielded cannot be taken back. Redirects are not followed
(the key would go to another host): a 3xx is an error naming the target.

There is one retry loop per flavour (:func:`_send`, :func:`_asend`), used for JSON
answers and streams alike: a stream only leaves its body unread.

Every wait and read is bounded (see :mod:`~langchain_visionrouter._wire.limits`): a call has an
overall ``deadline`` (attempts, retry waits and stream reads together; a wait the router
asks for that would pass it raises at once, with ``retry_after`` on the error), an answer
has a decoded-size cap, one event has a size cap, and waiting for a pooled connection
counts against the deadline, never against the per-read ``timeout``.
"""

from __future__ import annotations

import asyncio
import email.utils
import logging
import math
import random
import time
from collections.abc import AsyncIterator, Callable, Iterator, Mapping
from dataclasses import dataclass, field
from datetime import timezone
from typing import Any

import httpx

from langchain_visionrouter._redaction import redact_url, register_header_secrets, split_userinfo
from langchain_visionrouter._wire import router_errors as _errors
from langchain_visionrouter._wire.body import Piece
from langchain_visionrouter._wire.clients import HTTPClients
from langchain_visionrouter._wire.limits import Budget
from langchain_visionrouter._wire.streams import (
    UNREAD,
    AsyncStream,
    Stream,
    aclose_response,
    guarded,
    guarded_chunks,
)
from langchain_visionrouter.errors import VisionRouterError

__all__ = ["AsyncStream", "HTTPClients", "Request", "Stream", "aopen_stream", "arequest", "open_stream", "request"]

logger = logging.getLogger(__name__)

RETRYABLE_STATUS = frozenset({408, 429, 500, 502, 503, 504, 520, 522, 524, 529})
INITIAL_BACKOFF = 0.5  # seconds; doubled per attempt, with jitter
MAX_BACKOFF = 8.0
#: Cap, in seconds, on a wait the router asks for (Retry-After, X-RateLimit-Reset): a longer
#: one is cut to this before the retry. Read at each retry, so it can be changed at run time.
MAX_RETRY_WAIT = 60.0

#: Accepts a 2xx answer (status, headers, body) and returns it decoded, or raises a typed error.
Judge = Callable[[int, Mapping[str, str], bytes], Any]


@dataclass(frozen=True, slots=True)
class Request:
    """One request, fully prepared (a POST unless ``method`` says otherwise)."""

    url: str
    headers: Mapping[str, str] = field(repr=False)  # carries the API key
    #: The body, or its pieces (see :func:`~langchain_visionrouter._wire.body.encode_body`).
    body: bytes | list[Piece]
    timeout: float | None
    max_retries: int
    method: str = "POST"
    #: Seconds the whole call may take (attempts, waits and stream reads); ``None``: no bound.
    deadline: float | None = None
    #: Decoded bytes the answer may have; ``None``: no cap.
    max_response_bytes: int | None = None
    #: Statuses retried for this request besides :data:`RETRYABLE_STATUS` (e.g. a 404 while
    #: the router is still recording a generation's stats).
    also_retry: frozenset[int] = frozenset()
    #: Seconds before the first retry (doubled each time, with jitter); ``None``: :data:`INITIAL_BACKOFF`.
    first_backoff: float | None = None


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


def retry_after_seconds(headers: Mapping[str, str], now: float | None = None) -> float | None:
    """The wait the router asked for, in seconds, from ``Retry-After`` or ``X-RateLimit-Reset``.

    Never raises: a malformed header is ignored (back-off applies), not an error.
    """
    now = time.time() if now is None else now
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


def retry_delay(attempt: int, asked: float | None, first: float | None = None) -> float:
    """Seconds to wait before retry number ``attempt`` (0-based).

    A wait the router asked for is honoured up to :data:`MAX_RETRY_WAIT`; otherwise
    exponential back-off with jitter, from ``first`` (default :data:`INITIAL_BACKOFF`).
    """
    if asked is not None:
        return min(asked, MAX_RETRY_WAIT)
    base: float = min((INITIAL_BACKOFF if first is None else first) * 2.0**attempt, MAX_BACKOFF)
    return base * (0.5 + random.random() / 2)


def is_retryable(exc: VisionRouterError) -> bool:
    """Whether a typed error is worth another attempt (by its status, or a 2xx body's code).

    The router's ``error.availability.retryable``, when sent, decides instead.
    """
    availability = exc.availability
    if availability is not None and availability.retryable is not None:
        return availability.retryable
    status = exc.status_code
    if status is not None and status < 300 and isinstance(exc.code, int):  # an error body inside a 2xx
        status = exc.code
    return status in RETRYABLE_STATUS or (status is not None and status >= 500)


def _was_reset(exc: BaseException) -> bool:
    seen: BaseException | None = exc
    while seen is not None:
        if isinstance(seen, (ConnectionResetError, BrokenPipeError)):
            return True
        seen = seen.__cause__ or seen.__context__
    return False


def _safe_to_retry(exc: httpx.HTTPError, answered: bool) -> bool:
    # The request never got an answer: connect failures, and a pooled connection the
    # server (or a load balancer) had already dropped, with a FIN ("Server disconnected
    # without sending a response") or a reset, before any byte of an answer. A read
    # time-out, or an answer cut off mid-body, means the router was working on it (and
    # may bill it), so it is not retried.
    if isinstance(exc, (httpx.ConnectError, httpx.ConnectTimeout, httpx.PoolTimeout)):
        return True
    if answered:
        return False
    if isinstance(exc, httpx.RemoteProtocolError) and "without sending a response" in str(exc).lower():
        return True
    return isinstance(exc, (httpx.ReadError, httpx.WriteError)) and _was_reset(exc)


def _gave_up(
    exc: Exception, attempt: int, req: Request, budget: Budget, why: str = "", *, wait: float | None = None
) -> VisionRouterError:
    """The error when no retry follows ``attempt``: the attempts made, the limits set, why it stopped."""
    if isinstance(exc, VisionRouterError):
        return _errors.retries_exhausted(
            exc,
            attempts=attempt + 1,
            seconds=budget.elapsed(),
            max_retries=req.max_retries,
            deadline=req.deadline,
            wait=wait,
        )
    return _errors.connection_retries_exhausted(
        exc, attempts=attempt + 1, seconds=budget.elapsed(), max_retries=req.max_retries, deadline=req.deadline, why=why
    )


def _retry_or_raise(exc: Exception, attempt: int, req: Request, budget: Budget, answered: bool) -> float:
    """Seconds to wait before the next attempt, or raise the typed error if there is none.

    A wait that would pass the call's deadline is not waited: the error is raised at once
    (a rate limit's carries the ``retry_after`` the router asked for).
    """
    if isinstance(exc, httpx.HTTPError):
        exceeded = budget.check(0) if isinstance(exc, httpx.TimeoutException) else None
        if exceeded is not None:  # a wait cut short by the deadline says so
            raise _errors.limit_exceeded(exceeded.what, exceeded.limit, stream=False) from exc
        if not _safe_to_retry(exc, answered):
            raise _errors.connection_error(exc) from exc
        if attempt >= req.max_retries:
            raise _gave_up(exc, attempt, req, budget, "every retry used") from exc
        delay, reason = retry_delay(attempt, None, req.first_backoff), type(exc).__name__
        if not budget.allows_wait(delay):
            why = f"the next back-off ({delay:.1f}s) would pass the deadline"
            raise _gave_up(exc, attempt, req, budget, why) from exc
    else:
        assert isinstance(exc, VisionRouterError)
        if not (is_retryable(exc) or exc.status_code in req.also_retry):
            raise exc
        if attempt >= req.max_retries:
            if exc.status_code in req.also_retry:
                raise exc  # an expected answer, not a failure: as the router gave it
            raise _gave_up(exc, attempt, req, budget) from exc
        asked = exc.retry_after
        delay, reason = retry_delay(attempt, asked, req.first_backoff), f"HTTP {exc.status_code}"
        wait = delay if asked is None else asked
        if not budget.allows_wait(wait):
            # A wait past the deadline is not waited: the error now, with the retry_after asked for.
            raise _gave_up(exc, attempt, req, budget, wait=wait) from exc
    url = redact_url(req.url)
    logger.debug("retry %d of %d to %s after %s, in %.2fs", attempt + 1, req.max_retries, url, reason, delay)
    return delay


# ---------------------------------------------------------------------------
# Request building

#: Bytes handed to httpx at a time from a big body piece: a ``str`` piece (the user's own
#: base64) is encoded one window at a time, so no whole copy of it ever exists; and
#: httpcore re-slices what a socket send leaves over, so one 11 MB write would cost a copy.
_WRITE_SIZE = 256 * 1024


def _windows(pieces: list[Piece]) -> Iterator[bytes]:
    for piece in pieces:
        if isinstance(piece, str):  # ASCII (see _body.Piece)
            for start in range(0, len(piece), _WRITE_SIZE):
                yield piece[start : start + _WRITE_SIZE].encode("ascii")
        elif len(piece) <= _WRITE_SIZE:
            yield piece
        else:
            for start in range(0, len(piece), _WRITE_SIZE):
                yield piece[start : start + _WRITE_SIZE]


class _BodyPieces(httpx.SyncByteStream, httpx.AsyncByteStream):
    """A body sent piece by piece, for sync and async clients alike; re-iterable for retries."""

    def __init__(self, pieces: list[Piece]) -> None:
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


def _timeout(req: Request, budget: Budget) -> httpx.Timeout:
    # ``timeout`` bounds each read; no read outlasts the deadline. Waiting for a pooled
    # connection is bounded by the deadline alone: a burst of calls queueing for the pool
    # must not time out while the router is answering well.
    read = budget.wait_timeout(req.timeout)
    return httpx.Timeout(read, pool=budget.wait_timeout(None))


def _build(client: httpx.Client | httpx.AsyncClient, req: Request, budget: Budget) -> httpx.Request:
    body = req.body
    # Credentials in the URL go in a header (as httpx would put them), never in a logged URL.
    url, basic = split_userinfo(req.url)
    headers: Mapping[str, str] = req.headers if basic is None else {**req.headers, "Authorization": basic}
    timeout = _timeout(req, budget)
    if isinstance(body, bytes):
        return client.build_request(req.method, url, content=body or None, headers=headers, timeout=timeout)
    # Big inline payloads: each piece is written to the socket as it is (no joined copy),
    # under an explicit Content-Length so the router gets a plain, not chunked, body.
    template = client.build_request(req.method, url, content=b"", headers=headers, timeout=timeout)
    headers = template.headers.copy()
    headers["Content-Length"] = str(sum(len(piece) for piece in body))
    return _PiecewiseRequest(
        req.method, template.url, headers=headers, stream=_BodyPieces(body), extensions=template.extensions
    )


def _is_event_stream(response: httpx.Response, stream: bool) -> bool:
    # Some gateways ignore ``stream: true`` and answer with JSON: that body is read whole.
    return stream and response.status_code < 300 and "json" not in response.headers.get("content-type", "").lower()


def _accept(response: httpx.Response, content: bytes, judge: Judge) -> Any:
    if response.status_code >= 300:
        raise _errors.status_error(
            response.status_code,
            content,
            response.headers,
            retry_after=retry_after_seconds(response.headers),
            url=str(response.request.url),
        )
    return judge(response.status_code, response.headers, content)


# ---------------------------------------------------------------------------
# The retry loops: one per flavour


class _Body:
    """A body read whole, piece by piece, within the call's bounds."""

    def __init__(self, budget: Budget) -> None:
        self.budget = budget
        self.pieces: list[bytes] = []
        self.size = 0

    def add(self, piece: bytes) -> None:
        self.pieces.append(piece)
        self.size += len(piece)
        exceeded = self.budget.check(self.size)
        if exceeded is not None:
            raise _errors.limit_exceeded(exceeded.what, exceeded.limit, stream=False)


def _send(clients: HTTPClients, req: Request, judge: Judge, *, stream: bool) -> tuple[httpx.Response, Any, Budget]:
    """Send until an answer is accepted: ``(response, judged body)``, or ``(open response, UNREAD)``."""
    register_header_secrets(req.headers)
    client = clients.sync()
    budget = Budget.start(req.deadline, req.max_response_bytes)
    attempt = 0
    while True:
        response = None
        try:
            response = client.send(_build(client, req, budget), stream=True)
            if _is_event_stream(response, stream):
                return response, UNREAD, budget
            body = _Body(budget)
            try:
                for piece in response.iter_bytes():
                    body.add(piece)
            finally:
                response.close()
            return response, _accept(response, b"".join(body.pieces), judge), budget
        except (httpx.HTTPError, VisionRouterError) as exc:
            delay = _retry_or_raise(exc, attempt, req, budget, answered=response is not None)
        attempt += 1
        time.sleep(delay)


async def _asend(
    clients: HTTPClients, req: Request, judge: Judge, *, stream: bool
) -> tuple[httpx.Response, Any, Budget]:
    """Async :func:`_send`."""
    register_header_secrets(req.headers)
    client = clients.async_()
    budget = Budget.start(req.deadline, req.max_response_bytes)
    attempt = 0
    while True:
        response = None
        try:
            response = await guarded(client.send(_build(client, req, budget), stream=True))
            if _is_event_stream(response, stream):
                return response, UNREAD, budget
            body = _Body(budget)
            try:
                async for piece in guarded_chunks(response.aiter_bytes()):
                    body.add(piece)
            finally:
                await aclose_response(response)
            return response, _accept(response, b"".join(body.pieces), judge), budget
        except (httpx.HTTPError, VisionRouterError) as exc:
            delay = _retry_or_raise(exc, attempt, req, budget, answered=response is not None)
        attempt += 1
        await asyncio.sleep(delay)


def request(clients: HTTPClients, req: Request, judge: Judge) -> Any:
    """Send ``req`` and return ``judge`` of the answer, retrying what is safe to retry."""
    return _send(clients, req, judge, stream=False)[1]


async def arequest(clients: HTTPClients, req: Request, judge: Judge) -> Any:
    """Async :func:`request`."""
    return (await _asend(clients, req, judge, stream=False))[1]


# ---------------------------------------------------------------------------
# Streams


def open_stream(clients: HTTPClients, req: Request, judge: Judge) -> Stream:
    """Send a stream request (retrying until its answer begins) and return the open stream."""
    response, whole, budget = _send(clients, req, judge, stream=True)
    return Stream(response, whole, req.timeout, budget)


async def aopen_stream(clients: HTTPClients, req: Request, judge: Judge) -> AsyncStream:
    """Async :func:`open_stream`."""
    response, whole, budget = await _asend(clients, req, judge, stream=True)
    return AsyncStream(response, whole, req.timeout, budget)
