"""Every bound on a call, in one place: how long it may take and how much it may read. Pure.

The HTTP layer (:mod:`~langchain_visionrouter._wire.http`) keeps a :class:`Budget` per call and
asks it, after every network read, whether a limit is passed; it then stops reading and
reports an :class:`Exceeded`, which the response layer turns into the typed error
(built in :mod:`~langchain_visionrouter.errors`).

* ``deadline``: seconds a whole call may take, every attempt, retry wait and stream read
  included. A per-read ``timeout`` alone never ends a stream of keep-alive comments, nor a
  body dripped a byte at a time; the deadline does.
* ``max_response_bytes``: the size of an answer, decoded (a gzip bomb counts inflated),
  a whole JSON body or a whole stream.
* :data:`MAX_EVENT_BYTES`: one server-sent event (counted by :mod:`~langchain_visionrouter._wire.sse`).
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from typing import Literal

__all__ = [
    "DEFAULT_DEADLINE",
    "DEFAULT_MAX_CONNECTIONS",
    "DEFAULT_MAX_RESPONSE_BYTES",
    "DRAIN_LIMIT",
    "DRAIN_TIME",
    "MAX_EVENT_BYTES",
    "Budget",
    "Exceeded",
]

#: Seconds a call may take in all (a long reasoning stream fits; a stuck one ends).
DEFAULT_DEADLINE = 900.0
#: Bytes an answer may have once decoded: far above any chat answer, images included.
DEFAULT_MAX_RESPONSE_BYTES = 64 * 2**20
#: Bytes one server-sent event may have (a generated image in one delta fits).
MAX_EVENT_BYTES = 32 * 2**20
#: Connections per pool (sync client, and each event loop's async client).
DEFAULT_MAX_CONNECTIONS = 100
#: After ``[DONE]`` the rest of the body is read, so the connection goes back to the pool,
#: for at most this long and this many bytes; a router that keeps talking is cut off.
DRAIN_TIME = 0.5
DRAIN_LIMIT = 64 * 1024

What = Literal["deadline", "answer", "event"]


@dataclass(frozen=True)
class Exceeded:
    """A limit a call ran into: which one, and its value (seconds or bytes)."""

    what: What
    limit: float


@dataclass(frozen=True)
class Budget:
    """The bounds of one call, from the moment it starts."""

    deadline: float | None = None  # seconds, for the whole call
    max_bytes: int | None = None  # decoded bytes of the answer
    end: float | None = None  # time.monotonic() at which the deadline passes
    started: float = 0.0  # time.monotonic() at the start of the call

    @classmethod
    def start(cls, deadline: float | None, max_bytes: int | None) -> Budget:
        now = time.monotonic()
        return cls(deadline, max_bytes, None if deadline is None else now + deadline, now)

    def elapsed(self) -> float:
        """Seconds since the call started."""
        return time.monotonic() - self.started

    def remaining(self) -> float | None:
        """Seconds left (never negative), or ``None`` without a deadline."""
        return None if self.end is None else max(0.0, self.end - time.monotonic())

    def wait_timeout(self, timeout: float | None) -> float | None:
        """A per-read (or pool) time-out that never outlasts the deadline."""
        left = self.remaining()
        if left is None:
            return timeout
        left = max(left, 0.001)  # zero would mean "do not wait at all" to some backends
        return left if timeout is None else min(timeout, left)

    def check(self, read: int) -> Exceeded | None:
        """After a read (``read``: decoded bytes of the answer so far), the limit passed, if any."""
        if self.max_bytes is not None and read > self.max_bytes:
            return Exceeded("answer", self.max_bytes)
        if self.end is not None and time.monotonic() > self.end:
            assert self.deadline is not None
            return Exceeded("deadline", self.deadline)
        return None

    def allows_wait(self, seconds: float) -> bool:
        """Whether waiting ``seconds`` before a retry still leaves time for it."""
        left = self.remaining()
        return left is None or seconds < left
