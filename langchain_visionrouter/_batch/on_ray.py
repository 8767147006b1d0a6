"""The batch on a Ray cluster: a callable class for ``ray.data.Dataset.map_batches``.

Each Ray actor holds one model and one event loop, and runs :func:`run_batch` over the
rows of each batch it gets. The run's limits are split across the actors (``workers``):
each takes ``concurrency / workers`` requests in flight and ``rpm / workers``,
``tpm / workers`` per minute, so the cluster as a whole keeps the limits.

Ray is not needed to import this module (only to run it): ``pip install
"langchain-visionrouter[ray]"``.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
from collections.abc import Mapping
from typing import Any

from langchain_visionrouter._batch.engine import BatchItem, _Pacer, run_batch

__all__ = ["BatchWorker", "split_limits"]

#: Columns the worker adds to each row (nested values as JSON text, so Parquet gets one type).
RESULT_COLUMNS = ("key", "answer", "usage", "cost", "model", "provider", "generation_id", "error")


def split_limits(workers: int, concurrency: int, rpm: float | None, tpm: float | None) -> tuple[int, Any, Any]:
    """Each worker's share of the run's limits (concurrency at least 1 each)."""
    if workers < 1:
        raise ValueError(f"workers must be at least 1, got {workers}")
    return max(1, concurrency // workers), rpm / workers if rpm else None, tpm / workers if tpm else None


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
            present, else the source.
        system, schema, max_side: As :func:`run_batch`.

    Example:
        .. code-block:: python

            import ray
            from langchain_visionrouter import BatchWorker

            ds = ray.data.read_csv("s3://bucket/manifest.csv")  # a "path" or "url" column
            out = ds.map_batches(
                BatchWorker,
                fn_constructor_kwargs={"prompt": "Write alt text.", "model": {"model": "google/gemini-2.0-flash-001"},
                                       "workers": 4, "concurrency": 128, "rpm": 3000},
                concurrency=4, num_cpus=0.5, batch_size=64,  # actors wait on the network
            )
            out.write_json("s3://bucket/alt/")  # or out.write_parquet(...)
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
    ) -> None:
        from langchain_visionrouter.chat_models import ChatVisionRouter

        self.prompt = prompt
        self.concurrency, rpm, tpm = split_limits(workers, concurrency, rpm, tpm)
        self.options: dict[str, Any] = {"system": system, "schema": schema, "max_side": max_side}
        self.source_column = source_column
        self.model = ChatVisionRouter(**model)
        # One loop for the actor's life: the model's async HTTP pool belongs to a loop, and
        # the pacer keeps the rate across batches.
        self.loop = asyncio.new_event_loop()
        self.pacer = _Pacer(rpm, tpm)

    def _items(self, rows: list[dict[str, Any]]) -> list[BatchItem]:
        from langchain_visionrouter._batch.io import SOURCE_COLUMNS

        items = []
        for row in rows:
            column = self.source_column or next((c for c in SOURCE_COLUMNS if row.get(c)), None)
            if column is None or not row.get(column):
                raise ValueError(f"row {row!r}: no source; name its column with source_column=")
            source = str(row[column])
            items.append(BatchItem(str(row.get("key") or source), source, prompt=row.get("prompt") or None))
        return items

    def __call__(self, batch: Mapping[str, Any]) -> dict[str, list[Any]]:
        columns = {name: list(values) for name, values in batch.items()}
        n = len(next(iter(columns.values()), []))
        rows = [{name: values[i] for name, values in columns.items()} for i in range(n)]
        items = self._items(rows)
        results = self.loop.run_until_complete(self._run(items))
        for name in RESULT_COLUMNS:
            columns[name] = []
        for item in items:
            line = results[item.key].to_json()
            for name in RESULT_COLUMNS:
                value = line.get(name)
                columns[name].append(json.dumps(value) if name in ("answer", "usage", "error") else value)
        return columns

    async def _run(self, items: list[BatchItem]) -> dict[str, Any]:
        run = run_batch(self.model, items, self.prompt, concurrency=self.concurrency, **self.options)
        run.pacer = self.pacer
        return {result.key: result async for result in run}

    def __del__(self) -> None:
        loop = getattr(self, "loop", None)
        if loop is not None and not loop.is_closed():
            with contextlib.suppress(Exception):  # at interpreter exit the loop may be unusable
                loop.run_until_complete(self.model.aclose())
            loop.close()
