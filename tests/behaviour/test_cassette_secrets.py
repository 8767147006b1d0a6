"""No secret in any cassette: key patterns, bearer tokens, long secrets after 'key', and
credential headers (Authorization, api-key, x-api-key, cookies) are searched for in
every file under ``cassettes/``.

The scanner is itself tested on planted examples, so a scanner that finds nothing
cannot pass for a clean directory.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import httpx
import pytest
import vcr
import yaml

from langchain_visionrouter import ChatVisionRouter
from langchain_visionrouter.testing import cassette_config, configure
from tests.cassette_tools import CASSETTES, exchange
from tests.fakerouter import FakeRouter

CREDENTIAL_HEADERS = frozenset({"authorization", "proxy-authorization", "api-key", "x-api-key", "cookie", "set-cookie"})
MAX_CASSETTE_BYTES = 512 * 1024

_PATTERNS = [
    ("OpenRouter key", re.compile(r"sk-or-v1-[0-9a-f]{16,}")),
    ("sk- style key", re.compile(r"\bsk-(?:proj-|ant-|or-)?[A-Za-z0-9_-]{20,}")),
    ("bearer token", re.compile(r"(?i)\bbearer\s+[A-Za-z0-9._~+/=-]{8,}")),
    ("basic credentials", re.compile(r"(?i)\bbasic\s+[A-Za-z0-9+/=]{12,}")),
    (
        "secret after 'key'",
        re.compile(
            r"""(?ix)(?:api[_-]?key|access[_-]?key|secret[_-]?key|\bkey|token|secret|password)
            ["']?\s*[:=]\s*["']?
            (?=[A-Za-z0-9_\-]*\d)(?=[A-Za-z0-9_\-]*[A-Za-z])[A-Za-z0-9_\-]{24,}"""
        ),
    ),
    # A header written as text, in any format (YAML key, HTTP dump, JSON).
    (
        "credential header",
        re.compile(
            r"""(?im)^[\s"'-]*(?:authorization|proxy-authorization|api-key|x-api-key|cookie|set-cookie)["']?\s*:"""
        ),
    ),
]


def _headers_of(data: Any) -> list[str]:
    """Header names of every request and response in a parsed vcrpy cassette."""
    names: list[str] = []
    if not isinstance(data, dict):
        return names
    for interaction in data.get("interactions") or []:
        for side in ("request", "response"):
            headers = (interaction.get(side) or {}).get("headers") or {}
            if isinstance(headers, dict):
                names.extend(str(name) for name in headers)
    return names


def scan_text(text: str) -> list[str]:
    """What looks like a secret in ``text``: one ``"kind: match"`` per finding."""
    return [f"{kind}: {m.group(0)[:60]}" for kind, pattern in _PATTERNS for m in pattern.finditer(text)]


def scan_file(path: Path) -> list[str]:
    raw = path.read_bytes()
    text = raw.decode("utf-8", "replace")
    findings = scan_text(text)
    if path.suffix in (".yaml", ".yml"):
        try:
            data = yaml.safe_load(text)
        except yaml.YAMLError as exc:
            return [*findings, f"unreadable cassette: {exc}"]
        findings += [f"credential header: {name}" for name in _headers_of(data) if name.lower() in CREDENTIAL_HEADERS]
    return findings


def scan_dir(root: Path) -> dict[str, list[str]]:
    found = {}
    for path in sorted(root.rglob("*")):
        if path.is_file():
            hits = scan_file(path)
            if hits:
                found[str(path.relative_to(root))] = hits
    return found


# ---------------------------------------------------------------------------
# The project's cassettes


def test_cassettes_hold_no_secrets() -> None:
    files = [p for p in CASSETTES.rglob("*") if p.is_file()]
    assert files, "no cassettes found: the scan would prove nothing"
    assert scan_dir(CASSETTES) == {}


def test_cassettes_stay_small() -> None:
    big = {p.name: p.stat().st_size for p in CASSETTES.rglob("*.yaml") if p.stat().st_size > MAX_CASSETTE_BYTES}
    assert big == {}


# ---------------------------------------------------------------------------
# The scanner catches what it is for


def _write_cassette(path: Path, request_headers: dict[str, str], body: str = "{}", **resp_headers: str) -> None:
    interaction = exchange({"model": "m", "messages": []}, {"choices": []})
    interaction["request"]["headers"].update({k: [v] for k, v in request_headers.items()})
    interaction["response"]["headers"].update({k: [v] for k, v in resp_headers.items()})
    interaction["response"]["body"]["string"] = body
    path.write_text(yaml.safe_dump({"interactions": [interaction], "version": 1}, sort_keys=False))


@pytest.mark.parametrize(
    ("name", "request_headers", "body", "response_headers", "kind"),
    [
        ("auth.yaml", {"Authorization": "Bearer sk-or-v1-" + "0123456789abcdef" * 4}, "{}", {}, "credential header"),
        ("auth-empty.yaml", {"authorization": "redacted"}, "{}", {}, "credential header"),
        ("apikey.yaml", {"api-key": "abc"}, "{}", {}, "credential header"),
        ("xapikey.yaml", {"X-API-Key": "abc"}, "{}", {}, "credential header"),
        ("cookie.yaml", {"Cookie": "session=1"}, "{}", {}, "credential header"),
        ("setcookie.yaml", {}, "{}", {"Set-Cookie": "__cf_bm=abc"}, "credential header"),
        ("body-key.yaml", {}, '{"echo": "sk-or-v1-' + "fedcba9876543210" * 4 + '"}', {}, "OpenRouter key"),
        ("body-bearer.yaml", {}, '{"detail": "got Bearer eyJhbGciOiJIUzI1NiJ9.abc"}', {}, "bearer token"),
        ("body-apikey.yaml", {}, '{"api_key": "Zx81Qw0pLm3NvB7cX2sD9fG4hJ6kL1aS"}', {}, "secret after 'key'"),
        ("body-openai.yaml", {}, '{"x": "sk-proj-AbCdEfGhIjKlMnOpQrStUvWx12"}', {}, "sk- style key"),
    ],
)
def test_scanner_finds_planted_secrets(
    tmp_path: Path,
    name: str,
    request_headers: dict[str, str],
    body: str,
    response_headers: dict[str, str],
    kind: str,
) -> None:
    _write_cassette(tmp_path / name, request_headers, body, **response_headers)
    found = scan_dir(tmp_path)
    assert list(found) == [name]
    assert any(hit.startswith(kind) for hit in found[name]), found


@pytest.mark.parametrize(
    "text",
    [
        "OPENROUTER_API_KEY=sk-or-v1-0123456789abcdef0123456789abcdef python -m pytest",
        "curl -H 'Authorization: Bearer sk-or-v1-0123456789abcdef0123456789abcdef'",
        'export INFRON_API_KEY="a1b2c3d4e5f6a7b8c9d0e1f2a3b4c5d6"',
    ],
)
def test_scanner_finds_secrets_in_any_file(tmp_path: Path, text: str) -> None:
    (tmp_path / "notes.md").write_text(f"# Notes\n\n{text}\n")
    assert scan_dir(tmp_path)


def test_scanner_passes_clean_cassettes(tmp_path: Path) -> None:
    body = (
        '{"id":"gen-1763712100-Fa2kPq7XsL4vNc8Jd1Rm","user_id":"user_2yTq8fWbKzA1","choices":[],'
        '"message":"No cookie auth credentials found","usage":{"prompt_tokens_details":{"cached_tokens":0}}}'
    )
    _write_cassette(tmp_path / "clean.yaml", {"Content-Type": "application/json"}, body, **{"X-Generation-Id": "g"})
    (tmp_path / "README.md").write_text("The `Authorization` header is scrubbed; set OPENROUTER_API_KEY=sk-or-...\n")
    assert scan_dir(tmp_path) == {}


# ---------------------------------------------------------------------------
# Recording keeps credentials out


def test_recording_with_the_project_config_writes_no_key(tmp_path: Path, fake_router: FakeRouter) -> None:
    key = "sk-or-v1-" + "5ca1ab1e" * 8
    fake_router.reply(
        json={"id": "gen-rec", "choices": [{"index": 0, "finish_reason": "stop", "message": {"content": "hi"}}]},
        headers={"Set-Cookie": "session=abcdef0123456789", "X-Generation-Id": "gen-rec"},
    )
    recorder = configure(vcr.VCR(record_mode="all"))
    path = tmp_path / "recorded.yaml"
    with httpx.Client() as client, recorder.use_cassette(str(path), **cassette_config()):
        model = ChatVisionRouter(model="m", api_key=key, base_url=fake_router.url, http_client=client, max_retries=0)
        assert model.invoke("hello").content == "hi"
    assert fake_router.requests[0].headers["Authorization"] == f"Bearer {key}"  # the key was really sent
    text = path.read_text()
    assert "gen-rec" in text  # the exchange was recorded...
    assert key not in text  # ... without the key
    assert scan_dir(tmp_path) == {}
