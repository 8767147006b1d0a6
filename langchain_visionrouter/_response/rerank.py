"""The rerank endpoint's answers -> scored indices, usage and cost. Data in, data out.

OpenRouter's OpenAPI "Rerank response": ``{"id"?, "model", "provider"?, "results": [{"index",
"relevance_score", "document": {"text"?, "image"?}}], "usage"?: {"search_units", "total_tokens",
"cost"}}``, results "sorted by relevance". Lenient where the docs are silent or disagree: a
result without ``document`` (older SDK examples, third-party mocks) is fine, the caller's own
document is used by ``index``; a Voyage-style ``data`` list is read like ``results``; ``cost``
may sit at the root (Infron); ``usage.cost`` is "in credits" per the spec, which are USD on
OpenRouter, so it is reported as USD; scores are not clamped (their range is undocumented).
Strict where certainly wrong: no result list, an index that is not one of the documents
sent, a score that is not a number.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from langchain_core.messages import AIMessage

from langchain_visionrouter._response.fields import as_object, usage_message
from langchain_visionrouter._wire import router_errors as _errors

__all__ = ["RerankResult", "rerank_results", "rerank_usage"]


@dataclass(frozen=True)
class RerankResult:
    """One document's place in a rerank: its index in the documents given, and the router's score."""

    index: int
    relevance_score: float


def rerank_results(body: Any, count: int, *, offset: int = 0, generation_id: str | None = None) -> list[RerankResult]:
    """The scored results of one answer for ``count`` documents, their indices shifted by ``offset``."""
    if not isinstance(body, Mapping):
        raise _errors.unexpected_answer("its rerank answer is not a JSON object", body, generation_id=generation_id)
    gen = body.get("id") if isinstance(body.get("id"), str) else generation_id
    raw = body.get("results") if "results" in body else body.get("data")
    if not isinstance(raw, list):
        raise _errors.unexpected_answer("its rerank answer has no results list", body, generation_id=gen)
    out = []
    for item in raw:
        item = as_object(item)
        index, score = item.get("index"), item.get("relevance_score", item.get("score"))
        if isinstance(index, bool) or not isinstance(index, int) or not 0 <= index < count:
            msg = f"its rerank answer has a result for index {index!r}, but {count} documents were sent"
            raise _errors.malformed_answer(msg, body, generation_id=gen)
        if isinstance(score, bool) or not isinstance(score, (int, float)):
            raise _errors.malformed_answer(
                f"its rerank result {index} has no numeric relevance_score", body, generation_id=gen
            )
        out.append(RerankResult(index + offset, float(score)))
    return out


def rerank_usage(
    body: Mapping[str, Any], requested_model: str, provider_label: str, generation_id: str | None
) -> AIMessage:
    """Tokens and cost of one rerank answer, as ``track_usage()`` counts them.

    The tokens read are input tokens (``total_tokens``; no completion); ``search_units``
    (Cohere's billing unit) is kept in ``response_metadata``.
    """
    usage = as_object(body.get("usage"))
    tokens = usage.get("prompt_tokens", usage.get("total_tokens"))
    mapped = {**body, "usage": {**usage, "prompt_tokens": tokens, "completion_tokens": 0}} if usage else body
    message = usage_message(mapped, requested_model, provider_label, generation_id=generation_id)
    if usage.get("search_units") is not None:
        message.response_metadata["search_units"] = usage["search_units"]
    return message
