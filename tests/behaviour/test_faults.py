"""Fault injection through the loopback FakeRouter: network faults, router failures and
hostile streams, each run sync and async.

Every test states what is raised (type, message, status), what output survives
(``partial``), how many requests reached the server, and how long the adapter waited
(generous bounds only: the CI box is shared).
"""

from __future__ import annotations

import asyncio
import email.utils
import functools
import json
import logging
import socket
import time
from typing import Any

import httpx
import pytest
from langchain_core.messages import AIMessageChunk, BaseMessage

from langchain_visionrouter import (
    APIConnectionError,
    AuthenticationError,
    BadRequestError,
    ChatVisionRouter,
    InsufficientCreditsError,
    NotFoundError,
    PermissionDeniedError,
    ProviderError,
    RateLimitError,
    RequestTimeoutError,
    StreamError,
    VisionRouterError,
)
from langchain_visionrouter._wire import http as transport
from tests import wire
from tests.fakerouter import FakeRouter, Recorded, Scripted, answer, sse_answer
from tests.wire import error_body

KEY = "sk-or-v1-faults0000000000000000000000000000000000000000000000000000"


# ---------------------------------------------------------------------------
# Wire builders


_STREAM = wire.Stream(gen="gen-fault-1", model="test/model", provider="Test")
USAGE = {"prompt_tokens": 7, "completion_tokens": 3, "total_tokens": 10, "cost": 0.0001}


def chunk(
    content: str | None = None,
    *,
    finish: str | None = None,
    usage: dict[str, Any] | None = None,
    tool_calls: list[dict[str, Any]] | None = None,
    error: dict[str, Any] | None = None,
) -> dict[str, Any]:
    delta: dict[str, Any] = {"content": content or ""}
    if tool_calls is not None:
        delta["tool_calls"] = tool_calls
    event = _STREAM.chunk(delta, finish=finish, use=usage)
    if error is not None:
        event["error"] = error
    return event


def completion(content: str = "fine", **extra: Any) -> dict[str, Any]:
    return {**wire.completion(gen="gen-ok", model="test/model", provider="Test", content=content, use=USAGE), **extra}


# ---------------------------------------------------------------------------
# Running the same scenario sync and async


class Caller:
    """``invoke`` and ``stream`` through the sync or the async API."""

    def __init__(self, mode: str) -> None:
        self.mode = mode

    def invoke(self, model: ChatVisionRouter, prompt: Any = "hi", **kwargs: Any) -> BaseMessage:
        if self.mode == "sync":
            return model.invoke(prompt, **kwargs)
        return asyncio.run(model.ainvoke(prompt, **kwargs))

    def stream(self, model: ChatVisionRouter, into: list[AIMessageChunk], prompt: Any = "hi") -> list[AIMessageChunk]:
        """Stream into ``into`` (so a test sees what was yielded before an exception)."""
        if self.mode == "sync":
            for piece in model.stream(prompt):
                into.append(piece)
            return into

        async def consume() -> None:
            async for piece in model.astream(prompt):
                into.append(piece)

        asyncio.run(consume())
        return into

    def call(self, kind: str, model: ChatVisionRouter) -> Any:
        return self.invoke(model) if kind == "invoke" else self.stream(model, [])


@pytest.fixture(params=["sync", "async"])
def caller(request: pytest.FixtureRequest) -> Caller:
    return Caller(request.param)


@pytest.fixture
def make_model(make_model: Any) -> Any:
    """The conftest factory, with a key that looks real (so masking is tested)."""
    return functools.partial(make_model, api_key=KEY)


@pytest.fixture(autouse=True)
def fast_backoff(monkeypatch: pytest.MonkeyPatch) -> None:
    """Exponential back-off in milliseconds, so retry tests stay fast (waits the router asks for are kept)."""
    monkeypatch.setattr(transport, "INITIAL_BACKOFF", 0.01)
    monkeypatch.setattr(transport, "MAX_BACKOFF", 0.05)


def text_of(chunks: list[AIMessageChunk]) -> str:
    return "".join(c.text for c in chunks)


# ---------------------------------------------------------------------------
# Streams cut short or corrupted


def test_connection_dropped_mid_stream_raises_stream_error_with_partial(
    fake_router: FakeRouter, make_model: Any, caller: Caller
) -> None:
    fake_router.reply_sse([chunk("Hel"), chunk("lo, wor")], drop=True)
    model = make_model(max_retries=3)
    got: list[AIMessageChunk] = []
    with pytest.raises(StreamError) as info:
        caller.stream(model, got)
    exc = info.value
    assert "connection lost mid-stream" in str(exc)
    assert text_of(got) == "Hello, wor"
    assert isinstance(exc.partial, AIMessageChunk)
    assert exc.partial.content == "Hello, wor"
    assert exc.partial.response_metadata.get("model_name") == "test/model"
    assert len(fake_router.requests) == 1  # what was yielded cannot be taken back: no retry


def test_dropped_connection_before_any_token_is_not_retried_either(
    fake_router: FakeRouter, make_model: Any, caller: Caller
) -> None:
    fake_router.reply_sse(chunks=[b": OPENROUTER PROCESSING\n\n"], drop=True)
    with pytest.raises(StreamError) as info:
        caller.stream(make_model(max_retries=2), [])
    assert info.value.partial is not None and info.value.partial.content == ""
    assert len(fake_router.requests) == 1


def test_stream_ending_after_finish_reason_without_done_is_accepted(
    fake_router: FakeRouter, make_model: Any, caller: Caller
) -> None:
    fake_router.reply_sse([chunk("All "), chunk("done."), chunk(finish="stop", usage=USAGE)])  # no [DONE]
    got = caller.stream(make_model(), [])
    message = got[0]
    for piece in got[1:]:
        message = message + piece
    assert message.content == "All done."
    assert message.response_metadata["finish_reason"] == "stop"
    assert message.usage_metadata is not None and message.usage_metadata["total_tokens"] == 10
    assert got[-1].chunk_position == "last"


def test_stream_ending_with_neither_finish_reason_nor_done_raises(
    fake_router: FakeRouter, make_model: Any, caller: Caller
) -> None:
    fake_router.reply_sse([chunk("Half an ans")])  # a clean end of the body, but the answer is cut short
    got: list[AIMessageChunk] = []
    with pytest.raises(StreamError, match="ended before the answer was complete") as info:
        caller.stream(make_model(), got)
    assert text_of(got) == "Half an ans"
    assert info.value.partial.content == "Half an ans"


@pytest.mark.parametrize(
    ("bad", "message"),
    [
        (b'data: {"choices": [{"delta": {"content": "x"\n\n', "not valid JSON"),
        (b"data: not json at all\n\n", "not valid JSON"),
        (b"data: 42\n\n", "not a JSON object"),
        (b'data: ["a", "list"]\n\n', "not a JSON object"),
        (b'data: {"choices": [{"delta": {"content": "\xff\xfe"}}]}\n\n', "not valid UTF-8"),
    ],
    ids=["truncated-json", "text", "number", "array", "invalid-utf8"],
)
def test_invalid_chunk_raises_and_is_never_skipped(
    fake_router: FakeRouter, make_model: Any, caller: Caller, bad: bytes, message: str
) -> None:
    good = f"data: {json.dumps(chunk('before'))}\n\n".encode()
    after = f"data: {json.dumps(chunk(' after', finish='stop'))}\n\ndata: [DONE]\n\n".encode()
    fake_router.reply_sse(chunks=[good, bad, after])
    got: list[AIMessageChunk] = []
    with pytest.raises(StreamError, match=message) as info:  # raised, not hung (the suite's time-out)
        caller.stream(make_model(max_retries=2), got)
    assert text_of(got) == "before"  # nothing after the bad chunk was passed off as the answer
    assert info.value.partial.content == "before"
    assert len(fake_router.requests) == 1


def test_error_chunk_documented_form_raises_with_partial(
    fake_router: FakeRouter, make_model: Any, caller: Caller
) -> None:
    failure = chunk(
        finish="error",
        error={"code": "server_error", "message": "Provider crashed", "metadata": {"error_type": "provider_error"}},
    )
    fake_router.reply_sse([chunk("The answer "), chunk("is"), failure, "[DONE]"])
    got: list[AIMessageChunk] = []
    with pytest.raises(StreamError) as info:
        caller.stream(make_model(max_retries=2), got)
    exc = info.value
    assert exc.message == "Provider crashed"
    assert exc.code == "server_error"
    assert "provider_error" in str(exc)
    assert exc.partial.content == "The answer is"
    assert text_of(got) == "The answer is"
    assert len(fake_router.requests) == 1


def test_error_chunk_recorded_form_after_length_finish_raises_with_partial_and_usage(
    fake_router: FakeRouter, make_model: Any, caller: Caller
) -> None:
    # Recorded: chunks already said finish_reason "length", then an error with finish_reason null, then [DONE].
    failure = chunk(usage=USAGE, error={"code": 400, "message": "Token limit reached"})
    fake_router.reply_sse([chunk("Long "), chunk("text", finish="length"), failure, "[DONE]"])
    got: list[AIMessageChunk] = []
    with pytest.raises(StreamError) as info:
        caller.stream(make_model(), got)
    exc = info.value
    assert exc.message == "Token limit reached"
    assert exc.status_code == 400
    assert "[400] Token limit reached" in str(exc)
    assert exc.partial.content == "Long text"
    assert exc.partial.usage_metadata["output_tokens"] == 3
    assert exc.partial.response_metadata["cost"] == 0.0001


def test_choice_level_error_in_stream_raises(fake_router: FakeRouter, make_model: Any, caller: Caller) -> None:
    failure = chunk(finish="error")
    failure["choices"][0]["error"] = {"code": 502, "message": "Upstream went away"}
    fake_router.reply_sse([chunk("par"), failure])
    with pytest.raises(StreamError, match="Upstream went away") as info:
        caller.stream(make_model(), [])
    assert info.value.partial.content == "par"


def test_stream_with_tool_calls_cut_short_keeps_the_fragments(
    fake_router: FakeRouter, make_model: Any, caller: Caller
) -> None:
    first = {"index": 0, "id": "call_1", "type": "function", "function": {"name": "lookup", "arguments": '{"q": '}}
    fake_router.reply_sse([chunk(tool_calls=[first])], drop=True)
    with pytest.raises(StreamError) as info:
        caller.stream(make_model(), [])
    partial = info.value.partial
    assert partial.tool_call_chunks[0]["name"] == "lookup"
    assert partial.tool_call_chunks[0]["args"] == '{"q": '


# ---------------------------------------------------------------------------
# Retries


@pytest.mark.parametrize("status", [500, 502, 503, 408, 429, 524, 529])
@pytest.mark.parametrize("kind", ["invoke", "stream"])
def test_retryable_status_then_success(
    fake_router: FakeRouter, make_model: Any, caller: Caller, status: int, kind: str
) -> None:
    fake_router.reply(status, json=error_body(status, f"transient {status}"))
    if kind == "invoke":
        fake_router.reply(json=completion("second time lucky"))
    else:
        fake_router.reply_sse([chunk("second time "), chunk("lucky", finish="stop"), "[DONE]"])
    result = caller.call(kind, make_model(max_retries=1))
    text = result.content if kind == "invoke" else text_of(result)
    assert text == "second time lucky"
    assert len(fake_router.requests) == 2
    assert fake_router.requests[0].body == fake_router.requests[1].body  # the same request, resent


@pytest.mark.parametrize("retries", [0, 1, 3])
@pytest.mark.parametrize("kind", ["invoke", "stream"])
def test_max_retries_n_means_at_most_n_plus_one_attempts(
    fake_router: FakeRouter, make_model: Any, caller: Caller, retries: int, kind: str
) -> None:
    for i in range(retries + 3):
        fake_router.reply(500, json=error_body(500, f"down {i}"))
    with pytest.raises(ProviderError) as info:
        caller.call(kind, make_model(max_retries=retries))
    assert len(fake_router.requests) == retries + 1
    assert info.value.status_code == 500
    assert info.value.message == f"down {retries}"  # the last answer's error is the one raised


@pytest.mark.parametrize(
    ("status", "cls"),
    [
        (400, BadRequestError),
        (401, AuthenticationError),
        (402, InsufficientCreditsError),
        (403, PermissionDeniedError),
        (404, NotFoundError),
        (413, BadRequestError),
        (422, BadRequestError),
    ],
)
@pytest.mark.parametrize("kind", ["invoke", "stream"])
def test_client_errors_are_never_retried(
    fake_router: FakeRouter,
    make_model: Any,
    caller: Caller,
    status: int,
    cls: type[VisionRouterError],
    kind: str,
) -> None:
    body = error_body(status, f"router says no ({status})", provider_name="Upstream", raw="upstream detail")
    fake_router.reply(status, json=body, headers={"X-Generation-Id": "gen-err-1"})
    fake_router.reply(json=completion())  # would succeed, if it were (wrongly) retried
    with pytest.raises(cls) as info:
        caller.call(kind, make_model(max_retries=3))
    exc = info.value
    assert type(exc) is cls
    assert exc.status_code == status
    assert exc.message == f"router says no ({status})"
    assert exc.provider_name == "Upstream"
    assert exc.generation_id == "gen-err-1"
    assert f"[{status}] router says no ({status})" in str(exc)
    assert "upstream detail" in str(exc)
    assert len(fake_router.requests) == 1


def test_infron_style_error_body_keeps_type_and_param(fake_router: FakeRouter, make_model: Any, caller: Caller) -> None:
    fake_router.reply(400, json={"error": {"message": "bad temperature", "type": "invalid_request", "param": "t"}})
    with pytest.raises(BadRequestError) as info:
        caller.invoke(make_model(max_retries=2))
    assert info.value.message == "bad temperature"
    assert info.value.metadata == {"type": "invalid_request", "param": "t"}
    assert len(fake_router.requests) == 1


def test_non_json_error_page_keeps_its_text(fake_router: FakeRouter, make_model: Any, caller: Caller) -> None:
    fake_router.reply(502, body="<html><body>502 Bad Gateway (nginx)</body></html>")
    with pytest.raises(ProviderError, match="Bad Gateway") as info:
        caller.invoke(make_model(max_retries=0))
    assert info.value.status_code == 502


def test_429_retry_after_is_honoured(fake_router: FakeRouter, make_model: Any, caller: Caller) -> None:
    fake_router.reply(429, json=error_body(429, "slow down"), headers={"Retry-After": "1"})
    fake_router.reply(json=completion("waited"))
    started = time.monotonic()
    assert caller.invoke(make_model(max_retries=1)).content == "waited"
    assert time.monotonic() - started >= 0.95
    assert len(fake_router.requests) == 2


def test_429_retry_after_as_http_date_is_honoured(fake_router: FakeRouter, make_model: Any, caller: Caller) -> None:
    when = email.utils.formatdate(time.time() + 2.5, usegmt=True)  # whole seconds: waits 1.5 to 2.5 s
    fake_router.reply(429, json=error_body(429, "slow down"), headers={"Retry-After": when})
    fake_router.reply(json=completion("waited"))
    started = time.monotonic()
    assert caller.invoke(make_model(max_retries=1)).content == "waited"
    assert time.monotonic() - started >= 1.0


def test_429_exhausted_reports_retry_after(fake_router: FakeRouter, make_model: Any, caller: Caller) -> None:
    fake_router.reply(429, json=error_body(429, "Rate limit exceeded"), headers={"Retry-After": "7"})
    with pytest.raises(RateLimitError) as info:
        caller.invoke(make_model(max_retries=0))
    assert info.value.retry_after == 7.0
    assert info.value.status_code == 429
    assert len(fake_router.requests) == 1


def test_429_rate_limit_reset_is_honoured(fake_router: FakeRouter, make_model: Any, caller: Caller) -> None:
    reset_ms = int((time.time() + 1.2) * 1000)  # epoch milliseconds, as OpenRouter sends
    fake_router.reply(429, json=error_body(429, "slow down"), headers={"X-RateLimit-Reset": str(reset_ms)})
    fake_router.reply(json=completion("after reset"))
    started = time.monotonic()
    assert caller.invoke(make_model(max_retries=1)).content == "after reset"
    assert time.monotonic() - started >= 0.9
    assert len(fake_router.requests) == 2


def test_429_rate_limit_reset_far_away_is_capped(
    fake_router: FakeRouter, make_model: Any, caller: Caller, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(transport, "MAX_RETRY_WAIT", 0.3)
    reset_ms = int((time.time() + 3600) * 1000)
    headers = {"X-RateLimit-Reset": str(reset_ms), "X-RateLimit-Remaining": "0"}
    fake_router.reply(429, json=error_body(429, "slow down"), headers=headers)
    fake_router.reply(json=completion("after the cap"))
    started = time.monotonic()
    # Without a deadline the wait is cut to the cap; with one, a wait past it raises (test_limits.py).
    assert caller.invoke(make_model(max_retries=1, deadline=None)).content == "after the cap"
    assert time.monotonic() - started >= 0.25  # waited the cap (not the hour: the suite's time-out says so)
    assert len(fake_router.requests) == 2


def test_429_far_reset_exhausted_tells_the_real_wait(fake_router: FakeRouter, make_model: Any, caller: Caller) -> None:
    reset_ms = int((time.time() + 3600) * 1000)
    fake_router.reply(429, json=error_body(429, "slow down"), headers={"X-RateLimit-Reset": str(reset_ms)})
    with pytest.raises(RateLimitError) as info:
        caller.invoke(make_model(max_retries=0))
    assert 3500 < info.value.retry_after <= 3600


@pytest.mark.parametrize("header", [{"Retry-After": "soon"}, {"X-RateLimit-Reset": "tomorrow"}, {"Retry-After": ""}])
def test_malformed_rate_limit_headers_fall_back_to_backoff(
    fake_router: FakeRouter, make_model: Any, caller: Caller, header: dict[str, str]
) -> None:
    fake_router.reply(429, json=error_body(429, "slow down"), headers=header)
    fake_router.reply(json=completion("backed off"))
    assert caller.invoke(make_model(max_retries=1)).content == "backed off"
    assert len(fake_router.requests) == 2


@pytest.mark.parametrize(
    ("headers", "expected"),
    [
        ({"retry-after": "2"}, 2.0),
        ({"retry-after": "0.5"}, 0.5),
        ({"retry-after": "-3"}, 0.0),
        ({"retry-after": "nan"}, None),
        ({"retry-after": "garbage"}, None),
        ({"retry-after": "Wed, 21 Oct 2015 07:28:00 GMT"}, 0.0),  # a date in the past
        ({"x-ratelimit-reset": "1000"}, 0.0),  # epoch ms in the past
        ({"x-ratelimit-reset": "{ms+30}"}, 30.0),  # epoch milliseconds, as OpenRouter sends
        ({"x-ratelimit-reset": "{s+30}"}, 30.0),  # epoch seconds also understood
        ({"retry-after": "4", "x-ratelimit-reset": "{ms+30}"}, 4.0),  # Retry-After wins
        ({}, None),
    ],
)
def test_retry_after_seconds(headers: dict[str, str], expected: float | None) -> None:
    now = time.time()
    stamps = {"{ms+30}": str(int((now + 30) * 1000)), "{s+30}": str(int(now + 30))}
    headers = {k: stamps.get(v, v) for k, v in headers.items()}
    got = transport.retry_after_seconds(headers)
    if expected is None:
        assert got is None
    else:
        assert got is not None and abs(got - expected) < 2.0


def test_retry_delay_caps_router_waits_and_jitters_backoff(monkeypatch: pytest.MonkeyPatch) -> None:
    assert transport.retry_delay(0, 3600.0) == transport.MAX_RETRY_WAIT
    assert transport.retry_delay(5, 1.5) == 1.5
    monkeypatch.setattr(transport, "MAX_RETRY_WAIT", 2.0)
    assert transport.retry_delay(0, 3600.0) == 2.0
    monkeypatch.setattr(transport, "INITIAL_BACKOFF", 0.5)
    monkeypatch.setattr(transport, "MAX_BACKOFF", 8.0)
    delays = {transport.retry_delay(2, None) for _ in range(50)}
    assert all(1.0 <= d <= 2.0 for d in delays) and len(delays) > 1  # 0.5 * 2**2, with jitter
    assert all(transport.retry_delay(30, None) <= 8.0 for _ in range(20))


# ---------------------------------------------------------------------------
# A 200 that is an error, redirects


@pytest.mark.parametrize("kind", ["invoke", "stream"])
def test_200_body_that_is_an_error_raises_typed(
    fake_router: FakeRouter, make_model: Any, caller: Caller, kind: str
) -> None:
    fake_router.reply(200, json=error_body(402, "Insufficient credits", provider_name="OpenAI"))
    with pytest.raises(InsufficientCreditsError) as info:
        caller.call(kind, make_model(max_retries=2))
    assert info.value.message == "Insufficient credits"
    assert info.value.code == 402
    assert info.value.status_code == 200
    assert len(fake_router.requests) == 1  # 402 inside a 200 is not retryable either


@pytest.mark.parametrize("kind", ["invoke", "stream"])
def test_200_body_with_retryable_error_is_retried(
    fake_router: FakeRouter, make_model: Any, caller: Caller, kind: str
) -> None:
    fake_router.reply(200, json=error_body(502, "Provider returned error", raw="upstream overloaded"))
    if kind == "invoke":
        fake_router.reply(json=completion("recovered"))
    else:
        fake_router.reply_sse([chunk("recovered", finish="stop"), "[DONE]"])
    result = caller.call(kind, make_model(max_retries=1))
    assert (result.content if kind == "invoke" else text_of(result)) == "recovered"
    assert len(fake_router.requests) == 2


def test_200_body_with_failed_choice_raises_with_partial(
    fake_router: FakeRouter, make_model: Any, caller: Caller
) -> None:
    body = completion("partial answ")
    body["choices"][0]["finish_reason"] = "error"
    body["choices"][0]["error"] = {"code": 500, "message": "Provider disconnected"}
    fake_router.reply(json=body)
    with pytest.raises(ProviderError, match="Provider disconnected") as info:
        caller.invoke(make_model())
    assert info.value.partial.content == "partial answ"


def test_200_body_that_is_not_json(fake_router: FakeRouter, make_model: Any, caller: Caller) -> None:
    fake_router.reply(200, body="<html>captive portal</html>", headers={"Content-Type": "text/html"})
    with pytest.raises(VisionRouterError, match="not JSON") as info:
        caller.invoke(make_model())
    assert "captive portal" in str(info.value)


def test_stream_request_answered_with_whole_json_is_accepted(
    fake_router: FakeRouter, make_model: Any, caller: Caller
) -> None:
    fake_router.reply(json=completion("not streamed after all"))  # a gateway that ignores stream: true
    got = caller.stream(make_model(), [])
    assert text_of(got) == "not streamed after all"
    assert got[-1].usage_metadata is not None and got[-1].usage_metadata["total_tokens"] == 10


@pytest.mark.parametrize("kind", ["invoke", "stream"])
def test_redirect_is_not_followed(fake_router: FakeRouter, make_model: Any, caller: Caller, kind: str) -> None:
    fake_router.reply(301, headers={"Location": "https://elsewhere.example/api/v1/chat/completions"})
    with pytest.raises(VisionRouterError, match="redirect") as info:
        caller.call(kind, make_model(max_retries=2))
    assert "elsewhere.example" in str(info.value) and "base_url" in str(info.value)
    assert len(fake_router.requests) == 1


# ---------------------------------------------------------------------------
# Time-outs and unreachable routers


@pytest.mark.parametrize("kind", ["invoke", "stream"])
def test_slow_server_raises_request_timeout_in_seconds(
    fake_router: FakeRouter, make_model: Any, caller: Caller, kind: str
) -> None:
    gate = fake_router.hold()  # never released: the router "works" forever
    fake_router.reply(json=completion(), gate=gate)
    started = time.monotonic()
    with pytest.raises(RequestTimeoutError) as info:
        caller.call(kind, make_model(timeout=0.5, max_retries=3))
    assert time.monotonic() - started >= 0.4  # seconds, not milliseconds (minutes: the suite's time-out)
    assert "timed out" in str(info.value)
    assert len(fake_router.requests) == 1  # the router may be working on it (and billing): not retried
    assert fake_router.client_gone.wait(60)  # the client gave up the connection


def test_stream_stalling_mid_way_times_out_with_partial(
    fake_router: FakeRouter, make_model: Any, caller: Caller
) -> None:
    gate = fake_router.hold()
    fake_router.reply_sse([chunk("so far"), chunk(" and more", finish="stop"), "[DONE]"], gate=gate, gate_after=1)
    got: list[AIMessageChunk] = []
    with pytest.raises(RequestTimeoutError, match="stalled") as info:
        caller.stream(make_model(timeout=0.5), got)
    assert text_of(got) == "so far"
    assert info.value.partial.content == "so far"
    assert len(fake_router.requests) == 1


def test_timeout_accepts_the_request_timeout_alias(fake_router: FakeRouter) -> None:
    model = ChatVisionRouter(model="m", api_key=KEY, base_url=fake_router.url, request_timeout=3)
    assert model.timeout == 3.0


def _closed_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@pytest.mark.parametrize("kind", ["invoke", "stream"])
def test_unreachable_router_raises_api_connection_error_after_retries(
    caller: Caller, kind: str, caplog: pytest.LogCaptureFixture
) -> None:
    base = f"http://127.0.0.1:{_closed_port()}/api/v1"
    model = ChatVisionRouter(model="m", api_key=KEY, base_url=base, max_retries=2, timeout=5)
    with caplog.at_level(logging.DEBUG, logger="langchain_visionrouter"), pytest.raises(APIConnectionError) as info:
        caller.call(kind, model)
    assert "could not reach the router" in str(info.value)
    retries = [r for r in caplog.records if r.name == "langchain_visionrouter._wire.http" and "retry" in r.message]
    assert len(retries) == 2  # refused before reaching the router: safe to retry, max_retries times
    model.close()


@pytest.mark.parametrize("kind", ["invoke", "stream"])
def test_connection_closed_without_answer_is_retried(
    fake_router: FakeRouter, make_model: Any, caller: Caller, kind: str
) -> None:
    fake_router.abort()
    if kind == "invoke":
        fake_router.reply(json=completion("second try"))
    else:
        fake_router.reply_sse([chunk("second try", finish="stop"), "[DONE]"])
    result = caller.call(kind, make_model(max_retries=1))
    assert (result.content if kind == "invoke" else text_of(result)) == "second try"
    assert len(fake_router.requests) == 2


def test_answer_cut_off_mid_body_is_not_retried(fake_router: FakeRouter, make_model: Any, caller: Caller) -> None:
    fake_router.reply(json=completion("a long answer " * 20), drop=True)  # the router answered, then the line broke
    fake_router.reply(json=completion("a second, billed answer"))
    with pytest.raises(APIConnectionError, match="connection to the router was lost") as info:
        caller.invoke(make_model(max_retries=2))
    assert "RemoteProtocolError" in str(info.value)
    assert len(fake_router.requests) == 1  # it may have been billed: not sent again


@pytest.mark.parametrize(
    "body",
    [
        b'{"error": {"code": 429, "message": "Rate limit exceeded: free-models-per-min"}}',
        b'{"error": {"code": 429, "message": "Rate limit exceeded: free-models-per-min"}}\n\n',
    ],
    ids=["bare", "with-blank-line"],
)
def test_event_stream_body_that_is_a_json_error(
    fake_router: FakeRouter, make_model: Any, caller: Caller, body: bytes
) -> None:
    # A gateway that labels its JSON error text/event-stream: the error is raised, not "truncated stream".
    fake_router.reply_sse(chunks=[body])
    fake_router.reply_sse([chunk("ok", finish="stop"), "[DONE]"])
    with pytest.raises(RateLimitError, match="free-models-per-min") as info:
        caller.stream(make_model(max_retries=0), [])
    assert info.value.code == 429
    assert len(fake_router.requests) == 1


def test_event_stream_body_of_plain_text(fake_router: FakeRouter, make_model: Any, caller: Caller) -> None:
    fake_router.reply_sse(chunks=[b"upstream connect error or disconnect/reset before headers"])
    with pytest.raises(StreamError, match="upstream connect error"):
        caller.stream(make_model(), [])


# ---------------------------------------------------------------------------
# Async only: cancellation and concurrency


async def test_cancelled_async_stream_releases_its_connection(fake_router: FakeRouter) -> None:
    gate = fake_router.hold()
    fake_router.reply_sse([chunk("first"), chunk(" second", finish="stop"), "[DONE]"], gate=gate, gate_after=1)
    fake_router.reply(json=completion("next call works"))
    # One connection in the pool at most: a leaked connection would block the next call.
    async with httpx.AsyncClient(limits=httpx.Limits(max_connections=1)) as client:
        model = ChatVisionRouter(
            model="m", api_key=KEY, base_url=fake_router.url, http_async_client=client, timeout=3, max_retries=0
        )
        got: list[AIMessageChunk] = []
        first = asyncio.Event()

        async def consume() -> None:
            async for piece in model.astream("hi"):
                got.append(piece)
                first.set()

        task = asyncio.create_task(consume())
        await first.wait()  # the router holds the rest: the task is waiting for more
        task.cancel()
        with pytest.raises(asyncio.CancelledError):
            await task
        assert text_of(got) == "first"
        assert await asyncio.to_thread(fake_router.client_gone.wait, 60)  # the server saw the connection closed
        assert (await model.ainvoke("again")).content == "next call works"
        assert len(fake_router.requests) == 2


async def test_async_stream_abandoned_by_break_releases_its_connection(fake_router: FakeRouter) -> None:
    gate = fake_router.hold()
    fake_router.reply_sse([chunk("first"), chunk(" second", finish="stop"), "[DONE]"], gate=gate, gate_after=1)
    fake_router.reply(json=completion("next call works"))
    model = ChatVisionRouter(model="m", api_key=KEY, base_url=fake_router.url, timeout=3, max_retries=0)
    stream = model.astream("hi")
    async for piece in stream:
        assert piece.text == "first"
        break
    await stream.aclose()  # what `async for` leaves to the caller (or to the loop at its shutdown)
    assert await asyncio.to_thread(fake_router.client_gone.wait, 60)
    assert (await model.ainvoke("again")).content == "next call works"
    await model.aclose()


def test_sync_stream_abandoned_releases_its_connection(fake_router: FakeRouter) -> None:
    gate = fake_router.hold()
    fake_router.reply_sse([chunk("first"), chunk(" second", finish="stop"), "[DONE]"], gate=gate, gate_after=1)
    fake_router.reply(json=completion("next call works"))
    model = ChatVisionRouter(model="m", api_key=KEY, base_url=fake_router.url, timeout=3, max_retries=0)
    stream = model.stream("hi")
    assert next(stream).text == "first"
    stream.close()
    assert fake_router.client_gone.wait(60)
    assert model.invoke("again").content == "next call works"
    model.close()


def _echo(request: Recorded) -> Scripted:
    prompt = request.json["messages"][-1]["content"]
    return answer(json=completion(f"answer to {prompt}"))


async def test_100_concurrent_ainvoke_on_one_instance(fake_router: FakeRouter) -> None:
    fake_router.respond(_echo)
    model = ChatVisionRouter(model="m", api_key=KEY, base_url=fake_router.url, timeout=30, max_retries=0)
    prompts = [f"question {i}" for i in range(100)]
    results = await asyncio.gather(*(model.ainvoke(p) for p in prompts))
    assert [r.content for r in results] == [f"answer to {p}" for p in prompts]
    assert len(fake_router.requests) == 100
    assert sorted(r.json["messages"][-1]["content"] for r in fake_router.requests) == sorted(prompts)
    assert fake_router.connections <= 100  # one pool, bounded
    await model.aclose()


async def test_100_concurrent_astream_on_one_instance(fake_router: FakeRouter) -> None:
    def stream_echo(request: Recorded) -> Scripted:
        prompt = request.json["messages"][-1]["content"]
        return sse_answer([chunk("echo: "), chunk(prompt, finish="stop"), "[DONE]"])

    fake_router.respond(stream_echo)
    model = ChatVisionRouter(model="m", api_key=KEY, base_url=fake_router.url, timeout=30, max_retries=0)

    async def one(prompt: str) -> str:
        return "".join([piece.text async for piece in model.astream(prompt)])

    prompts = [f"s{i}" for i in range(100)]
    assert await asyncio.gather(*(one(p) for p in prompts)) == [f"echo: {p}" for p in prompts]
    await model.aclose()
