"""Who may send next: the pace (rpm, tpm, the router's Retry-After) and the budget, reserved up front.

Both are reservations made *before* a call is sent, from the same estimate of the call's
worst case: its input tokens (counted offline by the model's own rule, after the image
fit the call will apply) plus the most it may answer (``max_tokens``, else the catalog's
``max_completion_tokens``). The budget reserves that worst case at the catalog's prices,
so the calls in flight can never together pass the budget, however their costs vary;
when an answer comes back, its reported cost replaces the reservation. A cost that is
missing, ``NaN`` or negative is charged at the reservation (the worst case): the budget
is never kept by trusting a number that cannot be checked. The spend of earlier runs of
the same journal counts, so the budget caps the total across runs and resumes.

So the total passes the budget only when an answer costs more than its worst case
(an input estimate that was short): by at most that one call's excess, per call in flight.
"""

from __future__ import annotations

import asyncio
import math
import time
from dataclasses import dataclass
from typing import Any

__all__ = ["Budget", "Pacer", "Prices", "lookup_prices"]


@dataclass(frozen=True)
class Prices:
    """USD per million tokens, in and out, and the answer-length bound used for the worst case."""

    prompt: float
    completion: float
    max_output_tokens: int | None = None
    source: str = "given"

    def worst(self, input_tokens: int, max_tokens: int | None) -> float:
        """The most one call of ``input_tokens`` may cost, in USD."""
        out = max_tokens or self.max_output_tokens or 0
        return (input_tokens * self.prompt + out * self.completion) / 1_000_000


def _price(value: Any) -> float | None:
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not math.isfinite(value) or value < 0:
        return None
    return float(value)


def lookup_prices(model: Any) -> Prices:
    """The model's prices from the router's catalog; ``ValueError`` saying what is missing.

    A price the catalog does not list cannot be guessed low: a budget needs both prices
    and a bound on the answer (``max_tokens`` on the model, else the catalog's).
    """
    from langchain_visionrouter.errors import VisionRouterError

    try:
        catalog = model.get_catalog()
        info = catalog.get(model.model)
    except (VisionRouterError, ValueError) as exc:
        raise ValueError(
            f"budget: the model catalog gave no price for {model.model} ({exc}); "
            "give the prices yourself (prices=Prices(in, out) per million tokens; CLI --price IN,OUT)"
        ) from None
    prompt, completion = _price(info.prompt_price), _price(info.completion_price)
    if prompt is None or completion is None:
        raise ValueError(
            f"budget: the catalog lists no usable price for {model.model} (prompt {info.prompt_price!r}, "
            f"completion {info.completion_price!r}); give them yourself (CLI --price IN,OUT per million tokens)"
        )
    source = f"the catalog of {catalog!r}"
    return Prices(prompt, completion, info.max_completion_tokens or info.context_length, source)


class Budget:
    """A spending cap with reservations: ``spent`` (this run and earlier ones) plus ``reserved`` stays under ``cap``."""

    def __init__(self, cap: float, spent_before: float = 0.0) -> None:
        self.cap = cap
        self.spent_before = spent_before
        self.spent = 0.0  # by this run
        self.reserved = 0.0
        self._changed = asyncio.Condition()

    @property
    def total(self) -> float:
        return self.spent_before + self.spent

    async def reserve(self, amount: float) -> bool:
        """Reserve ``amount``; waits while calls in flight may free some; False: it cannot fit."""
        async with self._changed:
            while self.total + self.reserved + amount > self.cap:
                if self.reserved <= 0:
                    return False
                await self._changed.wait()
            self.reserved += amount
            return True

    async def settle(self, reserved: float, charged: float) -> None:
        async with self._changed:
            self.reserved = max(0.0, self.reserved - reserved)
            self.spent += charged
            self._changed.notify_all()


class Pacer:
    """Spaces request starts (``rpm``), reserves tokens (``tpm``) before a send, and holds every
    sender while the router asked to wait (``Retry-After``).

    A paced schedule (no burst) rather than a per-minute window, so a limit holds over any
    stretch of time. A call's estimated tokens push the next start later by
    ``tokens * 60 / tpm`` seconds *before* it is sent; when its answer reports the real
    count, the difference is settled. Shared by every worker of a run (a Ray actor keeps
    one across its batches).
    """

    def __init__(self, rpm: float | None, tpm: float | None) -> None:
        self.interval = 60.0 / rpm if rpm else 0.0
        self.per_token = 60.0 / tpm if tpm else 0.0
        self.next_start = 0.0
        self.token_free = 0.0
        self.paused_until = 0.0
        self._lock = asyncio.Lock()

    async def wait(self, tokens: int = 0) -> None:
        """Wait for this call's turn, then reserve its ``tokens``."""
        async with self._lock:
            while True:
                now = time.monotonic()
                start = max(now, self.next_start, self.token_free, self.paused_until)
                if start <= now:
                    break
                await asyncio.sleep(start - now)  # a pause asked meanwhile is seen on the next turn
            self.next_start = now + self.interval
            if self.per_token and tokens:
                self.token_free = max(now, self.token_free) + tokens * self.per_token

    def settle(self, reserved: int, used: int) -> None:
        """The answer used ``used`` tokens where ``reserved`` were held: move the schedule by the difference."""
        if self.per_token and used != reserved:
            self.token_free = max(time.monotonic(), self.token_free + (used - reserved) * self.per_token)

    def pause(self, seconds: float) -> None:
        """Hold every sender for ``seconds`` (the router's ``Retry-After``)."""
        self.paused_until = max(self.paused_until, time.monotonic() + seconds)

    # Kept for callers of the first version (a Ray worker's pacer): charge after the answer.
    def charge(self, tokens: int) -> None:
        self.settle(0, tokens)
