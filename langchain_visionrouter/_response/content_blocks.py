"""``content_blocks`` for our messages: reasoning, server tools, text with citations, images, audio, tool calls.

LangChain asks a translator registered under the message's ``model_provider`` how to
show a message as standard content blocks; this one knows the router's dialect.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping

from langchain_core.messages import AIMessage, AIMessageChunk
from langchain_core.messages import content as types

from langchain_visionrouter._response.outputs import citation, server_tool_blocks
from langchain_visionrouter._response.reasoning import merge_reasoning_details
from langchain_visionrouter._router.presets import ROUTERS

__all__ = ["register_content_translators"]


def _reasoning_blocks(message: AIMessage) -> list[types.ContentBlock]:
    details = message.additional_kwargs.get("reasoning_details")
    blocks: list[types.ContentBlock] = []
    if isinstance(details, list) and details:
        for detail in merge_reasoning_details(details):
            if not isinstance(detail, Mapping):
                continue
            if detail.get("type") == "reasoning.server_tool_call":  # a tool the router ran itself
                blocks.extend(server_tool_blocks(detail))
                continue
            block = types.ReasoningContentBlock(type="reasoning")
            text = detail.get("text") or detail.get("summary")
            if isinstance(text, str):
                block["reasoning"] = text
            extras = {k: v for k, v in detail.items() if k not in ("text", "summary") and v is not None}
            if extras:
                block["extras"] = extras
            blocks.append(block)
        if blocks:
            return blocks
    # `reasoning` (OpenRouter, Groq, vLLM), else `reasoning_content` (DeepSeek, Z.ai, SGLang;
    # also holds Mistral's thinking text): see _response/dialects.py.
    reasoning = message.additional_kwargs.get("reasoning") or message.additional_kwargs.get("reasoning_content")
    if isinstance(reasoning, str) and reasoning:
        blocks.append(types.ReasoningContentBlock(type="reasoning", reasoning=reasoning))
    return blocks


def _content(message: AIMessage) -> list[types.ContentBlock]:
    """Text (with the answer's citations on it), then generated images and audio, in order."""
    content = message.content
    blocks: list[types.ContentBlock] = []
    for part in [content] if isinstance(content, str) else content:
        if isinstance(part, str):
            if part:
                blocks.append(types.TextContentBlock(type="text", text=part))
        elif isinstance(part, Mapping) and part.get("type") == "text":
            if part.get("text"):
                blocks.append(types.TextContentBlock(type="text", text=part.get("text", "")))
            # An empty text block only holds list content's index 0 (an image-only answer).
        elif isinstance(part, Mapping) and part.get("type") in ("image", "audio"):
            block = {k: v for k, v in part.items() if k != "index"}
            blocks.append(block)  # type: ignore[arg-type]  # already a standard block
    annotations = message.additional_kwargs.get("annotations")
    citations = [c for c in map(citation, annotations if isinstance(annotations, list) else []) if c]
    if citations:
        # Indexes refer to the whole answer text: one text block holds them (made if empty).
        text = next((b for b in blocks if b["type"] == "text"), None)
        if text is None:
            text = types.TextContentBlock(type="text", text="")
            blocks.insert(0, text)
        text["annotations"] = [*text.get("annotations", []), *citations]
    return blocks


def _translate(message: AIMessage) -> list[types.ContentBlock]:
    blocks = _reasoning_blocks(message)
    blocks += _content(message)
    # Like LangChain's OpenAI translator: a stream chunk shows its fragments, the summed
    # message (chunk_position="last") its whole calls.
    use_chunks = isinstance(message, AIMessageChunk) and message.chunk_position != "last"
    if use_chunks:
        assert isinstance(message, AIMessageChunk)
        for tcc in message.tool_call_chunks:
            chunk_block = types.ToolCallChunk(
                type="tool_call_chunk", id=tcc.get("id"), name=tcc.get("name"), args=tcc.get("args")
            )
            if tcc.get("index") is not None:
                chunk_block["index"] = tcc["index"]  # type: ignore[typeddict-item]
            blocks.append(chunk_block)
    else:
        # A call's unmapped fields (Gemini's extra_content with its thought_signature) ride
        # on its block as `extras`, as LangChain's ToolCall block allows.
        kept = message.additional_kwargs.get("tool_call_fields")
        kept = kept if isinstance(kept, Mapping) else {}
        for tc in message.tool_calls:
            block = types.ToolCall(type="tool_call", id=tc.get("id"), name=tc["name"], args=tc["args"])
            if tc.get("id") in kept:
                block["extras"] = dict(kept[tc["id"]])
            blocks.append(block)
    for itc in message.invalid_tool_calls:
        blocks.append(
            types.InvalidToolCall(
                type="invalid_tool_call",
                id=itc.get("id"),
                name=itc.get("name"),
                args=itc.get("args"),
                error=itc.get("error"),
            )
        )
    return blocks


def register_content_translators(labels: Iterable[str]) -> None:
    """Teach ``content_blocks`` our dialect (reasoning, reasoning_details) for these providers."""
    from langchain_core.messages.block_translators import get_translator, register_translator

    for label in labels:
        if get_translator(label) is None:  # never override another package's translator
            register_translator(label, _translate, _translate)


# On import: _responses, where our messages are made, imports this module, so any message
# of ours translates alike whatever module a program imported first.
register_content_translators(preset.provider_label for preset in ROUTERS.values())
