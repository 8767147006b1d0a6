"""The agent loop replayed from cassettes: ``langchain.agents.create_agent`` and LangGraph's
prebuilt ReAct agent, sync and async, with the network blocked.

The human turn carries a photo; the model calls ``render_chart``; the tool returns the
chart as an image; the model answers. Each request must match its cassette on method,
URL and JSON body, so replay itself checks what the adapter sends at each turn (the
photo, the tool's image, the model's reasoning_details sent back). The tests then check
the agent's messages against what the cassette's answers say.
"""

from __future__ import annotations

import base64
import json
import warnings
from collections.abc import Callable, Iterator
from typing import Any

import pytest
from langchain.agents import create_agent
from langchain_core.messages import AIMessage, HumanMessage, ToolMessage
from langchain_core.tools import tool

from langchain_visionrouter import ChatVisionRouter
from langchain_visionrouter.testing import BODY_MATCHER, DEFAULT_MATCH_ON, cassette_config
from tests.cassette_sources import agents as source
from tests.cassette_tools import load, request_json, response_events, response_json

CHART_B64 = base64.b64encode(source.CHART).decode()


@pytest.fixture(scope="module")
def vcr_config() -> dict[str, Any]:
    return cassette_config(match="body")


@pytest.fixture(autouse=True)
def _every_interaction_played(request: pytest.FixtureRequest, vcr: Any, record_mode: str) -> Iterator[None]:
    yield
    report = getattr(request.node, "report_call", None)
    if vcr is not None and record_mode == "none" and report is not None and report.passed:
        assert vcr.all_played, "the agent made fewer requests than the cassette holds"


@tool
def render_chart(city: str) -> list[dict[str, Any]]:
    """Render today's weather chart for a city, as an image."""
    return [
        {"type": "text", "text": f"Weather chart for {city}:"},
        {"type": "image", "base64": CHART_B64, "mime_type": "image/png"},
    ]


def human() -> HumanMessage:
    return HumanMessage([{"type": "text", "text": source.QUESTION}, {"type": "image", "url": source.PHOTO_URL}])


def langchain_agent(model: ChatVisionRouter) -> Any:
    return create_agent(model, tools=[render_chart], system_prompt=source.SYSTEM)


def langgraph_react_agent(model: ChatVisionRouter) -> Any:
    from langgraph.prebuilt import create_react_agent

    with warnings.catch_warnings():  # deprecated in favour of create_agent, still widely used
        warnings.simplefilter("ignore")
        return create_react_agent(model, tools=[render_chart], prompt=source.SYSTEM)


AGENTS: dict[str, Callable[[ChatVisionRouter], Any]] = {
    "create_agent": langchain_agent,
    "create_react_agent": langgraph_react_agent,
}


def check_messages(messages: list[Any], cassette: str) -> None:
    """The agent's messages against the cassette: the call, the sent-back reasoning, the image, the answer."""
    first, second = load(cassette)
    assert [type(m).__name__ for m in messages] == ["HumanMessage", "AIMessage", "ToolMessage", "AIMessage"]
    called, result, final = messages[1], messages[2], messages[3]

    if first["request"]["body"] and request_json(first).get("stream"):
        deltas = [e["choices"][0]["delta"] for e in response_events(first) if e.get("choices")]
        wire_calls = [tc for d in deltas for tc in d.get("tool_calls") or []]
        answer_text = "".join(
            e["choices"][0]["delta"].get("content") or "" for e in response_events(second) if e.get("choices")
        )
        usage = next(e["usage"] for e in response_events(second) if e.get("usage"))
    else:
        wire_calls = response_json(first)["choices"][0]["message"]["tool_calls"]
        answer_text = response_json(second)["choices"][0]["message"]["content"]
        usage = response_json(second)["usage"]
    [wire_call] = wire_calls
    assert called.tool_calls == [
        {
            "name": wire_call["function"]["name"],
            "args": json.loads(wire_call["function"]["arguments"]),
            "id": wire_call["id"],
            "type": "tool_call",
        }
    ]
    # What the second request sent back is what the first answer said (merged, if streamed).
    sent_back = request_json(second)["messages"][2]
    assert called.additional_kwargs["reasoning_details"] == sent_back["reasoning_details"]
    assert isinstance(result, ToolMessage) and result.tool_call_id == wire_call["id"]
    assert result.content[1]["base64"] == CHART_B64
    assert isinstance(final, AIMessage) and final.text == answer_text
    assert final.usage_metadata is not None
    assert final.usage_metadata["input_tokens"] == usage["prompt_tokens"]
    assert final.response_metadata["cost"] == usage["cost"]


# -- Claude, non-streamed: invoke and ainvoke ---------------------------------------------------


def claude(**kwargs: Any) -> ChatVisionRouter:
    return ChatVisionRouter(model=source.CLAUDE, reasoning=source.CLAUDE_REASONING_REQUEST, **kwargs)


@pytest.mark.vcr
@pytest.mark.default_cassette("agent_loop_claude")
@pytest.mark.parametrize("agent_kind", list(AGENTS))
def test_agent_loop_claude_sync(agent_kind: str) -> None:
    with claude() as model:
        out = AGENTS[agent_kind](model).invoke({"messages": [human()]})
    check_messages(out["messages"], "agent_loop_claude")
    assert out["messages"][1].text == source.CLAUDE_PREAMBLE


@pytest.mark.vcr
@pytest.mark.default_cassette("agent_loop_claude")
@pytest.mark.parametrize("agent_kind", list(AGENTS))
async def test_agent_loop_claude_async(agent_kind: str) -> None:
    async with claude() as model:
        out = await AGENTS[agent_kind](model).ainvoke({"messages": [human()]})
    check_messages(out["messages"], "agent_loop_claude")


# -- Gemini, streamed through LangGraph's messages mode ----------------------------------------


def gemini() -> ChatVisionRouter:
    return ChatVisionRouter(model=source.GEMINI, reasoning=source.GEMINI_REASONING_REQUEST)


@pytest.mark.vcr
@pytest.mark.default_cassette("agent_loop_gemini_stream")
@pytest.mark.parametrize("agent_kind", list(AGENTS))
def test_agent_loop_gemini_streamed_sync(agent_kind: str) -> None:
    state: dict[str, Any] = {}
    tokens: list[Any] = []
    with gemini() as model:
        for mode, data in AGENTS[agent_kind](model).stream({"messages": [human()]}, stream_mode=["messages", "values"]):
            if mode == "values":
                state = data
            else:
                tokens.append(data[0])
    check_messages(state["messages"], "agent_loop_gemini_stream")
    assert sum(1 for t in tokens if isinstance(t, AIMessage) and t.text) > 1  # streamed, not in one piece


@pytest.mark.vcr
@pytest.mark.default_cassette("agent_loop_gemini_stream")
@pytest.mark.parametrize("agent_kind", list(AGENTS))
async def test_agent_loop_gemini_streamed_async(agent_kind: str) -> None:
    state: dict[str, Any] = {}
    async with gemini() as model:
        async for mode, data in AGENTS[agent_kind](model).astream(
            {"messages": [human()]}, stream_mode=["messages", "values"]
        ):
            if mode == "values":
                state = data
    check_messages(state["messages"], "agent_loop_gemini_stream")


# -- replay never reaches the network ----------------------------------------------------------


def test_a_request_the_cassette_lacks_fails_instead_of_going_out() -> None:
    import vcr
    from vcr.errors import CannotOverwriteExistingCassetteException

    from langchain_visionrouter.testing import configure
    from tests.cassette_tools import CASSETTES

    replay = configure(vcr.VCR(record_mode="none", match_on=[*DEFAULT_MATCH_ON, BODY_MATCHER]))
    with (
        replay.use_cassette(str(CASSETTES / "agent_loop_claude.yaml")),
        claude(max_retries=0) as model,
        pytest.raises(CannotOverwriteExistingCassetteException, match="body_matcher"),
    ):
        model.invoke("a question no cassette holds")


@pytest.mark.filterwarnings("ignore:A test tried to use socket")
def test_sockets_beyond_loopback_are_blocked() -> None:
    import httpx
    from pytest_socket import SocketConnectBlockedError

    with pytest.raises(SocketConnectBlockedError):
        httpx.get("https://1.1.1.1/", timeout=5)
