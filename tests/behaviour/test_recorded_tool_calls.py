"""Real recorded OpenRouter traffic, replayed to the adapter through the loopback router.

``shared/recordings/openrouter/tool_calls_stream.yaml`` is a two-turn tool call recorded
against the live API by a public project (OpenAI's gpt-4.1-mini via OpenRouter). It is
read at test time from ``../shared`` beside the repository (never copied into it); the
expected values are taken from the recorded wire, then spot-checked against literals.
"""

from __future__ import annotations

import gzip
import json
from pathlib import Path
from typing import Any

import pytest
import yaml
from langchain_core.messages import AIMessageChunk, HumanMessage, ToolMessage
from langchain_core.tools import tool

from langchain_visionrouter import ChatVisionRouter

ROOT = Path(__file__).resolve().parents[2]


def _shared_dirs() -> list[Path]:
    """``../shared`` beside the repository, also when this is a git worktree of it."""
    dirs = [ROOT.parent / "shared"]
    git = ROOT / ".git"
    if git.is_file():  # a worktree: "gitdir: <main>/.git/worktrees/<name>"
        gitdir = Path(git.read_text().split("gitdir:", 1)[1].strip())
        common = gitdir / "commondir"
        main_git = (gitdir / common.read_text().strip()).resolve() if common.is_file() else gitdir.parents[1]
        dirs.append(main_git.parent.parent / "shared")
    return dirs


SHARED = next((d for d in _shared_dirs() if d.is_dir()), None)
RECORDING = SHARED / "recordings" / "openrouter" / "tool_calls_stream.yaml" if SHARED else None
pytestmark = pytest.mark.skipif(
    RECORDING is None or not RECORDING.is_file(),
    reason="the shared recordings directory (../shared beside the repository) is absent on this machine",
)


def _body(raw: Any) -> bytes:
    data = raw if isinstance(raw, bytes) else raw.encode()
    return gzip.decompress(data) if data[:2] == b"\x1f\x8b" else data


def chat_interactions() -> list[dict[str, Any]]:
    assert RECORDING is not None
    data = yaml.safe_load(RECORDING.read_text())
    found = []
    for item in data["interactions"]:
        if item["request"]["uri"].endswith("/chat/completions"):
            found.append(
                {
                    "request": json.loads(item["request"]["body"]),
                    "stream": _body(item["response"]["body"]["string"]),
                }
            )
    return found


def events(stream: bytes) -> list[dict[str, Any]]:
    out = []
    for line in stream.decode().splitlines():
        if line.startswith("data: ") and line[6:] != "[DONE]":
            out.append(json.loads(line[6:]))
    return out


def pieces(stream: bytes, size: int) -> list[bytes]:
    """The recorded body cut into network reads of ``size`` bytes (frames split anywhere)."""
    return [stream[i : i + size] for i in range(0, len(stream), size)]


@tool
def llm_version() -> str:
    """Return the installed version of llm"""
    return "0.0+test"


def summed(chunks: list[AIMessageChunk]) -> AIMessageChunk:
    full = chunks[0]
    for chunk in chunks[1:]:
        full = full + chunk
    return full


@pytest.mark.parametrize("read_size", [65536, 97, 7])
def test_recorded_two_turn_tool_call(fake_router: Any, read_size: int) -> None:
    first, second = chat_interactions()
    fake_router.reply_sse(chunks=pieces(first["stream"], read_size))
    fake_router.reply_sse(chunks=pieces(second["stream"], read_size))
    model_id = first["request"]["model"]
    question = first["request"]["messages"][0]["content"]

    with ChatVisionRouter(model=model_id, api_key="k", base_url=fake_router.url, max_retries=0) as model:
        bound = model.bind_tools([llm_version])
        turn1 = summed(list(bound.stream([HumanMessage(question)])))

        # The tool call, as the wire has it.
        wire_calls = [tc for e in events(first["stream"]) for tc in e["choices"][0]["delta"].get("tool_calls") or []]
        wire_id = wire_calls[0]["id"]
        assert turn1.tool_calls == [{"name": "llm_version", "args": {}, "id": wire_id, "type": "tool_call"}]
        assert wire_id == "call_o4OCgtJrNoZTmoCRvmlfoHfj"
        assert turn1.invalid_tool_calls == []
        wire_usage = next(e["usage"] for e in events(first["stream"]) if e.get("usage"))
        assert turn1.usage_metadata is not None
        assert turn1.usage_metadata["input_tokens"] == wire_usage["prompt_tokens"] == 48
        assert turn1.usage_metadata["output_tokens"] == wire_usage["completion_tokens"]
        assert turn1.response_metadata["finish_reason"] == "tool_calls"

        # What we sent matches what the recorded client sent (tools, stream options, messages).
        sent1 = fake_router.requests[0].json
        for key in ("model", "messages", "stream", "stream_options", "tools"):
            assert sent1[key] == first["request"][key], key

        tool_result = llm_version.invoke(turn1.tool_calls[0])
        assert isinstance(tool_result, ToolMessage)
        turn2 = summed(list(bound.stream([HumanMessage(question), turn1, tool_result])))

    sent2 = fake_router.requests[1].json
    recorded2 = second["request"]["messages"]
    # The recorded client leaves out an empty assistant content; we send null, as the schema allows.
    assert sent2["messages"][1] == {"content": None, **recorded2[1]}
    assert sent2["messages"][0] == recorded2[0] and sent2["messages"][2] == recorded2[2]

    wire2 = events(second["stream"])
    wire_text = "".join(e["choices"][0]["delta"].get("content") or "" for e in wire2 if e.get("choices"))
    wire_usage2 = next(e["usage"] for e in wire2 if e.get("usage"))
    assert turn2.content == wire_text == "The current LLM version is 0.0+test."
    assert turn2.usage_metadata == {
        "input_tokens": wire_usage2["prompt_tokens"],
        "output_tokens": wire_usage2["completion_tokens"],
        "total_tokens": wire_usage2["total_tokens"],
        "input_token_details": {"cache_read": 0},
        "output_token_details": {"reasoning": 0},
    }
    assert (wire_usage2["prompt_tokens"], wire_usage2["completion_tokens"], wire_usage2["total_tokens"]) == (73, 14, 87)
    assert turn2.response_metadata["cost"] == wire_usage2["cost"] == 0.0000516
    assert turn2.response_metadata["id"] == wire2[0]["id"] == "gen-1754441567-0DYjQqpItP2qbbL9HlFt"
    assert turn2.response_metadata["provider"] == "OpenAI"
    assert turn2.response_metadata["model_name"] == "openai/gpt-4.1-mini"
    assert turn2.response_metadata["finish_reason"] == "stop"
