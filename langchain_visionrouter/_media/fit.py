"""``image_fit="model"``: send no more pixels than the model will look at. Pure data and arithmetic.

The families' rules live in one table, :data:`langchain_visionrouter._router.profiles.PROFILES`
(each with the page it comes from), which the token estimates read too. An image bigger
than its family's fit rule is downscaled here (aspect ratio kept) to what the model would
have downscaled it to anyway, so fewer bytes go up and the bill is the same; an image
already within the rule, a family without one, and ``detail="original"`` are left untouched.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from langchain_visionrouter._router.profiles import fitted_side
from langchain_visionrouter._wire.body import DataURL

__all__ = ["fit_report", "fitted_side", "note_fit"]


def fit_report(payload: Mapping[str, Any]) -> dict[str, int] | None:
    """What ``image_fit`` saved on a request: images downscaled, bytes before and after (decoded)."""
    from langchain_visionrouter._media.checks import decoded_size  # _images imports this module

    before = after = images = 0
    for message in payload.get("messages") or ():
        content = message.get("content") if isinstance(message, Mapping) else None
        for part in content if isinstance(content, list) else ():
            spec = part.get("image_url") if isinstance(part, Mapping) else None
            url = spec.get("url") if isinstance(spec, Mapping) else None
            if isinstance(url, DataURL) and url.fitted_from is not None:
                images += 1
                before += url.fitted_from
                after += decoded_size(url.data)
    return {"images": images, "bytes_before": before, "bytes_after": after} if images else None


def note_fit(metadata: dict[str, Any], payload: Mapping[str, Any]) -> None:
    """Put :func:`fit_report` in an answer's ``response_metadata["image_fit"]`` when images were fitted."""
    report = fit_report(payload)
    if report is not None:
        metadata["image_fit"] = report
