"""_http: a body in pieces (big inline images) goes out whole, under one Content-Length,
on sync and async clients, again on a retry, to event hooks and through vcrpy."""

from __future__ import annotations

import base64
import json
import random
from pathlib import Path
from typing import Any

import httpx
import vcr
from langchain_core.messages import HumanMessage

from langchain_visionrouter import ChatVisionRouter
from langchain_visionrouter._wire.body import BIG_STRING

ANSWER = {
    "id": "gen-1",
    "model": "m",
    "choices": [{"index": 0, "finish_reason": "stop", "message": {"role": "assistant", "content": "a cat"}}],
}


def big_image_message() -> tuple[HumanMessage, str]:
    # A PNG's header and end around random bytes: the image is checked only at its two ends.
    header = b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x01\x00\x00\x00\x01\x00\x08\x02\x00\x00\x00"
    raw = header + random.Random(7).randbytes(BIG_STRING) + b"\x00\x00\x00\x00IEND\xaeB`\x82"
    url = "data:image/png;base64," + base64.b64encode(raw).decode("ascii")
    content: list[Any] = [{"type": "text", "text": "what is it?"}, {"type": "image_url", "image_url": {"url": url}}]
    return HumanMessage(content=content), url


def expected_body(url: str) -> dict[str, Any]:
    parts = [{"type": "text", "text": "what is it?"}, {"type": "image_url", "image_url": {"url": url}}]
    return {"model": "m", "messages": [{"role": "user", "content": parts}]}


def check_sent(recorded: Any, url: str) -> None:
    headers = {k.lower(): v for k, v in recorded.headers.items()}
    assert "transfer-encoding" not in headers  # not chunked: some gateways refuse chunked bodies
    assert int(headers["content-length"]) == len(recorded.body)
    assert json.loads(recorded.body) == expected_body(url)


def test_sync_body_in_pieces_arrives_whole(fake_router: Any) -> None:
    message, url = big_image_message()
    fake_router.reply(json=ANSWER)
    with ChatVisionRouter(model="m", api_key="k", base_url=fake_router.url, max_retries=0) as model:
        assert model.invoke([message]).content == "a cat"
    check_sent(fake_router.requests[0], url)


async def test_async_body_in_pieces_arrives_whole(fake_router: Any) -> None:
    message, url = big_image_message()
    fake_router.reply(json=ANSWER)
    async with ChatVisionRouter(model="m", api_key="k", base_url=fake_router.url, max_retries=0) as model:
        assert (await model.ainvoke([message])).content == "a cat"
    check_sent(fake_router.requests[0], url)


def test_a_retry_sends_the_whole_body_again(fake_router: Any, monkeypatch: Any) -> None:
    monkeypatch.setattr("langchain_visionrouter._wire.http.retry_delay", lambda attempt, asked, first=None: 0.0)
    message, url = big_image_message()
    fake_router.reply(503, json={"error": {"code": 503, "message": "overloaded"}})
    fake_router.reply(json=ANSWER)
    with ChatVisionRouter(model="m", api_key="k", base_url=fake_router.url, max_retries=1) as model:
        assert model.invoke([message]).content == "a cat"
    assert len(fake_router.requests) == 2
    for recorded in fake_router.requests:
        check_sent(recorded, url)


def test_event_hooks_can_read_the_body(fake_router: Any) -> None:
    message, url = big_image_message()
    seen: list[bytes] = []
    fake_router.reply(json=ANSWER)
    with httpx.Client(event_hooks={"request": [lambda request: seen.append(request.content)]}) as client:
        model = ChatVisionRouter(model="m", api_key="k", base_url=fake_router.url, max_retries=0, http_client=client)
        assert model.invoke([message]).content == "a cat"
    assert json.loads(seen[0]) == expected_body(url)
    check_sent(fake_router.requests[0], url)


def test_vcrpy_records_and_replays_a_body_in_pieces(fake_router: Any, tmp_path: Path) -> None:
    message, url = big_image_message()
    fake_router.reply(json=ANSWER)
    cassette = str(tmp_path / "pieces.yaml")
    with (
        vcr.VCR(record_mode="all").use_cassette(cassette),
        ChatVisionRouter(model="m", api_key="k", base_url=fake_router.url, max_retries=0) as model,
    ):
        assert model.invoke([message]).content == "a cat"
    check_sent(fake_router.requests[0], url)
    with vcr.VCR(record_mode="none").use_cassette(cassette) as replay:
        with ChatVisionRouter(model="m", api_key="k", base_url=fake_router.url, max_retries=0) as model:
            assert model.invoke([message]).content == "a cat"
        assert replay.play_count == 1
        assert json.loads(replay.requests[0].body) == expected_body(url)
    assert len(fake_router.requests) == 1  # the replay never reached the server
