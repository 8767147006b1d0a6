"""The one writer of a batch spread over many workers (Ray actors): claims, results, budget.

Every worker asks the ledger before it sends: a key already in the journal comes back
with its line (nothing sent), a key nobody holds is claimed by the asker (it sends), a key
another worker holds is waited for (its line comes back when written). So each key is
sent once across the cluster and every row, duplicates included, gets its own answer.

A worker that dies loses its claims: Ray restarts a dead actor under the same id, and
the restarted worker says :meth:`Ledger.hello`, which releases the claims of its former
life; whoever waits on them claims them in turn (only what was in flight at the kill is
sent again, as with ``kill -9`` on the CLI).

The budget is the ledger's: one :class:`~.admission.Budget` for the cluster, started
from the journal's recorded spend, so it caps every run of the same journal together.

Plain Python with ``async`` methods: run as a Ray actor (:func:`start_ledger`), or in
process for tests.
"""

from __future__ import annotations

import asyncio
import os
from typing import Any

from langchain_visionrouter._batch.admission import Budget
from langchain_visionrouter._batch.journal import Journal

__all__ = ["Ledger", "RemoteBudget", "start_ledger"]


class Ledger:
    """Claims, results and the budget of one journal (see the module docstring)."""

    def __init__(self, out: str, *, budget: float | None = None, retry_failed: bool = False) -> None:
        self.journal = Journal(out, retry_failed=retry_failed)
        self.lines: dict[str, dict[str, Any]] = {}
        for record in self.journal.results():
            self.lines[str(record["key"])] = record
        self.claims: dict[str, str] = {}
        self._changed: dict[str, asyncio.Event] = {}
        self.budget = None if budget is None else Budget(budget, self.journal.spent)

    def _event(self, key: str) -> asyncio.Event:
        return self._changed.setdefault(key, asyncio.Event())

    def _wake(self, key: str) -> None:
        event = self._changed.pop(key, None)
        if event is not None:
            event.set()

    async def hello(self, worker: str) -> None:
        """A worker (re)starts: the claims of its former life are released."""
        for key in [k for k, holder in self.claims.items() if holder == worker]:
            del self.claims[key]
            self._wake(key)

    async def claim(self, worker: str, keys: list[str]) -> dict[str, Any]:
        """For each key: its line when done, ``"send"`` when now claimed by ``worker``, else ``"wait"``."""
        out: dict[str, Any] = {}
        for key in keys:
            if key in self.lines:
                out[key] = self.lines[key]
            elif self.claims.get(key, worker) == worker:
                self.claims[key] = worker
                out[key] = "send"
            else:
                out[key] = "wait"
        return out

    async def wait(self, worker: str, key: str) -> Any:
        """The key's line once written; ``"send"`` if its holder died and ``worker`` now holds it."""
        while True:
            if key in self.lines:
                return self.lines[key]
            if key not in self.claims:
                self.claims[key] = worker
                return "send"
            await self._event(key).wait()

    async def record(self, worker: str, line: dict[str, Any]) -> None:
        """Write one result (the only writer of the journal) and hand it to whoever waits."""
        key = str(line["key"])
        if key in self.lines:  # a late duplicate (a worker restarted after writing): never twice
            return
        self.journal.write(line)
        self.lines[key] = line
        if self.claims.get(key) == worker:
            del self.claims[key]
        self._wake(key)

    async def release(self, worker: str, keys: list[str]) -> None:
        """Give up claims not sent (the run stopped): others may claim them."""
        for key in keys:
            if self.claims.get(key) == worker:
                del self.claims[key]
                self._wake(key)

    async def reserve(self, amount: float) -> tuple[bool, float, float, float]:
        """Reserve a call's worst case: (fits, spent in all, spent before this run, the cap)."""
        assert self.budget is not None
        ok = await self.budget.reserve(amount)
        return ok, self.budget.total, self.budget.spent_before, self.budget.cap

    async def settle(self, reserved: float, charged: float) -> None:
        assert self.budget is not None
        await self.budget.settle(reserved, charged)

    async def spent(self) -> float:
        return self.journal.spent

    async def close(self) -> None:
        self.journal.close()


class RemoteBudget:
    """A worker's view of the ledger's budget, with the methods and numbers the engine uses."""

    def __init__(self, ledger: Any) -> None:
        self.ledger = ledger
        self.total = self.spent_before = self.cap = 0.0

    async def reserve(self, amount: float) -> bool:
        ok, self.total, self.spent_before, self.cap = await _call(self.ledger.reserve, amount)
        return bool(ok)

    async def settle(self, reserved: float, charged: float) -> None:
        await _call(self.ledger.settle, reserved, charged)


async def _call(method: Any, *args: Any) -> Any:
    """A ledger method: a Ray actor's (``.remote`` gives an awaitable ref) or an in-process one."""
    remote = getattr(method, "remote", None)
    return await (remote(*args) if remote is not None else method(*args))


def start_ledger(out: str | os.PathLike[str], *, budget: float | None = None, retry_failed: bool = False) -> Any:
    """Start the ledger of ``out`` as a Ray actor (in the driver); pass it to :class:`BatchWorker` as ``ledger=``.

    The actor lives as long as the driver (or until ``ray.kill``); it holds the journal's
    lock, so a second pipeline on the same ``out`` is refused.
    """
    import ray

    actor = ray.remote(Ledger).options(max_concurrency=1000, num_cpus=0)
    handle: Any = actor.remote(os.path.abspath(os.fspath(out)), budget=budget, retry_failed=retry_failed)
    ray.get(handle.spent.remote())  # opened (or refused: the error is raised here, in the driver)
    return handle
