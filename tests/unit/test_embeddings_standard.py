"""LangChain's standard embeddings unit suite for ``VisionRouterEmbeddings``."""

from __future__ import annotations

from typing import Any

from langchain_tests.unit_tests import EmbeddingsUnitTests

from langchain_visionrouter import VisionRouterEmbeddings


class TestVisionRouterEmbeddingsUnit(EmbeddingsUnitTests):
    @property
    def embeddings_class(self) -> type[VisionRouterEmbeddings]:
        return VisionRouterEmbeddings

    @property
    def embedding_model_params(self) -> dict[str, Any]:
        return {"model": "openai/text-embedding-3-small", "dimensions": 256}

    @property
    def init_from_env_params(self) -> tuple[dict[str, str], dict[str, Any], dict[str, Any]]:
        return (
            {"OPENROUTER_API_KEY": "sk-or-from-the-environment", "VISIONROUTER_BASE_URL": "http://127.0.0.1:9/v1"},
            {"model": "openai/text-embedding-3-small"},
            {"api_key": "sk-or-from-the-environment", "base_url": "http://127.0.0.1:9/v1"},
        )
