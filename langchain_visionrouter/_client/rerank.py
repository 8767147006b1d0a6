"""``VisionRouterRerank``: the router's ``POST /rerank`` as a LangChain document compressor, text and images."""

from __future__ import annotations

import asyncio
from collections.abc import Sequence
from typing import Any

from langchain_core.callbacks import Callbacks
from langchain_core.documents import BaseDocumentCompressor, Document
from langchain_core.messages import AIMessage
from pydantic import ConfigDict, Field, model_validator

from langchain_visionrouter._client.connection import RouterClient
from langchain_visionrouter._client.usage import report_call
from langchain_visionrouter._media.checks import require_pillow
from langchain_visionrouter._request.rerank import RerankBatch, plan_rerank, rerank_documents, rerank_payload
from langchain_visionrouter._response.answers import Answer, judge_answer
from langchain_visionrouter._response.rerank import RerankResult, rerank_results, rerank_usage
from langchain_visionrouter._wire import http as _http
from langchain_visionrouter._wire import router_errors as _errors
from langchain_visionrouter.errors import InvalidInputError, VisionRouterError

__all__ = ["VisionRouterRerank"]


class VisionRouterRerank(RouterClient, BaseDocumentCompressor):
    """Reranking of text **and image** documents by the router's ``POST /rerank``, as a LangChain
    document compressor (for ``ContextualCompressionRetriever``).

    Works with OpenRouter (rerank models: ``GET /models?output_modalities=rerank``, e.g.
    ``cohere/rerank-v3.5``; multimodal ones take images) and Infron, which documents the same
    endpoint. Key, base URL, retries, deadline, typed errors and secret masking work as in
    :class:`~langchain_visionrouter.ChatVisionRouter`; the cost of every request is counted
    by :func:`~langchain_visionrouter.track_usage`.

    Key init args:
        model: str
            Rerank model id, e.g. ``"cohere/rerank-v3.5"``.
        top_n: int | None
            Documents kept by ``compress_documents`` (default 3; ``None``: all, reordered).
        image_key: str
            The ``Document.metadata`` key holding an image (a path, URL, bytes, PIL image or
            an ``image_block``): such a document is sent as ``{"text", "image"}``.
        batch_size, max_concurrency:
            More documents than ``batch_size`` go in several requests (``max_concurrency``
            at a time); their scores are merged, highest first.
        provider, model_kwargs:
            Provider preferences and other body fields, sent as given.

    Rerank:
        .. code-block:: python

            from langchain_visionrouter import VisionRouterRerank

            reranker = VisionRouterRerank(model="cohere/rerank-v3.5")
            reranker.rerank("capital of France?", ["Berlin is in Germany.", "Paris is in France."])
            # [RerankResult(index=1, relevance_score=0.98), RerankResult(index=0, relevance_score=0.02)]

    In a retriever:
        .. code-block:: python

            from langchain_classic.retrievers import ContextualCompressionRetriever

            retriever = ContextualCompressionRetriever(
                base_compressor=VisionRouterRerank(model="cohere/rerank-4-pro", top_n=2),
                base_retriever=store.as_retriever(search_kwargs={"k": 20}),
            )
            retriever.invoke("a red bicycle")   # Documents, metadata["relevance_score"] set
    """

    top_n: int | None = Field(default=3, ge=1)
    """Documents ``compress_documents`` keeps (``None``: all of them, reordered)."""
    image_key: str = "image"
    """The ``Document.metadata`` key holding a document's image."""
    batch_size: int = Field(default=1000, gt=0)
    """Documents per request at most (Cohere recommends no more than 1,000)."""
    max_concurrency: int = Field(default=4, gt=0)
    """Requests in flight at once when a call needs several."""
    provider: dict[str, Any] | None = None
    """Provider routing preferences, sent as given."""
    model_kwargs: dict[str, Any] = Field(default_factory=dict)
    """Other request-body fields, sent as given (e.g. ``max_tokens_per_doc`` for a model that takes it)."""

    model_config = ConfigDict(populate_by_name=True, arbitrary_types_allowed=True, protected_namespaces=())

    @model_validator(mode="after")
    def _resolve_settings(self) -> VisionRouterRerank:
        self._resolve_endpoint()
        clash = sorted(set(self.model_kwargs) & {"model", "query", "documents", "top_n", "provider"})
        if clash:
            raise ValueError(f"model_kwargs must not set {clash}: use the arguments of the same name.")
        if self.image_max_side is not None or self.image_max_bytes is not None:
            require_pillow()
        return self

    # -- request building (pure) ---------------------------------------------------------

    def _plan(self, query: str, documents: Sequence[Any], top_n: int | None, caller: str) -> list[_http.Request]:
        if top_n is not None and (isinstance(top_n, bool) or not isinstance(top_n, int) or top_n < 1):
            raise InvalidInputError(f"{caller}: top_n must be a positive whole number, not {top_n!r}.")
        wire = rerank_documents(documents, self._image_policy(), image_key=self.image_key, caller=caller)
        batches = plan_rerank(wire, self.batch_size)
        # One request: the router cuts to top_n. Several: every score is needed to merge them.
        per_request = top_n if len(batches) == 1 else None
        fields = {"provider": self.provider, **self.model_kwargs}
        return [self._request(rerank_payload(self.model, query, b.documents, per_request, fields)) for b in batches]

    def _request(self, body: dict[str, Any]) -> _http.Request:
        return self._api_request("/rerank", body)

    def _read(self, answer: Answer, batch: RerankBatch) -> tuple[list[RerankResult], AIMessage]:
        results = rerank_results(
            answer.body, len(batch.documents), offset=batch.start, generation_id=answer.generation_id
        )
        usage = rerank_usage(answer.body, self.model, self.preset.provider_label, answer.generation_id)
        return results, usage

    # -- reranking ------------------------------------------------------------------------

    def rerank(self, query: str, documents: Sequence[Any], *, top_n: int | None = None) -> list[RerankResult]:
        """Score ``documents`` against ``query``: ``(index, relevance_score)`` pairs, highest score first.

        Args:
            query: The search query (text).
            documents: Strings, ``Document`` objects (an image under ``metadata[image_key]``),
                or ``{"text": ..., "image": ...}`` dicts. Every image is checked before any request.
            top_n: Keep the best ``top_n`` (default: all).

        Raises:
            InvalidInputError: a bad query, document or image, before any request.
            VisionRouterError: the router's typed error; with several requests, the message
                names the documents of the one that failed (``metadata["input_indices"]``).
        """
        requests = self._plan(query, documents, top_n, "rerank")
        batches = plan_rerank(list(range(len(documents))), self.batch_size)
        merged: list[RerankResult] = []
        for request, batch in zip(requests, batches, strict=True):
            try:
                results, usage = self._read(_http.request(self._clients, request, judge_answer), batch)
            except VisionRouterError as exc:
                raise _in_batch(exc, batch, len(documents), merged) from None
            report_call(usage, model=self.model)
            merged += results
        return _best(merged, top_n)

    async def arerank(self, query: str, documents: Sequence[Any], *, top_n: int | None = None) -> list[RerankResult]:
        """Async :meth:`rerank` (images read off the event loop; requests concurrent)."""
        requests = await asyncio.to_thread(self._plan, query, documents, top_n, "arerank")
        batches = plan_rerank(list(range(len(documents))), self.batch_size)
        gate = asyncio.Semaphore(self.max_concurrency)

        async def send(request: _http.Request) -> Answer:
            async with gate:
                answer: Answer = await _http.arequest(self._clients, request, judge_answer)
                return answer

        tasks = [asyncio.ensure_future(send(r)) for r in requests]
        merged: list[RerankResult] = []
        try:
            for task, batch in zip(tasks, batches, strict=True):
                try:
                    results, usage = self._read(await task, batch)
                except VisionRouterError as exc:
                    raise _in_batch(exc, batch, len(documents), merged) from None
                report_call(usage, model=self.model)
                merged += results
        finally:
            for task in tasks:  # after a failure, the requests not yet answered are dropped
                task.cancel()
        return _best(merged, top_n)

    # -- the document compressor -------------------------------------------------------------

    def compress_documents(
        self, documents: Sequence[Document], query: str, callbacks: Callbacks | None = None
    ) -> Sequence[Document]:
        """The best ``top_n`` documents for ``query``, highest score first, each a copy with
        ``metadata["relevance_score"]`` set."""
        if not documents:
            return []
        return _scored(documents, self.rerank(query, list(documents), top_n=self.top_n))

    async def acompress_documents(
        self, documents: Sequence[Document], query: str, callbacks: Callbacks | None = None
    ) -> Sequence[Document]:
        """Async :meth:`compress_documents`."""
        if not documents:
            return []
        return _scored(documents, await self.arerank(query, list(documents), top_n=self.top_n))


def _best(results: list[RerankResult], top_n: int | None) -> list[RerankResult]:
    ranked = sorted(results, key=lambda r: (-r.relevance_score, r.index))  # stable across batches
    return ranked if top_n is None else ranked[:top_n]


def _scored(documents: Sequence[Document], results: list[RerankResult]) -> list[Document]:
    out = []
    for result in results:
        doc = documents[result.index]
        out.append(doc.model_copy(update={"metadata": {**doc.metadata, "relevance_score": result.relevance_score}}))
    return out


def _in_batch(exc: VisionRouterError, batch: RerankBatch, total: int, done: list[RerankResult]) -> VisionRouterError:
    if len(batch.documents) == total:
        return exc
    indices = list(batch.documents)
    where = f"documents {indices[0]}-{indices[-1]} (of {total})"
    return _errors.for_inputs(exc, where, indices, partial=_best(done, None))
