"""LangChain chat model for OpenAI-compatible model routers, with images as first-class input.

Data flows ``messages`` (LangChain messages -> request JSON) -> ``transport`` (HTTP,
SSE, retries, errors) -> ``responses`` (JSON and chunks -> messages), tied together
by :class:`ChatVisionRouter` in ``chat_models``.
"""

from importlib import import_module
from typing import TYPE_CHECKING, Any

from langchain_visionrouter.catalog import (
    ModelCatalog,
    ModelInfo,
    clear_catalog_cache,
    list_models,
    supports_images,
)
from langchain_visionrouter.chat_models import ChatVisionRouter
from langchain_visionrouter.errors import (
    APIConnectionError,
    AuthenticationError,
    BadRequestError,
    ImageInputError,
    InsufficientCreditsError,
    InvalidInputError,
    NotFoundError,
    PermissionDeniedError,
    ProviderError,
    RateLimitError,
    RequestTimeoutError,
    StreamError,
    VisionRouterError,
)
from langchain_visionrouter.images import file_block, image_block
from langchain_visionrouter.params import (
    ProviderPreferences,
    ReasoningConfig,
    file_parser_plugin,
    web_plugin,
)
from langchain_visionrouter.routers import ROUTERS, RouterPreset

if TYPE_CHECKING:
    from langchain_visionrouter.usage import (
        GenerationStats,
        ModelUsage,
        UsageTracker,
        aget_generation,
        get_generation,
        track_usage,
    )

# Loaded on first use: the usage module pulls in LangChain's tracer machinery, which
# building and calling a model does not need (python -m benchmarks: import time).
_LAZY = {
    "GenerationStats": "usage",
    "ModelUsage": "usage",
    "UsageTracker": "usage",
    "aget_generation": "usage",
    "get_generation": "usage",
    "track_usage": "usage",
}


def __getattr__(name: str) -> Any:
    module = _LAZY.get(name)
    if module is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    value = getattr(import_module(f"langchain_visionrouter.{module}"), name)
    globals()[name] = value
    return value


__version__ = "0.1.0"

__all__ = [
    "ROUTERS",
    "APIConnectionError",
    "AuthenticationError",
    "BadRequestError",
    "ChatVisionRouter",
    "GenerationStats",
    "ImageInputError",
    "InsufficientCreditsError",
    "InvalidInputError",
    "ModelCatalog",
    "ModelInfo",
    "ModelUsage",
    "NotFoundError",
    "PermissionDeniedError",
    "ProviderError",
    "ProviderPreferences",
    "RateLimitError",
    "ReasoningConfig",
    "RequestTimeoutError",
    "RouterPreset",
    "StreamError",
    "UsageTracker",
    "VisionRouterError",
    "__version__",
    "aget_generation",
    "clear_catalog_cache",
    "file_block",
    "file_parser_plugin",
    "get_generation",
    "image_block",
    "list_models",
    "supports_images",
    "track_usage",
    "web_plugin",
]
