"""What reading an answer needs to know, decided with the request; the answer read with it.

The prepared call (:mod:`~langchain_visionrouter._request.prepare`) fills an
:class:`Expect` when it builds the body; the chat model hands it here with the answer,
so nothing reads the request back to learn how to read its answer.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from langchain_core.messages import AIMessageChunk
from langchain_core.outputs import ChatResult

from langchain_visionrouter._response.answers import StreamAssembler, chat_result

__all__ = ["Expect", "finish_stream", "read_answer", "stream_reader"]


@dataclass(frozen=True, slots=True)
class Expect:
    """What reading the answer needs to know, decided when the body was."""

    provider_label: str
    #: Streamed: usage was asked for (``stream_options.include_usage``), so the last chunk carries it.
    include_usage: bool
    #: Image or audio output was asked for: content is a list, even when none comes back.
    output_blocks: bool
    #: The audio format asked for (``audio.format``), to type the audio block.
    audio_format: str | None
    #: ``image_fit``'s saving on the request, reported in ``response_metadata["image_fit"]``.
    fit: Mapping[str, int] | None = None


def read_answer(data: Any, expect: Expect) -> ChatResult:
    """A whole answer -> ``ChatResult``, with the request's fit report."""
    result = chat_result(
        data, model_provider=expect.provider_label, output_blocks=expect.output_blocks, audio_format=expect.audio_format
    )
    if expect.fit is not None:
        result.generations[0].message.response_metadata["image_fit"] = dict(expect.fit)
    return result


def stream_reader(expect: Expect) -> StreamAssembler:
    """The assembler for a streamed answer to this request."""
    return StreamAssembler(
        expect.provider_label,
        include_usage=expect.include_usage,
        output_blocks=expect.output_blocks,
        audio_format=expect.audio_format,
    )


def finish_stream(last: AIMessageChunk, expect: Expect) -> AIMessageChunk:
    """The stream's closing chunk, with the request's fit report."""
    if expect.fit is not None:
        last.response_metadata["image_fit"] = dict(expect.fit)
    return last
