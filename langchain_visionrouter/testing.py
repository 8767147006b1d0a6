"""Cassette hygiene for testing code that talks to a router: small, exact, secret-free.

This module is a pytest plugin (entry point ``visionrouter``), loaded by pytest for
anyone who installs the package, so it is **inert until a test suite opts in** by
returning :func:`cassette_config` from its ``vcr_config`` fixture
(`pytest-recording <https://github.com/kiwicom/pytest-recording>`_):

.. code-block:: python

    # conftest.py
    import pytest
    from langchain_visionrouter.testing import cassette_config

    @pytest.fixture(scope="module")
    def vcr_config():
        return cassette_config()

Cassettes made with that configuration:

* store every base64 payload of a request body (images, PDFs, audio) as
  ``sha256:<hex digest of the decoded bytes>``, so a cassette for a 5 MB image stays
  a few KB, and ``sha256sum photo.png`` tells which image a request sent;
* replay a request only if its body, digested the same way, is the one recorded
  (matcher ``visionrouter_body``): the same image matches, any other image does not;
* keep JSON request bodies pretty-printed and JSON or SSE responses as plain text
  (``gzip=True`` stores ``<name>.yaml.gz`` instead);
* never contain ``Authorization``, ``api-key``, ``x-api-key``, ``Cookie`` or
  ``Set-Cookie`` headers: they are removed from requests and responses alike.

Replaying needs no key: while a ``@pytest.mark.vcr`` test replays (``--record-mode=none``,
pytest-recording's default) and no key is set, a model gets the stand-in
:data:`REPLAY_PLACEHOLDER_KEY` (never stored in a cassette, never matched on).

Without opting in, the plugin only registers *new* names on each VCR instance (the
matchers ``visionrouter_body`` and ``visionrouter_images``, the serializer ``yaml.gz``)
and a persister that behaves exactly like the one it wraps except for ``yaml.gz``.
Without pytest-recording (plain vcrpy), call :func:`configure` on your ``VCR`` and pass
``**cassette_config()`` to ``use_cassette``.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import json
import re
from collections.abc import Callable, Iterable
from typing import Any

from langchain_visionrouter._cassettes.serializer import (
    GZIPPED,
    OPTED_IN,
    Persister,
    readable_when_opted_in,
)
from langchain_visionrouter._redaction import CREDENTIAL_HEADERS
from langchain_visionrouter._router.presets import REPLAY_PLACEHOLDER_KEY

try:  # only needed to be a pytest plugin; the helpers work without pytest
    import pytest

    # Replaying without a key: the hooks live in _replay; pytest finds them in this module.
    from langchain_visionrouter._cassettes.replay import pytest_make_collect_report, pytest_runtest_protocol  # noqa: F401

    _optional_hook: Callable[[Any], Any] = pytest.hookimpl(optionalhook=True)
except ImportError:  # pragma: no cover

    def _optional_hook(function: Any) -> Any:
        return function


__all__ = [
    "BODY_MATCHER",
    "DEFAULT_MATCH_ON",
    "GZIP_SERIALIZER",
    "IMAGES_MATCHER",
    "REPLAY_PLACEHOLDER_KEY",
    "REQUEST_MATCH_ON",
    "SECRET_HEADERS",
    "body_digests",
    "body_matcher",
    "cassette_config",
    "configure",
    "digest_body",
    "images_matcher",
    "scrub_request",
    "scrub_response",
]

#: Headers that can carry credentials; never written to a cassette.
#: Headers never written to a cassette: the credentials the adapter sends, and cookies set.
SECRET_HEADERS = tuple(sorted(CREDENTIAL_HEADERS | {"set-cookie"}))
#: Query parameters that can carry credentials.
SECRET_QUERY_PARAMETERS = ("api_key", "apikey", "key", "access_token")
#: vcrpy's default ``match_on``.
DEFAULT_MATCH_ON = ("method", "scheme", "host", "port", "path", "query")
#: What :func:`cassette_config` matches on besides the body: not scheme, host or port, so a
#: cassette recorded against a local server (any port) or a proxy replays elsewhere.
REQUEST_MATCH_ON = ("method", "path")
#: Matcher comparing request bodies after digesting their base64 payloads.
BODY_MATCHER = "visionrouter_body"
#: Matcher comparing only the base64 payloads (in order) of request bodies.
IMAGES_MATCHER = "visionrouter_images"
#: Serializer name for gzip-compressed readable YAML cassettes (``<name>.yaml.gz``).
GZIP_SERIALIZER = "yaml.gz"

_DIGEST = "sha256:"
# A bare base64 string this long is a payload, not prose (prose has spaces).
_MIN_BARE_BASE64 = 256
_BARE_BASE64 = re.compile(r"[A-Za-z0-9+/]+={0,2}")
_DATA_URL_IN_TEXT = re.compile(r"(data:[\w.+-]+/[\w.+-]+(?:;[\w.+=-]+)*;base64,)([A-Za-z0-9+/]+={0,2})")


# -- digesting ----------------------------------------------------------------------------


def _digest(payload: str) -> str:
    try:
        raw = base64.b64decode(payload)
    except (binascii.Error, ValueError):
        raw = payload.encode("utf-8", "replace")
    return _DIGEST + hashlib.sha256(raw).hexdigest()


def _digest_string(value: str) -> str:
    if value[:5].lower() == "data:":
        comma = value.find(",")
        if comma > 0 and ";base64" in value[:comma].lower():
            payload = value[comma + 1 :]
            if payload and not payload.startswith(_DIGEST):
                return value[: comma + 1] + _digest(payload)
        return value
    if len(value) >= _MIN_BARE_BASE64 and _BARE_BASE64.fullmatch(value):
        return _digest(value)
    return value


def _digest_json(value: Any) -> Any:
    if isinstance(value, str):
        return _digest_string(value)
    if isinstance(value, list):
        return [_digest_json(v) for v in value]
    if isinstance(value, dict):
        return {k: _digest_json(v) for k, v in value.items()}
    return value


def _canonical(body: Any) -> Any:
    """A request body as comparable data: parsed JSON (or text), payloads digested."""
    if body is None or body in (b"", ""):
        return None
    if isinstance(body, (bytes, bytearray)):
        try:
            body = bytes(body).decode("utf-8")
        except UnicodeDecodeError:
            return bytes(body)
    if not isinstance(body, str):
        return body  # a file object or iterator body: leave it to vcrpy
    try:
        return _digest_json(json.loads(body))
    except ValueError:
        return _DATA_URL_IN_TEXT.sub(lambda m: m.group(1) + _digest(m.group(2)), body)


def digest_body(body: Any, *, pretty: bool = True) -> Any:
    """Replace every base64 payload in a request body with ``sha256:<hex>`` of its bytes.

    Data URLs keep their ``data:<mime>;base64,`` prefix (so the type stays visible);
    bare base64 strings of 256 characters or more become the digest alone. A JSON body
    comes back re-serialized (pretty-printed unless ``pretty=False``); the function is
    idempotent, so digesting a digested body changes nothing.
    """
    canonical = _canonical(body)
    if canonical is None or isinstance(canonical, bytes) or canonical is body:
        return body
    if isinstance(canonical, str):
        text = canonical
    else:
        text = json.dumps(canonical, ensure_ascii=False, indent=2 if pretty else None)
    return text.encode("utf-8") if isinstance(body, (bytes, bytearray)) else text


def body_digests(body: Any) -> list[str]:
    """The ``sha256:`` digests of a request body's base64 payloads, in order."""
    found: list[str] = []

    def walk(value: Any) -> None:
        if isinstance(value, str):
            index = value.find(_DIGEST)
            if index == 0 or (index > 0 and value[:5].lower() == "data:"):
                found.append(value[index:])
        elif isinstance(value, list):
            for v in value:
                walk(v)
        elif isinstance(value, dict):
            for v in value.values():
                walk(v)

    canonical = _canonical(body)
    if isinstance(canonical, str):
        found.extend(m.group(0) for m in re.finditer(r"sha256:[0-9a-f]{64}", canonical))
    else:
        walk(canonical)
    return found


# -- scrubbing ----------------------------------------------------------------------------


def _drop_secret_headers(headers: Any) -> None:
    for name in list(headers or {}):
        if isinstance(name, str) and name.lower() in SECRET_HEADERS:
            del headers[name]


def scrub_request(request: Any) -> Any:
    """Drop credential headers from a vcrpy request (a copy made by vcrpy)."""
    _drop_secret_headers(request.headers)
    return request


def scrub_response(response: dict[str, Any]) -> dict[str, Any]:
    """Drop credential-bearing headers (``Set-Cookie`` ...) from a recorded response."""
    _drop_secret_headers(response.get("headers"))
    return response


def _before_record_request(pretty: bool) -> Callable[[Any], Any]:
    def before_record_request(request: Any) -> Any:
        scrub_request(request)
        body = request.body
        if isinstance(body, (bytes, bytearray, str)):
            request.body = digest_body(body, pretty=pretty)
        return request

    return before_record_request


# -- matching -----------------------------------------------------------------------------


def _short(value: Any) -> str:
    text = json.dumps(value, ensure_ascii=False) if not isinstance(value, (str, bytes)) else repr(value)
    return text if len(text) <= 200 else text[:200] + "..."


def _first_difference(a: Any, b: Any, path: str = "body") -> str:
    if isinstance(a, dict) and isinstance(b, dict):
        for key in list(a) + [k for k in b if k not in a]:
            if a.get(key, ...) != b.get(key, ...):
                return _first_difference(a.get(key), b.get(key), f"{path}.{key}")
    if isinstance(a, list) and isinstance(b, list):
        if len(a) != len(b):
            return f"{path} has {len(a)} items, the recorded one {len(b)}"
        for i, (x, y) in enumerate(zip(a, b, strict=True)):
            if x != y:
                return _first_difference(x, y, f"{path}[{i}]")
    return f"{path}: sent {_short(a)}, recorded {_short(b)}"


def _ids_by_position(body: Any) -> Any:
    """Tool-call ids replaced by ``<id0>``, ``<id1>``... in order of first appearance.

    LangChain makes ids up at random (few-shot examples, agents), so ids are compared by
    position: each tool result must still answer the call it answered when recorded.
    """
    if not isinstance(body, dict) or not isinstance(body.get("messages"), list):
        return body
    seen: dict[str, str] = {}

    def token(value: Any) -> Any:
        return seen.setdefault(value, f"<id{len(seen)}>") if isinstance(value, str) else value

    messages = []
    for message in body["messages"]:
        if isinstance(message, dict):
            message = dict(message)
            if isinstance(message.get("tool_calls"), list):
                message["tool_calls"] = [
                    {**call, "id": token(call.get("id"))} if isinstance(call, dict) else call
                    for call in message["tool_calls"]
                ]
            if "tool_call_id" in message:
                message["tool_call_id"] = token(message["tool_call_id"])
        messages.append(message)
    return {**body, "messages": messages}


def body_matcher(r1: Any, r2: Any) -> None:
    """vcrpy matcher: the bodies are equal once base64 payloads are digested.

    JSON is compared as data, so key order and whitespace do not matter, and tool-call
    ids by position (LangChain makes them up at random). Raises ``AssertionError``
    saying where the bodies differ.
    """
    a, b = _ids_by_position(_canonical(r1.body)), _ids_by_position(_canonical(r2.body))
    if a != b:
        raise AssertionError(_first_difference(a, b))


def images_matcher(r1: Any, r2: Any) -> None:
    """vcrpy matcher: the same base64 payloads (images, files) in the same order.

    Looser than :func:`body_matcher`: the rest of the body may differ. A recorded
    request without a body (a hand-written cassette) pins nothing and matches.
    """
    if _canonical(r2.body) is None:
        return
    sent, recorded = body_digests(r1.body), body_digests(r2.body)
    if sent != recorded:
        raise AssertionError(f"different inline payloads: sent {sent}, recorded {recorded}")


# -- configuration ------------------------------------------------------------------------


def configure(vcr: Any) -> Any:
    """Register this module's matchers, serializer and persister on a ``vcr.VCR``.

    Adds names only; the VCR's defaults are unchanged. pytest-recording users need not
    call it: the plugin does, for every cassette.
    """
    vcr.register_matcher(BODY_MATCHER, body_matcher)
    vcr.register_matcher(IMAGES_MATCHER, images_matcher)
    vcr.register_serializer(GZIP_SERIALIZER, GZIPPED)
    if not isinstance(vcr.persister, Persister):
        vcr.register_persister(Persister(vcr.persister))
    if not getattr(vcr.get_merged_config, "visionrouter", False):
        vcr.get_merged_config = readable_when_opted_in(vcr, vcr.get_merged_config)
    return vcr


def cassette_config(
    *,
    match: str = "body",
    gzip: bool = False,
    pretty_json: bool = True,
    **overrides: Any,
) -> dict[str, Any]:
    """A ``vcr_config`` for pytest-recording (or ``VCR.use_cassette``) with cassette hygiene.

    Args:
        match: ``"body"`` (default): a request replays only if its method, path and
            whole body match, base64 payloads compared by digest (host and port are not
            compared: a cassette recorded against ``localhost:8123`` replays on any port).
            ``"images"``: method, path and the payloads, in order. ``"default"``:
            vcrpy's default (method and the whole URL, host and port included).
        gzip: Store cassettes as gzip-compressed YAML (``<name>.yaml.gz``).
        pretty_json: Pretty-print JSON request bodies in the cassette.
        **overrides: Any other ``vcr_config`` key. ``before_record_request``,
            ``before_record_response`` and ``filter_headers`` are added to ours rather
            than replacing them.

    Returns:
        The configuration dict.
    """
    matchers = {
        "body": (*REQUEST_MATCH_ON, BODY_MATCHER),
        "images": (*REQUEST_MATCH_ON, IMAGES_MATCHER),
        "default": DEFAULT_MATCH_ON,
    }
    if match not in matchers:
        raise ValueError(f"match must be 'body', 'images' or 'default', not {match!r}.")
    config: dict[str, Any] = {
        "filter_headers": [(name, None) for name in SECRET_HEADERS],
        "filter_query_parameters": [(name, None) for name in SECRET_QUERY_PARAMETERS],
        "before_record_request": [_before_record_request(pretty_json)],
        "before_record_response": [scrub_response],
        "decode_compressed_response": True,
        "match_on": list(matchers[match]),
        "serializer": GZIP_SERIALIZER if gzip else "yaml",
        OPTED_IN: True,
    }
    for key, value in overrides.items():
        if key in ("before_record_request", "before_record_response", "filter_headers"):
            extra = list(value) if isinstance(value, Iterable) and not isinstance(value, (str, tuple)) else [value]
            config[key] = [*config[key], *extra]
        else:
            config[key] = value
    return config


@_optional_hook
def pytest_recording_configure(config: Any, vcr: Any) -> None:
    """pytest-recording hook: make this module's names available to every cassette."""
    configure(vcr)
