"""The cassette plugin (langchain_visionrouter.testing): digests, matching, scrubbing, formats, opt-in.

Recording needs no network: the server is the loopback FakeRouter.
"""

from __future__ import annotations

import base64
import gzip
import hashlib
import io
import json
import os
import textwrap
from pathlib import Path
from typing import Any

import httpx
import pytest
import vcr
import yaml
from langchain_core.messages import HumanMessage
from PIL import Image
from vcr.errors import CannotOverwriteExistingCassetteException
from vcr.request import Request
from vcr.serializers import yamlserializer

from langchain_visionrouter import ChatVisionRouter, image_block
from langchain_visionrouter.testing import (
    BODY_MATCHER,
    DEFAULT_MATCH_ON,
    IMAGES_MATCHER,
    body_digests,
    body_matcher,
    cassette_config,
    configure,
    digest_body,
    images_matcher,
)

pytest_plugins = ("pytester",)

SECRET = "sk-or-v1-THIS-MUST-NEVER-BE-WRITTEN"
REPLY = {
    "id": "gen-1",
    "model": "m",
    "choices": [{"index": 0, "finish_reason": "stop", "message": {"role": "assistant", "content": "static"}}],
}


def png_bytes(image: Image.Image) -> bytes:
    out = io.BytesIO()
    image.save(out, format="PNG")
    return out.getvalue()


@pytest.fixture(scope="module")
def big_image() -> bytes:
    """About 5 MB of incompressible PNG."""
    data = png_bytes(Image.frombytes("RGB", (1300, 1300), os.urandom(1300 * 1300 * 3)))
    assert len(data) > 5_000_000
    return data


@pytest.fixture(scope="module")
def other_big_image(big_image: bytes) -> bytes:
    with Image.open(io.BytesIO(big_image)) as image:
        changed = image.copy()
    changed.putpixel((0, 0), (1, 2, 3))  # one pixel differs
    return png_bytes(changed)


def sha(data: bytes) -> str:
    return "sha256:" + hashlib.sha256(data).hexdigest()


def request(body: Any) -> Request:
    return Request("POST", "https://openrouter.ai/api/v1/chat/completions", body, {})


def chat(fake_router: Any) -> ChatVisionRouter:
    return ChatVisionRouter(model="m", api_key=SECRET, base_url=fake_router.url, max_retries=0)


def ask(llm: ChatVisionRouter, image: bytes, text: str = "What is this?") -> str:
    return str(llm.invoke([HumanMessage(content=[{"type": "text", "text": text}, image_block(image)])]).content)


# -- digesting ----------------------------------------------------------------------------


def test_digest_body_replaces_base64_payloads_with_their_sha256() -> None:
    image, audio = os.urandom(300), os.urandom(600)
    body = {
        "messages": [
            {
                "role": "user",
                "content": [
                    {"type": "text", "text": "short text stays, and so does a long one " * 20},
                    {
                        "type": "image_url",
                        "image_url": {"url": "data:image/png;base64," + base64.b64encode(image).decode()},
                    },
                    {"type": "input_audio", "input_audio": {"data": base64.b64encode(audio).decode(), "format": "wav"}},
                    {"type": "image_url", "image_url": {"url": "https://example.com/a.png"}},
                ],
            }
        ]
    }
    out = json.loads(digest_body(json.dumps(body).encode()))
    parts = out["messages"][0]["content"]
    assert parts[0] == body["messages"][0]["content"][0]
    assert parts[1]["image_url"]["url"] == "data:image/png;base64," + sha(image)
    assert parts[2]["input_audio"]["data"] == sha(audio)
    assert parts[3] == body["messages"][0]["content"][3]
    assert body_digests(json.dumps(out)) == [sha(image), sha(audio)]


def test_digest_body_is_idempotent_and_keeps_the_body_type() -> None:
    raw = json.dumps({"url": "data:image/gif;base64," + base64.b64encode(b"GIF89a....").decode()}).encode()
    once = digest_body(raw)
    assert isinstance(once, bytes)
    assert digest_body(once) == once
    assert digest_body(raw.decode()) == once.decode()
    assert b'\n  "url"' in once  # pretty-printed JSON
    assert b"\n" not in digest_body(raw, pretty=False)
    assert digest_body(None) is None and digest_body(b"") == b""


def test_digest_body_of_non_json_text() -> None:
    payload = base64.b64encode(b"\x89PNG\r\n\x1a\nxxxx").decode()
    assert digest_body(f"img=data:image/png;base64,{payload}&x=1") == (
        f"img=data:image/png;base64,{sha(base64.b64decode(payload))}&x=1"
    )


# -- matchers -----------------------------------------------------------------------------


def _image_body(image: bytes, text: str = "hi", **extra: Any) -> bytes:
    url = "data:image/png;base64," + base64.b64encode(image).decode()
    content = [{"type": "text", "text": text}, {"type": "image_url", "image_url": {"url": url}}]
    return json.dumps({"model": "m", "messages": [{"role": "user", "content": content}], **extra}).encode()


def test_body_matcher_same_image_matches_other_image_does_not() -> None:
    a, b = os.urandom(500), os.urandom(500)
    recorded = request(digest_body(_image_body(a)))  # as stored in a cassette
    body_matcher(request(_image_body(a)), recorded)
    # Same data, other key order and whitespace: still the same request.
    reordered = json.dumps(dict(reversed(list(json.loads(_image_body(a)).items()))), indent=4)
    body_matcher(request(reordered), recorded)
    with pytest.raises(AssertionError, match=r"body\.messages\[0\]\.content\[1\]\.image_url\.url: sent"):
        body_matcher(request(_image_body(b)), recorded)
    with pytest.raises(AssertionError, match=r"body\.messages\[0\]\.content\[0\]\.text"):
        body_matcher(request(_image_body(a, text="other")), recorded)


def test_images_matcher_pins_only_the_payloads() -> None:
    a, b = os.urandom(500), os.urandom(500)
    recorded = request(digest_body(_image_body(a)))
    images_matcher(request(_image_body(a, text="other", temperature=0)), recorded)
    with pytest.raises(AssertionError, match="different inline payloads"):
        images_matcher(request(_image_body(b)), recorded)
    images_matcher(request(_image_body(b)), request(b""))  # a hand-written cassette without a body


# -- recording through vcrpy ---------------------------------------------------------------


def test_5mb_image_cassette_is_small_and_replays_only_for_that_image(
    tmp_path: Path, fake_router: Any, big_image: bytes, other_big_image: bytes
) -> None:
    path = tmp_path / "vision.yaml"
    recorder = configure(vcr.VCR(record_mode="once"))
    fake_router.reply(json=REPLY, headers={"Set-Cookie": "session=abc123"})
    with chat(fake_router) as llm:
        with recorder.use_cassette(str(path), **cassette_config()):
            assert ask(llm, big_image) == "static"
        assert len(fake_router.requests) == 1
        assert len(fake_router.requests[0].body) > 6_000_000  # the router did get the image

        size = path.stat().st_size
        assert size < 20_000, size
        text = path.read_text()
        assert sha(big_image) in text
        assert base64.b64encode(big_image[:300]).decode()[:100] not in text
        for secret in (SECRET, "authorization", "Authorization", "abc123", "set-cookie", "Set-Cookie"):
            assert secret not in text
        (interaction,) = yaml.safe_load(text)["interactions"]
        assert json.loads(interaction["request"]["body"])["messages"][0]["content"][1]["image_url"]["url"] == (
            "data:image/png;base64," + sha(big_image)
        )
        assert json.loads(interaction["response"]["body"]["string"]) == REPLY

        with recorder.use_cassette(str(path), **cassette_config()) as cassette:
            assert ask(llm, big_image) == "static"
            assert cassette.play_count == 1
        assert len(fake_router.requests) == 1  # replayed, not sent

        with (
            pytest.raises(CannotOverwriteExistingCassetteException, match=r"image_url\.url: sent"),
            recorder.use_cassette(str(path), **cassette_config()),
        ):
            ask(llm, other_big_image)
        with (
            pytest.raises(CannotOverwriteExistingCassetteException),
            recorder.use_cassette(str(path), **cassette_config()),
        ):
            ask(llm, big_image, text="Something else?")
        with recorder.use_cassette(str(path), **cassette_config(match="images")):
            assert ask(llm, big_image, text="Something else?") == "static"  # same image is enough
    assert len(fake_router.requests) == 1


def test_sse_is_stored_as_text_and_replays(tmp_path: Path, fake_router: Any) -> None:
    chunks = [
        {"id": "gen-2", "model": "m", "choices": [{"index": 0, "delta": {"content": piece}, "finish_reason": None}]}
        for piece in ("Hel", "lo")
    ]
    fake_router.reply_sse([*chunks, "[DONE]"], comments=1)
    path = tmp_path / "stream.yaml"
    recorder = configure(vcr.VCR(record_mode="once"))
    with chat(fake_router) as llm:
        with recorder.use_cassette(str(path), **cassette_config()):
            assert "".join(str(c.content) for c in llm.stream("hi")) == "Hello"
        text = path.read_text()
        assert "\n        data: [DONE]\n" in text  # a literal block: one SSE line per YAML line
        assert "\n        : OPENROUTER PROCESSING\n" in text
        with recorder.use_cassette(str(path), **cassette_config()):
            assert "".join(str(c.content) for c in llm.stream("hi")) == "Hello"
    assert len(fake_router.requests) == 1


def test_gzip_cassettes(tmp_path: Path, fake_router: Any, big_image: bytes) -> None:
    path = tmp_path / "vision.yaml.gz"
    recorder = configure(vcr.VCR(record_mode="once"))
    fake_router.reply(json=REPLY)
    with chat(fake_router) as llm:
        with recorder.use_cassette(str(path), **cassette_config(gzip=True)):
            ask(llm, big_image)
        raw = path.read_bytes()
        assert raw[:2] == b"\x1f\x8b"
        assert len(raw) < 2_000
        assert sha(big_image) in gzip.decompress(raw).decode()
        with recorder.use_cassette(str(path), **cassette_config(gzip=True)) as cassette:
            assert ask(llm, big_image) == "static"
            assert cassette.play_count == 1
    assert len(fake_router.requests) == 1


def test_secrets_scrubbed_on_the_way_out_too(tmp_path: Path) -> None:
    # A cassette someone committed with credentials in it: replay never hands them out.
    path = tmp_path / "leaky.yaml"
    interaction = {
        "request": {
            "method": "POST",
            "uri": "https://openrouter.ai/api/v1/chat/completions",
            "body": "",
            "headers": {"Authorization": [f"Bearer {SECRET}"]},
        },
        "response": {
            "status": {"code": 200, "message": "OK"},
            "headers": {"Content-Type": ["application/json"], "Set-Cookie": ["s=1"], "X-Api-Key": [SECRET]},
            "body": {"string": json.dumps(REPLY)},
        },
    }
    path.write_text(yamlserializer.serialize({"version": 1, "interactions": [interaction]}))
    recorder = configure(vcr.VCR(record_mode="none"))
    with recorder.use_cassette(str(path), **cassette_config(match="default")), httpx.Client() as client:
        response = client.post("https://openrouter.ai/api/v1/chat/completions", headers={"Api-Key": SECRET})
    assert response.json() == REPLY
    assert "set-cookie" not in response.headers and "x-api-key" not in response.headers


# -- opting in ----------------------------------------------------------------------------


def test_configure_adds_names_and_changes_no_default() -> None:
    plain = vcr.VCR()
    configured = configure(vcr.VCR())
    assert configured.serializers["yaml"] is plain.serializers["yaml"]
    assert configured.match_on == plain.match_on == DEFAULT_MATCH_ON
    assert set(configured.matchers) - set(plain.matchers) == {BODY_MATCHER, IMAGES_MATCHER}
    assert configure(configured) is configured  # idempotent
    assert cassette_config()["match_on"] == ["method", "path", BODY_MATCHER]
    assert cassette_config(match="default")["match_on"] == list(DEFAULT_MATCH_ON)
    with pytest.raises(ValueError, match="match must be"):
        cassette_config(match="everything")


def test_without_opting_in_cassettes_are_plain_vcrpy(tmp_path: Path, fake_router: Any) -> None:
    image = png_bytes(Image.new("RGB", (4, 4)))
    fake_router.reply(json=REPLY)
    path = tmp_path / "plain.yaml"
    with chat(fake_router) as llm, configure(vcr.VCR(record_mode="once")).use_cassette(str(path)):
        ask(llm, image)
    text = path.read_text()
    assert base64.b64encode(image).decode() in text  # nothing digested
    assert "sha256:" not in text
    assert text.startswith("interactions:")  # vcrpy's own writer (ours starts with "version:")


def test_user_hooks_are_added_not_replaced() -> None:
    def mine(request: Any) -> Any:
        return request

    config = cassette_config(before_record_request=mine, filter_headers=["x-internal"], record_mode="all")
    assert config["before_record_request"][-1] is mine and len(config["before_record_request"]) == 2
    assert config["filter_headers"][-1] == "x-internal"
    assert ("authorization", None) in config["filter_headers"]
    assert config["record_mode"] == "all"


# -- through pytest-recording, as users run it ---------------------------------------------

INNER_TEST = """
import pytest
from langchain_core.messages import HumanMessage
from langchain_visionrouter import ChatVisionRouter, image_block


@pytest.mark.vcr
def test_describe():
    llm = ChatVisionRouter(model="m", api_key={secret!r}, base_url={url!r}, max_retries=0)
    with llm:
        answer = llm.invoke([HumanMessage(content=["What is this?", image_block({image!r})])])
    assert answer.content == "static"
"""

OPT_IN_CONFTEST = """
import pytest
from langchain_visionrouter.testing import cassette_config


@pytest.fixture(scope="module")
def vcr_config():
    return cassette_config()
"""


def _suite(pytester: pytest.Pytester, fake_router: Any, image_path: Path, *, opt_in: bool) -> None:
    if opt_in:
        pytester.makeconftest(OPT_IN_CONFTEST)
    test = INNER_TEST.format(secret=SECRET, url=fake_router.url, image=str(image_path))
    pytester.makepyfile(test_vision=textwrap.dedent(test))


def _run(pytester: pytest.Pytester, *args: str) -> pytest.RunResult:
    # -p no:socket: the inner run must not touch the outer run's socket guard.
    return pytester.runpytest_inprocess(
        "-p", "no:socket", "-p", "no:cacheprovider", "-o", "asyncio_default_fixture_loop_scope=function", *args
    )


def test_pytest_recording_users_get_small_exact_cassettes(
    pytester: pytest.Pytester, fake_router: Any, big_image: bytes, other_big_image: bytes, tmp_path: Path
) -> None:
    image = tmp_path / "big.png"
    image.write_bytes(big_image)
    _suite(pytester, fake_router, image, opt_in=True)
    fake_router.reply(json=REPLY)

    _run(pytester, "--record-mode=once").assert_outcomes(passed=1)
    cassette = pytester.path / "cassettes" / "test_vision" / "test_describe.yaml"
    assert cassette.stat().st_size < 20_000
    text = cassette.read_text()
    assert sha(big_image) in text and SECRET not in text
    assert len(fake_router.requests) == 1

    _run(pytester, "--record-mode=none").assert_outcomes(passed=1)  # same image: replayed
    assert len(fake_router.requests) == 1

    image.write_bytes(other_big_image)
    result = _run(pytester, "--record-mode=none")
    result.assert_outcomes(failed=1)
    result.stdout.fnmatch_lines(["*CannotOverwriteExistingCassetteException*"])
    assert len(fake_router.requests) == 1


def test_plugin_is_inert_for_suites_that_do_not_opt_in(
    pytester: pytest.Pytester, fake_router: Any, tmp_path: Path
) -> None:
    small = png_bytes(Image.new("RGB", (4, 4), (9, 9, 9)))
    image = tmp_path / "small.png"
    image.write_bytes(small)
    _suite(pytester, fake_router, image, opt_in=False)
    fake_router.reply(json=REPLY)
    _run(pytester, "--record-mode=once").assert_outcomes(passed=1)
    text = (pytester.path / "cassettes" / "test_vision" / "test_describe.yaml").read_text()
    assert base64.b64encode(small).decode() in text and "sha256:" not in text
    # And it loads without pytest-recording at all (its hook is optional).
    pytester.makepyfile(test_vision="def test_nothing():\n    assert True\n")
    _run(pytester, "-p", "no:recording").assert_outcomes(passed=1)
