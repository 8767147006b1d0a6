"""``ChatVisionRouter``: the LangChain chat model, tying messages -> transport -> responses."""

from __future__ import annotations

import json
import os
from collections.abc import AsyncIterator, Callable, Iterator, Mapping, Sequence
from operator import itemgetter
from typing import Any, Literal

import httpx
from langchain_core.callbacks import AsyncCallbackManagerForLLMRun, CallbackManagerForLLMRun
from langchain_core.language_models import BaseChatModel, LangSmithParams, LanguageModelInput
from langchain_core.messages import AIMessage, AIMessageChunk, BaseMessage
from langchain_core.messages.ai import add_ai_message_chunks
from langchain_core.output_parsers import JsonOutputParser, PydanticOutputParser
from langchain_core.output_parsers.openai_tools import JsonOutputKeyToolsParser, PydanticToolsParser
from langchain_core.outputs import ChatGenerationChunk, ChatResult
from langchain_core.runnables import Runnable, RunnableMap, RunnablePassthrough
from langchain_core.tools import BaseTool
from langchain_core.utils.function_calling import convert_to_json_schema, convert_to_openai_tool
from langchain_core.utils.pydantic import is_basemodel_subclass
from pydantic import ConfigDict, Field, PrivateAttr, SecretStr, model_validator

from langchain_visionrouter.errors import VisionRouterError
from langchain_visionrouter.images import ImagePolicy
from langchain_visionrouter.messages import convert_messages
from langchain_visionrouter.responses import (
    StreamMapper,
    chat_result,
    register_content_translators,
    usage_metadata,
)
from langchain_visionrouter.routers import ROUTERS, RouterPreset, get_router
from langchain_visionrouter.transport import (
    AsyncEventStream,
    EventStream,
    HTTPClients,
    RouterRequest,
    apost_json,
    post_json,
)

__all__ = ["ChatVisionRouter"]

_VERSION = "0.1.0"
register_content_translators(preset.provider_label for preset in ROUTERS.values())
# Per-call keyword arguments that steer the adapter rather than go into the request body.
_ADAPTER_KWARGS = ("stream", "stream_usage")


class ChatVisionRouter(BaseChatModel):
    r"""Chat model for OpenAI-compatible model routers, with images as first-class input.

    Talks to OpenRouter (default), Infron (OneRouter) or any OpenAI-compatible gateway
    through its chat-completions endpoint. Images may be URLs, base64 data URLs,
    LangChain standard content blocks or local files (via ``image_block``); answers
    come back with text, tool calls, reasoning, token usage and cost.

    Setup:
        Install the package and set a key:

        .. code-block:: bash

            pip install langchain-visionrouter
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
        model_kwargs: dict
            Any other request-body field, sent as given.

    Key init args - client params:
        api_key: SecretStr | None
            From ``VISIONROUTER_API_KEY``, else the router's own variable
            (``OPENROUTER_API_KEY``, ``INFRON_API_KEY``).
        router: str
            ``"openrouter"`` (default), ``"infron"`` or ``"custom"`` (any gateway; needs ``base_url``).
        base_url: str | None
            From ``VISIONROUTER_BASE_URL``, else the router preset's.
        timeout: float | None
            Seconds to wait for the router (for streams: between two pieces of data).
        max_retries: int
            Retries after the first attempt, on 408, 429, 5xx and failed connections.
        streaming: bool
            Stream by default, also under ``invoke``.
        stream_usage: bool
            Report token usage and cost on streamed answers (default True).
        app_url, app_title: str | None
            Attribution headers (``HTTP-Referer``, ``X-Title``) for the router's rankings.
        default_headers: dict | None
            Extra headers sent with every request.

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
        ``model_provider``.

    Errors:
        Router failures raise typed errors from :mod:`langchain_visionrouter.errors`
        (``RateLimitError``, ``AuthenticationError``, ``StreamError``...), each keeping the
        router's message, the provider's detail, the status and the generation id.
    """

    model: str = Field(alias="model_name")
    """Router model id, e.g. ``"openai/gpt-4o-mini"``."""
    api_key: SecretStr | None = None
    """API key. Defaults to ``VISIONROUTER_API_KEY``, then the router's own variable."""
    router: str = "openrouter"
    """Router preset: ``"openrouter"``, ``"infron"`` or ``"custom"``."""
    base_url: str | None = None
    """Base URL of the chat-completions API. Defaults to ``VISIONROUTER_BASE_URL``, then the preset."""
    timeout: float | None = Field(default=600.0, alias="request_timeout")
    """Seconds to wait for the router; ``None`` waits forever."""
    max_retries: int = Field(default=2, ge=0)
    """Retries after the first attempt (so at most ``max_retries + 1`` requests)."""
    streaming: bool = False
    """Whether to stream by default."""
    stream_usage: bool = True
    """Whether streamed answers report token usage and cost."""
    temperature: float | None = None
    max_tokens: int | None = Field(default=None, alias="max_completion_tokens")
    top_p: float | None = None
    stop: list[str] | str | None = Field(default=None, alias="stop_sequences")
    seed: int | None = None
    frequency_penalty: float | None = None
    presence_penalty: float | None = None
    model_kwargs: dict[str, Any] = Field(default_factory=dict)
    """Other request-body fields, sent as given."""
    default_headers: dict[str, str] | None = None
    """Extra HTTP headers for every request."""
    app_url: str | None = None
    """Your app's URL, sent as ``HTTP-Referer`` for the router's attribution."""
    app_title: str | None = None
    """Your app's name, sent as ``X-Title`` for the router's attribution."""
    http_client: httpx.Client | None = Field(default=None, exclude=True)
    """Optional httpx client for sync calls (proxies, custom transports)."""
    http_async_client: httpx.AsyncClient | None = Field(default=None, exclude=True)
    """Optional httpx client for async calls."""

    model_config = ConfigDict(populate_by_name=True, arbitrary_types_allowed=True)

    _clients: HTTPClients = PrivateAttr()

    @model_validator(mode="after")
    def _resolve_settings(self) -> ChatVisionRouter:
        preset = get_router(self.router)
        if self.base_url is None:
            self.base_url = os.environ.get("VISIONROUTER_BASE_URL") or preset.base_url
        if not self.base_url:
            msg = f"router={self.router!r} has no default URL: pass base_url=... or set VISIONROUTER_BASE_URL."
            raise ValueError(msg)
        if self.api_key is None:
            for var in ("VISIONROUTER_API_KEY", preset.api_key_env):
                if var and os.environ.get(var):
                    self.api_key = SecretStr(os.environ[var])
                    break
        if self.api_key is None and preset.requires_api_key:
            names = " or ".join(v for v in ("VISIONROUTER_API_KEY", preset.api_key_env) if v)
            msg = f"No API key for {preset.name}: pass api_key=... or set {names}."
            raise ValueError(msg)
        clash = sorted(set(self.model_kwargs) & ({"model", "messages", "stream"} | set(type(self).model_fields)))
        if clash:
            msg = f"model_kwargs must not set {clash}: use the constructor arguments of the same name."
            raise ValueError(msg)
        self._clients = HTTPClients(self.http_client, self.http_async_client)
        return self

    # -- LangChain conventions ---------------------------------------------------------

    @property
    def _llm_type(self) -> str:
        return "visionrouter-chat"

    @property
    def lc_secrets(self) -> dict[str, str]:
        return {"api_key": "VISIONROUTER_API_KEY"}

    @classmethod
    def is_lc_serializable(cls) -> bool:
        return True

    @classmethod
    def get_lc_namespace(cls) -> list[str]:
        return ["langchain_visionrouter", "chat_models"]

    @property
    def preset(self) -> RouterPreset:
        """The router preset this model talks to."""
        return get_router(self.router)

    @property
    def _default_params(self) -> dict[str, Any]:
        params: dict[str, Any] = {
            "temperature": self.temperature,
            "max_tokens": self.max_tokens,
            "top_p": self.top_p,
            "seed": self.seed,
            "frequency_penalty": self.frequency_penalty,
            "presence_penalty": self.presence_penalty,
            "stop": self.stop or None,
        }
        params = {k: v for k, v in params.items() if v is not None}
        params.update(self.model_kwargs)
        return params

    @property
    def _identifying_params(self) -> dict[str, Any]:
        return {"model": self.model, "router": self.router, "base_url": self.base_url, **self._default_params}

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

    def __enter__(self) -> ChatVisionRouter:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    async def __aenter__(self) -> ChatVisionRouter:
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.aclose()

    # -- copying and pickling -------------------------------------------------------------

    def __deepcopy__(self, memo: dict[int, Any] | None = None) -> ChatVisionRouter:
        # httpx clients passed in are shared resources, not values: a deep copy uses them as is
        # (the copy gets pools of its own otherwise, see HTTPClients.__deepcopy__).
        memo = {} if memo is None else memo
        for client in (self.http_client, self.http_async_client):
            if client is not None:
                memo[id(client)] = client
        return super().__deepcopy__(memo)

    def __getstate__(self) -> dict[Any, Any]:
        # The API key is never pickled: an unpickled model reads it from the environment again.
        state = super().__getstate__()
        state["__dict__"] = {**state["__dict__"], "api_key": None}
        return state

    def __setstate__(self, state: dict[Any, Any]) -> None:
        super().__setstate__(state)
        try:
            self._resolve_settings()  # type: ignore[operator]  # the key from the environment, fresh pools
        except ValueError as exc:
            raise ValueError(f"{exc} (API keys are never pickled; the unpickled model looks for one again)") from None

    # -- request building (pure) ----------------------------------------------------------

    def _image_policy(self) -> ImagePolicy:
        preset = self.preset
        return ImagePolicy(router=preset.name, allowed_types=preset.image_types)

    def _payload(
        self, messages: list[BaseMessage], stop: list[str] | None, *, stream: bool, **kwargs: Any
    ) -> dict[str, Any]:
        preset = self.preset
        params = self._default_params
        params.update(kwargs)
        include_usage = params.pop("stream_usage", self.stream_usage)
        params.pop("stream", None)
        if stop:
            params["stop"] = stop
        payload: dict[str, Any] = {
            "model": params.pop("model", self.model),
            "messages": convert_messages(messages, self._image_policy()),
        }
        payload.update(params)
        if stream:
            payload["stream"] = True
            if include_usage:
                payload["stream_options"] = {"include_usage": True}
        if preset.usage_opt_in and (include_usage or not stream):
            payload["usage"] = {"include": True}
        return payload

    def _headers(self, stream: bool) -> dict[str, str]:
        headers = {
            "Content-Type": "application/json",
            "Accept": "text/event-stream" if stream else "application/json",
            "User-Agent": f"langchain-visionrouter/{_VERSION}",
        }
        if self.api_key is not None:
            headers["Authorization"] = f"Bearer {self.api_key.get_secret_value()}"
        if self.app_url:
            headers["HTTP-Referer"] = self.app_url
        if self.app_title:
            headers["X-Title"] = self.app_title
            headers["X-OpenRouter-Title"] = self.app_title
        if self.default_headers:
            headers.update(self.default_headers)
        return headers

    def _request(self, payload: dict[str, Any], *, stream: bool) -> RouterRequest:
        assert self.base_url is not None
        return RouterRequest(
            url=self.base_url.rstrip("/") + "/chat/completions",
            headers=self._headers(stream),
            body=json.dumps(payload, ensure_ascii=False, separators=(",", ":")).encode("utf-8"),
            timeout=self.timeout,
            max_retries=self.max_retries,
        )

    # -- generation -------------------------------------------------------------------------

    def _generate(
        self,
        messages: list[BaseMessage],
        stop: list[str] | None = None,
        run_manager: CallbackManagerForLLMRun | None = None,
        **kwargs: Any,
    ) -> ChatResult:
        payload = self._payload(messages, stop, stream=False, **kwargs)
        data = post_json(self._clients, self._request(payload, stream=False))
        return chat_result(data, model_provider=self.preset.provider_label)

    async def _agenerate(
        self,
        messages: list[BaseMessage],
        stop: list[str] | None = None,
        run_manager: AsyncCallbackManagerForLLMRun | None = None,
        **kwargs: Any,
    ) -> ChatResult:
        payload = self._payload(messages, stop, stream=False, **kwargs)
        data = await apost_json(self._clients, self._request(payload, stream=False))
        return chat_result(data, model_provider=self.preset.provider_label)

    def _stream(
        self,
        messages: list[BaseMessage],
        stop: list[str] | None = None,
        run_manager: CallbackManagerForLLMRun | None = None,
        **kwargs: Any,
    ) -> Iterator[ChatGenerationChunk]:
        payload = self._payload(messages, stop, stream=True, **kwargs)
        mapper = StreamMapper(self.preset.provider_label, include_usage="stream_options" in payload)
        events = EventStream(self._clients, self._request(payload, stream=True))
        sent: list[AIMessageChunk] = []
        try:
            for event in events:
                message = mapper.chunk(event)
                if message is None:
                    continue
                sent.append(message)
                chunk = ChatGenerationChunk(message=message)
                if run_manager is not None:
                    run_manager.on_llm_new_token(message.text, chunk=chunk)
                yield chunk
            last = mapper.last_chunk(completed=events.completed)
        except VisionRouterError as exc:
            exc.partial = _partial(sent, mapper)
            raise
        yield ChatGenerationChunk(message=last)

    async def _astream(
        self,
        messages: list[BaseMessage],
        stop: list[str] | None = None,
        run_manager: AsyncCallbackManagerForLLMRun | None = None,
        **kwargs: Any,
    ) -> AsyncIterator[ChatGenerationChunk]:
        payload = self._payload(messages, stop, stream=True, **kwargs)
        mapper = StreamMapper(self.preset.provider_label, include_usage="stream_options" in payload)
        events = AsyncEventStream(self._clients, self._request(payload, stream=True))
        sent: list[AIMessageChunk] = []
        iterator = events.__aiter__()
        try:
            async for event in iterator:
                message = mapper.chunk(event)
                if message is None:
                    continue
                sent.append(message)
                chunk = ChatGenerationChunk(message=message)
                if run_manager is not None:
                    await run_manager.on_llm_new_token(message.text, chunk=chunk)
                yield chunk
            last = mapper.last_chunk(completed=events.completed)
        except VisionRouterError as exc:
            exc.partial = _partial(sent, mapper)
            raise
        finally:
            # Release the connection now, also when the caller stops early or is cancelled.
            await iterator.aclose()  # type: ignore[attr-defined]
        yield ChatGenerationChunk(message=last)

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

        Args:
            tools: The tools the model may call.
            tool_choice: ``"auto"``, ``"none"``, ``"any"``/``"required"`` (must call one), a
                tool name, ``True`` (the only tool), or a chat-completions dict.
            strict: Ask for schema-exact arguments (OpenAI-style ``strict``).
            parallel_tool_calls: Allow several calls in one answer.
            **kwargs: Other request fields, bound alongside.
        """
        formatted = [convert_to_openai_tool(tool, strict=strict) for tool in tools]
        if tool_choice is not None and tool_choice is not False:
            kwargs["tool_choice"] = _tool_choice(tool_choice, formatted)
        if parallel_tool_calls is not None:
            kwargs["parallel_tool_calls"] = parallel_tool_calls
        return super().bind(tools=formatted, **kwargs)

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
        """
        if kwargs:
            raise ValueError(f"Unexpected arguments: {sorted(kwargs)}")
        is_pydantic = isinstance(schema, type) and is_basemodel_subclass(schema)
        parser: Runnable[Any, Any]
        if method == "function_calling":
            if schema is None:
                raise ValueError("method='function_calling' needs a schema.")
            tool = convert_to_openai_tool(schema, strict=strict)
            name = tool["function"]["name"]
            llm = self.bind_tools(
                [schema],
                tool_choice=name,
                strict=strict,
                parallel_tool_calls=False,
                ls_structured_output_format={"kwargs": {"method": method, "strict": strict}, "schema": tool},
            )
            if is_pydantic:
                parser = PydanticToolsParser(tools=[schema], first_tool_only=True)  # type: ignore[list-item]
            else:
                parser = JsonOutputKeyToolsParser(key_name=name, first_tool_only=True)
        elif method == "json_schema":
            if schema is None:
                raise ValueError("method='json_schema' needs a schema.")
            json_schema = convert_to_json_schema(schema)
            spec: dict[str, Any] = {"name": json_schema.get("title") or "output", "schema": json_schema}
            if strict is not None:
                spec["strict"] = strict
            llm = self.bind(
                response_format={"type": "json_schema", "json_schema": spec},
                provider=_require_parameters(self),
                ls_structured_output_format={"kwargs": {"method": method, "strict": strict}, "schema": json_schema},
            )
            parser = PydanticOutputParser(pydantic_object=schema) if is_pydantic else JsonOutputParser()  # type: ignore[arg-type]
        elif method == "json_mode":
            llm = self.bind(
                response_format={"type": "json_object"},
                ls_structured_output_format={"kwargs": {"method": method}, "schema": schema},
            )
            parser = PydanticOutputParser(pydantic_object=schema) if is_pydantic else JsonOutputParser()  # type: ignore[arg-type]
        else:
            raise ValueError(f"method must be 'function_calling', 'json_schema' or 'json_mode', not {method!r}.")

        if not include_raw:
            return llm | parser
        parser_assign = RunnablePassthrough.assign(parsed=itemgetter("raw") | parser, parsing_error=lambda _: None)
        parser_none = RunnablePassthrough.assign(parsed=lambda _: None)
        parser_with_fallback = parser_assign.with_fallbacks([parser_none], exception_key="parsing_error")
        return RunnableMap(raw=llm) | parser_with_fallback


def _tool_choice(choice: dict[str, Any] | str | bool, tools: list[dict[str, Any]]) -> dict[str, Any] | str:
    if isinstance(choice, dict):
        return choice
    if choice is True:
        if len(tools) != 1:
            raise ValueError(f"tool_choice=True needs exactly one tool, got {len(tools)}.")
        return {"type": "function", "function": {"name": tools[0]["function"]["name"]}}
    if choice in ("auto", "none", "required"):
        return choice
    if choice == "any":
        return "required"
    if isinstance(choice, str):
        names = [t["function"]["name"] for t in tools]
        if choice not in names:
            raise ValueError(f"tool_choice={choice!r} is not one of the bound tools: {names}.")
        return {"type": "function", "function": {"name": choice}}
    raise ValueError(f"Unrecognised tool_choice: {choice!r}")


def _require_parameters(model: ChatVisionRouter) -> dict[str, Any]:
    # Without it the router may route to a provider that silently ignores response_format.
    current = model.model_kwargs.get("provider")
    base = dict(current) if isinstance(current, Mapping) else {}
    return {**base, "require_parameters": True}


def _partial(sent: list[AIMessageChunk], mapper: StreamMapper) -> AIMessageChunk:
    """What a failed stream had produced: its chunks summed, plus usage if the router sent it."""
    usage = usage_metadata(mapper.usage)
    tail = AIMessageChunk(content="", usage_metadata=usage, response_metadata=dict(mapper.cost))
    return add_ai_message_chunks(sent[0], *sent[1:], tail) if sent else tail
