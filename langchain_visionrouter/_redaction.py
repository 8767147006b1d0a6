"""Keeping API keys out of what the adapter shows: error messages, error bodies, pickles.

The HTTP layer (``_http``) registers the credential values of every request it sends (the
``Authorization`` bearer token and other credential headers); every
:class:`~langchain_visionrouter.errors.VisionRouterError` is built with those values
replaced by ``***``, so a router or proxy that echoes the key back in an error body
cannot leak it into an exception, a log line or a traceback.

Registration is process-wide on purpose: an error can be built far from the request
that caused it (a stream error chunk, an error body inside a 200), and the key is in
memory anyway. Values shorter than :data:`MIN_SECRET_LENGTH` are not registered, so a
placeholder key like ``"k"`` cannot mangle every message.
"""

from __future__ import annotations

import base64
import re
import threading
from collections.abc import Mapping
from typing import Any
from urllib.parse import unquote, urlsplit, urlunsplit

__all__ = [
    "CREDENTIAL_HEADERS",
    "MIN_SECRET_LENGTH",
    "PLAIN_HEADERS",
    "is_plain_header",
    "mask_credential_headers",
    "redact",
    "redact_url",
    "register_header_secrets",
    "register_secret",
    "split_userinfo",
]

#: Request headers whose values are credentials (what a cassette must never store).
CREDENTIAL_HEADERS = frozenset({"authorization", "proxy-authorization", "api-key", "x-api-key", "cookie"})
#: Request headers known to carry nothing secret: the only ones whose values are shown.
#: An allow-list, not a deny-list: gateways invent credential headers (``Ocp-Apim-Subscription-Key``,
#: ``X-Auth-Token``, ``X-Portkey-Api-Key``...), so any other header's value is treated as a secret.
PLAIN_HEADERS = frozenset(
    {
        "accept",
        "accept-encoding",
        "content-type",
        "user-agent",
        "http-referer",
        "x-title",
        "x-openrouter-title",
        "x-openrouter-metadata",
    }
)
MIN_SECRET_LENGTH = 8
MASK = "***"

_secrets: tuple[str, ...] = ()  # replaced, never mutated: readers need no lock
_lock = threading.Lock()


def register_secret(value: str | None) -> None:
    """Remember ``value`` so that errors never show it (nor its escaped form, as in ``b'...\\n'``)."""
    global _secrets
    if not value or len(value) < MIN_SECRET_LENGTH:
        return
    # httpx/h11 show an illegal header value as a bytes repr (``b'Bearer abc\\n'``): mask that too.
    forms = {value, repr(value.encode("utf-8", "backslashreplace"))[2:-1]}
    new = forms.difference(_secrets)
    if not new:
        return
    with _lock:
        # Longest first, so a key is masked whole even when another secret is part of it.
        _secrets = tuple(sorted(set(_secrets) | new, key=len, reverse=True))


def is_plain_header(name: str) -> bool:
    """Whether a header's value may be shown (its name is on :data:`PLAIN_HEADERS`, any case)."""
    return name.strip().lower() in PLAIN_HEADERS


def register_header_secrets(headers: Mapping[str, str]) -> None:
    """Register every header value not known to be harmless (``Bearer <key>`` registers the key too)."""
    for name, value in headers.items():
        if is_plain_header(name) or not value:
            continue
        register_secret(value)
        scheme, _, token = value.partition(" ")
        if token and scheme.lower() in ("bearer", "basic", "token"):
            register_secret(token.strip())


def mask_credential_headers(headers: Mapping[str, str] | None) -> dict[str, str] | None:
    """``headers`` with every value not known to be harmless shown as ``***`` (for reprs and dumps)."""
    if headers is None:
        return None
    return {name: value if is_plain_header(name) else MASK for name, value in headers.items()}


def redact(value: Any) -> Any:
    """``value`` with every registered secret masked, in strings, lists and dicts (keys too)."""
    secrets = _secrets
    if not secrets:
        return value
    return _redact(value, secrets)


def _redact(value: Any, secrets: tuple[str, ...]) -> Any:
    if isinstance(value, str):
        for secret in secrets:
            if secret in value:
                value = value.replace(secret, MASK)
        return value
    if isinstance(value, Mapping):
        return {_redact(k, secrets): _redact(v, secrets) for k, v in value.items()}
    if isinstance(value, list):
        return [_redact(v, secrets) for v in value]
    if isinstance(value, tuple):
        return tuple(_redact(v, secrets) for v in value)
    return value


# Query parameters whose values are credentials (``?key=...``, ``?api_key=...``, ``?token=...``).
_SECRET_QUERY_RE = re.compile(r"(?i)((?:^|&)[^=&]*(?:key|token|secret|password|passwd|sig)[^=&]*=)[^&]*")


def redact_url(url: str | None) -> str | None:
    """``url`` fit to be shown: credentials in its userinfo and secret query values as ``***``.

    ``http://user:pass@host/v1?key=abc`` -> ``http://***@host/v1?key=***``. Used wherever a
    URL is shown or traced: ``repr``, LangSmith parameters, errors and log lines.
    """
    if not url or ("@" not in url and "?" not in url):
        return url  # no userinfo, no query: nothing to hide (the common case, on every call)
    try:
        parts = urlsplit(url)
    except ValueError:
        return MASK  # cannot be parsed, so cannot be shown safely
    netloc, query = parts.netloc, parts.query
    if "@" in netloc:
        netloc = MASK + "@" + netloc.rpartition("@")[2]
    if query:
        query = _SECRET_QUERY_RE.sub(lambda m: m.group(1) + MASK, query)
    if netloc == parts.netloc and query == parts.query:
        return url
    return urlunsplit((parts.scheme, netloc, parts.path, query, parts.fragment))


def split_userinfo(url: str) -> tuple[str, str | None]:
    """``(url without userinfo, "Basic ..." header value)``; the header is ``None`` without userinfo.

    This is what httpx does with a URL's userinfo (Basic auth, which replaces any other
    ``Authorization``), done before the request is built so that no URL httpx logs or
    puts in an error carries the credentials. Both are registered as secrets.
    """
    parts = urlsplit(url)
    if "@" not in parts.netloc:
        return url, None
    userinfo, _, host = parts.netloc.rpartition("@")
    user, _, password = userinfo.partition(":")
    user, password = unquote(user), unquote(password)
    token = base64.b64encode(f"{user}:{password}".encode()).decode("ascii")
    for secret in (userinfo, password, token):
        register_secret(secret)
    return urlunsplit((parts.scheme, host, parts.path, parts.query, parts.fragment)), f"Basic {token}"
