"""The public surface, pinned: a name added to or dropped from it must change this file too."""

from __future__ import annotations

import importlib
import pkgutil

import langchain_visionrouter

EXPECTED_ALL = [
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
PUBLIC_MODULES = {"chat_models", "embeddings", "errors", "testing"}


def test_all_is_pinned() -> None:
    assert sorted(langchain_visionrouter.__all__) == sorted(EXPECTED_ALL)


def test_every_exported_name_resolves() -> None:
    for name in EXPECTED_ALL:
        assert getattr(langchain_visionrouter, name) is not None, name
    assert set(EXPECTED_ALL) <= set(dir(langchain_visionrouter))


def test_only_the_documented_modules_are_public() -> None:
    names = {m.name for m in pkgutil.iter_modules(langchain_visionrouter.__path__)}
    assert {n for n in names if not n.startswith("_")} == PUBLIC_MODULES


def test_public_modules_export_what_they_define() -> None:
    for module_name in PUBLIC_MODULES:
        module = importlib.import_module(f"langchain_visionrouter.{module_name}")
        for name in module.__all__:
            assert hasattr(module, name), f"{module_name}.{name}"


def test_errors_are_the_same_objects_everywhere() -> None:
    from langchain_visionrouter import errors

    for name in errors.__all__:
        assert getattr(langchain_visionrouter, name) is getattr(errors, name)


def test_version_comes_from_the_package_metadata() -> None:
    from importlib.metadata import version

    assert langchain_visionrouter.__version__ == version("langchain-visionrouter")
