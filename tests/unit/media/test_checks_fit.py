"""_image_fit: each family's published rule, images left alone where they should be, the saving reported."""

from __future__ import annotations

import base64
import io
from typing import Any

import pytest

from langchain_visionrouter._media.header import image_dimensions
from langchain_visionrouter._router.profiles import fitted_side
from tests import wire

PHOTO = (4032, 3024)  # a 12-megapixel phone photo
_ANSWER = wire.completion(gen="gen-fit", model="m", provider="P", content="ok")


@pytest.mark.parametrize(
    ("model", "detail", "size", "side"),
    [
        # Anthropic: long side 1568, then ~1,600 tokens (w x h / 750 <= 1,200,000): 1268 x 951 for 4:3.
        ("anthropic/claude-sonnet-4.5", None, PHOTO, 1264),
        ("claude-3-5-haiku", "high", (2000, 500), 1568),
        # OpenAI tiles: in 2048 x 2048, then the shortest side 768: 1024 x 768.
        ("openai/gpt-4o", None, PHOTO, 1024),
        ("openai/gpt-4o", "auto", (3000, 1000), 2048),
        ("openai/gpt-4.1:extended", "high", PHOTO, 1024),
        ("openai/gpt-4o", "low", PHOTO, 512),
        # OpenAI patches: the guide's steps for 1,536 patches of 32 x 32 pixels give 1408 x 1056.
        ("openai/gpt-4.1-mini", None, PHOTO, 1408),
        ("o4-mini", "low", PHOTO, 1408),
        # Gemini: within 3072 x 3072.
        ("google/gemini-2.5-flash", None, PHOTO, 3072),
    ],
)
def test_sizes_per_family(model: str, detail: str | None, size: tuple[int, int], side: int) -> None:
    assert fitted_side(model, detail, size) == side


@pytest.mark.parametrize(
    ("model", "detail", "size"),
    [
        ("anthropic/claude-sonnet-4.5", None, (1092, 1092)),  # the docs' largest 1:1 left as is
        ("openai/gpt-4o", None, (1024, 768)),
        ("openai/gpt-4o", "low", (512, 300)),
        ("google/gemini-2.5-flash", None, (3072, 2000)),
        ("openai/gpt-4o", "original", PHOTO),  # the caller asked for every pixel
        ("meta-llama/llama-3.2-90b-vision-instruct", None, PHOTO),  # no published rule: untouched
        ("mistralai/pixtral-large", "high", PHOTO),
        ("openai/gpt-4o", None, None),  # size unreadable
    ],
)
def test_untouched(model: str, detail: str | None, size: tuple[int, int] | None) -> None:
    assert fitted_side(model, detail, size) is None


def _jpeg(size: tuple[int, int]) -> bytes:
    from PIL import Image

    out = io.BytesIO()
    Image.effect_noise(size, 40).convert("RGB").save(out, "JPEG", quality=90)
    return out.getvalue()


@pytest.fixture(scope="module")
def photo() -> bytes:
    pytest.importorskip("PIL")
    return _jpeg((2400, 1800))  # big enough for every rule but Gemini's, quick to make


def _sent_image(router: Any) -> bytes:
    url = router.requests[-1].json["messages"][0]["content"][1]["image_url"]["url"]
    return base64.b64decode(url.split(",", 1)[1])


@pytest.mark.parametrize(
    ("model", "expected"),
    [("anthropic/claude-sonnet-4.5", (1264, 948)), ("openai/gpt-4o", (1024, 768)), ("openai/gpt-4o-mini", (1024, 768))],
)
@pytest.mark.parametrize("form", ["standard", "data_url"])
def test_a_big_photo_is_sent_at_the_family_size_and_the_saving_reported(
    make_model: Any, fake_router: Any, photo: bytes, model: str, expected: tuple[int, int], form: str
) -> None:
    fake_router.reply(json=_ANSWER)
    b64 = base64.b64encode(photo).decode()
    block = (
        {"type": "image", "base64": b64, "mime_type": "image/jpeg"}
        if form == "standard"
        else {"type": "image_url", "image_url": {"url": "data:image/jpeg;base64," + b64}}
    )
    answer = make_model(model=model, image_fit="model").invoke([("user", [{"type": "text", "text": "?"}, block])])
    sent = _sent_image(fake_router)
    assert image_dimensions(sent) == expected
    assert answer.response_metadata["image_fit"] == {
        "images": 1,
        "bytes_before": len(photo),
        "bytes_after": len(sent),
    }
    assert len(sent) < len(photo)


def test_off_by_default_and_small_or_unknown_images_untouched(make_model: Any, fake_router: Any, photo: bytes) -> None:
    b64 = base64.b64encode(photo).decode()
    small = base64.b64encode(wire.png(200, 100)).decode()
    for model in (make_model(model="openai/gpt-4o"), make_model(model="qwen/qwen-vl-max", image_fit="model")):
        fake_router.reply(json=_ANSWER)
        answer = model.invoke([("user", [{"type": "image", "base64": b64, "mime_type": "image/jpeg"}])])
        assert _sent_only(fake_router) == b64
        assert "image_fit" not in answer.response_metadata
    fake_router.reply(json=_ANSWER)
    fitted = make_model(model="openai/gpt-4o", image_fit="model")
    answer = fitted.invoke([("user", [{"type": "image", "base64": small, "mime_type": "image/png"}])])
    assert _sent_only(fake_router) == small
    assert "image_fit" not in answer.response_metadata


def _sent_only(router: Any) -> str:
    url: str = router.requests[-1].json["messages"][0]["content"][0]["image_url"]["url"]
    return url.split(",", 1)[1]


def test_streamed_answers_report_the_saving_too(make_model: Any, fake_router: Any, photo: bytes) -> None:
    fake_router.reply_sse([*wire_stream(), "[DONE]"])
    model = make_model(model="anthropic/claude-sonnet-4.5", image_fit="model")
    b64 = base64.b64encode(photo).decode()
    merged = None
    for chunk in model.stream(
        [("user", [{"type": "text", "text": "?"}, {"type": "image", "base64": b64, "mime_type": "image/jpeg"}])]
    ):
        merged = chunk if merged is None else merged + chunk
    assert merged is not None
    report = merged.response_metadata["image_fit"]
    assert report["bytes_before"] == len(photo) and 0 < report["bytes_after"] < len(photo)


def wire_stream() -> list[dict[str, Any]]:
    stream = wire.Stream(gen="gen-fit", model="anthropic/claude-sonnet-4.5", provider="Anthropic")
    return stream.text(["o", "k"], use=wire.usage(10, 2))


def test_the_tally_counts_every_image_and_only_fitted_ones() -> None:
    from langchain_core.messages import HumanMessage

    from langchain_visionrouter._media.checks import ImagePolicy, ImageTally
    from langchain_visionrouter._request.messages import convert_messages

    pytest.importorskip("PIL")
    big, small = (base64.b64encode(_jpeg(size)).decode() for size in ((2000, 1500), (300, 200)))
    tally = ImageTally()
    policy = ImagePolicy(router="openrouter", fit_model="anthropic/claude-sonnet-4.5", tally=tally)
    message = HumanMessage(
        content=[
            {"type": "image", "base64": big, "mime_type": "image/jpeg"},
            {"type": "image", "base64": small, "mime_type": "image/jpeg"},
            {"type": "image", "url": "https://example.com/a.png"},
        ]
    )
    convert_messages([message], policy)
    assert tally.images == 3
    report = tally.fit_report()
    assert report is not None and report["images"] == 1
    assert report["bytes_before"] == len(base64.b64decode(big)) > report["bytes_after"] > 0
    assert ImageTally().fit_report() is None
