"""LangChain's standard integration tests for ``ChatVisionRouter``, replayed from cassettes.

Every test runs against ``cassettes/<Class>.<test>.yaml`` (pytest-recording's default
names, as ``langchain_tests`` uses them) with ``--record-mode=none`` and sockets blocked,
so nothing reaches the network. Each request must match its cassette on method, URL and
JSON body (``langchain_visionrouter.testing.body_matcher``), and every interaction of the cassette must
be played: the cassettes are a checked record of what the adapter sends, not just canned
answers. They were written from the router's documented wire format by
``tests/cassette_sources/standard_integration.py``.

The model is ``google/gemini-2.0-flash-001``: through the router it takes text, images,
PDFs and audio, calls tools, and honours ``response_format``, so no test is skipped for
want of a capability. ``TestChatVisionRouterStandard`` runs the whole suite (structured
output with the default ``function_calling``); ``TestChatVisionRouterJsonSchema`` runs the
structured-output tests again with ``method="json_schema"`` (JSON mode has its own test).
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from langchain_core.messages import AIMessage, AIMessageChunk, HumanMessage, SystemMessage
from langchain_core.messages.utils import message_chunk_to_message
from langchain_tests.integration_tests import ChatModelIntegrationTests

from langchain_visionrouter import ChatVisionRouter
from langchain_visionrouter.testing import cassette_config
from tests.capabilities import VisionRouterCapabilities
from tests.cassette_sources import standard_integration as source

pytestmark = pytest.mark.vcr


@pytest.fixture
def vcr_config(request: pytest.FixtureRequest) -> dict[str, Any]:
    config = cassette_config(match="body")
    if request.node.name == "test_stream_time":
        config["allow_playback_repeats"] = True  # pytest-benchmark streams the same answer many times
    return config


@pytest.fixture(autouse=True)
def _wikimedia_user_agent(monkeypatch: pytest.MonkeyPatch) -> None:
    # langchain_tests asks for one before downloading its audio sample (replayed here).
    monkeypatch.setenv("LANGCHAIN_TESTS_USER_AGENT", "langchain-visionrouter-tests/0.1 (cassette replay)")


@pytest.fixture(autouse=True)
def _every_interaction_played(request: pytest.FixtureRequest, vcr: Any, record_mode: str) -> Iterator[None]:
    yield
    report = getattr(request.node, "report_call", None)
    if vcr is not None and record_mode == "none" and report is not None and report.passed:
        unplayed = [r.uri for i, (r, _) in enumerate(vcr.data) if not vcr.play_counts[i]]
        assert not unplayed, f"the test made fewer requests than its cassette holds; unplayed: {unplayed}"


def _stream_sum(model: ChatVisionRouter, messages: list[Any]) -> AIMessage:
    full: AIMessageChunk | None = None
    for chunk in model.stream(messages):
        full = chunk if full is None else full + chunk
    message = message_chunk_to_message(full) if full is not None else None
    assert isinstance(message, AIMessage)
    return message


class TestChatVisionRouterStandard(VisionRouterCapabilities, ChatModelIntegrationTests):
    @property
    def chat_model_params(self) -> dict[str, Any]:
        return {"model": source.MODEL}

    @property
    def model_override_value(self) -> str:
        return source.OVERRIDE_MODEL

    @property
    def enable_vcr_tests(self) -> bool:
        return True

    @property
    def supported_usage_metadata_details(self) -> dict[str, list[Any]]:
        details = ["reasoning_output", "cache_read_input", "cache_creation_input"]
        return {"invoke": list(details), "stream": list(details)}

    # -- the usage-detail probes: other models, as the router reports those details ---------

    def _probe(self, model: str, messages: list[Any], *, stream: bool, **params: Any) -> AIMessage:
        with ChatVisionRouter(**{**self.standard_chat_model_params, "model": model, **params}) as llm:
            return _stream_sum(llm, messages) if stream else llm.invoke(messages)

    def invoke_with_reasoning_output(self, *, stream: bool = False) -> AIMessage:
        return self._probe(
            source.REASONING_MODEL,
            [HumanMessage(source.REASONING_QUESTION)],
            stream=stream,
            max_tokens=source.REASONING_MAX_TOKENS,
            reasoning={"max_tokens": source.REASONING_BUDGET},
        )

    def _cached_messages(self) -> list[Any]:
        system = SystemMessage([{"type": "text", "text": source.LONG_DOCUMENT, "cache_control": {"type": "ephemeral"}}])
        return [system, HumanMessage(source.CACHE_QUESTION)]

    def invoke_with_cache_creation_input(self, *, stream: bool = False) -> AIMessage:
        return self._probe(source.CACHE_MODEL, self._cached_messages(), stream=stream)

    def invoke_with_cache_read_input(self, *, stream: bool = False) -> AIMessage:
        self._probe(source.CACHE_MODEL, self._cached_messages(), stream=stream)  # writes the cache
        return self._probe(source.CACHE_MODEL, self._cached_messages(), stream=stream)


class TestChatVisionRouterJsonSchema(TestChatVisionRouterStandard):
    """The structured-output tests with ``method="json_schema"`` (the rest are deselected here)."""

    only_tests = (
        "test_structured_output",
        "test_structured_output_async",
        "test_structured_output_pydantic_2_v1",
        "test_structured_output_optional_param",
    )

    @property
    def structured_output_kwargs(self) -> dict[str, Any]:
        return {"method": "json_schema"}
