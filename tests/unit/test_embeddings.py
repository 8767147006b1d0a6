"""``VisionRouterEmbeddings`` against the loopback FakeRouter: what it sends, what it makes of answers."""

from __future__ import annotations

import base64
import io
import pickle
from collections.abc import Iterator
from typing import Any

import pytest

from langchain_visionrouter import (
    BadRequestError,
    ImageInputError,
    InvalidInputError,
    RateLimitError,
    VisionRouterEmbeddings,
    VisionRouterError,
    track_usage,
)
from tests.conftest import FAKE_KEY
from tests.fakerouter import FakeRouter, Recorded, Scripted, answer
from tests.wire import embeddings, png

MODEL = "openai/text-embedding-3-small"
VL_MODEL = "nvidia/llama-nemotron-embed-vl-1b-v2"


def vec(i: int, dims: int = 3) -> list[float]:
    """A vector that tells which input it belongs to (exact in float32 too)."""
    return [float(i), 0.5, -float(dims)]


@pytest.fixture
def make_embeddings(fake_router: FakeRouter) -> Iterator[Any]:
    made: list[VisionRouterEmbeddings] = []

    def make(**kwargs: Any) -> VisionRouterEmbeddings:
        kwargs.setdefault("model", MODEL)
        kwargs.setdefault("api_key", FAKE_KEY)
        kwargs.setdefault("base_url", fake_router.url)
        kwargs.setdefault("max_retries", 0)
        kwargs.setdefault("timeout", 10)
        emb = VisionRouterEmbeddings(**kwargs)
        made.append(emb)
        return emb

    yield make
    for emb in made:
        emb.close()


def echo(first_of: dict[str, int] | None = None, **kwargs: Any) -> Any:
    """A responder embedding each text ``"t<i>"`` as ``vec(i)``, answering in reverse order."""

    def respond(request: Recorded) -> Scripted:
        inputs = request.json["input"]
        numbers = [int(text[1:]) for text in inputs]
        return answer(json=embeddings([vec(n) for n in numbers], order=list(reversed(range(len(inputs)))), **kwargs))

    return respond


# -- what is sent ------------------------------------------------------------------------------


def test_documents_request_carries_every_parameter(fake_router: FakeRouter, make_embeddings: Any) -> None:
    fake_router.reply(json=embeddings([vec(0), vec(1)]))
    emb = make_embeddings(
        dimensions=256,
        encoding_format="float",
        input_type="search_document",
        query_input_type="search_query",
        provider={"order": ["openai", "azure"], "allow_fallbacks": True, "data_collection": "deny"},
        user="user-123",
        model_kwargs={"x_extra": 1},
        app_title="RAG demo",
    )
    assert emb.embed_documents(["The quick brown fox", "jumps"]) == [vec(0), vec(1)]
    sent = fake_router.requests[0]
    assert sent.method == "POST" and sent.path == "/api/v1/embeddings"
    assert sent.json == {
        "model": MODEL,
        "input": ["The quick brown fox", "jumps"],
        "dimensions": 256,
        "encoding_format": "float",
        "input_type": "search_document",
        "provider": {"order": ["openai", "azure"], "allow_fallbacks": True, "data_collection": "deny"},
        "user": "user-123",
        "x_extra": 1,
    }
    assert sent.headers["Authorization"] == f"Bearer {FAKE_KEY}"
    assert sent.headers["X-Title"] == "RAG demo"
    assert sent.headers["Accept"] == "application/json"


def test_query_sends_query_input_type_and_nothing_unset(fake_router: FakeRouter, make_embeddings: Any) -> None:
    fake_router.reply(json=embeddings([vec(7)]))
    fake_router.reply(json=embeddings([vec(8)]))
    assert make_embeddings(input_type="search_document", query_input_type="search_query").embed_query("q") == vec(7)
    assert fake_router.requests[0].json == {"model": MODEL, "input": ["q"], "input_type": "search_query"}
    assert make_embeddings().embed_query("q") == vec(8)
    assert fake_router.requests[1].json == {"model": MODEL, "input": ["q"]}


def test_vectors_come_back_in_input_order_whatever_the_answer_order(
    fake_router: FakeRouter, make_embeddings: Any
) -> None:
    fake_router.reply(json=embeddings([vec(0), vec(1), vec(2), vec(3)], order=[2, 0, 3, 1]))
    assert make_embeddings().embed_documents(["a", "b", "c", "d"]) == [vec(0), vec(1), vec(2), vec(3)]


def test_base64_vectors_are_decoded_into_floats(fake_router: FakeRouter, make_embeddings: Any) -> None:
    vectors = [[0.25, -1.5, 3.0, 1e-3], [2.0, 0.0, -0.125, 7.5]]
    fake_router.reply(json=embeddings(vectors, encoding="base64", order=[1, 0]))
    out = make_embeddings(encoding_format="base64").embed_documents(["a", "b"])
    assert fake_router.requests[0].json["encoding_format"] == "base64"
    assert [[round(v, 6) for v in row] for row in out] == [[round(v, 6) for v in row] for row in vectors]
    assert all(isinstance(v, float) for row in out for v in row)


def test_empty_list_makes_no_request(fake_router: FakeRouter, make_embeddings: Any) -> None:
    assert make_embeddings().embed_documents([]) == []
    assert fake_router.requests == []


# -- batching ----------------------------------------------------------------------------------


def test_batches_by_count(fake_router: FakeRouter, make_embeddings: Any) -> None:
    fake_router.respond(echo())
    texts = [f"t{i}" for i in range(7)]
    assert make_embeddings(batch_size=3, max_concurrency=1).embed_documents(texts) == [vec(i) for i in range(7)]
    assert [r.json["input"] for r in fake_router.requests] == [["t0", "t1", "t2"], ["t3", "t4", "t5"], ["t6"]]


def test_batches_by_bytes(fake_router: FakeRouter, make_embeddings: Any) -> None:
    fake_router.respond(echo())
    texts = [f"t{i}" + " " * 95 for i in range(10)]  # ~100 bytes each
    emb = make_embeddings(max_batch_bytes=350, max_concurrency=1)
    assert emb.embed_documents(texts) == [vec(i) for i in range(10)]
    sizes = [len(r.json["input"]) for r in fake_router.requests]
    assert sizes == [3, 3, 3, 1]
    assert all(len(r.body) < 350 + 200 for r in fake_router.requests)  # the inputs, plus the model and framing


def test_ten_thousand_texts_in_one_call(fake_router: FakeRouter, make_embeddings: Any) -> None:
    fake_router.respond(echo())
    texts = [f"t{i}" for i in range(10_000)]
    with track_usage() as usage:
        out = make_embeddings(batch_size=500, max_concurrency=4).embed_documents(texts)
    assert out == [vec(i) for i in range(10_000)]
    assert len(fake_router.requests) == 20
    assert sorted(t for r in fake_router.requests for t in r.json["input"]) == sorted(texts)
    assert usage.total.calls == 20 and usage.total.input_tokens == 4 * 10_000


async def test_ten_thousand_texts_async(fake_router: FakeRouter, make_embeddings: Any) -> None:
    fake_router.respond(echo())
    emb = make_embeddings(batch_size=1000, max_concurrency=3)
    out = await emb.aembed_documents([f"t{i}" for i in range(10_000)])
    assert out == [vec(i) for i in range(10_000)]
    assert len(fake_router.requests) == 10
    await emb.aclose()


# -- failures name their inputs ----------------------------------------------------------------


def failing_at(bad: int, status: int = 400) -> Any:
    ok = echo()

    def respond(request: Recorded) -> Scripted:
        if f"t{bad}" in request.json["input"]:
            return answer(status, json={"error": {"code": status, "message": "Input rejected by provider"}})
        return ok(request)

    return respond


def test_a_failed_batch_names_its_inputs_and_keeps_the_rest(fake_router: FakeRouter, make_embeddings: Any) -> None:
    fake_router.respond(failing_at(4))
    with pytest.raises(BadRequestError) as caught:
        make_embeddings(batch_size=3, max_concurrency=1).embed_documents([f"t{i}" for i in range(9)])
    err = caught.value
    assert str(err).startswith("[400] inputs 3-5 (of 9): Input rejected by provider")
    assert err.metadata["input_indices"] == [3, 4, 5]
    assert err.status_code == 400
    assert err.partial == {0: vec(0), 1: vec(1), 2: vec(2)}  # batch 6-8 was never sent
    assert len(fake_router.requests) == 2


async def test_a_failed_batch_names_its_inputs_async(fake_router: FakeRouter, make_embeddings: Any) -> None:
    fake_router.respond(failing_at(7, status=402))
    emb = make_embeddings(batch_size=2, max_concurrency=1)
    with pytest.raises(VisionRouterError, match=r"inputs 6-7 \(of 10\)") as caught:
        await emb.aembed_documents([f"t{i}" for i in range(10)])
    assert caught.value.metadata["input_indices"] == [6, 7]
    assert set(caught.value.partial) == {0, 1, 2, 3, 4, 5}
    await emb.aclose()


def test_each_batch_is_retried_on_its_own(fake_router: FakeRouter, make_embeddings: Any) -> None:
    fake_router.reply(json=embeddings([vec(0), vec(1)]))
    fake_router.reply(429, json={"error": {"code": 429, "message": "slow down"}}, headers={"Retry-After": "0"})
    fake_router.respond(echo())
    out = make_embeddings(batch_size=2, max_retries=1, max_concurrency=1).embed_documents(["t0", "t1", "t2", "t3"])
    assert out == [vec(i) for i in range(4)]
    assert [r.json["input"] for r in fake_router.requests] == [["t0", "t1"], ["t2", "t3"], ["t2", "t3"]]


def test_retries_exhausted_name_the_batch(fake_router: FakeRouter, make_embeddings: Any) -> None:
    fake_router.respond(lambda r: answer(429, json={"error": {"code": 429, "message": "slow down"}}))
    with pytest.raises(RateLimitError, match=r"inputs 0-1 \(of 2\): slow down"):
        make_embeddings().embed_documents(["a", "b"])


@pytest.mark.parametrize(
    ("body", "expected"),
    [
        ({"data": [{"index": 0, "embedding": [1.0]}]}, r"answered 1 embeddings for 2 inputs \(missing 1\)"),
        ({"data": [{"index": 0, "embedding": [1.0]}, {"index": 0, "embedding": [2.0]}]}, "repeated index 0"),
        ({"data": [{"index": 0, "embedding": [1.0]}, {"index": 1, "embedding": "!!"}]}, "not valid base64"),
        ({"object": "list"}, "no data list"),
    ],
)
def test_an_answer_that_does_not_account_for_every_input_is_an_error(
    fake_router: FakeRouter, make_embeddings: Any, body: dict[str, Any], expected: str
) -> None:
    fake_router.reply(json=body)
    with pytest.raises(VisionRouterError, match=expected):
        make_embeddings().embed_documents(["a", "b"])


def test_items_without_index_take_their_position(fake_router: FakeRouter, make_embeddings: Any) -> None:
    fake_router.reply(json={"data": [{"embedding": [1.0]}, {"embedding": [2.0]}]})
    assert make_embeddings().embed_documents(["a", "b"]) == [[1.0], [2.0]]


def test_error_in_a_200_is_an_error(fake_router: FakeRouter, make_embeddings: Any) -> None:
    fake_router.reply(json={"error": {"code": 400, "message": "model does not support embeddings"}})
    with pytest.raises(BadRequestError, match="model does not support embeddings"):
        make_embeddings().embed_query("a")


# -- cost --------------------------------------------------------------------------------------


def test_usage_and_cost_reach_track_usage(fake_router: FakeRouter, make_embeddings: Any) -> None:
    fake_router.reply(json=embeddings([vec(0), vec(1)], prompt_tokens=10, cost=0.0002, model="openai/te-3-small"))
    fake_router.reply(json=embeddings([vec(2)], prompt_tokens=5, cost=0.0001, model="openai/te-3-small"))
    emb = make_embeddings(batch_size=2, max_concurrency=1)
    with track_usage() as outer, track_usage() as inner:
        emb.embed_documents(["a", "b", "c"])
    for tracker in (outer, inner):
        # Keyed by the model asked for; the name the router answered under is in served_by.
        asked = tracker.by_model[MODEL]
        assert asked.calls == 2 and asked.input_tokens == 15 and asked.output_tokens == 0
        assert asked.cost == pytest.approx(0.0003)
        assert asked.calls_without_cost == 0
        assert asked.served_by == {"openai/te-3-small": 2}
    assert outer.total_cost == pytest.approx(0.0003)


async def test_async_usage_reaches_track_usage(fake_router: FakeRouter, make_embeddings: Any) -> None:
    fake_router.reply(json=embeddings([vec(0)], prompt_tokens=3, cost=0.5))
    emb = make_embeddings()
    with track_usage() as usage:
        await emb.aembed_query("a")
    assert usage.total.calls == 1 and usage.total.cost == 0.5 and usage.total.input_tokens == 3
    await emb.aclose()


# -- images ------------------------------------------------------------------------------------

PNG = png(40, 30, seed=1)
PNG_B64 = base64.b64encode(PNG).decode()


def image_request(url: str, text: str | None = None) -> dict[str, Any]:
    parts: list[dict[str, Any]] = [{"type": "text", "text": text}] if text else []
    return {"content": [*parts, {"type": "image_url", "image_url": {"url": url}}]}


def test_images_of_every_kind_with_and_without_text(
    fake_router: FakeRouter, make_embeddings: Any, tmp_path: Any
) -> None:
    from PIL import Image

    path = tmp_path / "photo.png"
    path.write_bytes(PNG)
    pil = Image.open(io.BytesIO(PNG))
    url = "https://example.com/boat.jpg"
    fake_router.reply(json=embeddings([vec(i) for i in range(5)], order=[4, 3, 2, 1, 0], model=VL_MODEL))
    emb = make_embeddings(model=VL_MODEL)
    out = emb.embed_images(
        [str(path), PNG, pil, url, f"data:image/png;base64,{PNG_B64}"],
        texts=["a photo", None, "a PIL image", "a boat", None],
    )
    assert out == [vec(i) for i in range(5)]
    sent = fake_router.requests[0].json["input"]
    data_url = f"data:image/png;base64,{PNG_B64}"
    assert sent[0] == image_request(data_url, "a photo")
    assert sent[1] == image_request(data_url)
    assert sent[2]["content"][0] == {"type": "text", "text": "a PIL image"}
    assert sent[2]["content"][1]["image_url"]["url"].startswith("data:image/png;base64,")
    assert sent[3] == image_request(url, "a boat")
    assert sent[4] == image_request(data_url)


async def test_images_async_are_downscaled_before_sending(fake_router: FakeRouter, make_embeddings: Any) -> None:
    from PIL import Image

    fake_router.reply(json=embeddings([vec(0)], model=VL_MODEL))
    emb = make_embeddings(model=VL_MODEL, image_max_side=10)
    assert await emb.aembed_images([png(400, 300)]) == [vec(0)]
    url = fake_router.requests[0].json["input"][0]["content"][0]["image_url"]["url"]
    assert url.startswith("data:image/")
    payload = url.split(";base64,", 1)[1]
    assert max(Image.open(io.BytesIO(base64.b64decode(payload))).size) == 10
    await emb.aclose()


def test_images_are_batched_by_bytes(fake_router: FakeRouter, make_embeddings: Any) -> None:
    big = png(200, 200, seed=3)  # a few KB each
    fake_router.respond(lambda r: answer(json=embeddings([vec(i) for i in range(len(r.json["input"]))])))
    emb = make_embeddings(model=VL_MODEL, max_batch_bytes=int(len(big) * 1.4 * 2), max_concurrency=1)
    assert len(emb.embed_images([big] * 5)) == 5
    assert [len(r.json["input"]) for r in fake_router.requests] == [2, 2, 1]


@pytest.mark.parametrize(
    ("images", "texts", "expected"),
    [
        (["https://example.com/a.png", b"not an image"], None, "embed_images: image 1: .*not an image routers accept"),
        (["/no/such/file.png"], None, "embed_images: image 0: file '/no/such/file.png': no such file"),
        (["ftp://example.com/a.png"], None, "image 0: URL .*scheme 'ftp' is not supported"),
        (["https://example.com/a.bmp"], None, "image 0: .*BMP"),
        ([PNG, PNG], ["only one"], "2 images but 1 texts"),
        ([PNG], [3], "text 0 is int"),
        (PNG, None, "takes a list of images"),
        ("photo.png", None, "takes a list of images"),
    ],
)
def test_bad_images_fail_before_any_request(
    fake_router: FakeRouter, make_embeddings: Any, images: Any, texts: Any, expected: str
) -> None:
    with pytest.raises(InvalidInputError, match=expected):
        make_embeddings(model=VL_MODEL).embed_images(images, texts=texts)
    assert fake_router.requests == []


def test_an_image_over_the_ceiling_is_refused(fake_router: FakeRouter, make_embeddings: Any) -> None:
    with pytest.raises(ImageInputError, match=r"image 0: .*ceiling"):
        make_embeddings(image_max_decoded_bytes=100).embed_images([PNG])
    assert fake_router.requests == []


# -- construction, keys, secrets ---------------------------------------------------------------


def test_key_from_the_environment_and_presets(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("OPENROUTER_API_KEY", "sk-or-from-env-0001")
    emb = VisionRouterEmbeddings(model=MODEL)
    assert emb.api_key is not None and emb.api_key.get_secret_value() == "sk-or-from-env-0001"
    assert emb.base_url == "https://openrouter.ai/api/v1"
    monkeypatch.setenv("VISIONROUTER_API_KEY", "vr-key-0002")
    assert VisionRouterEmbeddings(model=MODEL).api_key.get_secret_value() == "vr-key-0002"  # type: ignore[union-attr]
    infron = VisionRouterEmbeddings(model=MODEL, router="infron")  # Infron documents POST /embeddings (issue 23)
    assert infron.base_url == "https://llm.onerouter.pro/v1"
    with pytest.raises(ValueError, match="no default URL"):
        VisionRouterEmbeddings(model=MODEL, router="custom")
    local = VisionRouterEmbeddings(model="local/e5", router="custom", base_url="http://127.0.0.1:9/v1")
    assert local.base_url == "http://127.0.0.1:9/v1"


def test_bad_parameters_are_refused(monkeypatch: pytest.MonkeyPatch) -> None:
    with pytest.raises(ValueError, match="provider"):
        VisionRouterEmbeddings(model=MODEL, provider={"order": 5})  # a wrong type (unknown keys pass)
    with pytest.raises(ValueError, match="model_kwargs must not set"):
        VisionRouterEmbeddings(model=MODEL, model_kwargs={"dimensions": 3})
    with pytest.raises(ValueError):
        VisionRouterEmbeddings(model=MODEL, dimensions=0)
    with pytest.raises(ValueError):
        VisionRouterEmbeddings(model=MODEL, encoding_format="int8")
    with pytest.raises(InvalidInputError, match="not one string"):
        VisionRouterEmbeddings(model=MODEL).embed_documents("abc")  # type: ignore[arg-type]


def test_provider_preferences_object_is_sent_as_json(fake_router: FakeRouter, make_embeddings: Any) -> None:
    from langchain_visionrouter import ProviderPreferences

    fake_router.reply(json=embeddings([vec(0)]))
    make_embeddings(provider=ProviderPreferences(only=["openai"], zdr=True)).embed_query("a")
    assert fake_router.requests[0].json["provider"] == {"only": ["openai"], "zdr": True}


def test_no_key_in_repr_dump_or_pickle(monkeypatch: pytest.MonkeyPatch) -> None:
    secret = "sk-or-secret-do-not-leak-42"
    emb = VisionRouterEmbeddings(model=MODEL, api_key=secret, default_headers={"X-Api-Key": "hdr-secret-99999"})
    for text in (repr(emb), str(emb.model_dump()), emb.model_dump_json()):
        assert secret not in text and "hdr-secret-99999" not in text
    monkeypatch.delenv("OPENROUTER_API_KEY")
    data = pickle.dumps(VisionRouterEmbeddings(model=MODEL, api_key=secret))
    assert secret.encode() not in data
    monkeypatch.setenv("OPENROUTER_API_KEY", "sk-or-later-key-0003")
    assert pickle.loads(data).api_key.get_secret_value() == "sk-or-later-key-0003"


def test_the_key_is_masked_in_errors(fake_router: FakeRouter, make_embeddings: Any) -> None:
    secret = "sk-or-echoed-back-777777"
    fake_router.reply(401, json={"error": {"code": 401, "message": f"bad key {secret}"}})
    with pytest.raises(VisionRouterError) as caught:
        make_embeddings(api_key=secret).embed_query("a")
    assert secret not in str(caught.value) and secret not in repr(caught.value.body)


# -- concurrency, time-outs, gateways --------------------------------------------------------


def counting(width: int) -> tuple[Any, dict[str, int]]:
    """A responder that notes how many requests were in flight at once.

    The first requests are held until ``width`` are in flight together (then none is held), so
    the peak is reached on any machine, however slow, and no time is involved."""
    import threading

    seen = {"now": 0, "most": 0}
    lock = threading.Lock()
    full = threading.Event()
    ok = echo()

    def respond(request: Recorded) -> Scripted:
        with lock:
            seen["now"] += 1
            seen["most"] = max(seen["most"], seen["now"])
            if seen["now"] >= width:
                full.set()
        full.wait(60)  # only a broken bound (fewer in flight than allowed) would wait this out
        with lock:
            seen["now"] -= 1
        return ok(request)

    return respond, seen


def test_concurrency_is_bounded(fake_router: FakeRouter, make_embeddings: Any) -> None:
    respond, seen = counting(2)
    fake_router.respond(respond)
    out = make_embeddings(batch_size=1, max_concurrency=2).embed_documents([f"t{i}" for i in range(6)])
    assert out == [vec(i) for i in range(6)]
    assert seen["most"] == 2


async def test_concurrency_is_bounded_async(fake_router: FakeRouter, make_embeddings: Any) -> None:
    respond, seen = counting(3)
    fake_router.respond(respond)
    emb = make_embeddings(batch_size=1, max_concurrency=3)
    assert await emb.aembed_documents([f"t{i}" for i in range(7)]) == [vec(i) for i in range(7)]
    assert seen["most"] == 3
    await emb.aclose()


def test_a_time_out_names_the_inputs(fake_router: FakeRouter, make_embeddings: Any) -> None:
    from langchain_visionrouter import RequestTimeoutError

    fake_router.reply(json=embeddings([vec(0)]), delay=1.0)
    with pytest.raises(RequestTimeoutError, match=r"inputs 0 \(of 1\): request timed out"):
        make_embeddings(timeout=0.2).embed_query("t0")


def test_a_custom_gateway_without_a_key(fake_router: FakeRouter) -> None:
    fake_router.reply(json=embeddings([vec(0)], provider=None, gen="emb-123"))
    emb = VisionRouterEmbeddings(model="local/e5", router="custom", base_url=fake_router.base + "/v1")
    with emb, track_usage() as usage:
        assert emb.embed_query("t0") == vec(0)
    sent = fake_router.requests[0]
    assert sent.path == "/v1/embeddings" and "Authorization" not in sent.headers
    assert sent.json == {"model": "local/e5", "input": ["t0"]}  # no usage opt-in: OpenAI-style servers refuse it
    asked = usage.by_model["local/e5"]  # the model asked for; the answer's name is in served_by
    assert asked.calls == 1 and asked.served_by == {"openai/text-embedding-3-small": 1}


def test_an_answer_without_usage_still_counts_as_a_call(fake_router: FakeRouter, make_embeddings: Any) -> None:
    fake_router.reply(json={"data": [{"index": 0, "embedding": [1.0]}]})
    with track_usage() as usage:
        make_embeddings().embed_query("a")
    assert usage.by_model[MODEL].calls == 1 and usage.by_model[MODEL].calls_without_cost == 1


def test_copies_share_user_clients_and_work(fake_router: FakeRouter) -> None:
    import copy

    import httpx

    client = httpx.Client()
    emb = VisionRouterEmbeddings(model=MODEL, api_key=FAKE_KEY, base_url=fake_router.url, http_client=client)
    twin = copy.deepcopy(emb)
    assert twin.http_client is client and twin.api_key == emb.api_key
    fake_router.reply(json=embeddings([vec(0)]))
    assert twin.embed_query("t0") == vec(0)
    client.close()


def test_whole_numbers_become_floats_and_other_values_are_refused(
    fake_router: FakeRouter, make_embeddings: Any
) -> None:
    fake_router.reply(json={"data": [{"index": 0, "embedding": [1, 2.5, 0]}]})
    fake_router.reply(json={"data": [{"index": 0, "embedding": [1.0, True]}]})
    out = make_embeddings().embed_query("a")
    assert out == [1.0, 2.5, 0.0] and all(type(v) is float for v in out)
    with pytest.raises(VisionRouterError, match="embedding 0: the embedding holds bool values, not only numbers"):
        make_embeddings().embed_query("a")


def test_credentials_in_base_url_and_headers_never_reach_a_dump() -> None:
    emb = VisionRouterEmbeddings(
        model=MODEL,
        router="custom",
        base_url="http://user:pw-secret-123@h.example/v1",
        default_headers={"X-Api-Key": "hdr-secret-456"},
    )
    dumped = str(emb.model_dump()) + repr(emb)
    assert "pw-secret-123" not in dumped and "hdr-secret-456" not in dumped
    assert emb.model_dump()["base_url"] == "http://***@h.example/v1"
