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
import contextlib
import io
import os
import struct
import tracemalloc
import zlib
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from langchain_core.messages import HumanMessage, SystemMessage, ToolMessage
from PIL import Image

from langchain_visionrouter import ChatVisionRouter, ImageInputError, InvalidInputError, file_block, image_block
from langchain_visionrouter._media.checks import ImagePolicy
from langchain_visionrouter._request.messages import convert_messages
from langchain_visionrouter._router.presets import get_router
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


@pytest.mark.parametrize(
    ("name", "data", "kind"), [("scan.bmp", BMP, "BMP"), ("notes.png", b"hello", "is text, not an image")]
)
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


# ---------------------------------------------------------------------------
# Hostile files (issue 15): refused before anything big is read, decoded or sent, in
# bounded memory (and without blocking). Each names what was wrong, where, and what to do.


@contextlib.contextmanager
def bounded(megabytes: float = 40.0) -> Iterator[None]:
    """The block allocates under ``megabytes`` at its peak: nothing big was read or decoded.

    (Memory, not time: a bound on seconds would fail on a loaded machine for no fault of the code.)"""
    tracemalloc.start()
    try:
        yield
    finally:
        peak = tracemalloc.get_traced_memory()[1]
        tracemalloc.stop()
    assert peak < megabytes * 2**20, f"peak {peak / 2**20:.0f} MiB"


def sparse_file(path: Path, size: int, head: bytes) -> Path:
    with path.open("wb") as file:
        file.write(head)
        file.truncate(size)  # no disk used, but a read would return all of it
    return path


def zero_png(width: int, height: int) -> bytes:
    """A valid grayscale PNG of zeros: tiny on disk, ``width * height`` bytes decoded."""
    pack = zlib.compressobj(9)
    row = b"\x00" * (width + 1)
    rows = row * 100
    idat = b"".join(pack.compress(rows) for _ in range(height // 100)) + pack.flush()

    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    header = struct.pack(">IIBBBBB", width, height, 8, 0, 0, 0, 0)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", idat) + chunk(b"IEND", b"")


@pytest.fixture(scope="module")
def bomb() -> bytes:
    return zero_png(12000, 12000)  # 144 megapixels, ~140 KB


@pytest.mark.parametrize(
    ("path", "what"),
    [("/dev/zero", "is a device"), ("/dev/urandom", "is a device"), ("{tmp}", "is a directory")],
)
def test_non_regular_paths_are_refused_before_reading(tmp_path: Path, path: str, what: str) -> None:
    path = path.format(tmp=tmp_path)
    with bounded(), pytest.raises(ImageInputError, match=what) as info:
        image_block(path)
    assert repr(path) in str(info.value) and "regular file" in str(info.value)


def test_a_fifo_is_refused_without_blocking(tmp_path: Path) -> None:
    fifo = tmp_path / "pipe.png"
    os.mkfifo(fifo)  # no writer: opening it would block forever
    with bounded(), pytest.raises(ImageInputError, match=r"is a pipe \(FIFO\)"):
        image_block(fifo)
    with bounded(), pytest.raises(ImageInputError, match="is a pipe"):
        file_block(str(fifo))


@pytest.mark.parametrize("max_side", [None, 1024])
def test_a_huge_file_is_refused_from_its_size_without_reading_it(tmp_path: Path, max_side: int | None) -> None:
    huge = sparse_file(tmp_path / "huge.png", 300 * 2**20, PNG[:64])
    with bounded(), pytest.raises(ImageInputError, match=r"over the .*-byte limit") as info:
        image_block(huge, max_side=max_side)
    assert "huge.png" in str(info.value) and "Downscale or compress it first" in str(info.value)


def test_a_huge_pdf_is_refused_from_its_size(tmp_path: Path) -> None:
    huge = sparse_file(tmp_path / "huge.pdf", 300 * 2**20, b"%PDF-1.4\n")
    with bounded(), pytest.raises(ImageInputError, match=r"over the .*-byte limit"):
        file_block(huge)


def test_a_file_object_is_read_only_up_to_the_ceiling() -> None:
    class Endless(io.RawIOBase):
        asked: list[int] = []

        def read(self, size: int = -1) -> bytes:
            self.asked.append(size)
            return PNG[:8] + b"\x00" * (size - 8) if size > 0 else b"\x00" * 2**31

    with bounded(megabytes=60), pytest.raises(ImageInputError, match=r"more than .* bytes"):
        image_block(Endless())
    assert Endless.asked and all(0 < n <= 20 * 2**20 + 1 for n in Endless.asked)


def test_bytes_over_the_ceiling_are_refused() -> None:
    with pytest.raises(ImageInputError, match="over the 20971520-byte limit"):
        image_block(PNG[:64] + bytes(21 * 2**20))


def test_a_decompression_bomb_is_refused_from_its_header(tmp_path: Path, bomb: bytes) -> None:
    path = tmp_path / "bomb.png"
    path.write_bytes(bomb)
    with bounded(megabytes=30), pytest.raises(ImageInputError, match="12000x12000 pixels") as info:
        image_block(path, max_side=1024)
    assert "bomb.png" in str(info.value) and "megapixel ceiling" in str(info.value)
    assert "Downscale it with an image tool first" in str(info.value)


def test_a_decompression_bomb_sent_with_image_max_side_is_refused(
    send: Any, fake_router: FakeRouter, bomb: bytes
) -> None:
    block = {"type": "image", "base64": b64(bomb), "mime_type": "image/png"}
    with bounded(megabytes=30):
        refused(send, fake_router, user(block), ImageInputError, "content block 1", "megapixel", image_max_side=512)


def test_a_big_jpeg_is_still_downscaled_with_draft(tmp_path: Path) -> None:
    photo = tmp_path / "photo.jpg"
    Image.new("RGB", (6000, 4000), (10, 120, 200)).save(photo, quality=80)  # 24 megapixels, under the ceiling
    block = image_block(photo, max_side=512)
    with Image.open(io.BytesIO(base64.b64decode(block["base64"]))) as out:
        assert max(out.size) == 512


def truncated_cases() -> list[tuple[str, bytes, str]]:
    return [
        ("png-half", PNG[: len(PNG) // 2], "PNG is cut short"),
        ("png-signature-only", PNG[:16], "PNG header is incomplete"),
        ("gif89a-stub", b"GIF89a", "GIF header is incomplete"),
        ("gif-no-trailer", GIF[:-1], "GIF is cut short"),
        ("webp-half", WEBP[: len(WEBP) // 2 + 8], "WebP"),
        ("jpeg-header-only", JPEG[:20], "JPEG header is incomplete"),
    ]


@pytest.mark.parametrize(("data", "needle"), [c[1:] for c in truncated_cases()], ids=[c[0] for c in truncated_cases()])
def test_truncated_images_are_refused_everywhere(
    send: Any, fake_router: FakeRouter, tmp_path: Path, data: bytes, needle: str
) -> None:
    path = tmp_path / "cut.img"
    path.write_bytes(data)
    with pytest.raises(ImageInputError, match=needle) as info:
        image_block(path)
    assert "cut.img" in str(info.value) and "complete" in str(info.value)
    with pytest.raises(ImageInputError, match=needle):
        image_block(data)
    mime = sniff(data)
    with pytest.raises(ImageInputError, match=needle):
        image_block(data_url(mime, data))
    refused(
        send,
        fake_router,
        user({"type": "image_url", "image_url": {"url": data_url(mime, data)}}),
        ImageInputError,
        needle,
    )
    refused(send, fake_router, user({"type": "image", "base64": b64(data), "mime_type": mime}), ImageInputError, needle)


def sniff(data: bytes) -> str:
    from langchain_visionrouter._media.checks import sniff_mime_type

    mime = sniff_mime_type(data[:16])
    assert mime is not None
    return mime


def test_whole_images_of_every_accepted_type_still_pass(send: Any, fake_router: FakeRouter) -> None:
    fake_router.reply(json=OK)
    blocks = [image_block(data) for data in (PNG, JPEG, GIF, WEBP)]
    assert send(user(*blocks)).content == "ok"


def test_the_cli_refuses_a_device_before_any_request(fake_router: FakeRouter) -> None:
    from langchain_visionrouter._cli import ask as _cli

    out, err = io.StringIO(), io.StringIO()
    code = _cli.main(["ask", "q", "/dev/zero", "--base-url", fake_router.url], out=out, err=err)
    assert code == 2 and "'/dev/zero': is a device" in err.getvalue()
    assert fake_router.requests == []


def test_the_cli_reads_a_pipe_once(fake_router: FakeRouter) -> None:
    """``visionrouter ask q <(cat photo.png)``: the path is a pipe, which can be read only once."""
    from langchain_visionrouter._cli import ask as _cli

    read_end, write_end = os.pipe()
    os.write(write_end, PNG)
    os.close(write_end)
    fake_router.reply(json=OK)
    out, err = io.StringIO(), io.StringIO()
    try:
        argv = ["ask", "q", f"/dev/fd/{read_end}", "--base-url", fake_router.url, "--no-stream"]
        code = _cli.main(argv, out=out, err=err)
    finally:
        os.close(read_end)
    assert code == 0, err.getvalue()
    parts = fake_router.requests[0].json["messages"][0]["content"]
    assert parts[1]["image_url"]["url"] == data_url("image/png", PNG)
