"""The contenders, each pointed at the loopback router.

``floor`` is the least a LangChain chat model can cost over bare httpx: a minimal
``BaseChatModel`` subclass doing the same HTTP exchange, one ``json.loads`` per SSE frame,
one ``AIMessageChunk`` per frame, no metadata, no checks. Everything an adapter does on
top of it is overhead the benchmark attributes to the adapter.

Imports happen inside the factories, so a worker process only loads the contender it runs.
"""

from __future__ import annotations

from typing import Any

CONTENDERS = ("floor", "visionrouter", "openai", "openrouter")
LABELS = {
    "floor": "floor (bare httpx)",
    "visionrouter": "ChatVisionRouter",
    "openai": "ChatOpenAI",
    "openrouter": "ChatOpenRouter",
}
#: What "importing the contender" means for the import-time scenario.
IMPORTS = {
    "floor": "import benchmarks.floor_imports",  # httpx + BaseChatModel, imported as a module
    # The import a user does. (Plain `import langchain_visionrouter` is lazy and costs less.)
    "visionrouter": "from langchain_visionrouter import ChatVisionRouter",
    "openai": "import langchain_openai",
    "openrouter": "import langchain_openrouter",
}
MODEL = "openai/gpt-4o-mini"
API_KEY = "bench-key-not-a-secret"


def available(name: str) -> bool:
    """Whether a contender's package is installed (ChatOpenAI / ChatOpenRouter are optional)."""
    import importlib.util

    module = {"openai": "langchain_openai", "openrouter": "langchain_openrouter"}.get(name)
    return module is None or importlib.util.find_spec(module) is not None


def _floor_class() -> type:
    import asyncio
    import json
    from collections.abc import AsyncIterator, Iterator

    import httpx
    from langchain_core.language_models.chat_models import BaseChatModel
    from langchain_core.messages import AIMessage, AIMessageChunk, BaseMessage
    from langchain_core.outputs import ChatGeneration, ChatGenerationChunk, ChatResult

    roles = {"human": "user", "ai": "assistant", "system": "system", "tool": "tool"}

    class FloorChatModel(BaseChatModel):
        """The floor: the same exchange with bare httpx and nothing else."""

        base_url: str
        model: str = MODEL
        api_key: str = API_KEY
        _client: Any = None
        _aclient: Any = None

        @property
        def _llm_type(self) -> str:
            return "floor"

        def _body(self, messages: list[BaseMessage], stream: bool) -> bytes:
            payload: dict[str, Any] = {
                "model": self.model,
                "messages": [{"role": roles[m.type], "content": m.content} for m in messages],
            }
            if stream:
                payload["stream"] = True
            return json.dumps(payload).encode()

        def _headers(self) -> dict[str, str]:
            return {"Authorization": f"Bearer {self.api_key}", "Content-Type": "application/json"}

        def _sync(self) -> httpx.Client:
            if self._client is None:
                self._client = httpx.Client(timeout=600)
            return self._client

        def _async(self) -> httpx.AsyncClient:
            # httpx connections belong to one event loop: a new loop (asyncio.run) needs a new client.
            loop = asyncio.get_running_loop()
            if self._aclient is None or self._aclient[0] is not loop:
                self._aclient = (loop, httpx.AsyncClient(timeout=600))
            return self._aclient[1]

        def _generate(self, messages: list[BaseMessage], stop: Any = None, run_manager: Any = None, **kw: Any) -> Any:
            r = self._sync().post(
                self.base_url + "/chat/completions", content=self._body(messages, False), headers=self._headers()
            )
            data = json.loads(r.content)
            message = AIMessage(content=data["choices"][0]["message"]["content"] or "")
            return ChatResult(generations=[ChatGeneration(message=message)])

        async def _agenerate(
            self, messages: list[BaseMessage], stop: Any = None, run_manager: Any = None, **kw: Any
        ) -> Any:
            r = await self._async().post(
                self.base_url + "/chat/completions", content=self._body(messages, False), headers=self._headers()
            )
            data = json.loads(r.content)
            message = AIMessage(content=data["choices"][0]["message"]["content"] or "")
            return ChatResult(generations=[ChatGeneration(message=message)])

        def _stream(
            self, messages: list[BaseMessage], stop: Any = None, run_manager: Any = None, **kw: Any
        ) -> Iterator[ChatGenerationChunk]:
            url = self.base_url + "/chat/completions"
            with self._sync().stream("POST", url, content=self._body(messages, True), headers=self._headers()) as r:
                for line in r.iter_lines():
                    if not line.startswith("data: "):
                        continue
                    data = line[6:]
                    if data == "[DONE]":
                        break
                    event = json.loads(data)
                    choices = event.get("choices")
                    text = (choices[0]["delta"].get("content") or "") if choices else ""
                    yield ChatGenerationChunk(message=AIMessageChunk(content=text))

        async def _astream(
            self, messages: list[BaseMessage], stop: Any = None, run_manager: Any = None, **kw: Any
        ) -> AsyncIterator[ChatGenerationChunk]:
            url = self.base_url + "/chat/completions"
            body = self._body(messages, True)
            async with self._async().stream("POST", url, content=body, headers=self._headers()) as r:
                async for line in r.aiter_lines():
                    if not line.startswith("data: "):
                        continue
                    data = line[6:]
                    if data == "[DONE]":
                        break
                    event = json.loads(data)
                    choices = event.get("choices")
                    text = (choices[0]["delta"].get("content") or "") if choices else ""
                    yield ChatGenerationChunk(message=AIMessageChunk(content=text))

    return FloorChatModel


def make(name: str, base_url: str, *, per_loop: bool = False) -> Any:
    """Build contender ``name`` talking to ``base_url`` (``.../v1``).

    ``per_loop``: a model for one event loop. ChatOpenAI's default async client is cached
    per process (``lru_cache``) and breaks once the loop it first ran on is closed ("Event
    loop is closed"); an unhashable timeout gives the model a client of its own.
    """
    if name == "floor":
        return _floor_class()(base_url=base_url)
    if name == "visionrouter":
        from langchain_visionrouter import ChatVisionRouter

        return ChatVisionRouter(model=MODEL, api_key=API_KEY, base_url=base_url)
    if name == "openai":
        from langchain_openai import ChatOpenAI

        if per_loop:
            import httpx

            return ChatOpenAI(model=MODEL, api_key=API_KEY, base_url=base_url, timeout=httpx.Timeout(600.0))  # type: ignore[arg-type]
        return ChatOpenAI(model=MODEL, api_key=API_KEY, base_url=base_url)  # type: ignore[arg-type]
    if name == "openrouter":
        from langchain_openrouter import ChatOpenRouter

        return ChatOpenRouter(model=MODEL, api_key=API_KEY, base_url=base_url)  # type: ignore[arg-type]
    raise ValueError(f"unknown contender {name!r}; known: {', '.join(CONTENDERS)}")
