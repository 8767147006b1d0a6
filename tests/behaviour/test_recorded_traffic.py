"""Real traffic recorded against the live OpenRouter (shared/recordings, read in place, never copied
into the project) replayed through the loopback router: the adapter's output must be exactly what
the wire says. Skipped, with the reason, only where shared/ is not beside the repo."""

from __future__ import annotations

import gzip
import json
from pathlib import Path
from typing import Any

import pytest
import yaml
from langchain_core.messages import HumanMessage

from langchain_visionrouter import ChatVisionRouter

RECORDINGS = Path(__file__).resolve().parents[2].parent / "shared" / "recordings" / "openrouter"
pytestmark = pytest.mark.skipif(not RECORDINGS.is_dir(), reason=f"public recordings not present at {RECORDINGS}")


def chat_interactions(name: str) -> list[tuple[dict[str, Any], bytes]]:
    data = yaml.safe_load((RECORDINGS / name).read_text())
    out = []
    for interaction in data["interactions"]:
        if not interaction["request"]["uri"].endswith("/chat/completions"):
            continue
        body = interaction["response"]["body"]["string"]
        raw = body if isinstance(body, bytes) else body.encode()
        if raw[:2] == b"\x1f\x8b":  # gzip magic: the live bodies were stored compressed
            raw = gzip.decompress(raw)
        out.append((json.loads(interaction["request"]["body"]), raw))
    return out


def wire_summary(raw: bytes) -> dict[str, Any]:
    events = [
        json.loads(line[6:])
        for line in raw.decode().splitlines()
        if line.startswith("data: ") and line != "data: [DONE]"
    ]
    finishes = [
        e["choices"][0]["finish_reason"] for e in events if e.get("choices") and e["choices"][0]["finish_reason"]
    ]
    usage = next(e["usage"] for e in events if e.get("usage"))
    return {
        "text": "".join(e["choices"][0]["delta"].get("content") or "" for e in events if e.get("choices")),
        "finish_reason": finishes[0],
        "usage": usage,
        "provider": events[0]["provider"],
        "model": events[0]["model"],
        "id": events[0]["id"],
    }


def pieces(raw: bytes, size: int) -> list[bytes]:
    # Arbitrary network reads: frames split mid-line.
    return [raw[i : i + size] for i in range(0, len(raw), size)]


@pytest.mark.parametrize(
    "name", ["text_prompt_stream.yaml", "image_prompt_stream.yaml", "image_prompt_stream_2025-04.yaml"]
)
@pytest.mark.parametrize("read_size", [7, 64, 100_000])
def test_recorded_stream_maps_exactly(name: str, read_size: int, fake_router: Any) -> None:
    request, raw = chat_interactions(name)[0]
    wire = wire_summary(raw)
    fake_router.reply_sse(chunks=pieces(raw, read_size))
    model = ChatVisionRouter(model=request["model"], api_key="k", base_url=fake_router.url, max_retries=0)
    content = request["messages"][0]["content"]
    message = HumanMessage(content=content)
    chunks = list(model.stream([message]))
    model.close()
    full = chunks[0]
    for c in chunks[1:]:
        full = full + c
    sent = fake_router.requests[0].json
    assert sent["messages"] == request["messages"]  # the image goes out exactly as the live client sent it
    assert full.content == wire["text"]
    assert full.response_metadata["finish_reason"] == wire["finish_reason"]
    assert full.response_metadata["provider"] == wire["provider"]
    assert full.response_metadata["model_name"] == wire["model"]
    assert full.response_metadata["id"] == wire["id"]
    assert full.response_metadata["cost"] == wire["usage"]["cost"]
    assert full.usage_metadata is not None
    assert full.usage_metadata["input_tokens"] == wire["usage"]["prompt_tokens"]
    assert full.usage_metadata["output_tokens"] == wire["usage"]["completion_tokens"]
    assert full.usage_metadata["total_tokens"] == wire["usage"]["total_tokens"]
    assert sum(1 for c in chunks if c.usage_metadata) == 1


async def test_recorded_stream_async(fake_router: Any) -> None:
    request, raw = chat_interactions("image_prompt_stream.yaml")[0]
    wire = wire_summary(raw)
    fake_router.reply_sse(chunks=pieces(raw, 33))
    model = ChatVisionRouter(model=request["model"], api_key="k", base_url=fake_router.url, max_retries=0)
    text = "".join([c.text async for c in model.astream([HumanMessage(content=request["messages"][0]["content"])])])
    await model.aclose()
    assert text == wire["text"]
