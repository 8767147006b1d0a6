"""The batch on a Ray cluster: a callable class for ``ray.data.Dataset.map_batches``.

Each Ray actor holds one model and one event loop, and runs :func:`run_batch` over the
rows of each batch it gets. The run's limits are split across the actors (``workers``):
each takes ``concurrency / workers`` requests in flight and ``rpm / workers``,
``tpm / workers`` per minute, so the cluster as a whole keeps the limits.

Results are matched to rows by position: row *i* of the output is row *i* of the input
with its answer, whatever the keys (repeated keys share one call and each row gets the
answer; a blank key cell, read as ``NaN`` or ``None``, falls back to the row's source).
Output columns are typed, never JSON text: ``answer`` (text, or the parsed object with a
schema), ``input_tokens``, ``output_tokens``, ``total_tokens``, ``cost``, ``model``,
``provider``, ``generation_id``, ``error`` (the message) and ``error_type``: a real
``null`` where there is nothing.

With a ledger (:func:`start_ledger` in the driver, passed as ``ledger=``) the cluster
shares one journal: each key is sent once across every worker and every rerun (a rerun
answers done rows from the journal without sending), the budget caps the total across
the cluster and across runs, and a killed worker's claims are taken over when Ray
restarts it.

Ray is not needed to import this module (only to run it): ``pip install
"langchain-visionrouter[ray]"``.
"""

from __future__ import annotations

import asyncio
import contextlib
import math
import os
import sys
import uuid
from collections.abc import Mapping
from typing import Any

from langchain_visionrouter._batch.admission import Pacer
from langchain_visionrouter._batch.engine import BatchItem, run_batch
from langchain_visionrouter._batch.ledger import RemoteBudget, _call

__all__ = ["BatchWorker", "split_limits"]

#: Columns the worker adds to each row.
RESULT_COLUMNS = (
    "key",
    "answer",
    "input_tokens",
    "output_tokens",
    "total_tokens",
    "cost",
    "model",
    "provider",
    "generation_id",
    "error",
    "error_type",
)


def split_limits(workers: int, concurrency: int, rpm: float | None, tpm: float | None) -> tuple[int, Any, Any]:
    """Each worker's share of the run's limits (concurrency at least 1 each)."""
    if workers < 1:
        raise ValueError(f"workers must be at least 1, got {workers}")
    return max(1, concurrency // workers), rpm / workers if rpm else None, tpm / workers if tpm else None


def _blank(value: Any) -> bool:
    return value is None or value == "" or (isinstance(value, float) and math.isnan(value))


def row_columns(line: Mapping[str, Any] | None) -> dict[str, Any]:
    """A journal line as the worker's typed output columns (``None`` where there is nothing)."""
    line = line or {}
    usage = line.get("usage") or {}
    error = line.get("error")
    out: dict[str, Any] = {name: line.get(name) for name in ("key", "answer", "cost", "model", "provider")}
    out["generation_id"] = line.get("generation_id")
    for name in ("input_tokens", "output_tokens", "total_tokens"):
        out[name] = usage.get(name)
    out["error"] = error.get("message") if isinstance(error, Mapping) else error
    out["error_type"] = error.get("type") if isinstance(error, Mapping) else None
    return out


class BatchWorker:
    """Runs one prompt over each batch of rows with a model it holds; for ``map_batches``.

    Args:
        prompt: The question (a row's ``prompt`` column overrides it).
        model: Keyword arguments for :class:`ChatVisionRouter` (built once per actor; the
            API key comes from the actor's environment, e.g. ``runtime_env={"env_vars": ...}``).
        workers: How many actors run (the ``concurrency`` given to ``map_batches``).
        concurrency, rpm, tpm: Limits for the whole run, split across ``workers``.
        source_column: The column with the path or URL (default: the first of ``path``,
            ``url``, ``source``, ``image``, ``file`` present); ``key`` is used as the key when
            present and not blank, else the source.
        system, schema, max_side: As :func:`run_batch`.
        ledger: From :func:`start_ledger`: one journal, budget and exactly-once for the cluster.
        budget: USD for the cluster, with a ledger (give it to :func:`start_ledger` too, or here
            alone: the ledger's cap decides).
        prices: As :func:`run_batch` (default: the router's catalog).

    Example:
        .. code-block:: python

            import ray
            from langchain_visionrouter import BatchWorker
            from langchain_visionrouter._batch.ledger import start_ledger

            ledger = start_ledger("alt.jsonl", budget=20.0)  # in the driver; reruns resume from it
            ds = ray.data.read_csv("manifest.csv")  # a "path" or "url" column
            out = ds.map_batches(
                BatchWorker,
                fn_constructor_kwargs={"prompt": "Write alt text.", "model": {"model": "google/gemini-2.0-flash-001"},
                                       "workers": 4, "concurrency": 128, "rpm": 3000,
                                       "ledger": ledger, "budget": 20.0},
                concurrency=4, num_cpus=0.5, batch_size=64,  # actors wait on the network
            )
            out.write_parquet("alt/")  # typed columns: answer, cost, error...
    """

    def __init__(
        self,
        prompt: str,
        *,
        model: Mapping[str, Any],
        workers: int = 1,
        concurrency: int = 8,
        rpm: float | None = None,
        tpm: float | None = None,
        source_column: str | None = None,
        system: str | None = None,
        schema: Any = None,
        max_side: int | None = None,
        ledger: Any = None,
        budget: float | None = None,
        prices: Any = None,
    ) -> None:
        from langchain_visionrouter.chat_models import ChatVisionRouter

        self.prompt = prompt
        self.concurrency, rpm, tpm = split_limits(workers, concurrency, rpm, tpm)
        self.options: dict[str, Any] = {"system": system, "schema": schema, "max_side": max_side, "prices": prices}
        self.source_column = source_column
        self.model = ChatVisionRouter(**model)
        # One loop for the actor's life: the model's async HTTP pool belongs to a loop, and
        # the pacer keeps the rate across batches.
        self.loop = asyncio.new_event_loop()
        self.pacer = Pacer(rpm, tpm)
        self.ledger = ledger
        self.budget = budget
        self.worker = self._identity()
        if ledger is not None:  # a restarted actor (same id) gives up the claims of its former life
            self.loop.run_until_complete(_call(ledger.hello, self.worker))

    @staticmethod
    def _identity() -> str:
        ray = sys.modules.get("ray")  # never imported (nor started: get_runtime_context would) just to ask
        if ray is not None and ray.is_initialized():
            actor = ray.get_runtime_context().get_actor_id()
            if actor:  # the same id after Ray restarts the actor: its former claims are recognised
                return str(actor)
        return f"{os.getpid()}-{uuid.uuid4()}"  # not in a Ray actor (a test, a plain call)

    def _items(self, rows: list[dict[str, Any]]) -> list[BatchItem]:
        from langchain_visionrouter._batch.io import SOURCE_COLUMNS

        items = []
        for i, row in enumerate(rows):
            column = self.source_column or next((c for c in SOURCE_COLUMNS if not _blank(row.get(c))), None)
            if column is None or _blank(row.get(column)):
                raise ValueError(f"row {i} of the batch ({row!r}): no source; name its column with source_column=")
            source = str(row[column])
            key = source if _blank(row.get("key")) else str(row["key"])
            prompt = None if _blank(row.get("prompt")) else str(row["prompt"])
            items.append(BatchItem(key, source, prompt=prompt, origin=f"row {i} of the batch"))
        return items

    def __call__(self, batch: Mapping[str, Any]) -> dict[str, list[Any]]:
        columns = {name: list(values) for name, values in batch.items()}
        n = len(next(iter(columns.values()), []))
        rows = [{name: values[i] for name, values in columns.items()} for i in range(n)]
        items = self._items(rows)
        lines = self.loop.run_until_complete(self._lines(items))
        for name in RESULT_COLUMNS:
            columns[name] = []
        for item in items:  # by position: row i gets the line of its own key
            typed = row_columns(self._clashes.get(f"{item.origin}") or lines.get(item.key))
            typed["key"] = item.key
            for name in RESULT_COLUMNS:
                columns[name].append(typed[name])
        return columns

    async def _lines(self, items: list[BatchItem]) -> dict[str, dict[str, Any]]:
        """One line per distinct key: sent here, taken from the ledger, or waited for."""
        unique: dict[str, BatchItem] = {}
        clashes: dict[str, dict[str, Any]] = {}
        for item in items:
            first = unique.setdefault(item.key, item)  # a repeated key: one call, every row its answer
            if (first.source, first.prompt) != (item.source, item.prompt):  # ... unless it names another item
                message = f"key {item.key!r} also names another source or prompt ({first.origin}); one item, one key"
                clashes[f"{item.origin}"] = {"key": item.key, "error": {"type": "DuplicateKey", "message": message}}
        self._clashes = clashes
        if self.ledger is None:
            return await self._send(list(unique.values()))
        answers = await _call(self.ledger.claim, self.worker, list(unique))
        lines = {key: line for key, line in answers.items() if isinstance(line, dict)}
        mine = [unique[key] for key, state in answers.items() if state == "send"]
        lines.update(await self._send(mine))
        for key in [k for k, state in answers.items() if state == "wait"]:
            line = await _call(self.ledger.wait, self.worker, key)
            if line == "send":  # its holder died: ours now
                line = (await self._send([unique[key]])).get(key)
            if isinstance(line, dict):
                lines[key] = line
        return lines

    async def _send(self, items: list[BatchItem]) -> dict[str, dict[str, Any]]:
        if not items:
            return {}
        gate = RemoteBudget(self.ledger) if self.ledger is not None and self.budget is not None else None
        run = run_batch(
            self.model, items, self.prompt, concurrency=self.concurrency, budget=self.budget, **self.options
        )
        run.pacer, run.gate = self.pacer, gate
        lines: dict[str, dict[str, Any]] = {}
        async for result in run:
            line = result.to_json()
            if self.ledger is not None:
                await _call(self.ledger.record, self.worker, line)
            lines[result.key] = line
        if self.ledger is not None:
            await _call(self.ledger.release, self.worker, [i.key for i in items if i.key not in lines])
        for item in items:
            if item.key not in lines and run.stopped:  # not sent: the run stopped first (the budget)
                lines[item.key] = {"key": item.key, "error": {"type": "NotSent", "message": run.stopped}}
        return lines

    def __del__(self) -> None:
        loop = getattr(self, "loop", None)
        if loop is not None and not loop.is_closed():
            with contextlib.suppress(Exception):  # at interpreter exit the loop may be unusable
                loop.run_until_complete(self.model.aclose())
            loop.close()
