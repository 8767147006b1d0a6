"""Tools that return images, in agents (issue 16, item 4).

The right form (a tool returning a list of content blocks) is covered turn by turn in
``tests/behaviour/test_agent_loop.py``. Here, the trap: a tool returning ``image_block(...)`` (one dict),
which LangChain turns into JSON text. It reaches the model as the image it is, with a
warning saying how to write the tool; JSON text that is not a content block is left alone.
"""

from __future__ import annotations

import base64
import json
from typing import Any

import pytest
from langchain.agents import create_agent
from langchain_core.messages import HumanMessage, ToolMessage
from langchain_core.tools import tool

from langchain_visionrouter import ChatVisionRouter, image_block
from langchain_visionrouter._media.checks import ImagePolicy
from langchain_visionrouter._request import tool_results as _tool_results
from langchain_visionrouter._request.messages import convert_message
from tests.wire import call, completion, png

CHART = png(32, 24, seed=3)
CHART_B64 = base64.b64encode(CHART).decode()
CALL_ID = "call_chart_1"


@tool
def render_chart(city: str) -> dict[str, Any]:
    """Render today's weather chart for a city, as an image."""
    return image_block(CHART)  # the trap: one dict, not a list of blocks


@pytest.fixture(autouse=True)
def _warn_again(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(_tool_results, "_warned", False)


def test_an_agent_tool_returning_one_image_block_sends_an_image(fake_router: Any) -> None:
    fake_router.reply(
        json=completion(
            gen="gen-1",
            model="m",
            provider="P",
            content="",
            tool_calls=[call(CALL_ID, "render_chart", {"city": "Paris"})],
            finish="tool_calls",
        )
    )
    fake_router.reply(json=completion(gen="gen-2", model="m", provider="P", content="Rain from 15:00."))
    llm = ChatVisionRouter(model="m", api_key="k", base_url=fake_router.url, max_retries=0)
    agent = create_agent(llm, tools=[render_chart])
    with llm, pytest.warns(UserWarning, match=r"return \[image_block\(path\)\]"):
        result = agent.invoke({"messages": [HumanMessage("Show me the Paris chart.")]})
    tool_message = result["messages"][2]
    assert isinstance(tool_message, ToolMessage) and isinstance(tool_message.content, str)  # LangChain's JSON
    sent = fake_router.requests[1].json["messages"][-1]
    assert sent == {
        "role": "tool",
        "tool_call_id": CALL_ID,
        "content": [{"type": "image_url", "image_url": {"url": f"data:image/png;base64,{CHART_B64}"}}],
    }
    assert result["messages"][-1].text == "Rain from 15:00."


POLICY = ImagePolicy(router="openrouter", allowed_types=frozenset({"image/png"}), max_bytes=2**20)


def test_a_json_list_of_blocks_with_an_image_is_sent_as_parts() -> None:
    text = json.dumps([{"type": "text", "text": "chart:"}, {"type": "image", "url": "https://x.test/c.png"}])
    with pytest.warns(UserWarning):
        sent = convert_message(ToolMessage(text, tool_call_id="c1"), POLICY)
    assert sent["content"] == [
        {"type": "text", "text": "chart:"},
        {"type": "image_url", "image_url": {"url": "https://x.test/c.png"}},
    ]


@pytest.mark.parametrize(
    "text",
    [
        '{"type": "weather", "city": "Paris", "rain_mm": 4}',  # JSON data, not a content block
        '{"type": "text", "text": "just text"}',  # a text block carries no image
        '{"type": "image"}',  # no payload: not an image
        "not json {",
        "The chart type is image.",
    ],
)
def test_other_tool_text_is_sent_unchanged(text: str, recwarn: pytest.WarningsRecorder) -> None:
    sent = convert_message(ToolMessage(text, tool_call_id="c1"), POLICY)
    assert sent["content"] == text
    assert not [w for w in recwarn if issubclass(w.category, UserWarning)]


def test_a_disguised_image_is_still_checked_like_any_image() -> None:
    bmp = {"type": "image", "base64": base64.b64encode(b"BM" + b"\0" * 40).decode(), "mime_type": "image/bmp"}
    with pytest.warns(UserWarning), pytest.raises(ValueError, match="BMP"):
        convert_message(ToolMessage(json.dumps(bmp), tool_call_id="c1"), POLICY)
