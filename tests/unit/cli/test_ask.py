"""cli.py: the `visionrouter` command."""

from __future__ import annotations

import base64
import io
import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
import yaml

from langchain_visionrouter._cli import ask as cli
from tests.cassette_sources.core import tiny_png
from tests.fakerouter import FakeRouter

DEMO = yaml.safe_load((Path(cli.__file__).parent / "demo" / cli.DEMO_CASSETTE).read_text())


def run(argv: list[str]) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    code = cli.main(argv, out=out, err=err)
    return code, out.getvalue(), err.getvalue()


def demo_answer() -> str:
    body = json.loads(DEMO["interactions"][1]["response"]["body"]["string"])
    return body["choices"][0]["message"]["content"]


@pytest.fixture
def no_key(monkeypatch: pytest.MonkeyPatch) -> None:
    for var in ("VISIONROUTER_API_KEY", "OPENROUTER_API_KEY", "INFRON_API_KEY"):
        monkeypatch.delenv(var, raising=False)


def test_without_a_key_it_replays_the_bundled_example_and_says_so(no_key: None) -> None:
    code, out, err = run(["ask", "What is in this image?", "https://example.com/b.png"])
    assert code == 0
    assert out == demo_answer() + "\n"
    assert "replaying the bundled example" in err and "not recorded live" in err


def test_json_result_carries_usage_and_cost(no_key: None) -> None:
    code, out, _ = run(["ask", "hi", "--json"])
    assert code == 0
    result = json.loads(out)
    wire = json.loads(DEMO["interactions"][1]["response"]["body"]["string"])
    assert result["content"] == demo_answer()
    assert result["cost"] == wire["usage"]["cost"]
    assert result["usage"]["total_tokens"] == wire["usage"]["total_tokens"]
    assert result["model"] == wire["model"] and result["provider"] == wire["provider"]


def test_bad_image_path_exits_2_before_any_request(no_key: None) -> None:
    code, out, err = run(["ask", "hi", "/no/such/photo.jpg"])
    assert code == 2
    assert out == ""
    assert "/no/such/photo.jpg" in err and "no such file" in err


def test_unknown_router_exits_2(no_key: None) -> None:
    code, _, err = run(["ask", "hi", "--router", "nope"])
    assert code == 2 and "Known routers" in err


def stream_events(text: str) -> list[Any]:
    return [
        {
            "id": "gen-c",
            "model": "m/v",
            "provider": "P",
            "choices": [{"index": 0, "delta": {"content": text}, "finish_reason": None}],
        },
        {
            "id": "gen-c",
            "choices": [{"index": 0, "delta": {}, "finish_reason": "stop"}],
            "usage": {"prompt_tokens": 3, "completion_tokens": 1, "total_tokens": 4, "cost": 0.5},
        },
        "[DONE]",
    ]


def test_with_a_key_it_streams_from_the_router_sending_images_in_order(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    photo = tmp_path / "photo.dat"  # the type comes from the bytes, not the name
    photo.write_bytes(tiny_png())
    monkeypatch.setenv("OPENROUTER_API_KEY", "k")
    with FakeRouter() as router:
        router.reply_sse(stream_events("A red square."))
        code, out, err = run(
            [
                "ask",
                "What?",
                str(photo),
                "https://x.test/b.png",
                "--base-url",
                router.url,
                "--model",
                "m/v",
                "--detail",
                "low",
            ]
        )
        sent = router.requests[0].json
    # A one-line usage and cost summary on stderr (issue 26).
    assert (code, out, err) == (0, "A red square.\n", "visionrouter: 3 in + 1 out tokens, $0.500000, m/v via P\n")
    parts = sent["messages"][0]["content"]
    assert parts[0] == {"type": "text", "text": "What?"}
    assert parts[1]["image_url"] == {
        "url": "data:image/png;base64," + base64.b64encode(tiny_png()).decode(),
        "detail": "low",
    }
    assert parts[2]["image_url"] == {"url": "https://x.test/b.png", "detail": "low"}
    assert sent["model"] == "m/v"


def test_router_error_exits_1_with_the_routers_message(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("OPENROUTER_API_KEY", "k")
    with FakeRouter() as router:
        router.reply(402, json={"error": {"code": 402, "message": "Insufficient credits"}})
        code, _, err = run(["ask", "hi", "--base-url", router.url])
    assert code == 1
    assert "[402] Insufficient credits" in err


def test_console_script_runs_in_a_fresh_process(no_key: None, tmp_path: Path) -> None:
    env = {"PATH": "/usr/bin:/bin", "HOME": str(tmp_path)}
    done = subprocess.run(
        [sys.executable, "-m", "langchain_visionrouter._cli.ask", "ask", "hi"],
        capture_output=True,
        text=True,
        env=env,
        timeout=60,
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == demo_answer()


def test_max_side_downscales_local_images_and_pdfs_go_as_file_parts(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    pil = pytest.importorskip("PIL.Image")
    photo = tmp_path / "wide.png"
    pil.new("RGB", (64, 32), (200, 10, 10)).save(photo)
    report = tmp_path / "report.pdf"
    report.write_bytes(b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n")
    monkeypatch.setenv("OPENROUTER_API_KEY", "k")
    with FakeRouter() as router:
        router.reply_sse(stream_events("ok"))
        code, _, err = run(
            [
                "ask",
                "What?",
                str(photo),
                str(report),
                "https://x.test/b.png",
                "--max-side",
                "16",
                "--base-url",
                router.url,
            ]
        )
        sent = router.requests[0].json
    assert (code, err) == (0, "visionrouter: 3 in + 1 out tokens, $0.500000, m/v via P\n")
    parts = sent["messages"][0]["content"]
    url = parts[1]["image_url"]["url"]
    assert url.startswith("data:image/png;base64,")
    assert pil.open(io.BytesIO(base64.b64decode(url.split(",", 1)[1]))).size == (16, 8)
    assert parts[2] == {
        "type": "file",
        "file": {
            "filename": "report.pdf",
            "file_data": "data:application/pdf;base64," + base64.b64encode(report.read_bytes()).decode(),
        },
    }
    assert parts[3]["image_url"] == {"url": "https://x.test/b.png"}  # a URL is the router's to fetch


def test_an_image_type_the_router_refuses_exits_2_before_any_request(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    anim = tmp_path / "anim.gif"
    anim.write_bytes(b"GIF89a" + b"\x01\x00\x01\x00\x00\x00\x00;")
    monkeypatch.setenv("INFRON_API_KEY", "k")
    with FakeRouter() as router:
        code, out, err = run(["ask", "What?", str(anim), "--router", "infron", "--base-url", router.url])
        assert router.requests == []
    assert code == 2 and out == ""
    assert "GIF" in err and "infron" in err
