"""Token counting offline (issue 16, item 9): each family's published rule, on images of known sizes.

Expected figures are the worked examples in each provider's documentation (cited per
case), computed by hand from the rule, never read back from the code under test.
"""

from __future__ import annotations

import base64
import builtins
import io
import json
import sys
from pathlib import Path
from typing import Any

import pytest
from langchain_core.messages import AIMessage, HumanMessage, SystemMessage, trim_messages

from langchain_visionrouter import ChatVisionRouter, image_block
from langchain_visionrouter._cli import ask as _cli
from langchain_visionrouter._router.profiles import FALLBACK, PROFILES, Profile, profile_for
from langchain_visionrouter._router.profiles import image_tokens as _image_tokens
from tests.wire import png


def image_rule(model: str) -> Profile:
    return profile_for(model) or FALLBACK


def image_tokens(rule: Profile, width: int, height: int, detail: str | None = None) -> int:
    return _image_tokens(rule, width, height, detail)


# (model, width, height, detail, tokens, where the figure comes from)
PUBLISHED = [
    ("openai/gpt-4o", 1024, 1024, "high", 765, "OpenAI: 1024x1024 high -> 768x768, 4 tiles: 85 + 4*170"),
    ("openai/gpt-4o", 2048, 4096, "high", 1105, "OpenAI: 2048x4096 -> 768x1536, 6 tiles: 85 + 6*170"),
    ("openai/gpt-4o", 4096, 8192, "low", 85, "OpenAI: low detail is 85 whatever the size"),
    ("openai/gpt-4o-mini", 1024, 1024, "high", 2833 + 4 * 5667, "OpenAI: gpt-4o-mini base 2833, 5667 a tile"),
    ("openai/gpt-4.1-mini", 1024, 1024, None, 1659, "OpenAI: 1024 patches * 1.62"),
    ("openai/gpt-4.1-mini", 1800, 2400, None, 2353, "OpenAI: 1800x2400 -> 1452 patches * 1.62"),
    ("anthropic/claude-3.5-sonnet", 1092, 1092, None, 1590, "Anthropic: 1092x1092 ~ 1590 tokens"),
    ("anthropic/claude-sonnet-4", 1000, 1000, None, 1334, "Anthropic: 1000x1000 ~ 1334 tokens"),
    ("anthropic/claude-sonnet-4", 200, 200, None, 54, "Anthropic: 200x200 ~ 54 tokens"),
    ("google/gemini-2.0-flash-001", 384, 384, None, 258, "Gemini: both sides <= 384 px: 258"),
    ("google/gemini-2.5-pro", 1000, 700, None, 2 * 258, "Gemini: 768 px tiles, 258 each: 2 x 1 tiles"),
]


@pytest.mark.parametrize(("model", "width", "height", "detail", "expected", "source"), PUBLISHED)
def test_each_family_follows_its_published_rule(
    model: str, width: int, height: int, detail: str | None, expected: int, source: str
) -> None:
    assert image_tokens(image_rule(model), width, height, detail) == expected, source


def test_rules_are_one_table_with_sources_and_a_stated_fallback() -> None:
    assert all(rule.source.startswith("https://") for rule in PROFILES)
    assert image_rule("mistralai/pixtral-12b").family.startswith("fallback")
    assert image_rule("llava").family == FALLBACK.family
    assert image_tokens(image_rule("llava"), 1024, 1024, "high") == 765  # OpenAI's tile rule


def _image_message(data: bytes, detail: str | None = None) -> HumanMessage:
    return HumanMessage(content=[{"type": "text", "text": "x" * 40}, image_block(data, detail=detail)])


@pytest.mark.parametrize(
    ("model", "image_part"),
    [("openai/gpt-4o", 765), ("anthropic/claude-3.5-sonnet", 1399), ("google/gemini-2.0-flash-001", 4 * 258)],
)
def test_messages_count_images_from_their_header(model: str, image_part: int) -> None:
    llm = ChatVisionRouter(model=model, api_key="k")
    # 3 priming + 3 for the message + 10 for 40 characters, and the image by its family's rule.
    assert llm.get_num_tokens_from_messages([_image_message(png(1024, 1024, seed=2))]) == 16 + image_part


def test_detail_low_counts_85_on_openai() -> None:
    llm = ChatVisionRouter(model="openai/gpt-4o", api_key="k")
    assert llm.get_num_tokens_from_messages([_image_message(png(1024, 1024, seed=2), "low")]) == 16 + 85


def test_an_image_is_never_decoded_to_be_counted(monkeypatch: pytest.MonkeyPatch) -> None:
    real_import = builtins.__import__

    def no_pillow(name: str, *args: Any, **kwargs: Any) -> Any:
        if name == "PIL" or name.startswith("PIL."):
            raise AssertionError("Pillow imported to count tokens")
        return real_import(name, *args, **kwargs)

    big = png(3000, 2000, seed=4)
    llm = ChatVisionRouter(model="anthropic/claude-3.5-sonnet", api_key="k")
    message = _image_message(big)
    monkeypatch.setattr(builtins, "__import__", no_pillow)
    # 3000x2000 is scaled down to within ~1,600 tokens (1,200,000 px): 1341x894, 1,198,854 px / 750 = 1599.
    assert llm.get_num_tokens_from_messages([message]) == 16 + 1599


def test_trim_messages_works_offline_without_transformers(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(sys.modules, "transformers", None)  # importing it would fail
    llm = ChatVisionRouter(model="openai/gpt-4o", api_key="k")
    history = [
        SystemMessage("s" * 40),
        _image_message(png(1024, 1024, seed=2)),
        AIMessage("a" * 400),
        HumanMessage("q" * 40),
    ]
    kept = trim_messages(history, token_counter=llm, max_tokens=150, strategy="last", include_system=True)
    # system 3+10, last question 3+10, answer 3+100, priming 3: 132 fit; the image turn (781) does not.
    assert [type(m).__name__ for m in kept] == ["SystemMessage", "AIMessage", "HumanMessage"]
    assert llm.get_num_tokens("abcdefghi") == 3


def test_tools_are_counted() -> None:
    llm = ChatVisionRouter(model="openai/gpt-4o", api_key="k")

    def get_weather(city: str) -> str:
        """Get the weather for a city."""
        return city

    bare = llm.get_num_tokens_from_messages([HumanMessage("hi")])
    assert llm.get_num_tokens_from_messages([HumanMessage("hi")], tools=[get_weather]) > bare + 10


# -- visionrouter ask --estimate -----------------------------------------------------------


def run(argv: list[str]) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    return _cli.main(argv, out=out, err=err), out.getvalue(), err.getvalue()


def test_cli_estimate_prices_from_the_catalog_and_sends_nothing(
    fake_router: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    for var in ("VISIONROUTER_API_KEY", "OPENROUTER_API_KEY"):
        monkeypatch.delenv(var, raising=False)
    from langchain_visionrouter import clear_catalog_cache

    clear_catalog_cache()
    photo = tmp_path / "photo.png"
    photo.write_bytes(png(1024, 1024, seed=5))
    price_per_token = "0.0000025"  # OpenRouter lists USD per token: $2.50 per million
    entry = {"id": "openai/gpt-4o", "architecture": {"input_modalities": ["text", "image"]}}
    fake_router.reply(json={"data": [{**entry, "pricing": {"prompt": price_per_token}}]})
    argv = ["ask", "x" * 40, str(photo), "--model", "openai/gpt-4o", "--base-url", fake_router.url, "--estimate"]
    code, out, err = run([*argv, "--json"])
    clear_catalog_cache()
    assert (code, err) == (0, "")
    result = json.loads(out)
    assert result["sent"] is False
    assert result["estimated_input_tokens"] == 16 + 765 and result["image_tokens"] == 765
    assert result["estimated_input_cost"] == pytest.approx((16 + 765) * 2.5 / 1e6)
    assert [(r.method, r.path) for r in fake_router.requests] == [("GET", "/api/v1/models")]


def test_cli_estimate_without_a_catalog_still_counts(fake_router: Any, tmp_path: Path) -> None:
    from langchain_visionrouter import clear_catalog_cache

    clear_catalog_cache()
    fake_router.reply(500, json={"error": {"message": "down", "code": 500}})
    code, out, _ = run(["ask", "hi", "https://x.test/a.png", "--base-url", fake_router.url, "--estimate"])
    clear_catalog_cache()
    assert code == 0
    assert "estimated input:" in out and "1 of unknown size (URLs) counted as 1024x1024" in out
    assert "estimated cost: unknown (no price:" in out and "nothing was sent" in out
    assert all(r.method == "GET" for r in fake_router.requests)


def test_header_only_dimensions_for_a_jpeg_data_url() -> None:
    jpeg = base64.b64encode(png(10, 10, seed=1)).decode()
    llm = ChatVisionRouter(model="google/gemini-2.0-flash-001", api_key="k")
    message = HumanMessage(content=[{"type": "image", "base64": jpeg, "mime_type": "image/png"}])
    assert llm.get_num_tokens_from_messages([message]) == 3 + 3 + 258
