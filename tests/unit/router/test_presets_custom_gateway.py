"""What a custom gateway receives: standard OpenAI chat-completions fields only (issue 16, item 2).

Strict OpenAI-compatible servers refuse unknown fields, so ``router="custom"`` sends
none unless the user asks (``model_kwargs``, per call).
"""

from __future__ import annotations

from typing import Any

from langchain_visionrouter import ChatVisionRouter
from tests import wire

# The request fields of OpenAI's chat-completions API that this adapter may send.
STANDARD_FIELDS = {
    "model", "messages", "stream", "stream_options", "temperature", "max_tokens", "top_p", "stop", "seed",
    "frequency_penalty", "presence_penalty", "tools", "tool_choice", "parallel_tool_calls", "response_format",
    "logprobs", "top_logprobs", "logit_bias", "user", "n",
}  # fmt: skip
ANSWER = wire.completion(gen="gen-1", model="llava", provider="local", content="hi", use=wire.usage(3, 1))


def _stream_events() -> list[Any]:
    base = {"id": "gen-1", "object": "chat.completion.chunk", "model": "llava"}
    return [
        {**base, "choices": [{"index": 0, "delta": {"content": "hi"}, "finish_reason": "stop"}]},
        {**base, "choices": [], "usage": wire.usage(3, 1)},
        "[DONE]",
    ]


def _gateway(fake_router: Any, **kwargs: Any) -> ChatVisionRouter:
    return ChatVisionRouter(model="llava", router="custom", base_url=fake_router.url, max_retries=0, **kwargs)


def test_a_custom_gateway_gets_only_standard_fields(fake_router: Any) -> None:
    fake_router.reply(json=ANSWER)
    fake_router.reply_sse(_stream_events())
    with _gateway(fake_router, temperature=0.2, max_tokens=50) as llm:
        answer = llm.invoke("hello")
        streamed = list(llm.stream("hello"))
    plain, stream = (r.json for r in fake_router.requests)
    assert set(plain) <= STANDARD_FIELDS, set(plain) - STANDARD_FIELDS
    assert set(stream) <= STANDARD_FIELDS, set(stream) - STANDARD_FIELDS
    assert "usage" not in plain and "usage" not in stream
    assert stream["stream_options"] == {"include_usage": True}  # standard, and usage still comes back
    assert answer.usage_metadata is not None and answer.usage_metadata["total_tokens"] == 4
    assert sum((c.usage_metadata or {}).get("total_tokens", 0) for c in streamed) == 4


def test_stream_usage_false_sends_no_usage_field_at_all(fake_router: Any) -> None:
    fake_router.reply_sse(_stream_events())
    with _gateway(fake_router, stream_usage=False) as llm:
        list(llm.stream("hello"))
    body = fake_router.requests[0].json
    assert "stream_options" not in body and "usage" not in body


def test_a_user_can_still_ask_a_custom_gateway_for_usage(fake_router: Any) -> None:
    fake_router.reply(json=ANSWER)
    fake_router.reply(json=ANSWER)
    with _gateway(fake_router, model_kwargs={"usage": {"include": True}}) as llm:
        llm.invoke("hello")
        llm.invoke("hello", usage=None)  # and drop it again for one call
    asked, dropped = (r.json for r in fake_router.requests)
    assert asked["usage"] == {"include": True}
    assert "usage" not in dropped


def test_infron_still_opts_in_and_model_kwargs_can_opt_out() -> None:
    infron = ChatVisionRouter(model="m", router="infron", api_key="k")
    assert infron._prepare([], None, {}, stream=False).body["usage"] == {"include": True}
    quiet = ChatVisionRouter(model="m", router="infron", api_key="k", model_kwargs={"usage": None})
    assert "usage" not in quiet._prepare([], None, {}, stream=False).body
