"""``VisionRouterImages`` against the loopback router speaking the Image API's documented wire format:
generate and edit give image blocks whose bytes are what the router sent, with cost counted; streams,
errors, limits and secrets as for chat."""

from __future__ import annotations

import base64
import pickle
from pathlib import Path
from typing import Any

import pytest

from langchain_visionrouter import (
    AuthenticationError,
    ImageInputError,
    InvalidInputError,
    ProviderError,
    RequestTimeoutError,
    StreamError,
    VisionRouterError,
    VisionRouterImages,
    image_block,
    save_image,
    track_usage,
)
from tests.catalog_data import paths
from tests.wire import png

MODEL = "bytedance-seed/seedream-4.5"
SECRET = "sk-or-v1-never-shown-0123456789"
RED, BLUE = png(32, 24, seed=1), png(24, 32, seed=2)


def b64(data: bytes) -> str:
    return base64.b64encode(data).decode()


def generated(*images: bytes, cost: float = 0.04, media_type: str | None = "image/png") -> dict[str, Any]:
    items = [{"b64_json": b64(i), **({"media_type": media_type} if media_type else {})} for i in images]
    return {
        "created": 1748372400,
        "data": items,
        "usage": {"prompt_tokens": 0, "completion_tokens": 4175, "total_tokens": 4175, "cost": cost},
    }


@pytest.fixture
def images(fake_router: Any) -> Any:
    model = VisionRouterImages(model=MODEL, api_key=SECRET, base_url=fake_router.url, max_retries=0, timeout=10)
    yield model
    model.close()


def test_generate_returns_the_routers_images_with_cost(fake_router: Any, images: Any) -> None:
    fake_router.reply(json=generated(RED, BLUE), headers={"X-Generation-Id": "gen-img-1748372400-a1"})
    with track_usage() as usage:
        answer = images.generate("Two flags", n=2, aspect_ratio="16:9", resolution="2K", quality="high", seed=7)
    assert [base64.b64decode(b["base64"]) for b in answer.content] == [RED, BLUE]
    assert [b["mime_type"] for b in answer.content] == ["image/png", "image/png"]
    assert answer.response_metadata["cost"] == 0.04
    assert answer.response_metadata["id"] == "gen-img-1748372400-a1"
    assert answer.usage_metadata["output_tokens"] == 4175
    assert usage.total_cost == pytest.approx(0.04) and usage.by_model[MODEL].calls == 1
    request = fake_router.requests[0]
    assert paths(fake_router) == ["POST /images"]
    assert request.json == {
        "model": MODEL,
        "prompt": "Two flags",
        "n": 2,
        "resolution": "2K",
        "aspect_ratio": "16:9",
        "quality": "high",
        "seed": 7,
    }
    assert request.headers["Authorization"] == f"Bearer {SECRET}"


def test_edit_sends_the_references_as_image_parts(fake_router: Any, images: Any, tmp_path: Path) -> None:
    photo = tmp_path / "photo.png"
    photo.write_bytes(RED)
    fake_router.reply(json=generated(BLUE, media_type=None))  # no media_type: read from the bytes
    answer = images.edit(
        "make it a watercolor painting",
        images=[photo, "https://example.com/photo.jpg", image_block(BLUE)],
        model="openai/gpt-image-1",
        extra_body={"session_id": "s-1"},
    )
    assert base64.b64decode(answer.content[0]["base64"]) == BLUE and answer.content[0]["mime_type"] == "image/png"
    body = fake_router.requests[0].json
    assert body["model"] == "openai/gpt-image-1" and body["session_id"] == "s-1"
    assert body["input_references"] == [
        {"type": "image_url", "image_url": {"url": "data:image/png;base64," + b64(RED)}},
        {"type": "image_url", "image_url": {"url": "https://example.com/photo.jpg"}},
        {"type": "image_url", "image_url": {"url": "data:image/png;base64," + b64(BLUE)}},
    ]


async def test_async_generate_and_edit(fake_router: Any, images: Any) -> None:
    fake_router.reply(json=generated(RED))
    fake_router.reply(json=generated(BLUE, cost=0.02))
    with track_usage() as usage:
        first = await images.agenerate("a red flag")
        second = await images.aedit("now blue", images=RED)
    assert base64.b64decode(first.content[0]["base64"]) == RED
    assert base64.b64decode(second.content[0]["base64"]) == BLUE
    assert usage.total_cost == pytest.approx(0.06)
    assert len(fake_router.requests[1].json["input_references"]) == 1


@pytest.mark.parametrize(
    ("call", "words"),
    [
        (lambda m: m.generate(""), "non-empty string"),
        (lambda m: m.generate("x", n=11), "n must be 1 to 10"),
        (lambda m: m.generate("x", output_compression=101), "0 to 100"),
        (lambda m: m.generate("x", size=2048), "size must be str"),
        (lambda m: m.generate("x", extra_body={"prompt": "y"}), "must not set"),
        (lambda m: m.edit("x", images=[RED] * 17), "limit of 16"),
        (lambda m: m.edit("x", images=b"not an image"), "image 0"),
        (lambda m: m.edit("x", images=[]), "at least one image"),
    ],
)
def test_bad_input_is_refused_before_any_request(fake_router: Any, images: Any, call: Any, words: str) -> None:
    with pytest.raises(InvalidInputError, match=words):
        call(images)
    assert fake_router.requests == []


def test_router_errors_are_typed_and_never_show_the_key(fake_router: Any, images: Any) -> None:
    fake_router.reply(401, json={"error": {"code": 401, "message": "User not found."}})
    with pytest.raises(AuthenticationError) as info:
        images.generate("x")
    assert SECRET not in str(info.value) and SECRET not in repr(info.value)
    # All-or-nothing billing: a generation that did not complete is a 502.
    fake_router.reply(502, json={"error": {"code": 502, "message": "Generation failed"}})
    with pytest.raises(ProviderError, match="Generation failed"):
        images.generate("x")
    fake_router.reply(json={"created": 1, "data": []})
    with pytest.raises(VisionRouterError, match="no images"):
        images.generate("x")
    fake_router.reply(json={"created": 1, "data": [{"b64_json": ""}]})
    with pytest.raises(VisionRouterError, match="neither b64_json nor url"):
        images.generate("x")


def test_secrets_stay_out_of_repr_dump_and_pickle(fake_router: Any) -> None:
    model = VisionRouterImages(
        model=MODEL, api_key=SECRET, base_url=fake_router.url, default_headers={"X-Api-Key": SECRET}
    )
    assert SECRET not in repr(model) and SECRET not in str(model.model_dump())
    assert SECRET.encode() not in pickle.dumps(model.model_copy(update={"default_headers": None}))
    model.close()


def test_the_deadline_bounds_the_call(fake_router: Any) -> None:
    gate = fake_router.hold()
    fake_router.reply(json=generated(RED), gate=gate)
    model = VisionRouterImages(model=MODEL, api_key=SECRET, base_url=fake_router.url, max_retries=0, deadline=0.3)
    with pytest.raises(RequestTimeoutError):
        model.generate("x")
    gate.set()
    model.close()


def test_a_url_answer_is_kept_as_a_url_block(fake_router: Any, images: Any) -> None:
    # Lenient: the spec has no url items, but gateways answer URLs (Infron's image host does).
    fake_router.reply(json={"created": 1, "data": [{"url": "https://cdn.example.com/a.png", "b64_json": ""}]})
    assert images.generate("x").content == [{"type": "image", "url": "https://cdn.example.com/a.png"}]


def sse_events(*events: Any) -> list[Any]:
    return [*events, "[DONE]"]


def test_stream_yields_previews_then_the_final_image_and_counts_its_cost(fake_router: Any, images: Any) -> None:
    fake_router.reply_sse(
        sse_events(
            {"type": "image_generation.partial_image", "partial_image_index": 0, "b64_json": b64(BLUE)},
            {
                "type": "image_generation.completed",
                "b64_json": b64(RED),
                "media_type": "image/png",
                "created": 1748372400,
                "usage": {"prompt_tokens": 16, "completion_tokens": 272, "total_tokens": 288, "cost": 0.011},
            },
        ),
        comments=2,
    )
    with track_usage() as usage:
        blocks = list(images.stream("a lighthouse"))
    assert blocks[0]["extras"] == {"partial": True, "partial_image_index": 0}
    assert base64.b64decode(blocks[0]["base64"]) == BLUE
    assert base64.b64decode(blocks[1]["base64"]) == RED and "extras" not in blocks[1]
    assert usage.total_cost == pytest.approx(0.011)
    assert fake_router.requests[0].json["stream"] is True
    assert fake_router.requests[0].headers["Accept"] == "text/event-stream"


def test_a_stream_request_answered_whole_gives_the_images(fake_router: Any, images: Any) -> None:
    fake_router.reply(json=generated(RED))  # non-streaming providers ignore the flag
    with track_usage() as usage:
        blocks = list(images.stream("x"))
    assert [base64.b64decode(b["base64"]) for b in blocks] == [RED]
    assert usage.total_cost == pytest.approx(0.04)


async def test_stream_errors_and_truncation_are_typed(fake_router: Any, images: Any) -> None:
    fake_router.reply_sse(
        sse_events({"type": "error", "error": {"message": "Generation failed", "code": "server_error"}})
    )
    with pytest.raises(StreamError, match="Generation failed"):
        list(images.stream("x"))
    partial = {"type": "image_generation.partial_image", "partial_image_index": 0, "b64_json": b64(BLUE)}
    fake_router.reply_sse([partial])  # no completed image, no [DONE]
    with pytest.raises(StreamError, match="before any final image"):
        [b async for b in images.astream("x")]


def test_list_models_reads_the_image_listing_with_capabilities(fake_router: Any, images: Any) -> None:
    fake_router.reply(
        json={
            "data": [
                {
                    "id": MODEL,
                    "name": "Seedream 4.5",
                    "description": "A text-to-image model.",
                    "created": 1692901234,
                    "architecture": {"input_modalities": ["text", "image"], "output_modalities": ["image"]},
                    "supported_parameters": {
                        "resolution": {"type": "enum", "values": ["1K", "2K", "4K"]},
                        "input_references": {"type": "range", "min": 0, "max": 14},
                        "seed": {"type": "boolean"},
                    },
                    "supports_streaming": False,
                    "endpoints": "/api/v1/images/models/bytedance-seed/seedream-4.5/endpoints",
                }
            ]
        }
    )
    [info] = images.list_models()
    assert info.id == MODEL and info.output_modalities == {"image"}
    assert info.capabilities["input_references"] == {"type": "range", "min": 0, "max": 14}
    assert info.supports("seed") and info.raw["supports_streaming"] is False
    assert paths(fake_router) == ["GET /images/models"]


def test_save_image_writes_the_bytes_with_the_types_suffix(fake_router: Any, images: Any, tmp_path: Path) -> None:
    fake_router.reply(json=generated(RED))
    block = images.generate("x").content[0]
    written = save_image(block, tmp_path / "out" / "flag")
    assert written == tmp_path / "out" / "flag.png" and written.read_bytes() == RED
    chat_form = {"type": "image_url", "image_url": {"url": "data:image/png;base64," + b64(BLUE)}}
    assert save_image(chat_form, tmp_path / "b.png").read_bytes() == BLUE
    with pytest.raises(ImageInputError, match="download it"):
        save_image({"type": "image", "url": "https://cdn.example.com/a.png"}, tmp_path / "c.png")


def test_infron_is_refused_with_the_way_out() -> None:
    with pytest.raises(ValueError, match="router='custom'"):
        VisionRouterImages(model=MODEL, router="infron", api_key="k")
