"""OpenRouter Batch API cassettes, written from its documentation (not recorded).

Sources (quoted in the research notes, /work/research/batch-api.md section 1): the batch
quickstart (``POST /batches`` with ``endpoint``, ``model``, ``completion_window`` before
``requests``; 202 and ``status: "validating"``; statuses validating -> in_progress ->
completed; ``request_counts``; ``usage.cost`` at the batch level; result rows
``{id, custom_id, response: {status_code, request_id, body}, error}`` inline on the
completed batch) and the newest API reference ("Get batch results":
``GET /batches/{id}/results?limit=&cursor=`` -> ``{object: "list", data, has_more,
next_cursor}``). Ids, timestamps, prices and answers are made up; the base URL is the
API reference's ``https://openrouter.ai/api/v1``.
"""

from __future__ import annotations

from typing import Any

from tests.cassette_tools import OPENROUTER, exchange

BATCHES = OPENROUTER + "/batches"
MODEL = "google/gemini-2.0-flash-001"
URLS = [
    "https://upload.wikimedia.org/wikipedia/commons/3/3a/Cat03.jpg",
    "https://upload.wikimedia.org/wikipedia/commons/2/26/YellowLabradorLooking_new.jpg",
]
ANSWERS = ["A ginger cat looking up.", "A yellow labrador looking at the camera."]


def _body(url: str) -> dict[str, Any]:
    content = [{"type": "text", "text": "Describe."}, {"type": "image_url", "image_url": {"url": url}}]
    return {"model": MODEL, "messages": [{"role": "user", "content": content}]}


CREATE = {
    "endpoint": "/v1/chat/completions",
    "model": MODEL,
    "completion_window": "24h",
    "requests": [{"custom_id": str(n), "body": _body(url)} for n, url in enumerate(URLS)],
}


def _row(n: int) -> dict[str, Any]:
    usage = {"prompt_tokens": 1290 + n, "completion_tokens": 9 + n, "total_tokens": 1299 + 2 * n}
    body = {
        "id": f"gen-batch-178209720{n}-abc",
        "object": "chat.completion",
        "created": 1782097300,
        "model": MODEL,
        "provider": "Google",
        "choices": [{"index": 0, "finish_reason": "stop", "message": {"role": "assistant", "content": ANSWERS[n]}}],
        "usage": usage,  # no per-item cost: the docs promise only usage.cost on the batch
    }
    return {
        "id": f"batch_req_{n}",
        "custom_id": str(n),
        "response": {"status_code": 200, "request_id": f"request_{n}", "body": body},
        "error": None,
    }


def _batch(status: str, *, completed: int = 0, results: Any = None, usage: Any = None) -> dict[str, Any]:
    terminal = status == "completed"
    return {
        "id": "batch_abc123",
        "object": "batch",
        "endpoint": "/v1/chat/completions",
        "model": MODEL,
        "completion_window": "24h",
        "status": status,
        "created_at": 1782097200,
        "finalized_at": 1782097800 if terminal else None,
        "expires_at": 1782183600,
        "provider": "Google Vertex" if status != "validating" else None,
        "request_counts": {"total": 2, "completed": completed, "failed": 0},
        "usage": usage,
        "results": results,
        "error": None,
    }


USAGE = {"prompt_tokens": 2581, "completion_tokens": 19, "total_tokens": 2600, "cost": 0.000136, "is_byok": False}

INLINE = [
    exchange(CREATE, _batch("validating"), status=202, url=BATCHES),
    exchange(None, _batch("in_progress", completed=1), method="GET", url=BATCHES + "/batch_abc123"),
    exchange(
        None,
        _batch("completed", completed=2, results=[_row(1), _row(0)], usage=USAGE),  # not in input order
        method="GET",
        url=BATCHES + "/batch_abc123",
    ),
]

PAGED = [
    exchange(CREATE, _batch("validating"), status=202, url=BATCHES),
    exchange(None, _batch("completed", completed=2, usage=USAGE), method="GET", url=BATCHES + "/batch_abc123"),
    exchange(
        None,
        {"object": "list", "data": [_row(0)], "has_more": True, "next_cursor": "cur_1"},
        method="GET",
        url=BATCHES + "/batch_abc123/results?limit=1000",
    ),
    exchange(
        None,
        {"object": "list", "data": [_row(1)], "has_more": False, "next_cursor": None},
        method="GET",
        url=BATCHES + "/batch_abc123/results?limit=1000&cursor=cur_1",
    ),
]

CASSETTES = {"openrouter_batch_inline": INLINE, "openrouter_batch_paged": PAGED}
