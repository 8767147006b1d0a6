"""The layout shows the architecture: no import cycle between subpackages, modules readable at once."""

from __future__ import annotations

import ast
from graphlib import CycleError, TopologicalSorter
from pathlib import Path

PACKAGE = Path(__file__).resolve().parents[2] / "langchain_visionrouter"
#: Lines a module may have (about 450; the model class module about 700), with a little slack.
MAX_LINES = 480
MAX_LINES_MODEL = 720


def _unit(module: str) -> str:
    """``langchain_visionrouter._wire.http`` -> ``_wire``; a top-level module is its own unit."""
    parts = module.split(".")
    return parts[1] if len(parts) > 1 else "__init__"


def _imports() -> dict[str, set[str]]:
    units = {p.name for p in PACKAGE.iterdir() if p.is_dir() and (p / "__init__.py").exists()}
    units |= {p.stem for p in PACKAGE.glob("*.py")}
    graph: dict[str, set[str]] = {}
    for path in PACKAGE.rglob("*.py"):
        parts = path.relative_to(PACKAGE.parent).with_suffix("").parts
        source = _unit(".".join(p for p in parts if p != "__init__"))
        graph.setdefault(source, set())
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):  # lazy imports count too
            if not (isinstance(node, ast.ImportFrom) and node.module and node.module.startswith(PACKAGE.name)):
                continue
            names = [node.module] if node.module != PACKAGE.name else [f"{PACKAGE.name}.{a.name}" for a in node.names]
            graph[source] |= {_unit(n) for n in names if _unit(n) in units and _unit(n) != source}
    return graph


def test_no_import_cycle_between_subpackages() -> None:
    graph = _imports()
    graph.pop("__init__", None)  # the package's lazy namespace sits above everything
    try:
        order = list(TopologicalSorter(graph).static_order())
    except CycleError as exc:  # pragma: no cover - the message is the point
        raise AssertionError(f"import cycle between subpackages: {exc.args[1]}") from None
    # The lowest layers come first: nothing of the HTTP layer depends on answers or requests.
    assert order.index("_wire") < order.index("_response") < order.index("_request") < order.index("chat_models")
    assert not graph["_router"] & {"_client", "_request", "_response", "_media"}


def test_modules_are_readable_at_once() -> None:
    too_long = {}
    for path in PACKAGE.rglob("*.py"):
        lines = len(path.read_text(encoding="utf-8").splitlines())
        limit = MAX_LINES_MODEL if path.name == "chat_models.py" else MAX_LINES
        if lines > limit:
            too_long[str(path.relative_to(PACKAGE))] = lines
    assert not too_long, f"split these modules: {too_long}"
