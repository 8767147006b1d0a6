"""A scripted multi-turn agent loop against the loopback router.

The human turn carries an image; the model (a reasoning model) calls a tool; the tool
returns an image; the model answers. Run through ``langchain.agents.create_agent`` and
LangGraph's prebuilt ReAct agent, sync and async, non-streamed and streamed (LangGraph's
``stream_mode="messages"`` makes the model stream). At each turn the exact ``messages``
the adapter sent are checked: the user's image, the tool call with the model's
``reasoning_details`` sent back unchanged (merged when streamed), and the tool's image.
"""

from __future__ import annotations

import base64
import warnings
from collections.abc import Callable
from typing import Any

import pytest
from langchain.agents import create_agent
from langchain_core.messages import AIMessage, HumanMessage, ToolMessage
from langchain_core.tools import tool
from pydantic import BaseModel

from langchain_visionrouter import ChatVisionRouter
from tests.wire import Stream, call, completion, png, tool_delta, usage

MODEL = "anthropic/claude-sonnet-4"
PROVIDER = "Anthropic"
SYSTEM = "You are a weather assistant. Use the tools; describe charts precisely."
PHOTO_URL = "https://upload.wikimedia.org/wikipedia/commons/a/a8/Paris_skyline_from_the_Eiffel_Tower.jpg"
CHART = png(96, 64, seed=1)
CHART_B64 = base64.b64encode(CHART).decode()
QUESTION = "Which city is this? Show me its weather chart and tell me what it says."
REASONING = "The photo shows the Eiffel Tower, so the city is Paris. I should render the Paris chart."
SIGNATURE = "EqQBCkgIBhABGAIiQOb2Z1c2NhdGVkLXNpZ25hdHVyZS1mb3ItdGhlLWFnZW50LWxvb3A="
DETAILS = [
    {"type": "reasoning.text", "text": REASONING, "signature": SIGNATURE, "format": "anthropic-claude-v1", "index": 0}
]
CALL_ID = "toolu_01XFDUDYJgAACzvnptvVoYEL"
FINAL = "This is Paris. The chart shows sunshine in the morning and rain from 15:00, peaking at 4 mm."


@tool
def render_chart(city: str) -> list[dict[str, Any]]:
    """Render today's weather chart for a city, as an image."""
    return [
        {"type": "text", "text": f"Weather chart for {city}:"},
        {"type": "image", "base64": CHART_B64, "mime_type": "image/png"},
    ]


RENDER_CHART_SPEC = {
    "type": "function",
    "function": {
        "name": "render_chart",
        "description": "Render today's weather chart for a city, as an image.",
        "parameters": {"properties": {"city": {"type": "string"}}, "required": ["city"], "type": "object"},
    },
}


def human() -> HumanMessage:
    return HumanMessage([{"type": "text", "text": QUESTION}, {"type": "image", "url": PHOTO_URL}])


# -- what the router answers -------------------------------------------------------------


def script_non_streamed(router: Any) -> None:
    router.reply(
        json=completion(
            gen="gen-1754441800-AgT1",
            model=MODEL,
            provider=PROVIDER,
            content="",
            reasoning=REASONING,
            reasoning_details=[dict(d) for d in DETAILS],
            tool_calls=[call(CALL_ID, "render_chart", {"city": "Paris"})],
            finish="tool_calls",
            native="tool_use",
            use=usage(1650, 96, prompt_price=3e-6, completion_price=15e-6, reasoning=41),
        )
    )
    router.reply(
        json=completion(
            gen="gen-1754441806-AgT2",
            model=MODEL,
            provider=PROVIDER,
            content=FINAL,
            finish="stop",
            native="end_turn",
            use=usage(2210, 38, prompt_price=3e-6, completion_price=15e-6),
        )
    )


def script_streamed(router: Any) -> None:
    s = Stream(gen="gen-1754441800-AgT1", model=MODEL, provider=PROVIDER)
    first = [s.chunk()]
    for piece in ("The photo shows the Eiffel Tower, ", "so the city is Paris. ", "I should render the Paris chart."):
        fragment = {"type": "reasoning.text", "text": piece, "format": "anthropic-claude-v1", "index": 0}
        first.append(s.chunk({"reasoning": piece, "reasoning_details": [fragment]}))
    signed = {"type": "reasoning.text", "signature": SIGNATURE, "format": "anthropic-claude-v1", "index": 0}
    first.append(s.chunk({"reasoning": "", "reasoning_details": [signed]}))
    first.append(s.chunk(tool_delta(0, call_id=CALL_ID, name="render_chart", arguments="")))
    first += [s.chunk(tool_delta(0, arguments=a)) for a in ('{"city"', ': "Par', 'is"}')]
    first += s.end(
        finish="tool_calls",
        native="tool_use",
        use=usage(1650, 96, prompt_price=3e-6, completion_price=15e-6, reasoning=41),
        shape="empty_choices",
    )
    router.reply_sse([*first, "[DONE]"], comments=3)
    s2 = Stream(gen="gen-1754441806-AgT2", model=MODEL, provider=PROVIDER)
    words = FINAL.split(" ")
    pieces = [w + " " for w in words[:-1]] + [words[-1]]
    second = s2.text(pieces, native="end_turn", use=usage(2210, 38, prompt_price=3e-6, completion_price=15e-6))
    router.reply_sse([*second, "[DONE]"], comments=1)


# -- what the adapter must send ----------------------------------------------------------

EXPECTED_TURN_1 = [
    {"role": "system", "content": SYSTEM},
    {
        "role": "user",
        "content": [{"type": "text", "text": QUESTION}, {"type": "image_url", "image_url": {"url": PHOTO_URL}}],
    },
]
EXPECTED_TURN_2 = [
    *EXPECTED_TURN_1,
    {
        "role": "assistant",
        "content": None,
        "tool_calls": [
            {"id": CALL_ID, "type": "function", "function": {"name": "render_chart", "arguments": '{"city": "Paris"}'}}
        ],
        "reasoning_details": DETAILS,
    },
    {
        "role": "tool",
        "tool_call_id": CALL_ID,
        "content": [
            {"type": "text", "text": "Weather chart for Paris:"},
            {"type": "image_url", "image_url": {"url": f"data:image/png;base64,{CHART_B64}"}},
        ],
    },
]


def check_requests(router: Any, *, streamed: bool) -> None:
    assert len(router.requests) == 2
    for request, expected in zip(router.requests, (EXPECTED_TURN_1, EXPECTED_TURN_2), strict=True):
        body = request.json
        assert body["messages"] == expected
        assert body["tools"] == [RENDER_CHART_SPEC]
        assert body["model"] == MODEL
        assert body["reasoning"] == {"max_tokens": 2048}
        assert body.get("stream", False) is streamed


def check_result(messages: list[Any]) -> None:
    kinds = [type(m).__name__ for m in messages]
    assert kinds == ["HumanMessage", "AIMessage", "ToolMessage", "AIMessage"]
    called, result, final = messages[1], messages[2], messages[3]
    assert called.tool_calls[0]["id"] == CALL_ID and called.tool_calls[0]["args"] == {"city": "Paris"}
    assert called.additional_kwargs["reasoning_details"] == DETAILS
    assert called.usage_metadata["output_token_details"] == {"reasoning": 41}
    assert isinstance(result, ToolMessage) and result.content[1]["base64"] == CHART_B64
    assert isinstance(final, AIMessage) and final.text == FINAL
    assert final.response_metadata["cost"] == pytest.approx(2210 * 3e-6 + 38 * 15e-6)


# -- the agents ----------------------------------------------------------------------------


def langchain_agent(model: ChatVisionRouter) -> Any:
    return create_agent(model, tools=[render_chart], system_prompt=SYSTEM)


def langgraph_react_agent(model: ChatVisionRouter) -> Any:
    from langgraph.prebuilt import create_react_agent

    with warnings.catch_warnings():  # deprecated in favour of create_agent, still widely used
        warnings.simplefilter("ignore")
        return create_react_agent(model, tools=[render_chart], prompt=SYSTEM)


AGENTS: dict[str, Callable[[ChatVisionRouter], Any]] = {
    "create_agent": langchain_agent,
    "create_react_agent": langgraph_react_agent,
}


def make_model(router: Any) -> ChatVisionRouter:
    return ChatVisionRouter(
        model=MODEL, api_key="k", base_url=router.url, max_retries=0, reasoning={"max_tokens": 2048}
    )


@pytest.mark.parametrize("agent_kind", list(AGENTS))
def test_agent_loop_sync(fake_router: Any, agent_kind: str) -> None:
    script_non_streamed(fake_router)
    with make_model(fake_router) as model:
        out = AGENTS[agent_kind](model).invoke({"messages": [human()]})
    check_requests(fake_router, streamed=False)
    check_result(out["messages"])


@pytest.mark.parametrize("agent_kind", list(AGENTS))
async def test_agent_loop_async(fake_router: Any, agent_kind: str) -> None:
    script_non_streamed(fake_router)
    async with make_model(fake_router) as model:
        out = await AGENTS[agent_kind](model).ainvoke({"messages": [human()]})
    check_requests(fake_router, streamed=False)
    check_result(out["messages"])


@pytest.mark.parametrize("agent_kind", list(AGENTS))
def test_agent_loop_streamed_sync(fake_router: Any, agent_kind: str) -> None:
    script_streamed(fake_router)
    tokens: list[Any] = []
    final_state: dict[str, Any] = {}
    with make_model(fake_router) as model:
        agent = AGENTS[agent_kind](model)
        for mode, data in agent.stream({"messages": [human()]}, stream_mode=["messages", "values"]):
            if mode == "messages":
                tokens.append(data[0])
            else:
                final_state = data
    check_requests(fake_router, streamed=True)
    check_result(final_state["messages"])
    # the answer arrived token by token, not in one piece
    answer_tokens = [t.text for t in tokens if isinstance(t, AIMessage) and t.text and not t.tool_call_chunks]
    assert len(answer_tokens) > 5 and "".join(answer_tokens) == FINAL


@pytest.mark.parametrize("agent_kind", list(AGENTS))
async def test_agent_loop_streamed_async(fake_router: Any, agent_kind: str) -> None:
    script_streamed(fake_router)
    async with make_model(fake_router) as model:
        agent = AGENTS[agent_kind](model)
        final_state: dict[str, Any] = {}
        async for mode, data in agent.astream({"messages": [human()]}, stream_mode=["messages", "values"]):
            if mode == "values":
                final_state = data
    check_requests(fake_router, streamed=True)
    check_result(final_state["messages"])


class WeatherReport(BaseModel):
    """The answer for the user."""

    city: str
    summary: str


def test_create_agent_with_structured_response(fake_router: Any) -> None:
    script_non_streamed(fake_router)
    fake_router._script.pop()  # replace the text answer by the structured one
    fake_router.reply(
        json=completion(
            gen="gen-1754441806-AgT3",
            model=MODEL,
            provider=PROVIDER,
            content="",
            tool_calls=[call("toolu_01Rep", "WeatherReport", {"city": "Paris", "summary": "Sun, then rain."})],
            finish="tool_calls",
            native="tool_use",
            use=usage(2300, 40, prompt_price=3e-6, completion_price=15e-6),
        )
    )
    with make_model(fake_router) as model:
        agent = create_agent(model, tools=[render_chart], system_prompt=SYSTEM, response_format=WeatherReport)
        out = agent.invoke({"messages": [human()]})
    assert out["structured_response"] == WeatherReport(city="Paris", summary="Sun, then rain.")
    second = fake_router.requests[1].json
    assert [t["function"]["name"] for t in second["tools"]] == ["render_chart", "WeatherReport"]
    assert second["tool_choice"] == "required"  # LangChain's "any"
    assert second["messages"][2]["reasoning_details"] == DETAILS
