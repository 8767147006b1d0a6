"""Output modalities per the catalog: derive ``modalities`` for image models, explain the router's 404.

The router wants ``["image"]`` for image-only models and ``["image", "text"]`` for models
that output both; a constant sent to every model fails on the others with a 404 before
routing ("No endpoints found that support the requested output modalities"). So when a
request asks for images (``image_config``) without saying ``modalities``, they are
derived from the model's ``output_modalities`` in the catalog, fetched with
``?output_modalities=all`` (OpenRouter's default list leaves image-only models out).
"""

from __future__ import annotations

import logging
from collections.abc import Mapping, MutableMapping, Sequence
from typing import Any

from langchain_visionrouter._router.catalog import ModelCatalog
from langchain_visionrouter._router.model_info import ModelInfo, find_model
from langchain_visionrouter._wire import router_errors as _errors
from langchain_visionrouter.errors import NotFoundError, VisionRouterError

__all__ = [
    "aderive",
    "araise_clearer",
    "derive",
    "derived_modalities",
    "is_no_output_modality",
    "needs_derivation",
    "raise_clearer",
]

logger = logging.getLogger(__name__)

_CHAT_OUTPUTS = ("image", "text", "audio")


def needs_derivation(payload: Mapping[str, Any]) -> bool:
    """Whether the request asks for images (``image_config``) without saying ``modalities``."""
    return "modalities" not in payload and bool(payload.get("image_config")) and isinstance(payload.get("model"), str)


def derived_modalities(model_id: str, models: Sequence[ModelInfo]) -> list[str] | None:
    """``modalities`` for a model that outputs images, per the catalog; ``None`` if it cannot say."""
    info = find_model(models, model_id)
    if info is None or "image" not in info.output_modalities:
        return None
    return [m for m in _CHAT_OUTPUTS if m in info.output_modalities]


def is_no_output_modality(exc: VisionRouterError) -> bool:
    """Whether the router refused the requested output modalities (its 404 before routing)."""
    text = f"{exc.message} {exc.metadata.get('failed_routing_step', '')}".lower()
    return isinstance(exc, NotFoundError) and "output modalit" in text


def _set_derived(payload: MutableMapping[str, Any], models: Sequence[ModelInfo] | None, error: Any = None) -> None:
    if models is None:  # not derivable: sent without; a 404 is then explained (raise_clearer)
        logger.warning(
            "modalities not derived for %s: the model catalog could not be read (%s)", payload["model"], error
        )
        return
    derived = derived_modalities(payload["model"], models)
    if derived is not None:
        payload["modalities"] = derived


def derive(payload: MutableMapping[str, Any], cat: ModelCatalog) -> None:
    """Set ``modalities`` from the catalog when the request asks for images without them."""
    if needs_derivation(payload):
        try:
            _set_derived(payload, cat.models())
        except VisionRouterError as exc:
            _set_derived(payload, None, exc)


async def aderive(payload: MutableMapping[str, Any], cat: ModelCatalog) -> None:
    """Async :func:`derive`."""
    if needs_derivation(payload):
        try:
            _set_derived(payload, await cat.amodels())
        except VisionRouterError as exc:
            _set_derived(payload, None, exc)


def raise_clearer(exc: VisionRouterError, payload: Mapping[str, Any], cat: ModelCatalog) -> None:
    """Raise the clearer error for the output-modalities 404, if ``exc`` is one."""
    if is_no_output_modality(exc):
        try:
            models: Sequence[ModelInfo] | None = cat.models()
        except VisionRouterError:
            models = None
        raise _errors.output_modalities_error(
            exc, str(payload.get("model")), payload.get("modalities"), _outputs(models, payload)
        ) from exc


async def araise_clearer(exc: VisionRouterError, payload: Mapping[str, Any], cat: ModelCatalog) -> None:
    """Async :func:`raise_clearer`."""
    if is_no_output_modality(exc):
        try:
            models: Sequence[ModelInfo] | None = await cat.amodels()
        except VisionRouterError:
            models = None
        raise _errors.output_modalities_error(
            exc, str(payload.get("model")), payload.get("modalities"), _outputs(models, payload)
        ) from exc


def _outputs(models: Sequence[ModelInfo] | None, payload: Mapping[str, Any]) -> frozenset[str] | None:
    info = find_model(models, str(payload.get("model"))) if models else None
    return info.output_modalities if info is not None else None
