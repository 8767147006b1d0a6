"""LangChain chat model for OpenAI-compatible model routers, with images as first-class input.

Everything a user needs is importable from here. Public modules: ``chat_models``
(:class:`ChatVisionRouter`), ``embeddings`` (:class:`VisionRouterEmbeddings`), ``errors``
(the exception tree) and ``testing`` (the cassette helpers, a pytest plugin). The private
subpackages, in the order a call flows through them: ``_request`` (messages -> one
prepared call) -> ``_wire`` (HTTP, SSE) -> ``_response`` (answer -> LangChain objects),
with ``_media`` (images and files), ``_router`` (presets, catalog, model profiles,
usage), ``_batch``, ``_cli`` and ``_cassettes`` beside them; see docs/architecture.md.
"""

from importlib import import_module
from typing import TYPE_CHECKING, Any

from langchain_visionrouter import _legacy
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
    from langchain_visionrouter._batch.engine import BatchItem, BatchResult, BatchRun, run_batch
    from langchain_visionrouter._batch.on_ray import BatchWorker
    from langchain_visionrouter._client.catalog import (
        ModelCatalog,
        clear_catalog_cache,
        list_models,
        supports_images,
    )
    from langchain_visionrouter._client.images import VisionRouterImages
    from langchain_visionrouter._client.rerank import VisionRouterRerank
    from langchain_visionrouter._client.usage import (
        GenerationStats,
        ModelUsage,
        UsageTracker,
        aget_generation,
        get_generation,
        track_usage,
    )
    from langchain_visionrouter._media.av import audio_block, video_block
    from langchain_visionrouter._media.blocks import file_block, image_block
    from langchain_visionrouter._media.save import save_image
    from langchain_visionrouter._request.param_types import (
        ProviderPreferences,
        ReasoningConfig,
        file_parser_plugin,
        web_plugin,
    )
    from langchain_visionrouter._router.model_info import ModelInfo
    from langchain_visionrouter.chat_models import ChatVisionRouter
    from langchain_visionrouter.embeddings import VisionRouterEmbeddings

# Everything that pulls in langchain-core is loaded on first use. The package is also a
# pytest plugin (langchain_visionrouter.testing), loaded in every test session of anyone
# who installs it: that must not cost them langchain-core's import time.
_legacy.install()  # pickles made before the subpackage layout still load

_LAZY = {
    "BatchItem": "_batch.engine",
    "BatchResult": "_batch.engine",
    "BatchRun": "_batch.engine",
    "BatchWorker": "_batch.on_ray",
    "run_batch": "_batch.engine",
    "ChatVisionRouter": "chat_models",
    "VisionRouterEmbeddings": "embeddings",
    "VisionRouterImages": "_client.images",
    "VisionRouterRerank": "_client.rerank",
    "ModelCatalog": "_client.catalog",
    "ModelInfo": "_router.model_info",
    "clear_catalog_cache": "_client.catalog",
    "list_models": "_client.catalog",
    "supports_images": "_client.catalog",
    "file_block": "_media.blocks",
    "image_block": "_media.blocks",
    "audio_block": "_media.av",
    "video_block": "_media.av",
    "save_image": "_media.save",
    "ProviderPreferences": "_request.param_types",
    "ReasoningConfig": "_request.param_types",
    "file_parser_plugin": "_request.param_types",
    "web_plugin": "_request.param_types",
    "GenerationStats": "_client.usage",
    "ModelUsage": "_client.usage",
    "UsageTracker": "_client.usage",
    "aget_generation": "_client.usage",
    "get_generation": "_client.usage",
    "track_usage": "_client.usage",
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
    "VisionRouterImages",
    "VisionRouterRerank",
    "__version__",
    "aget_generation",
    "audio_block",
    "clear_catalog_cache",
    "file_block",
    "file_parser_plugin",
    "get_generation",
    "image_block",
    "list_models",
    "run_batch",
    "save_image",
    "supports_images",
    "track_usage",
    "video_block",
    "web_plugin",
]
