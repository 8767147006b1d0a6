"""Batch inputs at the edges: one item one key, odd file names, BOMs, symlink loops, manifests pointing out."""

from __future__ import annotations

import os
import shutil
from pathlib import Path
from typing import Any

import pytest

from langchain_visionrouter._batch.io import check_keys, expand_inputs
from tests.batchkit import Responder, batch_argv, expected_answer, make_images, read_lines, run_cli


def test_two_spellings_of_one_file_are_one_key_refused_as_a_duplicate(
    tmp_path: Path, fake_router: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    (image,) = make_images(tmp_path, 1)
    monkeypatch.chdir(tmp_path)
    fake_router.respond(Responder())
    code, _, err = run_cli(batch_argv(fake_router, tmp_path / "r.jsonl", f"./{image.name}", image.name))
    assert code == 2 and "1 duplicate key" in err and f"input ./{image.name}" in err and f"input {image.name}" in err
    assert not fake_router.requests and not (tmp_path / "r.jsonl").exists()


def test_two_manifests_listing_the_same_name_are_two_items(tmp_path: Path, fake_router: Any) -> None:
    a = make_images(tmp_path / "a", 1)[0]
    b = make_images(tmp_path / "b", 1, start=7)[0]
    (tmp_path / "a" / "x.png").write_bytes(a.read_bytes())
    (tmp_path / "b" / "x.png").write_bytes(b.read_bytes())
    for folder in ("a", "b"):
        (tmp_path / folder / "m.csv").write_text("path\nx.png\n")
    fake_router.respond(Responder())
    out = tmp_path / "r.jsonl"
    code, _, err = run_cli(batch_argv(fake_router, out, tmp_path / "a" / "m.csv", tmp_path / "b" / "m.csv"))
    assert code == 0, err
    by_key = {line["key"]: line["answer"] for line in read_lines(out)}
    assert by_key == {
        str((tmp_path / "a" / "x.png").resolve()): expected_answer(a),
        str((tmp_path / "b" / "x.png").resolve()): expected_answer(b),
    }


def test_a_repeated_key_column_is_refused_naming_the_rows(tmp_path: Path, fake_router: Any) -> None:
    make_images(tmp_path, 2)
    manifest = tmp_path / "m.csv"
    manifest.write_text("key,path\nsame,img0000.png\nsame,sub/img0001.png\n")
    code, _, err = run_cli(batch_argv(fake_router, tmp_path / "r.jsonl", manifest))
    assert code == 2 and "'same'" in err and "m.csv line 2" in err and "m.csv line 3" in err
    assert not fake_router.requests


def test_a_name_that_is_not_utf8_is_escaped_in_its_key_and_resumes(tmp_path: Path, fake_router: Any) -> None:
    (image,) = make_images(tmp_path / "p", 1)
    odd = os.path.join(os.fsencode(tmp_path / "p"), b"caf\xe9.png")
    with open(odd, "wb") as file:
        file.write(image.read_bytes())
    image.unlink()
    responder = Responder()
    fake_router.respond(responder)
    out = tmp_path / "r.jsonl"
    code, _, err = run_cli(batch_argv(fake_router, out, tmp_path / "p"))
    assert code == 0, err
    (line,) = read_lines(out)
    assert line["key"].endswith("caf\\xe9.png") and line["answer"].startswith("seen ")
    code, _, err = run_cli(batch_argv(fake_router, out, tmp_path / "p"))  # resumes: nothing sent again
    assert code == 0 and len(fake_router.requests) == 1 and "1 skipped" in err


def test_a_manifest_with_a_byte_order_mark_is_read_right(tmp_path: Path, fake_router: Any) -> None:
    (image,) = make_images(tmp_path, 1)
    (tmp_path / "m.csv").write_bytes("\ufeffkey,path,sku\nmine,img0000.png,A1\n".encode())
    fake_router.respond(Responder())
    out = tmp_path / "r.jsonl"
    code, _, err = run_cli(batch_argv(fake_router, out, tmp_path / "m.csv"))
    assert code == 0, err
    (line,) = read_lines(out)
    assert line["key"] == "mine" and line["metadata"] == {"sku": "A1"} and line["answer"] == expected_answer(image)


@pytest.mark.parametrize("pattern", [False, True])
def test_symlinks_back_up_the_tree_never_loop_and_each_real_file_is_sent_once(
    tmp_path: Path, fake_router: Any, pattern: bool
) -> None:
    images = make_images(tmp_path / "p", 4)
    (tmp_path / "p" / "sub" / "up").symlink_to(tmp_path / "p")  # a loop
    (tmp_path / "p" / "again").symlink_to(tmp_path / "p" / "sub")  # the same folder twice
    (tmp_path / "elsewhere").mkdir()
    extra = make_images(tmp_path / "elsewhere", 1, start=50)[0]
    (tmp_path / "p" / "linked").symlink_to(tmp_path / "elsewhere")  # a symlinked folder is followed
    responder = Responder()
    fake_router.respond(responder)
    out = tmp_path / "r.jsonl"
    source = f"{tmp_path}/p/**/*.png" if pattern else tmp_path / "p"
    code, _, err = run_cli(batch_argv(fake_router, out, source))
    assert code == 0, err
    keys = sorted(line["key"] for line in read_lines(out))
    assert keys == sorted(str(p.resolve()) for p in [*images, extra])
    assert set(responder.per_item.values()) == {1}


def test_manifest_paths_outside_its_folder_are_refused_unless_allowed(tmp_path: Path, fake_router: Any) -> None:
    (secret,) = make_images(tmp_path / "private", 1)
    (tmp_path / "inbox").mkdir()
    manifest = tmp_path / "inbox" / "m.csv"
    manifest.write_text(f"path\n../private/{secret.name}\n")
    code, _, err = run_cli(batch_argv(fake_router, tmp_path / "r.jsonl", manifest))
    assert code == 2 and "outside the manifest's folder" in err and "--allow-outside" in err
    assert not fake_router.requests
    fake_router.respond(Responder())
    code, _, err = run_cli(batch_argv(fake_router, tmp_path / "r.jsonl", manifest, extra=("--allow-outside",)))
    assert code == 0 and len(fake_router.requests) == 1


def test_key_by_hash_sends_copies_once_and_survives_a_rename(tmp_path: Path, fake_router: Any) -> None:
    (image,) = make_images(tmp_path / "p", 1)
    shutil.copy(image, tmp_path / "p" / "copy.png")
    responder = Responder()
    fake_router.respond(responder)
    out = tmp_path / "r.jsonl"
    code, _, err = run_cli(batch_argv(fake_router, out, tmp_path / "p", extra=("--key-by", "hash")))
    assert code == 0, err
    (line,) = read_lines(out)
    assert line["key"].startswith("sha256:") and len(fake_router.requests) == 1
    (tmp_path / "p").rename(tmp_path / "renamed")
    code, _, err = run_cli(batch_argv(fake_router, out, tmp_path / "renamed", extra=("--key-by", "hash")))
    assert code == 0 and len(fake_router.requests) == 1 and "1 skipped" in err


def test_check_keys_names_the_first_rows_and_counts_the_rest(tmp_path: Path) -> None:
    make_images(tmp_path, 1)
    rows = "".join(f"k{i % 2},img0000.png\n" for i in range(10))
    (tmp_path / "m.csv").write_text("key,path\n" + rows)
    with pytest.raises(ValueError, match=r"8 duplicate key\(s\).*\(and 3 more\)"):
        check_keys(expand_inputs([str(tmp_path / "m.csv")]))
