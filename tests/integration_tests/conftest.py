"""Standard-suite subclasses that rerun only some tests list them in ``only_tests``."""

from __future__ import annotations

import pytest


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    keep, drop = [], []
    for item in items:
        only = getattr(getattr(item, "cls", None), "only_tests", None)
        name = getattr(item, "originalname", item.name)
        (drop if only is not None and name not in only else keep).append(item)
    if drop:
        config.hook.pytest_deselected(items=drop)
        items[:] = keep
