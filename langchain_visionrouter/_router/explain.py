"""A router error made clearer with what the call and the catalog know. Pure.

The chat model reads the catalog only when :func:`needs_catalog` says the error is one
the catalog can explain, then hands the listing here.
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Sequence

from langchain_visionrouter._router.modalities import is_no_output_modality, output_modalities_error
from langchain_visionrouter._router.model_info import ModelInfo
from langchain_visionrouter._router.vision import is_no_image_endpoint, no_image_endpoint_error
from langchain_visionrouter._wire import router_errors as _errors
from langchain_visionrouter.errors import AuthenticationError, VisionRouterError

__all__ = ["clearer_error", "is_unknown_model", "needs_catalog"]

# OpenRouter: "<id> is not a valid model ID" (400 since 2026-08-19, availability code
# model_not_found; router-wire-format-2.md section 8); other gateways word it their own way.
_UNKNOWN_MODEL_RE = re.compile(r"not a valid model|model[_ ]not[_ ]found|unknown model|no such model", re.IGNORECASE)


def is_unknown_model(exc: VisionRouterError) -> bool:
    """Whether ``exc`` says the model id is unknown (by ``availability.code``, else the message)."""
    availability = exc.availability
    if availability is not None and availability.code == "model_not_found":
        return True
    return exc.status_code in (400, 404) and bool(_UNKNOWN_MODEL_RE.search(exc.message))


def needs_catalog(exc: VisionRouterError) -> bool:
    """Whether the catalog must be fetched to explain ``exc`` (the 404s about modalities and images).

    An unknown model is explained from a catalog already fetched only (see :func:`did_you_mean`):
    a typo is worth no extra request.
    """
    return is_no_output_modality(exc) or is_no_image_endpoint(exc)


def did_you_mean(exc: VisionRouterError, model_id: str, models: Sequence[ModelInfo] | None) -> VisionRouterError | None:
    """An unknown model's error with the closest ids of the catalog (``None``: no catalog, no match).

    ``models``: the listing if it was fetched already (a vision check, ``get_catalog()``...).
    """
    if not models:
        return None
    ids = [m.id for m in models]
    close = difflib.get_close_matches(model_id, ids, n=3, cutoff=0.6)
    if not close:
        # A model id without its vendor ("gpt-4o") or with another one: match on the name alone.
        name = model_id.rpartition("/")[2]
        close = [i for i in ids if i.rpartition("/")[2] == name][:3]
    if not close:
        return None
    listed = ", ".join(repr(c) for c in close)
    return _errors.restated(
        exc, exc.message, hint=f"{model_id!r} is not in the router's catalog; did you mean {listed}?"
    )


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
    if is_unknown_model(exc):
        return did_you_mean(exc, model_id, models)
    return no_image_endpoint_error(exc, model_id, models)
