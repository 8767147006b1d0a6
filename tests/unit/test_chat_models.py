"""chat_models.py: construction, settings resolution, and the request the model builds."""

from __future__ import annotations

import json

import pytest
from langchain_core.load import dumpd, dumps

from langchain_visionrouter import ChatVisionRouter


def test_api_key_resolution_order(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("OPENROUTER_API_KEY", "from-router-var")
    assert ChatVisionRouter(model="m").api_key.get_secret_value() == "from-router-var"  # type: ignore[union-attr]
    monkeypatch.setenv("VISIONROUTER_API_KEY", "from-our-var")
    assert ChatVisionRouter(model="m").api_key.get_secret_value() == "from-our-var"  # type: ignore[union-attr]
    assert ChatVisionRouter(model="m", api_key="explicit").api_key.get_secret_value() == "explicit"  # type: ignore[union-attr]


def test_infron_uses_its_own_variable_and_url(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("OPENROUTER_API_KEY")
    monkeypatch.setenv("INFRON_API_KEY", "infron-key")
    model = ChatVisionRouter(model="m", router="infron")
    assert model.api_key.get_secret_value() == "infron-key"  # type: ignore[union-attr]
    assert model.base_url == "https://llm.onerouter.pro/v1"


def test_missing_key_is_a_clear_error(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("OPENROUTER_API_KEY")
    with pytest.raises(ValueError, match="VISIONROUTER_API_KEY or OPENROUTER_API_KEY"):
        ChatVisionRouter(model="m")


def test_unknown_router_lists_known(monkeypatch: pytest.MonkeyPatch) -> None:
    with pytest.raises(ValueError, match="Known routers: 'openrouter', 'infron', 'custom'"):
        ChatVisionRouter(model="m", router="openai")


def test_base_url_from_env_and_custom_router(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("VISIONROUTER_BASE_URL", "http://127.0.0.1:9/v1")
    assert ChatVisionRouter(model="m").base_url == "http://127.0.0.1:9/v1"
    monkeypatch.delenv("VISIONROUTER_BASE_URL")
    with pytest.raises(ValueError, match="base_url"):
        ChatVisionRouter(model="m", router="custom")
    local = ChatVisionRouter(model="m", router="custom", base_url="http://localhost:8000/v1")
    assert "Authorization" not in local._template().headers  # a local gateway may need no key


def test_headers() -> None:
    model = ChatVisionRouter(
        model="m", api_key="k", app_url="https://app.test", app_title="My App", default_headers={"X-Extra": "1"}
    )
    headers = model._template().stream_headers
    assert headers["Authorization"] == "Bearer k"
    assert headers["HTTP-Referer"] == "https://app.test"
    assert headers["X-Title"] == headers["X-OpenRouter-Title"] == "My App"
    assert headers["X-Extra"] == "1"
    assert headers["Accept"] == "text/event-stream"
    assert headers["User-Agent"].startswith("langchain-visionrouter/")


def test_payload_is_strict_in_what_it_sends() -> None:
    model = ChatVisionRouter(
        model="m", api_key="k", temperature=0.2, max_tokens=50, stop=[], model_kwargs={"modalities": ["text"]}
    )
    payload = model._prepare([], None, {}, stream=False).body
    assert payload == {"model": "m", "messages": [], "temperature": 0.2, "max_tokens": 50, "modalities": ["text"]}
    per_call = model._prepare([], ["END"], {"model": "other/model", "seed": 7}, stream=True).body
    assert per_call["model"] == "other/model"
    assert per_call["stop"] == ["END"]
    assert per_call["seed"] == 7
    assert per_call["stream"] is True and per_call["stream_options"] == {"include_usage": True}
    assert "stream_options" not in model._prepare([], None, {"stream_usage": False}, stream=True).body


def test_infron_opts_in_to_usage() -> None:
    model = ChatVisionRouter(model="m", router="infron", api_key="k")
    assert model._prepare([], None, {}, stream=False).body["usage"] == {"include": True}
    streamed = model._prepare([], None, {}, stream=True).body
    assert streamed["usage"] == {"include": True} and streamed["stream_options"] == {"include_usage": True}
    assert "usage" not in ChatVisionRouter(model="m", api_key="k")._prepare([], None, {}, stream=False).body


def test_model_kwargs_override_constructor_fields_and_per_call_values_override_both() -> None:
    model = ChatVisionRouter(model="m", api_key="k", temperature=0.2, model_kwargs={"temperature": 1})
    assert model._prepare([], None, {}, stream=False).body["temperature"] == 1
    assert model._prepare([], None, {"temperature": 0.5}, stream=False).body["temperature"] == 0.5


def test_ls_params() -> None:
    model = ChatVisionRouter(model="m", api_key="k", temperature=0.5, max_tokens=9, stop="x")
    assert model._get_ls_params() == {
        "ls_provider": "openrouter",
        "ls_model_name": "m",
        "ls_model_type": "chat",
        "ls_temperature": 0.5,
        "ls_max_tokens": 9,
        "ls_stop": ["x"],
    }
    assert model._get_ls_params(model="override")["ls_model_name"] == "override"


def test_secret_never_in_repr_or_serialization() -> None:
    model = ChatVisionRouter(model="m", api_key="sk-or-v1-supersecretvalue")
    for text in (repr(model), str(model), json.dumps(model.model_dump(), default=str), dumps(model)):
        assert "supersecretvalue" not in text
    assert dumpd(model)["kwargs"]["api_key"] == {"lc": 1, "type": "secret", "id": ["VISIONROUTER_API_KEY"]}


def test_model_name_alias() -> None:
    assert ChatVisionRouter(model_name="a/b", api_key="k").model == "a/b"
