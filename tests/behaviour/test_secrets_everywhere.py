"""Issue 26, items 1-4: no key or header value in any repr, dump, error or log line.

Keys are stripped of surrounding whitespace and refused with whitespace inside (never
shown); every ``default_headers`` value is a secret unless its name is on the short
allow-list; an override of ``Authorization`` in any case replaces the key's; a
``base_url`` with a query is refused without showing the query.
"""

from __future__ import annotations

import logging
from typing import Any

import pytest
from langchain_core.load import dumps
from pydantic import ValidationError

from langchain_visionrouter import AuthenticationError, ChatVisionRouter, VisionRouterEmbeddings
from langchain_visionrouter._redaction import redact, register_header_secrets
from tests.fakerouter import FakeRouter
from tests.wire import completion

KEY = "sk-or-v1-issue26secretkey000000000000000000000000000000000000000000"
HEADER_SECRET = "apim-subscription-value-0123456789"
TOKEN_SECRET = "x-auth-token-value-9876543210"


def test_a_trailing_newline_in_the_key_is_stripped_and_the_call_works(fake_router: FakeRouter) -> None:
    fake_router.reply(json=completion(gen="gen-26", model="m", provider="P", content="fine"))
    with ChatVisionRouter(model="m", api_key=KEY + "\n", base_url=fake_router.url, max_retries=0) as llm:
        assert llm.invoke("hi").content == "fine"
    assert fake_router.requests[0].headers["Authorization"] == f"Bearer {KEY}"


def test_a_key_from_the_environment_is_stripped(fake_router: FakeRouter, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("VISIONROUTER_API_KEY", f"  {KEY}\r\n")
    fake_router.reply(json=completion(gen="gen-26", model="m", provider="P", content="fine"))
    with ChatVisionRouter(model="m", base_url=fake_router.url, max_retries=0) as llm:
        llm.invoke("hi")
    assert fake_router.requests[0].headers["Authorization"] == f"Bearer {KEY}"


@pytest.mark.parametrize("inner", ["\n", " ", "\t", "\x00", "\x7f"])
def test_a_key_with_whitespace_or_control_inside_is_refused_unseen(inner: str) -> None:
    key = KEY[:20] + inner + KEY[20:]
    with pytest.raises(ValidationError) as info:
        ChatVisionRouter(model="m", api_key=key)
    text = str(info.value)
    assert "api_key argument" in text and ("whitespace" in text or "control character" in text)
    assert KEY[:20] not in text and KEY[20:] not in text


def test_an_environment_key_with_a_newline_inside_is_refused_naming_the_variable(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("OPENROUTER_API_KEY", KEY[:20] + "\n" + KEY[20:])
    with pytest.raises(ValidationError) as info:
        ChatVisionRouter(model="m")
    assert "OPENROUTER_API_KEY" in str(info.value) and KEY[:20] not in str(info.value)


def _headers() -> dict[str, str]:
    return {"Ocp-Apim-Subscription-Key": HEADER_SECRET, "X-Auth-Token": TOKEN_SECRET, "X-Title": "my app"}


@pytest.mark.parametrize("cls", [ChatVisionRouter, VisionRouterEmbeddings])
def test_unknown_headers_are_masked_in_repr_dump_and_dumps(cls: Any) -> None:
    model = cls(model="m", api_key=KEY, default_headers=_headers())
    for shown in (repr(model), str(model.model_dump()), dumps(model)):
        assert HEADER_SECRET not in shown and TOKEN_SECRET not in shown and KEY not in shown
    assert model.model_dump()["default_headers"]["X-Title"] == "my app"  # allow-listed: shown
    if cls is ChatVisionRouter:  # the embeddings are not LangChain-serializable (dumps gives their repr)
        assert "VISIONROUTER_DEFAULT_HEADERS" in dumps(model)


def test_a_401_echoing_a_header_value_is_masked(fake_router: FakeRouter) -> None:
    fake_router.reply(401, json={"error": {"code": 401, "message": f"bad subscription key {HEADER_SECRET}"}})
    with (
        ChatVisionRouter(model="m", api_key=KEY, base_url=fake_router.url, default_headers=_headers()) as llm,
        pytest.raises(AuthenticationError) as info,
    ):
        llm.invoke("hi")
    assert HEADER_SECRET not in str(info.value) and HEADER_SECRET not in str(info.value.body)
    assert "***" in str(info.value)


def test_a_header_value_with_a_line_break_is_refused_unseen() -> None:
    with pytest.raises(ValidationError) as info:
        ChatVisionRouter(model="m", api_key=KEY, default_headers={"X-Auth-Token": "abc\nsecretpart"})
    assert "X-Auth-Token" in str(info.value) and "secretpart" not in str(info.value)


def test_an_escaped_header_value_is_masked_too() -> None:
    # httpx/h11 quote an illegal header value as a bytes repr, newline escaped.
    register_header_secrets({"X-Odd": "odd-secret\tvalue-42"})
    assert redact("Illegal header value b'odd-secret\\tvalue-42'") == "Illegal header value b'***'"


@pytest.mark.parametrize("name", ["authorization", "AUTHORIZATION", "Authorization"])
def test_an_authorization_override_in_any_case_replaces_the_key(fake_router: FakeRouter, name: str) -> None:
    fake_router.reply(json=completion(gen="gen-26", model="m", provider="P", content="ok"))
    with ChatVisionRouter(
        model="m", api_key=KEY, base_url=fake_router.url, default_headers={name: "Bearer the-override-0000"}
    ) as llm:
        llm.invoke("hi")
    sent = fake_router.requests[0].headers
    assert [v for k, v in sent.items() if k.lower() == "authorization"] == ["Bearer the-override-0000"]


@pytest.mark.parametrize(
    "url", ["https://gw.example/api/v1?key=abc123secret", "https://gw.example/api/v1#abc123secret"]
)
def test_a_base_url_with_a_query_or_fragment_is_refused_unseen(url: str, caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.DEBUG)
    with pytest.raises(ValidationError) as info:
        ChatVisionRouter(model="m", api_key=KEY, base_url=url, router="custom")
    text = str(info.value)
    assert "https://gw.example/api/v1" in text and ("query" in text or "fragment" in text)
    assert "abc123secret" not in text and "abc123secret" not in caplog.text


def test_the_env_base_url_with_a_query_is_refused(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("VISIONROUTER_BASE_URL", "https://gw.example/v1?token=abc123secret")
    with pytest.raises(ValidationError, match="query") as info:
        VisionRouterEmbeddings(model="m", api_key=KEY)
    assert "abc123secret" not in str(info.value)
