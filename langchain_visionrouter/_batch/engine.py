"""One prompt over many images: bounded, rate-limited, budgeted, results as they complete.

The engine under ``visionrouter batch`` and the Ray worker. Items are pulled from the
iterable only when a slot is free, and an item's file is read (and resized) only when
its turn comes, in a worker thread: memory holds ``concurrency`` items, however many
there are. Resuming (which keys are done) and writing lines is the caller's business
(:mod:`._batch_io`); this module never touches the output.
"""

from __future__ import annotations

import asyncio
import os
import time
from collections.abc import AsyncIterator, Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from langchain_visionrouter.errors import AuthenticationError, InsufficientCreditsError, VisionRouterError

__all__ = ["BatchItem", "BatchResult", "BatchRun", "run_batch"]

#: Errors that fail every later item the same way: the run stops instead of writing
#: thousands of identical error lines (a rerun resumes once the key or credits are fixed).
FATAL = (AuthenticationError, InsufficientCreditsError)


@dataclass(frozen=True)
class BatchItem:
    """One unit of work: a key (unique in the run, used to resume), a source and options.

    ``source`` is anything :func:`image_block` takes (a path, an ``http(s)`` URL, bytes, a
    PIL image), a PDF (path or URL, sent as a file part), or a ready content block (dict).
    ``prompt`` overrides the run's prompt; ``metadata`` is carried to the result as is.
    """

    key: str
    source: Any
    prompt: str | None = None
    metadata: Mapping[str, Any] | None = None


@dataclass(frozen=True)
class BatchResult:
    """What one item gave: an ``answer`` (text, or parsed JSON with a schema) or an ``error``."""

    key: str
    answer: Any = None
    usage: Mapping[str, Any] | None = None
    cost: float | None = None
    model: str | None = None
    provider: str | None = None
    generation_id: str | None = None
    error: Mapping[str, Any] | None = None
    metadata: Mapping[str, Any] | None = None

    @property
    def ok(self) -> bool:
        return self.error is None

    def to_json(self) -> dict[str, Any]:
        """The result as one JSON object (a line of the output file)."""
        out: dict[str, Any] = {"key": self.key}
        if self.error is not None:
            out["error"] = dict(self.error)
        else:
            out.update(
                answer=self.answer,
                usage=dict(self.usage) if self.usage else None,
                cost=self.cost,
                model=self.model,
                provider=self.provider,
                generation_id=self.generation_id,
            )
        if self.metadata:
            out["metadata"] = dict(self.metadata)
        return out


def error_json(exc: BaseException) -> dict[str, Any]:
    """A typed error for the output: its class, message, and the router's status and ids."""
    out: dict[str, Any] = {"type": type(exc).__name__, "message": str(exc)}
    if isinstance(exc, VisionRouterError):
        for name in ("status_code", "code", "generation_id"):
            if getattr(exc, name, None) is not None:
                out[name] = getattr(exc, name)
        provider = (getattr(exc, "metadata", None) or {}).get("provider_name")
        if provider:
            out["provider"] = provider
    return out


class _Pacer:
    """Spaces request starts by ``interval`` seconds and charges tokens at ``tpm`` per minute.

    A paced schedule (no burst) rather than a per-minute window, so a limit holds over
    any stretch of time and not only per calendar minute. Tokens are charged when an
    answer reports them, pushing the next start later by ``tokens * 60 / tpm`` seconds.
    """

    def __init__(self, rpm: float | None, tpm: float | None) -> None:
        self.interval = 60.0 / rpm if rpm else 0.0
        self.per_token = 60.0 / tpm if tpm else 0.0
        self.next_start = 0.0
        self.token_free = 0.0
        self._lock = asyncio.Lock()

    async def wait(self) -> None:
        async with self._lock:
            now = time.monotonic()
            start = max(now, self.next_start, self.token_free)
            if start > now:
                await asyncio.sleep(start - now)
            self.next_start = start + self.interval

    def charge(self, tokens: int) -> None:
        if self.per_token and tokens:
            self.token_free = max(time.monotonic(), self.token_free) + tokens * self.per_token


@dataclass
class BatchRun:
    """A running batch: iterate it (``async for result in run``) for results as they complete.

    Afterwards it holds the totals (``done``, ``failed``, ``skipped``, ``cost``) and
    ``stopped``: ``None`` when every item was sent, else why the run stopped early
    (the budget, a fatal error such as a bad key).
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
    #: A pacer shared by successive runs (a Ray worker's batches); by default one per run.
    pacer: _Pacer | None = None
    done: int = 0
    failed: int = 0
    skipped: int = 0
    cost: float = 0.0
    stopped: str | None = None
    _costed: int = field(default=0, repr=False)

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

    def _estimate(self) -> float | None:
        """The expected cost of the next call: the mean so far (None before any is known)."""
        return self.cost / self._costed if self._costed else None

    def _over_budget(self, in_flight: int) -> bool:
        if self.budget is None:
            return False
        estimate = self._estimate()
        if estimate is None:
            # Nothing known yet: learn the price from one call at a time.
            return in_flight > 0 or self.cost >= self.budget
        return self.cost + (in_flight + 1) * estimate > self.budget

    async def __aiter__(self) -> AsyncIterator[BatchResult]:
        pacer = self.pacer or _Pacer(self.rpm, self.tpm)
        pending: set[asyncio.Task[BatchResult]] = set()
        seen: set[str] = set()
        source = iter(self.items)
        exhausted = False
        try:
            while True:
                while not exhausted and self.stopped is None and len(pending) < self.concurrency:
                    if self._over_budget(len(pending)):
                        if pending:
                            break  # wait for the calls in flight: they sharpen the estimate
                        self.stopped = self._budget_message()
                        break
                    item = next(source, None)
                    if item is None:
                        exhausted = True
                        break
                    if item.key in seen or item.key in self.skip:
                        self.skipped += 1
                        continue
                    seen.add(item.key)
                    pending.add(asyncio.create_task(self._one(item, pacer)))
                if not pending:
                    return
                finished, pending = await asyncio.wait(pending, return_when=asyncio.FIRST_COMPLETED)
                for task in finished:
                    yield self._count(task.result())
        finally:
            for task in pending:
                task.cancel()
            if pending:
                await asyncio.gather(*pending, return_exceptions=True)

    def _budget_message(self) -> str:
        estimate = self._estimate()
        if estimate is None:
            return f"budget: the first call cost ${self.cost:.6f}, which reached the budget of ${self.budget}"
        return (
            f"budget: ${self.cost:.6f} spent of ${self.budget}; the next call (about ${estimate:.6f}) "
            "would pass it. Raise the budget and rerun to continue"
        )

    def _count(self, result: BatchResult) -> BatchResult:
        if result.ok:
            self.done += 1
        else:
            self.failed += 1
        return result

    async def _one(self, item: BatchItem, pacer: _Pacer) -> BatchResult:
        try:
            messages = await asyncio.to_thread(self._messages, item)
            await pacer.wait()  # paced at the send, after the file is read, so the router sees the pace
            out = await self._runnable.ainvoke(messages)
        except FATAL as exc:
            self.stopped = f"{type(exc).__name__}: {exc}"
            raise
        except Exception as exc:
            return BatchResult(item.key, error=error_json(exc), metadata=item.metadata)
        raw, answer = (out["raw"], out["parsed"]) if self.schema is not None else (out, out.content)
        result = _from_message(item, raw, answer)
        if self.schema is not None and out.get("parsing_error") is not None:
            result = BatchResult(item.key, error=error_json(out["parsing_error"]), metadata=item.metadata)
        self._charge(raw, pacer)
        return result

    def _charge(self, message: Any, pacer: _Pacer) -> None:
        cost = message.response_metadata.get("cost")
        if isinstance(cost, (int, float)):
            self.cost += float(cost)
            self._costed += 1
        elif self.budget is not None and self.stopped is None:
            self.stopped = "budget: the router reported no cost for an answer, so the budget cannot be kept"
        usage = message.usage_metadata or {}
        pacer.charge(int(usage.get("total_tokens") or 0))

    def _messages(self, item: BatchItem) -> list[Any]:
        from langchain_core.messages import HumanMessage, SystemMessage

        messages: list[Any] = [SystemMessage(self.system)] if self.system else []
        prompt = item.prompt if item.prompt is not None else self.prompt
        messages.append(
            HumanMessage(content=[{"type": "text", "text": prompt}, content_block(item.source, self.max_side)])
        )
        return messages


def content_block(source: Any, max_side: int | None) -> dict[str, Any]:
    """The content block for one source: a ready block as is, a PDF as a file part, else an image."""
    from langchain_visionrouter._media.blocks import file_block, image_block, is_pdf_url, is_web_url, path_block

    if isinstance(source, Mapping):
        return dict(source)
    if isinstance(source, str) and is_pdf_url(source):
        return file_block(source)
    if isinstance(source, str) and (is_web_url(source) or source[:5].lower() == "data:"):
        return image_block(source)  # fetched by the router: nothing to downscale here
    if isinstance(source, (str, os.PathLike)):
        return path_block(os.fspath(source), max_side=max_side)  # read once; PDF or image by its bytes
    return image_block(source, max_side=max_side)


def _from_message(item: BatchItem, message: Any, answer: Any) -> BatchResult:
    meta = message.response_metadata
    return BatchResult(
        key=item.key,
        answer=answer,
        usage=message.usage_metadata,
        cost=meta.get("cost"),
        model=meta.get("model_name"),
        provider=meta.get("provider"),
        generation_id=meta.get("id"),
        metadata=item.metadata,
    )


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
) -> BatchRun:
    """Run ``prompt`` over every item with ``model``; iterate the result for answers as they complete.

    Args:
        model: A :class:`ChatVisionRouter`. Its ``max_retries`` is the retry count per item
            (the HTTP layer's one retry loop, which honours ``Retry-After``).
        items: :class:`BatchItem` objects, pulled lazily: a generator over millions is fine.
        prompt: The question, unless an item has its own.
        concurrency: Requests in flight at most.
        rpm, tpm: Requests and tokens per minute at most (starts are spaced evenly).
        budget: USD. No call starts when the spend so far plus the estimated cost of the
            calls in flight and the next one would pass it; ``run.stopped`` then says so.
        system: A system prompt.
        schema: A JSON schema or pydantic model: answers are parsed JSON (structured output).
        max_side: Downscale local images to this longer side (needs Pillow).
        skip: Keys not to send (done in an earlier run).

    Returns:
        A :class:`BatchRun`; ``async for result in run`` yields :class:`BatchResult` objects,
        errors included (an item's error never stops the others). An invalid key or
        exhausted credits stop the run by raising (``run.stopped`` says which).

    Example:
        .. code-block:: python

            from langchain_visionrouter import BatchItem, ChatVisionRouter, run_batch

            model = ChatVisionRouter(model="google/gemini-2.0-flash-001")
            items = (BatchItem(str(p), p) for p in Path("photos").glob("*.jpg"))
            run = run_batch(model, items, "Write alt text for this image.", concurrency=32, budget=5)
            async for result in run:
                print(result.key, result.answer if result.ok else result.error)
            print(run.done, run.failed, run.cost, run.stopped)
    """
    return BatchRun(
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
    )
