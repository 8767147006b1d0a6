"""ChatVisionRouter's image limits and per-router rules, checked on what reaches a loopback router."""

from __future__ import annotations

import base64
import io
import os
from typing import Any

import pytest
from langchain_core.messages import HumanMessage, SystemMessage
from PIL import Image

from langchain_visionrouter import ChatVisionRouter, ImageInputError, image_block

REPLY = {
    "id": "gen-1",
    "model": "m",
    "choices": [{"index": 0, "finish_reason": "stop", "message": {"role": "assistant", "content": "ok"}}],
}


def encode(image: Image.Image, fmt: str, **params: object) -> bytes:
    out = io.BytesIO()
    image.save(out, format=fmt, **params)
    return out.getvalue()


def b64(data: bytes) -> str:
    return base64.b64encode(data).decode()


def sent_images(request: Any) -> list[bytes]:
    """The decoded data-URL images of every message of a recorded request, in order."""
    out = []
    for message in request.json["messages"]:
        content = message["content"]
        for part in content if isinstance(content, list) else []:
            if part["type"] == "image_url" and part["image_url"]["url"].startswith("data:"):
                out.append(base64.b64decode(part["image_url"]["url"].split(",", 1)[1]))
    return out


def size_of(data: bytes) -> tuple[int, int]:
    with Image.open(io.BytesIO(data)) as image:
        return image.size


def model(fake: Any, **kwargs: Any) -> ChatVisionRouter:
    kwargs.setdefault("router", "custom")
    return ChatVisionRouter(model="m", api_key="k", base_url=fake.url, max_retries=0, **kwargs)


@pytest.fixture(scope="module")
def wide_png() -> bytes:
    return encode(Image.new("RGB", (1024, 512), (200, 30, 30)), "PNG")


def test_max_side_applies_to_every_base64_form(fake_router: Any, wide_png: bytes) -> None:
    fake_router.reply(json=REPLY)
    data_url = f"data:image/png;base64,{b64(wide_png)}"
    content = [
        {"type": "text", "text": "compare"},
        {"type": "image_url", "image_url": {"url": data_url}},  # OpenAI form
        {"type": "image", "base64": b64(wide_png), "mime_type": "image/png"},  # LangChain standard
        {"type": "image", "source_type": "base64", "data": b64(wide_png), "mime_type": "image/png"},  # legacy
        {"type": "image", "source": {"type": "base64", "media_type": "image/png", "data": b64(wide_png)}},  # Anthropic
        image_block(wide_png),
        {"type": "image_url", "image_url": {"url": "https://example.com/big.png"}},  # fetched by the router
    ]
    with model(fake_router, image_max_side=256) as llm:
        assert llm.invoke([HumanMessage(content=content)]).content == "ok"
    images = sent_images(fake_router.requests[0])
    assert len(images) == 5
    assert all(size_of(image) == (256, 128) for image in images)
    parts = fake_router.requests[0].json["messages"][0]["content"]
    assert parts[-1] == {"type": "image_url", "image_url": {"url": "https://example.com/big.png"}}


async def test_limits_apply_on_the_async_path(fake_router: Any, wide_png: bytes) -> None:
    fake_router.reply(json=REPLY)
    async with model(fake_router, image_max_side=100) as llm:
        await llm.ainvoke([HumanMessage(content=[image_block(wide_png)])])
    assert [size_of(image) for image in sent_images(fake_router.requests[0])] == [(100, 50)]


@pytest.mark.parametrize("stream", [False, True])
async def test_async_resizing_runs_off_the_event_loop(
    fake_router: Any, wide_png: bytes, monkeypatch: pytest.MonkeyPatch, stream: bool
) -> None:
    import threading

    from langchain_visionrouter import chat_models

    threads: list[int] = []
    convert = chat_models.convert_messages

    def watched(*args: Any, **kwargs: Any) -> Any:
        threads.append(threading.get_ident())
        return convert(*args, **kwargs)

    monkeypatch.setattr(chat_models, "convert_messages", watched)
    if stream:
        fake_router.reply_sse([{"choices": [{"index": 0, "delta": {"content": "ok"}, "finish_reason": "stop"}]}])
    else:
        fake_router.reply(json=REPLY)
    fake_router.reply(json=REPLY)
    async with model(fake_router, image_max_side=100) as llm:
        message = [HumanMessage(content=[image_block(wide_png)])]
        if stream:
            assert "".join([str(c.content) async for c in llm.astream(message)]) == "ok"
        else:
            assert (await llm.ainvoke(message)).content == "ok"
        await llm.ainvoke("text only: no resizing, no thread")
    loop_thread = threading.get_ident()
    assert threads[0] != loop_thread and threads[1] == loop_thread
    assert [size_of(image) for image in sent_images(fake_router.requests[0])] == [(100, 50)]


def test_max_bytes_applies_to_what_is_sent(fake_router: Any) -> None:
    photo = encode(Image.frombytes("RGB", (600, 400), os.urandom(600 * 400 * 3)), "JPEG", quality=95)
    assert len(photo) > 100_000
    fake_router.reply(json=REPLY)
    with model(fake_router, image_max_bytes=40_000) as llm:
        llm.invoke([HumanMessage(content=[image_block(photo)])])
    (image,) = sent_images(fake_router.requests[0])
    assert len(image) <= 40_000
    assert image[:3] == b"\xff\xd8\xff"


def test_images_within_limits_are_sent_unchanged(fake_router: Any) -> None:
    small = encode(Image.new("RGB", (64, 64), (1, 2, 3)), "PNG")
    fake_router.reply(json=REPLY)
    with model(fake_router, image_max_side=512, image_max_bytes=1_000_000) as llm:
        llm.invoke([HumanMessage(content=[image_block(small)])])
    assert sent_images(fake_router.requests[0]) == [small]


def test_ceiling_refuses_before_any_request(fake_router: Any, wide_png: bytes) -> None:
    llm = model(fake_router, image_max_decoded_bytes=len(wide_png) - 1)
    with pytest.raises(ImageInputError, match=r"message 0 \(user\), content block 0.*image_max_decoded_bytes"):
        llm.invoke([HumanMessage(content=[image_block(wide_png)])])
    assert fake_router.requests == []


def test_default_ceiling_is_20_mb(fake_router: Any) -> None:
    # A PNG signature and 21 MB of nothing: refused on its size, never decoded or sent.
    huge = b64(b"\x89PNG\r\n\x1a\n" + bytes(21 * 1024 * 1024))
    with model(fake_router) as llm:
        assert llm.image_max_decoded_bytes == 20 * 1024 * 1024
        with pytest.raises(ImageInputError, match=r"21.0 MiB .*, over the 20.0 MiB \(20971520 bytes\) ceiling"):
            llm.invoke([HumanMessage(content=[{"type": "image", "base64": huge, "mime_type": "image/png"}])])
    assert fake_router.requests == []


def test_invalid_limits_are_refused() -> None:
    for field in ("image_max_side", "image_max_bytes", "image_max_decoded_bytes"):
        with pytest.raises(ValueError, match=field):
            ChatVisionRouter(model="m", api_key="k", **{field: 0})


# -- per-router rules ---------------------------------------------------------------------


@pytest.fixture(scope="module")
def gif() -> bytes:
    return encode(Image.new("RGB", (8, 8), (0, 0, 255)), "GIF")


def test_gif_to_infron_is_refused_before_sending(fake_router: Any, gif: bytes) -> None:
    with model(fake_router, router="infron") as llm, pytest.raises(ImageInputError) as info:
        llm.invoke([HumanMessage(content=["what colour?", image_block(gif)])])
    text = str(info.value)
    assert "GIF" in text and "infron does not accept" in text
    assert "image/jpeg, image/png, image/webp" in text
    assert fake_router.requests == []


def test_gif_to_openrouter_is_sent(fake_router: Any, gif: bytes) -> None:
    fake_router.reply(json=REPLY)
    with model(fake_router, router="openrouter") as llm:
        llm.invoke([HumanMessage(content=["what colour?", image_block(gif)])])
    assert sent_images(fake_router.requests[0]) == [gif]


def test_custom_base_url_takes_the_four_common_types(fake_router: Any) -> None:
    picture = Image.new("RGB", (8, 8), (0, 128, 0))
    images = [encode(picture, fmt) for fmt in ("PNG", "JPEG", "WEBP", "GIF")]
    fake_router.reply(json=REPLY)
    with model(fake_router, router="custom") as llm:
        llm.invoke([HumanMessage(content=[image_block(image) for image in images])])
        assert sent_images(fake_router.requests[0]) == images
        bmp = {"type": "image", "base64": b64(encode(picture, "BMP")), "mime_type": "image/bmp"}
        with pytest.raises(ImageInputError, match=r"BMP.*custom does not accept"):
            llm.invoke([HumanMessage(content=[bmp])])
    assert len(fake_router.requests) == 1


# -- order and leading images ----------------------------------------------------------------


def test_content_order_is_kept_and_system_prompt_may_lead_with_images(fake_router: Any) -> None:
    red, blue = (encode(Image.new("RGB", (4, 4), c), "PNG") for c in ((255, 0, 0), (0, 0, 255)))
    fake_router.reply(json=REPLY)
    messages = [
        SystemMessage(content=[image_block(red), {"type": "text", "text": "This is the reference image."}]),
        HumanMessage(content=["first", image_block(blue), "second", image_block("https://example.com/c.png")]),
    ]
    with model(fake_router) as llm:
        llm.invoke(messages)
    system, user = fake_router.requests[0].json["messages"]
    assert system["role"] == "system"
    assert [p["type"] for p in system["content"]] == ["image_url", "text"]
    assert [p.get("text") or p["image_url"]["url"][:22] for p in user["content"]] == [
        "first",
        "data:image/png;base64,",
        "second",
        "https://example.com/c.",
    ]
    assert sent_images(fake_router.requests[0]) == [red, blue]
