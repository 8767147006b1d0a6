"""Cassette helpers for testing LangChain code that talks to a router.

Registered as a pytest plugin (entry point ``visionrouter``). Secret-bearing headers
are scrubbed from every recorded request and response.
"""

from __future__ import annotations

from typing import Any

__all__ = ["SECRET_HEADERS", "scrub_response", "vcr_config_defaults"]

#: Headers that can carry credentials; never written to a cassette.
SECRET_HEADERS = ("authorization", "api-key", "x-api-key", "cookie", "set-cookie", "proxy-authorization")


def scrub_response(response: dict[str, Any]) -> dict[str, Any]:
    """Drop credential-bearing headers from a recorded response."""
    headers = response.get("headers") or {}
    for name in list(headers):
        if name.lower() in SECRET_HEADERS:
            del headers[name]
    return response


def vcr_config_defaults() -> dict[str, Any]:
    """A pytest-recording ``vcr_config`` that keeps secrets out of cassettes."""
    return {
        "filter_headers": [(name, None) for name in SECRET_HEADERS],
        "before_record_response": scrub_response,
        "decode_compressed_response": True,
    }
