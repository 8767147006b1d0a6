"""The router's batch API on the wire: requests built and answers read, purely (no I/O).

OpenRouter's Batch API (beta) takes one inline JSON body of chat-completions requests,
runs them within a 24-hour window at about half the per-token price, and answers each
by its ``custom_id``. Its documentation changed a lot while in beta and contradicts
itself in places; where it does, the reading chosen is said beside the code, with its
source (the research notes quote them: OpenRouter's batch quickstart, its guide "Batch
API", and the API-reference pages create / get / results / cancel a batch).

The I/O (submit, poll, fetch, journal) is :mod:`._batch.via_api`; this module only
builds :class:`~langchain_visionrouter._wire.http.Request` values and reads answers.
"""

from __future__ import annotations

import json
import math
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlencode

from langchain_visionrouter._batch.items import BatchResult, error_json, from_message
from langchain_visionrouter._wire import router_errors as _errors
from langchain_visionrouter._wire.http import Request
from langchain_visionrouter.errors import VisionRouterError

__all__ = [
    "BATCH_DISCOUNT",
    "MAX_ITEMS",
    "BatchAPIError",
    "BatchState",
    "Endpoint",
    "create_body",
    "item_body",
    "judge_batch",
    "parse_batch",
    "parse_page",
    "refusal",
    "row_result",
    "unsupported",
]

#: Fraction of the live per-token price a batch is billed at. OpenRouter's guide "Batch API":
#: "Batch requests are typically billed at 50% of the model's standard per-token pricing"
#: (the blog: "generally charge 50% (and sometimes less)"); Infron's create-batch page: "All
#: usage is charged at 50% of the standard API prices". The budget reserves at this rate.
BATCH_DISCOUNT = 0.5
#: The only completion window either router documents ("The only supported completion window is 24h").
COMPLETION_WINDOW = "24h"
WINDOW_SECONDS = 24 * 3600.0
#: Items per submitted batch: one version of OpenRouter's guide says "up to 5,000 requests in
#: one call", the others give no number; larger runs are split into several batches.
MAX_ITEMS = 5000
#: Rows asked per page of ``GET /batches/{id}/results`` (the API reference: 1 through 1000).
PAGE_SIZE = 1000
CHAT_ENDPOINT = "/v1/chat/completions"
#: Statuses after which nothing changes (the quickstart). ``finalizing`` and ``cancelling``
#: are transient; any status not known here is read as still running.
TERMINAL = frozenset({"completed", "failed", "expired", "cancelled"})


class BatchAPIError(VisionRouterError):
    """The batch as a whole failed, expired, was cancelled, or answered what cannot be read."""


def unsupported(router: str) -> str | None:
    """Why ``router`` cannot take ``--via batch-api`` (``None``: it can)."""
    if router == "infron":
        # Infron's pages (create-new-batch, the batch quickstart, get-status-of-a-batch) give an
        # Anthropic-Messages-shaped body whose message content is documented as a string only.
        return (
            "--via batch-api is not offered for Infron: its batch docs do not say whether a request may carry "
            "image parts (the schema allows string content only), do not give the results file's line format "
            "(result_url is undocumented JSONL), nor a cancel or list endpoint, and batches need separate "
            "'-batch' model ids with no list of them. Use --via live (the default) for Infron"
        )
    return None  # OpenRouter, and a custom gateway that speaks OpenRouter's batch API


# -- what a batch cannot carry ------------------------------------------------------------------


def _web(url: Any) -> bool:
    return isinstance(url, str) and url[:8].lower().startswith(("http://", "https://"))


def refusal(body: Mapping[str, Any]) -> str | None:
    """Why this chat body cannot go in an OpenRouter batch (``None``: it can).

    The newest quickstart: "Multimodal input in batch is URL-only ... Image parts must be
    public http(s) URLs. Base64 and ``data:`` URI images are rejected on every provider",
    and file parts "are accepted only as URL references"; audio and non-text output are
    refused by every version. (Older versions were text-only: a URL image may still fail
    on a provider whose batch API does not fetch URLs; the router then fails the batch or
    the item, and that comes back as an error line.)
    """
    modalities = body.get("modalities")
    if isinstance(modalities, list) and any(m != "text" for m in modalities):
        return f"it asks for {'/'.join(map(str, modalities))} output, which the Batch API does not produce"
    for message in body.get("messages") or []:
        content = message.get("content") if isinstance(message, Mapping) else None
        for part in content if isinstance(content, list) else []:
            kind = part.get("type") if isinstance(part, Mapping) else None
            if kind == "image_url":
                image = part.get("image_url")
                url = image.get("url") if isinstance(image, Mapping) else image
                if not _web(url):
                    return (
                        "its image is sent inline (base64, a local file or bytes); the Batch API takes images "
                        "only as public http(s) URLs"
                    )
            elif kind == "file":
                file = part.get("file") if isinstance(part, Mapping) else None
                data = file.get("file_data") if isinstance(file, Mapping) else None
                if isinstance(data, str) and not _web(data):
                    return "its file is sent inline (base64); the Batch API takes files only as URLs"
            elif kind in ("input_audio", "video_url", "input_video"):
                return f"it carries {kind} content, which the Batch API does not take"
    return None


# -- requests -------------------------------------------------------------------------------------


def item_body(body: Mapping[str, Any]) -> dict[str, Any]:
    """A prepared chat body as a batch item's ``body``: the same fields, never streamed."""
    return {k: v for k, v in body.items() if k not in ("stream", "stream_options")}


def create_body(model: str, requests: list[dict[str, Any]], provider: Any = None) -> dict[str, Any]:
    """``POST /batches``'s body, its small fields first.

    The quickstart: "Serialize ``endpoint`` and ``model`` before ``requests`` ... it returns
    a 400 if ``requests`` appears first" (``callback_url`` too): dicts keep insertion order.
    """
    out: dict[str, Any] = {"endpoint": CHAT_ENDPOINT, "model": model, "completion_window": COMPLETION_WINDOW}
    if provider:
        # "Only provider.only and provider.allow_fallbacks are supported" (SDK BatchSubmitBody).
        kept = (
            {k: v for k, v in provider.items() if k in ("only", "allow_fallbacks")}
            if isinstance(provider, Mapping)
            else {}
        )
        if kept:
            out["provider"] = kept
    out["requests"] = requests
    return out


@dataclass(frozen=True)
class Endpoint:
    """Where a router's batches live, and the limits of every call to it (the model's own)."""

    url: str  # e.g. https://openrouter.ai/api/v1/batches
    headers: Mapping[str, str] = field(repr=False)  # carries the key
    timeout: float | None
    deadline: float | None
    max_response_bytes: int | None
    max_retries: int

    @staticmethod
    def beta_url(url: str) -> str | None:
        """The quickstart's ``/api/beta/batches`` for an ``/api/v1/batches`` URL (``None``: no such form)."""
        head, sep, tail = url.rpartition("/v1/batches")
        return head + "/beta/batches" + tail if sep and not tail else None

    def create(self, body: Mapping[str, Any], url: str | None = None) -> Request:
        # Never retried: a 5xx after the router stored the batch would submit it twice (and
        # bill it twice). A failure stops the run unjournaled; a rerun submits again.
        return Request(
            url=url or self.url,
            headers=self.headers,
            body=json.dumps(body, ensure_ascii=False).encode(),
            timeout=self.timeout,
            max_retries=0,
            deadline=self.deadline,
            max_response_bytes=self.max_response_bytes,
        )

    def _get(self, url: str) -> Request:
        return Request(
            url=url,
            headers=self.headers,
            body=b"",
            timeout=self.timeout,
            max_retries=self.max_retries,
            method="GET",
            deadline=self.deadline,
            max_response_bytes=self.max_response_bytes,
        )

    def get(self, url: str, batch_id: str) -> Request:
        return self._get(f"{url}/{batch_id}")

    def results(self, url: str, batch_id: str, cursor: str | None) -> Request:
        query: dict[str, Any] = {"limit": PAGE_SIZE}
        if cursor:
            query["cursor"] = cursor
        return self._get(f"{url}/{batch_id}/results?{urlencode(query)}")


# -- answers --------------------------------------------------------------------------------------


def judge_batch(status_code: int, headers: Mapping[str, str], content: bytes) -> Any:
    """A 2xx batch answer decoded. Unlike a chat answer, a top-level ``error`` is not a failed
    call: a failed batch is a batch object with ``error.message`` (read by :func:`parse_batch`)."""
    try:
        return json.loads(content)
    except ValueError:
        raise _errors.not_json_error(status_code, content, headers) from None


def _count(value: Any) -> int:
    return value if isinstance(value, int) and not isinstance(value, bool) and value >= 0 else 0


def _cost(value: Any) -> float | None:
    if isinstance(value, str):  # Infron's "fees" is a decimal string; accepted anywhere
        try:
            value = float(value)
        except ValueError:
            return None
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not math.isfinite(value) or value < 0:
        return None
    return float(value)


@dataclass(frozen=True)
class BatchState:
    """A batch as the router described it (``GET /batches/{id}``, or the create answer)."""

    id: str
    status: str
    total: int = 0
    completed: int = 0
    failed: int = 0
    #: Inline result rows (``None``: not given; the results endpoint has them).
    results: list[Any] | None = None
    #: ``usage.cost``: what the router charges for the whole batch (``None``: not reported yet).
    cost: float | None = None
    error: str | None = None
    expires_at: float | None = None
    provider: str | None = None

    @property
    def terminal(self) -> bool:
        return self.status in TERMINAL

    def counts(self) -> str:
        return f"{self.completed}/{self.total} completed, {self.failed} failed"


def parse_batch(data: Any) -> BatchState:
    """Read a batch object leniently; ``BatchAPIError`` when it has no id (nothing to poll)."""
    if not isinstance(data, Mapping):
        raise BatchAPIError(f"the router's batch answer is not an object: {str(data)[:200]}", body=data)
    data = data.get("data", data) if isinstance(data.get("data"), Mapping) else data  # a {"data": {...}} envelope
    batch_id = data.get("id") or data.get("batch_id")  # batch_id: Infron's get-status example
    if not isinstance(batch_id, str) or not batch_id:
        raise BatchAPIError(f"the router's batch answer has no id: {json.dumps(data, default=str)[:300]}", body=data)
    counts = data.get("request_counts") if isinstance(data.get("request_counts"), Mapping) else {}
    usage = data.get("usage") if isinstance(data.get("usage"), Mapping) else {}
    error = data.get("error")
    message = error.get("message") if isinstance(error, Mapping) else error
    results = data.get("results")
    expires = data.get("expires_at")
    provider = data.get("provider")
    return BatchState(
        id=batch_id,
        status=str(data.get("status") or "unknown").lower(),
        total=_count(counts.get("total")),
        completed=_count(counts.get("completed")),
        failed=_count(counts.get("failed")),
        # The quickstart: results inline on a completed batch and "no separate results-download
        # endpoint"; the newest API reference adds GET /batches/{id}/results. Inline rows are
        # read when the answer has them, else the endpoint is paged (see via_api).
        results=results if isinstance(results, list) else None,
        cost=_cost(usage.get("cost")),
        error=str(message) if message else None,
        expires_at=float(expires) if isinstance(expires, (int, float)) and not isinstance(expires, bool) else None,
        provider=provider if isinstance(provider, str) else None,
    )


def parse_page(data: Any) -> tuple[list[Any], str | None]:
    """A page of ``GET /batches/{id}/results``: its rows and the next cursor (``None``: the last page)."""
    if not isinstance(data, Mapping) or not isinstance(data.get("data"), list):
        raise BatchAPIError(f"a results page without a data list: {str(data)[:200]}", body=data)
    cursor = data.get("next_cursor")
    more = data.get("has_more")
    # has_more missing: a cursor alone says there is more (lenient; the SDK page model has both).
    going = (more is True or more is None) and isinstance(cursor, str) and bool(cursor)
    return list(data["data"]), cursor if going else None


@dataclass(frozen=True)
class _Item:
    key: str
    metadata: Any


def row_result(row: Any, key: str, metadata: Any, *, provider_label: str, schema: bool) -> BatchResult:
    """One result row (``{custom_id, response: {status_code, body}, error}``) as the same
    :class:`BatchResult` a live call gives: answer, usage, per-item cost when the body has one."""
    from langchain_visionrouter._response.answers import chat_result

    row = row if isinstance(row, Mapping) else {}
    error, response = row.get("error"), row.get("response")
    response = response if isinstance(response, Mapping) else {}
    status, body = response.get("status_code"), response.get("body")
    # "Exactly one of response or error is populated" (quickstart); an error wins if both are.
    if error:
        exc = _errors.error_from_body({"error": error} if isinstance(error, Mapping) else {"error": {"message": error}})
        return BatchResult(key, error=error_json(exc), metadata=metadata)
    if not isinstance(body, Mapping) or (isinstance(status, int) and status >= 300):
        exc = _errors.error_from_body(
            body if body is not None else {"error": {"message": "a result row without a response body"}},
            status_code=status if isinstance(status, int) else None,
        )
        return BatchResult(key, error=error_json(exc), metadata=metadata)
    try:
        message = chat_result(body, model_provider=provider_label).generations[0].message
    except VisionRouterError as exc:
        return BatchResult(key, error=error_json(exc), metadata=metadata)
    answer: Any = message.content
    out = from_message(_Item(key, metadata), message, answer)
    out = BatchResult(**{**out.__dict__, "cost": _cost(out.cost)})  # a NaN or negative cost is no fact
    if schema:
        try:
            parsed = json.loads(answer if isinstance(answer, str) else "")
        except ValueError as exc:  # billed, but not the JSON asked for: an error line keeping the cost
            error_line = {"type": "OutputParserException", "message": f"the answer is not JSON: {exc}"}
            return BatchResult(key, error=error_line, cost=out.cost, metadata=metadata)
        return BatchResult(**{**out.__dict__, "answer": parsed})
    return out
