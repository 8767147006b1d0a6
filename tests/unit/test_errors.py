"""errors.py: the typed hierarchy and how error bodies map onto it."""

from __future__ import annotations

import json
import pickle

import pytest

from langchain_visionrouter import errors
from langchain_visionrouter._wire.router_errors import error_from_body, error_from_response


@pytest.mark.parametrize(
    ("status", "cls"),
    [
        (400, errors.BadRequestError),
        (401, errors.AuthenticationError),
        (402, errors.InsufficientCreditsError),
        (403, errors.PermissionDeniedError),
        (404, errors.NotFoundError),
        (408, errors.RequestTimeoutError),
        (413, errors.BadRequestError),
        (422, errors.BadRequestError),
        (429, errors.RateLimitError),
        (500, errors.ProviderError),
        (503, errors.ProviderError),
        (529, errors.ProviderError),
        (418, errors.BadRequestError),
    ],
)
def test_status_classes(status: int, cls: type) -> None:
    exc = error_from_response(status, b'{"error":{"code":%d,"message":"m"}}' % status, {})
    assert type(exc) is cls
    assert isinstance(exc, errors.VisionRouterError)
    assert exc.status_code == status


def test_str_shows_message_provider_and_raw_detail() -> None:
    body = json.dumps(
        {
            "error": {
                "code": 429,
                "message": "Provider returned error",
                "metadata": {"raw": "slow down", "provider_name": "Google"},
            }
        }
    ).encode()
    exc = error_from_response(429, body, {"x-generation-id": "gen-42"}, retry_after=3.0)
    text = str(exc)
    assert "Provider returned error" in text and "slow down" in text and "Google" in text and "gen-42" in text
    assert exc.generation_id == "gen-42"
    assert exc.retry_after == 3.0


def test_openai_style_body_keeps_type_and_param() -> None:
    exc = error_from_body(
        {
            "error": {
                "message": "bad model",
                "type": "invalid_request_error",
                "param": "model",
                "code": "model_not_found",
            }
        },
        status_code=404,
    )
    assert isinstance(exc, errors.NotFoundError)
    assert exc.code == "model_not_found"
    assert exc.metadata == {"type": "invalid_request_error", "param": "model"}


def test_non_json_and_empty_bodies_are_kept_as_the_message() -> None:
    html = error_from_response(502, b"<html><body>Bad gateway</body></html>", {})
    assert isinstance(html, errors.ProviderError)
    assert "Bad gateway" in str(html)
    empty = error_from_response(503, b"", {})
    assert "503" in empty.message


def test_numeric_code_of_a_200_error_body_picks_the_class() -> None:
    assert isinstance(
        error_from_body({"error": {"code": 401, "message": "x"}}, status_code=200), errors.AuthenticationError
    )
    assert isinstance(
        error_from_body({"error": {"code": "server_error", "message": "x"}}, status_code=200), errors.VisionRouterError
    )


def test_errors_pickle() -> None:
    exc = errors.RateLimitError(
        "m", status_code=429, code=429, metadata={"raw": "r"}, generation_id="g", retry_after=2.0
    )
    back = pickle.loads(pickle.dumps(exc))
    assert type(back) is errors.RateLimitError
    assert (back.message, back.status_code, back.metadata, back.generation_id, back.retry_after) == (
        "m",
        429,
        {"raw": "r"},
        "g",
        2.0,
    )


def test_image_input_error_is_a_value_error() -> None:
    assert issubclass(errors.ImageInputError, ValueError)
    assert issubclass(errors.ImageInputError, errors.InvalidInputError)
