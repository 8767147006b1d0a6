"""Vision checks: can the models a call may be served by take its images? Per the catalog.

Pure functions of the call's facts (its models; whether it carries images) and a model
list: the chat model reads the catalog once, at the edge of a call, and hands it here
(:func:`check_vision` before sending, :func:`no_image_endpoint_error` after the router's
"no endpoints support image input" 404).
"""

from __future__ import annotations

import warnings
from collections.abc import Iterable, Sequence
from typing import Literal

from langchain_visionrouter._router.model_info import ModelInfo, find_model, preset_model
from langchain_visionrouter._wire import router_errors as _errors
from langchain_visionrouter.errors import InvalidInputError, NotFoundError, VisionRouterError

__all__ = [
    "VisionCheck",
    "check_media",
    "check_vision",
    "checkable_models",
    "is_no_image_endpoint",
    "media_problems",
    "no_image_endpoint_error",
    "vision_problems",
    "vision_suggestions",
    "warned_unchecked",
]

VisionCheck = Literal["off", "warn", "error"]
_SUGGESTIONS = 5
#: Models already warned about as unchecked (process-wide: once each; cleared with the catalog cache).
warned_unchecked: set[str] = set()


def checkable_models(models: Sequence[str]) -> list[str]:
    """The models a vision check can look up (``"@preset/slug"`` alone: the preset picks the model)."""
    return [m for m in models if preset_model(m) is not None]


def vision_suggestions(models: Sequence[ModelInfo], near: str, limit: int = _SUGGESTIONS) -> list[str]:
    """Vision-capable model ids, the same vendor's first."""
    vendor = near.split("/")[0] + "/" if "/" in near else None
    # Chat models only: the listing read for a call includes image-output-only models too.
    capable = [m.id for m in models if m.supports_images and ":" not in m.id and _writes_text(m)]
    same = [m for m in capable if vendor and m.startswith(vendor)]
    return (same + [m for m in capable if m not in same])[:limit]


def _writes_text(info: ModelInfo) -> bool:
    return not info.output_modalities or "text" in info.output_modalities


def vision_problems(requested: Sequence[str], models: Sequence[ModelInfo]) -> tuple[list[str], list[str]]:
    """Which requested models cannot take images, and which cannot be checked.

    Returns:
        ``(without_image_input, unknown)``: ``unknown`` holds the models the catalog does
        not list, or lists without their modalities (an ids-only ``/models``).
    """
    lacking, unknown = [], []
    for model_id in requested:
        info = find_model(models, model_id)
        if info is None or info.supports_images is None:
            unknown.append(model_id)
        elif not info.supports_images:
            lacking.append(model_id)
    return lacking, unknown


_NOUNS = {"image": "images", "video": "video", "audio": "audio"}


def media_problems(requested: Sequence[str], models: Sequence[ModelInfo], kind: str) -> tuple[list[str], list[str]]:
    """Which requested models cannot take ``kind`` input (``"video"``, ``"audio"``...), and which cannot be checked.

    Read from the catalog's ``input_modalities`` (OpenRouter's video and audio guides:
    "check ``input_modalities`` includes ``video``"); a model listed without modalities,
    or not listed, is unknown.
    """
    if kind == "image":
        return vision_problems(requested, models)
    lacking, unknown = [], []
    for model_id in requested:
        info = find_model(models, model_id)
        if info is None or not info.input_modalities:
            unknown.append(model_id)
        elif kind not in info.input_modalities:
            lacking.append(model_id)
    return lacking, unknown


def check_media(requested: Sequence[str], models: Sequence[ModelInfo], media: Iterable[str], mode: VisionCheck) -> None:
    """Warn, or raise :class:`InvalidInputError`, when images, video or audio go to a model that cannot take them.

    A model whose support the catalog does not tell goes through, with one warning per
    model at most: it cannot be checked.
    """
    problems: list[str] = []
    for kind in sorted(media, key=("image", "video", "audio").index):
        lacking, unknown = media_problems(requested, models, kind)
        new = [m for m in unknown if m not in warned_unchecked]
        if new:
            warned_unchecked.update(new)
            warnings.warn(
                f"vision_check: the router's model catalog does not say whether {new} take {kind} input "
                f"(not listed, or listed without modalities), so the {_NOUNS[kind]} "
                f"{'are' if kind == 'image' else 'is'} sent unchecked.",
                UserWarning,
                stacklevel=4,
            )
        if lacking:
            problems.append(_lacking_message(models, lacking, kind))
    if not problems:
        return
    msg = " ".join(problems)
    if mode == "error":
        raise InvalidInputError(msg)
    warnings.warn(msg, UserWarning, stacklevel=4)


def _lacking_message(models: Sequence[ModelInfo], lacking: list[str], kind: str) -> str:
    if kind == "image":
        suggestions = ", ".join(vision_suggestions(models, lacking[0])) or "see list_models(input_modalities='image')"
        return (
            f"The request has images but {lacking} cannot take image input (per the router's model catalog). "
            f"Use a vision-capable model, e.g. {suggestions}."
        )
    capable = [m.id for m in models if kind in m.input_modalities and ":" not in m.id and _writes_text(m)]
    vendor = lacking[0].split("/")[0] + "/"
    capable = ([m for m in capable if m.startswith(vendor)] + [m for m in capable if not m.startswith(vendor)])[
        :_SUGGESTIONS
    ]
    hint = f"e.g. {', '.join(capable)}" if capable else f"see list_models(input_modalities='{kind}')"
    return (
        f"The request has {_NOUNS[kind]} but {lacking} cannot take {kind} input (per the router's model "
        f"catalog's input_modalities); nothing was sent. Use a model that takes {kind}, {hint}."
    )


def check_vision(requested: Sequence[str], models: Sequence[ModelInfo], mode: VisionCheck) -> None:
    """:func:`check_media` for images alone."""
    check_media(requested, models, ("image",), mode)


def is_no_image_endpoint(exc: VisionRouterError) -> bool:
    """Whether the router refused a request because no endpoint of the model takes images."""
    text = f"{exc.message} {exc.raw or ''}".lower()
    return isinstance(exc, NotFoundError) and "image" in text and ("endpoint" in text or "support" in text)


def no_image_endpoint_error(
    exc: VisionRouterError, model_id: str, models: Sequence[ModelInfo] | None
) -> VisionRouterError | None:
    """The clearer error for the router's "no endpoints found that support image input" 404.

    Returns ``None`` when ``exc`` is another error. The new error keeps the router's
    status, code, metadata, generation id and body.
    """
    if not is_no_image_endpoint(exc):
        return None
    info = find_model(models, model_id) if models else None
    # Never name the model as both unable and able to see: it (and its variants) is no suggestion.
    base = info.id if info is not None else model_id
    suggestions = [m for m in (vision_suggestions(models, model_id, _SUGGESTIONS + 2) if models else []) if m != base]
    hint = (
        f"Vision-capable models include: {', '.join(suggestions[:_SUGGESTIONS])}."
        if suggestions
        else "Pick one from ChatVisionRouter.list_models(input_modalities='image')."
    )
    if info is not None and info.supports_images:
        # The catalog lists image input, yet no endpoint took this request: the request's
        # constraints (provider order/only/ignore, data policy, parameters) ruled them out.
        msg = (
            f"no endpoint of {model_id} took this request with images: the router said {exc.message!r}. "
            "The catalog lists image input for it, so the request's provider preferences (order, only, "
            f"ignore, data_collection, require_parameters) may exclude the endpoints that do. {hint}"
        )
    else:
        msg = f"{model_id} cannot take image input: the router said {exc.message!r}. {hint}"
    return _errors.restated(exc, msg, cls=NotFoundError)
