"""Objects pickled before the subpackage layout still load (the pickle was made by 0.1's flat modules)."""

from __future__ import annotations

import pickle
from pathlib import Path

import pytest

from langchain_visionrouter import BatchItem, ChatVisionRouter, GenerationStats, ModelInfo, RateLimitError

PICKLE = Path(__file__).parents[1] / "data" / "models-before-0.2-layout.pickle"


def test_a_pickle_of_the_flat_layout_loads(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("OPENROUTER_API_KEY", "sk-or-from-env")
    raw = PICKLE.read_bytes()
    assert b"langchain_visionrouter._model_info" in raw  # it really names the old modules
    objs = pickle.loads(raw)
    chat = objs["chat"]
    assert isinstance(chat, ChatVisionRouter)
    assert chat.model == "openai/gpt-4o-mini" and chat.temperature == 0.2
    assert chat.api_key is not None and chat.api_key.get_secret_value() == "sk-or-from-env"
    assert isinstance(objs["item"], BatchItem) and objs["item"].metadata == {"x": 1}
    assert isinstance(objs["info"], ModelInfo) and objs["info"].supports_images
    assert isinstance(objs["stats"], GenerationStats) and objs["stats"].total_cost == 0.2
    assert isinstance(objs["err"], RateLimitError)
