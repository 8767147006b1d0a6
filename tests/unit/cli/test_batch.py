"""_batch_cli.py and _batch_io.py: `visionrouter batch` on a folder and a manifest, resumed, killed."""

from __future__ import annotations

import io
import json
import os
import pty
import select
import signal
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import pytest

from langchain_visionrouter._batch.io import Journal
from langchain_visionrouter._cli import ask as cli
from tests.batchkit import COST, Responder, expected_answer, make_images, read_lines

ROOT = Path(__file__).resolve().parents[3]


def run(argv: list[str]) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    code = cli.main(argv, out=out, err=err)
    return code, out.getvalue(), err.getvalue()


def batch_args(router: Any, out: Path, *inputs: Any, extra: tuple[str, ...] = ()) -> list[str]:
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


def test_a_folder_and_a_manifest_each_item_answered_once_exactly(tmp_path: Path, fake_router: Any) -> None:
    images = make_images(tmp_path / "photos", 6)
    extra = make_images(tmp_path / "more", 2, start=100)
    manifest = tmp_path / "list.csv"
    rel = [p.relative_to(tmp_path).as_posix() for p in extra]  # relative to the manifest's folder
    manifest.write_text(f"key,path,prompt,sku\nfirst,{rel[0]},Own?,A1\n,{rel[1]},,B2\n")
    responder = Responder()
    fake_router.respond(responder)
    out = tmp_path / "r.jsonl"
    code, stdout, err = run(batch_args(fake_router, out, tmp_path / "photos", manifest, extra=("--json",)))
    assert code == 0, err
    lines = read_lines(out)
    by_key = {line["key"]: line for line in lines}
    assert len(lines) == len(by_key) == 8
    for path in images:
        line = by_key[str(path.resolve())]  # keys are resolved paths
        assert line["answer"] == expected_answer(path) and line["cost"] == COST
        assert line["model"] == "test/vision" and line["provider"] == "FakeProvider"
        assert line["generation_id"].startswith("gen-") and line["usage"]["total_tokens"] == 100
    assert by_key["first"]["metadata"] == {"sku": "A1"} and by_key["first"]["answer"] == expected_answer(extra[0])
    second = by_key[str(extra[1].resolve())]  # resolved against the manifest's folder
    assert second["metadata"] == {"sku": "B2"} and second["answer"] == expected_answer(extra[1])
    prompts = sorted(r.json["messages"][0]["content"][0]["text"] for r in fake_router.requests)
    assert prompts == ["Describe."] * 7 + ["Own?"]
    assert len(fake_router.requests) == 8 and set(responder.per_item.values()) == {1}
    summary = json.loads(stdout)
    assert summary["done"] == 8 and summary["failed"] == 0 and summary["cost"] == pytest.approx(8 * COST)
    assert "8 done, 0 failed" in err

    # The same command again: nothing to send, nothing written twice.
    code, _, err = run(batch_args(fake_router, out, tmp_path / "photos", manifest))
    assert code == 0 and len(fake_router.requests) == 8 and read_lines(out) == lines
    assert "0 done, 0 failed, 8 skipped" in err


def test_failures_are_kept_then_retried_with_retry_failed(tmp_path: Path, fake_router: Any) -> None:
    images = make_images(tmp_path / "p", 4)
    bad = expected_answer(images[1]).split()[1]
    responder = Responder(fail={bad})
    fake_router.respond(responder)
    out = tmp_path / "r.jsonl"
    code, _, err = run(batch_args(fake_router, out, tmp_path / "p"))
    assert code == 1 and "3 done, 1 failed" in err
    (failed,) = [line for line in read_lines(out) if "error" in line]
    assert failed["key"] == str(images[1].resolve()) and failed["error"]["type"] == "BadRequestError"

    run(batch_args(fake_router, out, tmp_path / "p"))  # a plain rerun leaves the failure alone
    assert len(fake_router.requests) == 4

    responder.fail.clear()
    code, _, err = run(batch_args(fake_router, out, tmp_path / "p", extra=("--retry-failed",)))
    assert code == 0 and len(fake_router.requests) == 5 and responder.per_item[bad] == 2
    lines = read_lines(out)
    assert sorted(line["key"] for line in lines) == sorted(str(p.resolve()) for p in images)
    assert all("error" not in line for line in lines)


def test_a_torn_last_line_is_cut_and_its_item_redone(tmp_path: Path, fake_router: Any) -> None:
    make_images(tmp_path / "p", 3)
    fake_router.respond(Responder())
    out = tmp_path / "r.jsonl"
    run(batch_args(fake_router, out, tmp_path / "p"))
    whole = out.read_bytes().splitlines(keepends=True)
    out.write_bytes(b"".join(whole[:2]) + whole[2][:17])  # killed in the middle of the third line
    code, _, err = run(batch_args(fake_router, out, tmp_path / "p"))
    assert code == 0 and "cut a torn last line (17 bytes)" in err
    assert len(read_lines(out)) == 3 and len(fake_router.requests) == 4


def test_an_output_file_of_something_else_is_refused(tmp_path: Path, fake_router: Any) -> None:
    make_images(tmp_path / "p", 1)
    out = tmp_path / "notes.jsonl"
    out.write_text('{"hello": 1}\n')
    code, _, err = run(batch_args(fake_router, out, tmp_path / "p"))
    assert code == 2 and "--out" in err and "line 1" in err and not fake_router.requests


@pytest.mark.parametrize(
    ("inputs", "extra", "words"),
    [
        (["/no/such/folder"], (), ["/no/such/folder", "no such file"]),
        (["{tmp}/*.gif"], (), ["matches no file"]),
        (["{tmp}/p"], ("--concurrency", "0"), ["--concurrency"]),
        (["{tmp}/p"], ("--budget", "-2"), ["--budget"]),
        (["{tmp}/p"], ("--schema", "{tmp}/nope.json"), ["--schema", "cannot read"]),
        (["{tmp}/bad.csv"], (), ["manifest", "line 2", "path"]),
        (["{tmp}/p"], ("--out", "{tmp}/no/such/r.jsonl"), ["--out", "does not exist"]),
    ],
)
def test_bad_input_exits_2_before_any_request(
    tmp_path: Path, fake_router: Any, inputs: list[str], extra: tuple[str, ...], words: list[str]
) -> None:
    make_images(tmp_path / "p", 1)
    (tmp_path / "bad.csv").write_text("name,sku\nx,1\n")
    fill = [s.replace("{tmp}", str(tmp_path)) for s in inputs]
    code, _, err = run(
        batch_args(
            fake_router, tmp_path / "r.jsonl", *fill, extra=tuple(s.replace("{tmp}", str(tmp_path)) for s in extra)
        )
    )
    assert code == 2, err
    for word in words:
        assert word in err
    assert not fake_router.requests


def test_no_key_for_a_router_that_needs_one_exits_2(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("OPENROUTER_API_KEY")
    make_images(tmp_path / "p", 1)
    code, _, err = run(["batch", "?", str(tmp_path / "p"), "--out", str(tmp_path / "r.jsonl")])
    assert code == 2 and "OPENROUTER_API_KEY" in err


def test_the_budget_stop_is_said(tmp_path: Path, fake_router: Any) -> None:
    make_images(tmp_path / "p", 8)
    fake_router.respond(Responder())
    out = tmp_path / "r.jsonl"
    # --max-tokens 1000 at $1 a million out: each call reserves ~0.00127 and costs 0.001.
    extra = ("--budget", "0.0035", "--price", "1,1", "--max-tokens", "1000", "-c", "1")
    code, _, err = run(batch_args(fake_router, out, tmp_path / "p", extra=extra))
    assert code == 1 and len(read_lines(out)) == len(fake_router.requests) == 3
    assert "stopped early: budget" in err and "5 left" in err


def test_more_in_flight_than_the_default_pool(tmp_path: Path, fake_router: Any) -> None:
    make_images(tmp_path / "p", 120)
    responder = Responder(peak=101)  # the first answers wait until 101 requests are in flight at once
    fake_router.respond(responder)
    code, _, err = run(batch_args(fake_router, tmp_path / "r.jsonl", tmp_path / "p", extra=("-c", "120")))
    assert code == 0, err
    assert responder.max_in_flight > 100  # the model's own pool would have stopped at 100


def test_plain_progress_lines_in_a_pipe(tmp_path: Path, fake_router: Any) -> None:
    make_images(tmp_path / "p", 6)
    fake_router.respond(Responder(delay=0.05))
    code, _, err = run(
        batch_args(fake_router, tmp_path / "r.jsonl", tmp_path / "p", extra=("--progress-every", "0", "-c", "1"))
    )
    lines = [line for line in err.splitlines() if "ETA" in line]
    assert code == 0 and len(lines) == 6
    assert lines[0].startswith("visionrouter batch: 1/6 (1 done, 0 failed)") and "cost $0.001000" in lines[0]
    assert lines[-1].startswith("visionrouter batch: 6/6") and "ETA 0 s" in lines[-1]
    assert "\x1b[" not in err  # no terminal codes in a pipe


def cli_command(router: Any, out: Path, folder: Path, *extra: str) -> list[str]:
    return [sys.executable, "-m", "langchain_visionrouter._cli.ask", *batch_args(router, out, folder, extra=extra)]


def default_sigint() -> None:
    """In the child before it starts: SIGINT back to its default, so Python turns it into Ctrl-C."""
    signal.signal(signal.SIGINT, signal.SIG_DFL)


def child_env() -> dict[str, str]:
    return {**os.environ, "PYTHONPATH": str(ROOT)}


def test_the_progress_bar_on_a_terminal(tmp_path: Path, fake_router: Any) -> None:
    pytest.importorskip("rich")
    make_images(tmp_path / "p", 8)
    fake_router.respond(Responder(delay=0.1))
    primary, secondary = pty.openpty()
    env = {**child_env(), "COLUMNS": "120", "TERM": "xterm"}
    proc = subprocess.Popen(
        cli_command(fake_router, tmp_path / "r.jsonl", tmp_path / "p", "-c", "2"),
        stderr=secondary,
        stdout=subprocess.DEVNULL,
        env=env,
    )
    os.close(secondary)
    screen = b""
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        ready, _, _ = select.select([primary], [], [], 0.5)
        if ready:
            try:
                chunk = os.read(primary, 65536)
            except OSError:  # the child closed the terminal
                break
            if not chunk:
                break
            screen += chunk
        elif proc.poll() is not None:
            break
    os.close(primary)
    assert proc.wait(timeout=30) == 0
    text = screen.decode(errors="replace")
    assert "\x1b[" in text and "━" in text  # rich draws a bar with terminal codes
    assert "8/8" in text and "failed 0" in text and "$0.008000" in text and "ETA" in text
    assert "8 done, 0 failed" in text  # and the summary after it


@pytest.mark.parametrize("sig", [signal.SIGKILL, signal.SIGINT])
def test_killed_and_rerun_nothing_answered_twice(tmp_path: Path, fake_router: Any, sig: int) -> None:
    images = make_images(tmp_path / "p", 40)
    gate = fake_router.hold()
    # Twelve answered; the next four (the concurrency) stay in flight until the child is killed.
    responder = Responder(gate=gate, answer_first=12, hold=4)
    fake_router.respond(responder)
    out = tmp_path / "r.jsonl"
    command = cli_command(fake_router, out, tmp_path / "p", "-c", "4")
    # As from a terminal: Ctrl-C reaches the child even when this test runs in a background job
    # (a shell starts those with SIGINT ignored, and a child inherits that: it then ran on to exit 0).
    proc = subprocess.Popen(
        command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env=child_env(), preexec_fn=default_sigint
    )
    try:
        assert responder.holding.wait(60), "the child never had four requests in flight"
        # The twelve answers are journalled as they come; the child, waiting on four answers, cannot end.
        while (not out.exists() or out.read_bytes().count(b"\n") < 12) and proc.poll() is None:
            time.sleep(0.01)  # a poll of the file, not a bound on time
        assert proc.poll() is None and len(fake_router.requests) == 16
        proc.send_signal(sig)  # the four answers stay held: Ctrl-C must not wait for them
        assert proc.wait(timeout=60) == (130 if sig == signal.SIGINT else -signal.SIGKILL)  # Ctrl-C exits 130
    finally:
        gate.set()  # the rerun is answered at once
        if proc.poll() is None:
            proc.kill()
            proc.wait()
    first = read_lines(out)  # whole lines only
    assert len(first) == 12
    answered_first = {line["key"] for line in first}

    rerun = subprocess.run(command, capture_output=True, text=True, env=child_env(), timeout=120)
    assert rerun.returncode == 0, rerun.stderr
    lines = read_lines(out)
    assert sorted(line["key"] for line in lines) == sorted(str(p.resolve()) for p in images)  # each once
    for line in lines:
        assert line["answer"] == expected_answer(Path(line["key"]))  # keys are resolved paths
    for key in answered_first:  # an item answered before the kill was never sent again
        assert responder.per_item[expected_answer(Path(key)).split()[1]] == 1
    # Only what was in flight at the kill (the concurrency) was sent twice.
    assert sum(n - 1 for n in responder.per_item.values()) == 4


def test_a_jsonl_manifest_with_urls_and_a_pdf_and_a_schema(tmp_path: Path, fake_router: Any) -> None:
    (tmp_path / "doc.pdf").write_bytes(b"%PDF-1.4\n%fake but well-formed enough\n%%EOF\n")
    manifest = tmp_path / "m.jsonl"
    rows = [{"key": "web", "url": "https://example.com/a.png", "shelf": 3}, {"path": "doc.pdf"}]
    manifest.write_text("".join(json.dumps(row) + "\n" for row in rows) + "\n")
    schema = tmp_path / "s.json"
    schema.write_text(json.dumps({"title": "Alt", "type": "object", "properties": {"alt": {"type": "string"}}}))
    fake_router.respond(Responder(content='{"alt": "a thing"}'))
    out = tmp_path / "r.jsonl"
    code, _, err = run(batch_args(fake_router, out, manifest, extra=("--schema", str(schema), "--system", "Terse.")))
    assert code == 0, err
    by_key = {line["key"]: line for line in read_lines(out)}
    pdf = str((tmp_path / "doc.pdf").resolve())
    assert set(by_key) == {"web", pdf} and by_key["web"]["metadata"] == {"shelf": 3}
    assert all(line["answer"] == {"alt": "a thing"} for line in by_key.values())
    sent = [r.json for r in fake_router.requests]
    parts = sorted(body["messages"][1]["content"][1]["type"] for body in sent)
    assert parts == ["file", "image_url"]
    web = next(b for b in sent if b["messages"][1]["content"][1]["type"] == "image_url")
    assert web["messages"][1]["content"][1]["image_url"]["url"] == "https://example.com/a.png"  # the router fetches it
    assert all(b["messages"][0]["content"] == "Terse." and b["response_format"]["type"] == "json_schema" for b in sent)


def test_journal_counts_failures_and_refuses_nothing_valid(tmp_path: Path) -> None:
    out = tmp_path / "r.jsonl"
    out.write_text('{"key": "a", "answer": "x"}\n{"key": "b", "error": {"type": "E", "message": "m"}}\n')
    journal = Journal(str(out))
    assert journal.done == {"a", "b"} and journal.failed_before == 1 and journal.cut == 0
    journal.close()
    journal = Journal(str(out), retry_failed=True)
    assert journal.done == {"a"}
    journal.write({"key": "b", "answer": "y"})
    journal.close()
    assert [line["key"] for line in read_lines(out)] == ["a", "b"] and not (tmp_path / "r.jsonl.tmp").exists()


class Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


def test_on_a_terminal_without_rich_it_falls_back_to_plain_lines(monkeypatch: pytest.MonkeyPatch) -> None:
    from types import SimpleNamespace

    from langchain_visionrouter._cli.batch import Progress

    monkeypatch.setitem(sys.modules, "rich.progress", None)  # as if rich were not installed
    err = Terminal()
    progress = Progress(4, err, every=0)
    progress.update(SimpleNamespace(done=1, failed=1, cost=0.5))
    progress.close()
    assert progress.bar is None and err.getvalue().startswith("visionrouter batch: 2/4 (1 done, 1 failed)")
