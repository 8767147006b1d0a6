"""Nothing the router accepts is refused (issue 14, items 1, 6 and 9).

Every value the router documents today (router-wire-format-2.md, sections 3-6), and keys or
enum values newer than this package, reach the wire unchanged: set on the constructor, per
call and through ``bind``, on OpenRouter and Infron. A wrong *type* is still refused before
any request. ``extra_body`` and ``model_kwargs`` can set any top-level field, in the
documented precedence.
"""

from __future__ import annotations

import warnings
from typing import Any

import pytest
from langchain_core.messages import HumanMessage

from langchain_visionrouter import ChatVisionRouter, InvalidInputError
from tests import wire

ROUTERS = ["openrouter", "infron"]
MODES = ["constructor", "invoke", "bind"]
ANSWER = wire.completion(
    gen="gen-open-1", model="openai/gpt-5.2", provider="OpenAI", content="ok", use=wire.usage(3, 1)
)

# (keyword arguments, the request-body fields they must give). Each was refused before issue 14.
OPEN_CASES: list[tuple[str, dict[str, Any], dict[str, Any]]] = [
    ("effort-max", {"reasoning": {"effort": "max"}}, {"reasoning": {"effort": "max"}}),
    ("summary-auto", {"reasoning": {"summary": "auto", "effort": "high"}},
     {"reasoning": {"summary": "auto", "effort": "high"}}),
    ("enforce-distillable", {"provider": {"enforce_distillable_text": True, "order": ["openai"]}},
     {"provider": {"enforce_distillable_text": True, "order": ["openai"]}}),
    ("max-price-audio", {"provider": {"max_price": {"audio": 0.5, "prompt": 1}}},
     {"provider": {"max_price": {"audio": 0.5, "prompt": 1}}}),
    ("provider-newer-key", {"provider": {"sort": {"by": "price", "partition": "none"}, "future_key": ["x"]}},
     {"provider": {"sort": {"by": "price", "partition": "none"}, "future_key": ["x"]}}),
    ("web-fetch", {"plugins": [{"id": "web-fetch", "max_uses": 2, "allowed_domains": ["docs.python.org"]}]},
     {"plugins": [{"id": "web-fetch", "max_uses": 2, "allowed_domains": ["docs.python.org"]}]}),
    ("moderation", {"plugins": [{"id": "moderation"}]}, {"plugins": [{"id": "moderation"}]}),
    ("auto-router", {"plugins": [{"id": "auto-router", "allowed_models": ["openai/*"], "cost_tier": "low"}]},
     {"plugins": [{"id": "auto-router", "allowed_models": ["openai/*"], "cost_tier": "low"}]}),
    ("pareto-router", {"plugins": [{"id": "pareto-router", "min_coding_score": 0.8, "max_price": 2}]},
     {"plugins": [{"id": "pareto-router", "min_coding_score": 0.8, "max_price": 2}]}),
    ("fusion", {"plugins": [{"id": "fusion", "preset": "general-fast", "analysis_models": ["a/b"]}]},
     {"plugins": [{"id": "fusion", "preset": "general-fast", "analysis_models": ["a/b"]}]}),
    ("web-options", {"plugins": [{"id": "web", "include_domains": ["example.com", "*.substack.com"],
                                  "exclude_domains": ["reddit.com"], "max_uses": 3, "mode": "turbo",
                                  "user_location": {"type": "approximate", "country": "US"}}]},
     {"plugins": [{"id": "web", "include_domains": ["example.com", "*.substack.com"],
                   "exclude_domains": ["reddit.com"], "max_uses": 3, "mode": "turbo",
                   "user_location": {"type": "approximate", "country": "US"}}]}),
    ("context-compression-engine", {"plugins": [{"id": "context-compression", "engine": "middle-out"}]},
     {"plugins": [{"id": "context-compression", "engine": "middle-out"}]}),
    ("file-parser-newer-engine", {"plugins": [{"id": "file-parser", "pdf": {"engine": "newer-ocr"}}]},
     {"plugins": [{"id": "file-parser", "pdf": {"engine": "newer-ocr"}}]}),
    ("cache-ttl", {"cache_control": {"type": "ephemeral", "ttl": "30m"}},
     {"cache_control": {"type": "ephemeral", "ttl": "30m"}}),
    ("prompt-cache", {"prompt_cache_key": "tenant-7", "prompt_cache_options": {"mode": "explicit", "ttl": "30m"}},
     {"prompt_cache_key": "tenant-7", "prompt_cache_options": {"mode": "explicit", "ttl": "30m"}}),
    ("image-output", {"modalities": ["image", "text"], "image_config": {"aspect_ratio": "21:9", "image_size": "0.5K",
                                                                         "rgb_colors": [[255, 0, 0]]}},
     {"modalities": ["image", "text"], "image_config": {"aspect_ratio": "21:9", "image_size": "0.5K",
                                                         "rgb_colors": [[255, 0, 0]]}}),
    ("preset-field", {"router_preset": "email-copywriter"}, {"preset": "email-copywriter"}),
]  # fmt: skip


def _send(make_model: Any, fake_router: Any, router: str, mode: str, kwargs: dict[str, Any], **more: Any) -> Any:
    fake_router.reply(json=ANSWER)
    if mode == "constructor":
        make_model(router=router, **kwargs, **more).invoke("hi")
    elif mode == "invoke":
        make_model(router=router, **more).invoke("hi", **kwargs)
    else:
        make_model(router=router, **more).bind(**kwargs).invoke("hi")
    return fake_router.requests[-1].json


@pytest.mark.parametrize("mode", MODES)
@pytest.mark.parametrize("router", ROUTERS)
@pytest.mark.parametrize(("kwargs", "sent"), [c[1:] for c in OPEN_CASES], ids=[c[0] for c in OPEN_CASES])
def test_what_the_router_documents_reaches_the_wire(
    make_model: Any, fake_router: Any, router: str, mode: str, kwargs: dict[str, Any], sent: dict[str, Any]
) -> None:
    if router == "infron" and "max_price" in kwargs.get("provider", {}):
        # Infron documents no max_price: still refused there, naming the router, before sending.
        with pytest.raises(ValueError, match="infron does not support"):
            _send(make_model, fake_router, router, mode, kwargs)
        assert fake_router.requests == []
        return
    body = _send(make_model, fake_router, router, mode, kwargs)
    for key, value in sent.items():
        assert body[key] == value, key


@pytest.mark.parametrize("mode", MODES)
@pytest.mark.parametrize(
    ("kwargs", "says"),
    [
        ({"reasoning": {"effort": ["max"]}}, "effort"),
        ({"provider": {"enforce_distillable_text": "yes please"}}, "enforce_distillable_text"),
        ({"plugins": [{"id": "web", "max_uses": "three"}]}, "max_uses"),
        ({"image_config": {"aspect_ratio": True}}, "aspect_ratio"),
        ({"modalities": "image"}, "expected a list"),
    ],
)
def test_a_wrong_type_is_still_refused_before_sending(
    make_model: Any, fake_router: Any, mode: str, kwargs: dict[str, Any], says: str
) -> None:
    with pytest.raises((InvalidInputError, ValueError), match=says):
        _send(make_model, fake_router, "openrouter", mode, kwargs)
    assert fake_router.requests == []


# -- image detail and caching on every part (items 1 and 6) ---------------------------------------

PNG = wire.png()


def _parts(body: Any) -> list[dict[str, Any]]:
    parts: list[dict[str, Any]] = body["messages"][0]["content"]
    return parts


@pytest.mark.parametrize("router", ROUTERS)
def test_image_detail_original_and_cache_control_on_image_file_and_audio_parts(
    make_model: Any, fake_router: Any, router: str
) -> None:
    import base64

    b64 = base64.b64encode(PNG).decode()
    cache = {"type": "ephemeral", "ttl": "1h"}
    message = HumanMessage(
        content=[
            {"type": "text", "text": "Compare.", "cache_control": cache,
             "prompt_cache_breakpoint": {"mode": "explicit"}},
            {"type": "image_url", "image_url": {"url": "https://example.com/a.png", "detail": "original"},
             "cache_control": cache},
            {"type": "image", "base64": b64, "mime_type": "image/png", "extras": {"detail": "original",
                                                                                 "cache_control": cache}},
            {"type": "file", "url": "https://example.com/r.pdf", "cache_control": cache},
            {"type": "audio", "base64": "UklGRiQAAABXQVZF", "mime_type": "audio/wav", "cache_control": cache},
        ]
    )  # fmt: skip
    fake_router.reply(json=ANSWER)
    make_model(router=router).invoke([message])
    parts = _parts(fake_router.requests[0].json)
    assert parts[0] == {"type": "text", "text": "Compare.", "cache_control": cache,
                        "prompt_cache_breakpoint": {"mode": "explicit"}}  # fmt: skip
    assert parts[1]["image_url"] == {"url": "https://example.com/a.png", "detail": "original"}
    assert parts[2]["image_url"]["detail"] == "original"
    assert parts[2]["image_url"]["url"] == f"data:image/png;base64,{b64}"
    assert [p["type"] for p in parts[1:]] == ["image_url", "image_url", "file", "input_audio"]
    assert all(p["cache_control"] == cache for p in parts[1:])


# -- extra_body and model_kwargs: any top-level field, in a documented precedence -----------------


@pytest.mark.parametrize("router", ROUTERS)
def test_extra_body_on_the_constructor_and_per_call_merges_last(make_model: Any, fake_router: Any, router: str) -> None:
    llm = make_model(
        router=router,
        temperature=0.1,
        provider={"order": ["openai"]},
        model_kwargs={"temperature": 0.2, "verbosity": "low"},
        extra_body={"temperature": 0.3, "stop_server_tools_when": [{"type": "step_count_is", "step_count": 5}]},
    )
    fake_router.reply(json=ANSWER)
    llm.invoke("hi")
    first = fake_router.requests[-1].json
    assert first["temperature"] == 0.3  # extra_body over model_kwargs over the constructor field
    assert first["verbosity"] == "low"
    assert first["stop_server_tools_when"] == [{"type": "step_count_is", "step_count": 5}]
    assert first["provider"] == {"order": ["openai"]}

    fake_router.reply(json=ANSWER)
    llm.invoke(
        "hi",
        temperature=0.4,
        extra_body={"provider": {"only": ["azure"]}, "max_tool_calls": 3, "model": "openai/gpt-5.2:online"},
    )
    second = fake_router.requests[-1].json
    assert second["temperature"] == 0.3  # the constructor's extra_body beats a per-call value
    assert second["provider"] == {"only": ["azure"]}  # replaced whole: extra_body is not validated or merged
    assert second["max_tool_calls"] == 3
    assert second["model"] == "openai/gpt-5.2:online"

    fake_router.reply(json=ANSWER)
    llm.bind(extra_body={"temperature": 0.9}).invoke("hi")
    assert fake_router.requests[-1].json["temperature"] == 0.9  # per-call extra_body is last of all


def test_model_kwargs_lose_to_per_call_values(make_model: Any, fake_router: Any) -> None:
    llm = make_model(reasoning={"effort": "low"}, model_kwargs={"reasoning": {"effort": "max"}, "top_k": 3})
    fake_router.reply(json=ANSWER)
    llm.invoke("hi")
    assert fake_router.requests[-1].json["reasoning"] == {"effort": "max"}
    fake_router.reply(json=ANSWER)
    llm.invoke("hi", reasoning={"effort": "high"}, top_k=5)
    body = fake_router.requests[-1].json
    assert body["reasoning"] == {"effort": "high"} and body["top_k"] == 5


@pytest.mark.parametrize("where", ["constructor", "per call"])
def test_extra_body_may_not_set_stream(make_model: Any, fake_router: Any, where: str) -> None:
    with pytest.raises((InvalidInputError, ValueError), match="must not set 'stream'"):
        if where == "constructor":
            make_model(extra_body={"stream": True})
        else:
            make_model().invoke("hi", extra_body={"stream": True})
    assert fake_router.requests == []


def test_router_metadata_header_on_request(make_model: Any, fake_router: Any) -> None:
    fake_router.reply(json=ANSWER)
    make_model(openrouter_metadata=True).invoke("hi")
    assert fake_router.requests[0].headers.get("X-OpenRouter-Metadata") == "enabled"
    fake_router.reply(json=ANSWER)
    make_model().invoke("hi")
    assert "X-OpenRouter-Metadata" not in fake_router.requests[1].headers


# -- presets (item 9) ---------------------------------------------------------------------------

CATALOG = {
    "data": [
        {"id": "openai/gpt-4o", "architecture": {"input_modalities": ["text", "image"], "output_modalities": ["text"]}},
        {"id": "openai/gpt-3.5-turbo", "architecture": {"input_modalities": ["text"], "output_modalities": ["text"]}},
    ]
}


@pytest.mark.parametrize("model_id", ["@preset/captioner", "openai/gpt-4o@preset/captioner"])
def test_preset_model_ids_pass_the_vision_check(make_model: Any, fake_router: Any, model_id: str) -> None:
    from langchain_visionrouter._client.catalog import clear_catalog_cache

    clear_catalog_cache()
    fake_router.reply(json=CATALOG)
    fake_router.reply(json=ANSWER)
    image = {"type": "image_url", "image_url": {"url": "https://example.com/a.png"}}
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # not even a "not in the catalog" warning
        make_model(model=model_id, vision_check="error").invoke([HumanMessage(content=[image])])
    assert fake_router.requests[-1].json["model"] == model_id
    clear_catalog_cache()


def test_preset_of_a_text_only_model_is_still_checked(make_model: Any, fake_router: Any) -> None:
    from langchain_visionrouter._client.catalog import clear_catalog_cache

    clear_catalog_cache()
    fake_router.reply(json=CATALOG)
    image = {"type": "image_url", "image_url": {"url": "https://example.com/a.png"}}
    with pytest.raises(InvalidInputError, match="cannot take image input"):
        make_model(model="openai/gpt-3.5-turbo@preset/x", vision_check="error").invoke([HumanMessage(content=[image])])
    assert [r.method for r in fake_router.requests] == ["GET"]
    clear_catalog_cache()


def test_constructor_takes_a_preset_id_without_a_catalog() -> None:
    llm = ChatVisionRouter(model="@preset/captioner", api_key="k", router_preset="captioner")
    assert llm._prepare([], None, {}, stream=False).body["preset"] == "captioner"
