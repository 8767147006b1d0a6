"""The batch journal at the edges: a second run, a full disk, a read-only file, NaN costs, Python resume."""

from __future__ import annotations

import errno
import json
import os
from pathlib import Path
from typing import Any

import pytest

from langchain_visionrouter import BatchItem, run_batch
from langchain_visionrouter._batch import journal as journal_module
from langchain_visionrouter._batch.admission import Prices
from langchain_visionrouter._batch.io import expand_inputs
from langchain_visionrouter._batch.journal import Journal
from tests.batchkit import Responder, batch_argv, make_images, read_lines, run_cli
from tests.fakerouter import Recorded, Scripted, answer
from tests.wire import completion, usage


def test_a_second_run_on_the_same_out_is_refused_while_the_first_holds_it(tmp_path: Path, fake_router: Any) -> None:
    make_images(tmp_path / "p", 2)
    out = tmp_path / "r.jsonl"
    with Journal(str(out)):  # the first run, still going
        code, _, err = run_cli(batch_argv(fake_router, out, tmp_path / "p"))
    assert code == 2 and "another run is writing to this file" in err and not fake_router.requests
    fake_router.respond(Responder())
    assert run_cli(batch_argv(fake_router, out, tmp_path / "p"))[0] == 0  # released: it runs


def test_a_full_disk_is_said_in_words_with_exit_3_and_what_was_not_written(tmp_path: Path, fake_router: Any) -> None:
    make_images(tmp_path / "p", 3)
    fake_router.respond(Responder())
    code, _, err = run_cli(batch_argv(fake_router, Path("/dev/full"), tmp_path / "p", extra=("-c", "1")))
    assert code == 3, err
    assert "No space left on device" in err and "1 answer(s) were paid for and not written" in err
    assert "Traceback" not in err and "rerun" in err
    assert len(fake_router.requests) == 1  # nothing more went out after the first failed write


def test_a_write_failing_midway_leaves_whole_lines_and_the_rerun_sends_only_what_was_lost(
    tmp_path: Path, fake_router: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    make_images(tmp_path / "p", 6)
    responder = Responder()
    fake_router.respond(responder)
    out = tmp_path / "r.jsonl"
    real_write, writes = os.write, []

    def flaky(fd: int, data: Any) -> int:
        writes.append(fd)
        if len(writes) == 3:  # the third line: half of it goes out, then the disk is full
            real_write(fd, bytes(data)[:10])
            raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))
        return real_write(fd, data)

    monkeypatch.setattr(journal_module.os, "write", flaky)
    code, _, err = run_cli(batch_argv(fake_router, out, tmp_path / "p", extra=("-c", "1")))
    monkeypatch.undo()
    assert code == 3 and "No space left on device" in err
    assert len(read_lines(out)) == 2  # the torn third line was cut
    code, _, err = run_cli(batch_argv(fake_router, out, tmp_path / "p"))
    assert code == 0, err
    assert len(read_lines(out)) == 6 and len(fake_router.requests) == 3 + 4  # lost: the third, sent again


def test_a_read_only_out_is_refused_before_any_request(
    tmp_path: Path, fake_router: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    make_images(tmp_path / "p", 1)

    def read_only(*args: Any, **kwargs: Any) -> int:
        raise OSError(errno.EROFS, os.strerror(errno.EROFS))

    monkeypatch.setattr(journal_module.os, "open", read_only)
    code, _, err = run_cli(batch_argv(fake_router, tmp_path / "r.jsonl", tmp_path / "p"))
    assert code == 2 and "--out" in err and "Read-only file system" in err and not fake_router.requests


def test_a_nan_cost_is_charged_at_the_worst_case_and_the_line_stays_json(
    tmp_path: Path, fake_router: Any, make_model: Any
) -> None:
    make_images(tmp_path, 2)

    def nan_cost(request: Recorded) -> Scripted:
        body = completion(gen="gen-1", model="test/vision", provider="P", content="ok", use=usage(90, 10, cost=0.001))
        raw = json.dumps(body).replace("0.001", "NaN")  # what a broken router may send
        return answer(body=raw, headers={"Content-Type": "application/json"})

    fake_router.respond(nan_cost)
    out = tmp_path / "r.jsonl"
    run = run_batch(
        make_model(max_tokens=1000),
        expand_inputs([str(tmp_path)]),
        "?",
        out=out,
        budget=1.0,
        prices=Prices(1.0, 1.0, source="test"),
    )
    run.run_sync()
    lines = read_lines(out)  # strict JSON: NaN would not parse back the same
    assert len(lines) == 2 and all(line["cost"] is None and line["charged"] > 0.001 for line in lines)
    assert Journal(str(out)).spent == pytest.approx(sum(line["charged"] for line in lines))


def test_run_batch_with_out_resumes_and_runs_without_asyncio(tmp_path: Path, fake_router: Any, make_model: Any) -> None:
    make_images(tmp_path / "p", 4)
    responder = Responder()
    fake_router.respond(responder)
    out = tmp_path / "r.jsonl"
    items = list(expand_inputs([str(tmp_path / "p")]))
    first = run_batch(make_model(), items[:2], "?", out=out).run_sync()
    assert (first.done, len(read_lines(out))) == (2, 2)
    again = run_batch(make_model(), items, "?", out=out).run_sync()
    assert (again.done, again.skipped) == (2, 2) and len(read_lines(out)) == 4
    assert set(responder.per_item.values()) == {1}


def test_retry_failed_keeps_the_spend_of_the_error_lines_it_drops(tmp_path: Path) -> None:
    out = tmp_path / "r.jsonl"
    lines = [
        {"key": "a", "answer": "x", "cost": 0.5},
        {"key": "b", "error": {"type": "OutputParserException", "message": "not JSON"}, "cost": 0.25},
    ]
    out.write_text("".join(json.dumps(line) + "\n" for line in lines))
    journal = Journal(str(out), retry_failed=True)
    journal.close()
    assert journal.done == {"a"} and journal.spent == pytest.approx(0.75)
    assert Journal(str(out)).spent == pytest.approx(0.75)
    assert [line.get("key") for line in read_lines(out)] == ["a", None]


def test_a_list_with_a_repeated_key_never_reaches_the_router(fake_router: Any, make_model: Any) -> None:
    items = [BatchItem("k", "https://example.com/a.png"), BatchItem("k", "https://example.com/b.png")]
    with pytest.raises(ValueError, match="duplicate key"):
        run_batch(make_model(), items, "?")
    assert not fake_router.requests
