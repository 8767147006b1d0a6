"""Requests to the router's Image API (``POST /images``), built and checked before any request. Pure.

The body (OpenRouter's "Image Generation" guide and its OpenAPI ``ImageGenerationRequest``):
``model`` and ``prompt`` (required, ``minLength: 1``), then the optional ``n``,
``resolution``, ``aspect_ratio``, ``size``, ``quality``, ``output_format``, ``background``,
``output_compression``, ``seed``, ``stream``, ``input_references`` (image parts, at most 16),
``provider`` (``only``/``order``/``ignore``/``sort``/``allow_fallbacks``/``options``) and ``user``.

Strict where a value is certainly wrong (an empty prompt; ``n`` outside 1-10, the range
the spec states in prose; a compression outside 0-100; more than 16 references; a value of
the wrong type). The enums (``resolution``, ``aspect_ratio``, ``quality``...) are *not*
checked: the spec has grown them between versions (``768``, ``1.5K``, ``xhigh``...) and
"providers clamp to their supported subset", so a newer value is sent as given.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from typing import Any

from langchain_visionrouter._media.checks import ImagePolicy
from langchain_visionrouter._request.embeddings import image_source_url
from langchain_visionrouter.errors import ImageInputError, InvalidInputError

__all__ = ["IMAGE_OPTIONS", "MAX_REFERENCES", "image_payload", "reference_parts"]

#: The Image API's generation options, in wire order, with the Python types each takes.
IMAGE_OPTIONS: dict[str, tuple[type, ...]] = {
    "n": (int,),
    "resolution": (str,),
    "aspect_ratio": (str,),
    "size": (str,),
    "quality": (str,),
    "output_format": (str,),
    "background": (str,),
    "output_compression": (int,),
    "seed": (int,),
}
#: ``input_references`` ``maxItems`` in the spec (per-model limits are tighter: see the model's capabilities).
MAX_REFERENCES = 16
# Fields the caller must not set through ``extra``: each has its own argument.
_OWN = frozenset({"model", "prompt", "input_references", "stream"})


def _check_option(name: str, value: Any, caller: str) -> None:
    kinds = IMAGE_OPTIONS[name]
    if isinstance(value, bool) or not isinstance(value, kinds):
        raise InvalidInputError(f"{caller}: {name} must be {kinds[0].__name__}, not {value!r}.")
    if not isinstance(value, int):
        return
    if name == "n" and not 1 <= value <= 10:
        raise InvalidInputError(f"{caller}: n must be 1 to 10 (the Image API's range), not {value}.")
    if name == "output_compression" and not 0 <= value <= 100:
        raise InvalidInputError(f"{caller}: output_compression must be 0 to 100, not {value}.")
    if name == "seed" and value < 0:
        raise InvalidInputError(f"{caller}: seed must not be negative, not {value}.")


def reference_parts(images: Any, policy: ImagePolicy, caller: str) -> list[dict[str, Any]]:
    """``input_references`` for an edit: each image checked (type, size; downscaled per ``policy``).

    Takes what :func:`~langchain_visionrouter.image_block` takes, or blocks it made.
    """
    if isinstance(images, (str, bytes, bytearray, os.PathLike, Mapping)) or hasattr(images, "getpixel"):
        images = [images]  # one image
    sources = list(images)
    if not sources:
        raise InvalidInputError(f"{caller}: give at least one image to edit.")
    if len(sources) > MAX_REFERENCES:
        msg = f"{caller}: {len(sources)} images, over the Image API's limit of {MAX_REFERENCES} reference images."
        raise InvalidInputError(msg)
    parts = []
    for i, source in enumerate(sources):
        where = f"{caller}: image {i}"
        try:
            url = image_source_url(source, policy, where)
        except ImageInputError as exc:
            message = str(exc)
            raise ImageInputError(message if message.startswith(where) else f"{where}: {message}") from None
        parts.append({"type": "image_url", "image_url": {"url": url}})
    return parts


def image_payload(
    model: str,
    prompt: Any,
    options: Mapping[str, Any],
    *,
    references: list[dict[str, Any]] | None = None,
    router_fields: Mapping[str, Any] | None = None,
    extra: Mapping[str, Any] | None = None,
    stream: bool = False,
    caller: str = "generate",
) -> dict[str, Any]:
    """The ``POST /images`` body; ``options`` hold the generation options (``None`` values left out).

    ``extra`` is sent as given, last (fields newer than this package: ``session_id``...).
    """
    if not isinstance(prompt, str) or not prompt.strip():
        raise InvalidInputError(f"{caller}: the prompt must be a non-empty string, not {prompt!r:.60}.")
    body: dict[str, Any] = {"model": model, "prompt": prompt}
    for name, value in options.items():
        if value is None:
            continue
        if name not in IMAGE_OPTIONS:
            raise InvalidInputError(f"{caller}: unknown option {name!r}; pass new fields through extra_body.")
        _check_option(name, value, caller)
        body[name] = value
    if references:
        body["input_references"] = references
    if stream:
        body["stream"] = True
    body.update({k: v for k, v in (router_fields or {}).items() if v is not None})
    clash = sorted(_OWN & set(extra or {}))
    if clash:
        raise InvalidInputError(f"{caller}: extra_body must not set {clash}: use the arguments of the same name.")
    body.update(extra or {})
    return body
