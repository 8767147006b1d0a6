"""LangChain chat model for OpenAI-compatible model routers, with images as first-class input.

Everything a user needs is importable from here; the modules behind it are private
(``_messages`` -> ``_body`` -> ``_http``/``_sse`` -> ``_responses``, tied together by
:class:`ChatVisionRouter` in ``chat_models``). Public modules: ``chat_models``,
``embeddings`` (:class:`VisionRouterEmbeddings`), ``errors`` (the exception tree) and
``testing`` (the cassette helpers, a pytest plugin).
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

if TYPE_CHECKING:
    from langchain_visionrouter._batch import BatchItem, BatchResult, BatchRun, run_batch
    from langchain_visionrouter._batch_ray import BatchWorker
    from langchain_visionrouter._catalog import (
        ModelCatalog,
        clear_catalog_cache,
        list_models,
        supports_images,
    )
    from langchain_visionrouter._image_blocks import file_block, image_block
    from langchain_visionrouter._model_info import ModelInfo
    from langchain_visionrouter._param_types import (
        ProviderPreferences,
        ReasoningConfig,
        file_parser_plugin,
        web_plugin,
    )
    from langchain_visionrouter._usage import (
        GenerationStats,
        ModelUsage,
        UsageTracker,
        aget_generation,
        get_generation,
        track_usage,
    )
    from langchain_visionrouter.chat_models import ChatVisionRouter
    from langchain_visionrouter.embeddings import VisionRouterEmbeddings

# Everything that pulls in langchain-core is loaded on first use. The package is also a
# pytest plugin (langchain_visionrouter.testing), loaded in every test session of anyone
# who installs it: that must not cost them langchain-core's import time.
_LAZY = {
    "BatchItem": "_batch",
    "BatchResult": "_batch",
    "BatchRun": "_batch",
    "BatchWorker": "_batch_ray",
    "run_batch": "_batch",
    "ChatVisionRouter": "chat_models",
    "VisionRouterEmbeddings": "embeddings",
    "ModelCatalog": "_catalog",
    "ModelInfo": "_model_info",
    "clear_catalog_cache": "_catalog",
    "list_models": "_catalog",
    "supports_images": "_catalog",
    "file_block": "_image_blocks",
    "image_block": "_image_blocks",
    "ProviderPreferences": "_param_types",
    "ReasoningConfig": "_param_types",
    "file_parser_plugin": "_param_types",
    "web_plugin": "_param_types",
    "GenerationStats": "_usage",
    "ModelUsage": "_usage",
    "UsageTracker": "_usage",
    "aget_generation": "_usage",
    "get_generation": "_usage",
    "track_usage": "_usage",
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


def _package_version() -> str:
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version("langchain-visionrouter")
    except PackageNotFoundError:  # run from a source tree that was never installed
        return "0+unknown"


__version__ = _package_version()

__all__ = [
    "APIConnectionError",
    "AuthenticationError",
    "BadRequestError",
    "BatchItem",
    "BatchResult",
    "BatchRun",
    "BatchWorker",
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
    "StreamError",
    "UsageTracker",
    "VisionRouterEmbeddings",
    "VisionRouterError",
    "__version__",
    "aget_generation",
    "clear_catalog_cache",
    "file_block",
    "file_parser_plugin",
    "get_generation",
    "image_block",
    "list_models",
    "run_batch",
    "supports_images",
    "track_usage",
    "web_plugin",
]
