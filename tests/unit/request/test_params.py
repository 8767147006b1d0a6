"""Router features as typed parameters: what reaches the router, on both routers, set on the
constructor, per call and through ``bind``; and what is refused before any request."""

from __future__ import annotations

from typing import Any

import pytest
from langchain_core.load import dumps, loads
from langchain_core.messages import HumanMessage, SystemMessage
from pydantic import BaseModel, ValidationError

from langchain_visionrouter import (
    ChatVisionRouter,
    InvalidInputError,
    ProviderPreferences,
    ReasoningConfig,
    file_parser_plugin,
    web_plugin,
)
from langchain_visionrouter._request.params import ROUTER_PARAMS, merge_params, router_body, validate_param
from langchain_visionrouter._router.presets import get_router

ANSWER = {
    "id": "gen-1",
    "model": "openai/gpt-4o-mini",
    "choices": [{"index": 0, "finish_reason": "stop", "message": {"role": "assistant", "content": "ok"}}],
    "usage": {"prompt_tokens": 3, "completion_tokens": 1, "total_tokens": 4, "cost": 0.00001},
}

# (keyword arguments, what the OpenRouter request body must contain). Infron differs only in
# the fallback list's name (checked by ``_expected``).
CASES: list[tuple[dict[str, Any], dict[str, Any]]] = [
    ({"models": ["anthropic/claude-3.5-sonnet", "google/gemini-2.0-flash-001"]},
     {"models": ["anthropic/claude-3.5-sonnet", "google/gemini-2.0-flash-001"]}),
    ({"provider": {"order": ["openai", "azure"], "allow_fallbacks": False, "data_collection": "deny"}},
     {"provider": {"order": ["openai", "azure"], "allow_fallbacks": False, "data_collection": "deny"}}),
    ({"provider": ProviderPreferences(only=["openai"], zdr=True, sort="throughput", quantizations=["fp8"])},
     {"provider": {"only": ["openai"], "zdr": True, "sort": "throughput", "quantizations": ["fp8"]}}),
    ({"provider": {"ignore": ["deepinfra"], "require_parameters": True, "preferred_min_throughput": 50,
                   "preferred_max_latency": {"p90": 2.5}}},
     {"provider": {"ignore": ["deepinfra"], "require_parameters": True, "preferred_min_throughput": 50,
                   "preferred_max_latency": {"p90": 2.5}}}),
    ({"plugins": [file_parser_plugin("mistral-ocr"), web_plugin(max_results=2, search_prompt="Sources:")]},
     {"plugins": [{"id": "file-parser", "pdf": {"engine": "mistral-ocr"}},
                  {"id": "web", "max_results": 2, "search_prompt": "Sources:"}]}),
    ({"plugins": [{"id": "response-healing"}, {"id": "context-compression", "enabled": False}]},
     {"plugins": [{"id": "response-healing"}, {"id": "context-compression", "enabled": False}]}),
    ({"reasoning": {"effort": "low", "exclude": True}}, {"reasoning": {"effort": "low", "exclude": True}}),
    ({"reasoning": ReasoningConfig(max_tokens=2000, enabled=True)},
     {"reasoning": {"max_tokens": 2000, "enabled": True}}),
    ({"route": "fallback"}, {"route": "fallback"}),
    ({"transforms": ["middle-out"]}, {"transforms": ["middle-out"]}),
    ({"transforms": []}, {"transforms": []}),
    ({"session_id": "session-7"}, {"session_id": "session-7"}),
    ({"trace": {"trace_id": "t-1", "span_name": "caption"}}, {"trace": {"trace_id": "t-1", "span_name": "caption"}}),
    ({"router_metadata": {"team": "vision", "ticket": "42"}}, {"metadata": {"team": "vision", "ticket": "42"}}),
    ({"user": "user-42"}, {"user": "user-42"}),
    ({"top_k": 40}, {"top_k": 40}),
    ({"repetition_penalty": 1.1}, {"repetition_penalty": 1.1}),
    ({"min_p": 0.05}, {"min_p": 0.05}),
    ({"top_a": 0.2}, {"top_a": 0.2}),
    ({"logit_bias": {50256: -100, "1234": 5}}, {"logit_bias": {"50256": -100, "1234": 5}}),
    ({"logprobs": True}, {"logprobs": True}),
    ({"logprobs": True, "top_logprobs": 3}, {"logprobs": True, "top_logprobs": 3}),
    ({"prediction": {"type": "content", "content": "The old text."}},
     {"prediction": {"type": "content", "content": "The old text."}}),
    ({"cache_control": {"type": "ephemeral"}}, {"cache_control": {"type": "ephemeral"}}),
    ({"cache_control": {"type": "ephemeral", "ttl": "1h"}}, {"cache_control": {"type": "ephemeral", "ttl": "1h"}}),
    ({"prompt_cache_key": "user-7"}, {"prompt_cache_key": "user-7"}),
    ({"prompt_cache_options": {"mode": "explicit", "ttl": "30m"}},
     {"prompt_cache_options": {"mode": "explicit", "ttl": "30m"}}),
    ({"modalities": ["image", "text"], "image_config": {"aspect_ratio": "16:9", "image_size": "4K"}},
     {"modalities": ["image", "text"], "image_config": {"aspect_ratio": "16:9", "image_size": "4K"}}),
    ({"audio": {"voice": "alloy", "format": "wav"}}, {"audio": {"voice": "alloy", "format": "wav"}}),
    ({"router_preset": "email-copywriter"}, {"preset": "email-copywriter"}),
]  # fmt: skip
ROUTERS = ["openrouter", "infron"]
MODES = ["constructor", "invoke", "bind"]


def test_every_router_parameter_has_a_case() -> None:
    covered = {name for kwargs, _ in CASES for name in kwargs}
    assert covered == set(ROUTER_PARAMS)


_OPEN: list[ChatVisionRouter] = []


@pytest.fixture(autouse=True)
def _close_models() -> Any:
    yield
    while _OPEN:
        _OPEN.pop().close()


def _model(router: Any, name: str = "openrouter", **kwargs: Any) -> ChatVisionRouter:
    llm = ChatVisionRouter(
        model="openai/gpt-4o-mini", api_key="k", base_url=router.url, router=name, max_retries=0, **kwargs
    )
    _OPEN.append(llm)
    return llm


def _expected(body: dict[str, Any], router: str) -> dict[str, Any]:
    if router == "infron" and "models" in body:
        body = {("fallback_models" if k == "models" else k): v for k, v in body.items()}
    return body


def _send(fake_router: Any, router: str, mode: str, kwargs: dict[str, Any]) -> dict[str, Any]:
    fake_router.reply(json=ANSWER)
    if mode == "constructor":
        llm = _model(fake_router, router, **kwargs)
        llm.invoke("hi")
    elif mode == "invoke":
        llm = _model(fake_router, router)
        llm.invoke("hi", **kwargs)
    else:
        llm = _model(fake_router, router)
        llm.bind(**kwargs).invoke("hi")
    body: dict[str, Any] = fake_router.requests[-1].json
    return body


@pytest.mark.parametrize("mode", MODES)
@pytest.mark.parametrize("router", ROUTERS)
@pytest.mark.parametrize(("kwargs", "wire"), CASES, ids=[",".join(k) for k, _ in CASES])
def test_parameter_reaches_the_router(
    fake_router: Any, router: str, mode: str, kwargs: dict[str, Any], wire: dict[str, Any]
) -> None:
    body = _send(fake_router, router, mode, kwargs)
    expected = _expected(wire, router)
    for key, value in expected.items():
        assert body[key] == value, key
    # Nothing else router-specific leaked in, and nothing under the other router's name.
    extra = set(body) - set(expected) - {"model", "messages", "usage"}
    assert not extra
    if router == "infron":
        assert "models" not in body
        assert body["usage"] == {"include": True}
    else:
        assert "fallback_models" not in body and "usage" not in body


@pytest.mark.parametrize("router", ROUTERS)
async def test_parameters_reach_the_router_when_streaming_and_async(fake_router: Any, router: str) -> None:
    choice = {"index": 0, "delta": {"content": "ok"}, "finish_reason": "stop"}
    chunk = {"id": "gen-2", "model": "m", "choices": [choice]}
    fake_router.reply_sse([chunk, "[DONE]"])
    fake_router.reply(json=ANSWER)
    llm = _model(fake_router, router, provider={"order": ["openai"]})
    extra = {"models": ["a/b"], "reasoning": {"effort": "high"}, "router_metadata": {"k": "v"}}
    assert "".join(c.text for c in llm.stream("hi", **extra)) == "ok"
    await llm.ainvoke("hi", session_id="s-1", provider={"sort": "price"})
    await llm.aclose()
    streamed, async_body = (r.json for r in fake_router.requests)
    fallback = "fallback_models" if router == "infron" else "models"
    assert streamed["stream"] is True
    assert streamed[fallback] == ["a/b"]
    assert streamed["reasoning"] == {"effort": "high"}
    assert streamed["metadata"] == {"k": "v"}
    assert streamed["provider"] == {"order": ["openai"]}
    assert async_body["session_id"] == "s-1"
    assert async_body["provider"] == {"order": ["openai"], "sort": "price"}


# -- refused before any request ------------------------------------------------------------------

INVALID: list[tuple[str, Any, str]] = [
    ("models", "openai/gpt-4o", "list of model ids"),
    ("models", [], "at least 1"),
    ("models", [""], "at least 1 character"),
    # Unknown keys and enum values are sent (tests/behaviour/test_router_openness.py); wrong types are not.
    ("provider", {"order": "openai"}, "order"),
    ("provider", {"data_collection": 0}, "data_collection"),
    ("provider", {"sort": 1}, "sort"),
    ("provider", {"max_price": {"prompt": -1}}, "max_price.prompt"),
    ("provider", {"max_price": {"audio": "cheap"}}, "max_price.audio"),
    ("provider", {"enforce_distillable_text": "maybe"}, "enforce_distillable_text"),
    ("plugins", [{"engine": "exa"}], "needs an 'id'"),
    ("plugins", [{"id": "file-parser", "pdf": "mistral-ocr"}], "pdf"),
    ("plugins", [{"id": "web", "max_results": 0}], "max_results"),
    ("plugins", [{"id": "web", "include_domains": "example.com"}], "include_domains"),
    ("reasoning", {"effort": "high", "max_tokens": 100}, "not both"),
    ("reasoning", {"effort": 3}, "effort"),
    ("reasoning", {"summary": ["auto"]}, "summary"),
    ("reasoning", {"max_tokens": "many"}, "max_tokens"),
    ("route", 5, "route"),
    ("transforms", "middle-out", "list"),
    ("session_id", "x" * 257, "at most 256"),
    ("trace", "trace-1", "dictionary"),
    ("router_metadata", {"ticket": 42}, "string"),
    ("router_metadata", {f"k{i}": "v" for i in range(17)}, "at most 16"),
    ("user", "", "at least 1"),
    ("top_k", -1, "greater than or equal to 0"),
    ("repetition_penalty", 3, "less than or equal to 2"),
    ("min_p", 1.5, "less than or equal to 1"),
    ("top_a", -0.1, "greater than or equal to 0"),
    ("logit_bias", {"the": 1}, "pattern"),
    ("logit_bias", {"50256": 500}, "less than or equal to 100"),
    ("logprobs", "maybe", "boolean"),
    ("top_logprobs", 21, "less than or equal to 20"),
    ("prediction", {"type": "content"}, "content"),
    ("cache_control", {"ttl": 300}, "ttl"),
    ("prompt_cache_key", "", "at least 1"),
    ("prompt_cache_options", {"ttl": "30m"}, "mode"),
    ("modalities", "image", "expected a list"),
    ("image_config", {"aspect_ratio": True}, "aspect_ratio"),
    ("image_config", "16:9", "dictionary"),
    ("audio", "alloy", "dictionary"),
    ("router_preset", "", "at least 1"),
]


def test_every_router_parameter_has_an_invalid_case() -> None:
    assert {name for name, _, _ in INVALID} == set(ROUTER_PARAMS)


@pytest.mark.parametrize(("name", "value", "says"), INVALID, ids=[f"{n}-{i}" for i, (n, _, _) in enumerate(INVALID)])
def test_invalid_value_is_refused_on_the_constructor(fake_router: Any, name: str, value: Any, says: str) -> None:
    extra = {"logprobs": True} if name == "top_logprobs" else {}
    with pytest.raises(ValueError) as info:
        _model(fake_router, **{name: value}, **extra)
    assert name in str(info.value)
    assert says in str(info.value)
    assert fake_router.requests == []


@pytest.mark.parametrize("mode", ["invoke", "bind"])
@pytest.mark.parametrize(("name", "value", "says"), INVALID, ids=[f"{n}-{i}" for i, (n, _, _) in enumerate(INVALID)])
def test_invalid_value_is_refused_per_call(fake_router: Any, mode: str, name: str, value: Any, says: str) -> None:
    llm = _model(fake_router, logprobs=True)
    runnable = llm.bind(**{name: value}) if mode == "bind" else llm
    kwargs = {} if mode == "bind" else {name: value}
    with pytest.raises(InvalidInputError) as info:
        runnable.invoke("hi", **kwargs)
    assert str(info.value).startswith(f"{name} (per call")
    assert says in str(info.value)
    assert fake_router.requests == []


def test_unknown_provider_key_is_kept_for_the_wire() -> None:
    # The router may know a key before this package does: sent as given, not refused.
    prefs = ProviderPreferences(order=["a"], newer_key={"x": 1})  # type: ignore[call-arg]
    assert prefs.body() == {"order": ["a"], "newer_key": {"x": 1}}


def test_reasoning_effort_and_max_tokens_together_is_an_error() -> None:
    with pytest.raises(ValidationError, match="not both"):
        ReasoningConfig(effort="high", max_tokens=1000)
    assert ReasoningConfig(effort="high", exclude=True).body() == {"effort": "high", "exclude": True}


def test_top_logprobs_needs_logprobs(fake_router: Any) -> None:
    with pytest.raises(ValueError, match="top_logprobs needs logprobs=True"):
        _model(fake_router, top_logprobs=3)
    llm = _model(fake_router)
    with pytest.raises(InvalidInputError, match="top_logprobs needs logprobs=True"):
        llm.invoke("hi", top_logprobs=3)
    fake_router.reply(json=ANSWER)
    _model(fake_router, logprobs=True).invoke("hi", top_logprobs=3)
    assert fake_router.requests[-1].json["top_logprobs"] == 3
    assert len(fake_router.requests) == 1


def test_infron_refuses_max_price_before_sending(fake_router: Any) -> None:
    with pytest.raises(ValueError, match=r"infron does not support \['max_price'\]"):
        _model(fake_router, "infron", provider={"max_price": {"prompt": 1}})
    llm = _model(fake_router, "infron", provider={"order": ["openai"]})
    with pytest.raises(InvalidInputError, match="max_price"):
        llm.invoke("hi", provider={"max_price": {"completion": 2}})
    assert fake_router.requests == []
    fake_router.reply(json=ANSWER)
    _model(fake_router, "openrouter").invoke("hi", provider={"max_price": {"prompt": 1, "image": 0.01}})
    assert fake_router.requests[0].json["provider"] == {"max_price": {"prompt": 1, "image": 0.01}}


# -- merging constructor and per-call values -----------------------------------------------------


def test_per_call_provider_merges_with_the_constructor(fake_router: Any) -> None:
    llm = _model(fake_router, provider={"order": ["openai"], "data_collection": "deny"})
    fake_router.reply(json=ANSWER)
    fake_router.reply(json=ANSWER)
    fake_router.reply(json=ANSWER)
    llm.invoke("hi", provider={"order": ["azure"], "allow_fallbacks": False})
    llm.bind(provider=ProviderPreferences(zdr=True)).invoke("hi")
    llm.invoke("hi", provider=None)  # None drops it for this call
    first, second, third = (r.json for r in fake_router.requests)
    assert first["provider"] == {"order": ["azure"], "data_collection": "deny", "allow_fallbacks": False}
    assert second["provider"] == {"order": ["openai"], "data_collection": "deny", "zdr": True}
    assert "provider" not in third
    assert llm.provider == {"order": ["openai"], "data_collection": "deny"}  # untouched


def test_per_call_reasoning_budget_replaces_the_constructor_budget(fake_router: Any) -> None:
    llm = _model(fake_router, reasoning={"effort": "high", "exclude": True})
    for _ in range(2):
        fake_router.reply(json=ANSWER)
    llm.invoke("hi", reasoning={"max_tokens": 500})
    llm.invoke("hi", reasoning={"exclude": False})
    first, second = (r.json for r in fake_router.requests)
    assert first["reasoning"] == {"exclude": True, "max_tokens": 500}
    assert second["reasoning"] == {"effort": "high", "exclude": False}


def test_per_call_lists_replace_and_dicts_merge(fake_router: Any) -> None:
    llm = _model(
        fake_router,
        plugins=[web_plugin()],
        models=["a/one"],
        trace={"trace_id": "t"},
        router_metadata={"team": "x"},
        logit_bias={"1": 1},
    )
    fake_router.reply(json=ANSWER)
    llm.invoke(
        "hi",
        plugins=[file_parser_plugin("native")],
        models=["b/two"],
        trace={"span_name": "s"},
        router_metadata={"ticket": "9"},
        logit_bias={"2": 2},
    )
    body = fake_router.requests[0].json
    assert body["plugins"] == [{"id": "file-parser", "pdf": {"engine": "native"}}]
    assert body["models"] == ["b/two"]
    assert body["trace"] == {"trace_id": "t", "span_name": "s"}
    assert body["metadata"] == {"team": "x", "ticket": "9"}
    assert body["logit_bias"] == {"2": 2}


@pytest.mark.parametrize("router", ROUTERS)
def test_json_schema_structured_output_keeps_the_constructor_provider(fake_router: Any, router: str) -> None:
    class Caption(BaseModel):
        text: str

    answer = {**ANSWER, "choices": [{"index": 0, "finish_reason": "stop",
                                     "message": {"role": "assistant", "content": '{"text": "a cat"}'}}]}  # fmt: skip
    fake_router.reply(json=answer)
    llm = _model(fake_router, router, provider={"order": ["openai"], "allow_fallbacks": False})
    assert llm.with_structured_output(Caption, method="json_schema").invoke("hi") == Caption(text="a cat")
    body = fake_router.requests[0].json
    assert body["provider"] == {"order": ["openai"], "allow_fallbacks": False, "require_parameters": True}
    assert body["response_format"]["type"] == "json_schema"


def test_model_kwargs_override_the_constructors_router_parameters_but_not_per_call_ones() -> None:
    llm = ChatVisionRouter(
        model="m", api_key="k", provider={"order": ["a"]}, model_kwargs={"provider": {"only": ["b"]}, "metadata": {}}
    )
    assert llm._prepare([], None, {}, stream=False).body["provider"] == {"only": ["b"]}
    assert llm._prepare([], None, {}, stream=False).body["metadata"] == {}
    assert llm._prepare([], None, {"provider": {"sort": "price"}}, stream=False).body["provider"] == {
        "order": ["a"],
        "sort": "price",
    }
    with pytest.raises(ValueError, match="stream"):
        ChatVisionRouter(model="m", api_key="k", model_kwargs={"stream": True})


def test_langchain_metadata_is_not_sent_as_router_metadata(fake_router: Any) -> None:
    fake_router.reply(json=ANSWER)
    _model(fake_router, metadata={"run": "tracing-only"}, router_metadata={"team": "x"}).invoke("hi")
    assert fake_router.requests[0].json["metadata"] == {"team": "x"}


def test_constructor_values_are_kept_as_sent_and_traced() -> None:
    llm = ChatVisionRouter(
        model="m",
        api_key="k",
        router="infron",
        provider=ProviderPreferences(order=["a"]),
        reasoning={"effort": "low"},
        models=["b/c"],
        plugins=[web_plugin(max_results=1)],
        logit_bias={7: 1},
    )
    assert llm.provider == {"order": ["a"]}
    assert llm.reasoning == {"effort": "low"}
    assert llm.plugins == [{"id": "web", "max_results": 1}]
    assert llm.logit_bias == {"7": 1.0}
    params = llm._identifying_params
    assert params["provider"] == {"order": ["a"]}
    assert params["fallback_models"] == ["b/c"]
    assert params["plugins"] == [{"id": "web", "max_results": 1}]


@pytest.mark.filterwarnings("ignore::langchain_core._api.beta_decorator.LangChainBetaWarning")
def test_router_parameters_survive_serialization() -> None:
    llm = ChatVisionRouter(
        model="m",
        api_key="sk-not-in-the-dump",
        provider=ProviderPreferences(order=["a"], max_price={"prompt": 1}),
        reasoning=ReasoningConfig(effort="high"),
        plugins=[file_parser_plugin("native")],
        router_metadata={"team": "x"},
    )
    text = dumps(llm)
    assert "sk-not-in-the-dump" not in text
    back = loads(
        text,
        secrets_map={"VISIONROUTER_API_KEY": "sk-not-in-the-dump"},
        valid_namespaces=["langchain_visionrouter"],
        allowed_objects=[ChatVisionRouter],
    )
    assert isinstance(back, ChatVisionRouter)
    for name in ROUTER_PARAMS:
        assert getattr(back, name) == getattr(llm, name), name


# -- per-block cache_control -------------------------------------------------------------------


@pytest.mark.parametrize("router", ROUTERS)
def test_cache_control_on_text_blocks_passes_through(fake_router: Any, router: str) -> None:
    big = "A long reference document. " * 200
    fake_router.reply(json=ANSWER)
    messages = [
        SystemMessage(content=[{"type": "text", "text": big, "cache_control": {"type": "ephemeral"}}]),
        HumanMessage(
            content=[
                {"type": "text", "text": big, "cache_control": {"type": "ephemeral", "ttl": "1h"}},
                {"type": "text", "text": "Summarise it."},
            ]
        ),
    ]
    _model(fake_router, router).invoke(messages)
    system, user = fake_router.requests[0].json["messages"]
    assert system["content"] == [{"type": "text", "text": big, "cache_control": {"type": "ephemeral"}}]
    assert user["content"][0] == {"type": "text", "text": big, "cache_control": {"type": "ephemeral", "ttl": "1h"}}
    assert user["content"][1] == {"type": "text", "text": "Summarise it."}


# -- the pure function -----------------------------------------------------------------------------


def test_router_body_renames_for_the_preset_and_skips_unset_values() -> None:
    fields = {name: None for name in ROUTER_PARAMS}
    assert router_body(fields, {}, get_router("openrouter")) == {}
    fields["models"] = ["x/y"]
    fields["router_metadata"] = {"a": "b"}
    assert router_body(fields, {}, get_router("openrouter")) == {"models": ["x/y"], "metadata": {"a": "b"}}
    assert router_body(fields, {}, get_router("infron")) == {"fallback_models": ["x/y"], "metadata": {"a": "b"}}
    assert router_body(fields, {"models": None}, get_router("custom")) == {"metadata": {"a": "b"}}


def test_validate_param_and_merge_params() -> None:
    with pytest.raises(InvalidInputError, match="unknown router parameter 'providers'"):
        validate_param("providers", {})
    merged = merge_params("provider", ProviderPreferences(order=["a"]), {"sort": "price"})
    assert merged == {"order": ["a"], "sort": "price"}
    assert merge_params("models", ["a/b"], ["c/d"]) == ["c/d"]
    assert merge_params("provider", None, {"sort": "price"}) == {"sort": "price"}
