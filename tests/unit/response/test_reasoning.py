"""_reasoning: one rule for which fragments make one detail, on the way in and on the way back."""

from __future__ import annotations

from typing import Any

from langchain_core.messages import AIMessageChunk
from langchain_core.messages.ai import add_ai_message_chunks

from langchain_visionrouter._response.reasoning import StreamDetails, continues, merge_reasoning_details

FRAGMENTS: list[list[dict[str, Any]]] = [
    [{"type": "reasoning.text", "index": 0, "text": "Let me ", "format": "anthropic-claude-v1"}],
    [{"type": "reasoning.text", "index": 0, "text": "think."}],
    [{"type": "reasoning.text", "index": 0, "signature": "sig-1", "format": "anthropic-claude-v1"}],
    [{"type": "reasoning.encrypted", "index": 1, "id": "tool_a", "data": "AAA"}],
    [{"type": "reasoning.encrypted", "index": 1, "id": "tool_b", "data": "BBB"}],
]
WHOLE = [
    {
        "type": "reasoning.text",
        "index": 0,
        "text": "Let me think.",
        "format": "anthropic-claude-v1",
        "signature": "sig-1",
    },
    {"type": "reasoning.encrypted", "index": 1, "id": "tool_a", "data": "AAA"},
    {"type": "reasoning.encrypted", "index": 1, "id": "tool_b", "data": "BBB"},
]


def test_continues_needs_the_same_index_and_no_other_id_or_type() -> None:
    base = {"index": 0, "type": "reasoning.text", "id": "a"}
    assert continues(base, {"index": 0, "text": "x"})
    assert not continues(base, {"index": 1})
    assert not continues(base, {"index": 0, "id": "b"})
    assert not continues(base, {"index": 0, "type": "reasoning.summary"})


def test_merge_joins_fragments_into_whole_details() -> None:
    assert merge_reasoning_details([item for group in FRAGMENTS for item in group]) == WHOLE


def test_merge_leaves_whole_details_as_they_are() -> None:
    assert merge_reasoning_details(WHOLE) == WHOLE


def test_streamed_fragments_sum_to_what_merge_gives() -> None:
    shaper = StreamDetails()
    chunks = [
        AIMessageChunk(content="", additional_kwargs={"reasoning_details": shaper.fragments(g)}) for g in FRAGMENTS
    ]
    summed = add_ai_message_chunks(chunks[0], *chunks[1:]).additional_kwargs["reasoning_details"]
    assert merge_reasoning_details(summed) == WHOLE
