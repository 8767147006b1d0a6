"""body.py: the request body is exactly the compact JSON, with big inline strings as separate pieces."""

from __future__ import annotations

import base64
import copy
import json
import os
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from langchain_visionrouter._wire import body as body
from langchain_visionrouter._wire.body import BIG_STRING, encode_body


def reference(payload: Any) -> bytes:
    return json.dumps(payload, ensure_ascii=False, separators=(",", ":")).encode("utf-8")


def joined(encoded: bytes | list[body.Piece]) -> bytes:
    if isinstance(encoded, bytes):
        return encoded
    return b"".join(p.encode("ascii") if isinstance(p, str) else p for p in encoded)


def big_data_url(mime: str = "image/png") -> str:
    return f"data:{mime};base64," + base64.b64encode(os.urandom(BIG_STRING)).decode("ascii")


def test_small_payload_is_plain_bytes() -> None:
    payload = {"model": "m", "messages": [{"role": "user", "content": 'h\u00e9llo \u2603 "q" \n'}], "temperature": 0.5}
    assert encode_body(payload) == reference(payload)


def test_big_inline_data_goes_as_its_own_piece_and_joins_to_the_same_json() -> None:
    image, pdf, audio = big_data_url(), big_data_url("application/pdf"), base64.b64encode(os.urandom(BIG_STRING))
    payload = {
        "model": "m",
        "messages": [
            {"role": "system", "content": "be brief"},
            {
                "role": "user",
                "content": [
                    {"type": "text", "text": "compare \u2603"},
                    {"type": "image_url", "image_url": {"url": image, "detail": "low"}},
                    {"type": "file", "file": {"filename": "a.pdf", "file_data": pdf}},
                    {"type": "input_audio", "input_audio": {"data": audio.decode(), "format": "wav"}},
                ],
            },
        ],
        "stream": True,
    }
    before = copy.deepcopy(payload)
    encoded = encode_body(payload)
    assert isinstance(encoded, list)
    assert joined(encoded) == reference(payload)
    # The big strings are pieces of their own, the user's strings themselves (not copied) ...
    assert any(p is image for p in encoded) and any(p is pdf for p in encoded)
    assert audio.decode() in encoded
    # ... and the payload is left untouched.
    assert payload == before
    assert payload["messages"][1]["content"][1]["image_url"]["url"] is image  # type: ignore[index]


@pytest.mark.parametrize(
    "unit",
    ['ascii "quoted"', "back\\slash", "new\nline\ttab", "ctrl\x01\x1f del\x7f", "caf\u00e9 \u2603", "\U0001f600"],
)
def test_big_strings_that_need_escaping_are_escaped(unit: str) -> None:
    text = "A" * BIG_STRING + unit
    payload = {"messages": [{"role": "user", "content": [{"type": "file", "file": {"file_data": text}}]}]}
    encoded = encode_body(payload)
    assert isinstance(encoded, list)
    assert joined(encoded) == reference(payload)
    assert json.loads(joined(encoded)) == payload


def test_a_user_string_holding_a_marker_falls_back_to_plain_encoding() -> None:
    marker = "\x00visionrouter-body-0\x00"
    payload = {
        "messages": [
            {"role": "user", "content": [{"type": "text", "text": marker}]},
            {"role": "user", "content": [{"type": "image_url", "image_url": {"url": big_data_url()}}]},
        ]
    }
    assert encode_body(payload) == reference(payload)


def test_big_strings_outside_content_parts_stay_in_one_piece() -> None:
    payload = {"messages": [{"role": "user", "content": "x" * (BIG_STRING + 1)}], "metadata": {"k": "y" * BIG_STRING}}
    assert encode_body(payload) == reference(payload)


_text = st.text(st.characters(codec="utf-8"), max_size=12) | st.text(st.characters(codec="ascii"), max_size=12)
_json_leaf = st.one_of(st.none(), st.booleans(), st.integers(-(2**40), 2**40), _text)
_part = st.fixed_dictionaries(
    {"type": st.sampled_from(["text", "image_url", "file"])},
    optional={"image_url": st.dictionaries(_text, _json_leaf, max_size=3), "file": st.dictionaries(_text, _json_leaf)},
)
_message = st.fixed_dictionaries(
    {"role": st.sampled_from(["user", "assistant"]), "content": st.one_of(_text, st.lists(_part, max_size=4))}
)
_payload = st.fixed_dictionaries({"model": _text, "messages": st.lists(_message, max_size=4)})


@settings(max_examples=200, deadline=None)
@given(_payload)
def test_pieces_always_join_to_the_reference_encoding(payload: dict[str, Any]) -> None:
    # A tiny threshold makes every non-empty string in a part a "big" one.
    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(body, "BIG_STRING", 1)
        before = copy.deepcopy(payload)
        assert joined(encode_body(payload)) == reference(payload)
        assert payload == before
