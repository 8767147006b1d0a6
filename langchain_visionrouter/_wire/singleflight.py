"""One at a time per key: callers of the same slow fetch wait for the one in flight.

The waiter then finds the fetched result (in a cache the caller keeps) instead of
fetching again: a burst of calls on a cold cache makes one request, not one each. If
the fetch failed, the callers that waited for it get its error at once, rather than
each fetching in turn (and waiting, in turn, for the same dead router).
Threads share a lock per key; the tasks of an event loop share an ``asyncio.Lock`` per
key and loop (an asyncio lock cannot cross loops).
"""

from __future__ import annotations

import asyncio
import contextlib
import threading
import time
import weakref
from collections.abc import AsyncIterator, Iterator

__all__ = ["aflight", "flight"]

_lock = threading.Lock()
_locks: dict[str, threading.Lock] = {}
_alocks: weakref.WeakKeyDictionary[asyncio.AbstractEventLoop, dict[str, asyncio.Lock]] = weakref.WeakKeyDictionary()
_failures: dict[str, tuple[float, Exception]] = {}  # the last failed flight per key


@contextlib.contextmanager
def _outcome(key: str, since: float) -> Iterator[None]:
    failure = _failures.get(key)
    if failure is not None and failure[0] >= since:
        raise failure[1]  # the flight this caller waited for failed
    try:
        yield
    except Exception as exc:
        _failures[key] = (time.monotonic(), exc)
        raise
    _failures.pop(key, None)


@contextlib.contextmanager
def flight(key: str, since: float) -> Iterator[None]:
    """Hold the flight of ``key`` (among threads); ``since``: when the caller asked (``time.monotonic()``)."""
    with _lock:
        lock = _locks.setdefault(key, threading.Lock())
    with lock, _outcome(key, since):
        yield


@contextlib.asynccontextmanager
async def aflight(key: str, since: float) -> AsyncIterator[None]:
    """Hold the flight of ``key`` (among the running loop's tasks); ``since`` as :func:`flight`."""
    loop = asyncio.get_running_loop()
    with _lock:
        lock = _alocks.setdefault(loop, {}).setdefault(key, asyncio.Lock())
    async with lock:
        with _outcome(key, since):
            yield
