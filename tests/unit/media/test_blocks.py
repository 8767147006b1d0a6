"""image_block / file_block from every kind of source, valid and wrong, and what they send."""

from __future__ import annotations

import base64
import io
import subprocess
import sys
from pathlib import Path

import pytest
from langchain_core.messages import HumanMessage
from PIL import Image

from langchain_visionrouter import ImageInputError, file_block, image_block
from langchain_visionrouter._media.checks import ImagePolicy
from langchain_visionrouter._request.messages import convert_messages

ROOT = Path(__file__).resolve().parents[3]
PDF = b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n"


def encode(image: Image.Image, fmt: str, **params: object) -> bytes:
    out = io.BytesIO()
    image.save(out, format=fmt, **params)
    return out.getvalue()


def picture(size: tuple[int, int] = (40, 20), mode: str = "RGB") -> Image.Image:
    image = Image.new(mode, size)
    for x in range(size[0]):
        for y in range(size[1]):
            value = (x * 6 % 256, y * 12 % 256, 90)
            image.putpixel((x, y), value if mode == "RGB" else (*value, 255 if x < size[0] // 2 else 0))
    return image


@pytest.fixture(scope="module")
def png() -> bytes:
    return encode(picture(), "PNG")


@pytest.fixture(scope="module")
def jpeg() -> bytes:
    return encode(picture(), "JPEG", quality=90)


def decoded(block: dict) -> bytes:
    return base64.b64decode(block["base64"])


def sent(*blocks: dict, router: str = "custom") -> list[dict]:
    """What ChatVisionRouter puts in the request for these content blocks."""
    from langchain_visionrouter._router.presets import get_router

    preset = get_router(router)
    policy = ImagePolicy(router=preset.name, allowed_types=preset.image_types)
    return convert_messages([HumanMessage(content=list(blocks))], policy)[0]["content"]


# -- image_block: sources that work --------------------------------------------------------


def test_path_str_and_path_object_type_read_from_bytes_not_name(tmp_path: Path, png: bytes) -> None:
    misnamed = tmp_path / "photo.jpg"  # the name says JPEG, the bytes say PNG
    misnamed.write_bytes(png)
    for source in (str(misnamed), misnamed):
        block = image_block(source)
        assert block == {"type": "image", "base64": base64.b64encode(png).decode(), "mime_type": "image/png"}


def test_bytes_bytearray_memoryview(jpeg: bytes) -> None:
    for source in (jpeg, bytearray(jpeg), memoryview(jpeg)):
        block = image_block(source)
        assert block["mime_type"] == "image/jpeg"
        assert decoded(block) == jpeg


def test_binary_file_objects(tmp_path: Path, png: bytes) -> None:
    path = tmp_path / "a.png"
    path.write_bytes(png)
    with path.open("rb") as handle:
        assert decoded(image_block(handle)) == png
    assert decoded(image_block(io.BytesIO(png))) == png


@pytest.mark.parametrize("fmt,mime", [("GIF", "image/gif"), ("WEBP", "image/webp")])
def test_other_accepted_types_sniffed(fmt: str, mime: str) -> None:
    data = encode(picture(), fmt)
    block = image_block(data)
    assert block["mime_type"] == mime
    assert decoded(block) == data


def test_http_urls_are_kept_as_urls() -> None:
    assert image_block("https://example.com/cat.png") == {"type": "image", "url": "https://example.com/cat.png"}
    block = image_block("http://example.com/x", detail="low")
    assert block == {"type": "image", "url": "http://example.com/x", "extras": {"detail": "low"}}
    assert sent(block) == [{"type": "image_url", "image_url": {"url": "http://example.com/x", "detail": "low"}}]


def test_data_url_is_checked_and_type_corrected(png: bytes) -> None:
    payload = base64.b64encode(png).decode()
    block = image_block(f"data:image/jpeg;base64,{payload}")  # declared wrong
    assert block == {"type": "image", "base64": payload, "mime_type": "image/png"}


def test_pil_images() -> None:
    rgb = picture()
    block = image_block(rgb)
    assert block["mime_type"] == "image/png"
    with Image.open(io.BytesIO(decoded(block))) as back:
        assert back.size == rgb.size
        assert back.convert("RGB").tobytes() == rgb.tobytes()  # PNG is lossless

    rgba = picture(mode="RGBA")
    with Image.open(io.BytesIO(decoded(image_block(rgba)))) as back:
        assert back.mode == "RGBA"
        assert back.getpixel((39, 0))[3] == 0  # transparent half kept

    with Image.open(io.BytesIO(encode(picture(), "JPEG"))) as from_jpeg:
        assert image_block(from_jpeg)["mime_type"] == "image/jpeg"
        assert image_block(from_jpeg, mime_type="image/webp")["mime_type"] == "image/webp"


def test_mime_type_converts(tmp_path: Path) -> None:
    bmp = encode(picture(), "BMP")
    block = image_block(bmp, mime_type="image/png")
    assert block["mime_type"] == "image/png"
    assert decoded(block)[:8] == b"\x89PNG\r\n\x1a\n"
    gif = encode(picture(), "GIF")
    assert image_block(gif, mime_type="image/jpg")["mime_type"] == "image/jpeg"  # alias accepted


def test_small_image_without_options_is_sent_byte_identical(png: bytes) -> None:
    block = image_block(png, detail="high")
    assert sent({"type": "text", "text": "look"}, block) == [
        {"type": "text", "text": "look"},
        {
            "type": "image_url",
            "image_url": {"url": "data:image/png;base64," + base64.b64encode(png).decode(), "detail": "high"},
        },
    ]


# -- image_block: sources that must be refused ---------------------------------------------


def test_unsupported_type_names_file_and_accepted_types(tmp_path: Path) -> None:
    path = tmp_path / "scan.bmp"
    path.write_bytes(encode(picture(), "BMP"))
    with pytest.raises(ImageInputError) as info:
        image_block(path)
    text = str(info.value)
    assert "scan.bmp" in text and "BMP" in text
    for mime in ("image/png", "image/jpeg", "image/webp", "image/gif"):
        assert mime in text
    assert 'mime_type="image/png"' in text  # how to convert it


def test_text_file_refused(tmp_path: Path) -> None:
    path = tmp_path / "notes.png"
    path.write_text("not an image at all")
    with pytest.raises(ImageInputError, match=r"notes\.png.*is text, not an image.*image/png"):
        image_block(str(path))


def test_pdf_given_to_image_block_points_to_file_block() -> None:
    with pytest.raises(ImageInputError, match="file_block"):
        image_block(PDF)


@pytest.mark.parametrize(
    "source,match",
    [
        ("/no/such/dir/cat.png", r"'/no/such/dir/cat.png': no such file"),
        (b"", "empty"),
        (io.BytesIO(b""), "nothing to read"),
        (12345, r"cannot read int; give a path, bytes"),
        ("file:///etc/passwd", "URL scheme 'file' is not supported"),
        ("ftp://example.com/a.png", "URL scheme 'ftp'"),
        ("data:image/png,notbase64", "not base64-encoded"),
        ("data:image/png;base64,@@@@", "malformed base64"),
        ("data:image/png;base64,", "empty"),
    ],
)
def test_bad_sources(source: object, match: str) -> None:
    with pytest.raises(ImageInputError, match=match):
        image_block(source)


def test_directory_and_text_mode_file(tmp_path: Path) -> None:
    with pytest.raises(ImageInputError, match="is a directory"):
        image_block(tmp_path)
    path = tmp_path / "a.png"
    path.write_text("x")
    with path.open() as handle, pytest.raises(ImageInputError, match=r"text mode.*'rb'"):
        image_block(handle)


def test_base64_string_mistaken_for_a_path_gets_a_hint(png: bytes) -> None:
    with pytest.raises(ImageInputError, match="looks like base64"):
        image_block(base64.b64encode(png).decode())


@pytest.mark.parametrize(
    "kwargs,match",
    [
        ({"detail": "medium"}, "detail must be"),
        ({"mime_type": "image/bmp"}, "not one routers accept"),
        ({"max_side": 0}, "max_side must be a positive"),
        ({"max_bytes": -5}, "max_bytes must be a positive"),
        ({"max_side": True}, "max_side must be a positive"),
    ],
)
def test_bad_options(png: bytes, kwargs: dict, match: str) -> None:
    with pytest.raises(ImageInputError, match=match):
        image_block(png, **kwargs)


def test_url_cannot_be_resized_or_converted() -> None:
    for kwargs in ({"max_side": 100}, {"max_bytes": 1000}, {"mime_type": "image/png"}):
        with pytest.raises(ImageInputError, match="fetched by the router"):
            image_block("https://example.com/a.png", **kwargs)


def test_image_input_error_is_a_value_error() -> None:
    assert issubclass(ImageInputError, ValueError)


# -- file_block ----------------------------------------------------------------------------


def test_file_block_from_path_bytes_and_file_object(tmp_path: Path) -> None:
    path = tmp_path / "report.pdf"
    path.write_bytes(PDF)
    expected = {"type": "file", "base64": base64.b64encode(PDF).decode(), "mime_type": "application/pdf"}
    assert file_block(path) == {**expected, "filename": "report.pdf"}
    assert file_block(str(path), filename="q3.pdf") == {**expected, "filename": "q3.pdf"}
    assert file_block(PDF) == {**expected, "filename": "document.pdf"}
    with path.open("rb") as handle:
        assert file_block(handle) == {**expected, "filename": "report.pdf"}


def test_file_block_url_and_data_url() -> None:
    assert file_block("https://example.com/docs/paper.pdf?x=1") == {
        "type": "file",
        "url": "https://example.com/docs/paper.pdf?x=1",
        "filename": "paper.pdf",
    }
    payload = base64.b64encode(PDF).decode()
    assert file_block(f"data:application/pdf;base64,{payload}")["base64"] == payload


def test_file_block_is_sent_as_a_file_part() -> None:
    assert sent(file_block(PDF, filename="a.pdf")) == [
        {
            "type": "file",
            "file": {"filename": "a.pdf", "file_data": "data:application/pdf;base64," + base64.b64encode(PDF).decode()},
        }
    ]


def test_file_block_refuses_non_pdfs(tmp_path: Path, png: bytes) -> None:
    with pytest.raises(ImageInputError, match=r"PNG, not a PDF.*image_block"):
        file_block(png)
    with pytest.raises(ImageInputError, match="not a PDF"):
        file_block("data:application/pdf;base64," + base64.b64encode(b"hello world!").decode())
    with pytest.raises(ImageInputError, match="use image_block"):
        file_block(picture())
    with pytest.raises(ImageInputError, match="no such file"):
        file_block(tmp_path / "missing.pdf")


# -- Pillow stays optional -----------------------------------------------------------------


def test_importing_the_package_does_not_import_pillow(png: bytes, tmp_path: Path) -> None:
    path = tmp_path / "a.png"
    path.write_bytes(png)
    code = (
        "import sys, langchain_visionrouter as v\n"
        "assert 'PIL' not in sys.modules, 'import'\n"
        f"v.image_block({str(path)!r}); v.image_block('https://e.com/a.png')\n"
        "assert 'PIL' not in sys.modules, 'image_block without resizing'\n"
        "print('ok')\n"
    )
    result = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, check=False)
    assert result.stdout.strip() == "ok", result.stderr


@pytest.fixture
def no_pillow(monkeypatch: pytest.MonkeyPatch) -> None:
    """Pretend Pillow is not installed."""
    for name in list(sys.modules):
        if name == "PIL" or name.startswith("PIL."):
            monkeypatch.setitem(sys.modules, name, None)
    monkeypatch.setitem(sys.modules, "PIL", None)
    monkeypatch.delitem(sys.modules, "langchain_visionrouter._media.resize", raising=False)


@pytest.fixture(scope="module")
def bmp() -> bytes:
    return encode(picture(), "BMP")


def test_without_pillow_the_error_names_the_extra(bmp: bytes, png: bytes, no_pillow: None) -> None:
    from langchain_visionrouter import ChatVisionRouter

    hint = 'python3 -m pip install "Pillow>=10"'  # works from a clone and from an index alike
    with pytest.raises(ImportError) as info:
        image_block(png, max_side=10)
    assert hint in str(info.value) and 'pip install ".[images]"' in str(info.value)
    with pytest.raises(ImportError, match=r"Pillow>=10"):
        image_block(bmp, mime_type="image/png")
    with pytest.raises(ImportError, match=r"Pillow>=10"):
        ChatVisionRouter(model="m", api_key="k", router="custom", base_url="http://127.0.0.1:9", image_max_side=512)
    # What needs no decoding still works.
    assert image_block(png)["mime_type"] == "image/png"
