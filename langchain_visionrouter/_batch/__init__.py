"""One prompt over many inputs: the engine (bounded, paced, budgeted), its journal and inputs, and Ray.

The CLI front end is ``_cli.batch``; ``run_batch`` is the Python one.
"""

from typing import Any

# Before the subpackage layout these lived in the module ``_batch`` itself: pickles of
# them name ``langchain_visionrouter._batch``, so the package answers for them.
_LEGACY = ("BatchItem", "BatchResult", "BatchRun")


def __getattr__(name: str) -> Any:
    if name in _LEGACY:
        from langchain_visionrouter._batch import engine

        return getattr(engine, name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
