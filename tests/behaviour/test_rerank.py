"""``VisionRouterRerank`` against the loopback router speaking the rerank API's documented wire format:
text and image documents ordered by the router's scores, inside ``ContextualCompressionRetriever`` too."""

from __future__ import annotations

import base64
from typing import Any

import pytest
from langchain_classic.retrievers import ContextualCompressionRetriever
from langchain_core.documents import Document
from langchain_core.embeddings import DeterministicFakeEmbedding
from langchain_core.vectorstores import InMemoryVectorStore

from langchain_visionrouter import InvalidInputError, ProviderError, VisionRouterRerank, track_usage
from tests.catalog_data import paths
from tests.fakerouter import Recorded, Scripted, answer
from tests.wire import png

MODEL = "cohere/rerank-4-pro"
BIKE = png(16, 16, seed=1)


def reranked(scores: dict[int, float], *, cost: float = 0.001, echo: list[Any] | None = None) -> dict[str, Any]:
    order = sorted(scores, key=lambda i: -scores[i])
    results = []
    for i in order:
        item: dict[str, Any] = {"index": i, "relevance_score": scores[i]}
        if echo is not None:
            doc = echo[i]
            item["document"] = {"text": doc} if isinstance(doc, str) else doc
        results.append(item)
    return {
        "id": "gen-rerank-1763712000-abc",
        "model": MODEL,
        "provider": "Cohere",
        "results": results,
        "usage": {"search_units": 1, "total_tokens": 150, "cost": cost},
    }


@pytest.fixture
def reranker(fake_router: Any) -> Any:
    model = VisionRouterRerank(model=MODEL, api_key="sk-or-secret", base_url=fake_router.url, max_retries=0, top_n=2)
    yield model
    model.close()


DOCS = [
    Document("Oak trees lose their leaves in late autumn.", metadata={"kind": "note"}),
    Document("picture bicycle.png", metadata={"kind": "image", "image": BIKE}),
    Document("The red bicycle was bought second-hand in Lyon.", metadata={"kind": "note"}),
]


def test_rerank_orders_by_the_routers_scores_and_counts_cost(fake_router: Any, reranker: Any) -> None:
    fake_router.reply(json=reranked({0: 0.02, 1: 0.91, 2: 0.55}))
    with track_usage() as usage:
        results = reranker.rerank("a red bicycle", DOCS)
    assert [(r.index, r.relevance_score) for r in results] == [(1, 0.91), (2, 0.55), (0, 0.02)]
    assert usage.total_cost == pytest.approx(0.001) and usage.by_model[MODEL].input_tokens == 150
    body = fake_router.requests[0].json
    assert paths(fake_router) == ["POST /rerank"]
    assert body["query"] == "a red bicycle" and "top_n" not in body
    assert body["documents"] == [
        DOCS[0].page_content,
        {"text": "picture bicycle.png", "image": "data:image/png;base64," + base64.b64encode(BIKE).decode()},
        DOCS[2].page_content,
    ]


def test_inside_a_contextual_compression_retriever(fake_router: Any, reranker: Any) -> None:
    store = InMemoryVectorStore(embedding=DeterministicFakeEmbedding(size=8))
    store.add_documents(DOCS)
    retriever = ContextualCompressionRetriever(
        base_compressor=reranker, base_retriever=store.as_retriever(search_kwargs={"k": 3})
    )

    def score(request: Recorded) -> Scripted:
        docs = request.json["documents"]
        # The image document first, then the bicycle note, whatever order the store gave.
        scores = {i: 0.9 if isinstance(d, dict) else (0.5 if "bicycle" in d else 0.1) for i, d in enumerate(docs)}
        return answer(json=reranked(scores, echo=docs))

    fake_router.respond(score)
    found = retriever.invoke("a red bicycle")
    assert [d.metadata["kind"] for d in found] == ["image", "note"]
    assert found[0].metadata["relevance_score"] == 0.9 and found[0].metadata["image"] == BIKE
    assert "bicycle" in found[1].page_content
    assert fake_router.requests[0].json["top_n"] == 2
    assert "relevance_score" not in DOCS[1].metadata  # copies, not the store's documents


async def test_async_compression(fake_router: Any, reranker: Any) -> None:
    fake_router.reply(json=reranked({0: 0.3, 1: 0.1, 2: 0.8}))
    found = await reranker.acompress_documents(DOCS, "bicycle")
    assert [d.page_content for d in found] == [DOCS[2].page_content, DOCS[0].page_content]


def test_many_documents_go_in_batches_whose_scores_are_merged(fake_router: Any) -> None:
    model = VisionRouterRerank(model=MODEL, api_key="k", base_url=fake_router.url, max_retries=0, batch_size=2)
    fake_router.reply(json=reranked({0: 0.2, 1: 0.7}))
    fake_router.reply(json=reranked({0: 0.9, 1: 0.1}))
    fake_router.reply(json=reranked({0: 0.5}))
    with track_usage() as usage:
        results = model.rerank("q", ["a", "b", "c", "d", "e"], top_n=3)
    assert [(r.index, r.relevance_score) for r in results] == [(2, 0.9), (1, 0.7), (4, 0.5)]
    assert [r.json["documents"] for r in fake_router.requests] == [["a", "b"], ["c", "d"], ["e"]]
    assert all("top_n" not in r.json for r in fake_router.requests)  # every score is needed to merge
    assert usage.total.calls == 3
    model.close()


def test_a_failed_batch_names_its_documents(fake_router: Any) -> None:
    model = VisionRouterRerank(model=MODEL, api_key="k", base_url=fake_router.url, max_retries=0, batch_size=2)
    fake_router.reply(json=reranked({0: 0.2, 1: 0.7}))
    fake_router.reply(503, json={"error": {"code": 503, "message": "Cohere is overloaded"}})
    with pytest.raises(ProviderError, match="documents 2-3 \\(of 4\\)") as info:
        model.rerank("q", ["a", "b", "c", "d"])
    assert info.value.metadata["input_indices"] == [2, 3]
    model.close()


@pytest.mark.parametrize(
    ("call", "words"),
    [
        (lambda m: m.rerank("", ["a"]), "non-empty"),
        (lambda m: m.rerank("q", "a"), "list of documents"),
        (lambda m: m.rerank("q", ["a"], top_n=0), "positive"),
        (lambda m: m.rerank("q", [{"title": "x"}]), "not a document"),
        (lambda m: m.rerank("q", [Document("x", metadata={"image": b"nope"})]), "document 0"),
    ],
)
def test_bad_input_is_refused_before_any_request(fake_router: Any, reranker: Any, call: Any, words: str) -> None:
    with pytest.raises(InvalidInputError, match=words):
        call(reranker)
    assert fake_router.requests == []


def test_a_malformed_answer_is_an_error(fake_router: Any, reranker: Any) -> None:
    fake_router.reply(json={"model": MODEL, "results": [{"index": 7, "relevance_score": 0.5}]})
    with pytest.raises(Exception, match="index 7, but 2 documents"):
        reranker.rerank("q", ["a", "b"])


def test_infron_shape_cost_at_the_root(fake_router: Any) -> None:
    model = VisionRouterRerank(model="voyage-rerank-2.5", router="infron", api_key="k", base_url=fake_router.url)
    fake_router.reply(
        json={"model": "voyage-rerank-2.5", "data": [{"index": 0, "relevance_score": 0.4}], "cost": 0.0002}
    )
    with track_usage() as usage:
        assert model.rerank("q", ["a"])[0].relevance_score == 0.4
    assert usage.total_cost == pytest.approx(0.0002)
    model.close()
