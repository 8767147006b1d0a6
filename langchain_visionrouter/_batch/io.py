"""The edges of a batch: inputs expanded lazily into items, and the output journal.

Inputs (files, folders, globs, URLs, manifests) become :class:`BatchItem` objects one at
a time, never read here: a folder of a million images costs a directory walk. The output
is a JSONL journal, append-only: each result is one whole line written with one
``write`` and flushed, so a kill leaves at most a torn last line, which the next run
cuts off before resuming. A line's key marks the item done.
"""

from __future__ import annotations

import csv
import glob
import json
import os
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from langchain_visionrouter._batch.engine import BatchItem

__all__ = ["Journal", "expand_inputs"]

#: Files a folder walk picks up (by name: a walk must not open every file to sniff it;
#: a file given by name is sniffed from its bytes when read).
FOLDER_TYPES = frozenset({".png", ".jpg", ".jpeg", ".gif", ".webp", ".pdf"})
MANIFEST_TYPES = frozenset({".csv", ".jsonl", ".ndjson"})
#: Manifest columns naming the source, in the order tried.
SOURCE_COLUMNS = ("path", "url", "source", "image", "file")
_GLOB_CHARS = frozenset("*?[")


def _is_url(text: str) -> bool:
    return text[:8].lower().startswith(("http://", "https://"))


def expand_inputs(inputs: list[str]) -> Iterator[BatchItem]:
    """Items from command-line inputs, in order, lazily. Keys are the paths or URLs as given.

    Raises ``ValueError`` (before any item of that input) for a path that does not exist,
    a glob that matches nothing, or a manifest without a source column.
    """
    for text in inputs:
        if _is_url(text):
            yield BatchItem(text, text)
        elif os.path.isdir(text):
            yield from _walk(text)
        elif os.path.isfile(text) and Path(text).suffix.lower() in MANIFEST_TYPES:
            yield from _manifest(text)
        elif os.path.isfile(text):
            yield BatchItem(text, text)
        elif _GLOB_CHARS & set(text):
            matched = False
            for path in sorted(glob.iglob(text, recursive=True)):
                if os.path.isfile(path):
                    matched = True
                    yield BatchItem(path, path)
            if not matched:
                raise ValueError(f"input {text!r}: the pattern matches no file")
        else:
            raise ValueError(f"input {text!r}: no such file or folder (and not an http(s) URL)")


def _walk(folder: str) -> Iterator[BatchItem]:
    for root, dirs, files in os.walk(folder):
        dirs.sort()  # a stable order, so a rerun walks the same way
        for name in sorted(files):
            if Path(name).suffix.lower() in FOLDER_TYPES:
                path = os.path.join(root, name)
                yield BatchItem(path, path)


def _manifest(path: str) -> Iterator[BatchItem]:
    """Rows of a CSV (with a header) or JSONL manifest; relative paths are from its folder."""
    base = os.path.dirname(path)
    with open(path, encoding="utf-8", newline="") as file:
        if path.lower().endswith(".csv"):
            rows: Iterator[tuple[int, dict[str, Any]]] = enumerate(csv.DictReader(file), start=2)
        else:
            rows = ((n, _json_row(path, n, line)) for n, line in enumerate(file, start=1) if line.strip())
        for line_no, row in rows:
            column = next((c for c in SOURCE_COLUMNS if row.get(c)), None)
            if column is None:
                raise ValueError(
                    f"manifest {path}, line {line_no}: no source; give one of the columns {', '.join(SOURCE_COLUMNS)}"
                )
            source = str(row[column])
            local = source if _is_url(source) or os.path.isabs(source) else os.path.join(base, source)
            key = str(row.get("key") or source)
            prompt = row.get("prompt") or None
            metadata = {k: v for k, v in row.items() if k not in (column, "key", "prompt") and v not in (None, "")}
            yield BatchItem(key, local, prompt=prompt, metadata=metadata or None)


def _json_row(path: str, line_no: int, line: str) -> dict[str, Any]:
    try:
        row = json.loads(line)
    except json.JSONDecodeError as exc:
        raise ValueError(f"manifest {path}, line {line_no}: not JSON ({exc.msg})") from None
    if not isinstance(row, dict):
        raise ValueError(f"manifest {path}, line {line_no}: expected a JSON object, got {type(row).__name__}")
    return row


class Journal:
    """The output file: which keys are done, and whole lines appended durably.

    Opening it cuts a torn last line (a run killed mid-write). With ``retry_failed`` the
    error lines are dropped first (the file is rewritten, then atomically replaced), so a
    key is never in the file twice.
    """

    #: fsync at most this often: a kill loses nothing written (the OS has it); a power
    #: cut loses at most this much.
    SYNC_EVERY = 0.5

    def __init__(self, path: str, *, retry_failed: bool = False) -> None:
        self.path = path
        self.done: set[str] = set()
        self.failed_before = 0
        self.cut = self._repair()
        if retry_failed:
            self._drop_errors()
        self._fd = os.open(path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o644)
        self._synced = time.monotonic()

    def _lines(self) -> Iterator[tuple[int, bytes, dict[str, Any]]]:
        with open(self.path, "rb") as file:
            for n, line in enumerate(file, start=1):
                try:
                    record = json.loads(line)
                    key = record["key"]
                except (ValueError, KeyError, TypeError):
                    raise ValueError(
                        f"--out {self.path}, line {n}: not a result line of visionrouter batch; give another --out file"
                    ) from None
                yield n, line, {"key": str(key), "error": record.get("error")}

    def _repair(self) -> int:
        """Cut a torn last line; read the done keys. Returns the bytes cut."""
        if not os.path.exists(self.path):
            return 0
        with open(self.path, "rb+") as file:
            size = file.seek(0, os.SEEK_END)
            if size == 0:
                return 0
            # Find the last newline from the end, reading backwards in small blocks.
            end = size
            while end > 0:
                start = max(0, end - 65536)
                file.seek(start)
                block = file.read(end - start)
                nl = block.rfind(b"\n")
                if nl >= 0:
                    end = start + nl + 1
                    break
                end = start
            if end < size:
                file.truncate(end)
                file.flush()
                os.fsync(file.fileno())
        for _, _, record in self._lines():
            if record["error"] is None:
                self.done.add(record["key"])
            else:
                self.failed_before += 1
                self.done.add(record["key"])
        return size - end

    def _drop_errors(self) -> None:
        if not self.failed_before:
            return
        tmp = self.path + ".tmp"
        self.done = set()
        with open(tmp, "wb") as out:
            for _, line, record in self._lines():
                if record["error"] is None:
                    out.write(line)
                    self.done.add(record["key"])
            out.flush()
            os.fsync(out.fileno())
        os.replace(tmp, self.path)

    def write(self, record: dict[str, Any]) -> None:
        """Append one result as one whole line (one ``write`` call)."""
        line = (json.dumps(record, ensure_ascii=False, default=str) + "\n").encode("utf-8")
        view = memoryview(line)
        while view:  # a regular file takes it whole; loop in case a write comes up short
            view = view[os.write(self._fd, view) :]
        self.done.add(record["key"])
        now = time.monotonic()
        if now - self._synced >= self.SYNC_EVERY:
            os.fsync(self._fd)
            self._synced = now

    def close(self) -> None:
        if self._fd >= 0:
            os.fsync(self._fd)
            os.close(self._fd)
            self._fd = -1
