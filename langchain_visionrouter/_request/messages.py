"""LangChain messages -> the router's chat-completions ``messages`` JSON.

Pure functions: data in, data out, no I/O. Every image and file is checked here
(:mod:`langchain_visionrouter._media.checks`), so bad input fails before a request is paid for.
Content keeps the order the user gave.
"""

from __future__ import annotations

import json
import logging
import posixpath
from collections.abc import Mapping, Sequence
from typing import Any
from urllib.parse import urlsplit

from langchain_core.messages import (
    AIMessage,
    BaseMessage,
    ChatMessage,
    HumanMessage,
    SystemMessage,
    ToolMessage,
)

from langchain_visionrouter._media.checks import (
    ImagePolicy,
    check_base64_payload,
    check_image_base64,
    image_data_url,
    parse_data_url,
)
from langchain_visionrouter._media.urls import check_image_url
from langchain_visionrouter._request.av_parts import audio_part, video_part
from langchain_visionrouter._request.tool_results import blocks_in_tool_text
from langchain_visionrouter._response.reasoning import merge_reasoning_details
from langchain_visionrouter._wire.body import BIG_STRING, DataURL
from langchain_visionrouter.errors import ImageInputError, InvalidInputError

__all__ = ["convert_message", "convert_messages", "untraced_inline_images"]

logger = logging.getLogger(__name__)

_ROLES = {
    "system": "system",
    "developer": "developer",
    "user": "user",
    "human": "user",
    "assistant": "assistant",
    "ai": "assistant",
    "tool": "tool",
}
# Blocks an AI message may carry that are sent another way (tool_calls, reasoning_details).
_AI_SIDE_BLOCKS = frozenset(
    {
        "tool_use",
        "tool_call",
        "tool_call_chunk",
        "invalid_tool_call",
        "reasoning",
        "thinking",
        "redacted_thinking",
        "server_tool_call",
        "server_tool_result",
        # Audio the model spoke: its transcript is the message text, sent as such (the router
        # documents no way to send assistant audio back).
        "audio",
    }
)
_KNOWN_PART_TYPES = "text, image_url, image, file, audio, input_audio, video_url"


def convert_messages(messages: Sequence[BaseMessage], policy: ImagePolicy) -> list[dict[str, Any]]:
    """Convert a conversation to the router's ``messages`` list."""
    return [convert_message(m, policy, index=i) for i, m in enumerate(messages)]


def convert_message(message: BaseMessage, policy: ImagePolicy, *, index: int = 0) -> dict[str, Any]:
    """Convert one LangChain message to one chat-completions message."""
    if isinstance(message, AIMessage):
        return _assistant(message, index, policy)
    if isinstance(message, HumanMessage):
        role = "user"
    elif isinstance(message, SystemMessage):
        role = "system"
    elif isinstance(message, ToolMessage):
        role = "tool"
    elif isinstance(message, ChatMessage):
        role = _ROLES.get(message.role.lower(), "")
        if not role:
            msg = (
                f"message {index}: ChatMessage role {message.role!r} is not one of "
                f"{', '.join(sorted(set(_ROLES.values())))}."
            )
            raise InvalidInputError(msg)
        if role == "assistant":
            return _assistant(message, index, policy)
    else:
        msg = (
            f"message {index}: {type(message).__name__} cannot be sent to the router; use "
            "SystemMessage, HumanMessage, AIMessage, ToolMessage or ChatMessage."
        )
        raise InvalidInputError(msg)

    where = f"message {index} ({role})"
    content = message.content
    if role == "tool" and isinstance(content, str):  # an image block LangChain stringified?
        content = blocks_in_tool_text(content, where=where) or content  # type: ignore[assignment]
    out: dict[str, Any] = {"role": role, "content": _content(content, policy, where)}
    if role == "tool":
        tool_call_id = getattr(message, "tool_call_id", None)
        if not tool_call_id:
            raise InvalidInputError(f"{where}: a tool message needs the tool_call_id it answers.")
        out["tool_call_id"] = tool_call_id
        out["content"] = _collapse_text(out["content"])
    if message.name and role != "tool":
        out["name"] = message.name
    return out


def _content(content: str | list[Any], policy: ImagePolicy, where: str) -> str | list[dict[str, Any]]:
    if isinstance(content, str):
        return content
    return [_part(block, policy, f"{where}, content block {j}") for j, block in enumerate(content)]


def _collapse_text(content: str | list[dict[str, Any]]) -> str | list[dict[str, Any]]:
    # Tool results that are only text go as a string: every provider takes that form.
    if isinstance(content, list) and all(p["type"] == "text" and len(p) == 2 for p in content):
        return "".join(p["text"] for p in content)
    return content


def _part(block: Any, policy: ImagePolicy, where: str) -> dict[str, Any]:
    if isinstance(block, str):
        return {"type": "text", "text": block}
    if not isinstance(block, Mapping):
        raise InvalidInputError(f"{where}: expected a string or a dict, got {type(block).__name__}.")
    kind = block.get("type")
    if kind == "text":
        part: dict[str, Any] = {"type": "text", "text": block.get("text") or ""}
        # prompt_cache_breakpoint: the explicit-caching mark on a text part (OpenAI GPT-5.6+).
        for key in ("cache_control", "prompt_cache_breakpoint"):
            if _extra(block, key):
                part[key] = _extra(block, key)
        return part
    if kind == "image_url":
        part = _image_url_part(block, policy, where)
    elif kind == "image":
        part = _image_part(block, policy, where)
    elif kind == "file":
        part = _file_part(block, policy, where)
    elif kind in ("audio", "input_audio"):
        part = audio_part(block, where)
    elif kind in ("video", "video_url", "input_video"):  # input_video: the legacy name of video_url
        part = video_part(block, where)
    else:
        msg = (
            f"{where}: unknown content block type {kind!r}. Supported types: {_KNOWN_PART_TYPES} "
            "(LangChain standard blocks or the OpenAI chat-completions forms)."
        )
        raise InvalidInputError(msg)
    # cache_control on image, file and audio parts: not documented for chat, but the schemas
    # are open and Anthropic models honour it (the Messages skin documents it): kept as given.
    cache_control = _extra(block, "cache_control")
    if cache_control:
        part["cache_control"] = cache_control
    if policy.tally is not None:
        policy.tally.count(part["type"])
    return part


def _image_url_part(block: Mapping[str, Any], policy: ImagePolicy, where: str) -> dict[str, Any]:
    spec = block.get("image_url")
    detail = None
    if isinstance(spec, Mapping):
        url, detail = spec.get("url"), spec.get("detail")
    else:
        url = spec
    if not isinstance(url, str) or not url:
        raise ImageInputError(f"{where}: image_url block has no 'url'.")
    return _image(url, detail, policy, where)


def _image(url: str, detail: Any, policy: ImagePolicy, where: str, declared: Any = None) -> dict[str, Any]:
    if url[:5].lower() == "data:":
        return _image_url(image_data_url(url, policy, where=where, detail=detail), detail, where)
    check_image_url(url, where=where, policy=policy, declared=declared if isinstance(declared, str) else None)
    return _image_url(url, detail, where)


def _image_url(url: str | DataURL, detail: Any, where: str) -> dict[str, Any]:
    spec: dict[str, Any] = {"url": url}
    if detail is not None:
        # Known: auto, low, high, and OpenRouter's "original" (downgraded to high where a
        # provider lacks it). Other strings are sent as given: the router may know them.
        if not isinstance(detail, str) or not detail:
            msg = f"{where}: detail must be a string ('auto', 'low', 'high' or 'original'), not {detail!r}."
            raise ImageInputError(msg)
        spec["detail"] = detail
    return {"type": "image_url", "image_url": spec}


def _extra(block: Mapping[str, Any], key: str) -> Any:
    if key in block:
        return block[key]
    for holder in ("extras", "metadata"):
        extras = block.get(holder)
        if isinstance(extras, Mapping) and key in extras:
            return extras[key]
    return None


def _image_part(block: Mapping[str, Any], policy: ImagePolicy, where: str) -> dict[str, Any]:
    detail = _extra(block, "detail")
    source = block.get("source")
    if isinstance(source, Mapping):  # Anthropic-style {"source": {"type": "base64"|"url", ...}}
        if source.get("type") == "url" and isinstance(source.get("url"), str):
            return _image(source["url"], detail, policy, where)
        if source.get("type") == "base64":
            return _inline_image(source.get("data"), source.get("media_type"), detail, policy, where)
    source_type = block.get("source_type")
    if isinstance(block.get("url"), str) and source_type in (None, "url"):
        return _image(block["url"], detail, policy, where, block.get("mime_type"))
    if "base64" in block or source_type == "base64":
        data = block.get("base64") if "base64" in block else block.get("data")
        return _inline_image(data, block.get("mime_type"), detail, policy, where)
    if "file_id" in block or source_type == "id":
        msg = (
            f"{where}: image blocks by file id are not supported by the router; "
            "send the image as a URL or base64 instead."
        )
        raise ImageInputError(msg)
    raise ImageInputError(f"{where}: image block needs 'url' or 'base64' (with 'mime_type').")


def _inline_image(data: Any, declared: Any, detail: Any, policy: ImagePolicy, where: str) -> dict[str, Any]:
    if isinstance(data, (bytes, bytearray)):
        msg = f"{where}: the image data is raw bytes; give it as a base64 str: base64.b64encode(data).decode()."
        raise ImageInputError(msg)
    if not isinstance(data, str):
        raise ImageInputError(f"{where}: the image is empty (no base64 data).")
    if data[:5].lower() == "data:":  # a data URL where bare base64 was expected: accept it
        return _image(data, detail, policy, where)
    declared_type = declared if isinstance(declared, str) else None
    return _image_url(check_image_base64(data, declared_type, policy, where=where, detail=detail), detail, where)


def _file_part(block: Mapping[str, Any], policy: ImagePolicy, where: str) -> dict[str, Any]:
    if isinstance(block.get("file"), Mapping):  # already the chat-completions form
        spec = dict(block["file"])
        data = spec.get("file_data")
        if isinstance(data, str) and data[:5].lower() == "data:":
            _, payload = parse_data_url(data, where=where)
            check_base64_payload(payload, where=where)
        elif isinstance(data, str):
            check_image_url(data, where=where)
        elif not spec.get("file_id"):
            raise ImageInputError(f"{where}: file block has no 'file_data'.")
        return {"type": "file", "file": spec}

    mime = block.get("mime_type")
    if isinstance(mime, str) and mime.startswith("image/"):
        return _image_part({**block, "type": "image"}, policy, where)
    source_type = block.get("source_type")
    filename = _extra(block, "filename") or _extra(block, "name") or _extra(block, "title")
    if isinstance(block.get("url"), str) and source_type in (None, "url"):
        url = block["url"]
        check_image_url(url, where=where)
        name = filename or posixpath.basename(urlsplit(url).path) or "document.pdf"
        return {"type": "file", "file": {"filename": name, "file_data": url}}
    if "base64" in block or source_type == "base64":
        data = block.get("base64") if "base64" in block else block.get("data")
        if not isinstance(data, str) or not data:
            raise ImageInputError(f"{where}: the file is empty (no base64 data).")
        if data[:5].lower() == "data:":
            mime, data = parse_data_url(data, where=where)
        data = check_base64_payload(data, where=where)
        mime = mime or "application/pdf"
        name = filename or ("document.pdf" if mime == "application/pdf" else "file")
        return {"type": "file", "file": {"filename": name, "file_data": DataURL(mime, data)}}
    if "file_id" in block or source_type == "id":
        msg = f"{where}: files by id are not supported by the router; send a URL or base64 instead."
        raise ImageInputError(msg)
    raise ImageInputError(f"{where}: file block needs 'url' or 'base64' (with 'mime_type').")


def _generated_image(block: Mapping[str, Any], where: str) -> dict[str, Any]:
    """An image the model generated, as the ``images`` entry the router answered it in."""
    url: Any = block.get("url")
    if block.get("type") == "image_url":
        spec = block.get("image_url")
        url = spec.get("url") if isinstance(spec, Mapping) else spec
    elif isinstance(block.get("base64"), str) and isinstance(block.get("mime_type"), str):
        url = DataURL(block["mime_type"], block["base64"])
    if not isinstance(url, (str, DataURL)) or not url:
        raise ImageInputError(f"{where}: image block needs 'url', or 'base64' with 'mime_type'.")
    return {"type": "image_url", "image_url": {"url": url}}


def _assistant(message: BaseMessage, index: int, policy: ImagePolicy) -> dict[str, Any]:
    where = f"message {index} (assistant)"
    content = message.content
    images: list[dict[str, Any]] = []
    if isinstance(content, list):
        texts = []
        for j, block in enumerate(content):
            if isinstance(block, str):
                texts.append(block)
            elif isinstance(block, Mapping):
                kind = block.get("type")
                if kind == "text" or (kind not in _AI_SIDE_BLOCKS and isinstance(block.get("text"), str)):
                    texts.append(block.get("text") or "")
                elif kind in ("image", "image_url"):
                    images.append(_generated_image(block, f"{where}, content block {j}"))
                elif kind not in _AI_SIDE_BLOCKS:
                    logger.warning("%s, content block %s: %r block not sent", where, j, kind)
        content = "".join(texts)
    out: dict[str, Any] = {"role": "assistant", "content": content}
    if images:
        # Generated images go back as the router sent them: the assistant message's
        # ``images`` (ChatAssistantMessage, "for requests and responses"), not as parts.
        out["images"] = images
        if policy.tally is not None:
            policy.tally.images += len(images)
    if isinstance(message, AIMessage):
        for j, tc in enumerate(message.tool_calls):
            if not tc.get("id"):
                msg = (
                    f"{where}: tool call {j} ({tc['name']!r}) has no id, so no tool result can answer it; "
                    "give every tool call an id (and its ToolMessage the same tool_call_id)."
                )
                raise InvalidInputError(msg)
        calls = [
            {
                "id": tc["id"],
                "type": "function",
                "function": {"name": tc["name"], "arguments": json.dumps(tc["args"], ensure_ascii=False)},
            }
            for tc in message.tool_calls
        ]
        # Invalid calls still happened: the model will see their results next.
        calls += [
            {
                "id": tc["id"],
                "type": "function",
                "function": {"name": tc["name"] or "", "arguments": tc["args"] or ""},
            }
            for tc in message.invalid_tool_calls
            if tc.get("id")
        ]
        if calls:
            out["tool_calls"] = calls
            if not content:
                out["content"] = None
    details = message.additional_kwargs.get("reasoning_details")
    if details:
        out["reasoning_details"] = merge_reasoning_details(details)
    _dialect_fields(message.additional_kwargs, out)
    annotations = message.additional_kwargs.get("annotations")
    if annotations:
        # File annotations spare the router re-parsing a PDF; citations are output only.
        files = [a for a in annotations if isinstance(a, Mapping) and a.get("type") == "file"]
        if files:
            out["annotations"] = files
    if message.name:
        out["name"] = message.name
    return out


def _dialect_fields(kwargs: Mapping[str, Any], out: dict[str, Any]) -> None:
    """What each gateway's docs ask to get back on the next turn (docs/gateways.md has the table).

    - ``reasoning_content``, when the answer carried it under that name (DeepSeek, Z.ai,
      SGLang, older vLLM), on every assistant message, even empty. Reading chosen: the
      current DeepSeek thinking-mode guide (api-docs.deepseek.com/guides/thinking_mode, V4
      version) says that after a turn with tool calls "the intermediate assistant's
      reasoning_content must participate in the context concatenation" in all later turns
      (400 otherwise), and that without tool calls it "will be ignored" if passed; the older
      reasoner guide's "passing reasoning_content gives a 400" is obsolete (the page is no
      longer linked; the live API accepts it, langchain#34166). So it is always sent: where
      it is not needed it is ignored. Z.ai's thinking-mode guide asks for "the complete,
      unmodified reasoning_content" back with tool results; SGLang's and vLLM's message
      schemas accept the field and their chat templates decide. Never sent when it only
      mirrors ``reasoning`` (Groq refuses unknown message properties) or Mistral's thinking.
    - Mistral's thinking, as the ``thinking`` content part it came in (mistralai client-python,
      examples/mistral/chat/reasoning_multi_turn.py: "always replay the assistant turn back
      into messages with its ThinkChunks intact"); Mistral refuses undocumented fields, so
      never as ``reasoning_content``.
    - Gemini's ``extra_content`` (its ``thought_signature``) back on the same tool call, and
      on the message when it came there (ai.google.dev thought-signatures: "pass it back
      exactly as received"; a 4xx without it on Gemini 3 function calls).
    """
    reasoning = kwargs.get("reasoning_content")
    thinking = kwargs.get("thinking")
    if isinstance(reasoning, str) and "reasoning" not in kwargs and "thinking" not in kwargs:
        out["reasoning_content"] = reasoning
    if isinstance(thinking, str) and thinking:
        parts: list[dict[str, Any]] = [{"type": "thinking", "thinking": [{"type": "text", "text": thinking}]}]
        if out.get("content"):
            parts.append({"type": "text", "text": out["content"]})
        out["content"] = parts
    if kwargs.get("extra_content") is not None:
        out["extra_content"] = kwargs["extra_content"]
    kept = kwargs.get("tool_call_fields")
    if isinstance(kept, Mapping) and out.get("tool_calls"):
        for call in out["tool_calls"]:
            fields = kept.get(call["id"])
            if isinstance(fields, Mapping) and fields.get("extra_content") is not None:
                call["extra_content"] = fields["extra_content"]


def untraced_inline_images(messages: Sequence[BaseMessage]) -> Sequence[BaseMessage]:
    """``messages`` with big inline image blocks in Anthropic's ``source`` form (the same list if none).

    Before calling the model, ``BaseChatModel`` hands its callbacks a copy of the messages
    with each inline standard image block rewritten as a data URL, a new string held for
    the whole call (an 8 MiB image: 11 MB more). It leaves the ``source`` form alone; that
    form carries the user's string uncopied and is sent the same way (both become one
    ``image_url`` part).
    """
    out = None
    for i, message in enumerate(messages):
        content = message.content
        if isinstance(content, list) and any(_big_inline_image(block) for block in content):
            out = out or list(messages)
            blocks = [_source_form(block) if _big_inline_image(block) else block for block in content]
            out[i] = message.model_copy(update={"content": blocks})
    return messages if out is None else out


def _big_inline_image(block: object) -> bool:
    if not isinstance(block, dict) or block.get("type") != "image":
        return False
    inline = "base64" in block or block.get("source_type") == "base64"
    data = block.get("base64", block.get("data")) if inline else None
    return isinstance(data, str) and len(data) >= BIG_STRING and data[:5].lower() != "data:"


def _source_form(block: Any) -> dict[str, Any]:
    data = block["base64"] if "base64" in block else block["data"]
    source = {"type": "base64", "media_type": block.get("mime_type"), "data": data}
    rest = {k: v for k, v in block.items() if k not in ("type", "base64", "data", "mime_type", "source_type")}
    return {"type": "image", "source": source, **rest}
