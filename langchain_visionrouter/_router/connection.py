"""What every model talking to the router shares: key and URL resolution, image policy,
headers, pooled clients and their lifecycle, and keeping the key out of reprs and pickles.

:class:`RouterClient` is a base of ``ChatVisionRouter`` and ``VisionRouterEmbeddings``,
listed first so that its ``__repr_args__`` and pickling hooks come before LangChain's.
It declares no fields: each model declares its own (same names), documented where
users read them.
"""

from __future__ import annotations

import weakref
from typing import TYPE_CHECKING, Any

from pydantic import BaseModel, PrivateAttr, SecretStr, field_serializer
from typing_extensions import Self

from langchain_visionrouter._media.checks import ImagePolicy
from langchain_visionrouter._router.catalog import DEFAULT_TTL, FETCH_TIMEOUT, ModelCatalog
from langchain_visionrouter._router.presets import (
    RouterPreset,
    base_url_for,
    get_router,
    key_variables,
    request_headers,
    resolve_api_key,
)
from langchain_visionrouter._wire.clients import HTTPClients
from langchain_visionrouter._wire.redaction import CREDENTIAL_HEADERS, mask_credential_headers, redact_url

__all__ = ["RouterClient"]


class RouterClient(BaseModel):
    """The plumbing of a model talking to the router (see the module docstring)."""

    # Where the key came from (a variable's name, "the api_key argument"...), for a 401's message.
    _key_source: str | None = PrivateAttr(default=None)

    if TYPE_CHECKING:  # declared as fields by each model
        api_key: SecretStr | None
        router: str
        base_url: str | None
        default_headers: dict[str, str] | None
        app_url: str | None
        app_title: str | None
        http_client: Any
        http_async_client: Any
        image_max_side: int | None
        image_max_bytes: int | None
        image_max_decoded_bytes: int
        timeout: float | None
        image_resize_cache: bool
        max_connections: int
        _clients: HTTPClients

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
        # A listing is quick: never wait the (long) call timeout for it.
        timeout = FETCH_TIMEOUT if self.timeout is None else min(self.timeout, FETCH_TIMEOUT)
        return ModelCatalog(
            self.base_url,
            api_key=self.api_key,
            ttl=ttl,
            timeout=timeout,
            clients=self._clients,
            path=path,
            output_modalities=output_modalities,
        )

    def _image_policy(self) -> ImagePolicy:
        preset = self.preset
        return ImagePolicy(
            router=preset.name,
            allowed_types=preset.image_types,
            max_bytes=self.image_max_decoded_bytes,
            max_side=self.image_max_side,
            fit_bytes=self.image_max_bytes,
            cache=self.image_resize_cache,
            fit_model=self._fit_model(),
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
        if any(name.lower() in CREDENTIAL_HEADERS for name in self.default_headers or {}):
            secrets["default_headers"] = "VISIONROUTER_DEFAULT_HEADERS"
        if self.base_url is not None and redact_url(self.base_url) != self.base_url:
            secrets["base_url"] = "VISIONROUTER_BASE_URL"  # it carries credentials
        return secrets

    # check_fields=False: the fields are declared by each model, documented where users read them.
    @field_serializer("default_headers", check_fields=False)
    def _dump_default_headers(self, headers: dict[str, str] | None) -> dict[str, str] | None:
        return mask_credential_headers(headers)

    @field_serializer("base_url", check_fields=False)
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
        return state

    def __setstate__(self, state: dict[Any, Any]) -> None:
        super().__setstate__(state)
        try:
            # Each model's validator: the key from the environment, checks, fresh pools.
            self._resolve_settings()  # type: ignore[attr-defined]
        except ValueError as exc:
            raise ValueError(f"{exc} (API keys are never pickled; the unpickled model looks for one again)") from None
