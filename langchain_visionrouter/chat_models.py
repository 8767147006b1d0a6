"""``ChatVisionRouter``: the LangChain chat model, tying _messages -> _http -> _responses."""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import AsyncIterator, Callable, Iterator, Sequence
from typing import TYPE_CHECKING, Any, Literal, cast

from langchain_core.callbacks import AsyncCallbackManagerForLLMRun, CallbackManagerForLLMRun
from langchain_core.language_models.base import LangSmithParams, LanguageModelInput
from langchain_core.language_models.chat_models import BaseChatModel, agenerate_from_stream, generate_from_stream
from langchain_core.language_models.model_profile import ModelProfile
from langchain_core.messages import AIMessage, BaseMessage, ChatMessage, ToolMessage
from langchain_core.outputs import ChatGenerationChunk, ChatResult
from langchain_core.prompt_values import ChatPromptValue, PromptValue
from langchain_core.runnables import Runnable
from pydantic import (
    AliasChoices,
    ConfigDict,
    Field,
    PrivateAttr,
    model_validator,
)

from langchain_visionrouter._client import catalog as catalog
from langchain_visionrouter._client.connection import RouterClient
from langchain_visionrouter._media.checks import ImagePolicy, ImageTally, require_pillow
from langchain_visionrouter._redaction import redact_url
from langchain_visionrouter._request.messages import convert_messages, untraced_inline_images
from langchain_visionrouter._request.params import ROUTER_PARAMS, RouterParams, check_extra_body, router_body, wire_name
from langchain_visionrouter._request.prepare import Draft, PreparedCall, RequestTemplate, body_fields
from langchain_visionrouter._request.tokens import TokenEstimates
from langchain_visionrouter._response.answers import judge_json
from langchain_visionrouter._response.expect import finish_stream, read_answer, stream_reader
from langchain_visionrouter._router import model_info as _model_info
from langchain_visionrouter._router import vision as _vision
from langchain_visionrouter._router.explain import clearer_error, needs_catalog
from langchain_visionrouter._wire import http as _http
from langchain_visionrouter.errors import VisionRouterError

if TYPE_CHECKING:  # slow to import, and not needed to build or call a model: imported where used
    from langchain_core.tools import BaseTool

    from langchain_visionrouter._client.usage import GenerationStats

__all__ = ["ChatVisionRouter"]

logger = logging.getLogger(__name__)

# The sampling fields sent when set, in wire order.
_SAMPLING = ("temperature", "max_tokens", "top_p", "seed", "frequency_penalty", "presence_penalty")
_ROUTER_PARAM_SET = frozenset(ROUTER_PARAMS)
_MAY_HOLD_MEDIA = (ToolMessage, ChatMessage)  # a tool's text may be a stringified image block

# Per-call keyword arguments that steer the adapter rather than go into the request body.
_ADAPTER_KWARGS = ("stream", "stream_usage")


class ChatVisionRouter(RouterClient, TokenEstimates, BaseChatModel, RouterParams):
    r"""Chat model for OpenAI-compatible model routers, with images as first-class input.

    Talks to OpenRouter (default), Infron (OneRouter) or any OpenAI-compatible gateway
    through its chat-completions endpoint. Images may be URLs, base64 data URLs,
    LangChain standard content blocks or local files (via ``image_block``); answers
    come back with text, tool calls, reasoning, token usage and cost.

    Setup:
        Install the package (from a clone of its repository; ``pip install
        langchain-visionrouter`` once it is on your index) and set a key:

        .. code-block:: bash

            python3 -m venv .venv && .venv/bin/pip install "."       # ".[images]" adds Pillow
            export OPENROUTER_API_KEY="sk-or-..."   # or VISIONROUTER_API_KEY / INFRON_API_KEY

    Key init args - completion params:
        model: str
            Router model id, e.g. ``"google/gemini-2.0-flash-001"``.
        temperature: float | None
            Sampling temperature (0-2).
        max_tokens: int | None
            Maximum tokens to generate.
        top_p, stop, seed, frequency_penalty, presence_penalty:
            As in the OpenAI chat-completions API.
        model_kwargs, extra_body: dict
            Any other request-body field, sent as given (``extra_body`` merged last, also per call).

    Key init args - client params (the connection args shared with every model are listed last):
        streaming: bool
            Stream by default, also under ``invoke``.
        stream_usage: bool
            Report token usage and cost on streamed answers (default True).
        openrouter_metadata: bool
            Ask for the router's routing metadata (``X-OpenRouter-Metadata``).

    Key init args - router features (each also settable per call, e.g. ``invoke(..., provider=...)``):
        models: list[str] | None
            Fallback models (sent as ``fallback_models`` to Infron).
        provider: ProviderPreferences | dict | None
            Provider order, fallbacks, data policy, price caps...; unknown keys are sent as given.
        plugins, reasoning, route, transforms, session_id, trace, router_metadata, user, top_k,
        repetition_penalty, min_p, top_a, logit_bias, logprobs, top_logprobs, prediction,
        cache_control, prompt_cache_key, prompt_cache_options, modalities, image_config, audio,
        router_preset:
            The router's request fields, type-checked (see ``langchain_visionrouter._request.params``).
        vision_check: "off" | "warn" | "error"
            Check the model takes the images, videos and audio sent before sending them
            (per the catalog's ``input_modalities``; one cached catalog fetch).

    Instantiate:
        .. code-block:: python

            from langchain_visionrouter import ChatVisionRouter

            llm = ChatVisionRouter(model="google/gemini-2.0-flash-001", temperature=0)

    Invoke:
        .. code-block:: python

            llm.invoke("Name three famous paintings.").content

    Image input:
        .. code-block:: python

            from langchain_core.messages import HumanMessage
            from langchain_visionrouter import image_block

            msg = HumanMessage(content=[
                {"type": "text", "text": "What is in these images?"},
                {"type": "image", "url": "https://example.com/cat.png"},
                image_block("photo.jpg"),          # a local file, sent as base64
            ])
            llm.invoke([msg]).content

        Every base64 image can be downscaled before it is sent (needs Pillow:
        ``python3 -m pip install "Pillow>=10"``, the ``[images]`` extra); images over the hard
        ceiling ``image_max_decoded_bytes`` (20 MiB) are refused, never sent:

        .. code-block:: python

            llm = ChatVisionRouter(model="...", image_max_side=2048, image_max_bytes=4_000_000)

    Stream:
        .. code-block:: python

            for chunk in llm.stream("Tell me a joke"):
                print(chunk.text, end="")

    Async:
        .. code-block:: python

            await llm.ainvoke("Hello")
            async for chunk in llm.astream("Hello"):
                ...
            await llm.abatch(["Hello", "Goodbye"])

    Tool calling:
        .. code-block:: python

            from pydantic import BaseModel, Field

            class GetWeather(BaseModel):
                '''Get the current weather in a given location.'''
                location: str = Field(..., description="City, e.g. Paris")

            llm.bind_tools([GetWeather]).invoke("Weather in Paris?").tool_calls
            # [{'name': 'GetWeather', 'args': {'location': 'Paris'}, 'id': 'call_...', ...}]

    Structured output:
        .. code-block:: python

            class Joke(BaseModel):
                setup: str
                punchline: str

            llm.with_structured_output(Joke).invoke("A joke about cats")
            llm.with_structured_output(Joke, method="json_schema").invoke("A joke about cats")

    Token usage and cost:
        .. code-block:: python

            msg = llm.invoke("Hello")
            msg.usage_metadata                     # {'input_tokens': 8, 'output_tokens': 9, ...}
            msg.response_metadata["cost"]          # USD, as billed by the router

    Response metadata:
        ``model_name`` (the model that actually served), ``provider``, ``id`` (generation
        id), ``finish_reason``, ``native_finish_reason``, ``cost``, ``cost_details``,
        ``model_provider``, ``usage`` (the router's whole object), and every other top-level
        answer field (``service_tier``, ``openrouter_metadata``...).

    Errors:
        Router failures raise typed errors from :mod:`langchain_visionrouter.errors`
        (``RateLimitError``, ``AuthenticationError``, ``StreamError``...), each keeping the
        router's message, the provider's detail, the status and the generation id.
    """

    streaming: bool = False
    """Whether to stream by default."""
    stream_usage: bool = True
    """Whether streamed answers report token usage and cost."""
    temperature: float | None = None
    max_tokens: int | None = Field(default=None, validation_alias=AliasChoices("max_tokens", "max_completion_tokens"))
    top_p: float | None = None
    stop: list[str] | str | None = Field(default=None, validation_alias=AliasChoices("stop", "stop_sequences"))
    seed: int | None = None
    frequency_penalty: float | None = None
    presence_penalty: float | None = None
    model_kwargs: dict[str, Any] = Field(default_factory=dict)
    """Other request-body fields, sent as given (over a constructor field of the same name)."""
    extra_body: dict[str, Any] | None = None
    """Request-body fields merged last (also per call, over this one). Precedence, lowest first:
    constructor fields < ``model_kwargs`` < per-call values < ``extra_body`` < per-call
    ``extra_body``. Any top-level field but ``stream`` (use ``stream()``/``streaming=``)."""
    openrouter_metadata: bool = False
    """Send ``X-OpenRouter-Metadata: enabled``: the answer's ``openrouter_metadata`` (routing
    strategy, endpoints, attempts) then comes back in ``response_metadata``."""
    # The router's own request fields (models, provider, plugins, reasoning, ...) are
    # declared once, in _params.RouterParams: inherited here, and settable per call.
    vision_check: _vision.VisionCheck = "off"
    """Before sending images, video or audio, check the model takes them (per the router's catalog's
    ``input_modalities``): ``"warn"`` or ``"error"``."""
    image_fit: Literal["off", "model"] = "off"
    """``"model"``: downscale base64 images to what the model's family will look at (needs Pillow);
    the saving is in ``response_metadata["image_fit"]``."""

    model_config = ConfigDict(populate_by_name=True, arbitrary_types_allowed=True)

    _template_cache: tuple[tuple[Any, ...], RequestTemplate] | None = PrivateAttr(default=None)
    _text_policy_cache: tuple[tuple[Any, ...], ImagePolicy] | None = PrivateAttr(default=None)

    def _fit_model(self) -> str | None:
        return self.model if self.image_fit == "model" else None

    @model_validator(mode="after")
    def _resolve_settings(self) -> ChatVisionRouter:
        preset = self._resolve_endpoint()
        check_extra_body(self.model_kwargs, "model_kwargs")
        check_extra_body(self.extra_body, "extra_body")
        if self._image_policy().resizes:
            require_pillow()  # say so now, not at the first image
        router_body(self._router_fields(), {}, preset)  # combinations (e.g. top_logprobs without logprobs)
        return self

    # -- LangChain conventions ---------------------------------------------------------

    @property
    def _llm_type(self) -> str:
        return "visionrouter-chat"

    def _convert_input(self, model_input: LanguageModelInput) -> PromptValue:
        prompt = super()._convert_input(model_input)
        if isinstance(prompt, ChatPromptValue):  # spares a copy of each big inline image (see there)
            messages = untraced_inline_images(prompt.messages)
            if messages is not prompt.messages:
                prompt = ChatPromptValue(messages=messages)
        return prompt

    @classmethod
    def is_lc_serializable(cls) -> bool:
        return True

    @classmethod
    def get_lc_namespace(cls) -> list[str]:
        return ["langchain_visionrouter", "chat_models"]

    @property
    def _default_params(self) -> dict[str, Any]:
        # Read from __dict__: LangChain asks for these three times a call (tracing, LangSmith, the body).
        values = self.__dict__
        params = {name: values[name] for name in _SAMPLING if values[name] is not None}
        if values["stop"]:
            params["stop"] = values["stop"]
        params.update(values["model_kwargs"])
        return params

    @property
    def _identifying_params(self) -> dict[str, Any]:
        return {
            "model": self.model,
            "router": self.router,
            "base_url": redact_url(self.base_url),
            **self._default_params,
            **router_body(self._router_fields(), {}, self.preset),
        }

    def _router_fields(self) -> dict[str, Any]:
        # Only the fields set (not None): most models set none, and this runs twice per call.
        values = self.__dict__
        return {name: values[name] for name in ROUTER_PARAMS if values[name] is not None}

    def _resolve_model_profile(self) -> ModelProfile | None:
        return _model_info.bundled_profile(self.model)

    def _get_ls_params(self, stop: list[str] | None = None, **kwargs: Any) -> LangSmithParams:
        params = {**self._default_params, **kwargs}
        ls_params = LangSmithParams(
            ls_provider=self.preset.provider_label,
            ls_model_name=kwargs.get("model", self.model),
            ls_model_type="chat",
        )
        if params.get("temperature") is not None:
            ls_params["ls_temperature"] = params["temperature"]
        if params.get("max_tokens") is not None:
            ls_params["ls_max_tokens"] = params["max_tokens"]
        ls_stop = stop or params.get("stop")
        if ls_stop:
            ls_params["ls_stop"] = [ls_stop] if isinstance(ls_stop, str) else list(ls_stop)
        return ls_params

    # -- one prepared call (pure) -----------------------------------------------------------

    def _prepare(
        self, messages: list[BaseMessage], stop: list[str] | None, kwargs: dict[str, Any], *, stream: bool
    ) -> PreparedCall:
        """Messages, stop and call arguments -> the one frozen call (langchain-openai's ``_get_request_payload``)."""
        preset = self.preset
        kwargs = dict(kwargs)
        # invoke(stream=True), bind(stream=...): LangChain's flag for which entry point runs,
        # which has decided already (`stream` here); never a body field.
        kwargs.pop("stream", None)
        call_extra = kwargs.pop("extra_body", None)
        check_extra_body(call_extra, "extra_body (per call)")
        call_router = {k: kwargs.pop(k) for k in [k for k in kwargs if k in _ROUTER_PARAM_SET]} if kwargs else {}
        params = self._default_params  # the constructor's fields, model_kwargs over them
        router_fields = router_body(self._router_fields(), call_router, preset)
        if self.model_kwargs:  # model_kwargs beats the constructor's value; a per-call value beats both
            called = {wire_name(k, preset) for k in call_router}
            router_fields = {k: v for k, v in router_fields.items() if k in called or k not in self.model_kwargs}
        params.update(kwargs)
        stream_usage = params.pop("stream_usage", self.stream_usage)
        if stop:
            params["stop"] = stop
        model = params.pop("model", self.model)
        tally = ImageTally()
        # A policy of its own (with this call's tally) only where a part can be media: list
        # content, or a tool's text (which may hold an image block LangChain stringified).
        media = any(not isinstance(m.content, str) or isinstance(m, _MAY_HOLD_MEDIA) for m in messages)
        converted = convert_messages(messages, self._image_policy(tally) if media else self._text_policy())
        draft = Draft(
            fields=body_fields(model, converted, params, router_fields),
            extras=tuple(extra for extra in (self.extra_body, call_extra) if extra),
            stream_usage=bool(stream_usage),
            usage_opt_in=preset.usage_opt_in,
            fallback_field=preset.fallback_models_field,
            fit=tally.fit_report(),
            media=tally.media(),
            provider_label=preset.provider_label,
        )
        return PreparedCall(draft, self._template(), stream)

    async def _aprepare(
        self, messages: list[BaseMessage], stop: list[str] | None, kwargs: dict[str, Any], *, stream: bool
    ) -> PreparedCall:
        # Resizing decodes and re-encodes images (tens of ms each): off the event loop. The
        # hop to a thread costs more than building any other call, so only then.
        if self._text_policy().resizes and any(not isinstance(m.content, str) for m in messages):
            return await asyncio.to_thread(self._prepare, messages, stop, kwargs, stream=stream)
        return self._prepare(messages, stop, kwargs, stream=stream)

    def _template(self) -> RequestTemplate:
        # Built once per setting of the fields it reads (a model's fields may be changed after
        # construction, so the cache is keyed on them, not kept for the model's life).
        key = (
            self.api_key,
            self.base_url,
            tuple(self.default_headers.items()) if self.default_headers else None,  # a copy: edits in place count
            self.app_url,
            self.app_title,
            self.openrouter_metadata,
            self.timeout,
            self.max_retries,
            self.deadline,
            self.max_response_bytes,
        )
        return cast(RequestTemplate, self._per_setting("_template_cache", key, self._new_template))

    def _text_policy(self) -> ImagePolicy:
        """The image policy for a call no part of which can be media (never tallied): built once per setting."""
        key = (self.router, self.image_max_decoded_bytes, self.image_max_side, self.image_max_bytes, self.image_fit)
        return cast(ImagePolicy, self._per_setting("_text_policy_cache", key, self._image_policy))

    def _per_setting(self, name: str, key: tuple[Any, ...], build: Callable[[], Any]) -> Any:
        """``build()``, kept in the private attribute ``name`` until the fields in ``key`` change."""
        private = self.__pydantic_private__  # not getattr(self, name): pydantic's __getattr__ is slow
        assert private is not None
        cached = private.get(name)
        if cached is not None and cached[0] == key:
            return cached[1]
        value = build()
        private[name] = (key, value)
        return value

    def _new_template(self) -> RequestTemplate:
        assert self.base_url is not None
        headers = self._json_headers("application/json")
        stream_headers = self._json_headers("text/event-stream")
        if self.openrouter_metadata:
            headers.setdefault("X-OpenRouter-Metadata", "enabled")
            stream_headers.setdefault("X-OpenRouter-Metadata", "enabled")
        return RequestTemplate(
            url=self.base_url.rstrip("/") + "/chat/completions",
            headers=headers,
            stream_headers=stream_headers,
            timeout=self.timeout,
            max_retries=self.max_retries,
            deadline=self.deadline,
            max_response_bytes=self.max_response_bytes,
        )

    # -- the catalog, read at the edge of a call: once, and only when needed -----------------

    def _checked(self, call: PreparedCall, models: Sequence[_model_info.ModelInfo] | None) -> PreparedCall:
        """The call after the pure checks over the catalog (vision check; derived modalities)."""
        if self.vision_check != "off" and call.draft.media and models is not None:
            _vision.check_media(_vision.checkable_models(call.models), models, call.draft.media, self.vision_check)
        return call.with_catalog(models)

    def _ready(self, call: PreparedCall) -> PreparedCall:
        if not call.needs_catalog(self.vision_check):
            return call
        try:
            models: Sequence[_model_info.ModelInfo] | None = self._listing().models()
        except VisionRouterError as exc:
            self._unread_catalog(call, exc)
            models = None
        return self._checked(call, models)

    async def _aready(self, call: PreparedCall) -> PreparedCall:
        if not call.needs_catalog(self.vision_check):
            return call
        try:
            models: Sequence[_model_info.ModelInfo] | None = await self._listing().amodels()
        except VisionRouterError as exc:
            self._unread_catalog(call, exc)
            models = None
        return self._checked(call, models)

    def _listing(self) -> catalog.ModelCatalog:
        # One listing for every check: ``output_modalities=all`` also lists image-only models.
        return self.get_catalog(output_modalities="all")

    def _unread_catalog(self, call: PreparedCall, exc: VisionRouterError) -> None:
        """A catalog that cannot be read: fatal to a vision check asked for, else a warning."""
        if self.vision_check != "off" and call.draft.media:
            raise exc  # the check was asked for: it cannot pass unchecked
        # Only modalities needed it: sent without; a 404 is then explained (clearer_error).
        logger.warning("modalities not derived for %s: the model catalog could not be read (%s)", call.model, exc)

    def _clearer(self, exc: VisionRouterError, call: PreparedCall, models: Any) -> VisionRouterError | None:
        return clearer_error(
            exc,
            model_id=call.model or self.model,
            sent_modalities=call.body.get("modalities"),
            models=models,
            key_source=self._key_source,
            router=self.router,
        )

    def _explained(self, exc: VisionRouterError, call: PreparedCall) -> VisionRouterError | None:
        models = self._fetched_listing()
        if needs_catalog(exc) and models is None:
            with contextlib.suppress(VisionRouterError):  # explained without suggestions then
                models = self._listing().models()
        return self._clearer(exc, call, models)

    async def _aexplained(self, exc: VisionRouterError, call: PreparedCall) -> VisionRouterError | None:
        models = self._fetched_listing()
        if needs_catalog(exc) and models is None:
            with contextlib.suppress(VisionRouterError):  # explained without suggestions then
                models = await self._listing().amodels()
        return self._clearer(exc, call, models)

    def _fetched_listing(self) -> Sequence[_model_info.ModelInfo] | None:
        """The catalog if it was fetched already (the vision check's listing, or ``get_catalog()``'s)."""
        for listing in (self._listing(), self.get_catalog()):
            models = listing.cached_models()
            if models is not None:
                return models
        return None

    # -- generation: thin sync and async shells over the same pure pieces --------------------

    def _generate(
        self,
        messages: list[BaseMessage],
        stop: list[str] | None = None,
        run_manager: CallbackManagerForLLMRun | None = None,
        **kwargs: Any,
    ) -> ChatResult:
        call = self._ready(self._prepare(messages, stop, kwargs, stream=False))
        if call.wants_audio:  # the router sends audio only in streams: stream, then reassemble
            return generate_from_stream(self._send_stream(call.as_stream(), run_manager))
        try:
            data = _http.request(self._clients, call.request, judge_json)
        except VisionRouterError as exc:
            clearer = self._explained(exc, call)
            if clearer is None:
                raise
            raise clearer from exc
        return read_answer(data, call.expect)

    async def _agenerate(
        self,
        messages: list[BaseMessage],
        stop: list[str] | None = None,
        run_manager: AsyncCallbackManagerForLLMRun | None = None,
        **kwargs: Any,
    ) -> ChatResult:
        call = await self._aready(await self._aprepare(messages, stop, kwargs, stream=False))
        if call.wants_audio:  # the router sends audio only in streams: stream, then reassemble
            return await agenerate_from_stream(self._asend_stream(call.as_stream(), run_manager))
        try:
            data = await _http.arequest(self._clients, call.request, judge_json)
        except VisionRouterError as exc:
            clearer = await self._aexplained(exc, call)
            if clearer is None:
                raise
            raise clearer from exc
        return read_answer(data, call.expect)

    def _stream(
        self,
        messages: list[BaseMessage],
        stop: list[str] | None = None,
        run_manager: CallbackManagerForLLMRun | None = None,
        **kwargs: Any,
    ) -> Iterator[ChatGenerationChunk]:
        yield from self._send_stream(self._ready(self._prepare(messages, stop, kwargs, stream=True)), run_manager)

    async def _astream(
        self,
        messages: list[BaseMessage],
        stop: list[str] | None = None,
        run_manager: AsyncCallbackManagerForLLMRun | None = None,
        **kwargs: Any,
    ) -> AsyncIterator[ChatGenerationChunk]:
        call = await self._aready(await self._aprepare(messages, stop, kwargs, stream=True))
        async for chunk in self._asend_stream(call, run_manager):
            yield chunk

    def _send_stream(
        self, call: PreparedCall, run_manager: CallbackManagerForLLMRun | None
    ) -> Iterator[ChatGenerationChunk]:
        assembler = stream_reader(call.expect)
        try:
            stream = _http.open_stream(self._clients, call.request, judge_json)
            for event in stream:
                message = assembler.feed(event)
                if message is not None:
                    chunk = ChatGenerationChunk(message=message)
                    if run_manager is not None:
                        run_manager.on_llm_new_token(message.text, chunk=chunk)
                    yield chunk
            last = assembler.last_chunk(stream)
        except VisionRouterError as exc:
            clearer = self._explained(exc, call)
            if clearer is None:
                raise
            raise clearer from exc
        yield ChatGenerationChunk(message=finish_stream(last, call.expect))

    async def _asend_stream(
        self, call: PreparedCall, run_manager: AsyncCallbackManagerForLLMRun | None
    ) -> AsyncIterator[ChatGenerationChunk]:
        assembler = stream_reader(call.expect)
        try:
            stream = await _http.aopen_stream(self._clients, call.request, judge_json)
            events = stream.__aiter__()
            try:
                async for event in events:
                    message = assembler.feed(event)
                    if message is not None:
                        chunk = ChatGenerationChunk(message=message)
                        if run_manager is not None:
                            await run_manager.on_llm_new_token(message.text, chunk=chunk)
                        yield chunk
            finally:
                # Release the connection now, also when the caller stops early or is cancelled.
                await events.aclose()  # type: ignore[attr-defined]
            last = assembler.last_chunk(stream)
        except VisionRouterError as exc:
            clearer = await self._aexplained(exc, call)
            if clearer is None:
                raise
            raise clearer from exc
        yield ChatGenerationChunk(message=finish_stream(last, call.expect))

    # -- model catalog, vision checks, generation stats -------------------------------------

    def get_catalog(
        self, *, ttl: float = catalog.DEFAULT_TTL, output_modalities: str | None = None
    ) -> catalog.ModelCatalog:
        """The router's model catalog (``GET {base_url}/models``), cached in the process for ``ttl`` seconds.

        ``output_modalities="all"`` lists image-only models too (OpenRouter leaves them out by default).
        """
        return self._model_catalog(ttl=ttl, output_modalities=output_modalities)

    def list_models(
        self,
        *,
        input_modalities: str | Sequence[str] | None = None,
        output_modalities: str | Sequence[str] | None = None,
        supported_parameters: str | Sequence[str] | None = None,
        refresh: bool = False,
    ) -> list[_model_info.ModelInfo]:
        """The router's models that have every modality and parameter asked for.

        Args:
            input_modalities: e.g. ``"image"`` or ``["image", "file"]``.
            output_modalities: e.g. ``"text"``.
            supported_parameters: e.g. ``["tools", "structured_outputs"]``.
            refresh: Fetch the list again even if the cached one is still fresh.
        """
        return self.get_catalog().list_models(
            input_modalities=input_modalities,
            output_modalities=output_modalities,
            supported_parameters=supported_parameters,
            refresh=refresh,
        )

    def supports_images(self, model: str | None = None) -> bool | None:
        """Whether ``model`` (default: this model) takes images, per the catalog; ``None``: it does not say."""
        return self.get_catalog().supports_images(model or self.model)

    def refresh_profile(self) -> ModelProfile:
        """Replace ``profile`` with what the router's catalog says about this model, and return it."""
        self.profile = self.get_catalog().get(self.model).profile()
        return self.profile

    def get_generation(self, generation_id: str, **kwargs: Any) -> GenerationStats:
        """The router's stats (cost, tokens, latency) for a generation id; see :func:`get_generation`.

        Bounded by this model's ``deadline`` and ``max_response_bytes`` unless ``kwargs`` say otherwise.
        """
        from langchain_visionrouter._client.usage import get_generation

        kwargs.setdefault("deadline", self.deadline)
        kwargs.setdefault("max_response_bytes", self.max_response_bytes)
        return get_generation(generation_id, router=self.router, base_url=self.base_url, api_key=self.api_key, **kwargs)

    # -- tools and structured output --------------------------------------------------------

    def bind_tools(
        self,
        tools: Sequence[dict[str, Any] | type | Callable[..., Any] | BaseTool],
        *,
        tool_choice: dict[str, Any] | str | bool | None = None,
        strict: bool | None = None,
        parallel_tool_calls: bool | None = None,
        **kwargs: Any,
    ) -> Runnable[LanguageModelInput, AIMessage]:
        """Bind tools (LangChain tools, functions, pydantic models, TypedDicts or OpenAI dicts).

        The router's server tools (``{"type": "openrouter:web_search", "parameters": {...}}``...)
        go beside them, unchanged; the router runs them, and their activity comes back in
        ``content_blocks`` (``server_tool_call``/``server_tool_result``).

        Args:
            tools: The tools the model may call.
            tool_choice: ``"auto"``, ``"none"``, ``"any"``/``"required"`` (must call one), a
                tool name, ``True`` (the only tool), or a chat-completions dict
                (``{"type": "openrouter:web_search"}`` forces a server tool).
            strict: Ask for schema-exact arguments (OpenAI-style ``strict``).
            parallel_tool_calls: Allow several calls in one answer.
            **kwargs: Other request fields, bound alongside.
        """
        from langchain_visionrouter._request.tools import format_tools
        from langchain_visionrouter._request.tools import tool_choice as tool_choice_param

        formatted = format_tools(tools, strict=strict)
        if tool_choice is not None and tool_choice is not False:
            kwargs["tool_choice"] = tool_choice_param(tool_choice, formatted)
        if parallel_tool_calls is not None:
            kwargs["parallel_tool_calls"] = parallel_tool_calls
        if formatted:  # an empty "tools" list is a 400 on most providers
            kwargs["tools"] = formatted
        return super().bind(**kwargs)

    def with_structured_output(
        self,
        schema: dict[str, Any] | type | None = None,
        *,
        method: Literal["function_calling", "json_schema", "json_mode"] = "function_calling",
        include_raw: bool = False,
        strict: bool | None = None,
        **kwargs: Any,
    ) -> Runnable[LanguageModelInput, dict[str, Any] | Any]:
        """Return a runnable whose output follows ``schema``.

        Args:
            schema: A pydantic model, TypedDict or JSON schema (optional for ``json_mode``).
            method: ``"function_calling"`` (a forced tool call; default), ``"json_schema"``
                (``response_format`` with the schema, routed only to providers that honour
                it via ``provider.require_parameters``), or ``"json_mode"``.
            include_raw: Return ``{"raw", "parsed", "parsing_error"}`` instead of raising
                on a parsing failure.
            strict: Ask for schema-exact output.

        A parsing failure is never hidden: an answer without the expected tool call, with
        arguments or JSON that do not parse (also when cut off at the token limit), or a
        refusal raises ``OutputParserException`` (``parsing_error`` with ``include_raw``).
        """
        from langchain_visionrouter._request.tools import structured_output

        if kwargs:
            raise ValueError(f"Unexpected arguments: {sorted(kwargs)}")
        return structured_output(self, schema, method=method, include_raw=include_raw, strict=strict)
