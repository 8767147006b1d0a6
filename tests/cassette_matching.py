"""A vcrpy matcher that compares JSON request bodies, so that a cassette replays only for
the request it was written for.

``json_body`` parses both bodies and compares them as data (key order and whitespace do
not matter). Tool-call ids are compared by position: the n-th distinct id in one body
must sit where the n-th distinct id sits in the other. That keeps the check that every
tool result answers the call it should, while ids LangChain makes up at random (few-shot
examples) still match. A mismatch names the first differing path.

Registered under the name ``json_body`` by ``pytest_recording_configure`` in
``tests/conftest.py``; a test module opts in with ``match_on`` in its ``vcr_config``.
"""

from __future__ import annotations

import json
from typing import Any

__all__ = ["MATCH_ON", "json_body"]

#: ``match_on`` for cassettes matched on method, URL and JSON body.
MATCH_ON = ("method", "scheme", "host", "port", "path", "query", "json_body")


def _body(request: Any) -> Any:
    raw = request.body
    if raw is None or raw in (b"", ""):
        return None
    if isinstance(raw, bytes):
        raw = raw.decode("utf-8")
    try:
        return json.loads(raw)
    except ValueError:
        return raw


def _ids_by_position(body: Any) -> Any:
    """Replace tool-call ids with ``<id0>``, ``<id1>``... in order of first appearance."""
    if not isinstance(body, dict) or not isinstance(body.get("messages"), list):
        return body
    seen: dict[str, str] = {}

    def token(value: Any) -> Any:
        if not isinstance(value, str):
            return value
        return seen.setdefault(value, f"<id{len(seen)}>")

    messages = []
    for message in body["messages"]:
        if isinstance(message, dict):
            message = dict(message)
            if isinstance(message.get("tool_calls"), list):
                message["tool_calls"] = [
                    {**call, "id": token(call.get("id"))} if isinstance(call, dict) else call
                    for call in message["tool_calls"]
                ]
            if "tool_call_id" in message:
                message["tool_call_id"] = token(message["tool_call_id"])
        messages.append(message)
    return {**body, "messages": messages}


def _first_difference(a: Any, b: Any, path: str = "body") -> str | None:
    if type(a) is not type(b):
        return f"{path}: request has {type(a).__name__}, cassette has {type(b).__name__}"
    if isinstance(a, dict):
        for key in sorted(set(a) | set(b), key=str):
            if key not in a or key not in b:
                return f"{path}.{key}: only in the {'request' if key in a else 'cassette'}"
            found = _first_difference(a[key], b[key], f"{path}.{key}")
            if found:
                return found
        return None
    if isinstance(a, list):
        if len(a) != len(b):
            return f"{path}: request has {len(a)} items, cassette has {len(b)}"
        for i, (x, y) in enumerate(zip(a, b, strict=True)):
            found = _first_difference(x, y, f"{path}[{i}]")
            if found:
                return found
        return None
    if a != b:
        return f"{path}: request {str(a)[:120]!r} != cassette {str(b)[:120]!r}"
    return None


def json_body(request: Any, recorded: Any) -> None:
    """vcrpy matcher: raise ``AssertionError`` (naming the first difference) unless the bodies agree."""
    difference = _first_difference(_ids_by_position(_body(request)), _ids_by_position(_body(recorded)))
    if difference:
        raise AssertionError(difference)
