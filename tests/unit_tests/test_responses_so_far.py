"""responses.py: StreamSoFar sums a stream exactly as add_ai_message_chunks would, keeping only text."""

from __future__ import annotations

import gc
import weakref
from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st
from langchain_core.messages import AIMessageChunk
from langchain_core.messages.ai import add_ai_message_chunks
from langchain_core.messages.tool import tool_call_chunk

from langchain_visionrouter.responses import StreamSoFar

_ids = st.sampled_from([None, "gen-1", "gen-2", "lc_run--abc"])
_text = st.text(max_size=5)
_providers = st.sampled_from([None, "openrouter", "openrouter", "other"])
_plain = st.builds(
    lambda text, id_, provider: AIMessageChunk(
        content=text, id=id_, response_metadata={} if provider is None else {"model_provider": provider}
    ),
    _text,
    _ids,
    _providers,
)
_rich = st.one_of(
    st.builds(
        lambda text, id_: AIMessageChunk(content=text, id=id_, response_metadata={"model_name": "m", "x": text}),
        _text,
        _ids,
    ),
    st.builds(
        lambda args, id_: AIMessageChunk(
            content="", id=id_, tool_call_chunks=[tool_call_chunk(name=None, args=args, id=None, index=0)]
        ),
        _text,
        _ids,
    ),
    st.builds(lambda text: AIMessageChunk(content="", additional_kwargs={"reasoning": text}), _text),
    st.builds(lambda id_: AIMessageChunk(content=["a", {"type": "text", "text": "b"}], id=id_), _ids),
)
_chunks = st.lists(st.one_of(_plain, _plain, _rich), max_size=12)
_tail = st.builds(
    lambda cost: AIMessageChunk(
        content="",
        usage_metadata={"input_tokens": 1, "output_tokens": 2, "total_tokens": 3},
        response_metadata={"cost": cost},
    ),
    st.floats(0, 1),
)


def reference(chunks: list[AIMessageChunk], tail: AIMessageChunk) -> AIMessageChunk:
    return add_ai_message_chunks(chunks[0], *chunks[1:], tail) if chunks else tail


@settings(max_examples=300, deadline=None)
@given(_chunks, _tail)
def test_same_sum_as_keeping_every_chunk(chunks: list[AIMessageChunk], tail: AIMessageChunk) -> None:
    so_far = StreamSoFar()
    for chunk in chunks:
        so_far.add(chunk)
    got, expected = so_far.total(tail), reference(chunks, tail)
    assert got == expected
    assert got.model_dump() == expected.model_dump()


def test_sees_what_langchain_changes_on_a_chunk_after_it_was_yielded() -> None:
    # LangChain gives a chunk without an id the run's id, and replaces its metadata dict,
    # before it asks for the next chunk.
    chunks = [AIMessageChunk(content="a"), AIMessageChunk(content="b", id="gen-1"), AIMessageChunk(content="c")]
    so_far = StreamSoFar()
    for chunk in chunks:
        so_far.add(chunk)
        if chunk.id is None:
            chunk.id = "lc_run--123"
        chunk.response_metadata = {**chunk.response_metadata, "model_provider": "openrouter"}
    tail = AIMessageChunk(content="")
    assert so_far.total(tail) == reference(chunks, tail)


def test_plain_text_chunks_are_not_kept_alive() -> None:
    so_far = StreamSoFar()
    refs: list[Any] = []
    for i in range(100):
        chunk = AIMessageChunk(content=f"{i} ", id="gen-1")
        refs.append(weakref.ref(chunk))
        so_far.add(chunk)
        del chunk
    gc.collect()
    assert sum(r() is not None for r in refs) == 1  # only the last one, looked at one step late
    assert so_far.total(AIMessageChunk(content="")).content == "".join(f"{i} " for i in range(100))


def test_a_second_model_provider_stops_the_joining() -> None:
    # Summing appends a model_provider that differs from the one so far, once per chunk.
    def chunk(text: str, provider: str) -> AIMessageChunk:
        return AIMessageChunk(content=text, id="gen-1", response_metadata={"model_provider": provider})

    chunks = [chunk("a", "other"), chunk("b", "openrouter"), chunk("c", "openrouter"), chunk("d", "openrouter")]
    so_far = StreamSoFar()
    for c in chunks:
        so_far.add(c)
    tail = AIMessageChunk(content="")
    assert so_far.total(tail) == reference(chunks, tail)
    assert so_far.total(tail).response_metadata["model_provider"] == "otheropenrouteropenrouteropenrouter"


@settings(max_examples=200, deadline=None)
@given(_chunks, _tail)
def test_the_sum_is_exact_when_runs_are_joined_into_blocks(chunks: list[AIMessageChunk], tail: AIMessageChunk) -> None:
    import langchain_visionrouter.responses as responses

    saved, responses._PIECES_PER_BLOCK = responses._PIECES_PER_BLOCK, 2
    try:
        so_far = StreamSoFar()
        for chunk in chunks:
            so_far.add(chunk)
        assert so_far.total(tail) == reference(chunks, tail)
    finally:
        responses._PIECES_PER_BLOCK = saved


def test_a_long_text_run_is_kept_as_a_few_joined_blocks() -> None:
    so_far = StreamSoFar()
    for i in range(2561):  # the last is looked at one step late
        so_far.add(AIMessageChunk(content=str(i % 10), id="gen-1"))
    assert len(so_far._text) == 10  # 2,560 one-character strings joined 256 at a time
    assert so_far.total(AIMessageChunk(content="")).content == "0123456789" * 256 + "0"
