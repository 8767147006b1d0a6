"""images.py: the windowed base64 check accepts exactly what the standard alphabet allows."""

from __future__ import annotations

import base64
import os
import re

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from langchain_visionrouter._media import checks as images
from langchain_visionrouter._media.checks import check_base64_payload
from langchain_visionrouter.errors import ImageInputError

# The definition, written the slow obvious way.
_REFERENCE = re.compile(r"[A-Za-z0-9+/]*={0,2}")


def reference_ok(payload: str) -> bool:
    return _REFERENCE.fullmatch(payload) is not None and len(payload) % 4 == 0


@settings(max_examples=500, deadline=None)
@given(st.text(alphabet="AZaz09+/=-_ \n\u00e9", max_size=16))
def test_same_verdict_as_the_definition(payload: str) -> None:
    assert images._is_base64(payload) == reference_ok(payload)


@pytest.mark.parametrize("offset", [0, 1, -1])
def test_a_bad_character_at_a_window_edge_is_caught(offset: int) -> None:
    good = base64.b64encode(os.urandom(3 * images._B64_WINDOW)).decode()  # 4 windows of base64
    assert check_base64_payload(good, where="w") == good
    for edge in (images._B64_WINDOW, 2 * images._B64_WINDOW, len(good) - 3):
        bad = good[: edge + offset] + "*" + good[edge + offset + 1 :]
        with pytest.raises(ImageInputError, match=r"invalid character '\*'"):
            check_base64_payload(bad, where="w")


def test_padding_only_at_the_end() -> None:
    assert check_base64_payload("QUJD", where="w") == "QUJD"
    assert check_base64_payload("QUI=", where="w") == "QUI="
    assert check_base64_payload("QQ==", where="w") == "QQ=="
    for bad in ("Q===", "QQ=A", "=QQA", "QUJ"):
        with pytest.raises(ImageInputError):
            check_base64_payload(bad, where="w")
