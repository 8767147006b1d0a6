"""Sources of the cassettes we write ourselves from the router's documented wire format.

Every module here defines ``CASSETTES: dict[str, list[interaction]]``; they are found
automatically. ``python -m tests.cassette_sources`` rewrites them all into ``cassettes/``.
"""

from __future__ import annotations

import importlib
import pkgutil
from typing import Any


def all_cassettes() -> dict[str, list[dict[str, Any]]]:
    found: dict[str, list[dict[str, Any]]] = {}
    for info in pkgutil.iter_modules(__path__):
        module = importlib.import_module(f"{__name__}.{info.name}")
        for name, interactions in getattr(module, "CASSETTES", {}).items():
            if name in found:
                raise ValueError(f"cassette {name!r} is defined twice")
            found[name] = interactions
    return found
