"""One at a time per key: callers of the same slow fetch wait for the one in flight.

The waiter then finds the fetched result (in a cache the caller keeps) instead of
fetching again: a burst of calls on a cold cache makes one request, not one each.
Threads share a lock per key; the tasks of an event loop share an ``asyncio.Lock`` per
key and loop (an asyncio lock cannot cross loops).
"""

from __future__ import annotations

import asyncio
import contextlib
import threading
import weakref
from collections.abc import AsyncIterator, Iterator

__all__ = ["aflight", "flight"]

_lock = threading.Lock()
_locks: dict[str, threading.Lock] = {}
_alocks: weakref.WeakKeyDictionary[asyncio.AbstractEventLoop, dict[str, asyncio.Lock]] = weakref.WeakKeyDictionary()


@contextlib.contextmanager
def flight(key: str) -> Iterator[None]:
    """Hold the flight of ``key`` (among threads)."""
    with _lock:
        lock = _locks.setdefault(key, threading.Lock())
    with lock:
        yield


@contextlib.asynccontextmanager
async def aflight(key: str) -> AsyncIterator[None]:
    """Hold the flight of ``key`` (among the running loop's tasks)."""
    loop = asyncio.get_running_loop()
    with _lock:
        lock = _alocks.setdefault(loop, {}).setdefault(key, asyncio.Lock())
    async with lock:
        yield
