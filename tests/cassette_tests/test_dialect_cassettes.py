"""Issue 23: each gateway's dialect, replayed from cassettes written from its docs.

For each gateway: what it adds reaches the LangChain message (reasoning as standard blocks
and where its LangChain package puts it; every other field kept), the summed stream equals
the invoked message, and the next turn sends back what the gateway's docs ask for.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

import httpx
import pytest
from langchain_core.messages import AIMessage, BaseMessage, HumanMessage, ToolMessage
from langchain_core.messages.ai import add_ai_message_chunks

from langchain_visionrouter import ChatVisionRouter
from langchain_visionrouter._response.answers import chat_result
from tests.cassette_sources.dialects import BASES, MODELS, QUESTION, TOOL, TOOL_RESULT, first_answer, sent_back
from tests.cassette_tools import load, request_json, response_json

pytestmark = pytest.mark.vcr
NAMES = sorted(BASES)


class Capture:
    def __init__(self) -> None:
        self.sent: list[Any] = []
        self.client = httpx.Client(event_hooks={"request": [self._hook]})

    def _hook(self, request: httpx.Request) -> None:
        self.sent.append(json.loads(request.content) if request.content else None)


@pytest.fixture
def default_cassette_name(request: pytest.FixtureRequest) -> str:
    """``dialect_<name>``, or ``dialect_<name>_stream`` for the stream test."""
    stream = "_stream" if "stream" in request.node.name else ""
    return f"dialect_{request.node.callspec.params['name']}{stream}"


@pytest.fixture
def capture() -> Iterator[Capture]:
    cap = Capture()
    yield cap
    cap.client.close()


def _model(name: str, capture: Capture) -> Any:
    model = ChatVisionRouter(
        router="custom", base_url=BASES[name], api_key="sk-test", model=MODELS[name], http_client=capture.client
    )
    return model.bind_tools([TOOL])


def _reasoning_text(wire: dict[str, Any]) -> str | None:
    content = wire.get("content")
    if isinstance(content, list):
        return "".join(t["text"] for p in content if p.get("type") == "thinking" for t in p["thinking"])
    return wire.get("reasoning") or wire.get("reasoning_content")


def _check_first(name: str, message: BaseMessage) -> None:
    body = first_answer(name)
    choice = body["choices"][0]
    wire = choice["message"]
    assert isinstance(message, AIMessage)
    reasoning = _reasoning_text(wire)
    if reasoning:
        # LangChain's standard block, and where ChatDeepSeek / ChatGroq put it.
        assert message.content_blocks[0] == {"type": "reasoning", "reasoning": reasoning}
        assert message.additional_kwargs["reasoning_content"] == reasoning
    for key in ("executed_tools",):  # message fields the package does not map: kept as sent
        if key in wire:
            assert message.additional_kwargs[key] == wire[key]
    for key, value in choice.items():  # choice fields: kept in response_metadata
        if key not in ("index", "message", "finish_reason", "logprobs") and value is not None:
            assert message.response_metadata[key] == value
    for key in ("prompt_filter_results", "x_groq"):  # top-level fields: kept in response_metadata
        if key in body:
            assert message.response_metadata[key] == body[key]
    calls = wire.get("tool_calls") or []
    assert [(c["id"], c["args"]) for c in message.tool_calls] == [(c["id"], {"city": "Paris"}) for c in calls]
    for call in calls:
        if "extra_content" in call:  # Gemini's signature, on its tool call
            assert message.additional_kwargs["tool_call_fields"][call["id"]] == {"extra_content": call["extra_content"]}
            block = next(b for b in message.content_blocks if b["type"] == "tool_call")
            assert block["extras"] == {"extra_content": call["extra_content"]}  # type: ignore[typeddict-item]
    assert message.usage_metadata is not None
    assert message.usage_metadata["total_tokens"] == body["usage"]["total_tokens"]


@pytest.mark.parametrize("name", NAMES)
def test_the_whole_answer_reaches_the_message_and_the_next_turn_sends_back_what_the_docs_ask(
    name: str, capture: Capture
) -> None:
    model = _model(name, capture)
    first = model.invoke(QUESTION)
    _check_first(name, first)
    follow: BaseMessage = (
        ToolMessage(TOOL_RESULT, tool_call_id=first.tool_calls[0]["id"])
        if first.tool_calls
        else HumanMessage("Thanks!")
    )
    second = model.invoke([HumanMessage(QUESTION), first, follow])
    _, turn2 = load(f"dialect_{name}")
    assert capture.sent[1]["messages"][1] == sent_back(name)
    assert capture.sent[1]["messages"] == request_json(turn2)["messages"]
    assert second.content == "It is 18°C and clear in Paris."


@pytest.mark.parametrize("name", NAMES)
def test_the_summed_stream_is_the_invoked_message(name: str, capture: Capture) -> None:
    chunks = list(_model(name, capture).stream(QUESTION))
    # The same answer whole (turn 1 of dialect_<name>), mapped as invoke maps it.
    whole = response_json(load(f"dialect_{name}")[0])
    invoked = chat_result(whole, model_provider="openai-compatible").generations[0].message
    streamed = add_ai_message_chunks(chunks[0], *chunks[1:])
    assert streamed.content == invoked.content
    assert streamed.additional_kwargs == invoked.additional_kwargs
    assert streamed.tool_calls == invoked.tool_calls
    assert streamed.content_blocks == invoked.content_blocks
    assert streamed.usage_metadata == invoked.usage_metadata
    for key in ("finish_reason", "prompt_filter_results", "content_filter_results", "stop_reason"):
        assert streamed.response_metadata.get(key) == invoked.response_metadata.get(key), key
    _check_first(name, streamed)
