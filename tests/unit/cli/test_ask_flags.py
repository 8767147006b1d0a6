"""The CLI speaks flags and files (issue 16, item 7): every message read as a user reads it."""

from __future__ import annotations

import io
import json
from pathlib import Path

import pytest

from langchain_visionrouter._cli import ask as cli

BMP = b"BM" + b"\x00" * 60


def run(argv: list[str]) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    code = cli.main(argv, out=out, err=err)
    return code, out.getvalue(), err.getvalue()


@pytest.fixture
def no_key(monkeypatch: pytest.MonkeyPatch) -> None:
    for var in ("VISIONROUTER_API_KEY", "OPENROUTER_API_KEY", "INFRON_API_KEY", "VISIONROUTER_BASE_URL"):
        monkeypatch.delenv(var, raising=False)


def test_custom_router_without_base_url_names_the_flag(no_key: None) -> None:
    code, out, err = run(["ask", "hi", "--router", "custom"])
    assert (code, out) == (2, "")
    assert "--router custom needs --base-url URL" in err
    assert "ValidationError" not in err and "pydantic" not in err and "validation error" not in err


def test_a_bmp_is_told_what_to_do_in_cli_terms(no_key: None, tmp_path: Path) -> None:
    scan = tmp_path / "scan.bmp"
    scan.write_bytes(BMP)
    code, out, err = run(["ask", "hi", str(scan)])
    assert (code, out) == (2, "")
    assert "BMP" in err and str(scan) in err and "Convert it first, then pass the new file" in err
    assert str(tmp_path / "scan.png") in err
    assert "image_block" not in err and "mime_type=" not in err


@pytest.mark.parametrize(("flag", "value"), [("--max-side", "0"), ("--max-side", "-5"), ("--timeout", "0")])
def test_non_positive_numbers_are_refused_by_flag(
    no_key: None, capsys: pytest.CaptureFixture[str], flag: str, value: str
) -> None:
    with pytest.raises(SystemExit) as info:
        cli.main(["ask", "hi", flag, value])
    err = capsys.readouterr().err
    assert info.value.code == 2
    assert f"argument {flag}: must be above 0" in err and repr(value) in err
    assert "sides" not in err and "image_block" not in err


def test_max_side_that_is_not_a_number(no_key: None, capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit):
        cli.main(["ask", "hi", "--max-side", "big"])
    assert "argument --max-side: expected a whole number of pixels above 0, got 'big'" in capsys.readouterr().err


def test_json_says_when_the_answer_is_a_replay(no_key: None) -> None:
    code, out, _ = run(["ask", "hi", "--json"])
    assert code == 0
    result = json.loads(out)
    assert result["replay"] is True and result["replayed_from"] == cli.DEMO_CASSETTE


def test_replay_and_model_have_help_texts(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit):
        cli.main(["ask", "--help"])
    text = " ".join(capsys.readouterr().out.split())
    assert "--replay answer from the bundled example cassette" in text
    assert "the router's model id (default: $VISIONROUTER_MODEL, else" in text
