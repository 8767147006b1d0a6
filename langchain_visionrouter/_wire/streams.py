"""An open streamed answer: its events, read within the call's bounds.

:func:`~langchain_visionrouter._wire.http.open_stream` sends the request (retrying until the
answer begins) and hands back a :class:`Stream` (or :class:`AsyncStream`), read here: SSE
payloads out, until ``[DONE]``, the body's end, a network error, or a bound of
:mod:`~langchain_visionrouter._wire.limits` (the deadline, the answer's size, one event's
size). What went wrong is only *recorded* (``failure``, ``exceeded``); the response
layer judges it and raises.
"""

from __future__ import annotations

import asyncio
import contextlib
import socket
import threading
import time
from collections.abc import AsyncGenerator, AsyncIterator, Awaitable, Iterator
from typing import Any, TypeVar

import httpx

from langchain_visionrouter._wire.limits import DRAIN_LIMIT, DRAIN_TIME, MAX_EVENT_BYTES, Budget, Exceeded
from langchain_visionrouter._wire.sse import EventReader

__all__ = ["CLOSE_TIME", "UNREAD", "AsyncStream", "Stream", "aclose_response", "guarded", "guarded_chunks"]

T = TypeVar("T")

#: Stands for the body of a stream that is left to be read as events.
UNREAD: Any = object()
#: Seconds a response's close may take once its task is cancelled (a socket close is quick;
#: a TLS peer that never acknowledges must not hold the cancelled task).
CLOSE_TIME = 5.0


async def _settle(task: asyncio.Future[Any]) -> None:
    """Wait up to :data:`CLOSE_TIME` for ``task``, whatever cancellations reach the caller meanwhile."""
    loop = asyncio.get_running_loop()
    ends = loop.time() + CLOSE_TIME
    while not task.done() and loop.time() < ends:
        with contextlib.suppress(asyncio.CancelledError):  # the caller re-raises its own cancel
            await asyncio.wait([task], timeout=max(ends - loop.time(), 0.001))
    # Retrieved, so a failed read or close is not logged as "exception never retrieved".
    task.add_done_callback(lambda done: done.cancelled() or done.exception())


async def guarded(awaitable: Awaitable[T]) -> T:
    """``await awaitable``, with a cancellation of the caller delivered to it once, and waited out.

    httpcore cleans up a cancelled read or send (closing the connection, giving its pool
    slot back) in an ``except BaseException`` that awaits; its shield is anyio's, which a
    plain asyncio ``task.cancel()`` goes through. A second cancel landing in that clean-up
    (a timeout, a task group, ``cancel()`` twice) leaves the slot taken for good: 300
    cancelled streams starved a pool of 100, and their transports were left unclosed
    (``ResourceWarning``). So the work runs as its own task; a cancel of the caller cancels
    it once, waits for its clean-up to finish, then is raised.
    """
    task = asyncio.ensure_future(awaitable)
    try:
        return await asyncio.shield(task)
    except asyncio.CancelledError:
        task.cancel()
        await _settle(task)
        raise


_END: Any = object()


class _Failed:
    __slots__ = ("exc",)

    def __init__(self, exc: Exception) -> None:
        self.exc = exc


class _Handoff:
    """One piece at a time from the reader task to the stream's reader, read only when asked.

    The reader task reads nothing until the stream's reader asks for a piece: no read is
    pending while the caller pauses, so a pause is never taken for the router's silence
    (``timeout`` bounds each read). A future is made only when a side must wait.
    """

    __slots__ = ("_asked", "_getter", "_item", "_wanted")

    def __init__(self) -> None:
        self._item: Any = _EMPTY
        self._asked = False
        self._getter: asyncio.Future[None] | None = None
        self._wanted: asyncio.Future[None] | None = None

    async def get(self) -> Any:
        if self._item is _EMPTY:
            self._asked = True
            _wake(self._wanted)
            self._getter = asyncio.get_running_loop().create_future()
            await self._getter
        item, self._item = self._item, _EMPTY
        return item

    async def asked(self) -> None:
        while not self._asked:
            self._wanted = asyncio.get_running_loop().create_future()
            await self._wanted
        self._asked = False

    def put(self, item: Any) -> None:
        self._item = item
        _wake(self._getter)


_EMPTY: Any = object()


def _wake(waiter: asyncio.Future[None] | None) -> None:
    if waiter is not None and not waiter.done():
        waiter.set_result(None)


async def _pump(chunks: AsyncIterator[bytes], slot: _Handoff) -> None:
    pieces = chunks.__aiter__()
    while True:
        await slot.asked()
        try:
            piece = await pieces.__anext__()
        except StopAsyncIteration:
            slot.put(_END)
            return
        except asyncio.CancelledError:
            raise  # ours, from guarded_chunks: httpcore has cleaned up by the time it reaches here
        except Exception as exc:  # handed to the reader, raised there
            slot.put(_Failed(exc))
            return
        slot.put(piece)


async def guarded_chunks(chunks: AsyncIterator[bytes]) -> AsyncGenerator[bytes, None]:
    """``chunks``, read by one task of their own for the whole stream, so a cancel mid-read
    releases the connection (see :func:`guarded`).

    One reader task per stream, not per read (a task a read made a 2,000-chunk stream cost
    half as much again); it reads a piece when asked. A cancel of the caller lands on the
    handoff, never inside httpcore; the reader is then cancelled once and its clean-up
    waited out.
    """
    slot = _Handoff()
    reader = asyncio.ensure_future(_pump(chunks, slot))
    try:
        while True:
            item = await slot.get()
            if item is _END:
                return
            if isinstance(item, _Failed):
                raise item.exc
            yield item
    finally:
        if not reader.done():
            reader.cancel()
            await _settle(reader)
        elif not reader.cancelled():
            reader.exception()  # retrieved: a failure was handed over already


async def aclose_response(response: httpx.Response) -> None:
    """Close ``response`` even if the caller is cancelled meanwhile (the close is waited out, then
    the cancel raised): an abandoned close would keep the connection from the pool."""
    closing = asyncio.ensure_future(response.aclose())
    try:
        await asyncio.shield(closing)
    except asyncio.CancelledError:
        await _settle(closing)
        raise
    except (httpx.HTTPError, OSError):
        pass  # the close failed: the connection is lost either way


class _StreamState:
    """How a stream went, for the response layer to judge once it has been read.

    Iterating yields the answer's events: SSE ``data`` payloads (bytes), or, when the
    router answered the stream request with JSON, that one judged body. Afterwards
    ``done`` says whether ``[DONE]`` arrived, ``failure`` holds the network error that
    cut the body short, ``exceeded`` the limit that stopped it (the stream then simply
    ends), and ``head`` the body's first bytes if it held no event at all.
    """

    def __init__(self, response: httpx.Response, whole: Any, timeout: float | None, budget: Budget) -> None:
        self.status_code = response.status_code
        self.headers = response.headers
        self.generation_id: str | None = response.headers.get("x-generation-id")
        self.timeout = timeout
        self.failure: httpx.HTTPError | None = None
        self.exceeded: Exceeded | None = None
        self._response = response
        self._whole = whole
        self._budget = budget
        self._read = 0
        self._reader = EventReader(MAX_EVENT_BYTES)
        if whole is not UNREAD:
            self._reader.done = True
            self._reader.head = None

    @property
    def done(self) -> bool:
        return self._reader.done

    @property
    def head(self) -> bytes | None:
        return self._reader.head

    def _feed(self, raw: bytes) -> list[Any]:
        """The payloads ``raw`` completes; sets ``exceeded`` when a bound is passed."""
        payloads = self._reader.feed(raw)
        self._read += len(raw)
        if self._reader.oversize:
            self.exceeded = Exceeded("event", MAX_EVENT_BYTES)
        else:
            self.exceeded = self._budget.check(self._read)
        return payloads

    def _failed(self, exc: httpx.HTTPError) -> None:
        self.failure = exc
        if isinstance(exc, httpx.TimeoutException):  # a read cut short by the deadline says so
            self.exceeded = self._budget.check(0)

    @property
    def _ended(self) -> bool:
        return self._reader.done or self.exceeded is not None


class Stream(_StreamState):
    """A streamed answer (see :class:`_StreamState`); iterate it once."""

    def __iter__(self) -> Iterator[Any]:
        if self._whole is not UNREAD:
            yield self._whole
            return
        response = self._response
        try:
            chunks = response.iter_bytes()
            for raw in chunks:
                yield from self._feed(raw)
                if self._ended:
                    if self._reader.done:
                        _drain(response, chunks)
                    return
            yield from self._reader.finish()
        except httpx.HTTPError as exc:
            self._failed(exc)
        finally:
            response.close()


class AsyncStream(_StreamState):
    """Async :class:`Stream`."""

    async def __aiter__(self) -> AsyncIterator[Any]:
        if self._whole is not UNREAD:
            yield self._whole
            return
        response = self._response
        chunks = guarded_chunks(response.aiter_bytes())
        try:
            async for raw in chunks:
                for payload in self._feed(raw):
                    yield payload
                if self._ended:
                    if self._reader.done:
                        await _adrain(chunks)
                    return
            for payload in self._reader.finish():
                yield payload
        except httpx.HTTPError as exc:
            self._failed(exc)
        finally:
            await chunks.aclose()  # suspended at a yield (or done): no wait, so no cancel lands here
            await aclose_response(response)


def _drain(response: httpx.Response, chunks: Iterator[bytes]) -> None:
    """Read the body's end after ``[DONE]`` so the connection is reused, not dropped.

    At most :data:`DRAIN_LIMIT` bytes for :data:`DRAIN_TIME` seconds: a router that goes
    on sending comments, or holds the connection open in silence, is cut off (the socket
    is shut down under the blocked read), costing only the connection.
    """
    sock = _socket_of(response)
    timer = threading.Timer(DRAIN_TIME, _shut, (sock,)) if sock is not None else None
    if timer is not None:
        timer.daemon = True
        timer.start()
    ends = time.monotonic() + DRAIN_TIME
    seen = 0
    try:
        for piece in chunks:
            seen += len(piece)
            if seen > DRAIN_LIMIT or time.monotonic() > ends:
                return
    except httpx.HTTPError:
        pass  # the answer was complete; only the connection is lost
    finally:
        if timer is not None:
            timer.cancel()


def _socket_of(response: httpx.Response) -> socket.socket | None:
    stream = response.extensions.get("network_stream")
    sock = stream.get_extra_info("socket") if stream is not None else None
    return sock if isinstance(sock, socket.socket) else None


def _shut(sock: socket.socket) -> None:
    with contextlib.suppress(OSError):
        sock.shutdown(socket.SHUT_RDWR)


async def _adrain(chunks: AsyncIterator[bytes]) -> None:
    seen = 0
    try:
        async with asyncio.timeout(DRAIN_TIME):
            async for piece in chunks:
                seen += len(piece)
                if seen > DRAIN_LIMIT:
                    return
    except (httpx.HTTPError, TimeoutError):
        pass
