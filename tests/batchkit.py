"""Shared pieces of the batch tests: generated images, and a router answering by image.

The responder answers each request with ``seen <digest>`` where ``digest`` is the first
12 hex digits of the sha256 of the first image (or file) part's URL, so a test can say
exactly which answer each item must get, and count requests per item.
"""

from __future__ import annotations

import hashlib
import json
import threading
import time
from collections import Counter
from pathlib import Path
from typing import Any

from tests.cassette_sources.core import tiny_png
from tests.fakerouter import Recorded, Scripted, answer
from tests.wire import completion, usage

COST = 0.001  # USD per answer
TOKENS = (90, 10)  # prompt, completion


def make_images(folder: Path, n: int, start: int = 0) -> list[Path]:
    """``n`` distinct PNGs (numbered from ``start``) in ``folder`` and a sub-folder, and a text file a walk skips."""
    paths = []
    for i in range(start, start + n):
        sub = folder / ("sub" if i % 2 else "")
        sub.mkdir(parents=True, exist_ok=True)
        path = sub / f"img{i:04d}.png"
        path.write_bytes(tiny_png((i % 256, (i // 256) % 256, 7), size=2 + i % 3))
        paths.append(path)
    (folder / "notes.txt").write_text("not an image")
    return paths


def part_digest(body: dict[str, Any]) -> str:
    """The digest of the first image or file part of a request body."""
    for message in body["messages"]:
        content = message["content"]
        for part in content if isinstance(content, list) else []:
            if part["type"] == "image_url":
                return hashlib.sha256(part["image_url"]["url"].encode()).hexdigest()[:12]
            if part["type"] == "file":
                data = part["file"].get("file_data") or part["file"].get("url") or ""
                return hashlib.sha256(data.encode()).hexdigest()[:12]
    raise AssertionError(f"no image in {body}")


def expected_answer(path: Path) -> str:
    """The answer the responder gives for a local PNG (sent inline as a data URL)."""
    import base64

    url = "data:image/png;base64," + base64.b64encode(path.read_bytes()).decode()
    return "seen " + hashlib.sha256(url.encode()).hexdigest()[:12]


class Responder:
    """Answers by image; can fail (``fail`` digests -> 400), slow down (``delay``) or hold; counts.

    With a ``gate``, the requests after the first ``answer_first`` wait for it (the client
    sees them in flight); ``holding`` is set once ``hold`` of them are waiting at once.
    With a ``peak``, the first requests wait until ``peak`` are in flight together, so a
    test sees the client's concurrency on any machine, without timing.
    """

    def __init__(
        self,
        *,
        delay: float = 0.0,
        fail: set[str] | None = None,
        content: str | None = None,
        gate: threading.Event | None = None,
        answer_first: int = 0,
        hold: int = 1,
        peak: int | None = None,
    ) -> None:
        self.peak = peak
        self.peaked = threading.Event()
        self.delay = delay
        self.gate = gate
        self.answer_first = answer_first
        self.hold = hold
        self.holding = threading.Event()
        self.waiting = 0
        self.fail = fail or set()
        self.content = content
        self.per_item: Counter[str] = Counter()
        self.starts: list[float] = []
        self.in_flight = 0
        self.max_in_flight = 0
        self._lock = threading.Lock()

    def __call__(self, request: Recorded) -> Scripted:
        body = request.json
        digest = part_digest(body)
        with self._lock:
            self.per_item[digest] += 1
            self.starts.append(time.monotonic())
            self.in_flight += 1
            self.max_in_flight = max(self.max_in_flight, self.in_flight)
            held = self.gate is not None and len(self.starts) > self.answer_first
            if held:
                self.waiting += 1
                if self.waiting >= self.hold:
                    self.holding.set()
            if self.peak is not None and self.in_flight >= self.peak:
                self.peaked.set()
        try:
            if self.peak is not None:
                self.peaked.wait(60)  # only a client sending fewer than ``peak`` at once waits this out
            if held:
                assert self.gate is not None
                self.gate.wait()  # released by the test, or when the router stops
                with self._lock:
                    self.waiting -= 1
            if self.delay:
                time.sleep(self.delay)
            if digest in self.fail:
                return answer(400, json={"error": {"code": 400, "message": f"bad image {digest}"}})
            content = self.content if self.content is not None else f"seen {digest}"
            return answer(
                json=completion(
                    gen=f"gen-{digest}",
                    model="test/vision",
                    provider="FakeProvider",
                    content=content,
                    use=usage(*TOKENS, cost=COST),
                )
            )
        finally:
            with self._lock:
                self.in_flight -= 1


def read_lines(path: Path) -> list[dict[str, Any]]:
    text = path.read_text(encoding="utf-8")
    assert text == "" or text.endswith("\n"), "a torn last line"
    return [json.loads(line) for line in text.splitlines()]


def run_cli(argv: list[str]) -> tuple[int, str, str]:
    """``visionrouter`` in process: (exit code, stdout, stderr)."""
    import io

    from langchain_visionrouter._cli import ask as cli

    out, err = io.StringIO(), io.StringIO()
    code = cli.main(argv, out=out, err=err)
    return code, out.getvalue(), err.getvalue()


def batch_argv(router: Any, out: Path, *inputs: Any, extra: tuple[str, ...] = ()) -> list[str]:
    """``visionrouter batch`` on the loopback router, no retries (a test says when it wants some)."""
    return [
        "batch",
        "Describe.",
        *map(str, inputs),
        "--out",
        str(out),
        "--router",
        "custom",
        "--base-url",
        router.url,
        "--retries",
        "0",
        *extra,
    ]
