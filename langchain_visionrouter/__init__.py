"""LangChain chat model for OpenAI-compatible model routers, with images as first-class input.

Data flows ``messages`` (LangChain messages -> request JSON) -> ``transport`` (HTTP,
SSE, retries, errors) -> ``responses`` (JSON and chunks -> messages), tied together
by :class:`ChatVisionRouter` in ``chat_models``.
"""

from importlib import import_module
from typing import TYPE_CHECKING, Any

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
from langchain_visionrouter.routers import ROUTERS, RouterPreset

if TYPE_CHECKING:
    from langchain_visionrouter.catalog import (
        ModelCatalog,
        ModelInfo,
        clear_catalog_cache,
        list_models,
        supports_images,
    )
    from langchain_visionrouter.chat_models import ChatVisionRouter
    from langchain_visionrouter.images import file_block, image_block
    from langchain_visionrouter.params import (
        ProviderPreferences,
        ReasoningConfig,
        file_parser_plugin,
        web_plugin,
    )
    from langchain_visionrouter.usage import (
        GenerationStats,
        ModelUsage,
        UsageTracker,
        aget_generation,
        get_generation,
        track_usage,
    )

# Everything that pulls in langchain-core is loaded on first use. The package is also a
# pytest plugin (langchain_visionrouter.testing), loaded in every test session of anyone
# who installs it: that must not cost them langchain-core's import time.
_LAZY = {
    "ChatVisionRouter": "chat_models",
    "ModelCatalog": "catalog",
    "ModelInfo": "catalog",
    "clear_catalog_cache": "catalog",
    "list_models": "catalog",
    "supports_images": "catalog",
    "file_block": "images",
    "image_block": "images",
    "ProviderPreferences": "params",
    "ReasoningConfig": "params",
    "file_parser_plugin": "params",
    "web_plugin": "params",
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


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(_LAZY))


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
