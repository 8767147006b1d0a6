"""The request body: JSON as pieces, big inline payloads written from the user's own string.

Inline data travels from the user's string to the body without being glued into a data
URL first: :mod:`~langchain_visionrouter._request.messages` puts a :class:`DataURL` (media type
and the user's base64 string, unjoined) in the payload, and the body writes its two
parts as pieces.

``json.dumps(payload).encode()`` holds an 8 MiB image twice at once: inside the JSON
``str`` and inside the encoded ``bytes``. Here the payload is encoded as usual except
for big strings inside message content parts (base64 data URLs, file and audio data),
which become pieces of their own: the user's ``str`` itself when it is ASCII needing no
JSON escape (base64 always is), which the transport encodes a window at a time as it
sends it (:class:`~langchain_visionrouter._wire.http._BodyPieces`), so no copy of it is ever
whole. The pieces, encoded and joined, are byte for byte what ``json.dumps(payload,
ensure_ascii=False, separators=(",", ":")).encode()`` gives. Pure functions, no I/O.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

__all__ = ["BIG_STRING", "DataURL", "Piece", "encode_body"]

#: A body piece: bytes, or a ``str`` of ASCII needing no JSON escape, encoded as it is sent
#: (so ``len`` is its size on the wire either way).
Piece = bytes | str

#: Strings at least this long (characters) in content parts are sent as pieces of their own.
BIG_STRING = 256 * 1024
# Printable ASCII that JSON carries unescaped: everything from space to DEL but '"' and '\'.
_PLAIN_JSON_ASCII = bytes(b for b in range(0x20, 0x80) if b not in b'"\\')
# Checked a window at a time: bytes.translate allocates as much as it is given.
_CHECK_WINDOW = 64 * 1024


class DataURL:
    """``data:<mime>;base64,<data>``, kept as its parts: joined only for a small body or on request."""

    __slots__ = ("data", "prefix")

    def __init__(self, mime: str, data: str) -> None:
        self.prefix = f"data:{mime};base64,"
        self.data = data

    def __str__(self) -> str:
        return self.prefix + self.data

    def __repr__(self) -> str:
        return f"DataURL({self.prefix!r} + {len(self.data)} characters)"

    def __len__(self) -> int:
        return len(self.prefix) + len(self.data)

    def __eq__(self, other: object) -> bool:
        if isinstance(other, DataURL):
            return (self.prefix, self.data) == (other.prefix, other.data)
        if isinstance(other, str):  # compared without joining
            return len(other) == len(self) and other.startswith(self.prefix) and other.endswith(self.data)
        return NotImplemented

    def __hash__(self) -> int:
        return hash(str(self))


def encode_body(payload: Mapping[str, Any]) -> bytes | list[Piece]:
    """Encode a request payload as compact UTF-8 JSON.

    Returns ``bytes``, or a list of pieces when the payload carries big strings in
    message content parts; the pieces, encoded and joined, are exactly the ``bytes`` form.
    """
    found = _find_big_strings(payload)
    if not found:
        return _dumps(payload)
    markers = [f"\x00visionrouter-body-{i}\x00" for i in range(len(found))]
    text = _dumps_str(_with_markers(payload, found, markers))
    encoded_markers = [json.dumps(m)[1:-1] for m in markers]
    if any(text.count(m) != 1 for m in encoded_markers):  # a user string held a marker: no shortcut
        return _dumps(payload)
    pieces: list[Piece] = []
    rest = text
    for marker, (_, value) in zip(encoded_markers, found, strict=True):
        head, rest = rest.split(marker, 1)
        pieces.append(head.encode("utf-8"))
        if isinstance(value, DataURL):
            pieces.append(value.prefix.encode("ascii"))
            value = value.data
        pieces.append(_string_body(value))
    pieces.append(rest.encode("utf-8"))
    return pieces


def _joined(value: Any) -> str:
    if isinstance(value, DataURL):
        return str(value)
    raise TypeError(f"Object of type {type(value).__name__} is not JSON serializable")


# One encoder for every body: json.dumps with any non-default argument builds a new
# JSONEncoder per call, a measurable share of a short call's cost.
_ENCODER = json.JSONEncoder(ensure_ascii=False, separators=(",", ":"), default=_joined)


def _dumps_str(payload: Any) -> str:
    return _ENCODER.encode(payload)


def _dumps(payload: Any) -> bytes:
    return _dumps_str(payload).encode("utf-8")


def _string_body(value: str) -> Piece:
    """A JSON string's content (without the quotes): the string itself when it needs no escape."""
    if (
        value.isascii()
        and not any(  # isascii is O(1) for str; base64 always is ASCII
            value[i : i + _CHECK_WINDOW].encode("ascii").translate(None, _PLAIN_JSON_ASCII)
            for i in range(0, len(value), _CHECK_WINDOW)
        )
    ):
        return value  # written a window at a time as it is sent: no copy
    return _dumps_str(value)[1:-1].encode("utf-8")


_Path = tuple[int, int, str, str]  # message index, part index, part key, field


def _find_big_strings(payload: Mapping[str, Any]) -> list[tuple[_Path, str | DataURL]]:
    """Big strings at ``messages[i].content[j].<key>.<field>``, in document order.

    Only content parts are searched: that is where the wire format puts inline data
    (``image_url.url``, ``file.file_data``, ``input_audio.data``, ``video_url.url``), and
    it keeps the search cheap for long conversations.
    """
    found: list[tuple[_Path, str | DataURL]] = []
    messages = payload.get("messages")
    if not isinstance(messages, list):
        return found
    for i, message in enumerate(messages):
        content = message.get("content") if isinstance(message, Mapping) else None
        if not isinstance(content, list):
            continue
        for j, part in enumerate(content):
            if not isinstance(part, Mapping):
                continue
            for key, spec in part.items():
                if not isinstance(spec, Mapping):
                    continue
                for field, value in spec.items():
                    if isinstance(value, (str, DataURL)) and len(value) >= BIG_STRING:
                        found.append(((i, j, key, field), value))
    return found


def _with_markers(
    payload: Mapping[str, Any], found: list[tuple[_Path, str | DataURL]], markers: list[str]
) -> dict[str, Any]:
    """A copy of ``payload`` with each big string replaced by its marker.

    Copies only along the paths to the big strings; ``payload`` itself is left untouched.
    """
    messages = payload["messages"]
    out_messages = list(messages)
    copied: set[tuple[Any, ...]] = set()
    for ((i, j, key, field), _), marker in zip(found, markers, strict=True):
        if (i,) not in copied:
            out_messages[i] = {**messages[i], "content": list(messages[i]["content"])}
            copied.add((i,))
        content = out_messages[i]["content"]
        if (i, j) not in copied:
            content[j] = dict(content[j])
            copied.add((i, j))
        if (i, j, key) not in copied:
            content[j][key] = dict(content[j][key])
            copied.add((i, j, key))
        content[j][key][field] = marker
    return {**payload, "messages": out_messages}
