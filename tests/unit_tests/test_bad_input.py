"""Bad input fails before any request: a clear error naming what was wrong and where.

Each case goes through the real model against the loopback FakeRouter (sync and
async) and asserts that nothing reached the server.

The documented choice for a declared MIME type that contradicts the bytes (see the
``images`` module docstring): the type is *corrected from the bytes*. For an image
given by URL, which cannot be read first, the declared type (else the URL's
extension) is checked against what the router accepts.
"""

from __future__ import annotations

import asyncio
import base64
import io
from pathlib import Path
from typing import Any

import pytest
from langchain_core.messages import HumanMessage, SystemMessage, ToolMessage
from PIL import Image

from langchain_visionrouter import ChatVisionRouter, ImageInputError, InvalidInputError, image_block
from langchain_visionrouter._images import ImagePolicy
from langchain_visionrouter._messages import convert_messages
from langchain_visionrouter._routers import get_router
from tests.fakerouter import FakeRouter

KEY = "sk-or-v1-badinput000000000000000000000000000000000000000000000000000"
OK = {"id": "gen-ok", "choices": [{"index": 0, "finish_reason": "stop", "message": {"content": "ok"}}]}


def image_bytes(fmt: str) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (4, 4), (200, 30, 30)).save(out, fmt)
    return out.getvalue()


PNG = image_bytes("PNG")
JPEG = image_bytes("JPEG")
GIF = image_bytes("GIF")
WEBP = image_bytes("WEBP")
BMP = image_bytes("BMP")
TIFF = image_bytes("TIFF")
SVG = b'<?xml version="1.0"?><svg xmlns="http://www.w3.org/2000/svg" width="4" height="4"></svg>'
HEIC = b"\x00\x00\x00\x18ftypheic\x00\x00\x00\x00mif1heic" + b"\x00" * 32


def b64(data: bytes) -> str:
    return base64.b64encode(data).decode()


def data_url(mime: str, data: bytes) -> str:
    return f"data:{mime};base64,{b64(data)}"


def user(*blocks: Any) -> list[HumanMessage]:
    return [HumanMessage(content=[{"type": "text", "text": "What is this?"}, *blocks])]


@pytest.fixture(params=["sync", "async"])
def send(request: pytest.FixtureRequest, fake_router: FakeRouter) -> Any:
    """Send messages through a model on the FakeRouter, sync or async."""
    made: list[ChatVisionRouter] = []

    def go(messages: Any, **model_kwargs: Any) -> Any:
        model_kwargs.setdefault("base_url", fake_router.url)
        model = ChatVisionRouter(model="test/vision", api_key=KEY, max_retries=0, **model_kwargs)
        made.append(model)
        if request.param == "sync":
            return model.invoke(messages)
        return asyncio.run(model.ainvoke(messages))

    yield go
    for model in made:
        model.close()


def refused(send: Any, fake_router: FakeRouter, messages: Any, cls: type[Exception], *needles: str, **kw: Any) -> str:
    """Assert the call raises ``cls`` mentioning every needle, and that no request was sent."""
    fake_router.reply(json=OK)  # would be answered, if anything were sent
    with pytest.raises(cls) as info:
        send(messages, **kw)
    text = str(info.value)
    for needle in needles:
        assert needle in text, f"{needle!r} not in {text!r}"
    assert fake_router.requests == []
    return text


# ---------------------------------------------------------------------------
# Encoding


@pytest.mark.parametrize(
    ("url", "needle"),
    [
        ("data:image/png;base64,iVBORw0KGgo!!!!AAAA", "invalid character '!'"),
        ("data:image/png;base64,iVBORw0KGgoAAAANSUhEU", "wrong length or misplaced '=' padding"),
        ("data:image/png;base64,iVBO=w0KGgoAAAANSUhE", "padding"),
        ("data:image/png;base64,iVBORw0KGgo_-AAAA", "invalid character '_'"),  # urlsafe alphabet
    ],
    ids=["bad-char", "bad-length", "inner-padding", "urlsafe"],
)
def test_malformed_base64_in_data_url(send: Any, fake_router: FakeRouter, url: str, needle: str) -> None:
    block = {"type": "image_url", "image_url": {"url": url}}
    text = refused(send, fake_router, user(block), ImageInputError, "malformed base64", needle)
    assert "message 0 (user), content block 1" in text  # where
    assert "base64.b64encode" in text  # what to do


def test_malformed_base64_in_standard_block(send: Any, fake_router: FakeRouter) -> None:
    block = {"type": "image", "base64": "not base64 at all!", "mime_type": "image/png"}
    refused(send, fake_router, user(block), ImageInputError, "content block 1", "malformed base64")


def test_malformed_data_url_header(send: Any, fake_router: FakeRouter) -> None:
    block = {"type": "image_url", "image_url": {"url": "data:image/png;base64" + b64(PNG)}}  # no comma
    refused(send, fake_router, user(block), ImageInputError, "malformed data URL")


def test_data_url_that_is_not_base64(send: Any, fake_router: FakeRouter) -> None:
    block = {"type": "image_url", "image_url": {"url": "data:image/png,%89PNG"}}
    refused(send, fake_router, user(block), ImageInputError, "not base64-encoded")


def test_raw_bytes_instead_of_base64(send: Any, fake_router: FakeRouter) -> None:
    block = {"type": "image", "base64": PNG, "mime_type": "image/png"}
    refused(send, fake_router, user(block), ImageInputError, "raw bytes", "b64encode")


@pytest.mark.parametrize(
    "block",
    [
        {"type": "image_url", "image_url": {"url": "data:image/png;base64,"}},
        {"type": "image", "base64": "", "mime_type": "image/png"},
        {"type": "image", "source_type": "base64", "data": "", "mime_type": "image/jpeg"},
        {"type": "image", "base64": None, "mime_type": "image/png"},
        {"type": "image", "source": {"type": "base64", "media_type": "image/png", "data": ""}},
    ],
    ids=["data-url", "standard", "v0-standard", "none", "anthropic-style"],
)
def test_empty_image(send: Any, fake_router: FakeRouter, block: dict[str, Any]) -> None:
    refused(send, fake_router, user(block), ImageInputError, "content block 1", "empty")


def test_image_url_block_without_url(send: Any, fake_router: FakeRouter) -> None:
    refused(send, fake_router, user({"type": "image_url", "image_url": {}}), ImageInputError, "has no 'url'")


def test_bytes_that_are_no_image(send: Any, fake_router: FakeRouter) -> None:
    block = {"type": "image", "base64": b64(b"just some text, not an image"), "mime_type": "image/png"}
    refused(send, fake_router, user(block), ImageInputError, "unrecognised data", "declared image/png")


# ---------------------------------------------------------------------------
# Types the router does not take


@pytest.mark.parametrize(
    ("mime", "data", "kind"),
    [
        ("image/bmp", BMP, "BMP"),
        ("image/svg+xml", SVG, "SVG"),
        ("image/heic", HEIC, "HEIC"),
        ("image/tiff", TIFF, "TIFF"),
    ],
)
@pytest.mark.parametrize("form", ["data-url", "standard", "file-block"])
def test_unsupported_image_types(
    send: Any, fake_router: FakeRouter, mime: str, data: bytes, kind: str, form: str
) -> None:
    if form == "data-url":
        block: dict[str, Any] = {"type": "image_url", "image_url": {"url": data_url(mime, data)}}
    elif form == "standard":
        block = {"type": "image", "base64": b64(data), "mime_type": mime}
    else:
        block = {"type": "file", "base64": b64(data), "mime_type": mime}
    text = refused(send, fake_router, user(block), ImageInputError, f"the bytes are {kind}", "does not accept")
    assert "image/png" in text  # says what is accepted


@pytest.mark.parametrize(
    ("block", "needle"),
    [
        ({"type": "image", "url": "https://example.com/scan.bmp"}, ".bmp extension"),
        ({"type": "image_url", "image_url": {"url": "https://example.com/logo.SVG?v=2"}}, ".svg extension"),
        ({"type": "image", "url": "https://example.com/IMG_0001.HEIC"}, ".heic extension"),
        ({"type": "image", "url": "https://example.com/render", "mime_type": "image/svg+xml"}, "declared mime_type"),
    ],
    ids=["bmp-url", "svg-url-query", "heic-url", "declared-svg"],
)
def test_unsupported_image_type_by_url(send: Any, fake_router: FakeRouter, block: dict[str, Any], needle: str) -> None:
    refused(send, fake_router, user(block), ImageInputError, "content block 1", needle, "does not accept")


@pytest.mark.parametrize(
    "block",
    [
        {"type": "image", "base64": b64(GIF), "mime_type": "image/gif"},
        {"type": "image_url", "image_url": {"url": data_url("image/gif", GIF)}},
        {"type": "image", "base64": b64(GIF), "mime_type": "image/png"},  # the bytes decide
        {"type": "image", "url": "https://example.com/anim.gif"},
        {"type": "image", "url": "https://example.com/anim", "mime_type": "image/gif"},
    ],
    ids=["standard", "data-url", "declared-png", "url", "url-declared"],
)
def test_gif_to_infron_is_refused(send: Any, fake_router: FakeRouter, block: dict[str, Any]) -> None:
    text = refused(send, fake_router, user(block), ImageInputError, "GIF", "infron", router="infron")
    assert "image/gif" not in text.split("Accepted image types:")[1]


def test_gif_to_openrouter_is_sent(send: Any, fake_router: FakeRouter) -> None:
    fake_router.reply(json=OK)
    send(user({"type": "image", "base64": b64(GIF), "mime_type": "image/gif"}))
    part = fake_router.requests[0].json["messages"][0]["content"][1]
    assert part["image_url"]["url"].startswith("data:image/gif;base64,R0lGOD")


# ---------------------------------------------------------------------------
# A declared type that contradicts the bytes: corrected from the bytes


@pytest.mark.parametrize(
    ("declared", "data", "actual"),
    [
        ("image/jpeg", PNG, "image/png"),
        ("image/png", JPEG, "image/jpeg"),
        ("image/gif", WEBP, "image/webp"),
        ("image/bmp", PNG, "image/png"),  # a wrong, unsupported label on supported bytes
        ("image/jpg", JPEG, "image/jpeg"),  # an alias, normalised
    ],
)
@pytest.mark.parametrize("form", ["data-url", "standard"])
def test_declared_type_contradicting_the_bytes_is_corrected(
    send: Any, fake_router: FakeRouter, declared: str, data: bytes, actual: str, form: str
) -> None:
    if form == "data-url":
        block: dict[str, Any] = {"type": "image_url", "image_url": {"url": data_url(declared, data)}}
    else:
        block = {"type": "image", "base64": b64(data), "mime_type": declared}
    fake_router.reply(json=OK)
    assert send(user(block)).content == "ok"
    sent = fake_router.requests[0].json["messages"][0]["content"][1]["image_url"]["url"]
    assert sent == f"data:{actual};base64,{b64(data)}"  # same bytes, the type they really are


def test_wrapped_base64_is_sent_clean(send: Any, fake_router: FakeRouter) -> None:
    wrapped = base64.encodebytes(PNG + b"\x00" * 200).decode()  # newlines every 76 characters
    fake_router.reply(json=OK)
    send(user({"type": "image", "base64": wrapped, "mime_type": "image/png"}))
    sent = fake_router.requests[0].json["messages"][0]["content"][1]["image_url"]["url"]
    assert sent == "data:image/png;base64," + b64(PNG + b"\x00" * 200)


# ---------------------------------------------------------------------------
# URLs and paths


@pytest.mark.parametrize(
    ("url", "scheme"),
    [
        ("file:///etc/passwd", "file"),
        ("javascript:alert(document.cookie)", "javascript"),
        ("JavaScript:alert(1)", "javascript"),
        ("ftp://files.example.com/cat.png", "ftp"),
        ("gopher://example.com/cat.png", "gopher"),
        ("blob:https://example.com/1234", "blob"),
    ],
)
@pytest.mark.parametrize("form", ["image_url", "standard", "file-block"])
def test_url_schemes_other_than_http_https_data(
    send: Any, fake_router: FakeRouter, url: str, scheme: str, form: str
) -> None:
    if form == "image_url":
        block: dict[str, Any] = {"type": "image_url", "image_url": {"url": url}}
    elif form == "standard":
        block = {"type": "image", "url": url}
    else:
        block = {"type": "file", "url": url, "mime_type": "application/pdf"}
    text = refused(send, fake_router, user(block), ImageInputError, f"URL scheme {scheme!r} is not supported")
    assert "content block 1" in text and "http and https" in text


@pytest.mark.parametrize("url", ["/home/me/cat.png", "cat.png", "//cdn.example.com/cat.png"])
def test_a_path_is_not_a_url(send: Any, fake_router: FakeRouter, url: str) -> None:
    refused(send, fake_router, user({"type": "image", "url": url}), ImageInputError, "is not a URL", "image_block")


def test_nonexistent_local_path(tmp_path: Path) -> None:
    missing = tmp_path / "no" / "such" / "cat.png"
    with pytest.raises(ImageInputError, match="no such file") as info:
        image_block(missing)
    assert str(missing) in str(info.value)


def test_local_path_that_is_a_directory(tmp_path: Path) -> None:
    with pytest.raises(ImageInputError, match="is a directory"):
        image_block(tmp_path)


def test_local_file_that_is_empty(tmp_path: Path) -> None:
    empty = tmp_path / "empty.png"
    empty.write_bytes(b"")
    with pytest.raises(ImageInputError, match="the file is empty"):
        image_block(empty)


@pytest.mark.parametrize(("name", "data", "kind"), [("scan.bmp", BMP, "BMP"), ("notes.png", b"hello", "unrecognised")])
def test_local_file_of_unsupported_type(tmp_path: Path, name: str, data: bytes, kind: str) -> None:
    path = tmp_path / name
    path.write_bytes(data)
    with pytest.raises(ImageInputError, match=kind) as info:
        image_block(path)
    assert name in str(info.value)


def test_local_gif_for_infron_policy(tmp_path: Path) -> None:
    path = tmp_path / "anim.gif"
    path.write_bytes(GIF)
    policy = ImagePolicy(router="infron", allowed_types=get_router("infron").image_types)
    message = HumanMessage(content=[image_block(path)])
    with pytest.raises(ImageInputError, match=r"GIF \(declared image/gif\), which infron does not accept"):
        convert_messages([message], policy)
    sent = convert_messages([message], ImagePolicy())  # fine for the default policy
    assert str(sent[0]["content"][0]["image_url"]["url"]).startswith("data:image/gif;base64,")


def test_local_file_read_from_bytes_not_name(tmp_path: Path) -> None:
    path = tmp_path / "photo.gif"  # a PNG with the wrong extension
    path.write_bytes(PNG)
    assert image_block(path) == {"type": "image", "base64": b64(PNG), "mime_type": "image/png"}


# ---------------------------------------------------------------------------
# Blocks, messages, settings


@pytest.mark.parametrize("kind", ["hologram", "image_file", None, 42])
def test_unknown_content_block_type(send: Any, fake_router: FakeRouter, kind: Any) -> None:
    text = refused(
        send, fake_router, user({"type": kind, "data": "x"}), InvalidInputError, "unknown content block type"
    )
    assert "message 0 (user), content block 1" in text
    assert "text, image_url, image" in text  # what is supported


def test_unknown_block_in_a_later_message_names_that_message(send: Any, fake_router: FakeRouter) -> None:
    messages = [
        SystemMessage(content="be brief"),
        HumanMessage(content="hello"),
        HumanMessage(content=[{"type": "text", "text": "and"}, {"type": "text", "text": "x"}, {"type": "blob"}]),
    ]
    refused(send, fake_router, messages, InvalidInputError, "message 2 (user), content block 2", "'blob'")


def test_bad_image_in_tool_result_names_the_tool_message(send: Any, fake_router: FakeRouter) -> None:
    messages = [
        HumanMessage(content="look"),
        ToolMessage(content=[{"type": "image", "url": "file:///tmp/x.png"}], tool_call_id="call_1"),
    ]
    refused(send, fake_router, messages, ImageInputError, "message 1 (tool), content block 0", "'file'")


def test_invalid_detail(send: Any, fake_router: FakeRouter) -> None:
    block = {"type": "image_url", "image_url": {"url": "https://example.com/a.png", "detail": ["high"]}}
    refused(send, fake_router, user(block), ImageInputError, "detail must be a string")


def test_unknown_router(fake_router: FakeRouter) -> None:
    with pytest.raises(ValueError, match="Unknown router 'openrotuer'") as info:
        ChatVisionRouter(model="m", api_key=KEY, router="openrotuer", base_url=fake_router.url)
    assert "'openrouter', 'infron', 'custom'" in str(info.value)
    assert "router='custom'" in str(info.value)  # what to do
    assert fake_router.requests == []


def test_custom_router_without_base_url(monkeypatch: pytest.MonkeyPatch) -> None:
    with pytest.raises(ValueError, match="router='custom' has no default URL: pass base_url"):
        ChatVisionRouter(model="m", router="custom")


def test_missing_api_key(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("OPENROUTER_API_KEY", raising=False)
    with pytest.raises(ValueError, match="No API key for openrouter") as info:
        ChatVisionRouter(model="m")
    assert "OPENROUTER_API_KEY" in str(info.value)


def test_one_bad_image_among_good_ones_blocks_the_whole_request(send: Any, fake_router: FakeRouter) -> None:
    blocks = [
        {"type": "image", "url": "https://example.com/a.png"},
        {"type": "image", "base64": b64(PNG), "mime_type": "image/png"},
        {"type": "image", "base64": b64(BMP), "mime_type": "image/bmp"},
    ]
    refused(send, fake_router, user(*blocks), ImageInputError, "content block 3", "BMP")
