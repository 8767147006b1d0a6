"""Server-sent events: network bytes -> event payloads. Pure, no I/O.

:class:`SSEDecoder` splits bytes into ``data`` payloads; :class:`EventReader` adds what
both stream flavours need on top (the ``[DONE]`` terminator, the body's first bytes
kept until the first event), so the sync and async readers in
:mod:`~langchain_visionrouter._wire.http` are a few lines each. What the payloads *mean*
(JSON, errors, completeness) is judged in :mod:`~langchain_visionrouter._response.answers`.
"""

from __future__ import annotations

__all__ = ["DONE", "EventReader", "SSEDecoder"]

#: The payload that ends an OpenAI-style stream. Part of the SSE dialect, not of the
#: answer: seeing it lets the reader stop and hand the connection back to the pool.
DONE = b"[DONE]"
# Bytes of a stream's start kept until its first event, so a body with none can be reported.
HEAD_LIMIT = 8 * 1024


class SSEDecoder:
    """Incremental server-sent-events decoder: bytes in, ``data`` payloads (bytes) out.

    Handles ``\\n`` and ``\\r\\n`` line endings, ``:`` comment lines (OpenRouter's
    ``: OPENROUTER PROCESSING`` keep-alives), multi-line ``data:`` fields and frames
    split anywhere across network reads, including inside a UTF-8 character.

    Linear in the bytes fed: a line split over many reads is kept as its pieces and
    joined once, when its end arrives. An event growing past ``max_event`` bytes is not
    kept: decoding stops and ``oversize`` says so (the caller decides what that means).
    """

    __slots__ = ("_data", "_data_size", "_pending", "_pending_size", "max_event", "oversize")

    def __init__(self, max_event: int | None = None) -> None:
        self._pending: list[bytes] = []  # pieces of a line whose end has not arrived
        self._pending_size = 0
        self._data: list[bytes] = []
        self._data_size = 0
        self.max_event = max_event
        self.oversize = False

    def feed(self, chunk: bytes) -> list[bytes]:
        """Add bytes; return the payloads of the events they completed."""
        if self.oversize:
            return []
        if b"\n" not in chunk:
            self._pending.append(chunk)
            self._pending_size += len(chunk)
            self._check_size()
            return []
        if self._pending:
            self._pending.append(chunk)
            chunk = b"".join(self._pending)
            self._pending.clear()
        lines = chunk.split(b"\n")
        last = lines.pop()
        if last:
            self._pending.append(last)
        self._pending_size = len(last)
        events: list[bytes] = []
        data = self._data
        max_event = self.max_event
        for line in lines:
            if line[-1:] == b"\r":
                line = line[:-1]
            if not line:
                if data:
                    events.append(b"\n".join(data))
                    data.clear()
                    self._data_size = 0
            elif line[:5] == b"data:":
                value = line[5:]
                if value[:1] == b" ":
                    value = value[1:]
                # Left undecoded: the response layer parses UTF-8 JSON from bytes, and judges it.
                data.append(value)
                self._data_size += len(value)
                if max_event is not None and self._data_size + self._pending_size > max_event:  # before it completes
                    self._check_size()
                    return events
            # ':' comments and other fields (event:, id:, retry:) carry nothing for us.
        if max_event is not None and self._data_size + self._pending_size > max_event:
            self._check_size()
        return events

    def _check_size(self) -> bool:
        if self.max_event is not None and self._data_size + self._pending_size > self.max_event:
            self.oversize = True
            self._pending.clear()
            self._data.clear()
        return self.oversize

    def flush(self) -> list[bytes]:
        """End of input: return a last event that had no closing blank line."""
        events = self.feed(b"\n\n") if self._pending or self._data else []
        self._pending.clear()
        self._pending_size = 0
        return events


class EventReader:
    """Network reads -> payloads, stopping at ``[DONE]``.

    ``done`` is set when ``[DONE]`` arrives (nothing after it is read). ``head`` holds the
    body's first bytes until the first event, then ``None``: a body that held no event
    at all is reported from it. ``oversize`` is set when an event grew past ``max_event``
    bytes (decoding stops there).
    """

    __slots__ = ("_decoder", "done", "head")

    def __init__(self, max_event: int | None = None) -> None:
        self._decoder = SSEDecoder(max_event)
        self.head: bytes | None = b""
        self.done = False

    def feed(self, raw: bytes) -> list[bytes]:
        """The payloads completed by ``raw``."""
        head = self.head
        if head is not None and len(head) < HEAD_LIMIT:
            self.head = head + raw
        return self._payloads(self._decoder.feed(raw))

    @property
    def oversize(self) -> bool:
        return self._decoder.oversize

    def finish(self) -> list[bytes]:
        """The payload of a last frame with no closing blank line, if any."""
        return self._payloads(self._decoder.flush())

    def _payloads(self, payloads: list[bytes]) -> list[bytes]:
        # A list, not a generator: one event a read is the common case, and cheaper so.
        if not payloads:
            return payloads
        self.head = None
        for i, payload in enumerate(payloads):
            if payload == DONE:
                self.done = True
                return payloads[:i]
        return payloads
