"""Embeddings requests and answers (``POST {base_url}/embeddings``): pure, no I/O.

The wire format is section 9 of ``router-wire-format-2.md``: ``input`` is a list of
strings, or of ``{"content": [parts]}`` objects for images (a text part, then an
``image_url`` part). The answer's ``data`` items carry an ``index``; vectors are put back
in input order by it, whatever order they came in. With ``encoding_format="base64"``
an ``embedding`` is a base64 string of little-endian float32 values (OpenAI's encoding,
which the router forwards), decoded here into floats.

Large inputs are planned into batches by count and by bytes (:func:`plan_batches`);
:class:`Collector` gathers the batches' answers (whatever order they finish in) into
one ordered list, and the first failure into one error naming the inputs it concerns.
"""

from __future__ import annotations

import array
import base64
import binascii
import math
import os
import sys
import threading
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from langchain_core.messages import AIMessage

from langchain_visionrouter._media.blocks import image_block
from langchain_visionrouter._media.checks import ImagePolicy, check_image_base64
from langchain_visionrouter._media.urls import check_image_url
from langchain_visionrouter._response.fields import as_object
from langchain_visionrouter._wire import router_errors as _errors
from langchain_visionrouter.errors import ImageInputError, InvalidInputError, VisionRouterError

__all__ = ["Batch", "Collector", "embedding_payload", "image_inputs", "parse_vectors", "plan_batches", "text_inputs"]


@dataclass(frozen=True)
class Batch:
    """One request's share of the inputs: their positions in the caller's list, and the inputs."""

    indices: tuple[int, ...]
    inputs: tuple[Any, ...]


# -- inputs (checked before any request) -------------------------------------------------------


def text_inputs(texts: Any, caller: str) -> list[str]:
    """The texts of ``embed_documents``, checked: a list of strings (empty strings included)."""
    if isinstance(texts, str):
        raise InvalidInputError(f"{caller} takes a list of texts, not one string; for one text use embed_query.")
    items = list(texts)
    for i, text in enumerate(items):
        if not isinstance(text, str):
            raise InvalidInputError(f"{caller}: input {i} is {type(text).__name__}, not a string.")
    return items


def image_source_url(source: Any, policy: ImagePolicy, where: str) -> str:
    """One image as the URL sent: its data URL (checked, downscaled per ``policy``) or its http(s) URL."""
    if isinstance(source, Mapping) and source.get("type") == "image":  # a block image_block already made
        block: Mapping[str, Any] = source
    else:
        block = image_block(source)  # reads, sniffs and checks what image_block takes
    url = block.get("url")
    if isinstance(url, str):
        check_image_url(url, where=where, policy=policy, declared=block.get("mime_type"))
        return url
    payload = block.get("base64")
    if not isinstance(payload, str):
        raise ImageInputError(f"{where}: an image block needs 'url' or 'base64'.")
    # Joined here: embedding inputs are small once checked and downscaled, and sized as JSON.
    return str(check_image_base64(payload, block.get("mime_type"), policy, where=where))


def image_inputs(images: Any, texts: Any, policy: ImagePolicy, caller: str) -> list[dict[str, Any]]:
    """``{"content": [text?, image]}`` inputs for ``embed_images``; every image checked first."""
    if isinstance(images, (str, bytes, bytearray, os.PathLike, Mapping)) or hasattr(images, "getpixel"):
        raise InvalidInputError(f"{caller} takes a list of images; for one image pass [image].")
    sources = list(images)
    if texts is None:
        captions: list[Any] = [None] * len(sources)
    elif isinstance(texts, str):
        raise InvalidInputError(f"{caller}: texts must be a list (one text or None per image), not one string.")
    else:
        captions = list(texts)
        if len(captions) != len(sources):
            raise InvalidInputError(f"{caller}: {len(sources)} images but {len(captions)} texts; give one per image.")
    out = []
    for i, (source, caption) in enumerate(zip(sources, captions, strict=True)):
        where = f"{caller}: image {i}"
        if caption is not None and not isinstance(caption, str):
            raise InvalidInputError(f"{caller}: text {i} is {type(caption).__name__}, not a string or None.")
        try:
            url = image_source_url(source, policy, where)
        except ImageInputError as exc:
            message = str(exc)
            raise ImageInputError(message if message.startswith(where) else f"{where}: {message}") from None
        parts: list[dict[str, Any]] = [{"type": "text", "text": caption}] if caption else []
        parts.append({"type": "image_url", "image_url": {"url": url}})
        out.append({"content": parts})
    return out


# -- batches -----------------------------------------------------------------------------------


def _utf8_len(text: str) -> int:
    return len(text) if text.isascii() else len(text.encode("utf-8"))  # isascii is O(1): no copy


# JSON framing of an image input and its parts, as ``embedding_payload`` writes them compactly.
_INPUT_FRAME = len('{"content":[]},')
_PART_FRAME = {
    "text": len('{"type":"text","text":""},'),
    "image_url": len('{"type":"image_url","image_url":{"url":""}},'),
}


def _size(item: Any) -> int:
    """Bytes an input adds to the request body, without encoding it (JSON escapes aside).

    Close enough to plan batches by, and free of a second copy of every image.
    """
    if isinstance(item, str):
        return _utf8_len(item) + 3  # quotes and a comma
    parts = item.get("content", ()) if isinstance(item, Mapping) else ()
    size = _INPUT_FRAME - (1 if parts else 0)  # a comma between parts, not after the last
    for part in parts:
        kind = part.get("type")
        value = part.get("text") if kind == "text" else (part.get("image_url") or {}).get("url")
        size += _PART_FRAME.get(kind, 0) + (_utf8_len(value) if isinstance(value, str) else 0)
    return size


def plan_batches(items: Sequence[Any], *, max_count: int, max_bytes: int) -> list[Batch]:
    """Split ``items`` into consecutive batches of at most ``max_count`` inputs and ``max_bytes`` bytes.

    An input bigger than ``max_bytes`` on its own goes alone in its batch (an input cannot be split).
    """
    batches: list[Batch] = []
    start, size = 0, 0
    for i, item in enumerate(items):
        item_size = _size(item)
        if i > start and (i - start >= max_count or size + item_size > max_bytes):
            batches.append(Batch(tuple(range(start, i)), tuple(items[start:i])))
            start, size = i, 0
        size += item_size
    if start < len(items):
        batches.append(Batch(tuple(range(start, len(items))), tuple(items[start:])))
    return batches


def embedding_payload(model: str, inputs: Sequence[Any], fields: Mapping[str, Any]) -> dict[str, Any]:
    """The request body: ``model``, ``input``, then every other field that is set."""
    return {"model": model, "input": list(inputs), **{k: v for k, v in fields.items() if v is not None}}


# -- answers -----------------------------------------------------------------------------------


def _decode_base64(value: str, where: str) -> list[float]:
    try:
        raw = base64.b64decode(value, validate=True)
    except (binascii.Error, ValueError):
        raise _errors.malformed_answer(f"{where}: the embedding is not valid base64.") from None
    if len(raw) % 4:
        raise _errors.malformed_answer(f"{where}: a base64 embedding of {len(raw)} bytes is not float32 values.")
    floats = array.array("f")
    floats.frombytes(raw)
    if sys.byteorder == "big":  # the wire is little-endian
        floats.byteswap()
    return floats.tolist()


def _vector(value: Any, where: str) -> list[float]:
    if isinstance(value, str):
        return _decode_base64(value, where)
    if not isinstance(value, list):
        raise _errors.malformed_answer(f"{where}: the embedding is {type(value).__name__}, not a list of numbers.")
    kinds = set(map(type, value))  # C speed: a call may bring millions of numbers
    if kinds <= {float}:
        return value
    if kinds <= {float, int}:  # whole numbers written without a decimal point
        return list(map(float, value))
    others = ", ".join(sorted(k.__name__ for k in kinds - {float, int}))
    raise _errors.malformed_answer(f"{where}: the embedding holds {others} values, not only numbers.")


def _check_shapes(vectors: Mapping[int, list[float]], body: Any, gen: str | None) -> None:
    """One answer's vectors: none empty, every number finite, all of one dimension.

    Strict: a vector of another length, or a NaN, cannot be compared with the others, and
    a search over it would silently rank wrong (the spec gives every vector of a model one
    length; ``json`` reads ``NaN``/``Infinity`` literals, so they must be checked here).
    """
    sizes: dict[int, list[int]] = {}
    for index, vector in vectors.items():
        if not vector:
            raise _errors.bad_embeddings(f"embedding {index} is empty", body, index=index, generation_id=gen)
        if not all(map(math.isfinite, vector)):
            what = f"embedding {index} holds a value that is not a finite number (NaN or infinity)"
            raise _errors.bad_embeddings(what, body, index=index, generation_id=gen)
        sizes.setdefault(len(vector), []).append(index)
    if len(sizes) > 1:
        shown = "; ".join(f"{size} for {_ranges(sorted(found))}" for size, found in sorted(sizes.items()))
        what = f"its embeddings have different dimensions in one answer ({shown})"
        raise _errors.bad_embeddings(what, body, index=min(min(v) for v in sizes.values()), generation_id=gen)


def parse_vectors(body: Mapping[str, Any], count: int) -> list[list[float]]:
    """The ``count`` vectors of an answer, in input order (by each item's ``index``).

    Items without an ``index`` take their position (the spec requires it; a gateway may
    leave it out, and then the order given is the only one there is). Anything else
    that does not account for every input exactly once is an error, not a guess.
    """
    data = body.get("data")
    gen = body.get("id") if isinstance(body.get("id"), str) else None
    if not isinstance(data, list):
        raise _errors.unexpected_answer("its embeddings answer has no data list", body, generation_id=gen)
    vectors: dict[int, list[float]] = {}
    for position, item in enumerate(data):
        item = as_object(item)
        index = item.get("index", position)
        if isinstance(index, bool) or not isinstance(index, int) or not 0 <= index < count or index in vectors:
            what = f"its embeddings answer has a bad or repeated index {index!r} (for {count} inputs)"
            raise _errors.unexpected_answer(what, body, generation_id=gen)
        vectors[index] = _vector(item.get("embedding"), f"embedding {index}")
    _check_shapes(vectors, body, gen)
    if len(vectors) != count:
        missing = sorted(set(range(count)) - set(vectors))
        msg = f"the router answered {len(vectors)} embeddings for {count} inputs (missing {_ranges(missing)})"
        raise _errors.malformed_answer(msg, body, generation_id=gen)
    return [vectors[i] for i in range(count)]


# -- gathering batches -------------------------------------------------------------------------


def _ranges(indices: Sequence[int]) -> str:
    """``[0, 1, 2, 5]`` -> ``"0-2, 5"``."""
    parts, start = [], None
    for i, value in enumerate(indices):
        if start is None:
            start = value
        if i + 1 == len(indices) or indices[i + 1] != value + 1:
            parts.append(str(start) if start == value else f"{start}-{value}")
            start = None
    return ", ".join(parts)


@dataclass
class Collector:
    """Gathers batch answers into one ordered list; remembers the first failure.

    ``report`` is called with each successful batch's usage message (in the caller's
    thread or task, so ``track_usage()`` sees it). Once a batch has failed, ``stopped``
    tells the batches not yet sent to stay unsent.
    """

    total: int
    report: Callable[[AIMessage], None]
    vectors: dict[int, list[float]] = field(default_factory=dict)
    failure: tuple[Batch, VisionRouterError] | None = None
    _lock: threading.Lock = field(default_factory=threading.Lock, repr=False)

    @property
    def stopped(self) -> bool:
        return self.failure is not None

    def add(self, batch: Batch, vectors: list[list[float]], usage: AIMessage) -> None:
        self.vectors.update(zip(batch.indices, vectors, strict=True))
        self.report(usage)

    def fail(self, batch: Batch, exc: VisionRouterError) -> None:
        with self._lock:  # batches fail in worker threads too
            if self.failure is None:
                self.failure = (batch, exc)

    def result(self) -> list[list[float]]:
        """The vectors in input order, or the first failure naming its inputs (with the rest as ``partial``)."""
        if self.failure is not None:
            batch, exc = self.failure
            where = f"inputs {_ranges(batch.indices)} (of {self.total})"
            raise _errors.for_inputs(exc, where, list(batch.indices), partial=dict(sorted(self.vectors.items())))
        return [self.vectors[i] for i in range(self.total)]
