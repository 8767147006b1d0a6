"""Router presets: where each router lives and how its dialect differs.

Everything router-specific is data here, so the rest of the package asks a preset
instead of testing router names.
"""

from __future__ import annotations

import os
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass

__all__ = [
    "COMMON_IMAGE_TYPES",
    "REPLAY_KEY_SOURCE",
    "REPLAY_PLACEHOLDER_KEY",
    "ROUTERS",
    "RouterPreset",
    "base_url_for",
    "check_base_url",
    "clean_api_key",
    "env_api_key",
    "get_router",
    "key_variables",
    "replay_placeholder",
    "request_headers",
    "resolve_api_key",
    "resolve_endpoint",
]

#: The image types every OpenAI-compatible router is expected to take.
COMMON_IMAGE_TYPES = frozenset({"image/png", "image/jpeg", "image/webp", "image/gif"})


@dataclass(frozen=True)
class RouterPreset:
    """What the adapter needs to know about one router."""

    name: str
    #: Default base URL; ``None`` means the user must give one.
    base_url: str | None
    #: The router's own API key variable, tried after ``VISIONROUTER_API_KEY``.
    api_key_env: str | None
    #: Whether a request without an API key makes sense (a local gateway may need none).
    requires_api_key: bool
    #: Image MIME types the router documents as accepted.
    image_types: frozenset[str]
    #: Request field that carries the fallback model list.
    fallback_models_field: str = "models"
    #: Usage is only returned when asked for (``usage.include`` / ``stream_options``).
    usage_opt_in: bool = False
    #: Value of ``response_metadata["model_provider"]`` and LangSmith's ``ls_provider``.
    provider_label: str = ""
    #: ``provider`` preference keys the router does not take (refused before sending).
    unsupported_provider_keys: frozenset[str] = frozenset()
    #: Whether the router documents ``POST /embeddings`` (``VisionRouterEmbeddings`` refuses it otherwise).
    embeddings: bool = True
    #: Whether ``POST {base_url}/images`` is the Image API of OpenRouter's shape (``VisionRouterImages``).
    image_api: bool = True


ROUTERS: dict[str, RouterPreset] = {
    "openrouter": RouterPreset(
        name="openrouter",
        base_url="https://openrouter.ai/api/v1",
        api_key_env="OPENROUTER_API_KEY",
        requires_api_key=True,
        image_types=COMMON_IMAGE_TYPES,
        provider_label="openrouter",
    ),
    "infron": RouterPreset(
        name="infron",
        base_url="https://llm.onerouter.pro/v1",
        api_key_env="INFRON_API_KEY",
        requires_api_key=True,
        # Infron's image docs list png, jpeg and webp only.
        image_types=frozenset({"image/png", "image/jpeg", "image/webp"}),
        fallback_models_field="fallback_models",
        usage_opt_in=True,
        provider_label="infron",
        unsupported_provider_keys=frozenset({"max_price"}),
        # Infron's API overview (infronai.gitbook.io/docs/sdks-and-apis) lists "POST /embeddings"
        # under the same base URL; OpenAI's request and answer shape.
        embeddings=True,
        # Infron's image API lives on another host (image.onerouter.pro/v1/images/generations)
        # with another shape (its output_format means url|b64_json): not this one.
        image_api=False,
    ),
    "custom": RouterPreset(
        name="custom",
        base_url=None,
        api_key_env=None,
        requires_api_key=False,
        image_types=COMMON_IMAGE_TYPES,
        # Only standard OpenAI fields by default: strict gateways refuse unknown ones (such
        # as OpenRouter's "usage": {"include": true}). model_kwargs={"usage": ...} can ask.
        provider_label="openai-compatible",
    ),
}


def get_router(name: str) -> RouterPreset:
    """Return the preset called ``name``, or raise a ``ValueError`` listing the known ones."""
    try:
        return ROUTERS[name]
    except (KeyError, TypeError):
        known = ", ".join(repr(k) for k in ROUTERS)
        msg = (
            f"Unknown router {name!r}. Known routers: {known}. "
            "For any other OpenAI-compatible gateway use router='custom' with base_url=..."
        )
        raise ValueError(msg) from None


def key_variables(preset: RouterPreset) -> tuple[str, ...]:
    """The environment variables an API key is read from, in order."""
    return ("VISIONROUTER_API_KEY", preset.api_key_env) if preset.api_key_env else ("VISIONROUTER_API_KEY",)


def env_api_key(preset: RouterPreset) -> str | None:
    """The API key from the environment: ``VISIONROUTER_API_KEY``, then the router's own variable."""
    return _from_environment(preset)[0]


def clean_api_key(key: str, source: str) -> str:
    """``key`` without surrounding whitespace (a ``.env`` line's newline); refused if any is inside.

    A key with a space, newline or control character inside cannot be sent as a header
    (httpx would fail with a message quoting it), so it is refused here, never shown:
    the message says where the key came from (``source``) and what is wrong with it.
    """
    stripped = key.strip()
    bad = next((ch for ch in stripped if ch.isspace() or not ch.isprintable()), None)
    if bad is not None:
        kind = "whitespace" if bad.isspace() else "a control character"
        msg = (
            f"the API key from {source} has {kind} inside it ({len(stripped)} characters; the key is not shown). "
            "A key is one word: check it was copied whole, from one line."
        )
        raise ValueError(msg)
    if not stripped:
        raise ValueError(f"the API key from {source} is empty (only whitespace).")
    return stripped


def _from_environment(preset: RouterPreset) -> tuple[str | None, str | None]:
    """``(key, the variable it came from)``, or ``(None, None)``: the one place keys are read."""
    for var in key_variables(preset):
        if os.environ.get(var, "").strip():
            return clean_api_key(os.environ[var], var), var
    return None, None


#: What a model gets as its key while cassettes replay and no key is set (see
#: ``langchain_visionrouter.testing``). Not a key: it only lets a model be built.
REPLAY_PLACEHOLDER_KEY = "visionrouter-replay-placeholder-not-a-key"
#: Where a key came from when it is the replay stand-in (shown in errors, e.g. a 401).
REPLAY_KEY_SOURCE = "the pytest plugin's replay stand-in (no API key is set)"
# The stand-in key a model gets while the pytest plugin replays cassettes and no key is
# set (see langchain_visionrouter.testing); None the rest of the time. It is not a key:
# it only lets a model be built, and what it sends is answered from the cassette.
_replay_key: str | None = None


@contextmanager
def replay_placeholder(key: str | None) -> Iterator[None]:
    """While the block runs, a model with no key gets ``key`` (``None``: no stand-in)."""
    global _replay_key
    previous, _replay_key = _replay_key, key
    try:
        yield
    finally:
        _replay_key = previous


def resolve_api_key(preset: RouterPreset) -> tuple[str | None, str | None]:
    """``(key, where it came from)``: the environment's (see :func:`env_api_key`), else the replay stand-in.

    ``(None, None)`` when there is none.
    """
    key, var = _from_environment(preset)
    if key is not None:
        return key, var
    if preset.requires_api_key and _replay_key is not None:
        return _replay_key, REPLAY_KEY_SOURCE
    return None, None


def base_url_for(preset: RouterPreset, base_url: str | None = None) -> str:
    """``base_url``, else ``VISIONROUTER_BASE_URL``, else the preset's; a ``ValueError`` if none.

    A URL without an http(s) scheme and host, or with a query or fragment, is refused
    (see :func:`check_base_url`).
    """
    url = base_url or os.environ.get("VISIONROUTER_BASE_URL") or preset.base_url
    if not url:
        msg = f"router={preset.name!r} has no default URL: pass base_url=... or set VISIONROUTER_BASE_URL."
        raise ValueError(msg)
    check_base_url(url.strip())
    return url.strip()


def check_base_url(url: str) -> None:
    """Refuse a base URL that cannot be one: no http(s) scheme or host, or a query or fragment.

    Refused, not kept apart: paths (``/chat/completions``, ``/models``) are appended to the
    base URL, so ``...?key=abc`` would send ``...?key=abc/chat/completions``; and a query
    in a URL ends up in httpx's log lines. Credentials go in ``api_key`` or ``default_headers``.
    The message never shows the query (it often holds a key).
    """
    from urllib.parse import urlsplit

    try:
        parts = urlsplit(url)
    except ValueError:
        raise ValueError("base_url is not a URL; expected e.g. https://openrouter.ai/api/v1.") from None
    shown = f"{parts.scheme}://{parts.netloc.rpartition('@')[2]}{parts.path}" if parts.netloc else None
    if parts.scheme.lower() not in ("http", "https") or not parts.netloc:
        where = f"{url!r}" if "?" not in url and "@" not in url else "given"
        msg = (
            f"base_url {where} is not an http(s) URL with a host; expected e.g. https://openrouter.ai/api/v1 "
            "or http://localhost:8000/v1 (the scheme is needed)."
        )
        raise ValueError(msg)
    if parts.query or parts.fragment or url.endswith(("?", "#")):
        what = "a query string (?...)" if parts.query or url.endswith("?") else "a fragment (#...)"
        msg = (
            f"base_url {shown!r} has {what}; the query is not shown, it may hold a key. Paths such as "
            "/chat/completions are appended to base_url, so a query there would break every request: "
            "pass the key as api_key=..., or other values as default_headers={...}."
        )
        raise ValueError(msg)


def resolve_endpoint(router: str = "openrouter", base_url: str | None = None) -> tuple[str, str | None]:
    """The base URL and API key to use outside a chat model, as ``ChatVisionRouter`` resolves them."""
    preset = get_router(router)
    return base_url_for(preset, base_url), env_api_key(preset)


def request_headers(
    api_key: str | None,
    *,
    accept: str = "application/json",
    app_url: str | None = None,
    app_title: str | None = None,
    default_headers: Mapping[str, str] | None = None,
) -> dict[str, str]:
    """The headers of a JSON request to the router: key, attribution, then the user's own headers."""
    from langchain_visionrouter import __version__

    headers = {
        "Content-Type": "application/json",
        "Accept": accept,
        "User-Agent": f"langchain-visionrouter/{__version__}",
    }
    if api_key is not None:
        headers["Authorization"] = f"Bearer {api_key}"
    if app_url:
        headers["HTTP-Referer"] = app_url
    if app_title:
        headers["X-Title"] = app_title
        headers["X-OpenRouter-Title"] = app_title
    for name, value in (default_headers or {}).items():
        # Header names are case-insensitive: an ``authorization`` of the user's replaces the
        # key's ``Authorization``, instead of both being sent.
        for existing in [k for k in headers if k.lower() == name.strip().lower()]:
            del headers[existing]
        headers[name] = value
    return headers
