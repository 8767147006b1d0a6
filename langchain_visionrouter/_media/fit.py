"""``image_fit="model"``: send no more pixels than the model will look at. Pure data and arithmetic.

Model families that document how they downscale images before the model sees them are
listed in :data:`RULES`, one row per family, with the page the rule comes from. An
image bigger than its family's rule is downscaled here (aspect ratio kept) to what the
model would have downscaled it to anyway, so fewer bytes go up; an image already within
the rule, an unknown family, and ``detail="original"`` are left untouched.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

__all__ = ["RULES", "FitRule", "fitted_side", "rule_for"]


@dataclass(frozen=True)
class FitRule:
    """How a model family downscales an image before the model sees it."""

    family: str
    #: Model names (the id after the router's ``vendor/`` prefix) the rule covers, by prefix.
    prefixes: tuple[str, ...]
    source: str
    long_side: int | None = None  #: longest side at most this (pixels)
    short_side: int | None = None  #: then shortest side at most this (OpenAI's tiles)
    max_pixels: int | None = None  #: then width x height at most this
    low_long_side: int | None = None  #: the longest side with ``detail="low"``


_OPENAI_VISION = "https://platform.openai.com/docs/guides/images-vision#calculating-costs"

#: The families' published rules, first match wins (so the narrower prefixes come first).
RULES: tuple[FitRule, ...] = (
    # 32 px patches, at most 1,536 of them: scaled down to 1536 x 32 x 32 pixels.
    FitRule(
        "openai-patches",
        ("gpt-4.1-mini", "gpt-4.1-nano", "o4-mini", "gpt-5-mini", "gpt-5-nano"),
        _OPENAI_VISION,
        max_pixels=1536 * 32 * 32,
    ),
    # 512 px tiles: fit in 2048 x 2048, then the shortest side to 768; "low" is one 512 x 512.
    FitRule(
        "openai-tiles",
        ("gpt-4o", "chatgpt-4o", "gpt-4.1", "gpt-4.5", "gpt-4-turbo", "gpt-5", "o1", "o3"),
        _OPENAI_VISION,
        long_side=2048,
        short_side=768,
        low_long_side=512,
    ),
    # Long edge over 1568 px or over ~1,600 tokens (width x height / 750) is scaled down.
    FitRule(
        "anthropic",
        ("claude",),
        "https://docs.claude.com/en/docs/build-with-claude/vision#evaluate-image-size",
        long_side=1568,
        max_pixels=1600 * 750,
    ),
    # "Larger images are scaled down ... to fit a maximum resolution of 3072 x 3072."
    FitRule(
        "gemini",
        ("gemini",),
        "https://cloud.google.com/vertex-ai/generative-ai/docs/multimodal/image-understanding#image-requirements",
        long_side=3072,
    ),
)


def rule_for(model: str) -> FitRule | None:
    """The rule of ``model``'s family (``"anthropic/claude-sonnet-4.5"``, ``"gpt-4o"``...), or ``None``."""
    name = model.rsplit("/", 1)[-1].split(":", 1)[0].lower()
    return next((rule for rule in RULES if name.startswith(rule.prefixes)), None)


def fitted_side(model: str, detail: object, size: tuple[int, int] | None) -> int | None:
    """The longest side to downscale an image of ``size`` to for ``model``, or ``None`` to leave it.

    ``None`` for an unknown family, an unknown size, ``detail="original"``, and an image
    already within the family's rule.
    """
    rule = rule_for(model)
    if rule is None or size is None or detail == "original":
        return None
    width, height = size
    long, short = max(size), min(size)
    scale = 1.0
    long_side = rule.low_long_side if detail == "low" and rule.low_long_side else rule.long_side
    if long_side:
        scale = min(scale, long_side / long)
    if rule.short_side and not (detail == "low" and rule.low_long_side):
        scale = min(scale, rule.short_side / short)
    if rule.max_pixels:
        scale = min(scale, math.sqrt(rule.max_pixels / (width * height)))
    if scale >= 1.0:
        return None
    return max(1, math.floor(long * scale))
