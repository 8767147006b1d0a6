"""Model-family facts about images: ONE table, one row per family. Pure data and arithmetic.

Each row (:class:`Profile`) has the family's matcher, its fit rule (how the family
downscales an image before the model sees it; ``image_fit="model"`` does the same
first, so fewer bytes go up) and its token rule (how it bills the image it sees),
each with the page it comes from. ``_media.checks`` (image_fit) and ``_request.tokens`` (estimates) both read it.

The bill is counted on the image the family sees (:func:`seen_size`), so an image
fitted for a model (:func:`fitted_side`) is billed exactly as the original: fitting
changes the bytes, never the bill.

Readings chosen where the pages are silent (each row's ``notes`` says more):

* **Rounding.** No page says how a scaled size is rounded. Sizes here are rounded
  as ``image_fit`` rounds them (``round()``, half to even: the long side is set and
  the short side follows, see :func:`scaled_to_long_side`). A measured bill agrees:
  on gpt-4.1, 2049x513 bills 8 tiles and 2050x513 bills 4
  (https://community.openai.com/t/vision-pricing-calculator-inaccurate-resizing-rounding-vs-api-costs/1281361),
  which only half-to-even rounding of 512.75 and 512.4995 gives.
* **"auto"** is read as ``"high"``; **"original"** is ``"high"`` except on the
  families that document it; ``image_fit`` never touches a ``"original"`` image.
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Literal

__all__ = [
    "FALLBACK",
    "PROFILES",
    "FitRule",
    "Profile",
    "TokenRule",
    "fitted_side",
    "image_tokens",
    "model_name",
    "profile_for",
    "render_markdown",
    "scaled_to_long_side",
    "seen_size",
]

Size = tuple[int, int]


def scaled_to_long_side(size: Size, side: int) -> Size:
    """``size`` scaled so its longest side is ``side``, rounded exactly as ``image_fit`` resizes (``_media.resize``)."""
    scale = side / max(size)
    return max(1, round(size[0] * scale)), max(1, round(size[1] * scale))


def _largest_within(size: Size, ok: Callable[[int, int], bool], guess: float) -> Size:
    """``size`` scaled to the long side ``guess`` (rounded), a pixel less while ``ok`` refuses it.

    The guess is the page's own arithmetic; stepping down (rarely more than once) keeps
    the result within the limits after rounding, so the family leaves it as it is: the
    rule is idempotent, and an image fitted to it is billed as the original.
    """
    side = max(1, min(max(size), round(guess)))
    while side > 1 and not ok(*scaled_to_long_side(size, side)):
        side -= 1
    return scaled_to_long_side(size, side)


@dataclass(frozen=True)
class FitRule:
    """How a family downscales an image (aspect ratio kept) before the model sees it.

    ``tiles``: longest side at most ``long_side`` and shortest at most ``short_side``;
    ``detail="low"`` within ``low_side`` x ``low_side``. ``patches``: OpenAI's patch
    algorithm, at most ``patch_budget`` patches of ``patch`` px and ``long_side`` px
    (``original_budget`` / ``original_side`` with ``detail="original"``). ``box``: longest
    side at most ``long_side`` and width x height at most ``max_pixels``.
    """

    kind: Literal["tiles", "patches", "box"]
    long_side: int | None = None
    short_side: int | None = None
    low_side: int | None = None
    max_pixels: int | None = None
    patch: int = 32
    patch_budget: int = 0
    original_budget: int = 0
    original_side: int = 0

    def seen(self, size: Size, detail: object = None) -> Size:
        """The size the model sees an image of ``size`` at (``size`` itself when within the rule)."""
        width, height = size
        long, short = max(size), min(size)
        if self.kind == "tiles":
            if detail == "low" and self.low_side:
                box, box_short = self.low_side, self.low_side
            else:
                box, box_short = self.long_side or long, self.short_side or short
            if long <= box and short <= box_short:
                return size
            return _largest_within(
                size,
                lambda w, h: max(w, h) <= box and min(w, h) <= box_short,
                long * min(box / long, box_short / short),
            )
        if self.kind == "patches":
            original = detail == "original" and self.original_budget
            budget = self.original_budget if original else self.patch_budget
            max_side = self.original_side if original else (self.long_side or long)
            p = self.patch
            if math.ceil(width / p) * math.ceil(height / p) <= budget and long <= max_side:
                return size
            # OpenAI's steps B and C: shrink to the budget, then again so a whole number of
            # patches covers the limiting side; and within the pixel limit (the lesser wins).
            r = math.sqrt(p * p * budget / (width * height))
            r *= min(math.floor(width * r / p) / (width * r / p), math.floor(height * r / p) / (height * r / p))
            side = max(1, min(round(long * r), max_side))
            return _largest_within(
                size,
                lambda w, h: math.ceil(w / p) * math.ceil(h / p) <= budget and max(w, h) <= max_side,
                side,
            )
        max_pixels = self.max_pixels or width * height
        box = self.long_side or long
        if long <= box and width * height <= max_pixels:
            return size
        return _largest_within(
            size,
            lambda w, h: max(w, h) <= box and w * h <= max_pixels,
            long * min(box / long, math.sqrt(max_pixels / (width * height))),
        )

    def describe(self) -> str:
        """One line for the docs table."""
        if self.kind == "tiles":
            low = f"; `low`: within {self.low_side} x {self.low_side}" if self.low_side else ""
            return f"within {self.long_side} x {self.long_side}, then shortest side at most {self.short_side}{low}"
        if self.kind == "patches":
            original = (
                f"; `original`: {self.original_budget:,} patches, {self.original_side} px"
                if self.original_budget
                else ""
            )
            return (
                f"at most {self.patch_budget:,} patches of {self.patch} x {self.patch} px "
                f"and {self.long_side} px a side{original}"
            )
        pixels = f", at most {self.max_pixels:,} pixels" if self.max_pixels else ""
        return f"longest side at most {self.long_side}{pixels}"


@dataclass(frozen=True)
class TokenRule:
    """How a family bills the image it sees (after its :class:`FitRule`).

    ``tiles``: ``base + per_tile`` per ``tile`` px square (``detail="low"``: ``base``).
    ``patches``: ``patch`` px patches times ``multiplier``, rounded up. ``pixels``:
    width x height / ``per_pixels``, rounded up. ``gemini``: ``base`` when both sides
    are at most ``small``, else ``per_tile`` per ``tile`` px tile. ``flat``: ``base``.
    """

    kind: Literal["tiles", "patches", "pixels", "gemini", "flat"]
    base: int = 0
    per_tile: int = 0
    tile: int = 512
    multiplier: float = 1.0
    per_pixels: int = 750
    small: int = 384

    def count(self, size: Size, detail: object = None) -> int:
        """Tokens of an image the model sees at ``size``."""
        width, height = size
        if self.kind == "tiles":
            if detail == "low":
                return self.base
            return self.base + self.per_tile * math.ceil(width / self.tile) * math.ceil(height / self.tile)
        if self.kind == "patches":
            return math.ceil(math.ceil(width / self.tile) * math.ceil(height / self.tile) * self.multiplier)
        if self.kind == "pixels":
            return math.ceil(width * height / self.per_pixels)
        if self.kind == "gemini":
            if width <= self.small and height <= self.small:
                return self.base
            return self.per_tile * math.ceil(width / self.tile) * math.ceil(height / self.tile)
        return self.base

    def describe(self) -> str:
        """One line for the docs table."""
        if self.kind == "tiles":
            return f"{self.base} + {self.per_tile} per {self.tile} px tile; `low`: {self.base}"
        if self.kind == "patches":
            return f"{self.tile} px patches x {self.multiplier:g}"
        if self.kind == "pixels":
            return f"width x height / {self.per_pixels}"
        if self.kind == "gemini":
            return f"{self.base} if both sides <= {self.small} px, else {self.per_tile} per {self.tile} px tile"
        return f"{self.base} per image"


@dataclass(frozen=True)
class Profile:
    """One model family: which models, how it downscales, how it bills, and where that is written."""

    family: str
    models: str
    """The models matched, for people (the docs table)."""
    pattern: str
    """A regular expression matched at the start of the bare model name (:func:`model_name`)."""
    fit: FitRule | None
    """``None``: the family publishes no downscaling; ``image_fit`` leaves its images alone."""
    tokens: TokenRule
    source: str
    """The page the fit and token rules come from."""
    token_source: str = ""
    """When the token rule comes from another page than the fit rule."""
    notes: str = ""
    """Readings chosen where the page is silent or pages disagree."""

    def matches(self, name: str) -> bool:
        return re.match(self.pattern, name) is not None


_OPENAI = "https://platform.openai.com/docs/guides/images-vision#calculating-costs"
_ANTHROPIC = "https://docs.claude.com/en/docs/build-with-claude/vision#evaluate-image-size"
_GEMINI_TOKENS = "https://ai.google.dev/gemini-api/docs/tokens#multimodal-tokens"
_VERTEX = "https://cloud.google.com/vertex-ai/generative-ai/docs/multimodal/image-understanding#image-requirements"
_GEMMA = "https://ai.google.dev/gemma/docs/capabilities/vision"

# OpenAI's guide, "Model sizing behavior": the 1,536-patch models also keep within 2048 px a side.
_PATCHES_1536 = FitRule("patches", long_side=2048, patch_budget=1536)
_TILES = FitRule("tiles", long_side=2048, short_side=768, low_side=512)
_PATCH_NOTE = (
    "The guide gives the patch steps but not what `low` does on these models: billed and fitted as `high` "
    "(a forum measurement finds `low` has no effect on them). The multiplied count is rounded up (not stated)."
)
_TILE_NOTE = (
    "`auto` read as `high`; `low` is sent at 512 x 512 (the guide: the model receives a 512px x 512px version)."
)

#: The families, first match wins (so the narrower patterns come first).
PROFILES: tuple[Profile, ...] = (
    Profile(
        "openai-patches-2500",
        "gpt-5.4 and later gpt-5.x",
        r"gpt-5\.([4-9]|\d\d)",
        FitRule("patches", long_side=2048, patch_budget=2500, original_budget=10000, original_side=6000),
        TokenRule("patches", tile=32),
        _OPENAI,
        notes=(
            "The guide lists no multiplier for these models: 1 is used. `auto` may choose `original`, "
            "so `image_fit` leaves `auto` images alone here and fits only `high` and `low` (billed as `high`)."
        ),
    ),
    Profile(
        "openai-patches x1.62",
        "gpt-5-mini, gpt-4.1-mini",
        r"(gpt-5-mini|gpt-4\.1-mini)",
        _PATCHES_1536,
        TokenRule("patches", tile=32, multiplier=1.62),
        _OPENAI,
        notes=_PATCH_NOTE
        + " The guide's multiplier is used; a forum report finds gpt-5-mini billed at 1.2 (the pricing page's "
        "calculator): the published page wins until OpenAI corrects it.",
    ),
    Profile(
        "openai-patches x2.46",
        "gpt-5-nano, gpt-4.1-nano",
        r"(gpt-5-nano|gpt-4\.1-nano)",
        _PATCHES_1536,
        TokenRule("patches", tile=32, multiplier=2.46),
        _OPENAI,
        notes=_PATCH_NOTE + " (A forum report finds gpt-5-nano billed at 1.5; the published 2.46 is used.)",
    ),
    Profile(
        "openai-patches x1.72",
        "o4-mini",
        r"o4-mini",
        _PATCHES_1536,
        TokenRule("patches", tile=32, multiplier=1.72),
        _OPENAI,
        notes=_PATCH_NOTE,
    ),
    Profile(
        "openai-patches x1",
        "gpt-5.2, gpt-5.3, gpt-5-codex-mini, gpt-5.1-codex-mini",
        r"(gpt-5\.[23]|gpt-5(\.1)?-codex-mini)",
        _PATCHES_1536,
        TokenRule("patches", tile=32),
        _OPENAI,
        notes=_PATCH_NOTE + " The guide lists no multiplier for these models: 1 is used.",
    ),
    Profile(
        "openai-tiles gpt-5",
        "gpt-5, gpt-5-chat-latest (and gpt-5.1, gpt-5-codex)",
        r"gpt-5",
        _TILES,
        TokenRule("tiles", base=70, per_tile=140),
        _OPENAI,
        notes=_TILE_NOTE + " gpt-5.1 and gpt-5-codex are on no list of the guide: read as gpt-5.",
    ),
    Profile(
        "openai-tiles 4o-mini",
        "gpt-4o-mini",
        r"gpt-4o-mini",
        _TILES,
        TokenRule("tiles", base=2833, per_tile=5667),
        _OPENAI,
        notes=_TILE_NOTE,
    ),
    Profile(
        "openai-tiles o-series",
        "o1, o1-pro, o3 (o-series except o4-mini)",
        r"o[13](-|$)",
        _TILES,
        TokenRule("tiles", base=75, per_tile=150),
        _OPENAI,
        notes=_TILE_NOTE,
    ),
    Profile(
        "openai-tiles cua",
        "computer-use-preview",
        r"computer-use-preview",
        _TILES,
        TokenRule("tiles", base=65, per_tile=129),
        _OPENAI,
        notes=_TILE_NOTE,
    ),
    Profile(
        "openai-tiles",
        "gpt-4o, chatgpt-4o, gpt-4.1, gpt-4.5, gpt-4-turbo",
        r"(chatgpt-4o|gpt-4o|gpt-4\.1|gpt-4\.5|gpt-4-turbo|gpt-4-vision)",
        _TILES,
        TokenRule("tiles", base=85, per_tile=170),
        _OPENAI,
        notes=_TILE_NOTE,
    ),
    Profile(
        "anthropic",
        "claude-*",
        r"claude",
        FitRule("box", long_side=1568, max_pixels=1600 * 750),
        TokenRule("pixels", per_pixels=750),
        _ANTHROPIC,
        token_source="https://docs.claude.com/en/docs/build-with-claude/vision#calculate-image-costs",
        notes=(
            "'More than ~1,600 tokens' is read as width x height over 1,600 x 750 = 1,200,000 pixels "
            "(1092 x 1092, the page's largest 1:1 size left as is, is within it). Tokens are counted on the "
            "scaled-down image, so a big image costs at most 1,600, never a capped count of the original."
        ),
    ),
    Profile(
        "gemini-3",
        "gemini-3 and later",
        r"gemini-([3-9]|\d\d)",
        None,
        TokenRule("flat", base=1120),
        "https://ai.google.dev/gemini-api/docs/media-resolution",
        token_source=_VERTEX,
        notes=(
            "media_resolution sets the most tokens an image may use; Vertex's table gives 1,120 as the "
            "default for images: estimated at that ceiling. How these models resize is not published: not fitted."
        ),
    ),
    Profile(
        "gemini",
        "gemini-1.5, gemini-2.x",
        r"gemini",
        FitRule("box", long_side=3072),
        TokenRule("gemini", base=258, per_tile=258, tile=768),
        _VERTEX,
        token_source=_GEMINI_TOKENS,
        notes=(
            "Vertex: larger images are scaled down to fit 3072 x 3072; the token page: tiles of 768 x 768. "
            "Read together: the tiles are counted on the scaled-down image."
        ),
    ),
    Profile(
        "gemma",
        "gemma-3, gemma-3n, gemma-4 (and medgemma)",
        r"(med)?gemma",
        None,
        TokenRule("flat", base=256),
        _GEMMA,
        notes=(
            "Gemma is not Gemini: the Gemma page says an image typically uses 256 tokens (Gemma 3 sees "
            "896 x 896, squeezed, with optional pan-and-scan crops; Gemma 4 has budgets of 70 to 1,120). "
            "With pan-and-scan or a budget chosen by the host, a smaller image could be billed and seen "
            "differently, so images are not fitted."
        ),
    ),
)

#: For models of no family above: OpenAI's tile rule, the one most OpenAI-compatible gateways'
#: vision models are priced near; an estimate only, and such images are never fitted.
FALLBACK = Profile(
    "fallback (OpenAI tile rule)",
    "any other model",
    r"",
    None,
    TokenRule("tiles", base=85, per_tile=170),
    _OPENAI,
    notes="An estimate for families without a published rule here.",
)


def model_name(model: str) -> str:
    """The bare model name: ``"openai/gpt-4o:extended"`` -> ``"gpt-4o"`` (lowercased)."""
    return model.rsplit("/", 1)[-1].split(":", 1)[0].lower()


def profile_for(model: str) -> Profile | None:
    """The family of ``model`` (``"anthropic/claude-sonnet-4.5"``, ``"gpt-4o"``...), or ``None``."""
    name = model_name(model)
    return next((profile for profile in PROFILES if profile.matches(name)), None)


def seen_size(profile: Profile, size: Size, detail: object = None) -> Size:
    """The size a model of ``profile`` sees an image of ``size`` at."""
    return size if profile.fit is None else profile.fit.seen(size, detail)


def image_tokens(profile: Profile, width: int, height: int, detail: object = None) -> int:
    """Input tokens of one ``width`` x ``height`` image for a model of ``profile``."""
    return profile.tokens.count(seen_size(profile, (width, height), detail), detail)


def fitted_side(model: str, detail: object, size: Size | None) -> int | None:
    """The longest side to downscale an image of ``size`` to for ``model``, or ``None`` to leave it.

    ``None`` for a family without a fit rule, an unknown size, ``detail="original"``,
    and an image the family would not downscale.
    """
    profile = profile_for(model)
    if profile is None or profile.fit is None or size is None or detail == "original":
        return None
    if profile.fit.original_budget and detail in (None, "auto"):
        return None  # "auto" may choose "original" on these models: every pixel may be looked at
    seen = profile.fit.seen(size, detail)
    return max(seen) if max(seen) < max(size) else None


def render_markdown() -> str:
    """The table as Markdown: docs/model-families.md is this text (a test checks it)."""
    lines = [
        "# Model families: how images are fitted and billed",
        "",
        "<!-- Generated from langchain_visionrouter/_router/profiles.py by render_markdown(); do not edit. -->",
        "",
        'One table serves both `image_fit="model"` (the fit rule: how the family downscales an image before',
        "the model sees it; the image is downscaled the same way before it is sent) and the offline token",
        "estimates (the token rule, counted on the image the model sees). A fitted image is therefore billed",
        "exactly as the original. The first family whose pattern matches the model name wins.",
        "",
        "| Family | Models matched | Fit rule | Token rule | Source |",
        "| --- | --- | --- | --- | --- |",
    ]
    for profile in (*PROFILES, FALLBACK):
        fit = profile.fit.describe() if profile.fit else "none: images are sent as they are"
        sources = f"[fit and tokens]({profile.source})"
        if profile.token_source:
            sources = f"[fit]({profile.source}), [tokens]({profile.token_source})"
        lines.append(f"| {profile.family} | {profile.models} | {fit} | {profile.tokens.describe()} | {sources} |")
    lines += ["", "## Readings chosen where the pages are silent", ""]
    lines += [f"- **{profile.family}**: {profile.notes}" for profile in (*PROFILES, FALLBACK) if profile.notes]
    lines += [
        "",
        "Sizes are rounded as `image_fit` rounds them (half to even); no page states the rounding, and a",
        "measured bill (gpt-4.1: 2049 x 513 is 8 tiles, 2050 x 513 is 4) agrees with it.",
        "",
    ]
    return "\n".join(lines)
