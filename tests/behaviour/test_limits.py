"""Every wait and read of a call is bounded (issue 15): deadline, answer and event caps,
[DONE] ends the stream, waits past the budget raise at once, resets retried, the pool
wait off the time-out, the catalog fetched once and bounded, URL credentials hidden,
and a model dropped without close() leaks nothing. Sync and async, over real loopback HTTP.
"""

from __future__ import annotations

import asyncio
import gc
import gzip
import json
import logging
import threading
import time
from collections.abc import Iterator
from typing import Any

import pytest
from langchain_core.load import dumps
from langchain_core.messages import AIMessageChunk, BaseMessage

from langchain_visionrouter import (
    ChatVisionRouter,
    RateLimitError,
    RequestTimeoutError,
    StreamError,
)
from langchain_visionrouter._client import catalog as _catalog
from langchain_visionrouter._media import checks as _images
from langchain_visionrouter._wire import streams as _streams
from langchain_visionrouter._wire.sse import SSEDecoder
from langchain_visionrouter.errors import VisionRouterError
from tests.fakerouter import FakeRouter, Scripted, answer, sse_body
from tests.wire import Stream, completion, usage

KEY = "sk-or-v1-limits0000000000000000000000000000000000000000000000000000000"
WIRE = Stream(gen="gen-limits", model="test/model", provider="Test")


@pytest.fixture
def slept(monkeypatch: pytest.MonkeyPatch) -> list[float]:
    """Every sleep asked for (sync and async) while the test runs; each still sleeps."""
    asked: list[float] = []
    real_sleep, real_asleep = time.sleep, asyncio.sleep

    def sleep(seconds: float) -> None:
        asked.append(seconds)
        real_sleep(seconds)

    async def asleep(seconds: float, *args: Any) -> Any:
        asked.append(seconds)
        return await real_asleep(seconds, *args)

    monkeypatch.setattr(time, "sleep", sleep)
    monkeypatch.setattr(asyncio, "sleep", asleep)
    return asked


def full_answer(text: str = "all of it") -> dict[str, Any]:
    return completion(gen="gen-limits", model="test/model", provider="Test", content=text, use=usage(3, 4))


def stream_events(pieces: list[str]) -> list[Any]:
    return [*WIRE.text(pieces, use=usage(3, 4)), "[DONE]"]


class Caller:
    def __init__(self, mode: str) -> None:
        self.mode = mode

    def invoke(self, model: ChatVisionRouter, prompt: Any = "hi") -> BaseMessage:
        if self.mode == "sync":
            return model.invoke(prompt)
        return asyncio.run(model.ainvoke(prompt))

    def stream(self, model: ChatVisionRouter, prompt: Any = "hi") -> AIMessageChunk:
        async def collect() -> list[AIMessageChunk]:
            return [chunk async for chunk in model.astream(prompt)]

        chunks = list(model.stream(prompt)) if self.mode == "sync" else asyncio.run(collect())
        total = chunks[0]
        for chunk in chunks[1:]:
            total = total + chunk
        return total


@pytest.fixture(params=["sync", "async"])
def caller(request: pytest.FixtureRequest) -> Caller:
    return Caller(request.param)


@pytest.fixture
def make_model(fake_router: FakeRouter) -> Iterator[Any]:
    made: list[ChatVisionRouter] = []

    def make(**kwargs: Any) -> ChatVisionRouter:
        kwargs.setdefault("max_retries", 0)
        kwargs.setdefault("timeout", 10)
        kwargs.setdefault("base_url", fake_router.url)
        model = ChatVisionRouter(model="test/model", api_key=KEY, **kwargs)
        made.append(model)
        return model

    yield make
    for model in made:
        model.close()


# ---------------------------------------------------------------------------
# 14: an overall deadline; a cap on the decoded answer


def test_keepalive_comments_forever_end_at_the_deadline(
    fake_router: FakeRouter, make_model: Any, caller: Caller
) -> None:
    comments = [b": OPENROUTER PROCESSING\n\n"] * 400  # 20 s of keep-alives, none longer than the time-out
    fake_router.reply_sse(chunks=sse_body([WIRE.chunk({"content": "so far"})]) + comments, delay=0.05)
    # Every comment comes well within the time-out: only the deadline can end this stream early.
    with pytest.raises(RequestTimeoutError, match="deadline") as info:
        caller.stream(make_model(timeout=5, deadline=1.0))
    assert info.value.partial is not None and info.value.partial.content == "so far"


def test_a_body_dripped_byte_by_byte_ends_at_the_deadline(
    fake_router: FakeRouter, make_model: Any, caller: Caller
) -> None:
    body = json.dumps(full_answer()).encode()
    drip = Scripted(headers={"Content-Type": "application/json"}, chunks=[bytes([b]) for b in body], delay=0.02)
    fake_router.respond(lambda _: drip)
    # Every byte comes well within the time-out: only the deadline can end this answer early.
    with pytest.raises(RequestTimeoutError, match="deadline"):
        caller.invoke(make_model(timeout=5, deadline=1.0))


def test_an_answer_over_the_cap_is_refused(fake_router: FakeRouter, make_model: Any, caller: Caller) -> None:
    fake_router.reply(json=full_answer("x" * 50_000))
    with pytest.raises(VisionRouterError, match="over the 10000-byte cap") as info:
        caller.invoke(make_model(max_response_bytes=10_000))
    assert "max_response_bytes" in str(info.value)  # what to do
    assert len(fake_router.requests) == 1  # never retried: it would be as big again


def test_a_gzip_bomb_is_stopped_at_the_cap_decoded(fake_router: FakeRouter, make_model: Any, caller: Caller) -> None:
    bomb = gzip.compress(b'{"choices": [], "pad": "' + b" " * 50_000_000, 9)  # ~50 KB inflating to 50 MB
    assert len(bomb) < 100_000
    headers = {"Content-Type": "application/json", "Content-Encoding": "gzip"}
    fake_router.reply(body=bomb, headers=headers)
    with pytest.raises(VisionRouterError, match="over the 1000000-byte cap"):
        caller.invoke(make_model(max_response_bytes=1_000_000))


def test_a_stream_over_the_cap_ends_in_a_stream_error(fake_router: FakeRouter, make_model: Any, caller: Caller) -> None:
    fake_router.reply_sse(stream_events(["y" * 2000] * 20))
    with pytest.raises(StreamError, match="over the 10000-byte cap") as info:
        caller.stream(make_model(max_response_bytes=10_000))
    assert info.value.partial is not None and info.value.partial.content.startswith("y" * 2000)


def test_the_deadline_and_caps_are_documented_parameters() -> None:
    model = ChatVisionRouter(model="m", api_key=KEY)
    assert model.deadline == 900.0 and model.max_response_bytes == 64 * 2**20 and model.max_connections == 100
    for name in ("deadline", "max_response_bytes", "max_connections"):
        assert name in (ChatVisionRouter.__doc__ or "")
    with pytest.raises(ValueError):
        ChatVisionRouter(model="m", api_key=KEY, deadline=0)


# ---------------------------------------------------------------------------
# 5: SSE decoding is linear, and one event is capped


def test_sse_decoding_of_a_frame_in_small_reads_is_linear() -> None:
    frame = b"data: " + b"z" * (16 * 2**20) + b"\n\n"
    decoder = SSEDecoder()
    # CPU time of this process, not wall-clock time: other load on the machine does not count.
    # Linear decoding takes about 0.02 s; quadratic re-copying would move ~34 GB (several seconds).
    started = time.process_time()
    events = []
    for i in range(0, len(frame), 4096):  # 4097 reads
        events += decoder.feed(frame[i : i + 4096])
    assert time.process_time() - started < 1.5
    assert len(events) == 1 and len(events[0]) == 16 * 2**20


def test_sse_decoder_reports_an_event_over_its_cap() -> None:
    decoder = SSEDecoder(max_event=1000)
    assert decoder.feed(b"data: ok\n\n") == [b"ok"]
    assert decoder.feed(b"data: " + b"a" * 600 + b"\ndata: " + b"b" * 600) == []
    assert decoder.oversize


def test_an_event_over_the_cap_ends_in_a_stream_error(
    fake_router: FakeRouter, make_model: Any, caller: Caller, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(_streams, "MAX_EVENT_BYTES", 5000)
    huge = WIRE.chunk({"content": "h" * 20_000})
    fake_router.reply_sse([WIRE.chunk({"content": "before "}), huge, "[DONE]"])
    with pytest.raises(StreamError, match="one event of the stream is over 5000 bytes") as info:
        caller.stream(make_model())
    assert info.value.partial.content == "before "


# ---------------------------------------------------------------------------
# 6: the stream ends at [DONE]


def test_comments_after_done_do_not_hold_the_stream(fake_router: FakeRouter, make_model: Any, caller: Caller) -> None:
    pieces = sse_body(stream_events(["com", "plete"])) + [b": still here\n\n"] * 3  # comments after [DONE]
    gate = fake_router.hold()  # never set: after the comments the router holds the stream open
    fake_router.reply_sse(chunks=pieces, gate=gate, gate_after=len(pieces))
    # A client reading on past [DONE] would wait for the gate, then fail at its time-out.
    assert caller.stream(make_model(timeout=30)).content == "complete"
    assert fake_router.client_gone.wait(60)  # and it let the connection go


def test_silence_after_done_does_not_hold_the_stream(fake_router: FakeRouter, make_model: Any, caller: Caller) -> None:
    pieces = sse_body(stream_events(["quiet"]))
    gate = fake_router.hold()  # never set: the router keeps the connection open, silent
    fake_router.reply_sse(chunks=pieces, gate=gate, gate_after=len(pieces))
    # A client waiting for the end would fail at its time-out instead.
    assert caller.stream(make_model(timeout=30)).content == "quiet"


# ---------------------------------------------------------------------------
# 7: a wait past the budget raises at once; 8: a reset before the answer is retried


def test_retry_after_past_the_budget_raises_at_once(
    fake_router: FakeRouter, make_model: Any, caller: Caller, slept: list[float]
) -> None:
    body = {"error": {"code": 429, "message": "slow down"}}
    fake_router.reply(429, json=body, headers={"Retry-After": "3600"})
    fake_router.reply(json=full_answer())
    with pytest.raises(RateLimitError) as info:
        caller.invoke(make_model(timeout=2, max_retries=1))
    assert [s for s in slept if s > 0] == []  # at once: no wait at all, not even the budget's 2 s
    assert info.value.retry_after == pytest.approx(3600, abs=5)
    assert len(fake_router.requests) == 1


def test_retry_after_within_the_deadline_is_waited(fake_router: FakeRouter, make_model: Any, caller: Caller) -> None:
    body = {"error": {"code": 429, "message": "slow down"}}
    fake_router.reply(429, json=body, headers={"Retry-After": "3"})
    with pytest.raises(RateLimitError):  # 3 s asked, 1 s left: not waited
        caller.invoke(make_model(max_retries=1, deadline=1.0))
    fake_router.reply(429, json=body, headers={"Retry-After": "0.2"})
    fake_router.reply(json=full_answer())
    assert caller.invoke(make_model(max_retries=1, deadline=5.0)).content == "all of it"


@pytest.mark.parametrize("how", ["reset", "fin"])
def test_a_dropped_connection_before_any_answer_is_retried(
    fake_router: FakeRouter, make_model: Any, caller: Caller, how: str
) -> None:
    fake_router.reset() if how == "reset" else fake_router.abort()
    fake_router.reply(json=full_answer())
    assert caller.invoke(make_model(max_retries=1)).content == "all of it"
    assert len(fake_router.requests) == 2


# ---------------------------------------------------------------------------
# 9: waiting for a pooled connection does not eat the time-out


def test_waiting_for_the_pool_does_not_eat_the_timeout(
    fake_router: FakeRouter, make_model: Any, caller: Caller
) -> None:
    # One connection, held by a stream the test has stopped reading (no read is pending, so no
    # time-out runs for it) while a second call waits for the pool longer than its 2 s time-out.
    # The wait is the claim itself (a lower bound: a slow machine only makes it longer); once the
    # stream is read to its end, the second call must get its answer.
    gate = fake_router.hold()
    pieces = sse_body(stream_events(["held ", "stream"]))
    first = next(i for i, piece in enumerate(pieces) if b"held" in piece) + 1
    fake_router.reply_sse(chunks=pieces, gate=gate, gate_after=first)  # held after "held "
    fake_router.reply(json=full_answer())
    model = make_model(max_connections=1, timeout=2)
    waited = 3.0
    if caller.mode == "sync":
        stream = model.stream("first")
        assert "".join(next(stream).text for _ in range(first)) == "held "
        results: list[Any] = []
        second = threading.Thread(target=lambda: results.append(model.invoke("second")))
        second.start()
        assert fake_router.wait_requests(1)
        time.sleep(waited)  # the second call queues for the pool all this time
        assert len(fake_router.requests) == 1 and not results  # still waiting for the connection
        gate.set()
        rest = "".join(chunk.text for chunk in stream)
        second.join()
    else:

        async def scenario() -> tuple[str, list[Any]]:
            stream = model.astream("first")
            assert "".join([(await anext(stream)).text for _ in range(first)]) == "held "
            second = asyncio.ensure_future(model.ainvoke("second"))
            await asyncio.sleep(waited)  # the second call queues for the pool all this time
            assert len(fake_router.requests) == 1 and not second.done()
            gate.set()
            rest = "".join([chunk.text async for chunk in stream])
            return rest, [await second]

        rest, results = asyncio.run(scenario())
    assert rest == "stream"
    assert [r.content for r in results] == ["all of it"]
    assert fake_router.connections == 1


# ---------------------------------------------------------------------------
# 10: the catalog fetch is bounded, and made once for concurrent callers


CATALOG = {"data": [{"id": "test/model", "architecture": {"input_modalities": ["text", "image"]}}]}


@pytest.fixture
def cold_catalog() -> Iterator[None]:
    _catalog.clear_catalog_cache()
    yield
    _catalog.clear_catalog_cache()


def test_concurrent_callers_share_one_catalog_fetch(
    fake_router: FakeRouter, make_model: Any, caller: Caller, cold_catalog: None
) -> None:
    fake_router.respond(lambda _: answer(json=CATALOG, delay=0.3))
    model = make_model()
    if caller.mode == "sync":
        results: list[bool] = []
        threads = [threading.Thread(target=lambda: results.append(model.supports_images())) for _ in range(10)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
    else:
        catalog = model.get_catalog()

        async def burst() -> list[bool]:
            infos = await asyncio.gather(*(catalog.amodels() for _ in range(10)))
            return [info[0].supports_images for info in infos]

        results = asyncio.run(burst())
    assert results == [True] * 10
    assert [r.path for r in fake_router.requests] == ["/api/v1/models"]


def test_the_catalog_is_capped(
    fake_router: FakeRouter, make_model: Any, cold_catalog: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(_catalog, "MAX_CATALOG_BYTES", 1000)
    fake_router.reply(json={"data": [{"id": f"m/{i}"} for i in range(500)]})
    with pytest.raises(VisionRouterError, match="cap"):
        make_model().get_catalog().models()


# ---------------------------------------------------------------------------
# 11: the resize cache is bounded by bytes, and can be off


def test_resize_cache_is_bounded_in_bytes_and_can_be_off(monkeypatch: pytest.MonkeyPatch) -> None:
    from tests.wire import png

    _images.clear_resize_cache()
    monkeypatch.setattr(_images, "RESIZE_CACHE_BYTES", 20_000)
    policy = _images.ImagePolicy(max_side=40)
    import base64

    for seed in range(8):
        payload = base64.b64encode(png(200, 150, seed=seed)).decode()
        _images.check_image_base64(payload, "image/png", policy, where="test")
    assert 0 < _images._fit_cache_bytes <= 20_000
    assert sum(len(v[1]) for v in _images._FIT_CACHE.values() if v) == _images._fit_cache_bytes
    _images.clear_resize_cache()
    off = _images.ImagePolicy(max_side=40, cache=False)
    _images.check_image_base64(base64.b64encode(png(200, 150, seed=99)).decode(), "image/png", off, where="t")
    assert not _images._FIT_CACHE
    assert ChatVisionRouter(model="m", api_key=KEY, image_resize_cache=False)._image_policy().cache is False


# ---------------------------------------------------------------------------
# 12: credentials in base_url are never shown


SECRET = "hunter2-very-secret-pw"


def test_credentials_in_base_url_are_never_shown(
    fake_router: FakeRouter, caplog: pytest.LogCaptureFixture, caller: Caller
) -> None:
    url = fake_router.url.replace("http://", f"http://alice:{SECRET}@")
    model = ChatVisionRouter(model="test/model", api_key=KEY, base_url=url, max_retries=1)
    try:
        fake_router.reply(503, json={"error": {"code": 503, "message": f"echo {url}"}})
        fake_router.reply(json=full_answer())
        with caplog.at_level(logging.DEBUG):
            assert caller.invoke(model).content == "all of it"
        assert fake_router.requests[0].headers["Authorization"].startswith("Basic ")  # still sent, as httpx would
        shown = [repr(model), str(model.model_dump()), str(model._get_invocation_params()), caplog.text, dumps(model)]
        shown.append(str(model._identifying_params))
        for text in shown:
            assert SECRET not in text
        assert "***@" in repr(model)
        fake_router.reply(400, json={"error": {"code": 400, "message": f"bad url {url}"}})
        with pytest.raises(VisionRouterError) as info:
            caller.invoke(model)
        assert SECRET not in str(info.value) and SECRET not in repr(info.value.body)
    finally:
        model.close()


# ---------------------------------------------------------------------------
# 13: a model dropped without close() leaks no socket


def test_a_model_dropped_without_close_closes_its_connections(fake_router: FakeRouter, caller: Caller) -> None:
    for _ in range(5):
        fake_router.reply(json=full_answer())
        model = ChatVisionRouter(model="test/model", api_key=KEY, base_url=fake_router.url)
        assert caller.invoke(model).content == "all of it"
        del model
        gc.collect()
    assert fake_router.wait_closed(5)  # ResourceWarnings are errors in this suite


def test_callers_waiting_on_a_failed_catalog_fetch_share_its_error(
    fake_router: FakeRouter, make_model: Any, caller: Caller, cold_catalog: None
) -> None:
    fake_router.respond(lambda _: answer(503, json={"error": {"code": 503, "message": "down"}}, delay=0.3))
    catalog = make_model().get_catalog()
    if caller.mode == "sync":
        errors: list[BaseException] = []

        def ask() -> None:
            try:
                catalog.models()
            except VisionRouterError as exc:
                errors.append(exc)

        threads = [threading.Thread(target=ask) for _ in range(8)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
    else:

        async def burst() -> list[BaseException]:
            got = await asyncio.gather(*(catalog.amodels() for _ in range(8)), return_exceptions=True)
            return [e for e in got if isinstance(e, BaseException)]

        errors = asyncio.run(burst())
    assert len(errors) == 8 and all("down" in str(e) for e in errors)
    # One fetch (its attempts) failed; the callers waiting for it did not each fetch again.
    assert len(fake_router.requests) == catalog.max_retries + 1


def test_copies_dropped_without_close_close_their_own_connections(fake_router: FakeRouter) -> None:
    import copy

    original = ChatVisionRouter(model="test/model", api_key=KEY, base_url=fake_router.url)
    try:
        for make_copy in (copy.deepcopy, lambda m: m.model_copy()):
            fake_router.reply(json=full_answer())
            duplicate = make_copy(original)
            assert duplicate._clients is not original._clients
            assert duplicate.invoke("hi").content == "all of it"
            del duplicate
            gc.collect()
        assert fake_router.wait_closed(2)
        fake_router.reply(json=full_answer())
        assert original.invoke("hi").content == "all of it"  # its own pool untouched
    finally:
        original.close()


def test_a_silent_router_is_cut_at_the_deadline_not_the_timeout(
    fake_router: FakeRouter, make_model: Any, caller: Caller
) -> None:
    gate = fake_router.hold()  # never set: no answer at all
    fake_router.reply(json=full_answer(), gate=gate)
    # The 60 s time-out would say so: the message names the deadline that cut the call.
    with pytest.raises(RequestTimeoutError, match="1s deadline"):
        caller.invoke(make_model(timeout=60, deadline=1.0))
