"""Error messages read as a user reads them (issue 16, item 6).

A 401 says the key was refused and where it came from (never the key); a connection
error names the URL (credentials removed); a final 429 says how many attempts were made
over how long; the no-image-endpoint rewrite never names one model as both unable and
able to see.
"""

from __future__ import annotations

import asyncio
import socket
from collections.abc import Iterator
from typing import Any

import pytest
from langchain_core.messages import HumanMessage

from langchain_visionrouter import ChatVisionRouter, clear_catalog_cache
from langchain_visionrouter.errors import APIConnectionError, AuthenticationError, NotFoundError, RateLimitError

KEY = "sk-or-v1-0123456789abcdef-REFUSED"
UNAUTHORIZED = {"error": {"message": "User not found.", "code": 401}}
IMAGE = HumanMessage(content=["What is this?", {"type": "image", "url": "https://example.com/cat.png"}])


@pytest.fixture(autouse=True)
def _fresh_catalog() -> Iterator[None]:
    clear_catalog_cache()
    yield
    clear_catalog_cache()


def test_401_names_the_variable_the_key_came_from_never_the_key(
    fake_router: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("VISIONROUTER_API_KEY", raising=False)
    monkeypatch.setenv("OPENROUTER_API_KEY", KEY)
    fake_router.reply(401, json=UNAUTHORIZED)
    with ChatVisionRouter(model="m", base_url=fake_router.url) as llm, pytest.raises(AuthenticationError) as info:
        llm.invoke("hi")
    text = str(info.value)
    assert info.value.message == "User not found."  # the router's words, kept as they were
    assert "refused the API key from OPENROUTER_API_KEY" in text
    assert "User not found." in text and info.value.status_code == 401
    assert KEY not in text and KEY not in repr(info.value.__dict__)


def test_401_for_a_key_given_as_an_argument_and_for_no_key(fake_router: Any) -> None:
    fake_router.reply(401, json=UNAUTHORIZED)
    fake_router.reply(401, json=UNAUTHORIZED)
    with (
        ChatVisionRouter(model="m", api_key=KEY, base_url=fake_router.url) as llm,
        pytest.raises(AuthenticationError, match="refused the API key from the api_key argument"),
    ):
        llm.invoke("hi")
        with pytest.raises(AuthenticationError, match="refused the API key from the api_key argument"):
            list(llm.stream("hi"))
    fake_router.reply(401, json=UNAUTHORIZED)
    with (
        ChatVisionRouter(model="m", router="custom", base_url=fake_router.url) as gateway,
        pytest.raises(AuthenticationError, match=r"no API key was sent.*VISIONROUTER_API_KEY"),
    ):
        asyncio.run(gateway.ainvoke("hi"))


def _closed_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def test_connection_error_names_the_url_without_credentials() -> None:
    url = f"http://alice:s3cret-password@127.0.0.1:{_closed_port()}/v1"
    with (
        ChatVisionRouter(model="m", router="custom", base_url=url, max_retries=0) as llm,
        pytest.raises(APIConnectionError) as info,
    ):
        llm.invoke("hi")
    text = str(info.value)
    assert f"127.0.0.1:{url.rsplit(':', 1)[1].split('/')[0]}/v1/chat/completions" in text
    assert "s3cret-password" not in text and "alice" not in text


def test_final_rate_limit_error_says_how_many_attempts_over_how_long(fake_router: Any) -> None:
    for _ in range(3):
        fake_router.reply(
            429, json={"error": {"message": "Rate limit exceeded", "code": 429}}, headers={"Retry-After": "0"}
        )
    with (
        ChatVisionRouter(model="m", api_key=KEY, base_url=fake_router.url, max_retries=2) as llm,
        pytest.raises(RateLimitError) as info,
    ):
        llm.invoke("hi")
    assert len(fake_router.requests) == 3
    text = str(info.value)
    assert "Rate limit exceeded" in text and "gave up after 3 attempts over" in text and "max_retries=2" in text
    assert info.value.message == "Rate limit exceeded" and info.value.attempts == 3
    assert info.value.status_code == 429


def _catalog(*vision: str) -> dict[str, Any]:
    entries = [{"id": m, "architecture": {"input_modalities": ["text", "image"]}} for m in vision]
    entries.append({"id": "acme/text", "architecture": {"input_modalities": ["text"]}})
    return {"data": entries}


NO_IMAGE_ENDPOINT = {"error": {"message": "No endpoints found that support image input", "code": 404}}


def test_no_image_endpoint_for_a_vision_model_does_not_contradict_itself(fake_router: Any) -> None:
    fake_router.reply(404, json=NO_IMAGE_ENDPOINT)
    fake_router.reply(json=_catalog("acme/vision", "acme/vision-2"))
    with (
        ChatVisionRouter(model="acme/vision", api_key=KEY, base_url=fake_router.url, provider={"only": ["x"]}) as llm,
        pytest.raises(NotFoundError) as info,
    ):
        llm.invoke([IMAGE])
    text = str(info.value)
    assert "acme/vision cannot take image input" not in text
    assert "provider preferences" in text and "acme/vision-2" in text
    suggestions = text.split("Vision-capable models include: ")[1]
    assert "acme/vision," not in suggestions and not suggestions.startswith("acme/vision.")


def test_no_image_endpoint_for_a_text_model_suggests_others(fake_router: Any) -> None:
    fake_router.reply(404, json=NO_IMAGE_ENDPOINT)
    fake_router.reply(json=_catalog("acme/vision"))
    with (
        ChatVisionRouter(model="acme/text", api_key=KEY, base_url=fake_router.url) as llm,
        pytest.raises(NotFoundError, match=r"acme/text cannot take image input.*include: acme/vision"),
    ):
        llm.invoke([IMAGE])
