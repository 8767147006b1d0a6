"""The loopback fake router itself works (other suites rely on it)."""

from langchain_visionrouter import ChatVisionRouter, StreamError


def test_invoke_and_stream_through_loopback(fake_router) -> None:
    fake_router.reply(
        json={
            "id": "gen-1",
            "model": "m",
            "choices": [{"index": 0, "finish_reason": "stop", "message": {"role": "assistant", "content": "hi"}}],
        }
    )
    chunk = {"id": "gen-2", "model": "m", "choices": [{"index": 0, "delta": {"content": "yo"}, "finish_reason": None}]}
    fake_router.reply_sse([chunk], drop=True)
    model = ChatVisionRouter(model="m", api_key="k", base_url=fake_router.url, max_retries=0)
    assert model.invoke("hello").content == "hi"
    assert fake_router.requests[0].path == "/api/v1/chat/completions"
    assert fake_router.requests[0].json["messages"] == [{"role": "user", "content": "hello"}]
    try:
        list(model.stream("hello"))
    except StreamError as exc:
        assert exc.partial is not None and exc.partial.content == "yo"
    else:
        raise AssertionError("a dropped stream must raise StreamError")
    model.close()
