"""Issue 26, items 8 and 10-13: ``--estimate`` agrees with what ``ask`` sends, and every
message a user meets says what happened, where, and what to do.
"""

from __future__ import annotations

import dataclasses
import inspect
import io
import json
import struct
import zlib
from pathlib import Path
from typing import Any

import httpx
import pytest

from langchain_visionrouter import ChatVisionRouter, NotFoundError, RateLimitError, get_generation
from langchain_visionrouter._cli import ask as _cli
from langchain_visionrouter._client import catalog as _catalog
from langchain_visionrouter._request.tokens import estimate_payload
from langchain_visionrouter._router import presets
from langchain_visionrouter._wire import router_errors as _errors
from langchain_visionrouter.errors import BadRequestError, ProviderError
from tests.fakerouter import FakeRouter, Recorded, Scripted, answer
from tests.wire import completion, png

KEY = "sk-or-v1-round3000000000000000000000000000000000000000000000000000000000"
ANSWER = completion(gen="gen-r3", model="m/v", provider="P", content="ok")


def run(argv: list[str]) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    return _cli.main(argv, out=out, err=err), out.getvalue(), err.getvalue()


@pytest.fixture(autouse=True)
def _no_catalog_cached() -> Any:
    _catalog.clear_catalog_cache()
    yield
    _catalog.clear_catalog_cache()


# -- item 10: --estimate is of what is sent ------------------------------------------------------


def test_the_estimate_equals_what_ask_sends_after_the_fit(
    fake_router: FakeRouter, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    pytest.importorskip("PIL")
    monkeypatch.setenv("VISIONROUTER_API_KEY", KEY)
    photo = tmp_path / "photo.png"
    photo.write_bytes(png(3000, 2000, seed=3))
    model = "anthropic/claude-sonnet-4.5"
    fake_router.reply(500, json={"error": {"message": "no catalog here", "code": 500}})  # the estimate's price
    code, out, _ = run(["ask", "what?", str(photo), "-m", model, "--base-url", fake_router.url, "--estimate", "--json"])
    assert code == 0
    estimated = json.loads(out)
    assert estimated["image_fit"]["images"] == 1  # the fit ask applies was applied
    fake_router.reply(json=ANSWER)
    code, _, _ = run(["ask", "what?", str(photo), "-m", model, "--base-url", fake_router.url, "--no-stream"])
    assert code == 0
    sent = fake_router.requests[-1].json["messages"]
    assert estimate_payload(sent, model).tokens == estimated["estimated_input_tokens"]


def _png_claiming(width: int, height: int) -> bytes:
    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    ihdr = struct.pack(">I", 13) + b"IHDR" + header + struct.pack(">I", zlib.crc32(b"IHDR" + header))
    iend = struct.pack(">I", 0) + b"IEND" + struct.pack(">I", zlib.crc32(b"IEND"))
    return b"\x89PNG\r\n\x1a\n" + ihdr + iend


def test_the_estimate_refuses_what_ask_refuses(fake_router: FakeRouter, tmp_path: Path) -> None:
    pytest.importorskip("PIL")
    liar = tmp_path / "liar.png"
    liar.write_bytes(_png_claiming(100_000, 100_000))
    for extra in (["--estimate"], []):
        code, out, err = run(["ask", "?", str(liar), "--base-url", fake_router.url, "--router", "custom", *extra])
        assert code == 2 and "megapixel" in err and out == ""
    assert fake_router.requests == []


def test_estimate_json_prices_have_no_float_noise(fake_router: FakeRouter) -> None:
    entry = {"id": "m/v", "pricing": {"prompt": "0.0000001"}, "architecture": {"input_modalities": ["text"]}}
    fake_router.reply(json={"data": [entry]})
    code, out, _ = run(["ask", "x" * 3993, "-m", "m/v", "--base-url", fake_router.url, "--estimate", "--json"])
    result = json.loads(out)
    assert code == 0 and result["prompt_price_per_million"] == 0.1
    assert len(repr(result["estimated_input_cost"])) <= 14, result["estimated_input_cost"]


# -- item 11: 404s, HTML pages, bad URLs ----------------------------------------------------------


def test_a_404_from_a_path_without_v1_names_the_url_and_asks_about_v1(fake_router: FakeRouter) -> None:
    fake_router.reply(404, body="no route /chat/completions", headers={"Content-Type": "text/plain"})
    with (
        ChatVisionRouter(model="m", api_key=KEY, base_url=fake_router.base, max_retries=0) as llm,
        pytest.raises(NotFoundError) as info,
    ):
        llm.invoke("hi")
    text = str(info.value)
    assert f"{fake_router.base}/chat/completions" in text and "/v1" in text
    assert f"base_url='{fake_router.base}/v1'" in text


def test_an_html_error_page_is_summarised_not_pasted(fake_router: FakeRouter) -> None:
    page = "<!DOCTYPE html><html><head><title>502 Bad Gateway</title></head><body>" + "<p>x</p>" * 500 + "</body>"
    fake_router.reply(502, body=page, headers={"Content-Type": "text/html"})
    with (
        ChatVisionRouter(model="m", api_key=KEY, base_url=fake_router.url, max_retries=0) as llm,
        pytest.raises(ProviderError) as info,
    ):
        llm.invoke("hi")
    text = str(info.value)
    assert "502 Bad Gateway" in text and "HTML page" in text and "<p>" not in text and len(text) < 400


@pytest.mark.parametrize("url", ["localhost:8000/v1", "ftp://gw.example/v1", "gw.example"])
def test_a_url_without_an_http_scheme_exits_2(url: str) -> None:
    code, _, err = run(["ask", "hi", "--base-url", url, "--router", "custom"])
    assert code == 2 and "http(s) URL" in err


def test_no_doubled_full_stop_in_a_connection_error() -> None:
    request = httpx.Request("GET", "http://x.test/v1/models")
    exc = httpx.UnsupportedProtocol("Request URL is missing an 'http://' or 'https://' protocol.", request=request)
    assert ".." not in str(_errors.connection_error(exc))


# -- item 12: --base-url is called, or refused; never a silent replay --------------------------


def test_base_url_without_a_key_is_refused_not_replayed(
    fake_router: FakeRouter, monkeypatch: pytest.MonkeyPatch
) -> None:
    for var in ("VISIONROUTER_API_KEY", "OPENROUTER_API_KEY"):
        monkeypatch.delenv(var, raising=False)
    code, out, err = run(["ask", "hi", "--base-url", fake_router.url])
    assert code == 2 and out == "" and "--base-url" in err and "--router custom" in err and "replaying" not in err
    assert fake_router.requests == []


def test_base_url_with_router_custom_calls_the_url(fake_router: FakeRouter, monkeypatch: pytest.MonkeyPatch) -> None:
    for var in ("VISIONROUTER_API_KEY", "OPENROUTER_API_KEY"):
        monkeypatch.delenv(var, raising=False)
    fake_router.reply(json=ANSWER)
    code, out, err = run(["ask", "hi", "--base-url", fake_router.url, "--router", "custom", "--no-stream"])
    assert (code, out) == (0, "ok\n") and len(fake_router.requests) == 1
    assert err == "visionrouter: 3 in + 1 out tokens, $0.500000, m/v via P\n" or err.startswith("visionrouter: ")


# -- item 13: messages a user can act on ----------------------------------------------------------


def test_an_unknown_model_gets_did_you_mean_from_a_fetched_catalog(fake_router: FakeRouter) -> None:
    def respond(request: Recorded) -> Scripted:
        if request.path.split("?")[0].endswith("/models"):
            ids = ["openai/gpt-4o-mini", "openai/gpt-4o", "google/gemini-2.5-flash"]
            return answer(json={"data": [{"id": i} for i in ids]})
        error = {"message": "openai/gpt-4o-mnii is not a valid model ID", "code": 400}
        return answer(400, json={"error": error})

    fake_router.respond(respond)
    llm = ChatVisionRouter(model="openai/gpt-4o-mnii", api_key=KEY, base_url=fake_router.url, max_retries=0)
    try:
        with pytest.raises(BadRequestError) as first:
            llm.invoke("hi")
        assert "did you mean" not in str(first.value)  # no catalog fetched: no extra request for a typo
        assert len(fake_router.requests) == 1
        llm.get_catalog().models()
        with pytest.raises(BadRequestError) as second:
            llm.invoke("hi")
    finally:
        llm.close()
    assert "did you mean 'openai/gpt-4o-mini'" in str(second.value)
    assert [r.method for r in fake_router.requests] == ["POST", "GET", "POST"]


def test_an_image_to_a_text_only_model_is_warned_about(
    fake_router: FakeRouter, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # The preset's own URL (whose catalog lists modalities) is the fake router's here.
    preset = dataclasses.replace(presets.ROUTERS["openrouter"], base_url=fake_router.url)
    monkeypatch.setitem(presets.ROUTERS, "openrouter", preset)
    monkeypatch.setenv("VISIONROUTER_API_KEY", KEY)

    def respond(request: Recorded) -> Scripted:
        if request.method == "GET":
            entry = {"id": "acme/text-only", "architecture": {"input_modalities": ["text"]}}
            return answer(json={"data": [entry]})
        return answer(json=ANSWER)

    fake_router.respond(respond)
    photo = tmp_path / "photo.png"
    photo.write_bytes(png(64, 64, seed=1))
    code, _, err = run(["ask", "what?", str(photo), "-m", "acme/text-only", "--no-stream", "--image-fit", "off"])
    assert code == 0 and "warning" in err and "acme/text-only as text-only" in err
    assert [r.method for r in fake_router.requests] == ["GET", "POST"]  # the warning came first


@pytest.mark.parametrize("value", ["5", "-0.1", "2.5"])
def test_temperature_outside_its_help_range_exits_2(value: str, capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as info:
        run(["ask", "hi", "--temperature", value])
    assert info.value.code == 2 and "from 0 to 2" in capsys.readouterr().err


def test_a_tilde_path_is_expanded(fake_router: FakeRouter, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("HOME", str(tmp_path))
    (tmp_path / "photo.png").write_bytes(png(32, 32, seed=2))
    fake_router.reply(500, json={"error": {"message": "no catalog", "code": 500}})
    code, out, err = run(["ask", "?", "~/photo.png", "--base-url", fake_router.url, "--estimate", "--json"])
    assert code == 0, err
    assert json.loads(out)["images"] == 1


def test_a_text_file_and_a_folder_get_messages_that_fit(tmp_path: Path) -> None:
    notes = tmp_path / "notes.txt"
    notes.write_text("remember the milk\n")
    code, _, err = run(["ask", "?", str(notes), "--estimate"])
    assert code == 2 and "is text, not an image" in err and "Convert" not in err
    code, _, err = run(["ask", "?", str(tmp_path), "--estimate"])
    assert code == 2 and "a directory" in err and "pass the bytes" not in err and "*.jpg" in err


def test_get_generation_documents_every_argument() -> None:
    doc = inspect.getdoc(get_generation) or ""
    for name in inspect.signature(get_generation).parameters:
        assert f"{name}:" in doc, name


# -- item 8: retry errors say what was tried and why it stopped ---------------------------------


def test_a_retry_after_past_the_deadline_says_so_with_the_limits(fake_router: FakeRouter) -> None:
    fake_router.reply(429, json={"error": {"message": "Rate limited", "code": 429}}, headers={"Retry-After": "3600"})
    with (
        ChatVisionRouter(model="m", api_key=KEY, base_url=fake_router.url, max_retries=5) as llm,
        pytest.raises(RateLimitError) as info,
    ):
        llm.invoke("hi")
    text = str(info.value)
    assert "gave up after 1 attempt" in text and "max_retries=5" in text and "deadline=900s" in text
    assert "3600s" in text and "5 retries left" in text and "max_retries=0" not in text


def test_retries_used_up_say_so(fake_router: FakeRouter) -> None:
    for _ in range(3):
        fake_router.reply(503, json={"error": {"message": "busy", "code": 503}}, headers={"Retry-After": "0"})
    with (
        ChatVisionRouter(model="m", api_key=KEY, base_url=fake_router.url, max_retries=2, deadline=30) as llm,
        pytest.raises(ProviderError) as info,
    ):
        llm.invoke("hi")
    assert "gave up after 3 attempts" in str(info.value) and "every retry used (max_retries=2, deadline=30s)" in str(
        info.value
    )
