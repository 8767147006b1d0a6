"""Pooled httpx clients: one sync client, and one async client per event loop.

httpx connections belong to the event loop that opened them, so each loop gets its own
client, closed when that loop shuts down; clients passed in by the user are used as
given and never closed here.
"""

from __future__ import annotations

import asyncio
import contextlib
import functools
import ssl
import threading
from collections.abc import AsyncGenerator
from typing import Any

import httpx

from langchain_visionrouter._wire.limits import DEFAULT_MAX_CONNECTIONS

__all__ = ["HTTPClients"]


def _limits(max_connections: int) -> httpx.Limits:
    return httpx.Limits(max_connections=max_connections, max_keepalive_connections=min(20, max_connections))


@functools.cache
def _ssl_context() -> ssl.SSLContext:
    """One TLS context per process, shared by every client: building one (loading the CA
    bundle) takes longer than the rest of a first call in a fresh event loop."""
    return httpx.create_ssl_context()


def _client_options(max_connections: int) -> dict[str, Any]:
    return {"timeout": None, "limits": _limits(max_connections), "verify": _ssl_context()}


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

    def __init__(self, loop: asyncio.AbstractEventLoop, max_connections: int) -> None:
        self.loop = loop
        self.client = httpx.AsyncClient(**_client_options(max_connections))
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
        max_connections: int = DEFAULT_MAX_CONNECTIONS,
    ) -> None:
        self.max_connections = max_connections
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
                    self._client = httpx.Client(**_client_options(self.max_connections))
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
                entry = self._aclients[loop] = _LoopClient(loop, self.max_connections)
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
        return HTTPClients(None if self._owns_client else self._client, self._user_aclient, self.max_connections)

    def __reduce__(self) -> Any:
        # Pools are not state: an unpickled model opens its own on first use.
        return (HTTPClients, (None if self._owns_client else self._client, self._user_aclient, self.max_connections))


def _running_loop() -> asyncio.AbstractEventLoop | None:
    try:
        return asyncio.get_running_loop()
    except RuntimeError:
        return None
