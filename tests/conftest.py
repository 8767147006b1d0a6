"""Test configuration shared by every suite.

Tests never touch the network: pytest-socket blocks every socket except loopback
(see ``addopts`` in pyproject.toml), and cassettes replay with ``--record-mode=none``
so a missing cassette fails instead of reaching out. Re-recording is described in
``cassettes/README.md``.
"""

from __future__ import annotations

import os
from collections.abc import Generator
from pathlib import Path
from typing import Any

import pytest

from langchain_visionrouter.testing import cassette_config

ROOT = Path(__file__).resolve().parents[1]
CASSETTES = ROOT / "cassettes"
#: A placeholder key for replay; recorded requests never contain the real one.
FAKE_KEY = "test-key-not-a-secret"

_ENV_VARS = (
    "VISIONROUTER_API_KEY",
    "VISIONROUTER_BASE_URL",
    "OPENROUTER_API_KEY",
    "INFRON_API_KEY",
)


def recording(config: pytest.Config) -> bool:
    return config.getoption("--record-mode", "none") not in ("none", None)


@pytest.fixture(scope="session")
def vcr_config() -> dict[str, Any]:
    # Our own cassette plugin (langchain_visionrouter.testing): secrets scrubbed, base64
    # payloads stored as sha256 digests. Replay pins a request by its inline images and
    # files ("images"); the hand-written cassettes document the rest of the request
    # body without pinning it. A test wanting an exact body uses
    # @pytest.mark.vcr(match_on=[*DEFAULT_MATCH_ON, BODY_MATCHER]).
    return cassette_config(match="images")


@pytest.fixture(scope="module")
def vcr_cassette_dir() -> str:
    return str(CASSETTES)


@pytest.fixture(autouse=True)
def _clean_env(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> None:
    """Each test starts from no router settings in the environment (a fake key when replaying)."""
    if recording(request.config):
        return  # keep the real key for recording
    for var in _ENV_VARS:
        monkeypatch.delenv(var, raising=False)
    monkeypatch.setenv("OPENROUTER_API_KEY", FAKE_KEY)
    monkeypatch.setenv("INFRON_API_KEY", FAKE_KEY)


@pytest.fixture
def api_key() -> str:
    return os.environ.get("VISIONROUTER_API_KEY") or os.environ.get("OPENROUTER_API_KEY") or FAKE_KEY


@pytest.fixture
def fake_router() -> Any:
    """A scripted router on loopback (see tests/fakerouter.py)."""
    from tests.fakerouter import FakeRouter

    with FakeRouter() as router:
        yield router


@pytest.fixture
def make_model(fake_router: Any) -> Any:
    """Build ``ChatVisionRouter`` models talking to ``fake_router``; each is closed after the test.

    Defaults: model ``test/model``, a fake key, no retries, a 10 s time-out; any keyword
    overrides them (``make_model(model="openai/gpt-4o", router="infron", max_retries=2)``).
    """
    from langchain_visionrouter import ChatVisionRouter

    made: list[ChatVisionRouter] = []

    def make(**kwargs: Any) -> ChatVisionRouter:
        kwargs.setdefault("model", "test/model")
        kwargs.setdefault("api_key", FAKE_KEY)
        kwargs.setdefault("base_url", fake_router.url)
        kwargs.setdefault("max_retries", 0)
        kwargs.setdefault("timeout", 10)
        model = ChatVisionRouter(**kwargs)
        made.append(model)
        return model

    yield make
    for model in made:
        model.close()


@pytest.fixture
def fresh_catalog() -> Any:
    """No model catalog cached before or after the test (the cache is process-wide)."""
    from langchain_visionrouter import clear_catalog_cache

    clear_catalog_cache()
    yield
    clear_catalog_cache()


@pytest.fixture
def make_vision_model(make_model: Any) -> Any:
    """``make_model`` with the model id first (default ``acme/vision``, of tests/catalog_data.py)."""

    def make(model: str = "acme/vision", **kwargs: Any) -> Any:
        return make_model(model=model, **kwargs)

    return make


@pytest.fixture
def model(make_model: Any) -> Any:
    """A ``ChatVisionRouter`` on ``fake_router`` with the defaults of ``make_model``."""
    return make_model()


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo[Any]) -> Generator[None, Any, Any]:
    """Keep each phase's report on the item (``item.report_call``), for fixtures that check in teardown."""
    report = yield
    setattr(item, f"report_{report.when}", report)
    return report
