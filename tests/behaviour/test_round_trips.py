"""Round trips: what the model answered goes back to the router in the schema's form.

Tool calls and their results, images returned by tools, and ``reasoning_details``
(non-streamed, and streamed then summed) are checked in the request JSON the loopback
router receives on the next turn.
"""

from __future__ import annotations

import base64
import copy
import json
from typing import Any

import pytest
from langchain_core.messages import AIMessage, AIMessageChunk, HumanMessage, ToolMessage

from langchain_visionrouter import ChatVisionRouter, InvalidInputError
from langchain_visionrouter._request.messages import merge_reasoning_details
from tests.wire import Stream, call, completion, png, tool_delta, usage

MODEL = "anthropic/claude-sonnet-4"
PNG = png()
PNG_B64 = base64.b64encode(PNG).decode()
PNG_URL = "https://upload.wikimedia.org/wikipedia/commons/4/47/PNG_transparency_demonstration_1.png"


@pytest.fixture
def model(make_model: Any) -> ChatVisionRouter:
    return make_model(model=MODEL)  # type: ignore[no-any-return]


def next_request(fake_router: Any, model: ChatVisionRouter, messages: list[Any]) -> list[dict[str, Any]]:
    """Send ``messages`` as the next turn; return the ``messages`` JSON the router got."""
    fake_router.reply(json=completion(gen="gen-next", model=MODEL, provider="Anthropic", content="Done."))
    model.invoke(messages)
    sent: list[dict[str, Any]] = fake_router.requests[-1].json["messages"]
    return sent


# ---------------------------------------------------------------------------
# Tool calls and tool results


def test_tool_calls_and_results_go_back_in_the_schema_form(fake_router: Any, model: ChatVisionRouter) -> None:
    fake_router.reply(
        json=completion(
            gen="gen-1",
            model=MODEL,
            provider="Anthropic",
            content=None,
            finish="tool_calls",
            tool_calls=[
                call("toolu_01A", "get_weather", {"city": "Zürich"}, index=0),
                call("toolu_01B", "get_time", "", index=1),
            ],
        )
    )
    question = HumanMessage("Weather and time in Zürich?")
    answer = model.invoke([question])
    results = [
        ToolMessage("Sunny, 21 °C", tool_call_id="toolu_01A", name="get_weather"),
        ToolMessage([{"type": "text", "text": "14:02"}], tool_call_id="toolu_01B", name="get_time"),
    ]
    sent = next_request(fake_router, model, [question, answer, *results])
    assert sent == [
        {"role": "user", "content": "Weather and time in Zürich?"},
        {
            "role": "assistant",
            "content": None,
            "tool_calls": [
                {
                    "id": "toolu_01A",
                    "type": "function",
                    "function": {"name": "get_weather", "arguments": '{"city": "Zürich"}'},
                },
                {"id": "toolu_01B", "type": "function", "function": {"name": "get_time", "arguments": "{}"}},
            ],
        },
        {"role": "tool", "tool_call_id": "toolu_01A", "content": "Sunny, 21 °C"},
        {"role": "tool", "tool_call_id": "toolu_01B", "content": "14:02"},
    ]


def test_text_beside_tool_calls_and_anthropic_style_content(fake_router: Any, model: ChatVisionRouter) -> None:
    ai = AIMessage(
        [
            {"type": "text", "text": "Let me look."},
            {"type": "tool_use", "id": "toolu_1", "name": "add", "input": {"a": 1, "b": 2}},
        ],
        tool_calls=[{"name": "add", "args": {"a": 1, "b": 2}, "id": "toolu_1", "type": "tool_call"}],
    )
    sent = next_request(
        fake_router, model, [HumanMessage("1+2?"), ai, ToolMessage('{"result": 3}', tool_call_id="toolu_1")]
    )
    assert sent[1] == {
        "role": "assistant",
        "content": "Let me look.",
        "tool_calls": [
            {"id": "toolu_1", "type": "function", "function": {"name": "add", "arguments": '{"a": 1, "b": 2}'}}
        ],
    }
    assert sent[2] == {"role": "tool", "tool_call_id": "toolu_1", "content": '{"result": 3}'}


def test_invalid_tool_calls_go_back_with_their_raw_arguments(fake_router: Any, model: ChatVisionRouter) -> None:
    fake_router.reply(
        json=completion(
            gen="gen-1",
            model=MODEL,
            provider="Anthropic",
            content="",
            finish="tool_calls",
            tool_calls=[call("toolu_bad", "add", '{"a": 1,', index=0)],
        )
    )
    answer = model.invoke("1+?")
    assert answer.invalid_tool_calls and not answer.tool_calls
    error = ToolMessage("Error: arguments were not valid JSON", tool_call_id="toolu_bad", status="error")
    sent = next_request(fake_router, model, [HumanMessage("1+?"), answer, error])
    assert sent[1]["tool_calls"] == [
        {"id": "toolu_bad", "type": "function", "function": {"name": "add", "arguments": '{"a": 1,'}}
    ]
    assert sent[2] == {"role": "tool", "tool_call_id": "toolu_bad", "content": "Error: arguments were not valid JSON"}


def test_a_tool_call_without_id_fails_before_sending(fake_router: Any, model: ChatVisionRouter) -> None:
    ai = AIMessage("", tool_calls=[{"name": "add", "args": {}, "id": None, "type": "tool_call"}])
    with pytest.raises(InvalidInputError, match=r"message 1 \(assistant\): tool call 0 \('add'\) has no id"):
        model.invoke([HumanMessage("hi"), ai])
    assert fake_router.requests == []


def test_a_tool_message_without_tool_call_id_fails_before_sending(fake_router: Any, model: ChatVisionRouter) -> None:
    with pytest.raises(InvalidInputError, match="needs the tool_call_id"):
        model.invoke([HumanMessage("hi"), ToolMessage("x", tool_call_id="")])
    assert fake_router.requests == []


# ---------------------------------------------------------------------------
# Images in tool results

DATA_URL = f"data:image/png;base64,{PNG_B64}"
IMAGE_RESULTS: dict[str, tuple[list[dict[str, Any]], dict[str, Any]]] = {
    "OpenAI image_url, URL": (
        [{"type": "image_url", "image_url": {"url": PNG_URL}}],
        {"type": "image_url", "image_url": {"url": PNG_URL}},
    ),
    "OpenAI image_url, base64": (
        [{"type": "image_url", "image_url": {"url": DATA_URL, "detail": "high"}}],
        {"type": "image_url", "image_url": {"url": DATA_URL, "detail": "high"}},
    ),
    "standard block, URL": (
        [{"type": "image", "url": PNG_URL}],
        {"type": "image_url", "image_url": {"url": PNG_URL}},
    ),
    "standard block, base64": (
        [{"type": "image", "base64": PNG_B64, "mime_type": "image/png"}],
        {"type": "image_url", "image_url": {"url": DATA_URL}},
    ),
    "legacy block, base64": (
        [{"type": "image", "source_type": "base64", "data": PNG_B64, "mime_type": "image/png"}],
        {"type": "image_url", "image_url": {"url": DATA_URL}},
    ),
    "Anthropic block, base64": (
        [{"type": "image", "source": {"type": "base64", "media_type": "image/png", "data": PNG_B64}}],
        {"type": "image_url", "image_url": {"url": DATA_URL}},
    ),
}


@pytest.mark.parametrize("form", list(IMAGE_RESULTS))
def test_tool_result_images_are_sent_as_image_parts(fake_router: Any, model: ChatVisionRouter, form: str) -> None:
    blocks, expected_part = IMAGE_RESULTS[form]
    ai = AIMessage("", tool_calls=[{"name": "screenshot", "args": {}, "id": "toolu_img", "type": "tool_call"}])
    result = ToolMessage([{"type": "text", "text": "Here is the screen."}, *blocks], tool_call_id="toolu_img")
    sent = next_request(fake_router, model, [HumanMessage("Look at my screen"), ai, result])
    assert sent[2] == {
        "role": "tool",
        "tool_call_id": "toolu_img",
        "content": [{"type": "text", "text": "Here is the screen."}, expected_part],
    }


def test_tool_message_built_from_content_blocks(fake_router: Any, model: ChatVisionRouter) -> None:
    ai = AIMessage("", tool_calls=[{"name": "random_image", "args": {}, "id": "1", "type": "tool_call"}])
    result = ToolMessage(
        content_blocks=[{"type": "image", "base64": PNG_B64, "mime_type": "image/png"}], tool_call_id="1"
    )
    sent = next_request(fake_router, model, [HumanMessage("an image please"), ai, result])
    assert sent[2]["content"] == [{"type": "image_url", "image_url": {"url": DATA_URL}}]


def test_a_bad_image_in_a_tool_result_fails_before_sending(fake_router: Any, model: ChatVisionRouter) -> None:
    ai = AIMessage("", tool_calls=[{"name": "screenshot", "args": {}, "id": "t1", "type": "tool_call"}])
    bad = ToolMessage([{"type": "image", "base64": "bm90IGFuIGltYWdl", "mime_type": "image/png"}], tool_call_id="t1")
    with pytest.raises(InvalidInputError, match=r"message 2 \(tool\), content block 0"):
        model.invoke([HumanMessage("hi"), ai, bad])
    assert fake_router.requests == []


# ---------------------------------------------------------------------------
# reasoning_details

ANTHROPIC_DETAILS = [
    {
        "type": "reasoning.text",
        "text": "The user wants the weather, so I should call get_weather.",
        "signature": "ErUBCkYIBRgCIkB3b2x2ZXJpbmUtc2lnbmF0dXJlLWZvci10ZXN0cw==",
        "format": "anthropic-claude-v1",
        "index": 0,
    }
]
GEMINI_DETAILS = [
    {"type": "reasoning.text", "text": "Two cities: two calls.", "format": "google-gemini-v1", "index": 0},
    {
        "type": "reasoning.encrypted",
        "data": "CiQB0e2Kb8wqk1c3Wm9kZWwtdGhvdWdodC1zaWduYXR1cmUtMQ==",
        "id": "tool_0_get_weather_a1",
        "format": "google-gemini-v1",
        "index": 1,
    },
    {
        "type": "reasoning.encrypted",
        "data": "CiQB0e2Kb8wqk1c3Wm9kZWwtdGhvdWdodC1zaWduYXR1cmUtMg==",
        "id": "tool_1_get_weather_b2",
        "format": "google-gemini-v1",
        "index": 1,
    },
]
OPENAI_DETAILS = [
    {
        "type": "reasoning.summary",
        "summary": "**Planning** I will call the tool.",
        "format": "openai-responses-v1",
        "index": 0,
    },
    {
        "type": "reasoning.encrypted",
        "data": "gAAAAABo-encrypted-reasoning-blob==",
        "id": "rs_68a1",
        "format": "openai-responses-v1",
        "index": 1,
    },
]
DETAILS = {"anthropic": ANTHROPIC_DETAILS, "gemini": GEMINI_DETAILS, "openai": OPENAI_DETAILS}


@pytest.mark.parametrize("family", list(DETAILS))
def test_non_streamed_reasoning_details_go_back_unchanged(
    fake_router: Any, model: ChatVisionRouter, family: str
) -> None:
    details = DETAILS[family]
    fake_router.reply(
        json=completion(
            gen="gen-1",
            model=MODEL,
            provider="Anthropic",
            content="",
            reasoning="thinking...",
            reasoning_details=copy.deepcopy(details),
            finish="tool_calls",
            tool_calls=[call("toolu_1", "get_weather", {"city": "Paris"})],
        )
    )
    answer = model.invoke("Weather in Paris?")
    assert answer.additional_kwargs["reasoning_details"] == details
    sent = next_request(
        fake_router, model, [HumanMessage("Weather in Paris?"), answer, ToolMessage("Sunny", tool_call_id="toolu_1")]
    )
    assert sent[1]["reasoning_details"] == details
    assert "reasoning" not in sent[1]  # the details carry it; plain text is not part of the schema


def stream_reasoning_then_call(s: Stream, pieces: list[str], signature: str) -> list[dict[str, Any]]:
    """Anthropic via OpenRouter: text fragments, then the signature alone, then the tool call."""
    events = [s.chunk()]
    for piece in pieces:
        detail = {"type": "reasoning.text", "text": piece, "format": "anthropic-claude-v1", "index": 0}
        events.append(s.chunk({"reasoning": piece, "reasoning_details": [detail]}))
    signed = {"type": "reasoning.text", "signature": signature, "format": "anthropic-claude-v1", "index": 0}
    events.append(s.chunk({"reasoning": "", "reasoning_details": [signed]}))
    events.append(s.chunk(tool_delta(0, call_id="toolu_1", name="get_weather", arguments='{"city": "Paris"}')))
    return events + s.end(finish="tool_calls", use=usage(120, 45, reasoning=30), shape="empty_choices")


def test_streamed_reasoning_details_are_merged_with_signature_intact(fake_router: Any, model: ChatVisionRouter) -> None:
    s = Stream(gen="gen-1754441700-Rsn1", model=MODEL, provider="Anthropic")
    whole = ANTHROPIC_DETAILS[0]
    pieces = ["The user wants the weather, ", "so I should call ", "get_weather."]
    fake_router.reply_sse([*stream_reasoning_then_call(s, pieces, whole["signature"]), "[DONE]"], comments=3)
    chunks = list(model.stream("Weather in Paris?"))
    answer = chunks[0]
    for chunk in chunks[1:]:
        answer = answer + chunk
    assert isinstance(answer, AIMessageChunk)
    assert answer.additional_kwargs["reasoning"] == whole["text"]
    assert answer.additional_kwargs["reasoning_details"] == ANTHROPIC_DETAILS  # merged exactly once
    sent = next_request(
        fake_router, model, [HumanMessage("Weather in Paris?"), answer, ToolMessage("Sunny", tool_call_id="toolu_1")]
    )
    assert sent[1]["reasoning_details"] == ANTHROPIC_DETAILS
    assert sent[1]["tool_calls"][0]["id"] == "toolu_1"


def test_streamed_gemini_details_keep_one_encrypted_detail_per_call(fake_router: Any, model: ChatVisionRouter) -> None:
    s = Stream(gen="gen-1754441700-Gem1", model="google/gemini-2.5-flash", provider="Google")
    text, enc_a, enc_b = GEMINI_DETAILS
    events = [
        s.chunk({"reasoning": "Two cities: ", "reasoning_details": [{**text, "text": "Two cities: "}]}),
        s.chunk({"reasoning": "two calls.", "reasoning_details": [{**text, "text": "two calls."}]}),
        s.chunk(
            {
                "reasoning_details": [enc_a],
                "tool_calls": [call("tool_0_get_weather_a1", "get_weather", {"city": "Paris"}, index=0)],
            }
        ),
        s.chunk(
            {
                "reasoning_details": [enc_b],
                "tool_calls": [call("tool_1_get_weather_b2", "get_weather", {"city": "Lima"}, index=1)],
            }
        ),
        *s.end(finish="tool_calls", native="STOP", use=usage(80, 60, reasoning=40), shape="repeat_finish"),
    ]
    fake_router.reply_sse([*events, "[DONE]"])
    chunks = list(model.stream("Weather in Paris and Lima?"))
    answer = chunks[0]
    for chunk in chunks[1:]:
        answer = answer + chunk
    assert [tc["id"] for tc in answer.tool_calls] == ["tool_0_get_weather_a1", "tool_1_get_weather_b2"]
    results = [
        ToolMessage("Sunny", tool_call_id="tool_0_get_weather_a1"),
        ToolMessage("Rain", tool_call_id="tool_1_get_weather_b2"),
    ]
    sent = next_request(fake_router, model, [HumanMessage("Weather in Paris and Lima?"), answer, *results])
    assert sent[1]["reasoning_details"] == GEMINI_DETAILS


def test_raw_fragments_are_merged_before_sending(fake_router: Any, model: ChatVisionRouter) -> None:
    # Fragments collected as the router sent them (not summed by LangChain) are joined too.
    fragments = [
        {"type": "reasoning.text", "text": "The user wants the weather, ", "format": "anthropic-claude-v1", "index": 0},
        {
            "type": "reasoning.text",
            "text": "so I should call get_weather.",
            "format": "anthropic-claude-v1",
            "index": 0,
        },
        {
            "type": "reasoning.text",
            "signature": ANTHROPIC_DETAILS[0]["signature"],
            "format": "anthropic-claude-v1",
            "index": 0,
        },
    ]
    assert merge_reasoning_details(fragments) == ANTHROPIC_DETAILS
    ai = AIMessage(
        "",
        additional_kwargs={"reasoning_details": fragments},
        tool_calls=[{"name": "get_weather", "args": {"city": "Paris"}, "id": "toolu_1", "type": "tool_call"}],
    )
    sent = next_request(fake_router, model, [HumanMessage("hi"), ai, ToolMessage("Sunny", tool_call_id="toolu_1")])
    assert sent[1]["reasoning_details"] == ANTHROPIC_DETAILS


def test_merge_leaves_whole_details_and_other_ids_alone() -> None:
    assert merge_reasoning_details(GEMINI_DETAILS) == GEMINI_DETAILS
    assert merge_reasoning_details(OPENAI_DETAILS) == OPENAI_DETAILS
    no_index = [{"type": "reasoning.encrypted", "data": "a"}, {"type": "reasoning.encrypted", "data": "b"}]
    assert merge_reasoning_details(no_index) == no_index
    originals = copy.deepcopy(ANTHROPIC_DETAILS)
    merge_reasoning_details([*ANTHROPIC_DETAILS, {"index": 0, "type": "reasoning.text", "text": "!"}])
    assert originals == ANTHROPIC_DETAILS  # inputs never mutated


def test_v1_output_keeps_reasoning_details_for_the_next_turn(fake_router: Any) -> None:
    fake_router.reply(
        json=completion(
            gen="gen-1",
            model=MODEL,
            provider="Anthropic",
            content="",
            reasoning=ANTHROPIC_DETAILS[0]["text"],
            reasoning_details=copy.deepcopy(ANTHROPIC_DETAILS),
            finish="tool_calls",
            tool_calls=[call("toolu_1", "get_weather", {"city": "Paris"})],
        )
    )
    with ChatVisionRouter(model=MODEL, api_key="k", base_url=fake_router.url, output_version="v1") as llm:
        answer = llm.invoke("Weather in Paris?")
        assert isinstance(answer.content, list)
        reasoning = [b for b in answer.content if isinstance(b, dict) and b["type"] == "reasoning"]
        assert reasoning[0]["reasoning"] == ANTHROPIC_DETAILS[0]["text"]
        assert reasoning[0]["extras"]["signature"] == ANTHROPIC_DETAILS[0]["signature"]
        sent = next_request(
            fake_router, llm, [HumanMessage("Weather in Paris?"), answer, ToolMessage("Sunny", tool_call_id="toolu_1")]
        )
    assert sent[1] == {
        "role": "assistant",
        "content": None,
        "tool_calls": [
            {
                "id": "toolu_1",
                "type": "function",
                "function": {"name": "get_weather", "arguments": json.dumps({"city": "Paris"})},
            }
        ],
        "reasoning_details": ANTHROPIC_DETAILS,
    }
