"""LangChain's standard embeddings integration suite for ``VisionRouterEmbeddings``, replayed from cassettes.

As for the chat suite (``test_standard.py``): each test runs against
``cassettes/<Class>.<test>.yaml`` with ``--record-mode=none`` and sockets blocked; every
request must match its cassette on method, URL and JSON body, and every interaction
must be played. The cassettes were written by ``tests/cassette_sources/embeddings.py``:
256-dimension vectors sent as base64, so the suite also checks that they come back as floats.
"""

from __future__ import annotations

from typing import Any

import pytest
from langchain_tests.integration_tests import EmbeddingsIntegrationTests

from langchain_visionrouter import VisionRouterEmbeddings
from langchain_visionrouter.testing import cassette_config
from tests.cassette_sources import embeddings as source
from tests.integration_tests.test_standard import _every_interaction_played  # noqa: F401  (autouse fixture)

pytestmark = pytest.mark.vcr


@pytest.fixture
def vcr_config() -> dict[str, Any]:
    return cassette_config(match="body")


class TestVisionRouterEmbeddingsStandard(EmbeddingsIntegrationTests):
    @property
    def embeddings_class(self) -> type[VisionRouterEmbeddings]:
        return VisionRouterEmbeddings

    @property
    def embedding_model_params(self) -> dict[str, Any]:
        return dict(source.STANDARD_PARAMS)
