"""One item of a batch: what it is (:class:`BatchItem`), what it sends (its content block), and
what it gives back (:class:`BatchResult`, from an answer or an error)."""

from __future__ import annotations

import os
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from langchain_visionrouter.errors import VisionRouterError

__all__ = ["BatchItem", "BatchResult", "content_block", "error_json", "from_message"]


@dataclass(frozen=True)
class BatchItem:
    """One unit of work: a key (unique in the run, used to resume), a source and options.

    ``source`` is anything :func:`image_block` takes (a path, an ``http(s)`` URL, bytes, a
    PIL image), a PDF (path or URL, sent as a file part), or a ready content block (dict).
    ``prompt`` overrides the run's prompt; ``metadata`` is carried to the result as is.
    """

    key: str
    source: Any
    prompt: str | None = None
    metadata: Mapping[str, Any] | None = None
    #: Where the item came from (``manifest m.csv line 3``), for messages about it.
    origin: str | None = field(default=None, compare=False)


@dataclass(frozen=True)
class BatchResult:
    """What one item gave: an ``answer`` (text, or parsed JSON with a schema) or an ``error``."""

    key: str
    answer: Any = None
    usage: Mapping[str, Any] | None = None
    cost: float | None = None
    model: str | None = None
    provider: str | None = None
    generation_id: str | None = None
    error: Mapping[str, Any] | None = None
    metadata: Mapping[str, Any] | None = None
    #: USD counted against the budget when ``cost`` could not be (missing, NaN, negative,
    #: or a call that timed out and may have been billed): the call's worst case.
    charged: float | None = None

    @property
    def ok(self) -> bool:
        return self.error is None

    def to_json(self) -> dict[str, Any]:
        """The result as one JSON object (a line of the output file)."""
        out: dict[str, Any] = {"key": self.key}
        if self.error is not None:
            out["error"] = dict(self.error)
            if self.cost is not None:
                out["cost"] = self.cost
        else:
            out.update(
                answer=self.answer,
                usage=dict(self.usage) if self.usage else None,
                cost=self.cost,
                model=self.model,
                provider=self.provider,
                generation_id=self.generation_id,
            )
        if self.charged is not None:
            out["charged"] = self.charged
        if self.metadata:
            out["metadata"] = dict(self.metadata)
        return out


def error_json(exc: BaseException, attempts: int | None = None) -> dict[str, Any]:
    """A typed error for the output: its class, message, the router's status and ids, and the
    requests really sent for the item (``attempts``: every round of the model's retries)."""
    message = str(exc)
    if attempts is not None:
        # The HTTP layer's "max_retries=N" counts one call's tries (and says 0 when it gave up
        # early on a wait past the deadline): the item's own count replaces it.
        message = re.sub(r" \(gave up after [^)]*\)", "", message)
        asked = getattr(exc, "retry_after", None)
        waited = f"; the router asked to wait {asked:g} s" if asked is not None else ""
        message += f" ({attempts} request(s) sent for this item{waited})"
    out: dict[str, Any] = {"type": type(exc).__name__, "message": message}
    if attempts is not None:
        out["attempts"] = attempts
    if isinstance(exc, VisionRouterError):
        for name in ("status_code", "code", "generation_id", "retry_after"):
            if getattr(exc, name, None) is not None:
                out[name] = getattr(exc, name)
        provider = (getattr(exc, "metadata", None) or {}).get("provider_name")
        if provider:
            out["provider"] = provider
    return out


def content_block(source: Any, max_side: int | None) -> dict[str, Any]:
    """The content block for one source: a ready block as is, a PDF as a file part, else an image."""
    from langchain_visionrouter._media.blocks import file_block, image_block, is_pdf_url, is_web_url, path_block

    if isinstance(source, Mapping):
        return dict(source)
    if isinstance(source, str) and is_pdf_url(source):
        return file_block(source)
    if isinstance(source, str) and (is_web_url(source) or source[:5].lower() == "data:"):
        return image_block(source)  # fetched by the router: nothing to downscale here
    if isinstance(source, (str, os.PathLike)):
        return path_block(os.fspath(source), max_side=max_side)  # read once; PDF or image by its bytes
    return image_block(source, max_side=max_side)


def from_message(item: Any, message: Any, answer: Any) -> BatchResult:
    meta = message.response_metadata
    return BatchResult(
        key=item.key,
        answer=answer,
        usage=message.usage_metadata,
        cost=meta.get("cost"),
        model=meta.get("model_name"),
        provider=meta.get("provider"),
        generation_id=meta.get("id"),
        metadata=item.metadata,
    )
