"""Replaying cassettes with no API key set: the pytest plugin's hooks (see ``testing``).

While a ``@pytest.mark.vcr`` test replays (pytest-recording's ``--record-mode=none``,
its default) and no key is set, a model gets a stand-in key, so a user's own cassettes
replay on a machine with no key, as the README promises, without the user inventing a
key. The stand-in never reaches a cassette (the ``Authorization`` header is dropped) nor
matching. A key in the environment is used as always, and recording without one still
fails at construction: real use keeps its error.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import AbstractContextManager
from typing import Any

import pytest

from langchain_visionrouter._router.presets import REPLAY_PLACEHOLDER_KEY, replay_placeholder

__all__ = ["pytest_make_collect_report", "pytest_runtest_protocol"]


def _replaying(config: Any, item: Any = None) -> bool:
    # pytest-recording's record mode (its default is "none": replay only, no network).
    # Without pytest-recording the option does not exist: nothing replays.
    try:
        mode = config.getoption("--record-mode")
    except ValueError:
        return False
    return (mode or "none") == "none" and (item is None or item.get_closest_marker("vcr") is not None)


def _placeholder_while(replaying: bool) -> AbstractContextManager[None]:
    return replay_placeholder(REPLAY_PLACEHOLDER_KEY if replaying else None)


@pytest.hookimpl(hookwrapper=True)
def pytest_make_collect_report(collector: Any) -> Iterator[None]:
    """While a test module is imported under replay, a model built at import needs no key."""
    with _placeholder_while(_replaying(collector.config)):
        yield


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_protocol(item: Any, nextitem: Any) -> Iterator[None]:
    """A ``@pytest.mark.vcr`` test replaying cassettes needs no key (its fixtures neither)."""
    with _placeholder_while(_replaying(item.config, item)):
        yield
