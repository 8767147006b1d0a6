"""Gateway dialects (issue 23): cassettes written from each gateway's published docs.

One pair per gateway: ``dialect_<name>`` (a whole answer, then the next turn, whose request
shows what is sent back) and ``dialect_<name>_stream`` (the same answer streamed, in the
shape the docs give). Sources, per gateway (``/work/research/dialects.md`` has the quotes):

- deepseek: api-docs.deepseek.com/guides/thinking_mode (``reasoning_content`` beside
  ``content``; sent back after tool calls), /guides/kv_cache (``prompt_cache_hit_tokens``);
- zai: docs.z.ai/api-reference/llm/chat-completion, /guides/tools/stream-tool,
  /guides/capabilities/thinking-mode (``reasoning_content``, sent back with tool results);
- mistral: docs.mistral.ai/capabilities/reasoning and mistralai/client-python's
  reasoning examples (``thinking`` content chunks; replayed with the next turn);
- gemini: ai.google.dev/gemini-api/docs/openai and /thought-signatures
  (``extra_content.google.thought_signature`` on tool calls, passed back as received);
- groq: console.groq.com/docs/reasoning, /docs/compound (``reasoning``, ``executed_tools``),
  ``x_groq`` as langchain-groq reads it (usage of a stream in ``x_groq.usage``);
- azure: learn.microsoft.com .../openai/concepts/content-filter (``prompt_filter_results``,
  per-choice ``content_filter_results``; a first stream chunk with empty ``choices``);
- vllm: docs.vllm.ai/en/v0.11.2/features/reasoning_outputs (``reasoning``, and
  ``reasoning_content`` still sent), vLLM's protocol (per-choice ``stop_reason``).
"""

from __future__ import annotations

import json
from typing import Any

from tests.cassette_tools import exchange, sse

BASES = {
    "deepseek": "https://api.deepseek.com",
    "zai": "https://api.z.ai/api/paas/v4",
    "mistral": "https://api.mistral.ai/v1",
    "gemini": "https://generativelanguage.googleapis.com/v1beta/openai",
    "groq": "https://api.groq.com/openai/v1",
    "azure": "https://my-resource.openai.azure.com/openai/v1",
    "vllm": "http://localhost:8000/v1",
}
MODELS = {
    "deepseek": "deepseek-v4-pro",
    "zai": "glm-4.7",
    "mistral": "magistral-medium-2509",
    "gemini": "gemini-3-pro-preview",
    "groq": "groq/compound",
    "azure": "gpt-4o-2024-11-20",
    "vllm": "Qwen/Qwen3-8B",
}
QUESTION = "What is the weather in Paris?"
TOOL = {
    "type": "function",
    "function": {
        "name": "get_weather",
        "description": "The weather in a city.",
        "parameters": {"type": "object", "properties": {"city": {"type": "string"}}, "required": ["city"]},
    },
}
TOOL_RESULT = "18°C, clear"
FINAL = "It is 18°C and clear in Paris."
_SAFE = {"filtered": False, "severity": "safe"}
_PROMPT_FILTER = [
    {
        "prompt_index": 0,
        "content_filter_results": {
            "hate": _SAFE,
            "jailbreak": {"filtered": False, "detected": False},
            "self_harm": _SAFE,
            "sexual": _SAFE,
            "violence": _SAFE,
        },
    }
]
_CHOICE_FILTER = {
    "hate": _SAFE,
    "protected_material_code": {"filtered": False, "detected": False},
    "protected_material_text": {"filtered": False, "detected": False},
    "self_harm": _SAFE,
    "sexual": _SAFE,
    "violence": _SAFE,
}
_EXECUTED = {
    "index": 0,
    "type": "search",
    "arguments": '{"query": "Paris weather"}',
    "output": "Paris: 18°C, clear.",
    "search_results": {
        "results": [{"title": "Paris", "url": "https://weather.example/paris", "content": "18°C", "score": 0.9}]
    },
}


def _call(name: str) -> dict[str, Any]:
    call: dict[str, Any] = {
        "id": {"mistral": "D681PevKs", "gemini": "function-call-1"}.get(name, "call_0"),
        "type": "function",
        "function": {"name": "get_weather", "arguments": json.dumps({"city": "Paris"})},
    }
    if name == "zai":
        call["index"] = 0  # Z.ai's answers number their calls
    if name == "gemini":
        call["extra_content"] = {"google": {"thought_signature": "EnEKbwERTTIPTv3oeLaKc2lnbmF0dXJl"}}
    return call


# Turn 1, as each gateway answers it: (message, choice fields, top-level fields, usage).
def _first(name: str) -> tuple[dict[str, Any], dict[str, Any], dict[str, Any], dict[str, Any]]:
    usage: dict[str, Any] = {"prompt_tokens": 120, "completion_tokens": 80, "total_tokens": 200}
    message: dict[str, Any] = {"role": "assistant", "content": None, "tool_calls": [_call(name)]}
    choice: dict[str, Any] = {"finish_reason": "tool_calls"}
    top: dict[str, Any] = {}
    if name == "deepseek":
        message["content"] = ""
        message["reasoning_content"] = "The user wants the weather; call get_weather for Paris."
        usage.update(
            prompt_cache_hit_tokens=0, prompt_cache_miss_tokens=120, completion_tokens_details={"reasoning_tokens": 60}
        )
    elif name == "zai":
        message["content"] = ""
        message["reasoning_content"] = "I need the weather tool for Paris."
        usage["prompt_tokens_details"] = {"cached_tokens": 0}
    elif name == "mistral":
        message = {
            "role": "assistant",
            "tool_calls": None,
            "content": [
                {
                    "type": "thinking",
                    "thinking": [
                        {"type": "text", "text": "Paris in spring: mild. "},
                        {"type": "text", "text": "No tool is needed for a guess."},
                    ],
                },
                {"type": "text", "text": "Probably mild, around 18°C."},
            ],
        }
        choice["finish_reason"] = "stop"
    elif name == "groq":
        message = {
            "role": "assistant",
            "content": "It is 18°C in Paris.",
            "reasoning": "I should search the weather.",
            "executed_tools": [_EXECUTED],
        }
        choice["finish_reason"] = "stop"
        usage.update(queue_time=0.01, prompt_time=0.005, completion_time=0.06, total_time=0.065)
        top["x_groq"] = {"id": "req_01jexample"}
    elif name == "azure":
        choice["content_filter_results"] = {}  # seen empty on tool-call choices
        top["prompt_filter_results"] = _PROMPT_FILTER
        top["system_fingerprint"] = "fp_b705f0c291"
    elif name == "vllm":
        message = {
            "role": "assistant",
            "content": "9.11 < 9.8",
            "reasoning": "Compare the decimals: 0.11 < 0.8.",
            "reasoning_content": "Compare the decimals: 0.11 < 0.8.",
            "tool_calls": [],
        }
        choice.update(finish_reason="stop", stop_reason=None, logprobs=None)
    return message, choice, top, usage


def _answer(
    name: str, message: dict[str, Any], choice: dict[str, Any], top: dict[str, Any], usage: Any
) -> dict[str, Any]:
    body: dict[str, Any] = {
        "id": f"chatcmpl-{name}-1",
        "object": "chat.completion",
        "created": 1760000000,
        "model": MODELS[name],
    }
    if "prompt_filter_results" in top:
        body["prompt_filter_results"] = top["prompt_filter_results"]
    body["choices"] = [{"index": 0, **{k: v for k, v in choice.items()}, "message": message}]
    body.update({k: v for k, v in top.items() if k != "prompt_filter_results"})
    body["usage"] = usage
    return body


def sent_back(name: str) -> dict[str, Any]:
    """The assistant message of turn 1 as the next request carries it (what the docs ask back)."""
    message, _, _, _ = _first(name)
    if name == "mistral":  # the ThinkChunk replayed intact, joined into one text chunk
        return {
            "role": "assistant",
            "content": [
                {
                    "type": "thinking",
                    "thinking": [{"type": "text", "text": "Paris in spring: mild. No tool is needed for a guess."}],
                },
                {"type": "text", "text": "Probably mild, around 18°C."},
            ],
        }
    if name in ("groq", "vllm"):  # reasoning is not sent back (docs silent; Groq refuses unknown fields)
        return {"role": "assistant", "content": message["content"]}
    out: dict[str, Any] = {"role": "assistant", "content": None, "tool_calls": [_call(name)]}
    if name == "zai":
        del out["tool_calls"][0]["index"]
    if "reasoning_content" in message:
        out["reasoning_content"] = message["reasoning_content"]
    return out


def _second_request(name: str) -> dict[str, Any]:
    messages: list[dict[str, Any]] = [{"role": "user", "content": QUESTION}, sent_back(name)]
    if "tool_calls" in messages[1]:
        messages.append({"role": "tool", "content": TOOL_RESULT, "tool_call_id": messages[1]["tool_calls"][0]["id"]})
    else:
        messages.append({"role": "user", "content": "Thanks!"})
    return {"model": MODELS[name], "messages": messages, "tools": [TOOL]}


def _second_answer(name: str) -> dict[str, Any]:
    message: dict[str, Any] = {"role": "assistant", "content": FINAL}
    if name in ("deepseek", "zai"):
        message["reasoning_content"] = "The tool says 18°C, clear."
    return _answer(
        name,
        message,
        {"finish_reason": "stop"},
        {},
        {"prompt_tokens": 150, "completion_tokens": 20, "total_tokens": 170},
    )


def _chunk(name: str, delta: dict[str, Any] | None, finish: str | None = None, **more: Any) -> dict[str, Any]:
    event: dict[str, Any] = {
        "id": f"chatcmpl-{name}-1",
        "object": "chat.completion.chunk",
        "created": 1760000000,
        "model": MODELS[name],
    }
    choices = [] if delta is None else [{"index": 0, "delta": delta, "finish_reason": finish}]
    if choices and "choice" in more:
        choices[0].update(more.pop("choice"))
    event["choices"] = choices
    event.update(more)
    return event


def _stream_events(name: str) -> list[dict[str, Any]]:
    """Turn 1 streamed, in the shape each gateway's docs show."""
    message, choice, top, usage = _first(name)
    c = lambda delta, finish=None, **more: _chunk(name, delta, finish, **more)  # noqa: E731
    finish = choice["finish_reason"]
    if name in ("deepseek", "zai"):
        r = message["reasoning_content"]
        call = _call(name)
        if name == "deepseek":
            call = {"index": 0, **call}
        return [
            c({"role": "assistant", "content": "", "reasoning_content": r[:20]}),
            c({"content": "", "reasoning_content": r[20:]}),
            c({"content": None, "reasoning_content": None, "tool_calls": [call]}),
            c({}, finish),
            c(None, usage=usage),
        ]
    if name == "mistral":  # ThinkChunks while thinking, then plain strings; the transition in one list
        return [
            c(
                {
                    "role": "assistant",
                    "content": [
                        {"type": "thinking", "thinking": [{"type": "text", "text": "Paris in spring: mild. "}]}
                    ],
                }
            ),
            c(
                {
                    "content": [
                        {
                            "type": "thinking",
                            "thinking": [{"type": "text", "text": "No tool is needed for a guess."}],
                            "closed": True,
                        },
                        {"type": "text", "text": "Probably mild, "},
                    ]
                }
            ),
            c({"content": "around 18°C."}, finish, usage=usage),
        ]
    if name == "gemini":  # the signature rides on the tool-call delta
        return [c({"role": "assistant", "tool_calls": [{"index": 0, **_call(name)}]}, finish), c(None, usage=usage)]
    if name == "groq":  # usage only in x_groq.usage of the last chunk
        x = top["x_groq"]
        return [
            c({"role": "assistant", "reasoning": "I should search "}, x_groq=x),
            c(
                {
                    "reasoning": "the weather.",
                    "executed_tools": [{k: v for k, v in _EXECUTED.items() if k != "output"}],
                },
                x_groq=x,
            ),
            c({"executed_tools": [_EXECUTED]}, x_groq=x),
            c({"content": "It is 18°C in Paris."}, x_groq=x),
            c({}, finish, x_groq={**x, "usage": usage}),
        ]
    if name == "azure":  # prompt results on a first chunk without choices
        empty = {
            "id": "",
            "object": "",
            "created": 0,
            "model": "",
            "choices": [],
            "prompt_filter_results": top["prompt_filter_results"],
        }
        return [
            empty,
            c(
                {"role": "assistant", "content": None, "tool_calls": [{"index": 0, **_call(name)}]},
                system_fingerprint=top["system_fingerprint"],
                choice={"content_filter_results": {}},
            ),
            c({}, finish, system_fingerprint=top["system_fingerprint"]),
            c(None, usage=usage),
        ]
    # vllm: reasoning and reasoning_content both, content may be missing; stop_reason per choice
    return [
        c(
            {"role": "assistant", "reasoning": "Compare the decimals: ", "reasoning_content": "Compare the decimals: "},
            choice={"logprobs": None},
        ),
        c({"reasoning": "0.11 < 0.8.", "reasoning_content": "0.11 < 0.8."}, choice={"logprobs": None}),
        c({"content": "9.11 < 9.8"}, choice={"logprobs": None}),
        c({"content": ""}, finish, choice={"stop_reason": None, "logprobs": None}, usage=usage),
    ]


def _first_request(name: str, *, stream: bool = False) -> dict[str, Any]:
    body: dict[str, Any] = {"model": MODELS[name], "messages": [{"role": "user", "content": QUESTION}], "tools": [TOOL]}
    if stream:
        body.update(stream=True, stream_options={"include_usage": True})
    return body


def first_answer(name: str) -> dict[str, Any]:
    return _answer(name, *_first(name))


CASSETTES: dict[str, list[dict[str, Any]]] = {}
for _name, _base in BASES.items():
    _url = _base + "/chat/completions"
    CASSETTES[f"dialect_{_name}"] = [
        exchange(_first_request(_name), first_answer(_name), url=_url),
        exchange(_second_request(_name), _second_answer(_name), url=_url),
    ]
    CASSETTES[f"dialect_{_name}_stream"] = [
        exchange(_first_request(_name, stream=True), sse(_stream_events(_name), comments=0), url=_url)
    ]
