"""Generated images are output (issue 14, item 2).

Answers written from the documented shapes (router-wire-format-2.md, section 1): non-streamed
``message.images`` and streamed ``delta.images``, several images, the guide's entry shape and
the spec's (no ``type``). Checked: standard image blocks in ``content`` and ``content_blocks``,
in order, never joined across chunks; the summed stream equals the non-streamed message; an
image-generation round trip over two turns. (``modalities`` derived from the catalog and the
router's output-modalities 404: router/test_modalities.py.)
"""

from __future__ import annotations

import base64
from typing import Any

import pytest
from langchain_core.messages import AIMessage, AIMessageChunk, HumanMessage

from langchain_visionrouter._client.catalog import clear_catalog_cache
from tests import wire

MODEL = "google/gemini-3-pro-image-preview"
PNGS = [wire.png(32, 24, seed=i) for i in range(3)]
B64 = [base64.b64encode(p).decode() for p in PNGS]
TEXT = "I've generated three versions of the nano banana dish."
USE = wire.usage(20, 3900, image=3870)


def _answer(gen: str = "gen-img-1") -> dict[str, Any]:
    images = [wire.image(PNGS[0]), wire.image(PNGS[1], typed=False), wire.image(PNGS[2])]
    return wire.completion(gen=gen, model=MODEL, provider="Google AI Studio", content=TEXT, images=images, use=USE)


def _stream_events(gen: str = "gen-img-1") -> list[Any]:
    s = wire.Stream(gen=gen, model=MODEL, provider="Google AI Studio")
    return [
        s.chunk(),
        s.chunk({"content": "I've generated three versions "}),
        s.chunk({"images": [wire.image(PNGS[0])]}),
        s.chunk({"content": "of the nano banana dish.", "images": [wire.image(PNGS[1], typed=False)]}),
        s.chunk({"images": [wire.image(PNGS[2])]}),
        *s.end(use=USE),
        "[DONE]",
    ]


def _summed(chunks: list[AIMessageChunk]) -> AIMessageChunk:
    total = chunks[0]
    for chunk in chunks[1:]:
        total = total + chunk
    return total


def _image_blocks(message: AIMessage) -> list[dict[str, Any]]:
    return [b for b in message.content_blocks if b["type"] == "image"]  # type: ignore[misc]


@pytest.fixture(autouse=True)
def _fresh_catalog() -> Any:
    clear_catalog_cache()
    yield
    clear_catalog_cache()


def test_non_streamed_images_become_standard_image_blocks(make_model: Any, fake_router: Any) -> None:
    fake_router.reply(json=_answer())
    message = make_model(model=MODEL, modalities=["image", "text"]).invoke("Draw a nano banana dish")
    assert fake_router.requests[0].json["modalities"] == ["image", "text"]
    assert isinstance(message.content, list)
    assert message.text == TEXT
    assert [b["type"] for b in message.content_blocks] == ["text", "image", "image", "image"]
    assert _image_blocks(message) == [{"type": "image", "base64": b, "mime_type": "image/png"} for b in B64]
    assert [base64.b64decode(b["base64"]) for b in _image_blocks(message)] == PNGS  # whole, in order
    assert "images" not in message.additional_kwargs  # not kept twice
    assert message.response_metadata["usage"]["completion_tokens_details"]["image_tokens"] == 3870


@pytest.mark.parametrize("asked", [True, False], ids=["modalities-asked", "not-asked"])
def test_images_are_kept_even_when_not_asked_for(make_model: Any, fake_router: Any, asked: bool) -> None:
    fake_router.reply(json=_answer())
    kwargs = {"modalities": ["image", "text"]} if asked else {}
    message = make_model(model=MODEL, **kwargs).invoke("Draw")
    assert len(_image_blocks(message)) == 3


def test_streamed_images_arrive_whole_in_order_and_sum_to_the_non_streamed_message(
    make_model: Any, fake_router: Any
) -> None:
    llm = make_model(model=MODEL, modalities=["image", "text"])
    fake_router.reply(json=_answer())
    whole = llm.invoke("Draw")
    fake_router.reply_sse(_stream_events())
    chunks = list(llm.stream("Draw"))
    # Each chunk's images are whole images (never a piece of one), in arrival order.
    per_chunk = [[b["base64"] for b in c.content_blocks if b["type"] == "image"] for c in chunks]
    assert [x for x in per_chunk if x] == [[B64[0]], [B64[1]], [B64[2]]]
    total = _summed(chunks)
    assert total.content == whole.content
    assert total.content_blocks == whole.content_blocks
    assert total.text == whole.text == TEXT
    assert total.usage_metadata == whole.usage_metadata
    assert total.response_metadata["usage"] == whole.response_metadata["usage"]


async def test_async_stream_and_invoke_agree(make_model: Any, fake_router: Any) -> None:
    llm = make_model(model=MODEL, modalities=["image", "text"])
    fake_router.reply(json=_answer())
    whole = await llm.ainvoke("Draw")
    fake_router.reply_sse(_stream_events())
    chunks = [c async for c in llm.astream("Draw")]
    assert _summed(chunks).content_blocks == whole.content_blocks


def test_a_url_image_and_an_image_only_answer(make_model: Any, fake_router: Any) -> None:
    answer = wire.completion(gen="gen-img-2", model="black-forest-labs/flux.2-pro", provider="BFL", content=None,
                             images=[{"image_url": {"url": "https://images.example/out.webp"}}])  # fmt: skip
    fake_router.reply(json=answer)
    message = make_model(model="black-forest-labs/flux.2-pro", modalities=["image"]).invoke("Draw")
    assert message.content_blocks == [{"type": "image", "url": "https://images.example/out.webp"}]


def test_only_image_data_urls_and_http_urls_are_images(caplog: Any) -> None:
    """Issue 23: a path, a script URL, a non-image data URL or bare base64 is no image."""
    from langchain_visionrouter._response.outputs import image_block

    jpeg = base64.b64encode(b"\xff\xd8\xff\xe0" + bytes(20)).decode()
    assert image_block({"image_url": {"url": f"data:image/jpeg;base64,{jpeg}"}}, 1) == {
        "type": "image", "base64": jpeg, "mime_type": "image/jpeg", "index": 1
    }  # fmt: skip
    assert image_block({"image_url": {"url": f"data:image/jpg;base64,{jpeg}"}}, 1) is not None  # an alias
    assert image_block({"image_url": {"url": "HTTPS://x.example/a.png"}}, 2) == {
        "type": "image", "url": "HTTPS://x.example/a.png", "index": 2
    }  # fmt: skip
    for url in (jpeg, "/files/out.png", "javascript:alert(1)", "data:text/html;base64,PGI+", "ftp://x/a.png",
                f"data:image/png;base64,{jpeg}", "data:image/png,rawbytes"):  # fmt: skip
        assert image_block({"image_url": {"url": url}}, 3) is None, url
    assert "declares image/png but its bytes are image/jpeg" in caplog.text
    assert image_block({"image_url": {}}, 3) is None and image_block("junk", 3) is None


def test_an_image_that_is_not_one_is_kept_raw_and_never_sent_back(make_model: Any, fake_router: Any) -> None:
    bad = [{"type": "image_url", "image_url": {"url": "/files/out.png"}},
           {"type": "image_url", "image_url": {"url": "data:text/html;base64,PGI+"}}]  # fmt: skip
    fake_router.reply(json=wire.completion(gen="gen-b", model="m", provider="P", content="Here", images=bad))
    model = make_model(model="black-forest-labs/flux.2-pro", modalities=["image"])
    message = model.invoke("Draw")
    assert message.additional_kwargs["images"] == bad
    assert [b["type"] for b in message.content_blocks] == ["text"]
    fake_router.reply(json=wire.completion(gen="gen-c", model="m", provider="P", content="ok"))
    model.invoke([HumanMessage("Draw"), message, HumanMessage("again")])
    sent = fake_router.requests[-1].json["messages"][1]
    assert "images" not in sent and sent["content"] == "Here"


@pytest.mark.parametrize("streamed", [False, True], ids=["invoked", "streamed"])
def test_image_generation_round_trip_over_two_turns(make_model: Any, fake_router: Any, streamed: bool) -> None:
    llm = make_model(model=MODEL, modalities=["image", "text"])
    if streamed:
        fake_router.reply_sse(_stream_events("gen-turn-1"))
        first: AIMessage = _summed(list(llm.stream("Draw a nano banana dish")))
    else:
        fake_router.reply(json=_answer("gen-turn-1"))
        first = llm.invoke("Draw a nano banana dish")
    # Turn 2: the assistant turn goes back as the router answered it, and one image is sent back to edit.
    to_edit = _image_blocks(first)[1]
    edit = HumanMessage(content=[{"type": "text", "text": "Make the second one blue."}, to_edit])
    fake_router.reply(json=wire.completion(gen="gen-turn-2", model=MODEL, provider="Google AI Studio",
                                           content="Here it is in blue.", images=[wire.image(PNGS[2])]))  # fmt: skip
    second = llm.invoke([HumanMessage("Draw a nano banana dish"), first, edit])
    sent = fake_router.requests[1].json["messages"]
    assert sent[1] == {
        "role": "assistant",
        "content": TEXT,
        "images": [{"type": "image_url", "image_url": {"url": f"data:image/png;base64,{b}"}} for b in B64],
    }
    assert sent[2]["content"][1] == {"type": "image_url", "image_url": {"url": f"data:image/png;base64,{B64[1]}"}}
    assert second.text == "Here it is in blue." and len(_image_blocks(second)) == 1
