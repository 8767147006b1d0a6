"""_router.profiles: one table of model-family facts, read by image_fit and the token estimates.

The central property: an image fitted for a model (to the side ``fitted_side`` gives,
resized as ``image_fit`` resizes) is billed exactly as the original, for every family,
size and detail. Published figures are the providers' worked examples, by hand.
"""

from __future__ import annotations

import io
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from langchain_visionrouter._router.profiles import (
    FALLBACK,
    PROFILES,
    Profile,
    fitted_side,
    image_tokens,
    profile_for,
    render_markdown,
    scaled_to_long_side,
    seen_size,
)

DOCS_PAGE = Path(__file__).resolve().parents[3] / "docs" / "model-families.md"
DETAILS = (None, "auto", "low", "high", "original")

#: One model id per family (as a router names it), so every row of the table is exercised.
EXAMPLES = {
    "openai-patches-2500": "openai/gpt-5.4",
    "openai-patches x1.62": "openai/gpt-5-mini",
    "openai-patches x2.46": "openai/gpt-5-nano",
    "openai-patches x1.72": "openai/o4-mini",
    "openai-patches x1": "openai/gpt-5.2",
    "openai-tiles gpt-5": "openai/gpt-5",
    "openai-tiles 4o-mini": "openai/gpt-4o-mini",
    "openai-tiles o-series": "openai/o3",
    "openai-tiles cua": "openai/computer-use-preview",
    "openai-tiles": "openai/gpt-4.1",
    "anthropic": "anthropic/claude-sonnet-4.5",
    "gemini-3": "google/gemini-3-pro-preview",
    "gemini": "google/gemini-2.5-flash",
    "gemma": "google/gemma-3-27b-it",
}


def test_every_family_has_an_example_that_resolves_to_it() -> None:
    assert set(EXAMPLES) == {profile.family for profile in PROFILES}
    for family, model in EXAMPLES.items():
        assert profile_for(model).family == family  # type: ignore[union-attr]


@pytest.mark.parametrize(
    ("model", "family"),
    [
        # Settled from OpenAI's guide ("Model sizing behavior" and "Calculating costs"):
        ("openai/gpt-5-mini", "openai-patches x1.62"),  # patches, not tiles
        ("gpt-5-nano-2025-08-07", "openai-patches x2.46"),
        ("openai/gpt-4.1-mini", "openai-patches x1.62"),
        ("openai/gpt-4.1-nano", "openai-patches x2.46"),
        ("openai/gpt-5.4-mini", "openai-patches-2500"),
        ("openai/gpt-5.2-chat-latest", "openai-patches x1"),
        ("openai/gpt-5.1-codex-mini", "openai-patches x1"),
        ("openai/gpt-5", "openai-tiles gpt-5"),
        ("openai/gpt-5-chat-latest", "openai-tiles gpt-5"),
        ("openai/gpt-4o-mini-2024-07-18", "openai-tiles 4o-mini"),
        ("openai/o1-pro", "openai-tiles o-series"),
        ("o3", "openai-tiles o-series"),
        ("openai/gpt-4.1:extended", "openai-tiles"),
        ("openai/chatgpt-4o-latest", "openai-tiles"),
        ("ANTHROPIC/Claude-Opus-4", "anthropic"),
        ("google/gemini-3-flash-preview", "gemini-3"),
        ("google/gemini-2.0-flash-001", "gemini"),
        ("google/gemma-3-4b-it:free", "gemma"),  # Gemma's own rule, not Gemini's tiles
    ],
)
def test_models_resolve_to_the_family_the_pages_put_them_in(model: str, family: str) -> None:
    assert profile_for(model).family == family  # type: ignore[union-attr]


@pytest.mark.parametrize("model", ["qwen/qwen2.5-vl-72b", "mistralai/pixtral-12b", "llava", "openai/gpt-oss-120b"])
def test_unknown_families_are_estimated_by_the_fallback_and_never_fitted(model: str) -> None:
    assert profile_for(model) is None
    assert fitted_side(model, "high", (4032, 3024)) is None
    assert image_tokens(FALLBACK, 1024, 1024, "high") == 765  # OpenAI's tile rule


# (model, width, height, detail, tokens, where the figure comes from)
PUBLISHED = [
    ("openai/gpt-5-mini", 1024, 1024, None, 1659, "OpenAI: 1024 patches x 1.62 (gpt-5-mini's multiplier)"),
    ("openai/gpt-5-nano", 1800, 2400, "high", 3572, "OpenAI: 1800x2400 -> 1056x1408, 1452 patches x 2.46"),
    ("openai/gpt-5.2", 1800, 2400, None, 1452, "OpenAI: 1452 patches, no multiplier listed"),
    ("openai/gpt-5", 1024, 1024, "high", 70 + 4 * 140, "OpenAI: gpt-5 base 70, 140 a tile"),
    ("openai/o1", 2048, 4096, "high", 75 + 6 * 150, "OpenAI: o1 base 75, 150 a tile; 768x1536 is 6 tiles"),
    ("openai/computer-use-preview", 512, 512, "low", 65, "OpenAI: computer-use-preview base 65"),
    ("openai/gpt-4.1", 2049, 513, "high", 85 + 8 * 170, "measured: 2049x513 -> 2048x513 (rounded), 8 tiles"),
    ("openai/gpt-4.1", 2050, 513, "high", 85 + 4 * 170, "measured: 2050x513 -> 2048x512 (half to even), 4 tiles"),
    ("anthropic/claude-sonnet-4", 1092, 1092, None, 1590, "Anthropic: 1092x1092 ~ 1590 tokens"),
    ("google/gemma-3-27b-it", 4032, 3024, None, 256, "Gemma: an image typically uses 256 tokens"),
    ("google/gemini-2.5-flash", 4032, 3024, None, 12 * 258, "Vertex: scaled to 3072x2304 first, then 4 x 3 tiles"),
]


@pytest.mark.parametrize(("model", "width", "height", "detail", "expected", "source"), PUBLISHED)
def test_published_figures(model: str, width: int, height: int, detail: str | None, expected: int, source: str) -> None:
    assert image_tokens(profile_for(model) or FALLBACK, width, height, detail) == expected, source


def test_gpt_5_4_original_detail_has_its_own_budget_and_is_never_fitted() -> None:
    profile = profile_for("openai/gpt-5.4")
    assert profile is not None
    # 4000 x 3000: 125 x 94 = 11,750 patches: within 10,000 for "original", 2,500 for "high".
    assert 2400 < image_tokens(profile, 4000, 3000, "high") <= 2500
    assert 9000 < image_tokens(profile, 4000, 3000, "original") <= 10000
    assert fitted_side("openai/gpt-5.4", "original", (4000, 3000)) is None
    assert fitted_side("openai/gpt-5.4", "auto", (4000, 3000)) is None  # auto may choose original
    assert fitted_side("openai/gpt-5.4", "high", (4000, 3000)) is not None


# -- the property: fitting changes the bytes, never the bill ---------------------------------

SIDES = st.integers(min_value=1, max_value=9000)


@settings(max_examples=600, deadline=None)
@given(
    profile=st.sampled_from(PROFILES),
    width=SIDES,
    height=SIDES,
    detail=st.sampled_from(DETAILS),
)
def test_a_fitted_image_is_billed_as_the_original(
    profile: Profile, width: int, height: int, detail: str | None
) -> None:
    model = EXAMPLES[profile.family]
    side = fitted_side(model, detail, (width, height))
    if side is None:
        return
    assert side < max(width, height)  # a fit only ever shrinks
    fitted = scaled_to_long_side((width, height), side)  # what image_fit sends
    assert fitted == seen_size(profile, (width, height), detail)  # exactly what the family would see
    assert seen_size(profile, fitted, detail) == fitted  # so the family leaves it alone
    assert image_tokens(profile, *fitted, detail) == image_tokens(profile, width, height, detail)


@pytest.mark.parametrize("profile", PROFILES, ids=lambda p: p.family)
@pytest.mark.parametrize("detail", DETAILS)
def test_the_property_on_edge_sizes_of_every_family(profile: Profile, detail: str | None) -> None:
    """Sizes on the rules' own boundaries (tile, patch and limit edges, extreme aspect ratios)."""
    model = EXAMPLES[profile.family]
    edges = (1, 31, 32, 33, 383, 384, 385, 511, 512, 513, 767, 768, 769, 1092, 1568, 1569, 2048, 2049, 3072, 3073)
    for width in (*edges, 8000):
        for height in (*edges, 8000):
            side = fitted_side(model, detail, (width, height))
            if side is not None:
                fitted = scaled_to_long_side((width, height), side)
                assert image_tokens(profile, *fitted, detail) == image_tokens(profile, width, height, detail)


@pytest.mark.parametrize(
    ("size", "side"), [((4032, 3024), 1264), ((2049, 513), 2048), ((1800, 2400), 1408), ((999, 333), 512)]
)
def test_image_fit_resizes_to_the_size_the_table_computes(size: tuple[int, int], side: int) -> None:
    """The table's rounding is the resizer's: a real resize lands on :func:`scaled_to_long_side`."""
    pytest.importorskip("PIL")
    from PIL import Image

    from langchain_visionrouter._media.resize import fit_image

    out = io.BytesIO()
    Image.new("RGB", size, (90, 120, 200)).save(out, "PNG")
    data, _ = fit_image(out.getvalue(), where="image 1", max_side=side)
    with Image.open(io.BytesIO(data)) as resized:
        assert resized.size == scaled_to_long_side(size, side)


# -- the docs page comes from the table ---------------------------------------------------------


def test_the_docs_page_is_what_the_table_renders() -> None:
    assert DOCS_PAGE.read_text(encoding="utf-8") == render_markdown(), (
        "docs/model-families.md is out of date: regenerate it with "
        "python -c 'from langchain_visionrouter._router.profiles import render_markdown; "
        'print(render_markdown(), end="")\' > docs/model-families.md'
    )


def test_every_row_names_its_pages_and_appears_in_the_docs() -> None:
    page = render_markdown()
    for profile in (*PROFILES, FALLBACK):
        assert profile.source.startswith("https://")
        assert not profile.token_source or profile.token_source.startswith("https://")
        assert f"| {profile.family} | {profile.models} |" in page


def test_profiles_imports_nothing_from_media_or_tokens() -> None:
    import ast

    import langchain_visionrouter._router.profiles as module

    tree = ast.parse(Path(module.__file__).read_text(encoding="utf-8"))
    imported = [node.module or "" for node in ast.walk(tree) if isinstance(node, ast.ImportFrom)]
    imported += [alias.name for node in ast.walk(tree) if isinstance(node, ast.Import) for alias in node.names]
    assert not [name for name in imported if "langchain_visionrouter" in name]
