"""_request.prepare: one call, built once and frozen; the facts it carries; the new values it gives."""

from __future__ import annotations

import base64
import dataclasses
from typing import Any

import pytest
from langchain_core.messages import HumanMessage

from langchain_visionrouter import chat_models
from langchain_visionrouter._router.model_info import ModelInfo
from tests import wire
from tests.catalog_data import openrouter_entry, paths

pytestmark = pytest.mark.usefixtures("fresh_catalog")

PNG = base64.b64encode(
    bytes.fromhex(
        "89504e470d0a1a0a0000000d4948445200000001000000010806000000"
        "1f15c4890000000d49444154789c6360000002000001e221bc330000000049454e44ae426082"
    )
).decode()
IMAGE = HumanMessage(
    content=[{"type": "text", "text": "?"}, {"type": "image", "base64": PNG, "mime_type": "image/png"}]
)
ANSWER = wire.completion(gen="gen-p", model="m", provider="P", content="ok")


def _prepare(llm: Any, messages: Any = (IMAGE,), stream: bool = False, **kwargs: Any) -> Any:
    return llm._prepare(list(messages), None, kwargs, stream=stream)


def test_the_call_is_frozen_and_carries_its_facts(make_model: Any) -> None:
    llm = make_model(model="a/b", models=["c/d", "a/b"], stream_usage=True)
    call = _prepare(llm, stream=True)
    with pytest.raises(dataclasses.FrozenInstanceError):
        call.stream = False
    assert call.models == ["a/b", "c/d"]
    assert call.draft.has_images and call.draft.fit is None
    assert call.body["stream"] is True and call.expect.include_usage
    assert call.request.url.endswith("/chat/completions")
    assert call.request.headers["Accept"] == "text/event-stream"
    assert not call.needs_catalog("off") and call.needs_catalog("warn")
    whole = _prepare(llm)
    assert "stream" not in whole.body and not whole.expect.include_usage
    assert whole.request.headers["Accept"] == "application/json"


def test_text_only_calls_never_need_the_catalog(make_model: Any) -> None:
    call = _prepare(make_model(vision_check="error"), messages=[HumanMessage(content="hi")])
    assert not call.draft.has_images and not call.needs_catalog("error")


def test_new_values_leave_the_first_untouched(make_model: Any) -> None:
    call = _prepare(make_model(model="acme/painter", image_config={"aspect_ratio": "1:1"}))
    assert call.needs_derivation
    painter = ModelInfo(id="acme/painter", output_modalities=frozenset({"image", "text", "audio"}))
    derived = call.with_catalog([painter])
    assert derived.body["modalities"] == ["image", "text", "audio"] and "modalities" not in call.body
    assert derived.wants_audio and not call.wants_audio
    streamed = derived.as_stream()
    assert streamed.body["stream"] is True and "stream" not in derived.body
    assert streamed.body["messages"] is call.body["messages"]  # converted once, shared
    assert call.with_catalog(None) is call and call.with_catalog([]) is call


@pytest.mark.parametrize("how", ["invoke", "bind"])
@pytest.mark.parametrize("stream", [True, False])
def test_stream_as_a_call_argument(make_model: Any, fake_router: Any, how: str, stream: bool) -> None:
    # LangChain passes stream= through to the entry point it picks; it is never a body field.
    if stream:
        fake_router.reply_sse([{"choices": [{"index": 0, "delta": {"content": "ok"}, "finish_reason": "stop"}]}])
    else:
        fake_router.reply(json=ANSWER)
    llm = make_model()
    runnable = llm.bind(stream=stream) if how == "bind" else llm
    message = runnable.invoke("hi") if how == "bind" else llm.invoke("hi", stream=stream)
    assert message.text == "ok"
    assert fake_router.requests[0].json.get("stream", False) is stream


async def test_stream_as_an_async_call_argument(make_model: Any, fake_router: Any) -> None:
    fake_router.reply_sse([{"choices": [{"index": 0, "delta": {"content": "ok"}, "finish_reason": "stop"}]}])
    assert (await make_model().ainvoke("hi", stream=True)).text == "ok"
    assert fake_router.requests[0].json["stream"] is True


def _audio_stream() -> list[Any]:
    s = wire.Stream(gen="gen-a", model="acme/painter", provider="P")
    return [s.chunk(wire.audio_delta(transcript="hi", data="UklGRg==")), *s.end(use=wire.usage(1, 2)), "[DONE]"]


def test_audio_derived_from_the_catalog_streams_and_converts_images_once(
    make_model: Any, fake_router: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    # The catalog says the model outputs audio too: derived modalities add "audio", and
    # the router only sends audio in a stream, so the whole call is sent as one.
    entry = openrouter_entry("acme/painter", ["text", "image"])
    entry["architecture"]["output_modalities"] = ["image", "text", "audio"]
    fake_router.reply(json={"data": [entry]})
    fake_router.reply_sse(_audio_stream())
    conversions: list[int] = []
    convert = chat_models.convert_messages
    monkeypatch.setattr(chat_models, "convert_messages", lambda *a, **k: conversions.append(1) or convert(*a, **k))
    message = make_model(model="acme/painter", image_config={"aspect_ratio": "1:1"}).invoke([IMAGE])
    assert paths(fake_router) == ["GET /models", "POST /chat/completions"]
    sent = fake_router.requests[1].json
    assert sent["stream"] is True and sent["modalities"] == ["image", "text", "audio"]
    assert conversions == [1]
    assert message.text == "hi"


def test_one_catalog_listing_serves_vision_check_and_modalities(make_model: Any, fake_router: Any) -> None:
    entry = openrouter_entry("acme/painter", ["text", "image"])
    entry["architecture"]["output_modalities"] = ["image", "text"]
    fake_router.reply(json={"data": [entry]})
    fake_router.reply(json=ANSWER)
    llm = make_model(model="acme/painter", image_config={"aspect_ratio": "1:1"}, vision_check="error")
    llm.invoke([IMAGE])
    assert paths(fake_router) == ["GET /models", "POST /chat/completions"]
    assert "output_modalities=all" in fake_router.requests[0].path
    assert fake_router.requests[1].json["modalities"] == ["image", "text"]


def test_the_request_template_is_built_once_per_setting_and_never_pickled(make_model: Any) -> None:
    import pickle

    llm = make_model(api_key="sk-or-TEMPLATE-SECRET", default_headers={"X-Team": "a"})
    first = llm._template()
    assert llm._template() is first  # the same settings: not built again
    llm.default_headers["X-Team"] = "b"  # an edit in place is a new setting
    assert llm._template() is not first and llm._template().headers["X-Team"] == "b"
    llm.max_retries = 4
    assert llm._template().max_retries == 4
    assert b"TEMPLATE-SECRET" not in pickle.dumps(llm)  # the built headers carry the key
