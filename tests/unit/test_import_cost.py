"""Importing the package loads only what building and calling a model needs (python -m benchmarks: import)."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]

# Loaded on first use of bind_tools / with_structured_output / usage tracking, not on import.
DEFERRED = (
    "langchain_visionrouter._request.tools",
    "langchain_visionrouter._client.usage",
    "langchain_core.tools",
    "langchain_core.output_parsers.json",
    "langchain_core.output_parsers.pydantic",
    "langchain_core.tracers.langchain",
)


def loaded_after(code: str) -> set[str]:
    probe = f"{code}\nimport json, sys\nprint(json.dumps(sorted(sys.modules)))"
    out = subprocess.run([sys.executable, "-c", probe], cwd=ROOT, capture_output=True, text=True, check=True)
    return set(json.loads(out.stdout.strip().splitlines()[-1]))


def test_import_defers_tools_usage_and_parsers() -> None:
    loaded = loaded_after("import langchain_visionrouter\nfrom langchain_visionrouter import ChatVisionRouter")
    assert "langchain_visionrouter.chat_models" in loaded
    assert sorted(set(DEFERRED) & loaded) == []


def test_deferred_names_still_import() -> None:
    code = (
        "from langchain_visionrouter import track_usage, get_generation, GenerationStats, ModelUsage\n"
        "from langchain_visionrouter import ChatVisionRouter\n"
        "ChatVisionRouter(model='m', api_key='k').bind_tools([])\n"
    )
    loaded = loaded_after(code)
    assert {"langchain_visionrouter._client.usage", "langchain_visionrouter._request.tools"} <= loaded


def test_the_pytest_plugin_does_not_load_langchain() -> None:
    """The plugin is auto-loaded in every pytest session of anyone who installs the package."""
    loaded = loaded_after("import langchain_visionrouter.testing")
    assert not {m for m in loaded if m.startswith(("langchain_core", "httpx", "langchain_visionrouter.chat_models"))}


def test_every_lazy_name_resolves() -> None:
    import langchain_visionrouter as package

    for name in package.__all__:
        assert getattr(package, name) is not None, name
    assert set(package.__all__) <= set(dir(package))
