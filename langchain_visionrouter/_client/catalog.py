"""The router's model catalog (``GET {base_url}/models``): modalities, parameters, prices, profiles.

Two schemas are read. OpenRouter nests modalities under ``architecture`` and gives prices
as strings in USD per token; Infron puts ``input_modalities``/``output_modalities`` at the
top level of each model, with inconsistent casing, and gives prices as numbers in USD per
million tokens. Both become the same :class:`ModelInfo`.

Parsing and filtering are pure functions in :mod:`~langchain_visionrouter._router.model_info`
(the vision checks that use them are in :mod:`~langchain_visionrouter._router.vision`);
:class:`ModelCatalog` adds the only I/O (one GET per base URL per TTL, shared by every instance in the process).
The GET is bounded (:data:`FETCH_TIMEOUT` for the whole fetch, :data:`MAX_CATALOG_BYTES`)
and made once for all callers waiting on a cold cache (one flight per base URL, among
threads and among the tasks of an event loop).
"""

from __future__ import annotations

import difflib
import logging
import threading
import time
from collections.abc import Iterable, Mapping
from typing import Any
from urllib.parse import urljoin, urlsplit

from pydantic import SecretStr

from langchain_visionrouter._redaction import redact_url
from langchain_visionrouter._response.answers import judge_json
from langchain_visionrouter._router.model_info import (
    ModelInfo,
    filter_models,
    find_model,
    parse_models,
)
from langchain_visionrouter._router.presets import resolve_endpoint
from langchain_visionrouter._router.vision import warned_unchecked  # forgotten with the catalog
from langchain_visionrouter._wire.http import HTTPClients, Request, arequest, request
from langchain_visionrouter._wire.singleflight import aflight, flight
from langchain_visionrouter.errors import InvalidInputError

__all__ = [
    "DEFAULT_TTL",
    "FETCH_TIMEOUT",
    "ModelCatalog",
    "clear_catalog_cache",
    "list_models",
    "supports_images",
]

#: Seconds a fetched catalog is reused before it is fetched again.
DEFAULT_TTL = 3600.0
#: Seconds the whole catalog fetch may take.
FETCH_TIMEOUT = 30.0
#: Bytes the catalog may have, decoded (OpenRouter's is a few MB).
MAX_CATALOG_BYTES = 32 * 2**20
# Suffixes that pick a routing variant of a listed model (":online" is the web plugin).
_MAX_PAGES = 20  # of a paged listing (up to 1000 models each)
logger = logging.getLogger(__name__)


# -- fetching (I/O) -----------------------------------------------------------------------------

_cache: dict[str, tuple[float, tuple[ModelInfo, ...]]] = {}
_cache_lock = threading.Lock()


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

    def cached_models(self) -> tuple[ModelInfo, ...] | None:
        """The listing if one is cached and fresh; ``None`` otherwise. Never fetches."""
        return self._cached(False)

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
