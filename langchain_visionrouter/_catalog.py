"""The router's model catalog (``GET {base_url}/models``): modalities, parameters, prices, profiles.

Two schemas are read. OpenRouter nests modalities under ``architecture`` and gives prices
as strings in USD per token; Infron puts ``input_modalities``/``output_modalities`` at the
top level of each model, with inconsistent casing, and gives prices as numbers in USD per
million tokens. Both become the same :class:`ModelInfo`.

Parsing and filtering are pure functions (the vision checks that use them are in
:mod:`~langchain_visionrouter._vision`); :class:`ModelCatalog` adds
the only I/O (one GET per base URL per TTL, shared by every instance in the process).
The GET is bounded (:data:`FETCH_TIMEOUT` for the whole fetch, :data:`MAX_CATALOG_BYTES`)
and made once for all callers waiting on a cold cache (one flight per base URL, among
threads and among the tasks of an event loop).
"""

from __future__ import annotations

import difflib
import json
import logging
import threading
import time
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from importlib import resources
from typing import Any, cast
from urllib.parse import urljoin, urlsplit

from langchain_core.language_models.model_profile import ModelProfile
from pydantic import SecretStr

from langchain_visionrouter import errors
from langchain_visionrouter._http import HTTPClients, Request, arequest, request
from langchain_visionrouter._redaction import redact_url
from langchain_visionrouter._responses import judge_json
from langchain_visionrouter._routers import resolve_endpoint
from langchain_visionrouter._singleflight import aflight, flight
from langchain_visionrouter.errors import InvalidInputError

__all__ = [
    "DEFAULT_TTL",
    "FETCH_TIMEOUT",
    "ModelCatalog",
    "ModelInfo",
    "bundled_profile",
    "clear_catalog_cache",
    "filter_models",
    "find_model",
    "list_models",
    "parse_model",
    "parse_models",
    "supports_images",
]

#: Seconds a fetched catalog is reused before it is fetched again.
DEFAULT_TTL = 3600.0
#: Seconds the whole catalog fetch may take.
FETCH_TIMEOUT = 30.0
#: Bytes the catalog may have, decoded (OpenRouter's is a few MB).
MAX_CATALOG_BYTES = 32 * 2**20
# Suffixes that pick a routing variant of a listed model (":online" is the web plugin).
_VARIANT_SUFFIXES = (":online", ":nitro", ":floor", ":exacto", ":thinking")
_MAX_PAGES = 20  # of a paged listing (up to 1000 models each)
logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class ModelInfo:
    """One model of the router's catalog, the same whichever schema it came in.

    Modalities are lowercase. ``supported_parameters`` is ``None`` when the router did
    not say (then tool calling and structured output are unknown, not absent). Prices
    are USD per million tokens, ``None`` when not listed.
    """

    id: str
    name: str | None = None
    context_length: int | None = None
    max_completion_tokens: int | None = None
    input_modalities: frozenset[str] = frozenset()
    output_modalities: frozenset[str] = frozenset()
    supported_parameters: frozenset[str] | None = None
    prompt_price: float | None = None
    completion_price: float | None = None
    raw: Mapping[str, Any] = field(default_factory=dict, repr=False, compare=False)

    @property
    def supports_images(self) -> bool | None:
        """Whether the model takes image input; ``None`` when the catalog does not say.

        Gateways such as vLLM, LiteLLM and Ollama list model ids only: no modalities, so
        image support is unknown there, not absent.
        """
        if not self.input_modalities:
            return None
        return "image" in self.input_modalities

    @property
    def is_embedding_model(self) -> bool:
        """Whether the model outputs embeddings (``POST /embeddings``)."""
        return "embeddings" in self.output_modalities

    def supports(self, parameter: str) -> bool | None:
        """Whether the model takes a request parameter (``"tools"``...); ``None`` if unknown."""
        if self.supported_parameters is None:
            return None
        return parameter in self.supported_parameters

    def profile(self) -> ModelProfile:
        """This model's LangChain ``ModelProfile`` (only what the catalog says)."""
        ins, outs = self.input_modalities, self.output_modalities
        profile = ModelProfile()
        if ins:  # an ids-only listing says nothing about modalities: leave them unknown
            profile.update(
                ModelProfile(
                    text_inputs="text" in ins,
                    image_inputs="image" in ins,
                    # The router fetches image URLs itself, so URL input comes with image input.
                    image_url_inputs="image" in ins,
                    pdf_inputs="file" in ins,
                    audio_inputs="audio" in ins,
                    video_inputs="video" in ins,
                )
            )
        if ins or outs:
            profile.update(
                ModelProfile(
                    text_outputs="text" in outs or not outs,
                    image_outputs="image" in outs,
                    audio_outputs="audio" in outs,
                )
            )
        if self.name:
            profile["name"] = self.name
        if self.context_length:
            profile["max_input_tokens"] = self.context_length
        if self.max_completion_tokens:
            profile["max_output_tokens"] = self.max_completion_tokens
        params = self.supported_parameters
        if params is not None:
            profile["tool_calling"] = "tools" in params
            profile["tool_choice"] = "tool_choice" in params
            profile["structured_output"] = "structured_outputs" in params
            profile["reasoning_output"] = "reasoning" in params or "include_reasoning" in params
            profile["temperature"] = "temperature" in params
        return profile


# -- parsing (pure) ---------------------------------------------------------------------------


def _lower_set(value: Any) -> frozenset[str]:
    if isinstance(value, str):  # "text+image->text" style, or a single modality
        value = value.split("->")[0].split("+")
    if not isinstance(value, Iterable):
        return frozenset()
    return frozenset(v.strip().lower() for v in value if isinstance(v, str) and v.strip())


def _int_or_none(value: Any) -> int | None:
    if isinstance(value, bool):
        return None
    try:
        return int(value) if value is not None else None
    except (TypeError, ValueError):
        return None


def _price(value: Any, per_token: bool) -> float | None:
    if value is None or isinstance(value, bool):
        return None
    try:
        number = float(value)
    except (TypeError, ValueError):
        return None
    if number < 0:  # OpenRouter lists "-1" for router-priced meta models: unknown
        return None
    return number * 1_000_000 if per_token else number


def parse_model(entry: Mapping[str, Any]) -> ModelInfo | None:
    """One catalog entry -> :class:`ModelInfo` (``None`` for an entry without an id)."""
    model_id = entry.get("id")
    if not isinstance(model_id, str) or not model_id:
        return None
    arch = entry.get("architecture")
    nested = isinstance(arch, Mapping) and ("input_modalities" in arch or "modality" in arch)
    if nested:  # OpenRouter
        assert isinstance(arch, Mapping)
        inputs = _lower_set(arch.get("input_modalities") or arch.get("modality"))
        outputs = _lower_set(arch.get("output_modalities"))
        if not outputs and isinstance(arch.get("modality"), str) and "->" in arch["modality"]:
            outputs = _lower_set(arch["modality"].split("->")[1])
    else:  # Infron: top level, any casing
        inputs = _lower_set(entry.get("input_modalities"))
        outputs = _lower_set(entry.get("output_modalities"))
    pricing = entry.get("pricing") if isinstance(entry.get("pricing"), Mapping) else {}
    assert isinstance(pricing, Mapping)
    # OpenRouter: strings, USD per token. Infron: numbers, USD per million tokens.
    per_token = nested
    top = entry.get("top_provider") if isinstance(entry.get("top_provider"), Mapping) else {}
    assert isinstance(top, Mapping)
    params = entry.get("supported_parameters")
    return ModelInfo(
        id=model_id,
        name=entry.get("name") if isinstance(entry.get("name"), str) else None,
        context_length=_int_or_none(entry.get("context_length")) or _int_or_none(top.get("context_length")),
        max_completion_tokens=_int_or_none(top.get("max_completion_tokens"))
        or _int_or_none(entry.get("max_completion_tokens")),
        input_modalities=inputs,
        output_modalities=outputs,
        supported_parameters=_lower_set(params) if isinstance(params, list) else None,
        prompt_price=_price(pricing.get("prompt", pricing.get("input")), per_token),
        completion_price=_price(pricing.get("completion", pricing.get("output")), per_token),
        raw=entry,
    )


def parse_models(body: Any) -> list[ModelInfo]:
    """A ``/models`` answer (``{"data": [...]}`` or a bare list) -> its models, in order."""
    entries = body.get("data") if isinstance(body, Mapping) else body
    if not isinstance(entries, list):
        raise errors.unexpected_answer("its /models answer has no model list", body)
    return [info for entry in entries if isinstance(entry, Mapping) and (info := parse_model(entry))]


def _as_set(value: str | Iterable[str] | None) -> frozenset[str]:
    if value is None:
        return frozenset()
    return _lower_set([value] if isinstance(value, str) else list(value))


def filter_models(
    models: Iterable[ModelInfo],
    *,
    input_modalities: str | Iterable[str] | None = None,
    output_modalities: str | Iterable[str] | None = None,
    supported_parameters: str | Iterable[str] | None = None,
) -> list[ModelInfo]:
    """The models that have every modality and parameter asked for.

    A model whose catalog entry does not list its parameters is left out of a
    ``supported_parameters`` filter: support cannot be confirmed.
    """
    ins, outs, params = _as_set(input_modalities), _as_set(output_modalities), _as_set(supported_parameters)
    return [
        m
        for m in models
        if ins <= m.input_modalities
        and outs <= m.output_modalities
        and (not params or (m.supported_parameters is not None and params <= m.supported_parameters))
    ]


def preset_model(model_id: str) -> str | None:
    """The model a preset id names: ``"openai/gpt-4@preset/x"`` -> ``"openai/gpt-4"``;
    ``"@preset/x"`` -> ``None`` (the preset picks the model; no catalog entry to check)."""
    base, sep, _ = model_id.partition("@preset/")
    return (base or None) if sep else model_id


def find_model(models: Sequence[ModelInfo], model_id: str) -> ModelInfo | None:
    """The catalog entry for ``model_id``; a routing variant (``:online``...) or a preset
    (``model@preset/slug``) maps to its base model."""
    model_id = preset_model(model_id) or model_id
    by_id = {m.id: m for m in models}
    if model_id in by_id:
        return by_id[model_id]
    for suffix in _VARIANT_SUFFIXES:
        if model_id.endswith(suffix) and model_id[: -len(suffix)] in by_id:
            return by_id[model_id[: -len(suffix)]]
    lowered = {m.id.lower(): m for m in models}  # Infron ids may differ in case
    return lowered.get(model_id.lower())


# -- bundled profiles -------------------------------------------------------------------------


@lru_cache(maxsize=1)
def _bundled() -> dict[str, ModelProfile]:
    text = resources.files("langchain_visionrouter").joinpath("model_profiles.json").read_text("utf-8")
    data = json.loads(text)
    return {k: cast(ModelProfile, v) for k, v in data.items() if not k.startswith("_")}


def bundled_profile(model_id: str) -> ModelProfile | None:
    """The profile in the package's small snapshot, or ``None`` for a model it does not list."""
    profiles = _bundled()
    profile = profiles.get(model_id)
    if profile is None:
        for suffix in (*_VARIANT_SUFFIXES, ":free"):
            if model_id.endswith(suffix):
                profile = profiles.get(model_id[: -len(suffix)])
                break
    return ModelProfile(**profile) if profile is not None else None


# -- fetching (I/O) -----------------------------------------------------------------------------

_cache: dict[str, tuple[float, tuple[ModelInfo, ...]]] = {}
_cache_lock = threading.Lock()
#: Models the vision check could not check and has warned about: one warning per model
#: until the catalog is forgotten, not one per call.
warned_unchecked: set[str] = set()


def clear_catalog_cache() -> None:
    """Forget every fetched catalog (the next lookup fetches again)."""
    with _cache_lock:
        _cache.clear()
        warned_unchecked.clear()


class ModelCatalog:
    """The model list of one router, fetched once per ``ttl`` seconds and shared in the process.

    Example:
        .. code-block:: python

            catalog = ModelCatalog("https://openrouter.ai/api/v1")
            [m.id for m in catalog.list_models(input_modalities="image", supported_parameters="tools")]
            catalog.supports_images("openai/gpt-4o-mini")   # True
    """

    def __init__(
        self,
        base_url: str,
        *,
        api_key: SecretStr | str | None = None,
        ttl: float = DEFAULT_TTL,
        timeout: float | None = FETCH_TIMEOUT,
        max_retries: int = 2,
        clients: HTTPClients | None = None,
        path: str = "/models",
        output_modalities: str | None = None,
    ) -> None:
        self.base_url = base_url.rstrip("/")
        #: The listing fetched: ``/models``, or ``/embeddings/models`` for embedding models.
        self.path = path
        # ``?output_modalities=...``: OpenRouter's /models lists text-output models unless
        # asked (image-only models are absent by default). A list of its own in the cache.
        self._query = f"?output_modalities={output_modalities}" if output_modalities else ""
        self._api_key = SecretStr(api_key) if isinstance(api_key, str) else api_key
        self.ttl = ttl
        self.timeout = timeout
        self.max_retries = max_retries
        self._clients = clients

    def __repr__(self) -> str:
        return f"ModelCatalog({redact_url(self.base_url)!r}, ttl={self.ttl})"

    def _request(self, url: str | None = None) -> Request:
        headers = {"Accept": "application/json"}
        if self._api_key is not None:  # /models is public on OpenRouter; a gateway may want the key
            headers["Authorization"] = f"Bearer {self._api_key.get_secret_value()}"
        return Request(
            url=url or self.base_url + self.path + self._query,
            headers=headers,
            body=b"",
            timeout=self.timeout,
            max_retries=self.max_retries,
            method="GET",
            deadline=self.timeout,  # the whole fetch, retries included
            max_response_bytes=MAX_CATALOG_BYTES,
        )

    @property
    def _key(self) -> str:
        # One cached list (and one fetch in flight) per listing: URL, path and query.
        return self.base_url + self.path + self._query

    def _cached(self, refresh: bool, since: float | None = None) -> tuple[ModelInfo, ...] | None:
        """The cached list if fresh (``refresh``: only one fetched after ``since``)."""
        with _cache_lock:
            entry = _cache.get(self._key)
        if entry is None:
            return None
        if since is not None and entry[0] >= since:
            return entry[1]  # fetched by the flight this caller waited for
        if not refresh and time.monotonic() - entry[0] < self.ttl:
            return entry[1]
        return None

    def _store(self, bodies: list[Any]) -> tuple[ModelInfo, ...]:
        models = tuple(m for body in bodies for m in parse_models(body))
        with _cache_lock:
            _cache[self._key] = (time.monotonic(), models)
        return models

    def _next_page(self, bodies: list[Any]) -> str | None:
        # /embeddings/models pages its answer ({"links": {"next": ...}}); /models has not been
        # seen to, but following a link costs nothing. Bounded, and never to another host.
        links = bodies[-1].get("links") if isinstance(bodies[-1], Mapping) else None
        link = links.get("next") if isinstance(links, Mapping) else None
        if not isinstance(link, str) or not link:
            return None
        link = urljoin(self.base_url + self.path, link)  # absolute, or relative to the listing
        if urlsplit(link)[:2] == urlsplit(self.base_url)[:2] and len(bodies) < _MAX_PAGES:
            return link
        logger.warning(
            "%s: the listing's next page %r is not fetched (another host, or page %d)", self, link, len(bodies)
        )
        return None

    def models(self, *, refresh: bool = False) -> tuple[ModelInfo, ...]:
        """Every model the router lists (fetched when the cached list is older than ``ttl``)."""
        cached = self._cached(refresh)
        if cached is not None:
            return cached
        asked = time.monotonic()
        with flight(self._key, asked):
            cached = self._cached(refresh, since=asked)
            if cached is not None:
                return cached
            clients = self._clients or HTTPClients()
            bodies: list[Any] = []
            try:
                url: str | None = None
                while not bodies or (url := self._next_page(bodies)):
                    bodies.append(request(clients, self._request(url), judge_json))
            finally:
                if self._clients is None:
                    clients.close()
            return self._store(bodies)

    async def amodels(self, *, refresh: bool = False) -> tuple[ModelInfo, ...]:
        """Async :meth:`models`."""
        cached = self._cached(refresh)
        if cached is not None:
            return cached
        asked = time.monotonic()
        async with aflight(self._key, asked):
            cached = self._cached(refresh, since=asked)
            if cached is not None:
                return cached
            clients = self._clients or HTTPClients()
            bodies: list[Any] = []
            try:
                url: str | None = None
                while not bodies or (url := self._next_page(bodies)):
                    bodies.append(await arequest(clients, self._request(url), judge_json))
            finally:
                if self._clients is None:
                    await clients.aclose()
            return self._store(bodies)

    def list_models(
        self,
        *,
        input_modalities: str | Iterable[str] | None = None,
        output_modalities: str | Iterable[str] | None = None,
        supported_parameters: str | Iterable[str] | None = None,
        refresh: bool = False,
    ) -> list[ModelInfo]:
        """The models with every modality and parameter asked for (see :func:`filter_models`)."""
        return filter_models(
            self.models(refresh=refresh),
            input_modalities=input_modalities,
            output_modalities=output_modalities,
            supported_parameters=supported_parameters,
        )

    def get(self, model_id: str) -> ModelInfo:
        """The entry for ``model_id``.

        Raises:
            InvalidInputError: if the router does not list it (with close matches).
        """
        models = self.models()
        info = find_model(models, model_id)
        if info is None:
            close = difflib.get_close_matches(model_id, [m.id for m in models], n=3)
            hint = f" Did you mean {', '.join(close)}?" if close else ""
            raise InvalidInputError(f"{model_id!r} is not in the model catalog of {redact_url(self.base_url)}.{hint}")
        return info

    def supports_images(self, model_id: str) -> bool | None:
        """Whether ``model_id`` takes image input, per the catalog; ``None`` if the catalog does not say."""
        return self.get(model_id).supports_images


def _catalog_for(router: str, base_url: str | None, ttl: float) -> ModelCatalog:
    url, key = resolve_endpoint(router, base_url)
    return ModelCatalog(url, api_key=key, ttl=ttl)


def list_models(
    *,
    router: str = "openrouter",
    base_url: str | None = None,
    input_modalities: str | Iterable[str] | None = None,
    output_modalities: str | Iterable[str] | None = None,
    supported_parameters: str | Iterable[str] | None = None,
    ttl: float = DEFAULT_TTL,
    refresh: bool = False,
) -> list[ModelInfo]:
    """The models a router lists that have every modality and parameter asked for.

    Example:
        .. code-block:: python

            from langchain_visionrouter import list_models

            [m.id for m in list_models(input_modalities="image", supported_parameters="tools")]
            list_models(router="infron", input_modalities="image")
    """
    return _catalog_for(router, base_url, ttl).list_models(
        input_modalities=input_modalities,
        output_modalities=output_modalities,
        supported_parameters=supported_parameters,
        refresh=refresh,
    )


def supports_images(
    model: str, *, router: str = "openrouter", base_url: str | None = None, ttl: float = DEFAULT_TTL
) -> bool | None:
    """Whether ``model`` takes image input, per the router's catalog.

    ``True`` or ``False`` when the catalog lists the model's input modalities; ``None``
    when it lists ids only (vLLM, LiteLLM, Ollama...): unknown, not absent.

    Raises:
        InvalidInputError: if the router does not list the model.
    """
    return _catalog_for(router, base_url, ttl).supports_images(model)
