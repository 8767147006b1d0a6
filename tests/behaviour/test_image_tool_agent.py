"""``VisionRouterImages.as_tool()`` in an agent loop on the loopback router: the model asks for a
drawing, the tool calls the Image API, and the next model turn is sent the image itself."""

from __future__ import annotations

import base64
from typing import Any

import pytest
from langchain.agents import create_agent
from langchain_core.messages import HumanMessage, ToolMessage

from langchain_visionrouter import ChatVisionRouter, VisionRouterImages, track_usage
from tests.catalog_data import paths
from tests.wire import call, completion, png, usage

CHAT = "openai/gpt-4o"
DRAWER = "black-forest-labs/flux.2-pro"
PICTURE = png(40, 30, seed=3)
PICTURE_B64 = base64.b64encode(PICTURE).decode()
CALL_ID = "call_draw_1"


def script(router: Any) -> None:
    router.reply(
        json=completion(
            gen="gen-chat-1",
            model=CHAT,
            provider="OpenAI",
            content="",
            tool_calls=[call(CALL_ID, "generate_image", {"prompt": "a lighthouse at dusk", "aspect_ratio": "1:1"})],
            finish="tool_calls",
            use=usage(120, 30, prompt_price=2.5e-6, completion_price=1e-5),
        )
    )
    router.reply(
        json={
            "created": 1748372400,
            "data": [{"b64_json": PICTURE_B64, "media_type": "image/png"}],
            "usage": {"prompt_tokens": 0, "completion_tokens": 1000, "total_tokens": 1000, "cost": 0.03},
        }
    )
    router.reply(
        json=completion(
            gen="gen-chat-2",
            model=CHAT,
            provider="OpenAI",
            content="The picture shows a lighthouse against an orange sky.",
            finish="stop",
            use=usage(900, 12, prompt_price=2.5e-6, completion_price=1e-5),
        )
    )


def check(router: Any, messages: list[Any]) -> None:
    assert paths(router) == ["POST /chat/completions", "POST /images", "POST /chat/completions"]
    assert router.requests[1].json == {"model": DRAWER, "prompt": "a lighthouse at dusk", "aspect_ratio": "1:1"}
    tool_turn = router.requests[2].json["messages"][-1]
    assert tool_turn["role"] == "tool" and tool_turn["tool_call_id"] == CALL_ID
    # The next turn sees the image, not a description of it.
    assert tool_turn["content"][1] == {
        "type": "image_url",
        "image_url": {"url": f"data:image/png;base64,{PICTURE_B64}"},
    }
    result = next(m for m in messages if isinstance(m, ToolMessage))
    assert result.content[1]["base64"] == PICTURE_B64
    assert messages[-1].text.startswith("The picture shows a lighthouse")


def make(router: Any) -> tuple[Any, VisionRouterImages]:
    images = VisionRouterImages(model=DRAWER, api_key="k", base_url=router.url, max_retries=0)
    llm = ChatVisionRouter(model=CHAT, api_key="k", base_url=router.url, max_retries=0)
    return create_agent(llm, tools=[images.as_tool()], system_prompt="Draw when asked, then describe."), images


def test_the_agent_draws_and_looks(fake_router: Any) -> None:
    script(fake_router)
    agent, images = make(fake_router)
    with track_usage() as usage:
        state = agent.invoke({"messages": [HumanMessage("Draw a lighthouse at dusk and tell me what you see.")]})
    check(fake_router, state["messages"])
    assert usage.by_model[DRAWER].cost == pytest.approx(0.03)  # the drawing is in the totals
    images.close()


async def test_the_agent_draws_and_looks_async(fake_router: Any) -> None:
    script(fake_router)
    agent, images = make(fake_router)
    state = await agent.ainvoke({"messages": [HumanMessage("Draw a lighthouse at dusk and tell me what you see.")]})
    check(fake_router, state["messages"])
    await images.aclose()


def test_the_tool_schema_the_model_sees(fake_router: Any) -> None:
    tool = VisionRouterImages(model=DRAWER, api_key="k", base_url=fake_router.url).as_tool()
    assert tool.name == "generate_image"
    assert set(tool.args) == {"prompt", "aspect_ratio"}
