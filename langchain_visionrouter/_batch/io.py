"""The inputs of a batch: files, folders, globs, URLs and manifests, expanded lazily into items.

Inputs become :class:`BatchItem` objects one at a time, never read here (except with
``key_by="hash"``): a folder of a million images costs a directory walk.

One item, one key. A key is the item's identity across runs (the journal marks keys done):

- a local file's key is its *resolved* path (absolute, symlinks resolved), so ``./a.png``
  and ``a.png``, or two manifests in different folders that both list ``x.png``, are told
  apart or recognised as the same file, never confused by spelling;
- a URL's key is the URL; a manifest's ``key`` column, when filled, wins over both;
- ``key_by="hash"`` keys local files by content (``sha256:<hex>``): the same bytes under
  two names found by a walk or glob are one item (listed twice by a manifest, a duplicate),
  and renaming a folder does not resend it.

A file name that is not valid UTF-8 is kept as is for reading and escaped in its key
(``\\xff``): a key is always text that a JSON line can hold.

Folders and ``**`` globs follow symlinked folders, each real folder once and each real
file once, so a link back up the tree neither loops nor bills one image under many keys.
A manifest's paths must stay inside the manifest's folder (after resolving ``..`` and
symlinks) unless ``allow_outside=True`` (``--allow-outside``): a manifest received from
elsewhere cannot make the run read and upload ``../private/payroll.pdf``.

:func:`check_keys` reads every item once to refuse duplicate keys up front, naming the
rows. (The journal is :mod:`._batch.journal`.)
"""

from __future__ import annotations

import csv
import fnmatch
import hashlib
import json
import os
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Any

from langchain_visionrouter._batch.engine import BatchItem
from langchain_visionrouter._batch.journal import Journal

__all__ = ["Journal", "check_keys", "expand_inputs", "text_key"]

#: Files a folder walk picks up (by name: a walk must not open every file to sniff it;
#: a file given by name is sniffed from its bytes when read).
FOLDER_TYPES = frozenset({".png", ".jpg", ".jpeg", ".gif", ".webp", ".pdf"})
MANIFEST_TYPES = frozenset({".csv", ".jsonl", ".ndjson"})
#: Manifest columns naming the source, in the order tried.
SOURCE_COLUMNS = ("path", "url", "source", "image", "file")
KEY_BY = ("path", "hash")
_GLOB_CHARS = frozenset("*?[")
#: Duplicate keys named in the error (the rest are counted).
_NAMED = 5


def _is_url(text: str) -> bool:
    return text[:8].lower().startswith(("http://", "https://"))


def text_key(path: str) -> str:
    """``path`` as key text: undecodable bytes (kept by ``os.fsdecode`` as surrogates) escaped as ``\\xNN``."""
    try:
        path.encode("utf-8")
    except UnicodeEncodeError:
        return path.encode("utf-8", "surrogateescape").decode("utf-8", "backslashreplace")
    return path


def _file_key(path: str, key_by: str) -> str:
    if key_by == "hash":
        digest = hashlib.sha256()
        try:
            with open(path, "rb") as file:
                for block in iter(lambda: file.read(1 << 20), b""):
                    digest.update(block)
        except OSError as exc:
            raise ValueError(f"input {text_key(path)!r}: cannot read it to hash ({exc.strerror})") from None
        return "sha256:" + digest.hexdigest()
    return text_key(os.path.realpath(path))


def expand_inputs(inputs: Iterable[str], *, key_by: str = "path", allow_outside: bool = False) -> Iterator[BatchItem]:
    """Items from command-line inputs, in order, lazily, keyed as the module docstring says.

    Raises ``ValueError`` (before any item of that input) for a path that does not exist,
    a glob that matches nothing, a manifest without a source column, or a manifest path
    outside its folder (unless ``allow_outside``).
    """
    if key_by not in KEY_BY:
        raise ValueError(f"key_by must be one of {', '.join(KEY_BY)}, got {key_by!r}")
    seen: set[str] = set()  # real files already yielded by walks and globs
    hashed: set[str] = set()  # with key_by="hash": contents already yielded (copies are one item)
    for item in _expand(inputs, key_by, allow_outside, seen):
        if key_by == "hash" and item.key.startswith("sha256:") and not (item.origin or "").startswith("manifest"):
            if item.key in hashed:
                continue
            hashed.add(item.key)
        yield item


def _expand(inputs: Iterable[str], key_by: str, allow_outside: bool, seen: set[str]) -> Iterator[BatchItem]:
    for text in inputs:
        if _is_url(text):
            yield BatchItem(text.strip(), text.strip(), origin=f"input {text}")
        elif os.path.isdir(text):
            for path in _walk(text, seen):
                yield BatchItem(_file_key(path, key_by), path, origin=f"input {text_key(text)} ({text_key(path)})")
        elif os.path.isfile(text) and Path(text).suffix.lower() in MANIFEST_TYPES:
            yield from _manifest(text, key_by, allow_outside)
        elif os.path.isfile(text):
            yield BatchItem(_file_key(text, key_by), text, origin=f"input {text_key(text)}")
        elif _GLOB_CHARS & set(text):
            matched = False
            for path in _glob(text, seen):
                matched = True
                yield BatchItem(_file_key(path, key_by), path, origin=f"input {text_key(text)} ({text_key(path)})")
            if not matched:
                raise ValueError(f"input {text_key(text)!r}: the pattern matches no file")
        else:
            raise ValueError(f"input {text_key(text)!r}: no such file or folder (and not an http(s) URL)")


def _walk(folder: str, seen: set[str], types: frozenset[str] | None = FOLDER_TYPES) -> Iterator[str]:
    """Files under ``folder`` in a stable order, following symlinked folders; each real folder and file once."""
    visited: set[str] = set()
    for root, dirs, files in os.walk(folder, followlinks=True):
        real = os.path.realpath(root)
        if real in visited:  # a link back to a folder walked already: a loop, or the same tree twice
            dirs[:] = []
            continue
        visited.add(real)
        dirs.sort()  # a stable order, so a rerun walks the same way
        for name in sorted(files):
            if types is None or Path(name).suffix.lower() in types:
                path = os.path.join(root, name)
                identity = os.path.realpath(path)
                if identity not in seen and os.path.isfile(path):
                    seen.add(identity)
                    yield path


def _split_glob(pattern: str) -> tuple[str, list[str]]:
    """The folder before the first wildcard, and the pattern's segments after it."""
    parts = pattern.split(os.sep)
    fixed: list[str] = []
    for i, part in enumerate(parts):
        if _GLOB_CHARS & set(part):
            base = os.sep.join(fixed) if fixed else "."
            return (base or os.sep), parts[i:]
        fixed.append(part)
    return pattern, []


def _match(segments: list[str], names: list[str]) -> bool:
    """``names`` (a relative path's parts) against glob ``segments`` (``**``: any folders, none included)."""
    if not segments:
        return not names
    head = segments[0]
    if head == "**":
        return any(_match(segments[1:], names[i:]) for i in range(len(names) + 1))
    if not names or (names[0].startswith(".") and not head.startswith(".")):  # as glob: * skips hidden names
        return False
    return fnmatch.fnmatchcase(names[0], head) and _match(segments[1:], names[1:])


def _glob(pattern: str, seen: set[str]) -> Iterator[str]:
    """Files matching ``pattern``, sorted, walked loop-free (``glob``'s ``**`` follows links forever)."""
    base, segments = _split_glob(pattern)
    if not os.path.isdir(base):
        return
    found = []
    recursive = "**" in segments
    for path in _walk(base, set(), None) if recursive else _listing(base, len(segments)):
        rel = os.path.relpath(path, base).split(os.sep)
        if _match(segments, rel):
            found.append(path)
    for path in sorted(found):
        identity = os.path.realpath(path)
        if identity not in seen:
            seen.add(identity)
            yield path


def _listing(base: str, depth: int) -> Iterator[str]:
    """Files exactly ``depth`` folders below ``base`` (a glob without ``**``: no walk of the whole tree)."""
    level = [base]
    for _ in range(depth - 1):
        level = [os.path.join(d, n) for d in level for n in sorted(os.listdir(d)) if os.path.isdir(os.path.join(d, n))]
    for folder in level:
        for name in sorted(os.listdir(folder)):
            path = os.path.join(folder, name)
            if os.path.isfile(path):
                yield path


def _inside(path: str, folder: str) -> bool:
    real, root = os.path.realpath(path), os.path.realpath(folder)
    return real == root or real.startswith(root.rstrip(os.sep) + os.sep)


def _manifest(path: str, key_by: str, allow_outside: bool) -> Iterator[BatchItem]:
    """Rows of a CSV (with a header) or JSONL manifest; relative paths are from its folder.

    Read as ``utf-8-sig``: a byte-order mark (Excel's "CSV UTF-8") is not part of the first column's name.
    """
    base = os.path.dirname(os.path.abspath(path))
    name = text_key(path)
    with open(path, encoding="utf-8-sig", newline="") as file:
        if path.lower().endswith(".csv"):
            rows: Iterator[tuple[int, dict[str, Any]]] = enumerate(csv.DictReader(file), start=2)
        else:
            rows = ((n, _json_row(name, n, line)) for n, line in enumerate(file, start=1) if line.strip())
        for line_no, row in rows:
            column = next((c for c in SOURCE_COLUMNS if row.get(c)), None)
            if column is None:
                raise ValueError(
                    f"manifest {name}, line {line_no}: no source; give one of the columns {', '.join(SOURCE_COLUMNS)}"
                )
            source = str(row[column]).strip()
            origin = f"manifest {name} line {line_no}"
            if _is_url(source):
                local, key = source, source
            else:
                local = os.path.normpath(os.path.join(base, source))  # an absolute source stays itself
                if not allow_outside and not _inside(local, base):
                    raise ValueError(
                        f"{origin}: {source!r} is outside the manifest's folder {text_key(base)}; "
                        "move it in, or pass --allow-outside (allow_outside=True) if you trust this manifest"
                    )
                key = _file_key(local, key_by) if os.path.exists(local) else text_key(local)
            given = row.get("key")
            if given not in (None, "") and not (isinstance(given, float) and given != given):  # NaN: a blank cell
                key = str(given)
            prompt = row.get("prompt") or None
            metadata = {k: v for k, v in row.items() if k not in (column, "key", "prompt") and v not in (None, "")}
            yield BatchItem(key, local, prompt=prompt, metadata=metadata or None, origin=origin)


def _json_row(path: str, line_no: int, line: str) -> dict[str, Any]:
    try:
        row = json.loads(line)
    except json.JSONDecodeError as exc:
        raise ValueError(f"manifest {path}, line {line_no}: not JSON ({exc.msg})") from None
    if not isinstance(row, dict):
        raise ValueError(f"manifest {path}, line {line_no}: expected a JSON object, got {type(row).__name__}")
    return row


def check_keys(items: Iterable[BatchItem]) -> int:
    """Read every item once; refuse duplicate keys (``ValueError`` naming the rows). Returns the count."""
    first: dict[str, str | None] = {}
    dupes: list[str] = []
    count = 0
    for item in items:
        count += 1
        if item.key in first:
            if len(dupes) < _NAMED:
                earlier = first[item.key] or "an earlier item"
                dupes.append(f"{item.key!r} in {earlier} and {item.origin or 'a later one'}")
            else:
                dupes.append("")
        else:
            first[item.key] = item.origin
    if dupes:
        more = f" (and {len(dupes) - _NAMED} more)" if len(dupes) > _NAMED else ""
        raise ValueError(
            f"{len(dupes)} duplicate key(s): {'; '.join(d for d in dupes if d)}{more}. One item, one key: "
            "give each row its own key, or remove the repeats (--key-by hash treats the same bytes as one item)"
        )
    return count
