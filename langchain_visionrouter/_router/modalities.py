"""Output modalities per the catalog: which ``modalities`` an image-output model needs; the router's 404.

The router wants ``["image"]`` for image-only models and ``["image", "text"]`` for models
that output both; a constant sent to every model fails on the others with a 404 before
routing ("No endpoints found that support the requested output modalities"). So when a
call asks for images (``image_config``) without saying ``modalities``, the prepared call
derives them (:func:`derived_modalities`) from the model's ``output_modalities`` in the
catalog listing read with ``?output_modalities=all`` (OpenRouter's default list leaves
image-only models out). Pure functions of a model list.
"""

from __future__ import annotations

from collections.abc import Sequence

from langchain_visionrouter._router.model_info import ModelInfo, find_model
from langchain_visionrouter._wire import router_errors as _errors
from langchain_visionrouter.errors import NotFoundError, VisionRouterError

__all__ = ["derived_modalities", "is_no_output_modality", "output_modalities_error"]

_CHAT_OUTPUTS = ("image", "text", "audio")


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


def output_modalities_error(
    exc: VisionRouterError, model_id: str, sent: object, models: Sequence[ModelInfo] | None
) -> VisionRouterError:
    """The clearer error for the output-modalities 404: what was sent, what the catalog lists."""
    info = find_model(models, model_id) if models else None
    outputs = info.output_modalities if info is not None else None
    return _errors.output_modalities_error(exc, model_id, sent, outputs)
