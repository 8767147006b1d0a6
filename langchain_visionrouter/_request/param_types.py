"""The router's request objects as typed models: provider preferences, reasoning, plugins...

Open to what the router adds (it changes every few weeks): a field's declared *type* is
checked (a list where a string is due fails before sending), but keys these models do not
declare, and values outside the enums they list, are sent as given. The enums below
document the values known today (``Literal[...] | str``); they are not a whitelist.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Annotated, Any, Literal

from pydantic import (
    BaseModel,
    ConfigDict,
    Discriminator,
    Field,
    Tag,
    model_validator,
)

__all__ = [
    "CacheControl",
    "FileParserPlugin",
    "MaxPrice",
    "Percentiles",
    "Plugin",
    "Prediction",
    "PromptCacheOptions",
    "ProviderPreferences",
    "ProviderSort",
    "ReasoningConfig",
    "RequestObject",
    "SimplePlugin",
    "WebPlugin",
    "file_parser_plugin",
    "web_plugin",
]


class RequestObject(BaseModel):
    """A request object: declared keys are type-checked; keys it does not declare are sent as given.

    (Named for its strict types; the router adds keys faster than a release can follow, so
    an unknown key is passed through, not refused.)
    """

    model_config = ConfigDict(extra="allow", populate_by_name=True)

    def body(self) -> dict[str, Any]:
        """The JSON object sent to the router (unset fields left out)."""
        return self.model_dump(mode="json", exclude_none=True, by_alias=True)


_Price = Annotated[float, Field(ge=0)]


class MaxPrice(RequestObject):
    """Highest price accepted, in USD per million tokens (``request`` per request, ``image`` per image)."""

    prompt: _Price | None = None
    completion: _Price | None = None
    request: _Price | None = None
    image: _Price | None = None
    audio: _Price | None = None
    """Per audio unit."""


class Percentiles(RequestObject):
    """A throughput or latency preference by percentile."""

    p50: Annotated[float, Field(ge=0)] | None = None
    p75: Annotated[float, Field(ge=0)] | None = None
    p90: Annotated[float, Field(ge=0)] | None = None
    p99: Annotated[float, Field(ge=0)] | None = None


class ProviderSort(RequestObject):
    """``sort`` as an object: what to sort by, and how to partition the fallback models."""

    by: Literal["price", "throughput", "latency"] | str
    partition: Literal["model", "none"] | str | None = None


class ProviderPreferences(RequestObject):
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


class ReasoningConfig(RequestObject):
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


class _PDFOptions(RequestObject):
    engine: Literal["mistral-ocr", "cloudflare-ai", "native", "pdf-text"] | str | None = None


class FileParserPlugin(RequestObject):
    """The ``file-parser`` plugin: how PDFs are turned into text for models that cannot read them."""

    id: Literal["file-parser"] = "file-parser"
    pdf: _PDFOptions | None = None
    enabled: bool | None = None


class WebPlugin(RequestObject):
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


class SimplePlugin(RequestObject):
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


class Prediction(RequestObject):
    """Predicted output (speeds up edits of a known text on providers that support it)."""

    type: Literal["content"] = "content"
    content: str


class PromptCacheOptions(RequestObject):
    """Top-level ``prompt_cache_options``: ``mode`` (``"explicit"``) and an optional ``ttl``."""

    mode: Literal["explicit"] | str
    ttl: str | None = None


class CacheControl(RequestObject):
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
