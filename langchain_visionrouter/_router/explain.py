"""A router error made clearer with what the call and the catalog know. Pure.

The chat model reads the catalog only when :func:`needs_catalog` says the error is one
the catalog can explain, then hands the listing here.
"""

from __future__ import annotations

from collections.abc import Sequence

from langchain_visionrouter._router.modalities import is_no_output_modality, output_modalities_error
from langchain_visionrouter._router.model_info import ModelInfo
from langchain_visionrouter._router.vision import is_no_image_endpoint, no_image_endpoint_error
from langchain_visionrouter._wire import router_errors as _errors
from langchain_visionrouter.errors import AuthenticationError, VisionRouterError

__all__ = ["clearer_error", "needs_catalog"]


def needs_catalog(exc: VisionRouterError) -> bool:
    """Whether the catalog helps explain ``exc`` (the two 404s about modalities and images)."""
    return is_no_output_modality(exc) or is_no_image_endpoint(exc)


def clearer_error(
    exc: VisionRouterError,
    *,
    model_id: str,
    sent_modalities: object,
    models: Sequence[ModelInfo] | None,
    key_source: str | None,
    router: str,
) -> VisionRouterError | None:
    """The clearer error for ``exc``, or ``None`` when it needs no restating.

    A refused key says where the key came from; the output-modalities 404 (checked before
    the image one: it mentions images too, and is not about input) says what to set; the
    "no endpoint takes images" 404 suggests vision models from the catalog.
    """
    if isinstance(exc, AuthenticationError):
        return _errors.key_refused(exc, source=key_source, router=router)
    if is_no_output_modality(exc):
        return output_modalities_error(exc, model_id, sent_modalities, models)
    return no_image_endpoint_error(exc, model_id, models)
