"""The body written lazily from the user's string: on the wire, byte for byte json.dumps of the payload.

For every accepted inline image form, on the first attempt and on a retry, sync and async.
"""

from __future__ import annotations

import asyncio
import base64
import json
import os
from typing import Any

import pytest

from langchain_visionrouter._wire.body import BIG_STRING
from tests import wire

_ANSWER = wire.completion(gen="gen-body", model="m", provider="P", content="ok")
# A PNG's header and IEND end around random bytes: an image is checked only at its two ends.
_PNG = wire.png(8, 8)
_B64 = base64.b64encode(_PNG[:-12] + os.urandom(BIG_STRING) + _PNG[-12:]).decode()
FORMS: dict[str, dict[str, Any]] = {
    "data URL": {"type": "image_url", "image_url": {"url": "data:image/png;base64," + _B64}},
    "standard block": {"type": "image", "base64": _B64, "mime_type": "image/png"},
    "legacy block": {"type": "image", "source_type": "base64", "data": _B64, "mime_type": "image/png"},
    "source block": {"type": "image", "source": {"type": "base64", "media_type": "image/png", "data": _B64}},
}


def _expected(model: str) -> bytes:
    content = [
        {"type": "text", "text": 'caf\u00e9 \u2603 "q"'},
        {"type": "image_url", "image_url": {"url": "data:image/png;base64," + _B64}},
    ]
    payload = {"model": model, "messages": [{"role": "user", "content": content}]}
    return json.dumps(payload, ensure_ascii=False, separators=(",", ":")).encode()


@pytest.mark.parametrize("form", FORMS)
@pytest.mark.parametrize("flavour", ["sync", "async"])
def test_every_form_goes_out_as_the_reference_json_even_on_a_retry(
    make_model: Any, fake_router: Any, form: str, flavour: str
) -> None:
    fake_router.reply(503, json={"error": {"code": 503, "message": "busy"}})
    fake_router.reply(json=_ANSWER)
    model = make_model(model="m", max_retries=1)
    messages = [("user", [{"type": "text", "text": 'caf\u00e9 \u2603 "q"'}, FORMS[form]])]
    answer = model.invoke(messages) if flavour == "sync" else asyncio.run(model.ainvoke(messages))
    assert answer.content == "ok"
    assert len(fake_router.requests) == 2
    for sent in fake_router.requests:
        assert sent.body == _expected("m")
        assert int(sent.headers["Content-Length"]) == len(sent.body)


def test_an_image_block_of_a_file_goes_out_as_the_reference_json(
    make_model: Any, fake_router: Any, tmp_path: Any
) -> None:
    from langchain_visionrouter import image_block

    path = tmp_path / "big.png"
    path.write_bytes(base64.b64decode(_B64))
    fake_router.reply(json=_ANSWER)
    make_model(model="m").invoke([("user", [{"type": "text", "text": 'caf\u00e9 \u2603 "q"'}, image_block(path)])])
    assert fake_router.requests[0].body == _expected("m")


def test_callbacks_get_big_inline_images_uncopied_in_the_source_form(make_model: Any, fake_router: Any) -> None:
    from langchain_core.callbacks import BaseCallbackHandler

    seen: list[Any] = []

    class Spy(BaseCallbackHandler):
        def on_chat_model_start(self, serialized: Any, messages: Any, **kwargs: Any) -> None:
            seen.append(messages[0][0].content[1])

    fake_router.reply(json=_ANSWER)
    make_model(model="m").invoke([("user", ["hi", FORMS["standard block"]])], config={"callbacks": [Spy()]})
    assert seen[0]["type"] == "image" and seen[0]["source"]["media_type"] == "image/png"
    assert seen[0]["source"]["data"] is _B64  # LangChain did not build a data URL copy of it
