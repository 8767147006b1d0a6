"""Replaying a user's own cassettes needs no key (issue 16, item 1), tested as a user runs it.

A separate pytest process, with no key variable at all in its environment, replays
cassettes it recorded earlier with a key: the model is built at import, in a module
fixture and in the test body. Recording without a key still fails as before.
"""

from __future__ import annotations

import textwrap
from typing import Any

import pytest

from langchain_visionrouter import ChatVisionRouter
from langchain_visionrouter._router import presets as _routers
from langchain_visionrouter.testing import REPLAY_PLACEHOLDER_KEY

pytest_plugins = ("pytester",)

SECRET = "sk-or-v1-REPLAY-TEST-SECRET"
REPLY = {
    "id": "gen-1",
    "model": "m",
    "choices": [{"index": 0, "finish_reason": "stop", "message": {"role": "assistant", "content": "from the tape"}}],
}
KEY_VARIABLES = ("VISIONROUTER_API_KEY", "OPENROUTER_API_KEY", "INFRON_API_KEY")

USER_SUITE = """
import pytest
from langchain_visionrouter import ChatVisionRouter
from langchain_visionrouter.testing import cassette_config

AT_IMPORT = ChatVisionRouter(model="m", base_url={url!r}, max_retries=0)


@pytest.fixture(scope="module")
def vcr_config():
    return cassette_config()


@pytest.fixture(scope="module")
def llm():
    with ChatVisionRouter(model="m", base_url={url!r}, max_retries=0) as model:
        yield model


@pytest.mark.vcr
def test_fixture_model(llm):
    assert llm.invoke("Hello").content == "from the tape"


@pytest.mark.vcr
def test_model_built_in_the_test():
    with ChatVisionRouter(model="m", base_url={url!r}, max_retries=0) as model:
        assert model.invoke("Hello").content == "from the tape"


@pytest.mark.vcr
def test_model_built_at_import():
    assert AT_IMPORT.invoke("Hello").content == "from the tape"
"""


def _run(pytester: pytest.Pytester, monkeypatch: pytest.MonkeyPatch, *args: str, key: str | None) -> Any:
    for name in KEY_VARIABLES:
        monkeypatch.delenv(name, raising=False)
    if key is not None:
        monkeypatch.setenv("OPENROUTER_API_KEY", key)
    return pytester.runpytest_subprocess("-p", "no:cacheprovider", *args)


def test_a_user_suite_replays_with_no_key_set(
    pytester: pytest.Pytester, monkeypatch: pytest.MonkeyPatch, fake_router: Any
) -> None:
    pytester.makepyfile(test_user=textwrap.dedent(USER_SUITE.format(url=fake_router.url)))
    for _ in range(3):
        fake_router.reply(json=REPLY)
    _run(pytester, monkeypatch, "--record-mode=once", key=SECRET).assert_outcomes(passed=3)
    assert len(fake_router.requests) == 3
    assert fake_router.requests[0].headers["Authorization"] == f"Bearer {SECRET}"
    cassettes = sorted((pytester.path / "cassettes" / "test_user").glob("*.yaml"))
    assert len(cassettes) == 3
    assert all(SECRET not in c.read_text() for c in cassettes)

    # The README's replay command, on a machine with no key: no network, no key, passes.
    result = _run(pytester, monkeypatch, "--record-mode=none", key=None)
    result.assert_outcomes(passed=3)
    assert len(fake_router.requests) == 3  # nothing reached the router
    assert all(REPLAY_PLACEHOLDER_KEY not in c.read_text() for c in cassettes)


def test_recording_without_a_key_still_fails_as_it_should(
    pytester: pytest.Pytester, monkeypatch: pytest.MonkeyPatch, fake_router: Any
) -> None:
    pytester.makepyfile(test_user=textwrap.dedent(USER_SUITE.format(url=fake_router.url)))
    result = _run(pytester, monkeypatch, "--record-mode=once", key=None)
    assert result.ret != 0
    result.stdout.fnmatch_lines(["*No API key for openrouter*OPENROUTER_API_KEY*"])
    assert fake_router.requests == []


def test_a_key_that_is_set_is_used_when_replaying(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("OPENROUTER_API_KEY", SECRET)
    with _routers.replay_placeholder(REPLAY_PLACEHOLDER_KEY):
        llm = ChatVisionRouter(model="m")
    assert llm.api_key is not None and llm.api_key.get_secret_value() == SECRET


def test_outside_replay_a_missing_key_is_refused_at_construction(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in KEY_VARIABLES:
        monkeypatch.delenv(name, raising=False)
    with pytest.raises(ValueError, match="No API key for openrouter"):
        ChatVisionRouter(model="m")
