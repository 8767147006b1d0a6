"""Issue 26, items 5-6: the model's limits on every endpoint the package calls, and embedding
answers checked before they are returned.

Each endpoint (chat, embeddings, generation stats, the model catalog and the embedding
models' catalog) is sent a gzip bomb (stopped at the answer cap, counted inflated) and a
body dripped a byte at a time (stopped at the deadline, not when the drip ends).
"""

from __future__ import annotations

import gzip
import json
from collections.abc import Callable, Iterator
from typing import Any

import pytest

from langchain_visionrouter import ChatVisionRouter, RequestTimeoutError, VisionRouterEmbeddings
from langchain_visionrouter._client import catalog as _catalog
from langchain_visionrouter.errors import VisionRouterError
from tests.fakerouter import FakeRouter, Scripted

KEY = "sk-or-v1-endpointlimits000000000000000000000000000000000000000000000"
CAP = 1 << 20  # the models' answer cap in these tests: 1 MiB


@pytest.fixture
def models(fake_router: FakeRouter) -> Iterator[tuple[ChatVisionRouter, VisionRouterEmbeddings]]:
    _catalog.clear_catalog_cache()
    common: dict[str, Any] = {
        "api_key": KEY,
        "base_url": fake_router.url,
        "max_retries": 0,
        "timeout": 10,
        "deadline": 1.0,
        "max_response_bytes": CAP,
    }
    chat = ChatVisionRouter(model="test/model", **common)
    embeddings = VisionRouterEmbeddings(model="test/embed", **common)
    yield chat, embeddings
    chat.close()
    embeddings.close()
    _catalog.clear_catalog_cache()


#: Every endpoint the package calls, as (name, the path it hits, a call through the public API).
ENDPOINTS: list[tuple[str, str, Callable[[ChatVisionRouter, VisionRouterEmbeddings], Any]]] = [
    ("chat", "/chat/completions", lambda chat, _: chat.invoke("hi")),
    ("embeddings", "/embeddings", lambda _, emb: emb.embed_query("hi")),
    ("generation", "/generation", lambda chat, _: chat.get_generation("gen-1", attempts=1)),
    ("catalog", "/models", lambda chat, _: chat.get_catalog().models(refresh=True)),
    ("embedding catalog", "/embeddings/models", lambda _, emb: emb.list_models(refresh=True)),
]


def _bomb(size: int) -> Scripted:
    body = gzip.compress(b'{"data": [], "pad": "' + b" " * size, 9)
    return Scripted(headers={"Content-Type": "application/json", "Content-Encoding": "gzip"}, body=body)


@pytest.mark.parametrize(("name", "path", "call"), ENDPOINTS, ids=[e[0] for e in ENDPOINTS])
def test_a_gzip_bomb_is_stopped_at_the_cap_on_every_endpoint(
    fake_router: FakeRouter, models: Any, name: str, path: str, call: Any
) -> None:
    # 40 MB inflated from ~40 KB: past the models' 1 MiB cap and the catalog's own 32 MiB cap.
    fake_router.respond(lambda _: _bomb(40_000_000))
    with pytest.raises(VisionRouterError, match="cap") as info:
        call(*models)
    assert "decoded" in str(info.value)
    assert fake_router.requests[-1].path.split("?")[0].endswith(path)


@pytest.mark.parametrize(("name", "path", "call"), ENDPOINTS, ids=[e[0] for e in ENDPOINTS])
def test_a_drip_is_stopped_at_the_deadline_on_every_endpoint(
    fake_router: FakeRouter, models: Any, name: str, path: str, call: Any
) -> None:
    # 2,000 bytes at 20 ms each would take 40 s: the 1 s deadline ends it.
    body = json.dumps({"data": [], "pad": " " * 2000}).encode()
    drip = Scripted(headers={"Content-Type": "application/json"}, chunks=[bytes([b]) for b in body], delay=0.02)
    fake_router.respond(lambda _: drip)
    with pytest.raises(RequestTimeoutError, match="deadline"):
        call(*models)
    assert fake_router.requests[-1].path.split("?")[0].endswith(path)


# ---------------------------------------------------------------------------
# Embedding answers: one dimension per answer, finite numbers, nothing empty


def _answer(*vectors: Any) -> dict[str, Any]:
    return {"data": [{"index": i, "embedding": v} for i, v in enumerate(vectors)], "model": "test/embed"}


@pytest.mark.parametrize(
    ("vectors", "expected"),
    [
        (([0.1, 0.2], [0.1, 0.2, 0.3]), "different dimensions in one answer (2 for 0; 3 for 1)"),
        (([0.1, 0.2], []), "embedding 1 is empty"),
        (([float("nan"), 1.0], [0.1, 0.2]), "embedding 0 holds a value that is not a finite number"),
        (([0.1, 0.2], [0.1, float("inf")]), "embedding 1 holds a value that is not a finite number"),
    ],
    ids=["mixed-dimensions", "empty", "nan", "inf"],
)
def test_unusable_embeddings_raise_a_typed_error(
    fake_router: FakeRouter, models: Any, vectors: Any, expected: str
) -> None:
    # json.dumps writes NaN/Infinity literals, as a sloppy gateway would; json.loads reads them.
    fake_router.reply(body=json.dumps(_answer(*vectors)), headers={"Content-Type": "application/json"})
    with pytest.raises(VisionRouterError) as info:
        models[1].embed_documents(["a", "b"])
    assert expected in str(info.value)
    assert info.value.status_code == 200 and "input_index" in info.value.metadata


def test_consistent_embeddings_pass(fake_router: FakeRouter, models: Any) -> None:
    fake_router.reply(json=_answer([0.1, 0.2], [0.3, 0.4]))
    assert models[1].embed_documents(["a", "b"]) == [[0.1, 0.2], [0.3, 0.4]]
