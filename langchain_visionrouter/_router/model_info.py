"""The router's model list as data: :class:`ModelInfo`, parsed from either schema, filtered. Pure.

Two schemas are read. OpenRouter nests modalities under ``architecture`` and gives prices
as strings in USD per token; Infron puts ``input_modalities``/``output_modalities`` at the
top level of each model, with inconsistent casing, and gives prices as numbers in USD per
million tokens. Both become the same :class:`ModelInfo`. The package's small snapshot of
profiles (``model_profiles.json``) answers without a fetch.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from importlib import resources
from typing import Any, cast

from langchain_core.language_models.model_profile import ModelProfile

from langchain_visionrouter._wire import router_errors as _errors

__all__ = [
    "ModelInfo",
    "bundled_profile",
    "filter_models",
    "find_model",
    "parse_model",
    "parse_models",
    "preset_model",
]

# Suffixes that pick a routing variant of a listed model (":online" is the web plugin).
_VARIANT_SUFFIXES = (":online", ":nitro", ":floor", ":exacto", ":thinking")


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

    @property
    def capabilities(self) -> dict[str, Any]:
        """Image models (``GET /images/models``): each request field the model takes -> its
        capability descriptor (``{"type": "enum", "values": [...]}``, ``{"type": "range", "min",
        "max"}``, ``{"type": "boolean"}``); empty for other listings."""
        params = self.raw.get("supported_parameters")
        return {k: v for k, v in params.items() if isinstance(k, str)} if isinstance(params, Mapping) else {}

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
        # A list on /models; on /images/models a map of parameter -> capability descriptor
        # (``{"type": "enum", "values": [...]}``), kept whole in ``raw``.
        supported_parameters=_lower_set(list(params)) if isinstance(params, (list, Mapping)) else None,
        prompt_price=_price(pricing.get("prompt", pricing.get("input")), per_token),
        completion_price=_price(pricing.get("completion", pricing.get("output")), per_token),
        raw=entry,
    )


def parse_models(body: Any) -> list[ModelInfo]:
    """A ``/models`` answer (``{"data": [...]}`` or a bare list) -> its models, in order."""
    entries = body.get("data") if isinstance(body, Mapping) else body
    if not isinstance(entries, list):
        raise _errors.unexpected_answer("its /models answer has no model list", body)
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
