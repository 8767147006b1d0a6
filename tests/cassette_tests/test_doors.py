"""The other doors replayed from their written cassettes (no key, no network): the Image API,
rerank inside the RAG-over-images example, and chat with video and audio. Every request must
match its cassette exactly; outputs are checked against the cassette's own answers."""

from __future__ import annotations

import base64
from pathlib import Path
from typing import Any

import pytest
from langchain_classic.retrievers import ContextualCompressionRetriever
from langchain_core.messages import HumanMessage
from langchain_core.vectorstores import InMemoryVectorStore

from langchain_visionrouter import (
    ChatVisionRouter,
    VisionRouterEmbeddings,
    VisionRouterImages,
    VisionRouterRerank,
    audio_block,
    image_block,
    save_image,
    track_usage,
    video_block,
)
from tests.cassette_sources import doors as source
from tests.cassette_sources import embeddings as rag
from tests.cassette_tests.test_agents import _every_interaction_played, vcr_config  # noqa: F401  (fixtures)
from tests.cassette_tests.test_rag_images import REPLAY_KEY, index, photos  # noqa: F401  (fixture)
from tests.cassette_tools import load, request_json, response_events, response_json


@pytest.fixture(autouse=True)
def _no_key(monkeypatch: pytest.MonkeyPatch) -> None:
    for var in ("OPENROUTER_API_KEY", "VISIONROUTER_API_KEY"):
        monkeypatch.delenv(var, raising=False)


@pytest.mark.vcr
@pytest.mark.default_cassette("images_generate_edit.yaml")
def test_generate_then_edit(tmp_path: Path) -> None:
    wire = load("images_generate_edit")
    images = VisionRouterImages(model=source.IMAGE_MODEL, api_key=REPLAY_KEY, max_retries=0)
    with track_usage() as usage:
        drawn = images.generate(source.PROMPT, aspect_ratio="16:9")
        path = save_image(drawn.content[0], tmp_path / "bicycle")
        edited = images.edit(source.EDIT_PROMPT, images=[path], model=source.EDIT_MODEL, quality="low")
    assert path.read_bytes() == base64.b64decode(response_json(wire[0])["data"][0]["b64_json"])
    assert edited.content[0]["base64"] == response_json(wire[1])["data"][0]["b64_json"]
    assert drawn.response_metadata["id"] == "gen-img-1763712000-Gn1"
    costs = [response_json(i)["usage"]["cost"] for i in wire]
    assert usage.total_cost == pytest.approx(sum(costs)) and usage.total.calls == 2
    images.close()


@pytest.mark.vcr
@pytest.mark.default_cassette("images_stream.yaml")
def test_streamed_previews_then_the_image() -> None:
    [item] = load("images_stream")
    events = response_events(item)
    images = VisionRouterImages(model=source.EDIT_MODEL, api_key=REPLAY_KEY, max_retries=0)
    with track_usage() as usage:
        blocks = list(images.stream(source.PROMPT))
    assert [b["base64"] for b in blocks] == [e["b64_json"] for e in events]
    assert blocks[0]["extras"]["partial"] and "extras" not in blocks[1]
    assert usage.total_cost == pytest.approx(events[-1]["usage"]["cost"])
    images.close()


@pytest.mark.vcr
@pytest.mark.default_cassette("rag_images_rerank.yaml")
def test_rag_over_images_with_a_reranker(photos: Path) -> None:  # noqa: F811
    embeddings = VisionRouterEmbeddings(model=rag.VL_MODEL, api_key=REPLAY_KEY, max_retries=0)
    reranker = VisionRouterRerank(model=source.RERANK_MODEL, api_key=REPLAY_KEY, image_key="path", top_n=2)
    llm = ChatVisionRouter(model=rag.CHAT_MODEL, api_key=REPLAY_KEY, max_retries=0)
    store = InMemoryVectorStore(embedding=embeddings)
    retriever = ContextualCompressionRetriever(
        base_compressor=reranker, base_retriever=store.as_retriever(search_kwargs={"k": 3})
    )
    with track_usage() as usage:
        index(store, embeddings, photos, list(rag.NOTES))
        hits = retriever.invoke(rag.QUESTION)
        notes = [d.page_content for d in hits if d.metadata["kind"] == "note"]
        pictures = [image_block(d.metadata["path"]) for d in hits if d.metadata["kind"] == "image"]
        reply = llm.invoke([HumanMessage(content=[{"type": "text", "text": rag.rag_prompt(notes)}, *pictures])])

    wire = load("rag_images_rerank")
    scores = {r["index"]: r["relevance_score"] for r in response_json(wire[3])["results"]}
    # The reranker's order, its scores on the documents, the picture sent as an image document.
    assert [d.metadata["kind"] for d in hits] == ["image", "note"]
    assert [d.metadata["relevance_score"] for d in hits] == [scores[0], scores[1]]
    assert request_json(wire[3])["documents"][0]["image"] == rag.data_url("bicycle.png")
    assert reply.content == response_json(wire[4])["choices"][0]["message"]["content"]
    costs = [response_json(i)["usage"]["cost"] for i in wire]
    assert usage.total.calls == 5 and usage.total_cost == pytest.approx(sum(costs))
    for model in (embeddings, reranker, llm):
        model.close()


@pytest.mark.vcr
@pytest.mark.default_cassette("chat_video_audio.yaml")
def test_chat_with_a_video_and_a_voice_memo(tmp_path: Path) -> None:
    clip, memo = tmp_path / "clip.mp4", tmp_path / "memo.mp3"
    clip.write_bytes(source.VIDEO)
    memo.write_bytes(source.AUDIO)
    llm = ChatVisionRouter(model=source.AV_MODEL, api_key=REPLAY_KEY, max_retries=0)
    reply: Any = llm.invoke(
        [HumanMessage(content=[{"type": "text", "text": source.AV_QUESTION}, video_block(clip), audio_block(memo)])]
    )
    [item] = load("chat_video_audio")
    assert reply.content == source.AV_ANSWER
    details = response_json(item)["usage"]["prompt_tokens_details"]
    assert reply.usage_metadata["input_token_details"]["audio"] == details["audio_tokens"]
    llm.close()
