"""The names a user reads and writes (issue 16, item 8).

``help(ChatVisionRouter)`` and the signature show the README's names (``model``,
``timeout``, ``max_tokens``, ``stop``); LangChain's conventional aliases still work.
Usage totals are keyed by the model asked for, also on Infron, which answers under the
upstream model's own name.
"""

from __future__ import annotations

import inspect
import pydoc
from typing import Any

import pytest

from langchain_visionrouter import ChatVisionRouter, track_usage
from tests import wire

ALIASES = {
    "model": "model_name",
    "timeout": "request_timeout",
    "max_tokens": "max_completion_tokens",
    "stop": "stop_sequences",
}


def test_signature_and_help_show_the_readme_names() -> None:
    parameters = inspect.signature(ChatVisionRouter).parameters
    text = pydoc.render_doc(ChatVisionRouter, renderer=pydoc.plaintext)
    signature = next(line for line in text.splitlines() if "ChatVisionRouter(*args" in line)
    for name, alias in ALIASES.items():
        assert name in parameters and alias not in parameters
        assert f" {name}: " in signature and f" {alias}: " not in signature


@pytest.mark.parametrize("spelling", ["name", "alias"])
def test_both_spellings_set_the_same_fields(spelling: str) -> None:
    values = {"model": "acme/a", "timeout": 7.0, "max_tokens": 9, "stop": ["END"]}
    kwargs = {(name if spelling == "name" else ALIASES[name]): value for name, value in values.items()}
    llm = ChatVisionRouter(api_key="k", **kwargs)
    assert (llm.model, llm.timeout, llm.max_tokens, llm.stop) == tuple(values.values())
    body = llm._prepare([], None, {}, stream=False).body
    assert (body["model"], body["max_tokens"], body["stop"]) == ("acme/a", 9, ["END"])


def test_infron_usage_is_keyed_by_the_model_asked_for(fake_router: Any) -> None:
    upstream = "gpt-4o-mini-2024-07-18"  # what Infron reports as the answer's model
    for _ in range(2):
        answer = wire.completion(gen="gen-1", model=upstream, provider="openai", content="ok", use=wire.usage(5, 2))
        fake_router.reply(json=answer)
    llm = ChatVisionRouter(model="openai/gpt-4o-mini", router="infron", api_key="k", base_url=fake_router.url)
    with llm, track_usage() as usage:
        llm.invoke("a")
        llm.invoke("b")
    assert set(usage.by_model) == {"openai/gpt-4o-mini"}
    entry = usage.by_model["openai/gpt-4o-mini"]
    assert (entry.calls, entry.total_tokens) == (2, 14)
    assert entry.served_by == {upstream: 2}
