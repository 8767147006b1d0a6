"""_wire/redaction.py: secrets masked wherever they are found, URLs without their credentials.

(The key kept out of reprs, logs, errors and pickles, end to end: tests/behaviour/test_secrets.py.)"""

from __future__ import annotations

from langchain_visionrouter._redaction import MASK, redact, redact_url, register_header_secrets


def test_redaction_unit() -> None:
    register_header_secrets({"Authorization": "Bearer sk-unit-test-secret-123456", "Accept": "text/plain"})
    assert redact("x sk-unit-test-secret-123456 y") == f"x {MASK} y"
    assert redact({"a": ["sk-unit-test-secret-123456", 1, None]}) == {"a": [MASK, 1, None]}
    assert redact("text/plain") == "text/plain"  # other headers are not secrets
    register_header_secrets({"Authorization": "Bearer k"})  # too short to be a key: never masks "k"
    assert redact("keep the k") == "keep the k"


def test_redact_url() -> None:
    assert redact_url("https://u:p@h.example:8443/v1?key=abc&x=1") == "https://***@h.example:8443/v1?key=***&x=1"
    assert redact_url("http://localhost:8000/v1") == "http://localhost:8000/v1"
