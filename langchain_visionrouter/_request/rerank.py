"""Requests to the router's rerank endpoint (``POST /rerank``), built and checked before any request. Pure.

The body (OpenRouter's OpenAPI "Rerank request input"): ``model``, ``query`` (a string),
``documents`` (at least one; each a string, or ``{"text"?, "image"?}`` for multimodal models,
the image "a remote URL (http/https) or a base64-encoded data URI"), ``top_n`` (``minimum: 1``)
and ``provider``. Infron documents the same ``model``/``query``/``documents``/``top_n``.
Nothing else is sent unasked: ``return_documents``, ``max_tokens_per_doc`` and the like are
not documented for the router (``model_kwargs`` can send them).

A LangChain ``Document`` is sent as its ``page_content`` (a string), or, when its metadata
holds an image under the reranker's ``image_key`` (anything ``image_block`` takes, or a block
it made), as ``{"text": page_content, "image": <URL or data URL>}``; an empty text is left out.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from langchain_core.documents import Document

from langchain_visionrouter._media.checks import ImagePolicy
from langchain_visionrouter._request.embeddings import image_source_url
from langchain_visionrouter.errors import ImageInputError, InvalidInputError

__all__ = ["RerankBatch", "plan_rerank", "rerank_documents", "rerank_payload"]


def _image(value: Any, policy: ImagePolicy, where: str) -> str:
    try:
        return image_source_url(value, policy, where)
    except ImageInputError as exc:
        message = str(exc)
        raise ImageInputError(message if message.startswith(where) else f"{where}: {message}") from None


def rerank_documents(
    documents: Sequence[Any], policy: ImagePolicy, *, image_key: str, caller: str
) -> list[str | dict[str, str]]:
    """The wire form of each document (see the module docstring); every image checked first."""
    if isinstance(documents, (str, Mapping, Document)):
        raise InvalidInputError(f"{caller} takes a list of documents; for one document pass [document].")
    out: list[str | dict[str, str]] = []
    for i, doc in enumerate(documents):
        where = f"{caller}: document {i}"
        if isinstance(doc, str):
            out.append(doc)
        elif isinstance(doc, Document):
            image = doc.metadata.get(image_key) if image_key else None
            if image is None:
                out.append(doc.page_content)
            else:
                part = {"text": doc.page_content} if doc.page_content else {}
                out.append({**part, "image": _image(image, policy, f"{where} (metadata[{image_key!r}])")})
        elif isinstance(doc, Mapping) and ("text" in doc or "image" in doc):
            item: dict[str, str] = {}
            if doc.get("text") is not None:
                if not isinstance(doc["text"], str):
                    raise InvalidInputError(f"{where}: 'text' must be a string, not {type(doc['text']).__name__}.")
                item["text"] = doc["text"]
            if doc.get("image") is not None:
                item["image"] = _image(doc["image"], policy, where)
            if not item:
                raise InvalidInputError(f"{where}: give 'text' or 'image' (the rerank API needs at least one).")
            out.append(item)
        else:
            msg = f"{where}: {type(doc).__name__} is not a document; give a string, a Document or {{'text', 'image'}}."
            raise InvalidInputError(msg)
    return out


@dataclass(frozen=True)
class RerankBatch:
    """One request's share of the documents: where it starts in the caller's list, and the documents."""

    start: int
    documents: tuple[Any, ...]


def plan_rerank(documents: Sequence[Any], batch_size: int) -> list[RerankBatch]:
    """Consecutive batches of at most ``batch_size`` documents."""
    return [
        RerankBatch(start, tuple(documents[start : start + batch_size]))
        for start in range(0, len(documents), batch_size)
    ]


def rerank_payload(
    model: str, query: Any, documents: Sequence[Any], top_n: int | None, fields: Mapping[str, Any]
) -> dict[str, Any]:
    """The ``POST /rerank`` body (``fields``: ``provider`` and ``model_kwargs``, ``None`` values left out)."""
    if not isinstance(query, str) or not query.strip():
        raise InvalidInputError(f"rerank: the query must be a non-empty string, not {query!r:.60}.")
    body: dict[str, Any] = {"model": model, "query": query, "documents": list(documents)}
    if top_n is not None:
        body["top_n"] = top_n
    body.update({k: v for k, v in fields.items() if v is not None})
    return body
