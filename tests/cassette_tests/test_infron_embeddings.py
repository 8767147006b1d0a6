"""Infron embeddings (issue 23), replayed from a cassette written from Infron's API overview."""

from __future__ import annotations

import json
from typing import Any

import httpx
import pytest

from langchain_visionrouter import VisionRouterEmbeddings
from tests.cassette_tools import load, request_json, response_json

pytestmark = pytest.mark.vcr


@pytest.mark.default_cassette("infron_embeddings.yaml")
def test_infron_embeddings_at_its_documented_endpoint() -> None:
    (interaction,) = load("infron_embeddings")
    sent: list[Any] = []
    urls: list[str] = []

    def hook(request: httpx.Request) -> None:
        sent.append(json.loads(request.content))
        urls.append(str(request.url))

    with httpx.Client(event_hooks={"request": [hook]}) as client:
        emb = VisionRouterEmbeddings(
            router="infron", model="openai/text-embedding-3-small", api_key="infron-key", dimensions=4,
            http_client=client,
        )  # fmt: skip
        vectors = emb.embed_documents(["first text", "second text"])
    assert urls == ["https://llm.onerouter.pro/v1/embeddings"]
    assert sent == [request_json(interaction)]
    data = sorted(response_json(interaction)["data"], key=lambda d: d["index"])
    assert vectors == [d["embedding"] for d in data]  # in input order, though they came back reversed
