"""Exceptions raised by langchain-visionrouter.

The whole tree::

    VisionRouterError                base of every error the router or the adapter raises
    ├── BadRequestError              400, 413, 422: the request was malformed or too large
    ├── AuthenticationError          401: missing, bad or disabled API key
    ├── InsufficientCreditsError     402: out of credits, or the key's spending limit reached
    ├── PermissionDeniedError        403: moderation flag, guardrail, permission
    ├── NotFoundError                404: unknown model, or no endpoint can serve the request
    ├── RequestTimeoutError          408, and client-side time-outs
    ├── RateLimitError               429
    ├── ProviderError                5xx: router or upstream provider failed
    ├── APIConnectionError           the router could not be reached (DNS, refused, reset)
    └── StreamError                  an error inside a 200 stream, or a stream cut short

    InvalidInputError (ValueError)   input that cannot be sent, raised before any request
    └── ImageInputError              a bad image or file (type, size, encoding, path, URL)

Router errors keep what the router said: ``status_code``, ``code``, ``message``,
``metadata`` (with the upstream ``provider_name`` and its ``raw`` detail when sent),
``generation_id``, ``retry_after`` and, when the router explains why no endpoint could
serve, ``availability`` (:class:`Availability`). ``partial`` holds what had already been
streamed when a stream failed. ``str()`` shows the router's message *and* the
provider's raw detail, because the top-level message is often only
"Provider returned error".

Every error the package raises for a router failure is built by the private ``_errors``
module, with everything it should carry (``partial`` included) given at construction.

No error ever shows an API key: message, metadata and body are built with every
credential the HTTP layer sent masked (see :mod:`langchain_visionrouter._redaction`),
so a router or proxy echoing the key back cannot leak it.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from langchain_visionrouter._redaction import redact

__all__ = [
    "APIConnectionError",
    "AuthenticationError",
    "BadRequestError",
    "ImageInputError",
    "InsufficientCreditsError",
    "InvalidInputError",
    "NotFoundError",
    "PermissionDeniedError",
    "ProviderError",
    "RateLimitError",
    "RequestTimeoutError",
    "StreamError",
    "VisionRouterError",
]

_RAW_LIMIT = 2000  # characters of the provider's raw detail kept in str()


# Not in __all__ (nor the package's): reached as ``exc.availability``; importable from here.
@dataclass(frozen=True)
class Availability:
    """The router's ``error.availability``: why no model endpoint could serve, and whether to retry.

    Sent (since 2026-08-19) on model-availability failures, in error bodies and stream error
    chunks. Switch on ``retryable``, not on ``code``: new codes appear, and a code may be
    retryable one time and not the next. The retry policy does (``retryable: false`` is
    never retried, ``retry_after`` is waited like ``Retry-After``).

    Example:
        .. code-block:: python

            try:
                llm.invoke("hi")
            except NotFoundError as exc:
                if exc.availability and exc.availability.code == "no_endpoints":
                    print(exc.availability.fallback_models)
    """

    code: str | None = None
    """``capacity_exhausted``, ``no_endpoints``, ``model_not_found``, ``region_restricted``..."""
    retryable: bool | None = None
    retry_after: float | None = None
    """Seconds to wait before a retry (the minimum over the router's attempts)."""
    requested_models: tuple[str, ...] = ()
    affected_providers: tuple[str, ...] = ()
    fallback_models: tuple[str, ...] = ()
    excluded_by: tuple[str, ...] = ()
    """Why endpoints were excluded: ``geo``, ``data_policy:zdr``, ``max_price``..."""
    constraint: Mapping[str, Any] | None = None
    """``{"field", "detail"}`` for ``constraint_filtered`` and ``wrong_endpoint``."""
    docs_url: str | None = None


def _strings(value: Any) -> tuple[str, ...]:
    return tuple(v for v in value if isinstance(v, str)) if isinstance(value, list) else ()


def parse_availability(value: Any) -> Availability | None:
    """``error.availability`` as an :class:`Availability` (lenient: any field may be missing)."""
    if not isinstance(value, Mapping):
        return None
    retry_after = value.get("retry_after")
    retryable = value.get("retryable")
    constraint = value.get("constraint")
    return Availability(
        code=value.get("code") if isinstance(value.get("code"), str) else None,
        retryable=retryable if isinstance(retryable, bool) else None,
        retry_after=float(retry_after)
        if isinstance(retry_after, (int, float)) and not isinstance(retry_after, bool)
        else None,
        requested_models=_strings(value.get("requested_models")),
        affected_providers=_strings(value.get("affected_providers")),
        fallback_models=_strings(value.get("fallback_models")),
        excluded_by=_strings(value.get("excluded_by")),
        constraint=dict(constraint) if isinstance(constraint, Mapping) else None,
        docs_url=value.get("docs_url") if isinstance(value.get("docs_url"), str) else None,
    )


class VisionRouterError(Exception):
    """Base class of every error the router (or talking to it) produces."""

    def __init__(
        self,
        message: str,
        *,
        status_code: int | None = None,
        code: int | str | None = None,
        metadata: Mapping[str, Any] | None = None,
        generation_id: str | None = None,
        retry_after: float | None = None,
        partial: Any = None,
        body: Any = None,
        attempts: int | None = None,
        elapsed: float | None = None,
        hint: str | None = None,
        stopped: str | None = None,
    ) -> None:
        message = redact(message)
        super().__init__(message)
        self.message = message
        self.status_code = status_code
        self.code = redact(code)
        self.metadata: dict[str, Any] = redact(dict(metadata or {}))
        self.generation_id = generation_id
        self.retry_after = retry_after
        #: What had been received before the failure (an ``AIMessageChunk`` for streams).
        self.partial = partial
        #: The decoded error body, as the router sent it (credentials masked).
        self.body = redact(body)
        #: Requests made before giving up, and the seconds they took (set when retries ran out).
        self.attempts = attempts
        self.elapsed = elapsed
        #: Why the retries stopped, with the limits set (``max_retries``, ``deadline``).
        self.stopped = stopped
        #: What the adapter adds to the router's message: what it means, what to do.
        self.hint = redact(hint)

    @property
    def availability(self) -> Availability | None:
        """The router's ``error.availability`` (code, retryable, retry_after...), when it sent one."""
        body = self.body
        err = body.get("error", body) if isinstance(body, Mapping) else None
        return parse_availability(err.get("availability")) if isinstance(err, Mapping) else None

    @property
    def provider_name(self) -> str | None:
        """The upstream provider the router blamed, when it said."""
        name = self.metadata.get("provider_name")
        return name if isinstance(name, str) else None

    @property
    def raw(self) -> str | None:
        """The provider's own error text (``metadata.raw``), when the router forwarded it."""
        raw = self.metadata.get("raw")
        if raw is None:
            return None
        return raw if isinstance(raw, str) else json.dumps(raw)

    def __str__(self) -> str:
        parts = []
        if self.status_code is not None:
            parts.append(f"[{self.status_code}]")
        parts.append(self.message)
        if self.provider_name:
            parts.append(f"(provider: {self.provider_name})")
        raw = self.raw
        if raw and raw not in self.message:
            parts.append(f"- provider detail: {raw[:_RAW_LIMIT]}")
        error_type = self.metadata.get("error_type")
        if error_type:
            parts.append(f"(error_type: {error_type})")
        if self.generation_id:
            parts.append(f"(generation id: {self.generation_id})")
        if self.attempts is not None:
            tries = "1 attempt" if self.attempts == 1 else f"{self.attempts} attempts"
            why = self.stopped or f"max_retries={self.attempts - 1}"
            parts.append(f"(gave up after {tries} over {self.elapsed or 0.0:.1f}s: {why})")
        if self.hint:
            parts.append(f"- {self.hint}")
        text: str = redact(" ".join(parts))
        return text

    def __reduce__(self) -> Any:
        # Keyword-only arguments need an explicit reduce to survive pickling
        # (multiprocessing, Celery, LangGraph checkpoints).
        kwargs = {
            "status_code": self.status_code,
            "code": self.code,
            "metadata": self.metadata,
            "generation_id": self.generation_id,
            "retry_after": self.retry_after,
            "partial": self.partial,
            "body": self.body,
            "attempts": self.attempts,
            "elapsed": self.elapsed,
            "hint": self.hint,
            "stopped": self.stopped,
        }
        return (_rebuild, (type(self), self.message, kwargs))


def _rebuild(cls: type[VisionRouterError], message: str, kwargs: dict[str, Any]) -> Any:
    return cls(message, **kwargs)


class BadRequestError(VisionRouterError):
    """400, 413, 422: the router refused the request as malformed, invalid or too large."""


class AuthenticationError(VisionRouterError):
    """401: the API key is missing, wrong or disabled."""


class InsufficientCreditsError(VisionRouterError):
    """402: the account is out of credits or the key hit its spending limit."""


class PermissionDeniedError(VisionRouterError):
    """403: moderation flagged the input, a guardrail blocked it, or access is denied.

    For moderation, ``metadata`` holds ``reasons`` and ``flagged_input``.
    """


class NotFoundError(VisionRouterError):
    """404: the model does not exist, or no endpoint supports what the request needs."""


class RequestTimeoutError(VisionRouterError):
    """408 from the router, or the client's own ``timeout`` ran out."""


class RateLimitError(VisionRouterError):
    """429: rate limited by the router or upstream. ``retry_after`` says how long to wait."""


class ProviderError(VisionRouterError):
    """5xx: the router or the upstream provider failed or is overloaded."""


class APIConnectionError(VisionRouterError):
    """The router could not be reached at all (DNS failure, refused or reset connection)."""


class StreamError(VisionRouterError):
    """A streamed answer failed after HTTP 200, or ended before it was complete.

    ``partial`` holds the ``AIMessageChunk`` assembled from everything streamed before
    the failure, so no output is lost.
    """


class InvalidInputError(ValueError):
    """Input that cannot be sent to the router; raised before any request is made."""


class ImageInputError(InvalidInputError):
    """An image or file given as input cannot be sent; raised before any request."""
