"""The output journal of a batch: a JSONL file that is the run's whole memory.

Append-only: each result is one whole line written with one ``write`` and flushed, so a
kill leaves at most a torn last line, which the next run cuts off before resuming. A
line's ``key`` marks the item done. Lines without a ``key`` are bookkeeping (readers of
results skip them):

- ``{"spent": 0.0123, "note": ...}``: money spent that no result line carries (the cost
  of error lines dropped by ``retry_failed``), so a budget still counts it;
- ``{"batch": {"id": ..., "router": ..., "keys": [...]}}``: a batch submitted to the
  router's batch API (a rerun reattaches to it and never resubmits its keys), and
  ``{"batch_done": id}`` once its results are all written.

The spend of the run so far (across every run and resume of this file) is the sum of
each line's ``charged`` (a conservative charge, when the router's cost was missing,
``NaN`` or negative) or else its ``cost``, plus the ``spent`` lines.

One writer at a time: the file is locked (``flock``) for the journal's life, so a second
run on the same file is refused with a clear message instead of writing every key twice.
Write failures (a full disk, a read-only file system, permissions) raise
:class:`JournalWriteError`, saying what was lost.
"""

from __future__ import annotations

import contextlib
import json
import math
import os
import time
from collections.abc import Iterator
from typing import Any

__all__ = ["Journal", "JournalWriteError", "charge_of"]

#: Bytes that must be free on the disk holding the journal before a run starts.
MIN_FREE_BYTES = 64 * 1024


class JournalWriteError(OSError):
    """The journal could not be written: what was paid for and not written is in the message."""


def _finite(value: Any) -> float | None:
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        return None
    number = float(value)
    return number if math.isfinite(number) and number >= 0 else None


def charge_of(record: dict[str, Any]) -> float:
    """What a line counts against a budget: ``charged`` when set, else a usable ``cost``, else 0."""
    charged = _finite(record.get("charged"))
    if charged is not None:
        return charged
    return _finite(record.get("cost")) or _finite(record.get("spent")) or 0.0


def _clean(value: Any) -> Any:
    """``NaN`` and infinities as ``null``: they are not JSON, and a reader would choke on the line."""
    if isinstance(value, float) and not math.isfinite(value):
        return None
    if isinstance(value, dict):
        return {k: _clean(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_clean(v) for v in value]
    return value


def _lock(fd: int, path: str) -> None:
    try:
        import fcntl
    except ImportError:  # Windows: no flock; one run at a time is then the user's to keep
        return
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except OSError:
        os.close(fd)
        raise ValueError(
            f"--out {path}: another run is writing to this file (it is locked). Wait for it to finish, "
            "or give another --out file"
        ) from None


class Journal:
    """The output file: which keys are done, what was spent, and whole lines appended durably.

    Opening it checks it can be written (before any request), locks it, cuts a torn last
    line (a run killed mid-write) and reads the done keys. With ``retry_failed`` the error
    lines are dropped first (the file is rewritten, then atomically replaced), so a key is
    never in the file twice.

    Raises ``ValueError`` (in the ``--out`` flag's terms) when the file cannot be used.
    """

    #: fsync at most this often: a kill loses nothing written (the OS has it); a power
    #: cut loses at most this much.
    SYNC_EVERY = 0.5

    def __init__(self, path: str, *, retry_failed: bool = False) -> None:
        self.path = os.fspath(path)
        self.done: set[str] = set()
        self.failed_before = 0
        self.spent = 0.0  # by every earlier run of this file
        self.batches: dict[str, dict[str, Any]] = {}  # batch-API submissions not yet finished, by id
        self.written = 0
        self._fd = -1
        self._open()
        self.cut = self._repair()
        if retry_failed:
            self._drop_errors()
        self._synced = time.monotonic()

    # -- opening ---------------------------------------------------------------------------

    def _open(self) -> None:
        if os.path.isdir(self.path):
            raise ValueError(f"--out {self.path}: is a folder; give a file name such as results.jsonl")
        folder = os.path.dirname(os.path.abspath(self.path))
        if not os.path.isdir(folder):
            raise ValueError(f"--out {self.path}: the folder {folder} does not exist; create it first")
        for _ in range(3):  # a file replaced under us (another run's --retry-failed) is opened again
            try:
                fd = os.open(self.path, os.O_RDWR | os.O_APPEND | os.O_CREAT, 0o644)
            except OSError as exc:
                raise ValueError(f"--out {self.path}: cannot write to it ({exc.strerror}); give another file") from None
            _lock(fd, self.path)
            try:
                same = os.fstat(fd).st_ino == os.stat(self.path).st_ino
            except OSError:
                same = False
            if same:
                self._fd = fd
                break
            os.close(fd)
        else:
            raise ValueError(f"--out {self.path}: the file keeps being replaced by another run; give another file")
        with contextlib.suppress(OSError, AttributeError):  # statvfs: POSIX only
            stat = os.statvfs(folder)
            free = stat.f_bavail * stat.f_frsize
            if free < MIN_FREE_BYTES:
                self.close()
                raise ValueError(f"--out {self.path}: the disk is full ({free} bytes free); free some space first")

    def _lines(self) -> Iterator[tuple[int, bytes, dict[str, Any]]]:
        with open(self.path, "rb") as file:
            for n, line in enumerate(file, start=1):
                try:
                    record = json.loads(line)
                except ValueError:
                    record = None
                if not isinstance(record, dict) or not ({"key", "spent", "batch", "batch_done"} & record.keys()):
                    raise ValueError(
                        f"--out {self.path}, line {n}: not a result line of visionrouter batch; give another --out file"
                    )
                yield n, line, record

    def results(self) -> Iterator[dict[str, Any]]:
        """The result lines written so far (bookkeeping lines left out)."""
        for _, _, record in self._lines():
            if "key" in record:
                yield record

    def _repair(self) -> int:
        """Cut a torn last line; read the done keys, the spend and open batches. Returns the bytes cut."""
        size = os.lseek(self._fd, 0, os.SEEK_END)
        if size == 0:
            return 0
        end = size
        with open(self.path, "rb") as file:  # the last newline, reading backwards in small blocks
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
            os.ftruncate(self._fd, end)
            os.fsync(self._fd)
        for _, _, record in self._lines():
            self._note(record)
        return size - end

    def _note(self, record: dict[str, Any]) -> None:
        self.spent += charge_of(record)
        if "key" in record:
            self.done.add(str(record["key"]))
            if record.get("error") is not None:
                self.failed_before += 1
        elif isinstance(record.get("batch"), dict) and record["batch"].get("id"):
            self.batches[str(record["batch"]["id"])] = record["batch"]
        elif record.get("batch_done") is not None:
            self.batches.pop(str(record["batch_done"]), None)

    def _drop_errors(self) -> None:
        if not self.failed_before:
            return
        tmp = self.path + ".tmp"
        self.done, self.spent, self.batches = set(), 0.0, {}
        dropped = 0.0
        with open(tmp, "wb") as out:
            for _, line, record in self._lines():
                if "key" in record and record.get("error") is not None:
                    dropped += charge_of(record)  # a failed answer may have been billed: keep its spend
                    continue
                out.write(line)
                self._note(record)
            if dropped:
                note = {"spent": dropped, "note": "cost of error lines dropped by --retry-failed"}
                out.write((json.dumps(note) + "\n").encode())
                self.spent += dropped
            out.flush()
            os.fsync(out.fileno())
        os.replace(tmp, self.path)
        self.failed_before = 0
        # The lock was on the replaced file: take it on the new one.
        os.close(self._fd)
        self._fd = -1
        self._open()

    # -- writing ---------------------------------------------------------------------------

    def write(self, record: dict[str, Any]) -> None:
        """Append one line (one ``write`` call); raises :class:`JournalWriteError` in words."""
        record = _clean(record)
        try:
            text = json.dumps(record, ensure_ascii=False, default=str)
            line = (text + "\n").encode("utf-8")
        except UnicodeEncodeError:  # a lone surrogate somewhere (metadata from odd bytes): escape all
            line = (json.dumps(record, ensure_ascii=True, default=str) + "\n").encode("ascii")
        view = memoryview(line)
        try:
            before = os.lseek(self._fd, 0, os.SEEK_END)
            while view:  # a regular file takes it whole; loop in case a write comes up short
                view = view[os.write(self._fd, view) :]
            now = time.monotonic()
            if now - self._synced >= self.SYNC_EVERY:
                os.fsync(self._fd)
                self._synced = now
        except OSError as exc:
            with contextlib.suppress(OSError, UnboundLocalError):  # part of the line may be out: cut it
                os.ftruncate(self._fd, before)
            raise JournalWriteError(exc.errno, f"cannot write to --out {self.path} ({exc.strerror})") from exc
        self._note(record)
        self.written += 1

    def close(self) -> None:
        if self._fd >= 0:
            with contextlib.suppress(OSError):  # a full disk may refuse the last sync too
                os.fsync(self._fd)
            os.close(self._fd)  # releases the lock
            self._fd = -1

    def __enter__(self) -> Journal:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()
