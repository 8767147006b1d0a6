"""Every router error is built here: from an HTTP answer, an error body (in a 200 too), a
broken connection or stream, or an adapter's clearer restatement. Each is built whole,
with everything it carries (``partial`` included) given at construction. The classes and
the tree are in :mod:`langchain_visionrouter.errors`.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from typing import Any
from urllib.parse import urlsplit

from langchain_visionrouter._redaction import redact_url
from langchain_visionrouter.errors import (
    _RAW_LIMIT,
    APIConnectionError,
    AuthenticationError,
    BadRequestError,
    InsufficientCreditsError,
    NotFoundError,
    PermissionDeniedError,
    ProviderError,
    RateLimitError,
    RequestTimeoutError,
    StreamError,
    VisionRouterError,
    parse_availability,
)

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


_TITLE_RE = re.compile(rb"<title[^>]*>(.*?)</title>", re.IGNORECASE | re.DOTALL)
_TAG_RE = re.compile(r"<[^>]+>")


def _html_summary(content: bytes) -> str | None:
    """An HTML page's title, else its first line of text; ``None`` when ``content`` is not HTML.

    A proxy's or web server's error page is summarised, not pasted whole into a message.
    """
    head = content[:4096].lstrip().lower()
    if not (head.startswith((b"<!doctype html", b"<html")) or b"<body" in head):
        return None
    match = _TITLE_RE.search(content[:65536])
    text = match.group(1) if match else b""
    summary = " ".join(text.decode("utf-8", "replace").split())
    if not summary:
        lines = _TAG_RE.sub("\n", content[:65536].decode("utf-8", "replace")).splitlines()
        summary = next((" ".join(line.split()) for line in lines if line.strip()), "")
    return f"an HTML page, not an API answer: {summary[:200]!r}" if summary else "an HTML page, not an API answer"


def _not_found_hint(url: str | None) -> str | None:
    """The URL of a 404, and "is /v1 missing?" when its path has no version segment."""
    if not url:
        return None
    shown = redact_url(url)
    path = urlsplit(url).path
    if re.search(r"/v\d", path):
        return f"{shown} was not found."
    endpoint = next((e for e in _ENDPOINTS if path.endswith(e)), "")
    base = (shown or "").split("?")[0].removesuffix(endpoint)
    return (
        f"{shown} was not found: is /v1 missing from base_url? Routers serve the API under a version, "
        f"e.g. base_url={base + '/v1'!r} (OpenRouter: https://openrouter.ai/api/v1)."
    )


#: The paths the package appends to base_url (for the 404 hint's suggested base URL).
_ENDPOINTS = ("/chat/completions", "/embeddings/models", "/embeddings", "/models", "/generation")


def error_from_response(
    status_code: int,
    content: bytes,
    headers: Mapping[str, str],
    *,
    retry_after: float | None = None,
    url: str | None = None,
) -> VisionRouterError:
    """Build the typed exception for a non-2xx HTTP answer (``url``: the request's, for a 404's hint)."""
    html = _html_summary(content)
    try:
        body: Any = json.loads(content) if content and html is None else None
    except ValueError:
        # A plain-text 502: keep the text, it is the detail.
        body = content.decode("utf-8", "replace").strip()[:_RAW_LIMIT] or None
    if html is not None:
        body = f"HTTP {status_code} with {html}"
    if body is None:
        body = f"HTTP {status_code} with an empty body"
    error = error_from_body(
        body,
        status_code=status_code,
        generation_id=headers.get("x-generation-id"),
        retry_after=retry_after,
    )
    if status_code == 404 and (html is not None or not isinstance(body, Mapping) or not re.search(r"/v\d", url or "")):
        hint = _not_found_hint(url)
        if hint is not None:
            return restated(error, error.message, hint=hint)
    return error


def status_error(
    status_code: int,
    content: bytes,
    headers: Mapping[str, str],
    *,
    retry_after: float | None = None,
    url: str | None = None,
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
    return error_from_response(status_code, content, headers, retry_after=retry_after, url=url)


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


def bad_embeddings(what: str, body: Any, *, index: int, generation_id: str | None = None) -> VisionRouterError:
    """An embeddings answer whose vectors cannot be used (empty, not finite, of mixed dimensions).

    ``metadata["input_index"]`` names the first input concerned; the body is kept.
    """
    msg = f"the router's embeddings answer is unusable: {what}. Nothing was returned; retry, or try another model."
    return VisionRouterError(
        msg, status_code=200, generation_id=generation_id, body=body, metadata={"input_index": index}
    )


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
    said = str(exc).rstrip(". ")  # its own full stop: no "protocol.." before ours
    if isinstance(exc, httpx.TimeoutException):
        return RequestTimeoutError(f"request timed out ({name}){where}: {said}")
    if isinstance(exc, (httpx.ConnectError, httpx.UnsupportedProtocol)):
        return APIConnectionError(
            f"could not reach the router ({name}){where}: {said}. Check base_url, and that the router is up."
        )
    return APIConnectionError(f"the connection to the router was lost ({name}){where}: {said}")


def retries_exhausted(
    exc: VisionRouterError,
    *,
    attempts: int,
    seconds: float,
    max_retries: int,
    deadline: float | None,
    wait: float | None = None,
) -> VisionRouterError:
    """``exc`` (a retryable failure, e.g. a 429) saying the attempts made, the limits set and why it stopped.

    ``wait``: the wait before the next attempt that was not waited because it would pass
    the deadline (``None``: the retries were used up).
    """
    limits = f"max_retries={max_retries}, deadline={'none' if deadline is None else f'{deadline:g}s'}"
    if wait is None:
        why = f"every retry used ({limits})"
    else:
        asked = "the router asked to wait" if exc.retry_after is not None else "the next back-off is"
        why = (
            f"{asked} {wait:g}s before retrying, past the deadline, so no retry was made "
            f"({limits}; {max_retries - attempts + 1} retries left)"
        )
    return restated(exc, exc.message, attempts=attempts, elapsed=seconds, stopped=why)


def connection_retries_exhausted(
    exc: BaseException, *, attempts: int, seconds: float, max_retries: int, deadline: float | None, why: str
) -> VisionRouterError:
    """:func:`connection_error` for ``exc`` after ``attempts`` tries, saying why no more were made."""
    error = connection_error(exc)
    if attempts <= 1 and max_retries == 0:
        return error
    limits = f"max_retries={max_retries}, deadline={'none' if deadline is None else f'{deadline:g}s'}"
    return restated(error, error.message, attempts=attempts, elapsed=seconds, stopped=f"{why} ({limits})")


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
    stopped: str | None = None,
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
        stopped=exc.stopped if stopped is None else stopped,
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
    """A call stopped at one of its bounds (see :mod:`langchain_visionrouter._wire.limits`).

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
