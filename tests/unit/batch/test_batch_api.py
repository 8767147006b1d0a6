"""_batch/batch_api.py: the batch API's requests and answers, read leniently (pure)."""

from __future__ import annotations

import json
from typing import Any

import pytest

from langchain_visionrouter._batch import batch_api as api


def body(*parts: dict[str, Any], **more: Any) -> dict[str, Any]:
    return {"model": "m", "messages": [{"role": "user", "content": [{"type": "text", "text": "x"}, *parts]}], **more}


def test_refusal_takes_http_urls_and_refuses_what_a_batch_cannot_carry() -> None:
    assert api.refusal(body({"type": "image_url", "image_url": {"url": "https://x/a.png"}})) is None
    assert "only as public http(s) URLs" in str(
        api.refusal(body({"type": "image_url", "image_url": {"url": "data:image/png;base64,AA"}}))
    )
    assert api.refusal(
        body({"type": "file", "file": {"filename": "a.pdf", "file_data": "data:application/pdf;base64,AA"}})
    )
    assert api.refusal(body({"type": "file", "file": {"filename": "a.pdf", "file_data": "https://x/a.pdf"}})) is None
    assert "input_audio" in str(
        api.refusal(body({"type": "input_audio", "input_audio": {"data": "AA", "format": "wav"}}))
    )
    assert "image output" not in str(api.refusal(body()))
    assert api.refusal(body(modalities=["image", "text"])) is not None


def test_create_body_puts_requests_last_and_keeps_only_documented_provider_fields() -> None:
    sent = api.create_body("m", [{"custom_id": "0", "body": {}}], provider={"only": ["x"], "sort": "price"})
    assert list(sent) == ["endpoint", "model", "completion_window", "provider", "requests"]
    assert sent["provider"] == {"only": ["x"]}
    assert json.dumps(sent).index('"requests"') > json.dumps(sent).index('"model"')
    assert api.item_body({"model": "m", "stream": True, "stream_options": {}, "messages": []}) == {
        "model": "m",
        "messages": [],
    }


def test_parse_batch_is_lenient() -> None:
    state = api.parse_batch({"id": "b", "status": "IN_PROGRESS", "request_counts": {"total": 3, "completed": "x"}})
    assert (state.status, state.total, state.completed, state.terminal, state.results) == (
        "in_progress",
        3,
        0,
        False,
        None,
    )
    infron = api.parse_batch({"batch_id": "batch_x", "status": "completed", "fees": "0.0004", "usage": {"cost": "0.5"}})
    assert infron.id == "batch_x" and infron.cost == 0.5 and infron.terminal
    failed = api.parse_batch({"data": {"id": "b", "status": "failed", "error": {"message": "bad model"}}})
    assert failed.error == "bad model" and failed.terminal
    assert api.parse_batch({"id": "b", "status": "completed", "usage": {"cost": float("nan")}}).cost is None
    with pytest.raises(api.BatchAPIError, match="no id"):
        api.parse_batch({"status": "completed"})


def test_a_failed_batch_object_is_judged_as_a_batch_not_as_a_failed_call() -> None:
    data = api.judge_batch(200, {}, b'{"id": "b", "status": "failed", "error": {"message": "x"}}')
    assert data["status"] == "failed"


def test_parse_page() -> None:
    assert api.parse_page({"data": [1], "has_more": True, "next_cursor": "c"}) == ([1], "c")
    assert api.parse_page({"data": [1], "has_more": False, "next_cursor": "c"}) == ([1], None)
    assert api.parse_page({"data": [], "next_cursor": "c"}) == ([], "c")
    with pytest.raises(api.BatchAPIError):
        api.parse_page({"object": "list"})


def test_beta_url() -> None:
    assert api.Endpoint.beta_url("https://openrouter.ai/api/v1/batches") == "https://openrouter.ai/api/beta/batches"
    assert api.Endpoint.beta_url("https://gw.example/batches") is None


def test_row_result_shapes() -> None:
    ok = {
        "custom_id": "0",
        "response": {
            "status_code": 200,
            "body": {
                "id": "gen-1",
                "choices": [{"message": {"content": "hi"}, "finish_reason": "stop"}],
                "usage": {"prompt_tokens": 1, "completion_tokens": 2, "total_tokens": 3, "cost": 0.01},
            },
        },
        "error": None,
    }
    result = api.row_result(ok, "k", {"a": 1}, provider_label="openrouter", schema=False)
    assert (result.answer, result.cost, result.generation_id, result.metadata) == ("hi", 0.01, "gen-1", {"a": 1})
    error = api.row_result(
        {"custom_id": "0", "error": {"message": "nope", "type": "x"}}, "k", None, provider_label="o", schema=False
    )
    assert error.error is not None and error.error["message"].startswith("nope")
    bad = api.row_result(
        {"response": {"status_code": 429, "body": {"error": {"message": "slow"}}}},
        "k",
        None,
        provider_label="o",
        schema=False,
    )
    assert bad.error is not None and bad.error["type"] == "RateLimitError"
    empty = api.row_result({"response": None, "error": None}, "k", None, provider_label="o", schema=False)
    assert empty.error is not None
    parsed = api.row_result(
        ok | {"response": {"status_code": 200, "body": {"choices": [{"message": {"content": '{"a": 2}'}}]}}},
        "k",
        None,
        provider_label="o",
        schema=True,
    )
    assert parsed.answer == {"a": 2}
    unparsed = api.row_result(ok, "k", None, provider_label="o", schema=True)
    assert unparsed.error is not None and unparsed.error["type"] == "OutputParserException" and unparsed.cost == 0.01


def test_infron_is_unsupported_and_says_what_is_missing() -> None:
    why = api.unsupported("infron")
    assert why is not None and "result_url" in why and "image parts" in why
    assert api.unsupported("openrouter") is None
