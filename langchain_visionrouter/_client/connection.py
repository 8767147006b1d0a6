"""What every model talking to the router shares: its connection fields (declared once,
here, with their defaults and docs), key and URL resolution, image policy, headers, pooled
clients and their lifecycle, and keeping the key out of reprs and pickles.

:class:`RouterClient` is a base of ``ChatVisionRouter`` and ``VisionRouterEmbeddings``,
listed first so that its ``__repr_args__`` and pickling hooks come before LangChain's.
Each model's docstring gets a "Connection args" section written from these fields' own
docs (:func:`connection_doc`), so ``help()`` shows them where users read.
"""

from __future__ import annotations

import weakref
from collections.abc import Mapping
from typing import Any

import httpx
from pydantic import (
    AliasChoices,
    BaseModel,
    ConfigDict,
    Field,
    PrivateAttr,
    SecretStr,
    field_serializer,
    field_validator,
)
from typing_extensions import Self

from langchain_visionrouter._client.catalog import DEFAULT_TTL, FETCH_TIMEOUT, ModelCatalog
from langchain_visionrouter._media.checks import DEFAULT_MAX_IMAGE_BYTES, ImagePolicy, ImageTally
from langchain_visionrouter._redaction import is_plain_header, mask_credential_headers, redact_url
from langchain_visionrouter._router.presets import (
    RouterPreset,
    base_url_for,
    clean_api_key,
    get_router,
    key_variables,
    request_headers,
    resolve_api_key,
)
from langchain_visionrouter._wire.body import encode_body
from langchain_visionrouter._wire.clients import HTTPClients
from langchain_visionrouter._wire.http import Request
from langchain_visionrouter._wire.limits import DEFAULT_DEADLINE, DEFAULT_MAX_CONNECTIONS, DEFAULT_MAX_RESPONSE_BYTES

__all__ = ["RouterClient", "connection_doc"]

#: Seconds to wait for each read from the router (openai-python's default): one default for every model.
DEFAULT_TIMEOUT = 600.0


class RouterClient(BaseModel):
    """The plumbing of a model talking to the router (see the module docstring)."""

    # Where the key came from (a variable's name, "the api_key argument"...), for a 401's message.
    _key_source: str | None = PrivateAttr(default=None)

    # hide_input_in_errors: a validation error must not echo the input (a key, a header value).
    model_config = ConfigDict(
        populate_by_name=True, arbitrary_types_allowed=True, use_attribute_docstrings=True, hide_input_in_errors=True
    )

    # validation_alias, not alias: the signature shows the README's names; the aliases still work.
    model: str = Field(validation_alias=AliasChoices("model", "model_name"))
    """Router model id, e.g. ``"openai/gpt-4o-mini"``."""
    api_key: SecretStr | None = None
    """API key. Defaults to ``VISIONROUTER_API_KEY``, then the router's own variable."""
    router: str = "openrouter"
    """Router preset: ``"openrouter"``, ``"infron"`` or ``"custom"`` (any gateway; needs ``base_url``)."""
    base_url: str | None = None
    """Base URL of the API. Defaults to ``VISIONROUTER_BASE_URL``, then the preset's."""
    timeout: float | None = Field(default=DEFAULT_TIMEOUT, validation_alias=AliasChoices("timeout", "request_timeout"))
    """Seconds to wait for each read from the router; ``None`` waits as long as ``deadline`` allows."""
    deadline: float | None = Field(default=DEFAULT_DEADLINE, gt=0)
    """Seconds a whole call may take, retries, waits and stream reads included; ``None``: no bound.

    A retry wait (back-off or ``Retry-After``) that would pass it is not waited: the typed
    error is raised at once (``RateLimitError.retry_after`` says how long the router asked
    to wait); a stream still going at the deadline ends in ``RequestTimeoutError`` with
    what was streamed as ``partial``."""
    max_retries: int = Field(default=2, ge=0)
    """Retries after the first attempt (so at most ``max_retries + 1`` requests), on 408, 429, 5xx
    and failed connections."""
    max_connections: int = Field(default=DEFAULT_MAX_CONNECTIONS, gt=0)
    """Connections in each pool (the sync client's, and each event loop's async client's); calls
    beyond it queue for a free one, and the queueing counts against ``deadline``, not ``timeout``."""
    max_response_bytes: int = Field(default=DEFAULT_MAX_RESPONSE_BYTES, gt=0)
    """Cap on the size of an answer, decoded (a whole JSON body, or a whole stream); over it, an error."""
    default_headers: dict[str, str] | None = None
    """Extra HTTP headers for every request (names case-insensitive: an ``authorization`` here
    replaces the key's). Every value is treated as a secret, shown as ``***`` in ``repr``,
    ``model_dump`` and errors, except those of a few harmless headers (``Accept``,
    ``Content-Type``, ``User-Agent``, ``HTTP-Referer``, ``X-Title``...). If any other is present,
    LangChain serialization (``dumps``) stores the whole dict as the secret
    ``VISIONROUTER_DEFAULT_HEADERS``: give it back with ``loads(..., secrets_map=...)``. A pickle
    keeps them (unlike ``api_key``, they cannot be read back from the environment)."""
    app_url: str | None = None
    """Your app's URL, sent as ``HTTP-Referer`` for the router's attribution."""
    app_title: str | None = None
    """Your app's name, sent as ``X-Title`` for the router's attribution."""
    http_client: httpx.Client | None = Field(default=None, exclude=True)
    """Optional httpx client for sync calls (proxies, custom transports); shared, never closed here."""
    http_async_client: httpx.AsyncClient | None = Field(default=None, exclude=True)
    """Optional httpx client for async calls."""
    image_max_side: int | None = Field(default=None, gt=0)
    """Downscale every base64 image sent so its longer side is at most this (pixels; needs Pillow)."""
    image_max_bytes: int | None = Field(default=None, gt=0)
    """Re-encode every base64 image sent that is bigger than this until it fits (bytes; needs Pillow)."""
    image_max_decoded_bytes: int = Field(default=DEFAULT_MAX_IMAGE_BYTES, gt=0)
    """Hard ceiling on a base64 image as given (decoded bytes): bigger ones are refused, never sent."""
    image_resize_cache: bool = True
    """Remember resized images (process-wide, bounded in bytes) so a conversation re-sending
    them does not resize them again; ``False`` keeps no copy of them."""

    _clients: HTTPClients = PrivateAttr()

    @field_validator("api_key")
    @classmethod
    def _clean_key(cls, key: SecretStr | None) -> SecretStr | None:
        # A .env line's trailing newline is stripped; whitespace inside is refused, never shown.
        return None if key is None else SecretStr(clean_api_key(key.get_secret_value(), "the api_key argument"))

    @field_validator("default_headers")
    @classmethod
    def _check_headers(cls, headers: dict[str, str] | None) -> dict[str, str] | None:
        for name, value in (headers or {}).items():
            if not isinstance(value, str) or any(ch in value for ch in "\r\n\0"):
                shown = "" if is_plain_header(name) else " (the value is not shown)"
                msg = f"default_headers[{name!r}] has a line break or NUL in its value{shown}: a header is one line."
                raise ValueError(msg)
        return headers

    @classmethod
    def __pydantic_init_subclass__(cls, **kwargs: Any) -> None:
        super().__pydantic_init_subclass__(**kwargs)
        if cls.__doc__ and _CONNECTION_HEADING not in cls.__doc__:
            cls.__doc__ = cls.__doc__.rstrip() + "\n\n" + connection_doc()

    @property
    def preset(self) -> RouterPreset:
        """The router preset this model talks to."""
        return get_router(self.router)

    def _resolve_endpoint(self) -> RouterPreset:
        """Fill in ``base_url`` and ``api_key`` (arguments, else the environment, else the preset)."""
        preset = get_router(self.router)
        self.base_url = base_url_for(preset, self.base_url)
        if self.api_key is None:
            key, self._key_source = resolve_api_key(preset)
            self.api_key = None if key is None else SecretStr(key)
        else:
            self._key_source = "the api_key argument"
        if self.api_key is None and preset.requires_api_key:
            msg = f"No API key for {preset.name}: pass api_key=... or set {' or '.join(key_variables(preset))}."
            raise ValueError(msg)
        self._new_clients()
        return preset

    def _new_clients(self) -> None:
        self._clients = HTTPClients(self.http_client, self.http_async_client, self.max_connections)
        self._close_when_collected()

    def _close_when_collected(self) -> None:
        # A model dropped without close() (one built per call, per request...) must not
        # leak its pooled sockets: they are closed when it is collected.
        weakref.finalize(self, self._clients.close).atexit = False

    def _model_catalog(
        self, *, path: str = "/models", ttl: float = DEFAULT_TTL, output_modalities: str | None = None
    ) -> ModelCatalog:
        """The router's model listing at ``path``, with this model's key and pooled clients."""
        assert self.base_url is not None
        # A listing is quick: never wait the (long) call timeout for it, nor past the model's
        # deadline (the catalog's timeout bounds its whole fetch; its size cap is its own).
        bounds = [FETCH_TIMEOUT] + [t for t in (self.timeout, self.deadline) if t is not None]
        timeout = min(bounds)
        return ModelCatalog(
            self.base_url,
            api_key=self.api_key,
            ttl=ttl,
            timeout=timeout,
            clients=self._clients,
            path=path,
            output_modalities=output_modalities,
        )

    def _image_policy(self, tally: ImageTally | None = None) -> ImagePolicy:
        preset = self.preset
        return ImagePolicy(
            router=preset.name,
            allowed_types=preset.image_types,
            max_bytes=self.image_max_decoded_bytes,
            max_side=self.image_max_side,
            fit_bytes=self.image_max_bytes,
            cache=self.image_resize_cache,
            fit_model=self._fit_model(),
            tally=tally,
        )

    def _fit_model(self) -> str | None:
        """The model whose family's rule bounds the pixels sent (``image_fit="model"``); None: no rule."""
        return None

    def _json_headers(self, accept: str = "application/json") -> dict[str, str]:
        return request_headers(
            None if self.api_key is None else self.api_key.get_secret_value(),
            accept=accept,
            app_url=self.app_url,
            app_title=self.app_title,
            default_headers=self.default_headers,
        )

    def _api_request(self, path: str, payload: Mapping[str, Any], *, accept: str = "application/json") -> Request:
        """A POST of ``payload`` to ``{base_url}{path}`` with this model's key, headers and every bound."""
        assert self.base_url is not None
        return Request(
            url=self.base_url.rstrip("/") + path,
            headers=self._json_headers(accept),
            body=encode_body(payload),
            timeout=self.timeout,
            max_retries=self.max_retries,
            deadline=self.deadline,
            max_response_bytes=self.max_response_bytes,
        )

    # -- client lifecycle -----------------------------------------------------------------

    def close(self) -> None:
        """Close the pooled HTTP clients (a later call opens new ones).

        Async clients are also closed when their event loop ends (``asyncio.run``); a loop
        closed by hand without ``shutdown_asyncgens()`` needs ``aclose()`` first.
        """
        self._clients.close()

    async def aclose(self) -> None:
        """Close the pooled HTTP clients (a later call opens new ones)."""
        await self._clients.aclose()

    def __enter__(self) -> Self:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    async def __aenter__(self) -> Self:
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.aclose()

    # -- display, serialization, copying and pickling ----------------------------------------

    @property
    def lc_secrets(self) -> dict[str, str]:
        secrets = {"api_key": "VISIONROUTER_API_KEY"}
        # LangChain keeps secrets only at the top level of the kwargs (a marker nested in a
        # dict is escaped as user data), so headers holding a credential are one secret.
        if any(not is_plain_header(name) for name in self.default_headers or {}):
            secrets["default_headers"] = "VISIONROUTER_DEFAULT_HEADERS"
        if self.base_url is not None and redact_url(self.base_url) != self.base_url:
            secrets["base_url"] = "VISIONROUTER_BASE_URL"  # it carries credentials
        return secrets

    @field_serializer("default_headers")
    def _dump_default_headers(self, headers: dict[str, str] | None) -> dict[str, str] | None:
        return mask_credential_headers(headers)

    @field_serializer("base_url")
    def _dump_base_url(self, url: str | None) -> str | None:
        # model_dump feeds LangSmith's invocation parameters: no credentials in a URL there.
        return redact_url(url)

    def __repr_args__(self) -> Any:
        for name, value in super().__repr_args__():
            if name == "default_headers":
                value = mask_credential_headers(value)
            elif name == "base_url":
                value = redact_url(value)
            yield name, value

    def __deepcopy__(self, memo: dict[int, Any] | None = None) -> Self:
        # httpx clients passed in are shared resources, not values: a deep copy uses them as is
        # (the copy gets pools of its own otherwise, see HTTPClients.__deepcopy__).
        memo = {} if memo is None else memo
        for client in (self.http_client, self.http_async_client):
            if client is not None:
                memo[id(client)] = client
        copy = super().__deepcopy__(memo)
        copy._close_when_collected()  # its own pools, closed when it is collected
        return copy

    def __copy__(self) -> Self:
        # model_copy(): the copy gets pools of its own, so closing (or collecting) one
        # model never closes the other's connections under it.
        copy = super().__copy__()
        copy._clients = self._clients.__deepcopy__({})
        copy._close_when_collected()
        return copy

    def __getstate__(self) -> dict[Any, Any]:
        # The API key is never pickled: an unpickled model reads it from the environment again.
        state = super().__getstate__()
        state["__dict__"] = {**state["__dict__"], "api_key": None}
        private = state.get("__pydantic_private__")
        if private and "_template_cache" in private:  # built requests hold the key's header
            state["__pydantic_private__"] = {**private, "_template_cache": None}
        return state

    def __setstate__(self, state: dict[Any, Any]) -> None:
        super().__setstate__(state)
        try:
            # Each model's validator: the key from the environment, checks, fresh pools.
            self._resolve_settings()  # type: ignore[attr-defined]
        except ValueError as exc:
            raise ValueError(f"{exc} (API keys are never pickled; the unpickled model looks for one again)") from None


_CONNECTION_HEADING = "Connection args (shared by every model of this package):"


def connection_doc() -> str:
    """The "Connection args" docstring section, from the fields' own docs (one home for both)."""
    lines = ["    " + _CONNECTION_HEADING]
    for name, info in RouterClient.model_fields.items():
        first = (info.description or "").strip().split("\n")[0]
        default = "" if info.is_required() or info.default_factory is not None else f" (default {info.default!r})"
        lines.append(f"        {name}{default}:")
        lines.append(f"            {first}")
    return "\n".join(lines)
