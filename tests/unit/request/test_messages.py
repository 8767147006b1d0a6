"""messages.py: LangChain messages -> chat-completions JSON."""

from __future__ import annotations

import base64

import pytest
from langchain_core.messages import AIMessage, ChatMessage, HumanMessage, SystemMessage, ToolMessage

from langchain_visionrouter._media.checks import ImagePolicy
from langchain_visionrouter._request.messages import convert_message, convert_messages, merge_reasoning_details
from langchain_visionrouter.errors import ImageInputError, InvalidInputError
from tests.cassette_sources.core import RED_PNG_B64, TINY_PDF_B64, tiny_png

POLICY = ImagePolicy(router="openrouter")
PNG_URL = f"data:image/png;base64,{RED_PNG_B64}"


def convert(message: object) -> dict:
    return convert_message(message, POLICY)  # type: ignore[arg-type]


def parts(*blocks: object) -> list:
    return convert(HumanMessage(content=list(blocks)))["content"]


def test_roles_and_string_content() -> None:
    out = convert_messages(
        [
            SystemMessage("be brief"),
            HumanMessage("hi", name="ann"),
            AIMessage("hello"),
            ChatMessage(role="developer", content="x"),
        ],
        POLICY,
    )
    assert out == [
        {"role": "system", "content": "be brief"},
        {"role": "user", "content": "hi", "name": "ann"},
        {"role": "assistant", "content": "hello"},
        {"role": "developer", "content": "x"},
    ]


def test_chat_message_roles_map_and_unknown_role_is_refused() -> None:
    assert convert(ChatMessage(role="human", content="a"))["role"] == "user"
    assert convert(ChatMessage(role="ai", content="a"))["role"] == "assistant"
    with pytest.raises(InvalidInputError, match="'wizard'"):
        convert(ChatMessage(role="wizard", content="a"))


def test_text_blocks_keep_cache_control_and_drop_langchain_ids() -> None:
    out = parts("plain", {"type": "text", "text": "big", "cache_control": {"type": "ephemeral"}, "id": "lc_1"})
    assert out == [
        {"type": "text", "text": "plain"},
        {"type": "text", "text": "big", "cache_control": {"type": "ephemeral"}},
    ]


@pytest.mark.parametrize(
    ("block", "expected"),
    [
        ({"type": "image_url", "image_url": "https://x.test/a.png"}, {"url": "https://x.test/a.png"}),
        (
            {"type": "image_url", "image_url": {"url": "https://x.test/a.png", "detail": "high"}},
            {"url": "https://x.test/a.png", "detail": "high"},
        ),
        ({"type": "image", "url": "https://x.test/a.png"}, {"url": "https://x.test/a.png"}),
        ({"type": "image", "source_type": "url", "url": "https://x.test/a.png"}, {"url": "https://x.test/a.png"}),
        ({"type": "image", "base64": RED_PNG_B64, "mime_type": "image/png"}, {"url": PNG_URL}),
        ({"type": "image", "source_type": "base64", "data": RED_PNG_B64, "mime_type": "image/png"}, {"url": PNG_URL}),
        (
            {"type": "image", "source": {"type": "base64", "media_type": "image/png", "data": RED_PNG_B64}},
            {"url": PNG_URL},
        ),
        (
            {"type": "image", "base64": RED_PNG_B64, "mime_type": "image/png", "extras": {"detail": "low"}},
            {"url": PNG_URL, "detail": "low"},
        ),
        ({"type": "image_url", "image_url": {"url": PNG_URL}}, {"url": PNG_URL}),
    ],
)
def test_every_image_form_becomes_an_image_url_part(block: dict, expected: dict) -> None:
    assert parts(block) == [{"type": "image_url", "image_url": expected}]


def test_declared_mime_type_is_corrected_from_the_bytes() -> None:
    out = parts({"type": "image", "base64": RED_PNG_B64, "mime_type": "image/jpeg"})
    assert out[0]["image_url"]["url"] == PNG_URL
    out = parts({"type": "image_url", "image_url": {"url": f"data:image/webp;base64,{RED_PNG_B64}"}})
    assert out[0]["image_url"]["url"] == PNG_URL


def test_images_keep_the_order_given() -> None:
    blue = base64.b64encode(tiny_png((0, 0, 255))).decode()
    out = parts(
        {"type": "image", "url": "https://x.test/1.png"},
        "between",
        {"type": "image", "base64": blue, "mime_type": "image/png"},
        {"type": "image_url", "image_url": "https://x.test/3.png"},
    )
    assert [p["type"] for p in out] == ["image_url", "text", "image_url", "image_url"]
    assert out[0]["image_url"]["url"].endswith("/1.png")
    assert blue in str(out[2]["image_url"]["url"])
    assert out[3]["image_url"]["url"].endswith("/3.png")


def test_detail_that_is_not_a_string_is_refused() -> None:
    # Unknown detail strings ("original", newer ones) are sent: the router may know them.
    with pytest.raises(ImageInputError, match="detail"):
        parts({"type": "image_url", "image_url": {"url": "https://x.test/a.png", "detail": 3}})


def test_pdf_files() -> None:
    assert parts({"type": "file", "base64": TINY_PDF_B64, "mime_type": "application/pdf", "filename": "r.pdf"}) == [
        {"type": "file", "file": {"filename": "r.pdf", "file_data": f"data:application/pdf;base64,{TINY_PDF_B64}"}}
    ]
    # Legacy form, name in metadata; a URL gets its name from its path.
    legacy = parts(
        {
            "type": "file",
            "source_type": "base64",
            "data": TINY_PDF_B64,
            "mime_type": "application/pdf",
            "metadata": {"filename": "m.pdf"},
        }
    )
    assert legacy[0]["file"]["filename"] == "m.pdf"
    by_url = parts({"type": "file", "url": "https://x.test/docs/report.pdf"})
    assert by_url == [
        {"type": "file", "file": {"filename": "report.pdf", "file_data": "https://x.test/docs/report.pdf"}}
    ]
    unnamed = parts({"type": "file", "base64": TINY_PDF_B64, "mime_type": "application/pdf"})
    assert unnamed[0]["file"]["filename"] == "document.pdf"


def test_file_block_with_image_mime_is_an_image() -> None:
    assert parts({"type": "file", "base64": RED_PNG_B64, "mime_type": "image/png"}) == [
        {"type": "image_url", "image_url": {"url": PNG_URL}}
    ]


def test_audio_block() -> None:
    data = base64.b64encode(b"RIFF0000WAVEfmt ").decode()
    assert parts({"type": "audio", "base64": data, "mime_type": "audio/wav"}) == [
        {"type": "input_audio", "input_audio": {"data": data, "format": "wav"}}
    ]


def test_unknown_block_type_names_the_place() -> None:
    with pytest.raises(
        InvalidInputError, match=r"message 0 \(user\), content block 1: unknown content block type 'hologram'"
    ):
        parts("hi", {"type": "hologram"})


def test_tool_message_with_image_is_sent_as_parts_and_text_only_as_string() -> None:
    with_image = convert(
        ToolMessage(
            content=[{"type": "text", "text": "chart:"}, {"type": "image", "url": "https://x.test/c.png"}],
            tool_call_id="c1",
        )
    )
    assert with_image == {
        "role": "tool",
        "tool_call_id": "c1",
        "content": [
            {"type": "text", "text": "chart:"},
            {"type": "image_url", "image_url": {"url": "https://x.test/c.png"}},
        ],
    }
    text_only = convert(ToolMessage(content=[{"type": "text", "text": "4"}], tool_call_id="c2"))
    assert text_only == {"role": "tool", "tool_call_id": "c2", "content": "4"}


def test_ai_message_with_tool_calls_round_trips() -> None:
    message = AIMessage(
        content="",
        tool_calls=[{"name": "add", "args": {"a": 1, "b": 2}, "id": "call_1", "type": "tool_call"}],
        invalid_tool_calls=[{"name": "mul", "args": "{bad", "id": "call_2", "error": "x", "type": "invalid_tool_call"}],
    )
    assert convert(message) == {
        "role": "assistant",
        "content": None,
        "tool_calls": [
            {"id": "call_1", "type": "function", "function": {"name": "add", "arguments": '{"a": 1, "b": 2}'}},
            {"id": "call_2", "type": "function", "function": {"name": "mul", "arguments": "{bad"}},
        ],
    }


def test_ai_message_sends_back_reasoning_details_and_file_annotations_only() -> None:
    details = [
        {"type": "reasoning.text", "text": "think", "signature": "sig", "format": "anthropic-claude-v1", "index": 0}
    ]
    message = AIMessage(
        content=[{"type": "reasoning", "reasoning": "think"}, {"type": "text", "text": "answer"}],
        additional_kwargs={
            "reasoning_details": details,
            "annotations": [
                {"type": "url_citation", "url_citation": {"url": "https://x.test"}},
                {"type": "file", "file": {"hash": "h", "name": "a.pdf"}},
            ],
        },
    )
    out = convert(message)
    assert out["content"] == "answer"
    assert out["reasoning_details"] == details
    assert out["annotations"] == [{"type": "file", "file": {"hash": "h", "name": "a.pdf"}}]


def test_merge_reasoning_details_joins_fragments_by_index() -> None:
    fragments = [
        {"type": "reasoning.text", "text": "a", "format": "f", "index": 0},
        {"type": "reasoning.text", "text": "b", "format": "f", "index": 0},
        {"type": "reasoning.text", "signature": "s", "index": 0},
        {"type": "reasoning.encrypted", "data": "xyz"},
    ]
    assert merge_reasoning_details(fragments) == [
        {"type": "reasoning.text", "text": "ab", "format": "f", "index": 0, "signature": "s"},
        {"type": "reasoning.encrypted", "data": "xyz"},
    ]


def test_tool_message_needs_its_call_id() -> None:
    message = ToolMessage(content="x", tool_call_id="")
    with pytest.raises(InvalidInputError, match="tool_call_id"):
        convert(message)
