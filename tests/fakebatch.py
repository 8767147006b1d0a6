"""A fake of OpenRouter's Batch API, as a responder for :class:`tests.fakerouter.FakeRouter`.

It follows the documented wire format (research notes, /work/research/batch-api.md 1.3-1.8:
the quickstart and the API reference pages create / get / results):

- ``POST {base}/batches`` ``{endpoint, model, completion_window, requests: [{custom_id, body}]}``
  -> 202 and a batch object with ``status: "validating"``;
- ``GET {base}/batches/{id}`` -> the batch object; each GET moves it one step along
  ``steps`` (e.g. validating -> in_progress -> completed), ``request_counts`` following;
  a terminal one carries ``usage`` (with ``cost``) and, when ``inline``, ``results``;
- ``GET {base}/batches/{id}/results?limit=&cursor=`` -> ``{object: "list", data, has_more,
  next_cursor}`` pages of ``page`` rows (``inline=False``);
- a result row: ``{id, custom_id, response: {status_code, request_id, body}, error}``,
  exactly one of ``response``/``error`` set; ``fail`` custom ids get an ``error``,
  ``bad`` ones a ``response`` with status 400.

Other paths (``/chat/completions``) go to ``live`` (e.g. :class:`tests.batchkit.Responder`).
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import parse_qs, urlsplit

from tests.batchkit import TOKENS, part_digest
from tests.fakerouter import Recorded, Scripted, answer
from tests.wire import completion, usage

BATCH_COST = 0.0123  # USD: the whole batch's usage.cost


@dataclass
class FakeBatches:
    steps: tuple[str, ...] = ("validating", "in_progress", "completed")
    inline: bool = True
    page: int = 2
    fail: set[str] = field(default_factory=set)  # custom ids answered with an error row
    bad: set[str] = field(default_factory=set)  # custom ids answered with a 400 response
    cost: float | None = BATCH_COST
    item_cost: float | None = None  # usage.cost inside each body (None: not given)
    error: str | None = None  # error.message of a failed batch
    v1: bool = True  # False: /api/v1/batches answers 404 (the quickstart's /api/beta path works)
    live: Callable[[Recorded], Scripted] | None = None
    creates: list[dict[str, Any]] = field(default_factory=list)
    gets: int = 0
    _polls: dict[str, int] = field(default_factory=dict)
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def __call__(self, request: Recorded) -> Scripted:
        parts = urlsplit(request.path)
        path = parts.path
        if "/batches" not in path:
            assert self.live is not None, f"unexpected {request.method} {request.path}"
            return self.live(request)
        if not self.v1 and path.startswith("/api/v1/"):
            return answer(404, json={"error": {"code": 404, "message": "Not Found"}})
        tail = path.split("/batches", 1)[1].strip("/").split("/")
        with self._lock:
            if request.method == "POST" and tail == [""]:
                return self._create(request.json)
            batch_id = tail[0]
            if request.method == "GET" and len(tail) == 1:
                self.gets += 1
                self._polls[batch_id] = self._polls.get(batch_id, 0) + 1
                return answer(json=self._object(batch_id))
            if request.method == "GET" and tail[1:] == ["results"]:
                return self._page(batch_id, parse_qs(parts.query))
        return answer(404, json={"error": {"code": 404, "message": f"no route {request.path}"}})

    # -- the batch's life --------------------------------------------------------------

    def _create(self, body: dict[str, Any]) -> Scripted:
        keys = list(body)
        assert keys.index("requests") == len(keys) - 1, "requests must come last (quickstart)"
        assert body["endpoint"] == "/v1/chat/completions" and body["completion_window"] == "24h"
        ids = [r["custom_id"] for r in body["requests"]]
        assert len(ids) == len(set(ids)), "custom_id must be unique within the batch"
        self.creates.append(body)
        batch_id = f"batch_{len(self.creates)}"
        self._polls[batch_id] = 0
        return answer(202, json=self._object(batch_id))

    def _status(self, batch_id: str) -> str:
        return self.steps[min(self._polls[batch_id], len(self.steps) - 1)]

    def _rows(self, batch_id: str) -> list[dict[str, Any]]:
        status = self._status(batch_id)
        if status in ("failed", "cancelled"):
            return []  # "OpenRouter returns no result rows for a cancelled batch"
        body = self.creates[int(batch_id.split("_")[1]) - 1]
        rows = []
        for n, req in enumerate(body["requests"]):
            cid = req["custom_id"]
            if status == "expired" and n % 2:
                continue  # unfinished work is not answered
            row: dict[str, Any] = {"id": f"batch_req_{n}", "custom_id": cid, "response": None, "error": None}
            if cid in self.fail:
                row["error"] = {"message": f"provider refused {cid}", "type": "invalid_request_error", "param": None}
            elif cid in self.bad:
                row["response"] = {
                    "status_code": 400,
                    "request_id": f"req_{n}",
                    "body": {"error": {"code": 400, "message": f"bad image in {cid}"}},
                }
            else:
                digest = part_digest(req["body"])
                use = usage(*TOKENS, cost=self.item_cost)
                if self.item_cost is None:
                    del use["cost"]
                row["response"] = {
                    "status_code": 200,
                    "request_id": f"req_{n}",
                    "body": completion(
                        gen=f"gen-batch-{digest}",
                        model=body["model"],
                        provider="FakeProvider",
                        content=f"seen {digest}",
                        use=use,
                    ),
                }
            rows.append(row)
        return rows[::-1]  # not in input order: the client must match on custom_id

    def _object(self, batch_id: str) -> dict[str, Any]:
        status = self._status(batch_id)
        total = len(self.creates[int(batch_id.split("_")[1]) - 1]["requests"])
        terminal = status in ("completed", "failed", "expired", "cancelled")
        rows = self._rows(batch_id) if terminal else []
        failed = sum(1 for r in rows if r["error"] or r["response"]["status_code"] >= 400)
        done = len(rows) - failed if terminal else (total // 2 if status == "in_progress" else 0)
        return {
            "id": batch_id,
            "object": "batch",
            "endpoint": "/v1/chat/completions",
            "model": self.creates[int(batch_id.split("_")[1]) - 1]["model"],
            "completion_window": "24h",
            "status": status,
            "created_at": 1782097200,
            "finalized_at": 1782097800 if terminal else None,
            "expires_at": 1782183600,
            "provider": "FakeProvider",
            "request_counts": {"total": total, "completed": done, "failed": failed},
            "usage": (
                {
                    "prompt_tokens": 90 * total,
                    "completion_tokens": 10 * total,
                    "total_tokens": 100 * total,
                    **({} if self.cost is None else {"cost": self.cost}),
                }
                if terminal
                else None
            ),
            "results": rows if self.inline and status in ("completed", "expired") else None,
            "error": {"message": self.error} if status == "failed" and self.error else None,
        }

    def _page(self, batch_id: str, query: dict[str, list[str]]) -> Scripted:
        if self.inline:
            return answer(404, json={"error": {"code": 404, "message": "Not Found"}})
        rows = self._rows(batch_id)
        start = int(query.get("cursor", ["0"])[0])
        limit = min(int(query.get("limit", ["1000"])[0]), self.page)
        data = rows[start : start + limit]
        more = start + limit < len(rows)
        return answer(
            json={"object": "list", "data": data, "has_more": more, "next_cursor": str(start + limit) if more else None}
        )


def results_by_key(lines: list[dict[str, Any]]) -> dict[str, list[dict[str, Any]]]:
    out: dict[str, list[dict[str, Any]]] = {}
    for line in lines:
        if "key" in line:
            out.setdefault(line["key"], []).append(line)
    return out
