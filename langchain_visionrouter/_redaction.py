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

import threading
from collections.abc import Mapping
from typing import Any
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

__all__ = [
    "CREDENTIAL_HEADERS",
    "MIN_SECRET_LENGTH",
    "mask_credential_headers",
    "redact",
    "redact_url",
    "register_header_secrets",
    "register_secret",
]

#: Request headers whose values are credentials.
CREDENTIAL_HEADERS = frozenset({"authorization", "proxy-authorization", "api-key", "x-api-key", "cookie"})
MIN_SECRET_LENGTH = 8
MASK = "***"

_secrets: tuple[str, ...] = ()  # replaced, never mutated: readers need no lock
_lock = threading.Lock()


def register_secret(value: str | None) -> None:
    """Remember ``value`` so that errors never show it."""
    global _secrets
    if not value or len(value) < MIN_SECRET_LENGTH or value in _secrets:
        return
    with _lock:
        if value not in _secrets:
            # Longest first, so a key is masked whole even when another secret is part of it.
            _secrets = tuple(sorted((*_secrets, value), key=len, reverse=True))


def register_header_secrets(headers: Mapping[str, str]) -> None:
    """Register the credentials in a request's headers (``Bearer <key>`` registers the key)."""
    for name, value in headers.items():
        if name.lower() in CREDENTIAL_HEADERS and value:
            scheme, _, token = value.partition(" ")
            register_secret(token.strip() if token and scheme.lower() in ("bearer", "basic") else value)


def mask_credential_headers(headers: Mapping[str, str] | None) -> dict[str, str] | None:
    """``headers`` with every credential header's value shown as ``***`` (for reprs and dumps)."""
    if headers is None:
        return None
    return {name: MASK if name.lower() in CREDENTIAL_HEADERS else value for name, value in headers.items()}


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


#: Query parameters whose values are credentials.
CREDENTIAL_QUERY_PARAMETERS = frozenset({"api_key", "apikey", "api-key", "key", "access_token", "token"})


def redact_url(url: str) -> str:
    """``url`` fit to show: user and password removed, credential query values masked."""
    try:
        parts = urlsplit(url)
        host = parts.hostname or ""
        port = parts.port
    except ValueError:
        return str(redact(url))
    netloc = (f"[{host}]" if ":" in host else host) + (f":{port}" if port is not None else "")
    query = parts.query
    if query:
        pairs = parse_qsl(query, keep_blank_values=True)
        query = urlencode([(k, MASK if k.lower() in CREDENTIAL_QUERY_PARAMETERS else v) for k, v in pairs], safe="*")
    shown: str = redact(urlunsplit((parts.scheme, netloc, parts.path, query, parts.fragment)))
    return shown
