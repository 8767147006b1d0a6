"""The docs hold together: every relative link resolves, the architecture page names every module,
the README stays short, its Python snippets are valid Python, and CI runs the README's test command.

Links are read as GitHub renders them: outside fenced code and inline code; an ``#anchor`` must be
the GitHub-style slug of a heading in the target file (lower case, punctuation dropped, spaces to
hyphens, ``-1``, ``-2``... for repeats).
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
PACKAGE = ROOT / "langchain_visionrouter"
ARCHITECTURE = ROOT / "docs" / "architecture.md"
README_MAX_LINES = 220

DOCS = sorted(
    [
        ROOT / "README.md",
        ROOT / "benchmarks" / "README.md",
        ROOT / "cassettes" / "README.md",
        *(ROOT / "docs").glob("*.md"),
    ]
)

FENCE = re.compile(r"^\s*(```|~~~)")
HEADING = re.compile(r"^(#{1,6})\s+(.*?)\s*#*\s*$")
INLINE_CODE = re.compile(r"(`+)(.+?)\1")
LINK = re.compile(r"!?\[[^\]]*\]\(\s*<?([^)\s>]+)>?(?:\s+\"[^\"]*\")?\s*\)")
SCHEME = re.compile(r"^[a-zA-Z][a-zA-Z0-9+.-]*:")


def _prose_lines(text: str) -> list[str]:
    """The lines outside fenced code blocks."""
    lines, fenced = [], False
    for line in text.splitlines():
        if FENCE.match(line):
            fenced = not fenced
            continue
        if not fenced:
            lines.append(line)
    return lines


def _code_blocks(text: str, language: str) -> list[tuple[int, str]]:
    """(first line number, source) of each fenced block in ``language``."""
    blocks: list[tuple[int, str]] = []
    current: list[str] | None = None
    start = 0
    for number, line in enumerate(text.splitlines(), 1):
        if current is None and line.strip() == f"```{language}":
            current, start = [], number + 1
        elif current is not None and line.strip() == "```":
            blocks.append((start, "\n".join(current) + "\n"))
            current = None
        elif current is not None:
            current.append(line)
    return blocks


def slug(heading: str) -> str:
    """GitHub's anchor for a heading's text."""
    text = re.sub(r"!?\[([^\]]*)\]\([^)]*\)", r"\1", heading)  # a link shows its text
    text = text.replace("`", "").strip().lower()
    text = re.sub(r"[^\w\- ]", "", text)
    return text.replace(" ", "-")


def anchors(path: Path) -> set[str]:
    found: set[str] = set()
    seen: dict[str, int] = {}
    for line in _prose_lines(path.read_text(encoding="utf-8")):
        match = HEADING.match(line)
        if not match:
            continue
        base = slug(match.group(2))
        count = seen.get(base, 0)
        seen[base] = count + 1
        found.add(base if count == 0 else f"{base}-{count}")
    return found


def relative_links(path: Path) -> list[str]:
    links: list[str] = []
    for line in _prose_lines(path.read_text(encoding="utf-8")):
        for target in LINK.findall(INLINE_CODE.sub("", line)):
            if not SCHEME.match(target):
                links.append(target)
    return links


def test_the_helpers_read_links_and_anchors_as_github_does() -> None:
    assert slug('Only the pixels the model will look at: `image_fit="model"`') == (
        "only-the-pixels-the-model-will-look-at-image_fitmodel"
    )
    assert slug("Round 2 (issue 19)") == "round-2-issue-19"
    assert slug("Vision at scale: `visionrouter batch`") == "vision-at-scale-visionrouter-batch"
    assert relative_links(ROOT / "docs" / "README.md"), "the docs index links to its pages"


@pytest.mark.parametrize("doc", DOCS, ids=lambda p: p.relative_to(ROOT).as_posix())
def test_every_relative_link_resolves(doc: Path) -> None:
    assert doc.is_file(), f"{doc} is missing"
    broken = []
    for target in relative_links(doc):
        file_part, _, anchor = target.partition("#")
        resolved = (doc.parent / file_part).resolve() if file_part else doc
        if not resolved.exists():
            broken.append(f"{target}: no such file {resolved}")
        elif anchor:
            if resolved.suffix != ".md":
                broken.append(f"{target}: an anchor into a file that is not Markdown")
            elif anchor not in anchors(resolved):
                broken.append(f"{target}: no heading in {resolved.name} has the slug {anchor!r}")
    assert not broken, f"{doc.relative_to(ROOT)}:\n" + "\n".join(broken)


def test_the_architecture_page_names_every_module() -> None:
    modules = sorted(p.relative_to(PACKAGE).as_posix() for p in PACKAGE.rglob("*.py") if "__pycache__" not in p.parts)
    assert len(modules) > 30, modules  # the walk found the package
    text = ARCHITECTURE.read_text(encoding="utf-8")
    # A whole path: `embeddings.py` is not named by `_request/embeddings.py`.
    missing = [m for m in modules if not re.search(rf"(?<![\w/.]){re.escape(m)}(?!\w)", text)]
    assert not missing, f"docs/architecture.md has no line for: {missing} (add one in data-flow order)"


def test_the_readme_is_short() -> None:
    lines = (ROOT / "README.md").read_text(encoding="utf-8").splitlines()
    assert len(lines) <= README_MAX_LINES, f"README.md has {len(lines)} lines; move detail into docs/"


@pytest.mark.parametrize(
    "doc", [ROOT / "README.md", *sorted((ROOT / "docs").glob("*.md"))], ids=lambda p: p.relative_to(ROOT).as_posix()
)
def test_python_snippets_are_valid_python(doc: Path) -> None:
    blocks = _code_blocks(doc.read_text(encoding="utf-8"), "python")
    for start, source in blocks:
        try:
            compile(source, f"{doc.name}:{start}", "exec")
        except SyntaxError as exc:
            pytest.fail(f"{doc.relative_to(ROOT)}, the snippet at line {start}: {exc}")


def test_the_readme_has_python_snippets() -> None:
    assert len(_code_blocks((ROOT / "README.md").read_text(encoding="utf-8"), "python")) >= 3


def test_ci_runs_the_readmes_test_command() -> None:
    ci = (ROOT / ".ci" / "run").read_text(encoding="utf-8").splitlines()
    commands = [line for line in ci if line.startswith("python3 -m venv")]
    assert len(commands) == 1, ci
    readme_bash = [
        line
        for _, block in _code_blocks((ROOT / "README.md").read_text(encoding="utf-8"), "bash")
        for line in block.splitlines()
    ]
    assert commands[0] in readme_bash, f"the README's test command differs from .ci/run's: {commands[0]}"
