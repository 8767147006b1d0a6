"""A batch sent through the router's batch API (``--via batch-api``), or split (``--via auto``).

The flow, each step journaled so that a rerun after Ctrl-C or a crash picks up where
it stopped and never submits an item twice:

1. **Plan** (no network): every item not yet in the journal is converted as a live
   call would send it (the model's own ``_prepare``); what a batch cannot carry (an
   inline image: see :func:`~._batch.batch_api.refusal`) is refused up front, naming
   the items, or, with ``via="auto"``, set aside to be sent live. The budget admits
   items at their worst case at the batch discount (:data:`~._batch.batch_api.BATCH_DISCOUNT`).
2. **Submit** at most :data:`~._batch.batch_api.MAX_ITEMS` per batch; as soon as the
   router answers, a ``{"batch": {"id", "keys", ...}}`` line is written. (The one window
   left: a crash between the router's answer and that write. The router documents no
   idempotency key, so that batch is then unknown to the rerun.)
3. **Live**: with ``via="auto"``, the set-aside items go through the live engine
   meanwhile (same journal, same budget, the batches' reservations counted).
4. **Poll** every open batch (this run's and any a previous run left) with back-off,
   reporting the router's ``request_counts``, bounded by the batch's window plus a
   margin (or ``batch_wait``); then fetch the results (inline rows, else the paged
   results endpoint), write one line per key not yet written, an error line for each
   key the router returned nothing for, and finally ``{"batch_done": id, "spent": ...}``:
   the batch's own ``usage.cost`` once (less the per-item costs already on the lines),
   never spread over the items as if it were theirs.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass, field
from typing import Any

from langchain_visionrouter._batch import batch_api as api
from langchain_visionrouter._batch.admission import Budget, Prices, lookup_prices
from langchain_visionrouter._batch.engine import BatchItem, BatchResult, BatchRun
from langchain_visionrouter._wire import http as _http
from langchain_visionrouter.errors import InvalidInputError, NotFoundError

__all__ = ["VIA", "BatchAPIRun"]

VIA = ("live", "batch-api", "auto")
#: Seconds between the first polls; each wait is 1.5 times the last, up to :data:`POLL_MAX`.
POLL_FIRST = 5.0
POLL_MAX = 120.0
#: Waited past a batch's window (or ``expires_at``) for the router to say it expired.
MARGIN = 3600.0
#: Items named in a refusal (the rest are counted).
_NAMED = 5


@dataclass
class BatchAPIRun(BatchRun):
    """A :class:`BatchRun` whose items go through the router's batch API (see the module docstring).

    Iterate it (``async for result in run``) or ``run_sync()``; the totals are a
    ``BatchRun``'s, plus ``batches`` (the ids submitted or reattached) and ``live`` (items
    sent live with ``via="auto"``).
    """

    via: str = "batch-api"
    #: Seconds this run polls before it stops (the batch stays journaled: rerun to reattach);
    #: ``None``: the batch's window (24 h, or its ``expires_at``) plus :data:`MARGIN`.
    batch_wait: float | None = None
    poll_first: float = POLL_FIRST
    #: Wall clock (batches are stamped in Unix seconds) and sleep: injectable, for tests.
    clock: Callable[[], float] = field(default=time.time, repr=False)
    sleep: Callable[[float], Any] = field(default=asyncio.sleep, repr=False)
    #: Called with each polled :class:`~._batch.batch_api.BatchState` (the CLI's progress line).
    on_progress: Callable[[Any], None] | None = field(default=None, repr=False)
    batches: list[str] = field(default_factory=list)
    live: int = 0
    #: Spent and reserved after planning (earlier runs, open and new batches): the live part's floor.
    _committed: float = field(default=0.0, repr=False)

    def __post_init__(self) -> None:
        if self.via not in VIA[1:]:
            raise ValueError(f"via must be one of {', '.join(VIA)}, got {self.via!r}")
        why = api.unsupported(self.model.router)
        if why is not None:
            raise InvalidInputError(why)
        if self.batch_wait is not None and self.batch_wait < 0:
            raise ValueError(f"batch_wait must be 0 or more, got {self.batch_wait}")
        super().__post_init__()

    # -- the flow ------------------------------------------------------------------------

    async def __aiter__(self) -> AsyncIterator[BatchResult]:
        self._open()  # the live prices (for the auto split) and the journal
        try:
            batch_prices = self._batch_prices()
            opened = list(self.journal.batches.values()) if self.journal is not None else []
            held = {str(k) for b in opened for k in b.get("keys") or []}
            planned, live_items, meta = await asyncio.to_thread(self._plan, held, batch_prices)
            endpoint = self._endpoint()
            for chunk in planned:  # what the budget admitted goes, even when it stopped the rest
                opened.append(await self._submit(endpoint, chunk))
            if live_items and self._raise is None:
                async for result in self._live(live_items, opened):
                    yield result
            async for result in self._collect(endpoint, opened, meta):
                yield result
        finally:
            if self._owns_journal:
                self.journal.close()
        if self._raise is not None:
            raise self._raise

    def _batch_prices(self) -> Prices | None:
        if self.budget is None:
            return None
        if self.prices is not None and self.prices.source == "given":
            return self.prices  # the caller's own prices are taken as the batch's
        live = self.prices or lookup_prices(self.model)
        self.prices = live
        return Prices(
            live.prompt * api.BATCH_DISCOUNT,
            live.completion * api.BATCH_DISCOUNT,
            live.max_output_tokens,
            f"{live.source} at the batch discount ({api.BATCH_DISCOUNT:.0%}, the routers' batch docs)",
        )

    def _plan(
        self, held: set[str], prices: Prices | None
    ) -> tuple[list[list[tuple[BatchItem, dict[str, Any], float]]], list[BatchItem], dict[str, Any]]:
        """Items -> batches of ``(item, body, worst)`` and items to send live; refusals raised here."""
        spent = self.journal.spent if self.journal is not None else 0.0
        reserved = sum(float(b.get("reserved") or 0.0) for b in (self.journal.batches.values() if self.journal else []))
        total, cap = spent + reserved, self.budget
        chunks: list[list[tuple[BatchItem, dict[str, Any], float]]] = [[]]
        live: list[BatchItem] = []
        refused: list[str] = []
        meta: dict[str, Any] = {}
        seen: set[str] = set()
        kwargs = self._call_kwargs()
        for item in self.items:
            if item.key in self.skip:
                self.skipped += 1
                continue
            if item.key in held:
                meta[item.key] = item.metadata  # its batch is open: reattached, never resubmitted
                continue
            if item.key in seen:
                raise ValueError(f"duplicate key {item.key!r} ({item.origin or 'a later item'})")
            seen.add(item.key)
            why = _inline(item)
            body: dict[str, Any] | None = None
            if why is None:
                messages = self._messages(item)
                body = api.item_body(self.model._prepare(messages, None, dict(kwargs), stream=False).body)
                why = api.refusal(body)
            if why is not None:
                if self.via == "auto":
                    live.append(item)
                else:
                    refused.append(f"{item.key}: {why}")
                continue
            assert body is not None
            worst = 0.0
            if prices is not None and cap is not None:
                tokens = self.model.get_num_tokens_from_messages(messages)
                worst = prices.worst(tokens, getattr(self.model, "max_tokens", None))
                if total + worst > cap:
                    self._stop(
                        f"budget: ${total:.6f} spent or reserved of ${cap} (earlier runs and open batches included); "
                        f"{item.key} would pass it (worst case ${worst:.6f} at {prices.source}). "
                        "Raise the budget and rerun to continue"
                    )
                    break
                total += worst
            if len(chunks[-1]) >= api.MAX_ITEMS:
                chunks.append([])
            chunks[-1].append((item, body, worst))
            meta[item.key] = item.metadata
        if refused:
            named = "; ".join(refused[:_NAMED]) + (
                f"; and {len(refused) - _NAMED} more" if len(refused) > _NAMED else ""
            )
            raise InvalidInputError(
                f"--via batch-api: {len(refused)} item(s) cannot go through the router's batch API: {named}. "
                "Give public http(s) image URLs, or use --via auto (these items are then sent live, the rest "
                "through the batch API) or --via live. Nothing was sent"
            )
        self._committed = total
        return [c for c in chunks if c], live, meta

    def _call_kwargs(self) -> dict[str, Any]:
        if self.schema is None:
            return {}
        from langchain_visionrouter._request.tools import json_schema_format

        return {"response_format": json_schema_format(self.schema)}

    def _endpoint(self) -> api.Endpoint:
        m = self.model
        assert m.base_url is not None
        return api.Endpoint(
            url=m.base_url.rstrip("/") + "/batches",  # the API reference's /api/v1/batches (see _submit)
            headers=m._json_headers(),
            timeout=m.timeout,
            deadline=m.deadline,
            max_response_bytes=m.max_response_bytes,
            max_retries=m.max_retries,
        )

    async def _submit(
        self, endpoint: api.Endpoint, chunk: list[tuple[BatchItem, dict[str, Any], float]]
    ) -> dict[str, Any]:
        rows = [{"custom_id": str(n), "body": body} for n, (_, body, _) in enumerate(chunk)]
        body = api.create_body(self.model.model, rows)
        url = endpoint.url
        try:
            data = await _http.arequest(self.model._clients, endpoint.create(body), api.judge_batch)
        except NotFoundError:
            # The API reference and the newer guide say /api/v1/batches; every full version of
            # the quickstart says /api/beta/batches. v1 first; the beta path on its 404.
            beta = api.Endpoint.beta_url(url)
            if beta is None:
                raise
            url = beta
            data = await _http.arequest(self.model._clients, endpoint.create(body, url), api.judge_batch)
        state = api.parse_batch(data)
        entry = {
            "id": state.id,
            "router": self.model.router,
            "url": url,
            "model": self.model.model,
            "created": self.clock(),
            "reserved": sum(w for _, _, w in chunk),
            "keys": [item.key for item, _, _ in chunk],  # custom_id n is keys[n]
        }
        if self.journal is not None:
            self.journal.write({"batch": entry})
        self.batches.append(state.id)
        if self.on_progress is not None:
            self.on_progress(state)
        return entry

    async def _live(self, items: list[BatchItem], opened: list[dict[str, Any]]) -> AsyncIterator[BatchResult]:
        """The items a batch cannot carry, sent live (``via="auto"``), within what the batches left of the budget."""
        gate = None
        if self.budget is not None:
            gate = Budget(self.budget, self._committed)
        run = BatchRun(
            model=self.model,
            items=items,
            prompt=self.prompt,
            concurrency=self.concurrency,
            rpm=self.rpm,
            tpm=self.tpm,
            budget=self.budget,
            system=self.system,
            schema=self.schema,
            max_side=self.max_side,
            prices=self.prices,
            max_wait=self.max_wait,
            journal=self.journal,
            gate=gate,
        )
        try:
            async for result in run:
                self.live += 1
                yield self._count(result)
        finally:
            self.cost += run.cost
            if run.stopped and self.stopped is None:
                self.stopped = f"live part: {run.stopped}"
            self.unwritten += run.unwritten

    # -- polling and results -------------------------------------------------------------

    async def _collect(
        self, endpoint: api.Endpoint, opened: list[dict[str, Any]], meta: dict[str, Any]
    ) -> AsyncIterator[BatchResult]:
        waits: dict[str, float] = {}
        started = self.clock()
        pending = list(opened)
        interval = self.poll_first
        while pending:
            still: list[dict[str, Any]] = []
            for entry in pending:
                state = api.parse_batch(
                    await _http.arequest(self.model._clients, endpoint.get(entry["url"], entry["id"]), api.judge_batch)
                )
                if self.on_progress is not None:
                    self.on_progress(state)
                if state.terminal:
                    async for result in self._finish(endpoint, entry, state, meta):
                        yield result
                    continue
                limit = self._limit(entry, state, started)
                waits[entry["id"]] = limit
                if self.clock() >= limit:
                    self._stop(
                        f"batch {entry['id']} is still {state.status} ({state.counts()}, the router's counts) "
                        f"after {self.clock() - float(entry.get('created') or started):.0f} s; it stays in the "
                        "journal: rerun the same command later to reattach to it (nothing is resubmitted)"
                    )
                    continue
                still.append(entry)
            pending = still
            if pending:
                await self.sleep(min(interval, max(0.0, min(waits.values()) - self.clock())))
                interval = min(interval * 1.5, POLL_MAX)

    def _limit(self, entry: dict[str, Any], state: api.BatchState, started: float) -> float:
        """The wall-clock time after which polling ``entry`` stops."""
        created = float(entry.get("created") or started)
        window = max(created + api.WINDOW_SECONDS, state.expires_at or 0.0) + MARGIN
        return window if self.batch_wait is None else min(window, started + self.batch_wait)

    async def _rows(self, endpoint: api.Endpoint, entry: dict[str, Any], state: api.BatchState) -> list[Any]:
        if state.results is not None:
            return state.results
        rows: list[Any] = []
        cursor: str | None = None
        for _ in range(state.total + 1):  # bounded: every page but the last brings a row
            try:
                data = await _http.arequest(
                    self.model._clients, endpoint.results(entry["url"], entry["id"], cursor), api.judge_batch
                )
            except NotFoundError:
                if state.status == "completed":
                    raise api.BatchAPIError(
                        f"batch {entry['id']} completed, but its results are neither inline nor at "
                        f"{entry['url']}/{entry['id']}/results (404); it stays journaled: rerun to try again",
                        status_code=404,
                    ) from None
                return rows  # "OpenRouter returns no result rows for a cancelled batch" (cancel page)
            page, cursor = api.parse_page(data)
            rows += page
            if cursor is None or not page:
                break
        return rows

    async def _finish(
        self, endpoint: api.Endpoint, entry: dict[str, Any], state: api.BatchState, meta: dict[str, Any]
    ) -> AsyncIterator[BatchResult]:
        keys = [str(k) for k in entry.get("keys") or []]
        rows = await self._rows(endpoint, entry, state)
        written: set[str] = set()
        done = self.journal.done if self.journal is not None else set()
        item_costs = 0.0
        for row in rows:
            custom_id = row.get("custom_id") if isinstance(row, dict) else None
            index = int(custom_id) if isinstance(custom_id, str) and custom_id.isdigit() else -1
            if not 0 <= index < len(keys):
                continue  # not one of ours: nothing to map it to (the count of missing keys says so)
            key = keys[index]
            if key in written:
                continue
            written.add(key)
            result = api.row_result(
                row, key, meta.get(key), provider_label=self.model.preset.provider_label, schema=self.schema is not None
            )
            item_costs += result.cost or 0.0
            if key in done:
                continue  # written by a run that crashed before batch_done
            if self._record(result):
                self.cost += result.cost or 0.0
                yield self._count(result)
        why = f"the batch {state.status}" + (f": {state.error}" if state.error else "")
        for key in keys:
            if key in written or key in done:
                continue
            error = {"type": "BatchAPIError", "message": f"no result for this item: {why} (batch {entry['id']})"}
            missing = BatchResult(key, error=error, metadata=meta.get(key))
            if self._record(missing):
                yield self._count(missing)
        self._close_batch(entry, state, item_costs)

    def _close_batch(self, entry: dict[str, Any], state: api.BatchState, item_costs: float) -> None:
        if state.cost is not None:
            spent = max(0.0, state.cost - item_costs)
            note = f"usage.cost {state.cost} of batch {entry['id']}, less {item_costs} on its item lines"
        else:  # no cost reported: charged at what was reserved (never a guess below it)
            spent = float(entry.get("reserved") or 0.0)
            note = f"batch {entry['id']} reported no usage.cost: charged at its reserved worst case"
        self.cost += spent
        if self.journal is not None and not self.unwritten:
            self.journal.write({"batch_done": entry["id"], "status": state.status, "spent": spent, "note": note})
        if state.status != "completed" and state.error:
            self._stop(f"batch {entry['id']} {state.status}: {state.error}")


def _inline(item: BatchItem) -> str | None:
    """Why an item's source will be sent inline (so no batch can take it); ``None``: a URL or a ready block."""
    source = item.source
    if isinstance(source, dict):
        return None  # a ready block: judged on the built body
    if isinstance(source, str) and source[:8].lower().startswith(("http://", "https://")):
        return None
    return "a local file or bytes is sent inline (base64); the batch API takes images only as public http(s) URLs"
