"""The API key never leaks: not in repr/str/dumps, LangChain serialization, exceptions
(even when the router echoes it back), DEBUG logs (ours, httpx's, httpcore's), pickles,
nor the callbacks tracers see.

Every probe searches for the key itself and for a distinctive fragment of it, so a
partly masked key would be caught too.
"""

from __future__ import annotations

import asyncio
import json
import logging
import pickle
import traceback
from typing import Any

import pytest
from langchain_core.callbacks import BaseCallbackHandler
from langchain_core.load import dumpd, dumps, loads

from langchain_visionrouter import (
    AuthenticationError,
    ChatVisionRouter,
    ProviderError,
    StreamError,
    VisionRouterError,
)
from langchain_visionrouter._redaction import MASK
from langchain_visionrouter._wire import http as transport
from tests.fakerouter import FakeRouter

KEY = "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"
FRAGMENT = "a11ce0b0b"  # appears only inside the key


def assert_clean(*things: Any) -> None:
    for thing in things:
        text = thing if isinstance(thing, str) else repr(thing)
        if isinstance(thing, bytes):
            text = thing.decode("latin-1")
        assert KEY not in text and FRAGMENT not in text, f"the key leaked into: {text[:300]}"


def ok_body(content: str = "fine") -> dict[str, Any]:
    return {"id": "gen-1", "choices": [{"index": 0, "finish_reason": "stop", "message": {"content": content}}]}


@pytest.fixture
def model(make_model: Any) -> ChatVisionRouter:
    return make_model(model="m", api_key=KEY, max_retries=1)  # type: ignore[no-any-return]


@pytest.fixture(autouse=True)
def fast_backoff(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(transport, "INITIAL_BACKOFF", 0.01)


# ---------------------------------------------------------------------------
# The model object


def test_key_is_sent(fake_router: FakeRouter, model: ChatVisionRouter) -> None:
    # The probes below mean something only if the key is really in use.
    fake_router.reply(json=ok_body())
    model.invoke("hi")
    assert fake_router.requests[0].headers["Authorization"] == f"Bearer {KEY}"
    assert model.api_key is not None and model.api_key.get_secret_value() == KEY


def test_not_in_repr_str_or_dumps(model: ChatVisionRouter) -> None:
    assert_clean(
        repr(model),
        str(model),
        f"{model}",
        model.model_dump(),
        str(model.model_dump()),
        model.model_dump(mode="json"),
        model.model_dump_json(),
        model.__dict__,
        model._identifying_params,
        model._get_ls_params(),
        model._get_invocation_params(),
        model.model_fields_set,
    )


@pytest.mark.filterwarnings("ignore:The function `loads` is in beta")
def test_not_in_langchain_serialization(model: ChatVisionRouter) -> None:
    serialized = dumpd(model)
    text = dumps(model)
    assert_clean(json.dumps(serialized), text, dumps(model, pretty=True), model.to_json())
    assert serialized["kwargs"]["api_key"] == {"lc": 1, "type": "secret", "id": ["VISIONROUTER_API_KEY"]}
    # ... and the serialized model is still usable: the key comes back from the secrets map.
    restored = loads(
        text,
        secrets_map={"VISIONROUTER_API_KEY": KEY},
        valid_namespaces=["langchain_visionrouter"],
        allowed_objects=[ChatVisionRouter],
    )
    assert isinstance(restored, ChatVisionRouter)
    assert restored.api_key is not None and restored.api_key.get_secret_value() == KEY
    restored.close()


def test_key_from_the_environment_is_not_serialized_either(
    fake_router: FakeRouter, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("VISIONROUTER_API_KEY", KEY)
    llm = ChatVisionRouter(model="m", base_url=fake_router.url)
    assert llm.api_key is not None and llm.api_key.get_secret_value() == KEY
    assert_clean(repr(llm), llm.model_dump_json(), dumps(llm), json.dumps(dumpd(llm)))


def test_not_in_pickles(model: ChatVisionRouter, monkeypatch: pytest.MonkeyPatch) -> None:
    data = pickle.dumps(model)
    assert_clean(data)
    monkeypatch.setenv("VISIONROUTER_API_KEY", "sk-or-v1-from-the-environment-0000000000")
    restored = pickle.loads(data)
    assert restored.api_key.get_secret_value() == "sk-or-v1-from-the-environment-0000000000"
    restored.close()


def test_not_in_copies_repr(model: ChatVisionRouter) -> None:
    bound = model.bind(temperature=0)
    tooled = model.bind_tools([{"type": "function", "function": {"name": "f", "parameters": {}}}])
    assert_clean(repr(bound), repr(tooled), repr(model.model_copy()), dumps(bound))


def test_not_in_what_callbacks_and_tracers_see(fake_router: FakeRouter, model: ChatVisionRouter) -> None:
    seen: list[Any] = []

    class Spy(BaseCallbackHandler):
        def on_chat_model_start(self, serialized: Any, messages: Any, **kwargs: Any) -> None:
            seen.append((serialized, kwargs))

        def on_llm_end(self, response: Any, **kwargs: Any) -> None:
            seen.append(response)

    fake_router.reply(json=ok_body())
    model.invoke("hi", config={"callbacks": [Spy()]})
    assert len(seen) == 2
    assert_clean(json.dumps(seen, default=repr))


# ---------------------------------------------------------------------------
# Exceptions, including a router that echoes the key back


def _all_views(exc: BaseException) -> list[Any]:
    return [
        str(exc),
        repr(exc),
        exc.args,
        "".join(traceback.format_exception(exc)),
        pickle.dumps(exc),
        getattr(exc, "body", None),
        getattr(exc, "metadata", None),
        getattr(exc, "message", None),
    ]


@pytest.mark.parametrize(
    "reply",
    [
        {"json": {"error": {"code": 401, "message": f"Invalid API key: {KEY}"}}},
        {"json": {"error": {"code": 401, "message": "No auth", "metadata": {"raw": f"Authorization: Bearer {KEY}"}}}},
        {"body": f"401 Unauthorized\nAuthorization: Bearer {KEY}\n"},
        {
            "json": {
                "error": {"code": 401, "message": "bad key"},
                "echo": {"headers": {"authorization": f"Bearer {KEY}"}},
            }
        },
    ],
    ids=["in-message", "in-metadata-raw", "plain-text-body", "in-extra-field"],
)
@pytest.mark.parametrize("mode", ["sync", "async"])
def test_not_in_a_401_that_echoes_it(
    fake_router: FakeRouter, model: ChatVisionRouter, reply: dict[str, Any], mode: str
) -> None:
    fake_router.reply(401, **reply)
    with pytest.raises(AuthenticationError) as info:
        model.invoke("hi") if mode == "sync" else asyncio.run(model.ainvoke("hi"))
    assert_clean(*_all_views(info.value))
    assert MASK in str(info.value) or MASK in json.dumps(info.value.body)  # masked, not dropped
    assert info.value.status_code == 401


def test_not_in_a_stream_error_chunk_that_echoes_it(fake_router: FakeRouter, model: ChatVisionRouter) -> None:
    chunk = {"choices": [{"index": 0, "delta": {"content": "partial"}}]}
    failure = {"error": {"code": 502, "message": f"upstream rejected key {KEY}"}, "choices": []}
    fake_router.reply_sse([chunk, failure, "[DONE]"])
    with pytest.raises(StreamError) as info:
        list(model.stream("hi"))
    assert_clean(*_all_views(info.value))
    assert info.value.partial.content == "partial"


def test_not_in_a_200_error_body_or_after_retries(fake_router: FakeRouter, model: ChatVisionRouter) -> None:
    fake_router.reply(200, json={"error": {"code": 503, "message": f"overloaded ({KEY})"}})
    fake_router.reply(503, json={"error": {"code": 503, "message": f"still overloaded ({KEY})"}})
    with pytest.raises(ProviderError) as info:
        model.invoke("hi")
    assert len(fake_router.requests) == 2
    assert_clean(*_all_views(info.value))


def test_not_in_connection_errors(fake_router: FakeRouter) -> None:
    llm = ChatVisionRouter(model="m", api_key=KEY, base_url="http://127.0.0.1:9/v1", max_retries=0, timeout=2)
    with pytest.raises(VisionRouterError) as info:
        llm.invoke("hi")
    assert_clean(*_all_views(info.value))
    llm.close()


def test_custom_credential_headers_are_masked_too(fake_router: FakeRouter) -> None:
    other = "gateway-secret-0123456789abcdef"
    llm = ChatVisionRouter(
        model="m", router="custom", base_url=fake_router.url, default_headers={"X-Api-Key": other}, max_retries=0
    )
    fake_router.reply(403, json={"error": {"code": 403, "message": f"key {other} is not allowed"}})
    with pytest.raises(VisionRouterError) as info:
        llm.invoke("hi")
    assert other not in str(info.value) and other not in repr(info.value.body)
    llm.close()


@pytest.mark.filterwarnings("ignore:The function `loads` is in beta")
def test_credential_headers_in_default_headers_stay_out_of_reprs_dumps_and_serialization(
    fake_router: FakeRouter,
) -> None:
    headers = {"X-Api-Key": KEY, "Authorization": f"Bearer {KEY}", "X-Team": "vision"}
    llm = ChatVisionRouter(model="m", router="custom", base_url=fake_router.url, default_headers=headers)
    assert_clean(repr(llm), str(llm), llm.model_dump(), llm.model_dump_json(), repr(llm.bind(temperature=0)))
    # Every value but an allow-listed header's is masked (issue 26): X-Team is not on the list.
    assert llm.model_dump()["default_headers"] == {"X-Api-Key": MASK, "Authorization": MASK, "X-Team": MASK}
    text = dumps(llm)
    assert_clean(text, json.dumps(dumpd(llm)))
    assert dumpd(llm)["kwargs"]["default_headers"] == {
        "lc": 1,
        "type": "secret",
        "id": ["VISIONROUTER_DEFAULT_HEADERS"],
    }
    # Only allow-listed headers are plain kwargs; any other makes the whole dict a secret.
    plain = ChatVisionRouter(model="m", router="custom", base_url=fake_router.url, default_headers={"X-Title": "v"})
    assert dumpd(plain)["kwargs"]["default_headers"] == {"X-Title": "v"}
    plain.close()
    # The model itself still sends them, and so does one loaded with its secrets.
    restored = loads(
        text,
        secrets_map={"VISIONROUTER_DEFAULT_HEADERS": headers},
        valid_namespaces=["langchain_visionrouter"],
        allowed_objects=[ChatVisionRouter],
    )
    fake_router.reply(200, json=ok_body())
    fake_router.reply(200, json=ok_body())
    for model in (llm, restored):
        model.invoke("hi")
        sent = {k.lower(): v for k, v in fake_router.requests[-1].headers.items()}
        assert sent["x-api-key"] == KEY and sent["authorization"] == f"Bearer {KEY}" and sent["x-team"] == "vision"
        model.close()


# ---------------------------------------------------------------------------
# Logs at DEBUG: ours, httpx's and httpcore's


def test_not_in_debug_logs(fake_router: FakeRouter, model: ChatVisionRouter, caplog: pytest.LogCaptureFixture) -> None:
    fake_router.reply(500, json={"error": {"code": 500, "message": "boom"}})  # a retry, logged
    fake_router.reply(json=ok_body())
    fake_router.reply_sse([{"choices": [{"index": 0, "delta": {"content": "s"}, "finish_reason": "stop"}]}])
    fake_router.reply(401, json={"error": {"code": 401, "message": f"bad key {KEY}"}})
    fake_router.reply(502, json={"error": {"code": 502, "message": "x"}})
    fake_router.reply(502, json={"error": {"code": 502, "message": "y"}})
    with caplog.at_level(logging.DEBUG):
        assert model.invoke("hi").content == "fine"
        assert "".join(c.text for c in model.stream("hi")) == "s"
        with pytest.raises(AuthenticationError) as auth:
            model.invoke("hi")
        logging.getLogger("app").exception("call failed: %s", auth.value)  # what an app would log
        with pytest.raises(ProviderError):
            asyncio.run(model.ainvoke("hi"))
    names = {record.name.split(".")[0] for record in caplog.records}
    assert {"httpx", "httpcore", "langchain_visionrouter"} <= names  # the loggers did log
    assert any("retry" in record.getMessage() for record in caplog.records)
    assert_clean(caplog.text)
    for record in caplog.records:
        assert_clean(record.getMessage(), record.args, record.exc_text or "")


def test_request_repr_hides_headers(model: ChatVisionRouter) -> None:
    req = model._prepare([], None, {}, stream=False).request
    assert req.headers["Authorization"] == f"Bearer {KEY}"
    assert_clean(repr(req), str(req))
