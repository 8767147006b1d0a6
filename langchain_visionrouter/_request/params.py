"""Router features as typed request parameters: fallbacks, provider routing, plugins, reasoning...

Each parameter is a field of :class:`~langchain_visionrouter.ChatVisionRouter` and may also
be given per call (``invoke(..., provider=...)``, ``.bind(...)``). Both are validated by the
same pydantic models here, so a wrong type fails before any request is made.
:func:`router_body` is the pure function that turns the model's values, the per-call
values and the router preset into request-body fields.

Merging: a per-call mapping (``provider``, ``reasoning``, ``trace``, ``router_metadata``)
merges key by key with the constructor's, the per-call value winning; any other per-call
value replaces the constructor's; a per-call ``None`` removes it for that call.

Open to what the router adds: declared types are checked, undeclared keys and enum values
pass (see :mod:`~langchain_visionrouter._request.param_types`, home of the typed request objects).
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Annotated, Any, Literal

from pydantic import (
    AfterValidator,
    BaseModel,
    BeforeValidator,
    Field,
    StrictFloat,
    StrictInt,
    StrictStr,
    TypeAdapter,
    ValidationError,
)

from langchain_visionrouter._request.param_types import (
    CacheControl,
    Plugin,
    Prediction,
    PromptCacheOptions,
    ProviderPreferences,
    ReasoningConfig,
    RequestObject,
)
from langchain_visionrouter._router.presets import RouterPreset
from langchain_visionrouter.errors import InvalidInputError

__all__ = [
    "ROUTER_PARAMS",
    "RouterParams",
    "check_extra_body",
    "merge_params",
    "router_body",
    "validate_param",
    "wire_name",
]


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
    if isinstance(value, RequestObject):
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
