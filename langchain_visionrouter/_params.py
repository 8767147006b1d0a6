"""Router features as typed request parameters: fallbacks, provider routing, plugins, reasoning...

Each parameter is a field of :class:`~langchain_visionrouter.ChatVisionRouter` and may also
be given per call (``invoke(..., provider=...)``, ``.bind(...)``). Both are validated by the
same pydantic models here, so a wrong type fails before any request is made.
:func:`router_body` is the pure function that turns the model's values, the per-call
values and the router preset into request-body fields.

Merging: a per-call mapping (``provider``, ``reasoning``, ``trace``, ``router_metadata``)
merges key by key with the constructor's, the per-call value winning; any other per-call
value replaces the constructor's; a per-call ``None`` removes it for that call.

Open to what the router adds (it changes every few weeks): a field's declared *type* is
checked (a list where a string is due fails before sending), but keys these models do not
declare, and values outside the enums they list, are sent as given. The enums below
document the values known today (``Literal[...] | str``); they are not a whitelist.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Annotated, Any, Literal

from pydantic import (
    AfterValidator,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Discriminator,
    Field,
    StrictFloat,
    StrictInt,
    StrictStr,
    Tag,
    TypeAdapter,
    ValidationError,
    model_validator,
)

from langchain_visionrouter._routers import RouterPreset
from langchain_visionrouter.errors import InvalidInputError

__all__ = [
    "ROUTER_PARAMS",
    "CacheControl",
    "FileParserPlugin",
    "MaxPrice",
    "Plugin",
    "Prediction",
    "PromptCacheOptions",
    "ProviderPreferences",
    "ReasoningConfig",
    "RouterParams",
    "SimplePlugin",
    "WebPlugin",
    "check_extra_body",
    "file_parser_plugin",
    "merge_params",
    "router_body",
    "validate_param",
    "web_plugin",
    "wire_name",
]


class _Strict(BaseModel):
    """A request object: declared keys are type-checked; keys it does not declare are sent as given.

    (Named for its strict types; the router adds keys faster than a release can follow, so
    an unknown key is passed through, not refused.)
    """

    model_config = ConfigDict(extra="allow", populate_by_name=True)

    def body(self) -> dict[str, Any]:
        """The JSON object sent to the router (unset fields left out)."""
        return self.model_dump(mode="json", exclude_none=True, by_alias=True)


_Price = Annotated[float, Field(ge=0)]


class MaxPrice(_Strict):
    """Highest price accepted, in USD per million tokens (``request`` per request, ``image`` per image)."""

    prompt: _Price | None = None
    completion: _Price | None = None
    request: _Price | None = None
    image: _Price | None = None
    audio: _Price | None = None
    """Per audio unit."""


class Percentiles(_Strict):
    """A throughput or latency preference by percentile."""

    p50: Annotated[float, Field(ge=0)] | None = None
    p75: Annotated[float, Field(ge=0)] | None = None
    p90: Annotated[float, Field(ge=0)] | None = None
    p99: Annotated[float, Field(ge=0)] | None = None


class ProviderSort(_Strict):
    """``sort`` as an object: what to sort by, and how to partition the fallback models."""

    by: Literal["price", "throughput", "latency"] | str
    partition: Literal["model", "none"] | str | None = None


class ProviderPreferences(_Strict):
    """Which upstream providers may serve a request, in what order, under which constraints.

    Sent as the request's ``provider`` object. Declared keys are type-checked; a key not
    declared here is sent as given (the router may know it before this package does).

    Example:
        .. code-block:: python

            ProviderPreferences(order=["anthropic", "amazon-bedrock"], allow_fallbacks=False,
                                data_collection="deny", max_price={"prompt": 1, "completion": 5})
    """

    order: list[str] | None = None
    """Provider slugs to try, in order."""
    allow_fallbacks: bool | None = None
    """Whether other providers may serve when the ordered ones fail (router default: true)."""
    require_parameters: bool | None = None
    """Only route to providers that support every parameter sent (Infron's default: true)."""
    data_collection: Literal["allow", "deny"] | str | None = None
    """``"deny"``: only providers that do not store or train on prompts."""
    zdr: bool | None = None
    """Only zero-data-retention endpoints."""
    only: list[str] | None = None
    """Provider slugs allowed for this request."""
    ignore: list[str] | None = None
    """Provider slugs never used for this request."""
    quantizations: list[str] | None = None
    """Allowed quantization levels (``"fp8"``, ``"bf16"``...)."""
    sort: Literal["price", "throughput", "latency", "exacto"] | str | ProviderSort | None = None
    """Sort providers by price, throughput or latency instead of the router's load balancing."""
    max_price: MaxPrice | None = None
    """Highest acceptable price (USD per million tokens). Not supported by Infron."""
    preferred_min_throughput: Annotated[float, Field(ge=0)] | Percentiles | None = None
    """Preferred minimum throughput, tokens per second (or by percentile)."""
    preferred_max_latency: Annotated[float, Field(ge=0)] | Percentiles | None = None
    """Preferred maximum latency to first token, seconds (or by percentile)."""
    enforce_distillable_text: bool | None = None
    """Only providers whose terms allow distilling the output text."""


class ReasoningConfig(_Strict):
    """Reasoning ("thinking") settings, sent as the request's ``reasoning`` object.

    Give ``effort`` *or* ``max_tokens``, not both. ``exclude=True`` makes the model reason
    without returning the reasoning; ``enabled=True`` turns reasoning on at the default effort.
    ``summary`` asks for a reasoning summary (``"auto"``, ``"concise"``, ``"detailed"``).
    """

    effort: Literal["max", "xhigh", "high", "medium", "low", "minimal", "none"] | str | None = None
    summary: Literal["auto", "concise", "detailed"] | str | None = None
    max_tokens: Annotated[int, Field(gt=0)] | None = None
    exclude: bool | None = None
    enabled: bool | None = None

    @model_validator(mode="after")
    def _one_budget(self) -> ReasoningConfig:
        if self.effort is not None and self.max_tokens is not None:
            msg = (
                "reasoning: give 'effort' or 'max_tokens', not both "
                f"(got effort={self.effort!r}, max_tokens={self.max_tokens})"
            )
            raise ValueError(msg)
        return self


class _PDFOptions(_Strict):
    engine: Literal["mistral-ocr", "cloudflare-ai", "native", "pdf-text"] | str | None = None


class FileParserPlugin(_Strict):
    """The ``file-parser`` plugin: how PDFs are turned into text for models that cannot read them."""

    id: Literal["file-parser"] = "file-parser"
    pdf: _PDFOptions | None = None
    enabled: bool | None = None


class WebPlugin(_Strict):
    """The ``web`` plugin: web search results added to the prompt, with ``url_citation`` annotations."""

    id: Literal["web"] = "web"
    max_results: Annotated[int, Field(gt=0)] | None = None
    max_uses: Annotated[int, Field(gt=0)] | None = None
    search_prompt: str | None = None
    engine: Annotated[str, Field(min_length=1)] | None = None
    mode: str | None = None
    include_domains: list[str] | None = None
    exclude_domains: list[str] | None = None
    user_location: dict[str, Any] | None = None
    """``{"type": "approximate", "city", "region", "country", "timezone"}``."""
    enabled: bool | None = None


class SimplePlugin(_Strict):
    """Any other plugin, by ``id``: ``response-healing``, ``context-compression`` (``engine``),
    ``web-fetch``, ``moderation``, ``auto-router``, ``pareto-router``, ``fusion``, or one
    newer than this package. Its options are sent as given (extra keys)."""

    id: Annotated[str, Field(min_length=1)]
    enabled: bool | None = None


def _plugin_kind(value: Any) -> str | None:
    # The router's plugins[] is a oneOf by id; ids without a typed model here are sent as
    # given (the docs list ids the spec lacks, and new ones appear), so no id is refused.
    plugin_id = value.get("id") if isinstance(value, Mapping) else getattr(value, "id", None)
    if plugin_id is None:
        return None  # -> "needs an id"
    return plugin_id if plugin_id in ("file-parser", "web") else "other"


Plugin = Annotated[
    Annotated[FileParserPlugin, Tag("file-parser")]
    | Annotated[WebPlugin, Tag("web")]
    | Annotated[SimplePlugin, Tag("other")],
    Discriminator(_plugin_kind, custom_error_type="plugin_id", custom_error_message="a plugin needs an 'id'"),
]


class Prediction(_Strict):
    """Predicted output (speeds up edits of a known text on providers that support it)."""

    type: Literal["content"] = "content"
    content: str


class PromptCacheOptions(_Strict):
    """Top-level ``prompt_cache_options``: ``mode`` (``"explicit"``) and an optional ``ttl``."""

    mode: Literal["explicit"] | str
    ttl: str | None = None


class CacheControl(_Strict):
    """Top-level prompt caching (``{"type": "ephemeral"}``), on providers that support it."""

    type: Literal["ephemeral"] | str = "ephemeral"
    ttl: Literal["5m", "1h"] | str | None = None


def file_parser_plugin(engine: Literal["mistral-ocr", "cloudflare-ai", "native", "pdf-text"]) -> FileParserPlugin:
    """The ``file-parser`` plugin with a PDF ``engine``.

    Args:
        engine: ``"mistral-ocr"`` (scans and images, paid), ``"cloudflare-ai"`` (free text
            extraction; ``"pdf-text"`` is its deprecated name) or ``"native"`` (the model's
            own file input, where it has one).
    """
    return FileParserPlugin(pdf=_PDFOptions(engine=engine))


def web_plugin(
    *, max_results: int | None = None, search_prompt: str | None = None, engine: str | None = None
) -> WebPlugin:
    """The ``web`` search plugin (the same as a model id ending in ``:online``).

    Args:
        max_results: How many results to add to the prompt.
        search_prompt: The text that introduces the results.
        engine: The search engine (``"native"``, ``"exa"``...); the router picks when unset.
    """
    return WebPlugin(max_results=max_results, search_prompt=search_prompt, engine=engine)


# -- the router's request fields, declared once ------------------------------------------

_Unit = Annotated[float, Field(ge=0, le=1)]
# Token ids, as JSON object keys (ints are accepted and sent as strings).
_TokenId = Annotated[str, BeforeValidator(lambda v: str(v) if type(v) is int else v), Field(pattern=r"^\d+$")]
_MERGED = frozenset({"provider", "reasoning", "trace", "router_metadata"})
# Kept as the JSON it is sent as: plain data (serializable with langchain_core.load,
# comparable, cheap to send), validated through its declared type first.
_AsJson = AfterValidator(lambda value: _to_json(value))


def _no_string(value: Any) -> Any:
    if isinstance(value, str):  # a str is a sequence of characters: say what was meant
        raise ValueError(f"expected a list of model ids, got the string {value!r}")
    return value


def _list_not_string(value: Any) -> Any:
    if isinstance(value, str):
        raise ValueError(f"expected a list, e.g. [{value!r}], got the string {value!r}")
    return value


class RouterParams(BaseModel):
    """The router's own request fields, as ``ChatVisionRouter`` fields and per-call keywords.

    Declared here once: ``ChatVisionRouter`` inherits them, and per-call values are
    validated through the same declared types (see :func:`validate_param`).
    """

    models: (
        Annotated[list[Annotated[str, Field(min_length=1)]], BeforeValidator(_no_string), Field(min_length=1), _AsJson]
        | None
    ) = None
    """Fallback model ids, tried in order when the one before fails (``fallback_models`` on Infron)."""
    provider: Annotated[ProviderPreferences, _AsJson] | None = None
    """Provider routing preferences: a ``ProviderPreferences`` or a dict of its keys."""
    plugins: Annotated[list[Plugin], _AsJson] | None = None
    """Router plugins, e.g. ``[file_parser_plugin("mistral-ocr"), web_plugin(max_results=3)]``."""
    reasoning: Annotated[ReasoningConfig, _AsJson] | None = None
    """Reasoning settings: ``effort`` or ``max_tokens``, ``exclude``, ``enabled``."""
    route: Literal["fallback"] | str | None = None
    """Legacy routing mode."""
    transforms: list[str] | None = None
    """Prompt transforms (legacy), e.g. ``["middle-out"]``; ``[]`` turns them off."""
    session_id: Annotated[str, Field(min_length=1, max_length=256)] | None = None
    """Groups requests into one session in the router's observability (<= 256 characters)."""
    trace: dict[str, Any] | None = None
    """Trace fields passed to the router's observability integrations."""
    router_metadata: Annotated[dict[str, str], Field(max_length=16)] | None = None
    """Sent as the router's ``metadata`` (<= 16 string pairs); LangChain's ``metadata`` is for tracing."""
    user: Annotated[str, Field(min_length=1)] | None = None
    """Your end user's id, for the router's abuse detection and reports."""
    top_k: Annotated[int, Field(ge=0)] | None = None
    repetition_penalty: Annotated[float, Field(gt=0, le=2)] | None = None
    min_p: _Unit | None = None
    top_a: _Unit | None = None
    logit_bias: dict[_TokenId, Annotated[float, Field(ge=-100, le=100)]] | None = None
    """Token id -> bias (-100 to 100)."""
    logprobs: bool | None = None
    top_logprobs: Annotated[int, Field(ge=0, le=20)] | None = None
    """Most likely tokens to return per position (0-20); needs ``logprobs=True``."""
    prediction: Annotated[Prediction, _AsJson] | None = None
    """Predicted output: ``{"type": "content", "content": "..."}``."""
    cache_control: Annotated[CacheControl, _AsJson] | None = None
    """Automatic prompt caching: ``{"type": "ephemeral"}``."""
    prompt_cache_key: Annotated[str, Field(min_length=1)] | None = None
    """Prompt-cache key; also the sticky-routing key when no ``session_id`` is sent."""
    prompt_cache_options: Annotated[PromptCacheOptions, _AsJson] | None = None
    """``{"mode": "explicit", "ttl": "30m"}``: explicit prompt caching (OpenAI GPT-5.6+)."""
    modalities: Annotated[list[Annotated[str, Field(min_length=1)]], BeforeValidator(_list_not_string)] | None = None
    """Output modalities: ``["image", "text"]`` (image and text), ``["image"]`` (image-only
    models), ``["text", "audio"]``. Generated images and audio come back as content blocks."""
    # Values: string, number or array (the spec's ImageConfig; no booleans, no bare objects).
    image_config: dict[str, StrictStr | StrictInt | StrictFloat | list[Any]] | None = None
    """Image-generation options, e.g. ``{"aspect_ratio": "16:9", "image_size": "4K"}`` (keys vary by model)."""
    audio: dict[str, Any] | None = None
    """Audio output options, e.g. ``{"voice": "alloy", "format": "wav"}`` (with ``modalities`` holding ``"audio"``)."""
    router_preset: Annotated[str, Field(min_length=1)] | None = None
    """Sent as the router's ``preset``: a preset's slug (its saved settings apply, the request's
    fields override them). Named so as not to clash with ``ChatVisionRouter.preset`` (the router)."""


#: Names of the router parameters, as ``ChatVisionRouter`` fields and per-call keywords.
ROUTER_PARAMS: tuple[str, ...] = tuple(RouterParams.model_fields)
# The request field a parameter is sent as, where it is not its own name (``models`` is per router).
_WIRE_NAMES = {"router_metadata": "metadata", "router_preset": "preset"}
_ADAPTERS: dict[str, TypeAdapter[Any]] = {}


def _adapter(name: str) -> TypeAdapter[Any]:
    adapter = _ADAPTERS.get(name)
    if adapter is None:  # built on first use: keeps the import cheap
        field = RouterParams.model_fields[name]
        adapter = _ADAPTERS[name] = TypeAdapter(field.rebuild_annotation())
    return adapter


# Names pydantic gives the branches of a union (``Literal[...] | str``) in an error's location:
# not the user's words, so left out, and the branches' messages joined with "or".
_BRANCH = re.compile(r"^(literal\[.*\]|str|int|float|bool|none|list\[.*\]|dict\[.*\]|function-.*|constrained-.*)$")


def _explain(error: ValidationError) -> str:
    items = error.errors()
    # An open enum (Literal[...] | str) that got no string: its known values are no limit, so
    # only "should be a valid string" is said.
    open_enums = {item["loc"][:-1] for item in items if item["loc"] and item["loc"][-1] == "str"}
    by_loc: dict[str, list[str]] = {}
    for item in items:
        if item["loc"][:-1] in open_enums and str(item["loc"][-1]).startswith("literal["):
            continue
        loc = ".".join(str(p) for p in item["loc"] if not _BRANCH.match(str(p)))
        text = str(item["msg"]).removeprefix("Value error, ")
        if text not in by_loc.setdefault(loc, []):
            by_loc[loc].append(text)
    return "; ".join(f"{loc}: {' or '.join(texts)}" if loc else " or ".join(texts) for loc, texts in by_loc.items())


def validate_param(name: str, value: Any, *, where: str = "per call") -> Any:
    """Validate one router parameter; return it as the JSON the router is sent.

    Raises:
        InvalidInputError: naming the parameter, what was wrong and where it was given.
    """
    if name not in RouterParams.model_fields:
        raise InvalidInputError(f"unknown router parameter {name!r}; known: {', '.join(ROUTER_PARAMS)}")
    try:
        return _adapter(name).validate_python(value)
    except ValidationError as exc:
        raise InvalidInputError(f"{name} ({where}): {_explain(exc)}") from None


def _as_dict(value: Any) -> dict[str, Any]:
    if isinstance(value, BaseModel):
        return value.model_dump(exclude_unset=True)
    return dict(value)


def merge_params(name: str, base: Any, call: Any) -> Any:
    """Combine a constructor value with a per-call value (see the module docstring)."""
    if call is None or base is None or name not in _MERGED:
        return call
    merged = _as_dict(base)
    update = _as_dict(call)
    if name == "reasoning" and ({"effort", "max_tokens"} & update.keys()):
        # The call chose its own budget style: the constructor's other one gives way.
        merged.pop("effort", None)
        merged.pop("max_tokens", None)
    merged.update(update)
    return merged


def _to_json(value: Any) -> Any:
    if isinstance(value, _Strict):
        return value.body()
    if isinstance(value, list):
        return [_to_json(v) for v in value]
    return value


def check_extra_body(value: Any, where: str) -> None:
    """Refuse an ``extra_body``/``model_kwargs`` that is not an object of fields, or sets ``stream``.

    Raises:
        InvalidInputError: naming where it was given.
    """
    if value is None:
        return
    if not isinstance(value, Mapping) or not all(isinstance(k, str) for k in value):
        raise InvalidInputError(f"{where}: expected a dict of request-body fields, got {type(value).__name__}.")
    if "stream" in value:
        msg = (
            f"{where} must not set 'stream': the adapter reads the answer by it. "
            "Use stream()/astream() or streaming=True."
        )
        raise InvalidInputError(msg)


def wire_name(name: str, preset: RouterPreset) -> str:
    """The request field a router parameter is sent as (``models`` is per router)."""
    return preset.fallback_models_field if name == "models" else _WIRE_NAMES.get(name, name)


def router_body(fields: Mapping[str, Any], call: Mapping[str, Any], preset: RouterPreset) -> dict[str, Any]:
    """The request-body fields for the router parameters.

    Args:
        fields: The model's values (``ChatVisionRouter`` fields, already normalized), by name.
        call: Per-call values by name (``invoke``/``bind`` keywords), validated here.
        preset: The router, for its dialect (``fallback_models`` on Infron, unsupported keys).

    Raises:
        InvalidInputError: for an invalid value, naming the parameter, or a combination the
            router cannot take.
    """
    values: dict[str, Any] = {name: v for name, v in fields.items() if v is not None}
    for name, value in call.items():
        if value is None:
            values.pop(name, None)
            continue
        merged = merge_params(name, values.get(name), value)
        values[name] = validate_param(name, merged, where="per call" if merged is value else "per call, merged")
    if not values:
        return {}
    if values.get("top_logprobs") is not None and values.get("logprobs") is not True:
        raise InvalidInputError("top_logprobs needs logprobs=True: set both.")
    provider = _to_json(values.get("provider"))
    if isinstance(provider, Mapping):
        unsupported = sorted(k for k in preset.unsupported_provider_keys if provider.get(k) is not None)
        if unsupported:
            msg = f"provider: {preset.name} does not support {unsupported}; remove them for this router."
            raise InvalidInputError(msg)
    body: dict[str, Any] = {}
    for name, value in values.items():
        body[wire_name(name, preset)] = _to_json(value)
    return body
