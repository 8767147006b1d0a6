"""Writing and reading the project's cassettes (vcrpy's YAML format).

Cassettes we write ourselves come from the modules in ``tests/cassette_sources/``:
each defines ``CASSETTES = {name: [interaction, ...]}`` built with :func:`exchange`,
and ``python -m tests.cassette_sources`` writes them all to ``cassettes/``. Tests read
a cassette back with :func:`load` to check the adapter's output against what the
wire says, so the same test still holds after a live re-recording.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import yaml

from langchain_visionrouter._cassettes.serializer import READABLE

ROOT = Path(__file__).resolve().parents[1]
CASSETTES = ROOT / "cassettes"
OPENROUTER = "https://openrouter.ai/api/v1"
INFRON = "https://llm.onerouter.pro/v1"

_REASONS = {
    200: "OK",
    400: "Bad Request",
    401: "Unauthorized",
    402: "Payment Required",
    403: "Forbidden",
    404: "Not Found",
    408: "Request Timeout",
    413: "Payload Too Large",
    422: "Unprocessable Entity",
    429: "Too Many Requests",
    500: "Internal Server Error",
    502: "Bad Gateway",
    503: "Service Unavailable",
    524: "",
    529: "",
}


def sse(events: list[Any], *, comments: int = 1) -> str:
    """An SSE body: keep-alive comments first, one ``data:`` frame per event, then ``[DONE]``
    (pass ``"[DONE]"`` yourself to place it, or leave it out with ``done=False`` semantics by
    ending the list with ``None``)."""
    parts = [": OPENROUTER PROCESSING\n\n"] * comments
    done = True
    for event in events:
        if event is None:
            done = False
            continue
        parts.append(
            "data: " + (event if isinstance(event, str) else json.dumps(event, separators=(",", ":"))) + "\n\n"
        )
    if done and not any(e == "[DONE]" for e in events):
        parts.append("data: [DONE]\n\n")
    return "".join(parts)


def exchange(
    request: dict[str, Any] | None,
    response: dict[str, Any] | str,
    *,
    status: int = 200,
    method: str = "POST",
    url: str = OPENROUTER + "/chat/completions",
    headers: dict[str, str] | None = None,
) -> dict[str, Any]:
    """One request/response pair. A ``str`` response is an SSE body, a ``dict`` is JSON."""
    is_stream = isinstance(response, str)
    body = response if is_stream else json.dumps(response, separators=(",", ":"))
    resp_headers = {"Content-Type": ["text/event-stream" if is_stream else "application/json"]}
    for name, value in (headers or {}).items():
        resp_headers[name] = [value]
    return {
        "request": {
            "body": json.dumps(request, separators=(",", ":")) if request is not None else "",
            "headers": {
                "Content-Type": ["application/json"],
                "Accept": ["text/event-stream" if is_stream else "application/json"],
            },
            "method": method,
            "uri": url,
        },
        "response": {
            "body": {"string": body},
            "headers": resp_headers,
            "status": {"code": status, "message": _REASONS.get(status, "")},
        },
    }


def write(name: str, interactions: list[dict[str, Any]]) -> Path:
    return write_to(CASSETTES / f"{name}.yaml", interactions)


def write_to(path: Path, interactions: list[dict[str, Any]]) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    # The package's own cassette serializer: one YAML dumper for written and recorded cassettes.
    text = READABLE.serialize({"interactions": interactions, "version": 1})
    path.write_text(text)
    return path


def load(name: str) -> list[dict[str, Any]]:
    """The interactions of ``cassettes/<name>.yaml``."""
    data = yaml.safe_load((CASSETTES / f"{name}.yaml").read_text())
    return list(data["interactions"])


def body_text(interaction: dict[str, Any]) -> str:
    raw = interaction["response"]["body"]["string"]
    return raw.decode() if isinstance(raw, bytes) else raw


def response_json(interaction: dict[str, Any]) -> Any:
    return json.loads(body_text(interaction))


def response_events(interaction: dict[str, Any]) -> list[Any]:
    """The JSON events of a recorded SSE body, ``[DONE]`` excluded."""
    events = []
    for frame in body_text(interaction).replace("\r\n", "\n").split("\n\n"):
        data = [line[5:].lstrip(" ") for line in frame.split("\n") if line.startswith("data:")]
        if data and data[0] != "[DONE]":
            events.append(json.loads("\n".join(data)))
    return events


def request_json(interaction: dict[str, Any]) -> Any:
    body = interaction["request"]["body"]
    return json.loads(body) if body else None
