"""One prompt over many images: bounded, rate-limited, budgeted, results as they complete.

The engine under ``visionrouter batch`` and the Ray worker. Items are pulled from the
iterable only when a slot is free, and an item's file is read (and resized) only when
its turn comes, in a worker thread: memory holds ``concurrency`` items, however many
there are. Resuming (which keys are done) and writing lines is the caller's business
(:mod:`._batch_io`); this module never touches the output.
"""

from __future__ import annotations

import asyncio
import math
import os
from collections.abc import AsyncIterator, Iterable
from dataclasses import dataclass, field, replace
from typing import Any

from langchain_visionrouter._batch.admission import Budget, Pacer, Prices, lookup_prices
from langchain_visionrouter._batch.items import BatchItem, BatchResult, content_block, error_json, from_message
from langchain_visionrouter.errors import (
    AuthenticationError,
    InsufficientCreditsError,
    RequestTimeoutError,
    VisionRouterError,
)

__all__ = ["BatchItem", "BatchResult", "BatchRun", "Prices", "run_batch"]

#: Errors that fail every later item the same way: the run stops instead of writing
#: thousands of identical error lines (a rerun resumes once the key or credits are fixed).
FATAL = (AuthenticationError, InsufficientCreditsError)
#: Rounds of the model's own retries an item gets in a rate-limit storm (the run pausing between).
STORM_RETRIES = 3
#: Calls failing in a row (at least; twice the concurrency when more) before the run stops.
STREAK = 20
_Pacer = Pacer  # the first version's name (a Ray worker's pacer)


@dataclass
class BatchRun:
    """A running batch: iterate it (``async for result in run``) for results as they complete.

    Afterwards it holds the totals (``done``, ``failed``, ``skipped``, ``cost``) and
    ``stopped``: ``None`` when every item was sent, else why the run stopped early
    (the budget, a fatal error such as a bad key, a router that keeps refusing). With
    ``out`` every result is also written to that journal as it comes (see :func:`run_batch`).
    """

    model: Any
    items: Iterable[BatchItem]
    prompt: str
    concurrency: int = 8
    rpm: float | None = None
    tpm: float | None = None
    budget: float | None = None
    system: str | None = None
    schema: Any = None
    max_side: int | None = None
    skip: Any = frozenset()
    out: str | None = None
    retry_failed: bool = False
    prices: Prices | None = None
    #: Seconds the run waits when the router asks (Retry-After) before it stops instead.
    max_wait: float = 300.0
    #: A pacer shared by successive runs (a Ray worker's batches); by default one per run.
    pacer: Pacer | None = None
    done: int = 0
    failed: int = 0
    skipped: int = 0
    cost: float = 0.0
    stopped: str | None = None
    #: Spend recorded in ``out`` by earlier runs (counted against ``budget``).
    spent_before: float = 0.0
    #: Results the router answered (and may have billed) that could not be written to ``out``.
    unwritten: list[str] = field(default_factory=list)
    journal: Any = field(default=None, repr=False)
    #: A budget kept elsewhere (a cluster's ledger), used instead of one of the run's own.
    gate: Any = field(default=None, repr=False)
    _raise: BaseException | None = field(default=None, repr=False)
    _streak: int = field(default=0, repr=False)
    _charges: dict[str, float] = field(default_factory=dict, repr=False)
    _owns_journal: bool = field(default=False, repr=False)

    def __post_init__(self) -> None:
        if self.concurrency < 1:
            raise ValueError(f"concurrency must be at least 1, got {self.concurrency}")
        for name in ("rpm", "tpm", "budget"):
            value = getattr(self, name)
            if value is not None and value <= 0:
                raise ValueError(f"{name} must be positive, got {value}")
        self._runnable = self.model
        if self.schema is not None:
            # response_format with the schema: the answer comes back as the message's JSON content,
            # and the router sends it only to providers that honour it (require_parameters).
            self._runnable = self.model.with_structured_output(self.schema, method="json_schema", include_raw=True)
        if isinstance(self.items, (list, tuple)):
            from langchain_visionrouter._batch.io import check_keys

            check_keys(self.items)  # a list is checked whole, before any request

    # -- the loop ------------------------------------------------------------------------

    def _open(self) -> Any:
        if self.budget is not None and self.prices is None:
            self.prices = lookup_prices(self.model)  # before the journal is locked: a refusal leaves it alone
        if self.out is not None and self.journal is None:
            from langchain_visionrouter._batch.journal import Journal

            self.journal = Journal(self.out, retry_failed=self.retry_failed)
            self._owns_journal = True
        if self.journal is not None:
            self.skip = set(self.skip) | self.journal.done
            self.spent_before = self.journal.spent
        if self.budget is None:
            return None
        return self.gate if self.gate is not None else Budget(self.budget, self.spent_before)

    async def __aiter__(self) -> AsyncIterator[BatchResult]:
        budget = self._open()
        pacer = self.pacer or Pacer(self.rpm, self.tpm)
        pending: set[asyncio.Task[BatchResult | None]] = set()
        seen: set[str] = set()
        source = iter(self.items)
        exhausted = False
        try:
            while True:
                while not exhausted and self.stopped is None and len(pending) < self.concurrency:
                    item = next(source, None)
                    if item is None:
                        exhausted = True
                        break
                    if item.key in self.skip:
                        self.skipped += 1
                        continue
                    if item.key in seen:
                        self._stop(f"duplicate key {item.key!r} ({item.origin or 'a later item'})", ValueError)
                        break
                    seen.add(item.key)
                    pending.add(asyncio.create_task(self._one(item, pacer, budget)))
                if not pending:
                    break
                finished, pending = await asyncio.wait(pending, return_when=asyncio.FIRST_COMPLETED)
                for task in finished:
                    result = task.result()
                    if result is not None and self._record(result):
                        yield self._count(result)
        finally:
            for task in pending:
                task.cancel()
            if pending:
                await asyncio.gather(*pending, return_exceptions=True)
            if self._owns_journal:
                self.journal.close()
        if self._raise is not None:
            raise self._raise

    def _stop(self, why: str, error: type[BaseException] | BaseException | None = None) -> None:
        """Admit nothing more (the calls in flight finish and are written); raise ``error`` at the end."""
        if self.stopped is None:
            self.stopped = why
        if error is not None and self._raise is None:
            self._raise = error(why) if isinstance(error, type) else error

    def _record(self, result: BatchResult) -> bool:
        """Write ``result`` to the journal (when there is one); False when it could not be written."""
        if self.journal is None:
            return True
        if self.unwritten:  # the journal failed already: keep counting what is lost
            self.unwritten.append(result.key)
            return False
        from langchain_visionrouter._batch.journal import JournalWriteError

        try:
            self.journal.write(result.to_json())
        except JournalWriteError as exc:
            self.unwritten.append(result.key)
            self._stop(f"write: {exc.strerror}")
            self._raise = exc
            return False
        return True

    def run_sync(self) -> BatchRun:
        """Run to the end without an event loop of your own; results go to ``out``. Returns the run (totals).

        Raises ``RuntimeError`` inside a running event loop (use ``async for`` there).
        """

        async def drain() -> None:
            try:
                async for _ in self:
                    pass
            finally:
                await self.model.aclose()

        asyncio.run(drain())
        return self

    def _count(self, result: BatchResult) -> BatchResult:
        if result.ok:
            self.done += 1
        else:
            self.failed += 1
        return result

    # -- one item ------------------------------------------------------------------------

    async def _one(self, item: BatchItem, pacer: Pacer, budget: Any) -> BatchResult | None:
        """One item's result; ``None`` when it was not sent (the run stopped before its turn)."""
        try:
            messages = await asyncio.to_thread(self._messages, item)
            tokens = 0
            if budget is not None or pacer.per_token:
                # Counted as the call will send it (image fit applied; what it would refuse, refused here).
                tokens = await asyncio.to_thread(self.model.get_num_tokens_from_messages, messages)
        except Exception as exc:
            return BatchResult(item.key, error=error_json(exc), metadata=item.metadata)
        max_tokens = getattr(self.model, "max_tokens", None)
        worst = 0.0
        if budget is not None:
            assert self.prices is not None
            worst = self.prices.worst(tokens, max_tokens)
            if not await budget.reserve(worst):
                self._stop(self._budget_message(budget, worst, tokens))
                return None
        held = tokens + (max_tokens or 0)
        try:
            return await self._send(item, messages, pacer, held, worst)
        finally:
            charged = self._charges.pop(item.key, 0.0)  # an error the router did not bill: nothing
            if budget is not None:
                await budget.settle(worst, charged)

    async def _send(
        self, item: BatchItem, messages: list[Any], pacer: Pacer, held: int, worst: float
    ) -> BatchResult | None:
        sent = 0
        while True:
            if self.stopped is not None and self._raise is not None:
                return None  # a fatal error elsewhere: nothing more goes out
            await pacer.wait(held)  # paced at the send, after the file is read, so the router sees the pace
            try:
                out = await self._runnable.ainvoke(messages)
            except FATAL as exc:
                pacer.settle(held, 0)
                self._stop(f"{type(exc).__name__}: {exc}", exc)
                return None
            except VisionRouterError as exc:
                pacer.settle(held, 0)
                sent += exc.attempts or 1
                wait = self._storm(exc, pacer)
                if wait == "stop":
                    return None
                if wait == "retry" and sent < STORM_RETRIES * (self.model.max_retries + 1):
                    continue
                result = BatchResult(item.key, error=error_json(exc, sent), metadata=item.metadata)
                if isinstance(exc, RequestTimeoutError):  # the router was working on it: maybe billed
                    self._charges[item.key] = worst
                    self.cost += worst
                    result = replace(result, charged=worst if self.budget is not None else None)
                return result
            except Exception as exc:
                pacer.settle(held, 0)
                return BatchResult(item.key, error=error_json(exc), metadata=item.metadata)
            self._streak = 0
            raw, answer = (out["raw"], out["parsed"]) if self.schema is not None else (out, out.content)
            result = from_message(item, raw, answer)
            usage = raw.usage_metadata or {}
            pacer.settle(held, int(usage.get("total_tokens") or 0))
            result = self._charge(result, worst)
            if self.schema is not None and out.get("parsing_error") is not None:
                # Billed, but not the JSON asked for: an error line that keeps the cost.
                error = error_json(out["parsing_error"])
                result = BatchResult(item.key, error=error, cost=result.cost, metadata=item.metadata)
            return result

    def _storm(self, exc: VisionRouterError, pacer: Pacer) -> str:
        """What a retryable failure means for the run: ``retry`` the item, ``stop`` the run, or ``fail`` it."""
        from langchain_visionrouter._wire.http import is_retryable

        self._streak += 1
        if self._streak >= max(STREAK, 2 * self.concurrency):
            self._stop(
                f"no progress: the last {self._streak} calls all failed (the latest: {type(exc).__name__}: "
                f"{exc.message}); stopped rather than write an error line for every item. Fix the cause and "
                "rerun (the items not sent are sent then)"
            )
            return "stop"
        if not is_retryable(exc):
            return "fail"
        asked = exc.retry_after
        if asked is not None and asked > self.max_wait:
            self._stop(
                f"rate limited: the router asks to wait {asked:.0f} s before any more requests "
                f"(Retry-After), longer than the {self.max_wait:.0f} s this run waits; rerun after that to continue"
            )
            return "stop"
        pacer.pause(asked if asked is not None else min(2.0**self._streak, 30.0, self.max_wait))  # all wait
        return "retry"

    def _charge(self, result: BatchResult, worst: float) -> BatchResult:
        """Count the answer's cost; one that is missing, NaN or negative is charged at the worst case."""
        cost = result.cost
        usable = isinstance(cost, (int, float)) and not isinstance(cost, bool) and math.isfinite(cost) and cost >= 0
        if usable:
            assert cost is not None
            self.cost += float(cost)
            self._charges[result.key] = float(cost)
            return result
        self.cost += worst
        self._charges[result.key] = worst
        if self.budget is not None:
            return replace(result, cost=None, charged=worst)
        return replace(result, cost=None)

    def _budget_message(self, budget: Any, worst: float, tokens: int) -> str:
        before = f" (${budget.spent_before:.6f} of it by earlier runs of {self.out})" if budget.spent_before else ""
        return (
            f"budget: ${budget.total:.6f} spent of ${budget.cap}{before}; the next call's worst case "
            f"(${worst:.6f}: about {tokens} input tokens plus the longest answer, at "
            f"{self.prices.source if self.prices else '?'}) would pass it. Raise the budget and rerun to continue"
        )

    def _messages(self, item: BatchItem) -> list[Any]:
        from langchain_core.messages import HumanMessage, SystemMessage

        messages: list[Any] = [SystemMessage(self.system)] if self.system else []
        prompt = item.prompt if item.prompt is not None else self.prompt
        messages.append(
            HumanMessage(content=[{"type": "text", "text": prompt}, content_block(item.source, self.max_side)])
        )
        return messages


def run_batch(
    model: Any,
    items: Iterable[BatchItem],
    prompt: str,
    *,
    concurrency: int = 8,
    rpm: float | None = None,
    tpm: float | None = None,
    budget: float | None = None,
    system: str | None = None,
    schema: Any = None,
    max_side: int | None = None,
    skip: Any = frozenset(),
    out: str | os.PathLike[str] | None = None,
    retry_failed: bool = False,
    prices: Prices | None = None,
    max_wait: float = 300.0,
    via: str = "live",
    batch_wait: float | None = None,
) -> BatchRun:
    """Run ``prompt`` over every item with ``model``; iterate the result for answers as they complete.

    Args:
        model: A :class:`ChatVisionRouter` (its ``image_fit``, ``max_tokens`` and
            ``max_retries`` apply to every call).
        items: :class:`BatchItem` objects, pulled lazily: a generator over millions is fine.
            Keys must be unique: a list is checked before any request, a generator's
            repeat stops the run (``ValueError`` naming the item).
        prompt: The question, unless an item has its own.
        concurrency: Requests in flight at most.
        rpm, tpm: Requests and tokens per minute at most (starts spaced evenly; each call's
            estimated tokens are reserved before it is sent).
        budget: USD, a cap on the total spend (of every run of ``out``, when given). Each
            call reserves its worst case (estimated input plus ``max_tokens`` at the
            catalog's prices) before it is sent; ``run.stopped`` says when the next would
            not fit.
        system: A system prompt.
        schema: A JSON schema or pydantic model: answers are parsed JSON (structured output).
        max_side: Downscale local images to this longer side (needs Pillow).
        skip: Keys not to send (done in an earlier run).
        out: A JSONL journal: results are appended as they come, keys already in it are
            skipped, its recorded spend counts against ``budget``, and it is locked against
            a second run. The same file as ``visionrouter batch --out``.
        retry_failed: With ``out``: send again the items whose line is an error.
        prices: USD per million tokens for the budget (default: the router's catalog).
        max_wait: Seconds the run pauses when the router asks (``Retry-After``; every
            sender pauses together); a longer wait stops the run, saying so.
        via: ``"live"`` (default: one call per item), ``"batch-api"`` (the router's batch
            API: about half price, answers within 24 hours; items it cannot carry, such as
            local files sent as base64, are refused up front) or ``"auto"`` (those sent
            live, the rest through the batch API). Needs ``out`` to reattach after an
            interruption: a rerun polls the journaled batch, never resubmitting it.
        batch_wait: With the batch API, seconds to poll before stopping (the batch stays
            journaled; rerun to reattach); default: the batch's window plus an hour.

    Returns:
        A :class:`BatchRun`; ``async for result in run`` yields :class:`BatchResult` objects,
        errors included (an item's error never stops the others), or ``run.run_sync()``
        runs it to the end. An invalid key or exhausted credits stop the run by raising
        (``run.stopped`` says which), after the calls in flight are written.

    Example:
        .. code-block:: python

            import asyncio
            from pathlib import Path

            from langchain_visionrouter import BatchItem, ChatVisionRouter, run_batch

            model = ChatVisionRouter(model="google/gemini-2.0-flash-001", image_fit="model")
            items = [BatchItem(str(p.resolve()), p) for p in sorted(Path("photos").glob("*.jpg"))]

            async def main() -> None:
                run = run_batch(model, items, "Write alt text for this image.", concurrency=32, budget=5)
                async for result in run:
                    print(result.key, result.answer if result.ok else result.error)
                print(run.done, run.failed, run.cost, run.stopped)

            asyncio.run(main())

            # Or without asyncio, resumable: rerun the same line to continue.
            run = run_batch(model, items, "Write alt text.", out="alt.jsonl", budget=5).run_sync()
    """
    from langchain_visionrouter._batch.via_api import VIA, BatchAPIRun

    if via not in VIA:
        raise ValueError(f"via must be one of {', '.join(VIA)}, got {via!r}")
    kind = BatchRun if via == "live" else BatchAPIRun
    extra: dict[str, Any] = {} if via == "live" else {"via": via, "batch_wait": batch_wait}
    return kind(
        model=model,
        items=items,
        prompt=prompt,
        concurrency=concurrency,
        rpm=rpm,
        tpm=tpm,
        budget=budget,
        system=system,
        schema=schema,
        max_side=max_side,
        skip=skip,
        out=None if out is None else os.fspath(out),
        retry_failed=retry_failed,
        prices=prices,
        max_wait=max_wait,
        **extra,
    )
