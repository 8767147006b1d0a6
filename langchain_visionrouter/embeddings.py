"""``VisionRouterEmbeddings``: LangChain embeddings from the router's ``/embeddings``, for text and images."""

from __future__ import annotations

import asyncio
from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor, as_completed
from typing import Any, Literal

from langchain_core.embeddings import Embeddings
from langchain_core.messages import AIMessage
from pydantic import (
    ConfigDict,
    Field,
    field_validator,
    model_validator,
)

from langchain_visionrouter._client.connection import RouterClient
from langchain_visionrouter._client.usage import report_call
from langchain_visionrouter._media.checks import require_pillow
from langchain_visionrouter._request.embeddings import (
    Batch,
    Collector,
    embedding_payload,
    image_inputs,
    parse_vectors,
    plan_batches,
    text_inputs,
)
from langchain_visionrouter._request.param_types import ProviderPreferences
from langchain_visionrouter._request.params import router_body, validate_param
from langchain_visionrouter._response.answers import judge_json
from langchain_visionrouter._response.fields import usage_message
from langchain_visionrouter._router import model_info as _model_info
from langchain_visionrouter._router.presets import get_router
from langchain_visionrouter._wire import http as _http
from langchain_visionrouter.errors import InvalidInputError, NotFoundError, VisionRouterError

__all__ = ["VisionRouterEmbeddings"]

# A finished batch: its vectors and usage, the error it ended with, or None if it was never sent.
_Outcome = tuple[list[list[float]], AIMessage] | VisionRouterError | None


class VisionRouterEmbeddings(RouterClient, Embeddings):
    """Embeddings of text **and images** from an OpenAI-compatible router's ``/embeddings``.

    Talks to OpenRouter (default), Infron (``router="infron"``, at
    ``https://llm.onerouter.pro/v1/embeddings``) or any OpenAI-compatible gateway
    (``router="custom"``). Key, base URL, retries, errors and secret masking work as in
    :class:`~langchain_visionrouter.ChatVisionRouter`.

    Setup:
        .. code-block:: bash

            pip install langchain-visionrouter
            export OPENROUTER_API_KEY="sk-or-..."   # or VISIONROUTER_API_KEY

    Key init args:
        model: str
            Router model id, e.g. ``"openai/text-embedding-3-small"``, or an image-capable
            one such as ``"nvidia/llama-nemotron-embed-vl-1b-v2"``.
        dimensions: int | None
            Length of the vectors, for models that can shorten them.
        encoding_format: "float" | "base64" | None
            How vectors travel; ``"base64"`` is smaller on the wire and decoded to floats here.
        input_type: str | None
            E.g. ``"search_document"``; ``query_input_type`` (e.g. ``"search_query"``) is
            sent by ``embed_query`` instead, when set.
        provider, user:
            Provider preferences (as for chat) and your end user's id.
        batch_size, max_batch_bytes, max_concurrency:
            Many inputs are sent in requests of at most ``batch_size`` inputs and about
            ``max_batch_bytes`` bytes, ``max_concurrency`` at a time, each retried on its own.
        The connection args (key, URL, headers, clients, time-outs, limits) are listed last,
        the same fields with the same defaults as ``ChatVisionRouter``'s.

    Instantiate:
        .. code-block:: python

            from langchain_visionrouter import VisionRouterEmbeddings

            embeddings = VisionRouterEmbeddings(model="openai/text-embedding-3-small")

    Embed text:
        .. code-block:: python

            embeddings.embed_query("Where is the red bicycle?")        # [0.0123, -0.0456, ...]
            embeddings.embed_documents(["first note", "second note"])  # one vector per text
            await embeddings.aembed_documents(["first note", "second note"])

    Embed images (paths, bytes, PIL images, URLs, data URLs; optionally with text beside each):
        .. code-block:: python

            vl = VisionRouterEmbeddings(model="nvidia/llama-nemotron-embed-vl-1b-v2", image_max_side=1024)
            vl.embed_images(["photos/bike.jpg", "https://example.com/boat.png"])
            vl.embed_images(["photos/bike.jpg"], texts=["a red bicycle by a wall"])

    Vector store:
        .. code-block:: python

            from langchain_core.vectorstores import InMemoryVectorStore

            store = InMemoryVectorStore(embedding=embeddings)
            store.add_texts(["PNG keeps transparency.", "JPEG is lossy."])
            store.similarity_search("Which format is lossless?", k=1)

    Cost:
        Tokens and cost of every request reach :func:`~langchain_visionrouter.track_usage`
        totals, one call per request.

    Errors:
        Typed errors from :mod:`langchain_visionrouter.errors`; when one request of a
        batched call fails, the error's message names its inputs (``"inputs 256-511 (of
        10000): ..."``), ``metadata["input_indices"]`` lists them, and ``partial`` maps the
        index of every input already embedded to its vector.
    """

    dimensions: int | None = Field(default=None, gt=0)
    """Length of the vectors, for models that can shorten them."""
    encoding_format: Literal["float", "base64"] | None = None
    """How vectors travel (the router's default is ``"float"``); base64 is decoded to floats."""
    input_type: str | None = None
    """Sent as ``input_type`` (e.g. ``"search_document"``), for models that take it."""
    query_input_type: str | None = None
    """Sent as ``input_type`` by ``embed_query`` instead of ``input_type`` (e.g. ``"search_query"``)."""
    provider: ProviderPreferences | dict[str, Any] | None = None
    """Provider routing preferences, as for chat; unknown keys are an error."""
    user: str | None = Field(default=None, min_length=1)
    """Your end user's id, for the router's abuse detection and reports."""
    model_kwargs: dict[str, Any] = Field(default_factory=dict)
    """Other request-body fields, sent as given."""
    batch_size: int = Field(default=128, gt=0)
    """Inputs per request at most."""
    max_batch_bytes: int = Field(default=4 * 1024 * 1024, gt=0)
    """Request body bytes at most (about; an input bigger than this is sent alone)."""
    max_concurrency: int = Field(default=4, gt=0)
    """Requests in flight at once when a call needs several."""

    model_config = ConfigDict(populate_by_name=True, arbitrary_types_allowed=True, protected_namespaces=())

    @field_validator("provider", mode="plain")
    @classmethod
    def _check_provider(cls, value: Any) -> Any:
        # The same declared type as the chat model's ``provider`` (the router forbids unknown keys).
        return None if value is None else validate_param("provider", value, where="VisionRouterEmbeddings")

    @model_validator(mode="after")
    def _resolve_settings(self) -> VisionRouterEmbeddings:
        preset = get_router(self.router)  # checked first: no key is looked for on a router without embeddings
        if not preset.embeddings:
            msg = (
                f"{preset.name} documents no embeddings endpoint. If yours has one, use "
                f"router='custom' with base_url={preset.base_url!r}."
            )
            raise ValueError(msg)
        self._resolve_endpoint()
        clash = sorted(set(self.model_kwargs) & ({"model", "input"} | set(type(self).model_fields)))
        if clash:
            raise ValueError(f"model_kwargs must not set {clash}: use the constructor arguments of the same name.")
        if self.image_max_side is not None or self.image_max_bytes is not None:
            require_pillow()
        return self

    # -- embedding ---------------------------------------------------------------------

    def embed_documents(self, texts: list[str]) -> list[list[float]]:
        """One vector per text, in the order given."""
        return self._embed(text_inputs(texts, "embed_documents"), query=False)

    def embed_query(self, text: str) -> list[float]:
        """The vector of one text (sent with ``query_input_type`` when set)."""
        return self._embed(text_inputs([text], "embed_query"), query=True)[0]

    async def aembed_documents(self, texts: list[str]) -> list[list[float]]:
        """Async :meth:`embed_documents`."""
        return await self._aembed(text_inputs(texts, "aembed_documents"), query=False)

    async def aembed_query(self, text: str) -> list[float]:
        """Async :meth:`embed_query`."""
        return (await self._aembed(text_inputs([text], "aembed_query"), query=True))[0]

    def embed_images(self, images: Sequence[Any], *, texts: Sequence[str | None] | None = None) -> list[list[float]]:
        """One vector per image, in the order given.

        Args:
            images: What :func:`~langchain_visionrouter.image_block` takes: paths, bytes,
                binary file objects, PIL images, http(s) URLs, data URLs (or blocks it made).
                Every image is read and checked (type, size; downscaled per
                ``image_max_side``/``image_max_bytes``) before any request is made.
            texts: Optional text embedded together with each image (``None`` for none).

        Raises:
            ImageInputError: an image cannot be sent; the message says which (``image 3``).
        """
        return self._embed(image_inputs(images, texts, self._image_policy(), "embed_images"), query=False)

    async def aembed_images(
        self, images: Sequence[Any], *, texts: Sequence[str | None] | None = None
    ) -> list[list[float]]:
        """Async :meth:`embed_images` (images are read and resized off the event loop)."""
        inputs = await asyncio.to_thread(image_inputs, images, texts, self._image_policy(), "aembed_images")
        return await self._aembed(inputs, query=False)

    # -- request building (pure) ---------------------------------------------------------

    def _fields(self, *, query: bool) -> dict[str, Any]:
        # No ``usage: {include}`` opt-in here (unlike chat on custom gateways): OpenAI-style
        # embeddings endpoints reject unknown fields, and they return usage unasked.
        routed = router_body({"provider": self.provider, "user": self.user}, {}, self.preset)
        return {
            "dimensions": self.dimensions,
            "encoding_format": self.encoding_format,
            "input_type": (self.query_input_type or self.input_type) if query else self.input_type,
            **routed,
            **self.model_kwargs,
        }

    def _request(self, batch: Batch, fields: dict[str, Any]) -> _http.Request:
        return self._api_request("/embeddings", embedding_payload(self.model, batch.inputs, fields))

    def _answer(self, batch: Batch, body: Any) -> tuple[list[list[float]], AIMessage]:
        return parse_vectors(body, len(batch.inputs)), usage_message(body, self.model, self.preset.provider_label)

    def _report(self, message: AIMessage) -> None:
        report_call(message, model=self.model)

    # -- sending: sync and async shells over the same pieces -------------------------------

    def _send(self, batch: Batch, fields: dict[str, Any], collector: Collector) -> tuple[Batch, _Outcome]:
        if collector.stopped:  # another batch failed: this one is not sent
            return batch, None
        try:
            return batch, self._answer(batch, _http.request(self._clients, self._request(batch, fields), judge_json))
        except VisionRouterError as exc:
            collector.fail(batch, exc)  # now, so that batches not yet sent stay unsent
            return batch, exc

    async def _asend(self, batch: Batch, fields: dict[str, Any], collector: Collector) -> tuple[Batch, _Outcome]:
        if collector.stopped:
            return batch, None
        try:
            body = await _http.arequest(self._clients, self._request(batch, fields), judge_json)
            return batch, self._answer(batch, body)
        except VisionRouterError as exc:
            collector.fail(batch, exc)  # now, so that batches not yet sent stay unsent
            return batch, exc

    def _plan(self, inputs: list[Any]) -> list[Batch]:
        return plan_batches(inputs, max_count=self.batch_size, max_bytes=self.max_batch_bytes)

    def _embed(self, inputs: list[Any], *, query: bool) -> list[list[float]]:
        if not inputs:
            return []
        fields, batches = self._fields(query=query), self._plan(inputs)
        collector = Collector(len(inputs), self._report)
        workers = min(self.max_concurrency, len(batches))
        if workers == 1:
            for batch in batches:
                _settle(collector, *self._send(batch, fields, collector))
            return collector.result()
        with ThreadPoolExecutor(max_workers=workers, thread_name_prefix="visionrouter-embed") as pool:
            futures = [pool.submit(self._send, batch, fields, collector) for batch in batches]
            for future in as_completed(futures):
                _settle(collector, *future.result())  # reported here, in the caller's context
        return collector.result()

    async def _aembed(self, inputs: list[Any], *, query: bool) -> list[list[float]]:
        if not inputs:
            return []
        fields, batches = self._fields(query=query), self._plan(inputs)
        collector = Collector(len(inputs), self._report)
        gate = asyncio.Semaphore(self.max_concurrency)

        async def send(batch: Batch) -> tuple[Batch, _Outcome]:
            async with gate:
                return await self._asend(batch, fields, collector)

        tasks = [asyncio.ensure_future(send(batch)) for batch in batches]
        try:
            for done in asyncio.as_completed(tasks):
                _settle(collector, *(await done))
        finally:
            for task in tasks:  # only if this call itself was cancelled or failed unexpectedly
                task.cancel()
        return collector.result()

    # -- catalog ------------------------------------------------------------------------

    def list_models(
        self, *, input_modalities: str | Sequence[str] | None = None, refresh: bool = False
    ) -> list[_model_info.ModelInfo]:
        """The router's embedding models (``GET /embeddings/models``) with every input modality asked for.

        Gateways without that listing are asked ``GET /models?output_modalities=embeddings``
        and only models whose entry says they output embeddings are kept.

        Example:
            .. code-block:: python

                [m.id for m in embeddings.list_models(input_modalities="image")]
        """
        try:
            models = self._model_catalog(path="/embeddings/models").models(refresh=refresh)
        except NotFoundError:
            listed = self._model_catalog(path="/models?output_modalities=embeddings").models(refresh=refresh)
            models = tuple(m for m in listed if m.is_embedding_model)
        return _model_info.filter_models(models, input_modalities=input_modalities)

    def supports_images(self, model: str | None = None) -> bool:
        """Whether ``model`` (default: this model) embeds images, per the router's embedding models."""
        return "image" in self._model_info(model or self.model).input_modalities

    def _model_info(self, model: str) -> _model_info.ModelInfo:
        found = _model_info.find_model(self.list_models(), model)
        if found is None:
            raise InvalidInputError(f"{model!r} is not among the embedding models of {self.base_url}.")
        return found


def _settle(collector: Collector, batch: Batch, outcome: _Outcome) -> None:
    if isinstance(outcome, VisionRouterError):
        collector.fail(batch, outcome)
    elif outcome is not None:
        collector.add(batch, *outcome)
