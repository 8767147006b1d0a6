"""_wire/http.py: the retry policy (pure). Faults over HTTP: behaviour/test_faults.py; pieces: test_http_pieces.py."""

from __future__ import annotations

import email.utils
import time

import pytest

from langchain_visionrouter._wire import http as transport
from langchain_visionrouter._wire.http import retry_after_seconds, retry_delay
from langchain_visionrouter.errors import BadRequestError, ProviderError, RateLimitError


def test_retry_delay_honours_the_router_up_to_the_cap() -> None:
    assert retry_delay(0, 3.0) == 3.0
    assert retry_delay(0, 10_000.0) == transport.MAX_RETRY_WAIT


@pytest.mark.parametrize("attempt", [0, 1, 2, 5, 10])
def test_backoff_grows_with_jitter_and_is_bounded(attempt: int) -> None:
    base = min(transport.INITIAL_BACKOFF * 2**attempt, transport.MAX_BACKOFF)
    delays = {retry_delay(attempt, None) for _ in range(50)}
    assert all(base / 2 <= d <= base for d in delays)
    assert len(delays) > 1  # jittered


def test_retry_after_forms() -> None:
    assert retry_after_seconds({"retry-after": "7"}) == 7.0
    date = email.utils.formatdate(time.time() + 30, usegmt=True)
    assert 25 <= (retry_after_seconds({"retry-after": date}) or 0) <= 31
    reset_ms = str(int((time.time() + 20) * 1000))
    assert 15 <= (retry_after_seconds({"x-ratelimit-reset": reset_ms}) or 0) <= 21
    assert retry_after_seconds({"x-ratelimit-reset": "1000"}) == 0.0  # already past
    assert retry_after_seconds({}) is None


def test_what_is_retryable() -> None:
    assert transport.is_retryable(RateLimitError("x", status_code=429))
    assert transport.is_retryable(ProviderError("x", status_code=529))
    assert transport.is_retryable(ProviderError("x", status_code=200, code=502))  # error body in a 200
    assert not transport.is_retryable(BadRequestError("x", status_code=400))
    assert not transport.is_retryable(BadRequestError("x", status_code=200, code=400))
