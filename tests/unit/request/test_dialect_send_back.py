"""Issue 23: what goes back on the next turn, per dialect (docs/gateways.md)."""

from __future__ import annotations

from typing import Any

from langchain_core.messages import AIMessage

from langchain_visionrouter._media.checks import ImagePolicy
from langchain_visionrouter._request.messages import convert_message
from langchain_visionrouter._response.answers import chat_result


def _sent(message: dict[str, Any]) -> dict[str, Any]:
    body = {"id": "g", "choices": [{"index": 0, "finish_reason": "stop", "message": message}]}
    return convert_message(chat_result(body, model_provider="openai-compatible").generations[0].message, ImagePolicy())


CALL = {"id": "c1", "type": "function", "function": {"name": "f", "arguments": "{}"}}


def test_deepseek_reasoning_content_goes_back_even_empty_on_a_tool_call_turn() -> None:
    assert (
        _sent({"role": "assistant", "content": "", "reasoning_content": "", "tool_calls": [CALL]})["reasoning_content"]
        == ""
    )
    assert _sent({"role": "assistant", "content": "x", "reasoning_content": "why"})["reasoning_content"] == "why"


def test_reasoning_that_came_as_reasoning_or_thinking_is_never_sent_as_reasoning_content() -> None:
    groq = _sent({"role": "assistant", "content": "x", "reasoning": "why"})
    assert "reasoning_content" not in groq and "reasoning" not in groq
    vllm = _sent({"role": "assistant", "content": "x", "reasoning": "why", "reasoning_content": "why"})
    assert "reasoning_content" not in vllm
    mistral = _sent(
        {"role": "assistant", "content": [{"type": "thinking", "thinking": [{"type": "text", "text": "t"}]}]}
    )
    assert "reasoning_content" not in mistral
    assert mistral["content"] == [{"type": "thinking", "thinking": [{"type": "text", "text": "t"}]}]


def test_a_chatdeepseek_history_sends_its_reasoning_content_and_other_fields_stay_home() -> None:
    message = AIMessage("", additional_kwargs={"reasoning_content": "r", "executed_tools": [1]}, tool_calls=[
        {"id": "c1", "name": "f", "args": {}}])  # fmt: skip
    sent = convert_message(message, ImagePolicy())
    assert sent["reasoning_content"] == "r" and "executed_tools" not in sent


def test_gemini_signatures_go_back_on_their_own_call_only() -> None:
    sig = {"google": {"thought_signature": "S"}}
    sent = _sent({"role": "assistant", "content": None, "extra_content": {"google": {"thought_signature": "M"}},
                  "tool_calls": [{**CALL, "extra_content": sig}, {**CALL, "id": "c2"}]})  # fmt: skip
    assert sent["tool_calls"][0]["extra_content"] == sig
    assert "extra_content" not in sent["tool_calls"][1]
    assert sent["extra_content"] == {"google": {"thought_signature": "M"}}
