"""RAG over images, end to end from a cassette: no key, no network.

A folder of pictures and a few text notes are indexed into LangChain's
``InMemoryVectorStore`` with ``VisionRouterEmbeddings`` (a vision-language embedding
model, so text and pictures share one vector space); a text question retrieves the
nearest picture and note; ``ChatVisionRouter`` answers given both. The same code is the
README's "RAG over images" section. The cassette (``rag_images.yaml``) is written by
``tests/cassette_sources/embeddings.py``; every request must match it exactly.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from langchain_core.documents import Document
from langchain_core.messages import AIMessage, HumanMessage
from langchain_core.vectorstores import InMemoryVectorStore

from langchain_visionrouter import ChatVisionRouter, VisionRouterEmbeddings, image_block, track_usage
from tests.cassette_sources import embeddings as source
from tests.cassette_tests.test_agents import _every_interaction_played, vcr_config  # noqa: F401  (fixtures)
from tests.cassette_tools import load, request_json, response_json

REPLAY_KEY = "replay-only-no-real-key"  # the cassette answers; nothing checks the key


# -- the example -------------------------------------------------------------------------------


def index(store: InMemoryVectorStore, embeddings: VisionRouterEmbeddings, folder: Path, notes: list[str]) -> None:
    """Notes as text documents; every picture in ``folder`` as a document carrying its path."""
    store.add_texts(notes, metadatas=[{"kind": "note"}] * len(notes))
    pictures = sorted(folder.glob("*.png"))
    vectors = embeddings.embed_images(pictures)  # in the order given, whatever order the router answers in
    for path, vector in zip(pictures, vectors, strict=True):
        # InMemoryVectorStore has no add-with-vectors; its ``store`` dict is where documents live.
        store.store[path.name] = {
            "id": path.name,
            "vector": vector,
            "text": f"picture {path.name}",
            "metadata": {"kind": "image", "path": str(path)},
        }


def answer(store: InMemoryVectorStore, llm: ChatVisionRouter, question: str, k: int = 2) -> tuple[list[Document], Any]:
    """Retrieve ``k`` notes or pictures for ``question`` and answer from them."""
    hits = store.similarity_search(question, k=k)
    notes = [d.page_content for d in hits if d.metadata["kind"] == "note"]
    pictures = [image_block(d.metadata["path"]) for d in hits if d.metadata["kind"] == "image"]
    prompt = source.rag_prompt(notes)  # "Answer from these notes and pictures. Notes: - ... <question>"
    return hits, llm.invoke([HumanMessage(content=[{"type": "text", "text": prompt}, *pictures])])


# -- the test --------------------------------------------------------------------------------


@pytest.fixture
def photos(tmp_path: Path) -> Path:
    folder = tmp_path / "photos"
    folder.mkdir()
    for name in source.IMAGES:
        (folder / name).write_bytes(source.image_bytes(name))
    return folder


@pytest.mark.vcr
@pytest.mark.default_cassette("rag_images.yaml")
def test_rag_over_images(photos: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    for var in ("OPENROUTER_API_KEY", "VISIONROUTER_API_KEY"):
        monkeypatch.delenv(var, raising=False)
    embeddings = VisionRouterEmbeddings(model=source.VL_MODEL, api_key=REPLAY_KEY, max_retries=0)
    llm = ChatVisionRouter(model=source.CHAT_MODEL, api_key=REPLAY_KEY, max_retries=0)
    store = InMemoryVectorStore(embedding=embeddings)

    with track_usage() as usage:
        index(store, embeddings, photos, list(source.NOTES))
        hits, reply = answer(store, llm, source.QUESTION)

    wire = load("rag_images")
    # Pictures stored with their own vectors, though the router answered them out of order.
    image_answer = response_json(wire[1])
    by_index = {item["index"]: item["embedding"] for item in image_answer["data"]}
    assert [item["index"] for item in image_answer["data"]] != sorted(by_index)
    for i, name in enumerate(sorted(source.IMAGES)):
        assert store.store[name]["vector"] == pytest.approx(by_index[i])
    # The question found the bicycle's picture first, then its note.
    assert [d.metadata["kind"] for d in hits] == ["image", "note"]
    assert Path(hits[0].metadata["path"]).name == "bicycle.png"
    assert hits[1].page_content == source.RETRIEVED_NOTES[0]
    # The answer is the router's, and the picture went with the question.
    assert isinstance(reply, AIMessage)
    assert reply.content == response_json(wire[3])["choices"][0]["message"]["content"]
    sent_parts = request_json(wire[3])["messages"][0]["content"]
    assert sent_parts[1]["image_url"]["url"] == source.data_url("bicycle.png")
    # Every call is in the cost totals: three embedding requests and one chat.
    costs = [response_json(item)["usage"]["cost"] for item in wire]
    assert usage.total.calls == 4
    assert usage.total_cost == pytest.approx(sum(costs))
    assert usage.by_model[source.VL_MODEL].calls == 3
    assert usage.by_model[source.VL_MODEL].input_tokens == sum(
        response_json(i)["usage"]["prompt_tokens"] for i in wire[:3]
    )
    embeddings.close()
    llm.close()


@pytest.mark.vcr
@pytest.mark.default_cassette("TestVisionRouterEmbeddingsStandard.test_embed_documents.yaml")
def test_base64_vectors_from_the_standard_cassette_decode_to_the_written_floats() -> None:
    embeddings = VisionRouterEmbeddings(**source.STANDARD_PARAMS)
    vectors = embeddings.embed_documents(["foo", "bar", "baz"])
    assert vectors == [source.unit_vector(t) for t in ("foo", "bar", "baz")]
    assert all(len(v) == source.DIMENSIONS for v in vectors)
    embeddings.close()
