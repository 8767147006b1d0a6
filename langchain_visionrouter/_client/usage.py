"""Cost accounting: tokens and cost summed per model, and one generation's stats looked up.

:func:`track_usage` installs a callback handler through a context variable (LangChain's
configure hook), so every chat model run inside the ``with`` block reports to it: plain
calls, chains, agents, streams, async calls and batches (LangChain copies the context
into the threads and tasks it starts). Each run is counted once, by run id, even when
``track_usage`` blocks are nested (the outer block sees the inner block's runs too).

:func:`get_generation` asks the router (``GET {base_url}/generation?id=...``) for what it
billed for one generation; the stats appear a moment after the answer, so a 404 is
retried a few times, politely.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass, field, fields
from typing import Any
from urllib.parse import urlencode
from uuid import UUID, uuid4

from langchain_core.callbacks import BaseCallbackHandler
from langchain_core.messages import AIMessage, BaseMessage
from langchain_core.outputs import ChatGeneration, LLMResult
from langchain_core.tracers.context import register_configure_hook
from pydantic import SecretStr

from langchain_visionrouter._response.answers import judge_json
from langchain_visionrouter._router.presets import clean_api_key, resolve_endpoint
from langchain_visionrouter._wire.http import HTTPClients, Request, arequest, request
from langchain_visionrouter._wire.limits import DEFAULT_DEADLINE, DEFAULT_MAX_RESPONSE_BYTES
from langchain_visionrouter.errors import InvalidInputError

__all__ = [
    "GenerationStats",
    "ModelUsage",
    "UsageTracker",
    "aget_generation",
    "get_generation",
    "report_call",
    "track_usage",
]

_UNKNOWN_MODEL = "unknown"


@dataclass
class ModelUsage:
    """Tokens and cost of the calls to one model (or of all calls, for a total)."""

    calls: int = 0
    input_tokens: int = 0
    output_tokens: int = 0
    total_tokens: int = 0
    cache_read_tokens: int = 0
    reasoning_tokens: int = 0
    cost: float = 0.0
    """USD, as billed by the router (``response_metadata["cost"]``)."""
    calls_without_cost: int = 0
    """Calls whose answer reported no cost (then ``cost`` is a lower bound)."""
    failed_calls: int = 0
    """Calls that failed after being billed for part of an answer (counted in the tokens)."""
    served_by: dict[str, int] = field(default_factory=dict)
    """Calls per model that actually answered (``response_metadata["model_name"]``): a
    fallback model, or the upstream's own name for the model asked for (Infron)."""

    def __iadd__(self, other: ModelUsage) -> ModelUsage:
        for f in fields(self):
            if f.name == "served_by":
                for model, calls in other.served_by.items():
                    self.served_by[model] = self.served_by.get(model, 0) + calls
            else:
                setattr(self, f.name, getattr(self, f.name) + getattr(other, f.name))
        return self


def _usage_of(message: BaseMessage, *, failed: bool = False) -> ModelUsage:
    usage = getattr(message, "usage_metadata", None) or {}
    cost = message.response_metadata.get("cost")
    priced = isinstance(cost, (int, float)) and not isinstance(cost, bool)
    cost_usd = float(cost) if isinstance(cost, (int, float)) and priced else 0.0
    return ModelUsage(
        calls=1,
        input_tokens=int(usage.get("input_tokens") or 0),
        output_tokens=int(usage.get("output_tokens") or 0),
        total_tokens=int(usage.get("total_tokens") or 0),
        cache_read_tokens=int((usage.get("input_token_details") or {}).get("cache_read") or 0),
        reasoning_tokens=int((usage.get("output_token_details") or {}).get("reasoning") or 0),
        cost=cost_usd,
        calls_without_cost=0 if priced else 1,
        failed_calls=1 if failed else 0,
        served_by={served: 1}
        if isinstance(served := message.response_metadata.get("model_name"), str) and served
        else {},
    )


class UsageTracker(BaseCallbackHandler):
    """Sums token usage and cost per model: the model asked for (``model=``), as the user wrote it.

    Which models actually answered (fallbacks, or the upstream name Infron reports) is
    counted in each entry's ``served_by``.

    Get one from :func:`track_usage`; it may also be passed as a callback directly
    (``config={"callbacks": [tracker]}``).
    """

    run_inline = True  # async runs call it in the event loop, not in a thread pool

    def __init__(self, parent: UsageTracker | None = None) -> None:
        self.by_model: dict[str, ModelUsage] = {}
        self._parent = parent
        self._seen: set[UUID] = set()
        self._requested: dict[UUID, str] = {}
        self._lock = threading.Lock()

    # -- results -----------------------------------------------------------------------------

    @property
    def total(self) -> ModelUsage:
        """Everything, all models together."""
        total = ModelUsage()
        with self._lock:
            for usage in self.by_model.values():
                total += usage
        return total

    @property
    def total_cost(self) -> float:
        """USD billed by the router for every call seen."""
        return self.total.cost

    @property
    def total_tokens(self) -> int:
        """Input plus output tokens of every call seen."""
        return self.total.total_tokens

    def __repr__(self) -> str:
        total = self.total
        return (
            f"UsageTracker(calls={total.calls}, total_tokens={total.total_tokens}, "
            f"cost={total.cost:.6g}, models={sorted(self.by_model)})"
        )

    # -- recording -----------------------------------------------------------------------------

    def _record(self, run_id: UUID, model: str, usage: ModelUsage) -> None:
        with self._lock:
            if run_id in self._seen:
                return
            self._seen.add(run_id)
            self.by_model.setdefault(model, ModelUsage())
            self.by_model[model] += usage
        if self._parent is not None:
            self._parent._record(run_id, model, usage)

    def _model(self, run_id: UUID, message: BaseMessage) -> str:
        # Keyed by the model asked for: the router may answer under another name (a
        # fallback, or Infron's upstream id), which ModelUsage.served_by records.
        served = message.response_metadata.get("model_name")
        with self._lock:
            requested = self._requested.pop(run_id, None)
        return requested or (served if isinstance(served, str) and served else _UNKNOWN_MODEL)

    def _remember(self, run_id: UUID, kwargs: Mapping[str, Any], metadata: Mapping[str, Any] | None) -> None:
        params = kwargs.get("invocation_params") or {}
        model = params.get("model") or params.get("model_name") or (metadata or {}).get("ls_model_name")
        if isinstance(model, str) and model:
            with self._lock:
                self._requested[run_id] = model

    def on_chat_model_start(
        self,
        serialized: dict[str, Any],
        messages: list[list[BaseMessage]],
        *,
        run_id: UUID,
        metadata: dict[str, Any] | None = None,
        **kwargs: Any,
    ) -> None:
        self._remember(run_id, kwargs, metadata)

    def on_llm_start(
        self,
        serialized: dict[str, Any],
        prompts: list[str],
        *,
        run_id: UUID,
        metadata: dict[str, Any] | None = None,
        **kwargs: Any,
    ) -> None:
        self._remember(run_id, kwargs, metadata)

    def on_llm_end(self, response: LLMResult, *, run_id: UUID, **kwargs: Any) -> None:
        usage = ModelUsage()
        model = None
        for generations in response.generations:
            for generation in generations:
                message = getattr(generation, "message", None)
                if isinstance(message, AIMessage):
                    usage += _usage_of(message)
                    model = model or self._model(run_id, message)
        if usage.calls:
            usage.calls = 1  # one run, whatever n it asked for
            self._record(run_id, model or _UNKNOWN_MODEL, usage)
        else:
            with self._lock:
                self._requested.pop(run_id, None)

    def on_llm_error(self, error: BaseException, *, run_id: UUID, **kwargs: Any) -> None:
        # A stream that failed midway was still billed for what it produced.
        partial = getattr(error, "partial", None)
        if isinstance(partial, AIMessage) and partial.usage_metadata:
            self._record(run_id, self._model(run_id, partial), _usage_of(partial, failed=True))
        else:
            with self._lock:
                self._requested.pop(run_id, None)


_current: ContextVar[UsageTracker | None] = ContextVar("visionrouter_usage_tracker", default=None)
register_configure_hook(_current, inheritable=True)


@contextmanager
def track_usage() -> Iterator[UsageTracker]:
    """Sum tokens and cost, per model, of every chat model call made inside the block.

    Covers chains, agents, streamed, async and batched calls, and the requests of
    ``VisionRouterEmbeddings`` (one call each). Blocks may nest; the outer one also
    counts what the inner one saw.

    Example:
        .. code-block:: python

            from langchain_visionrouter import ChatVisionRouter, track_usage

            llm = ChatVisionRouter(model="openai/gpt-4o-mini")
            with track_usage() as usage:
                llm.invoke("Hello")
                for _ in llm.stream("Tell me a joke"):
                    pass
            usage.total_cost                        # USD, as billed by the router
            usage.by_model["openai/gpt-4o-mini"]    # ModelUsage(calls=2, input_tokens=..., ...)
    """
    tracker = UsageTracker(parent=_current.get())
    token = _current.set(tracker)
    try:
        yield tracker
    finally:
        _current.reset(token)


def report_call(message: AIMessage, *, model: str) -> None:
    """Count one call made outside LangChain's model callbacks (an embeddings request).

    It reaches the active :func:`track_usage` block (and the blocks around it) through the
    same ``on_llm_start``/``on_llm_end`` path as a chat model run: ``message`` carries the
    usage and cost as a chat answer would.
    """
    tracker = _current.get()
    if tracker is None:
        return
    run_id = uuid4()
    tracker.on_llm_start({}, [], run_id=run_id, invocation_params={"model": model})
    tracker.on_llm_end(LLMResult(generations=[[ChatGeneration(message=message)]]), run_id=run_id)


# -- generation stats -----------------------------------------------------------------------------


@dataclass(frozen=True)
class GenerationStats:
    """What the router recorded for one generation (``GET /generation``). Fields may be ``None``."""

    id: str
    model: str | None = None
    provider_name: str | None = None
    total_cost: float | None = None
    """USD billed."""
    tokens_prompt: int | None = None
    tokens_completion: int | None = None
    native_tokens_prompt: int | None = None
    """Prompt tokens as the provider's own tokenizer counts them (what is billed)."""
    native_tokens_completion: int | None = None
    native_tokens_reasoning: int | None = None
    latency: float | None = None
    """Milliseconds to the first token."""
    generation_time: float | None = None
    """Milliseconds spent generating."""
    finish_reason: str | None = None
    created_at: str | None = None
    streamed: bool | None = None
    cancelled: bool | None = None
    raw: Mapping[str, Any] = field(default_factory=dict, repr=False, compare=False)

    @classmethod
    def from_body(cls, body: Any, generation_id: str) -> GenerationStats:
        """Map the router's answer (``{"data": {...}}`` or the bare object), keeping every field in ``raw``."""
        data = body.get("data", body) if isinstance(body, Mapping) else {}
        data = data if isinstance(data, Mapping) else {}
        kwargs: dict[str, Any] = {}
        for f in fields(cls):
            if f.name in ("id", "raw"):
                continue
            value = data.get(f.name)
            if value is None and f.name == "provider_name":
                value = data.get("provider")
            if value is not None:
                kwargs[f.name] = value
        return cls(id=str(data.get("id") or generation_id), raw=data, **kwargs)


_GENERATION_ATTEMPTS = 5
_GENERATION_WAIT = 0.5  # seconds before the first retry; doubled each time, at most 4


def _generation_request(
    generation_id: str,
    router: str,
    base_url: str | None,
    api_key: SecretStr | str | None,
    timeout: float | None,
    attempts: int,
    wait: float,
    deadline: float | None = DEFAULT_DEADLINE,
    max_response_bytes: int = DEFAULT_MAX_RESPONSE_BYTES,
) -> Request:
    if not isinstance(generation_id, str) or not generation_id.strip():
        raise InvalidInputError(f"get_generation needs a generation id (like 'gen-...'), got {generation_id!r}.")
    url, env_key = resolve_endpoint(router, base_url)
    key = api_key.get_secret_value() if isinstance(api_key, SecretStr) else api_key or env_key
    key = None if key is None else clean_api_key(key, "the api_key argument")
    headers = {"Accept": "application/json"}
    if key:
        headers["Authorization"] = f"Bearer {key}"
    return Request(
        url=f"{url.rstrip('/')}/generation?{urlencode({'id': generation_id})}",
        headers=headers,
        body=b"",
        timeout=timeout,
        # The router needs a moment to record a generation: its 404 is retried like a 503,
        # in the HTTP layer's one retry loop (back-off from ``wait``, within the deadline).
        max_retries=max(attempts, 1) - 1,
        method="GET",
        deadline=deadline,
        max_response_bytes=max_response_bytes,
        also_retry=frozenset({404}),
        first_backoff=wait,
    )


def get_generation(
    generation_id: str,
    *,
    router: str = "openrouter",
    base_url: str | None = None,
    api_key: SecretStr | str | None = None,
    timeout: float | None = 30.0,
    attempts: int = _GENERATION_ATTEMPTS,
    wait: float = _GENERATION_WAIT,
    deadline: float | None = DEFAULT_DEADLINE,
    max_response_bytes: int = DEFAULT_MAX_RESPONSE_BYTES,
) -> GenerationStats:
    """Look up what the router recorded for one generation: cost, tokens, provider, latency.

    The id is ``response_metadata["id"]`` of an answer. The router needs a moment to
    record a generation, so a 404 is retried, like a 429 or a 5xx (``attempts`` tries in
    all, waiting ``wait`` seconds, then about twice as long each time, at most 8 s).

    Args:
        generation_id: The generation id (``gen-...``): ``response_metadata["id"]`` of an
            answer, or ``generation_id`` of an error.
        router: Router preset (``"openrouter"``, ``"infron"``, ``"custom"``), for the default
            base URL and key variable.
        base_url: The router's base URL. Defaults to ``VISIONROUTER_BASE_URL``, then the preset's.
        api_key: The API key (a ``str`` or ``SecretStr``). Defaults to ``VISIONROUTER_API_KEY``,
            then the router's own variable (e.g. ``OPENROUTER_API_KEY``).
        timeout: Seconds to wait for each read of an answer; ``None``: up to the deadline.
        attempts: Requests in all (at least 1), while the router answers 404 (not recorded
            yet) or a retryable failure (429, 5xx).
        wait: Seconds before the first retry; doubled each time, with jitter, at most 8.
        deadline: Seconds the whole lookup may take, every attempt and wait included;
            ``None``: no bound. ``ChatVisionRouter.get_generation`` passes the model's.
        max_response_bytes: Cap on the answer's decoded size; the model's through
            ``ChatVisionRouter.get_generation``.

    Returns:
        GenerationStats: cost, tokens, provider, latency; ``raw`` holds the router's whole record.

    Raises:
        InvalidInputError: if ``generation_id`` is empty or not a string.
        NotFoundError: if the generation is still unknown after every attempt.
        RequestTimeoutError: if the deadline passes first.

    Example:
        .. code-block:: python

            from langchain_visionrouter import get_generation

            message = llm.invoke("hi")
            stats = get_generation(message.response_metadata["id"])
            print(stats.total_cost, stats.provider_name)
    """
    req = _generation_request(
        generation_id, router, base_url, api_key, timeout, attempts, wait, deadline, max_response_bytes
    )
    clients = HTTPClients()
    try:
        return GenerationStats.from_body(request(clients, req, judge_json), generation_id)
    finally:
        clients.close()


async def aget_generation(
    generation_id: str,
    *,
    router: str = "openrouter",
    base_url: str | None = None,
    api_key: SecretStr | str | None = None,
    timeout: float | None = 30.0,
    attempts: int = _GENERATION_ATTEMPTS,
    wait: float = _GENERATION_WAIT,
    deadline: float | None = DEFAULT_DEADLINE,
    max_response_bytes: int = DEFAULT_MAX_RESPONSE_BYTES,
) -> GenerationStats:
    """Async :func:`get_generation`."""
    req = _generation_request(
        generation_id, router, base_url, api_key, timeout, attempts, wait, deadline, max_response_bytes
    )
    clients = HTTPClients()
    try:
        return GenerationStats.from_body(await arequest(clients, req, judge_json), generation_id)
    finally:
        await clients.aclose()
