"""Sources of the cassettes we write ourselves from the router's documented wire format.

Every module here defines ``CASSETTES: dict[str, list[interaction]]``; they are found
automatically. ``python -m tests.cassette_sources`` rewrites them all into ``cassettes/`` (and the few
in ``PACKAGE_CASSETTES`` into the package).
"""

from __future__ import annotations

import importlib
import pkgutil
from typing import Any


def _collect(attribute: str) -> dict[str, list[dict[str, Any]]]:
    found: dict[str, list[dict[str, Any]]] = {}
    for info in pkgutil.iter_modules(__path__):
        if info.name.startswith("_"):
            continue
        module = importlib.import_module(f"{__name__}.{info.name}")
        for name, interactions in getattr(module, attribute, {}).items():
            if name in found:
                raise ValueError(f"cassette {name!r} is defined twice")
            found[name] = interactions
    return found


def all_cassettes() -> dict[str, list[dict[str, Any]]]:
    """``{name: interactions}`` for every cassette in ``cassettes/``."""
    return _collect("CASSETTES")


def package_cassettes() -> dict[str, list[dict[str, Any]]]:
    """``{path from the repo root: interactions}`` for cassettes shipped inside the package."""
    return _collect("PACKAGE_CASSETTES")
