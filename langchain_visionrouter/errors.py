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

Every error the package raises for a router failure is built here, by the functions at
the end of this module, with everything it should carry (``partial`` included) given at
construction.

No error ever shows an API key: message, metadata and body are built with every
credential the HTTP layer sent masked (see :mod:`langchain_visionrouter._redaction`),
so a router or proxy echoing the key back cannot leak it.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from langchain_visionrouter._redaction import redact, redact_url

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
            parts.append(f"(gave up after {tries} over {self.elapsed or 0.0:.1f}s; max_retries={self.attempts - 1})")
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


_STATUS_CLASSES: dict[int, type[VisionRouterError]] = {
    400: BadRequestError,
    401: AuthenticationError,
    402: InsufficientCreditsError,
    403: PermissionDeniedError,
    404: NotFoundError,
    408: RequestTimeoutError,
    413: BadRequestError,
    422: BadRequestError,
    429: RateLimitError,
}


def error_class_for_status(status: int | None) -> type[VisionRouterError]:
    """The exception class for an HTTP status (or an error body's numeric ``code``)."""
    if status is None:
        return VisionRouterError
    if status in _STATUS_CLASSES:
        return _STATUS_CLASSES[status]
    if status >= 500:
        return ProviderError
    if 400 <= status < 500:
        return BadRequestError
    return VisionRouterError


def _status_from_code(code: Any) -> int | None:
    if isinstance(code, bool):
        return None
    if isinstance(code, int):
        return code
    if isinstance(code, str) and code.isdigit():
        return int(code)
    return None


def error_from_body(
    body: Any,
    *,
    status_code: int | None = None,
    generation_id: str | None = None,
    retry_after: float | None = None,
    cls: type[VisionRouterError] | None = None,
    partial: Any = None,
) -> VisionRouterError:
    """Build the typed exception for a decoded error body.

    Accepts OpenRouter's ``{"error": {"code", "message", "metadata"}}``, the OpenAI-style
    ``{"error": {"message", "type", "param", "code"}}`` that Infron sends, a bare error
    object, or anything else (kept as the message).
    """
    err: Any = body.get("error", body) if isinstance(body, Mapping) else body
    if isinstance(err, Mapping):
        message = err.get("message")
        code = err.get("code")
        metadata = dict(err.get("metadata") or {}) if isinstance(err.get("metadata"), Mapping) else {}
        # OpenAI-style fields, and the availability examples' error_type/http_status beside
        # the message (the chat envelope has them in metadata/code): kept rather than dropped.
        for key in ("type", "param", "error_type", "http_status"):
            if err.get(key) is not None:
                metadata.setdefault(key, err[key])
        if code is None:
            code = err.get("http_status")
        availability = parse_availability(err.get("availability"))
        if retry_after is None and availability is not None:
            retry_after = availability.retry_after  # it mirrors Retry-After when no header came
        if not isinstance(message, str) or not message:
            message = json.dumps(err)[:_RAW_LIMIT]
    else:
        code = None
        metadata = {}
        message = str(err)[:_RAW_LIMIT] if err not in (None, "") else "empty error body"
    if isinstance(body, Mapping) and generation_id is None and isinstance(body.get("id"), str):
        generation_id = body["id"]
    if cls is None:
        cls = error_class_for_status(status_code if status_code not in (None, 200) else _status_from_code(code))
    return cls(
        message,
        status_code=status_code,
        code=code,
        metadata=metadata,
        generation_id=generation_id,
        retry_after=retry_after,
        body=body,
        partial=partial,
    )


def error_from_response(
    status_code: int,
    content: bytes,
    headers: Mapping[str, str],
    *,
    retry_after: float | None = None,
) -> VisionRouterError:
    """Build the typed exception for a non-2xx HTTP answer."""
    try:
        body: Any = json.loads(content) if content else None
    except ValueError:
        # An HTML page from a proxy or a plain-text 502: keep the text, it is the detail.
        body = content.decode("utf-8", "replace").strip()[:_RAW_LIMIT] or None
    if body is None:
        body = f"HTTP {status_code} with an empty body"
    return error_from_body(
        body,
        status_code=status_code,
        generation_id=headers.get("x-generation-id"),
        retry_after=retry_after,
    )


def status_error(
    status_code: int, content: bytes, headers: Mapping[str, str], *, retry_after: float | None = None
) -> VisionRouterError:
    """The typed exception for an HTTP answer that is not a success (3xx included)."""
    if status_code < 300:
        raise ValueError(f"HTTP {status_code} is a success")
    if status_code < 400:  # a redirect: not followed, so the key never goes to another host
        msg = (
            f"the router answered HTTP {status_code}, a redirect to {headers.get('location')!r}; "
            "redirects are not followed. Check base_url (scheme, host, path)."
        )
        return VisionRouterError(msg, status_code=status_code, generation_id=headers.get("x-generation-id"))
    return error_from_response(status_code, content, headers, retry_after=retry_after)


def not_json_error(status_code: int, content: bytes, headers: Mapping[str, str]) -> VisionRouterError:
    """The router answered with a body that is not JSON where JSON was due."""
    return VisionRouterError(
        f"the router answered HTTP {status_code} with a body that is not JSON: {content[:200]!r}",
        status_code=status_code,
        generation_id=headers.get("x-generation-id"),
    )


def malformed_answer(message: str, body: Any = None, *, generation_id: str | None = None) -> VisionRouterError:
    """A 200 answer with a field the adapter cannot read (``message`` says which, and how)."""
    return VisionRouterError(message, status_code=200, generation_id=generation_id, body=body)


def unexpected_answer(what: str, body: Any, *, generation_id: str | None = None) -> VisionRouterError:
    """A 200 answer that is neither what was asked for nor an error (``what`` says what is missing)."""
    return VisionRouterError(
        f"the router answered, but {what}: {json.dumps(body, default=str)[:300]}",
        status_code=200,
        generation_id=generation_id,
        body=body,
    )


def _failed_url(exc: BaseException) -> str:
    """`` at <url>`` for the request an httpx error is about (credentials removed), or ``""``."""
    try:
        url = str(exc.request.url)  # type: ignore[attr-defined]
    except (AttributeError, RuntimeError):  # httpx raises RuntimeError when no request is attached
        return ""
    return f" at {redact_url(url)}"


def connection_error(exc: BaseException) -> VisionRouterError:
    """The typed exception for an httpx error before any answer arrived (naming the URL)."""
    import httpx

    where = _failed_url(exc)
    name = type(exc).__name__
    if isinstance(exc, httpx.TimeoutException):
        return RequestTimeoutError(f"request timed out ({name}){where}: {exc}")
    if isinstance(exc, (httpx.ConnectError, httpx.UnsupportedProtocol)):
        return APIConnectionError(
            f"could not reach the router ({name}){where}: {exc}. Check base_url, and that the router is up."
        )
    return APIConnectionError(f"the connection to the router was lost ({name}){where}: {exc}")


def retries_exhausted(exc: VisionRouterError, *, attempts: int, seconds: float) -> VisionRouterError:
    """``exc`` (a retryable failure, e.g. a 429) saying how many attempts were made, over how long."""
    return restated(exc, exc.message, attempts=attempts, elapsed=seconds)


def key_refused(exc: VisionRouterError, *, source: str | None, router: str) -> VisionRouterError:
    """A 401 saying which key was refused: where it came from (a variable's name), never the key.

    The router's own message stays ``message``; the explanation is the error's ``hint``.
    """
    if source is None:
        hint = "the router refused the request: no API key was sent. Pass api_key=... or set VISIONROUTER_API_KEY."
    else:
        hint = (
            f"the router refused the API key from {source}. "
            f"Check that the key is valid, not disabled, and meant for {router}."
        )
    return restated(exc, exc.message, hint=hint)


def stream_interrupted(
    exc: BaseException, *, timeout: float | None, generation_id: str | None, partial: Any
) -> VisionRouterError:
    """A stream whose body broke off (network error or stall) after it had begun."""
    import httpx

    if isinstance(exc, httpx.TimeoutException):
        return RequestTimeoutError(
            f"stream stalled: no data within the {timeout}s timeout", generation_id=generation_id, partial=partial
        )
    return StreamError(
        f"connection lost mid-stream ({type(exc).__name__}: {exc})", generation_id=generation_id, partial=partial
    )


def stream_error(message: str, **fields: Any) -> StreamError:
    """A stream that ended, or went on, in a way no complete answer can (``fields`` as on the base class)."""
    return StreamError(message, **fields)


def restated(
    exc: VisionRouterError,
    message: str,
    *,
    cls: type[VisionRouterError] | None = None,
    attempts: int | None = None,
    elapsed: float | None = None,
    hint: str | None = None,
) -> VisionRouterError:
    """``exc`` with a clearer message (and class): every field the router gave is kept."""
    return (cls or type(exc))(
        message,
        status_code=exc.status_code,
        code=exc.code,
        metadata=exc.metadata,
        generation_id=exc.generation_id,
        retry_after=exc.retry_after,
        partial=exc.partial,
        body=exc.body,
        attempts=exc.attempts if attempts is None else attempts,
        elapsed=exc.elapsed if elapsed is None else elapsed,
        hint=exc.hint if hint is None else hint,
    )


def for_inputs(exc: VisionRouterError, where: str, indices: list[int], *, partial: Any = None) -> VisionRouterError:
    """``exc`` (a failed request of a batched call) naming the inputs it concerns.

    The message starts with ``where`` (e.g. ``"inputs 256-511 (of 10000)"``), ``metadata``
    gains ``input_indices``, and ``partial`` holds what the other requests returned.
    """
    return type(exc)(
        f"{where}: {exc.message}",
        status_code=exc.status_code,
        code=exc.code,
        metadata={**exc.metadata, "input_indices": indices},
        generation_id=exc.generation_id,
        retry_after=exc.retry_after,
        partial=partial,
        body=exc.body,
    )


def output_modalities_error(
    exc: VisionRouterError, model_id: str, requested: Any, supported: frozenset[str] | None
) -> VisionRouterError:
    """The router's "no endpoints ... support the requested output modalities" 404, saying what to set.

    ``supported``: the model's output modalities per the catalog (``None`` when unknown).
    Every field the router gave is kept.
    """
    asked = f" ({', '.join(map(str, requested))})" if isinstance(requested, list) else ""
    chat = [m for m in ("image", "text", "audio") if m in (supported or ())]
    if chat:
        hint = f"Per the router's catalog it outputs {sorted(supported or ())}: set modalities={chat}."
    else:
        hint = (
            "Set modalities to what the model outputs: ['image'] for image-only models, ['image', 'text'] "
            "for models that output both (see list_models(output_modalities='image'))."
        )
    msg = f"{model_id} cannot answer in the output modalities requested{asked}: the router said {exc.message!r}. {hint}"
    return restated(exc, msg, cls=NotFoundError)


def limit_exceeded(
    what: str, limit: float, *, stream: bool, partial: Any = None, generation_id: str | None = None
) -> VisionRouterError:
    """A call stopped at one of its bounds (see :mod:`langchain_visionrouter._limits`).

    ``what`` is ``"deadline"`` (seconds), ``"answer"`` (decoded bytes of the whole answer)
    or ``"event"`` (bytes of one server-sent event). Never retried: the same request
    would run into the same bound.
    """
    if what == "deadline":
        msg = (
            f"the call did not finish within its {limit:g}s deadline (every attempt, wait and stream read "
            "included), so it was stopped. Raise ChatVisionRouter(deadline=...) if answers this slow are expected."
        )
        return RequestTimeoutError(msg, generation_id=generation_id, partial=partial)
    if what == "event":
        msg = (
            f"one event of the stream is over {int(limit)} bytes, so the stream was stopped there; a router "
            "does not send events that big. Check base_url points at an OpenAI-compatible router."
        )
    else:
        msg = (
            f"the router's answer is over the {int(limit)}-byte cap (decoded), so it was not read further. "
            "Raise ChatVisionRouter(max_response_bytes=...) if answers that big are expected."
        )
    if stream:
        return StreamError(msg, generation_id=generation_id, partial=partial)
    return VisionRouterError(msg, generation_id=generation_id, partial=partial)
