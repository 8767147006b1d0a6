"""``bind_tools``: every kind of tool and every ``tool_choice`` form, checked in the exact
request JSON that reaches the (loopback) router."""

from __future__ import annotations

from typing import Annotated, Any

import pytest
from langchain_core.tools import BaseTool, StructuredTool, tool
from pydantic import BaseModel, Field
from typing_extensions import TypedDict

from langchain_visionrouter import ChatVisionRouter
from tests.wire import completion, usage

MODEL = "openai/gpt-4.1-mini"


@pytest.fixture
def model(make_model: Any) -> ChatVisionRouter:
    return make_model(model=MODEL)  # type: ignore[no-any-return]


def sent(fake_router: Any, runnable: Any, *, stream: bool = False) -> dict[str, Any]:
    """Invoke (or stream) once and return the JSON body the router received."""
    if stream:
        fake_router.reply_sse(
            [
                {"id": "gen-1", "choices": [{"index": 0, "delta": {"content": "ok"}, "finish_reason": "stop"}]},
                "[DONE]",
            ]
        )
        list(runnable.stream("hi"))
    else:
        fake_router.reply(json=completion(gen="gen-1", model=MODEL, provider="OpenAI", content="ok", use=usage(5, 1)))
        runnable.invoke("hi")
    body: dict[str, Any] = fake_router.requests[-1].json
    return body


# -- the tools, in every form ---------------------------------------------------------

WEATHER = {
    "type": "function",
    "function": {
        "name": "get_weather",
        "description": "Get the weather at a location.",
        "parameters": {
            "properties": {"location": {"type": "string"}},
            "required": ["location"],
            "type": "object",
        },
    },
}


@tool
def get_weather(location: str) -> str:
    """Get the weather at a location."""
    return "sunny"


def get_weather_function(location: str) -> str:
    """Get the weather at a location.

    Args:
        location: City and country.
    """
    return "sunny"


class GetWeather(BaseModel):
    """Get the weather at a location."""

    location: str = Field(description="City and country.")


class GetWeatherDict(TypedDict):
    """Get the weather at a location."""

    location: Annotated[str, ..., "City and country."]


class WeatherTool(BaseTool):
    name: str = "get_weather"
    description: str = "Get the weather at a location."
    args_schema: type[BaseModel] = GetWeather

    def _run(self, location: str) -> str:
        return "sunny"


def described(name: str) -> dict[str, Any]:
    return {
        "type": "function",
        "function": {
            "name": name,
            "description": "Get the weather at a location.",
            "parameters": {
                "properties": {"location": {"description": "City and country.", "type": "string"}},
                "required": ["location"],
                "type": "object",
            },
        },
    }


TOOL_KINDS: dict[str, tuple[Any, dict[str, Any]]] = {
    "langchain @tool": (get_weather, WEATHER),
    "BaseTool subclass": (WeatherTool(), described("get_weather")),
    "StructuredTool": (
        StructuredTool.from_function(get_weather_function, name="get_weather", parse_docstring=True),
        described("get_weather"),
    ),
    "function": (get_weather_function, described("get_weather_function")),
    "pydantic model": (GetWeather, described("GetWeather")),
    "TypedDict": (GetWeatherDict, described("GetWeatherDict")),
    "OpenAI dict": (WEATHER, WEATHER),
    "JSON schema": (
        {
            "title": "get_weather",
            "description": "Get the weather at a location.",
            "type": "object",
            "properties": {"location": {"type": "string"}},
            "required": ["location"],
        },
        WEATHER,
    ),
    "Anthropic dict": (
        {
            "name": "get_weather",
            "description": "Get the weather at a location.",
            "input_schema": {
                "type": "object",
                "properties": {"location": {"type": "string"}},
                "required": ["location"],
            },
        },
        {
            "type": "function",
            "function": {
                "name": "get_weather",
                "description": "Get the weather at a location.",
                "parameters": {
                    "type": "object",
                    "properties": {"location": {"type": "string"}},
                    "required": ["location"],
                },
            },
        },
    ),
}


@pytest.mark.parametrize("kind", list(TOOL_KINDS))
def test_every_tool_kind_is_sent_in_the_chat_completions_form(
    fake_router: Any, model: ChatVisionRouter, kind: str
) -> None:
    tool_like, expected = TOOL_KINDS[kind]
    body = sent(fake_router, model.bind_tools([tool_like]))
    assert body == {"model": MODEL, "messages": [{"role": "user", "content": "hi"}], "tools": [expected]}


def test_several_tools_keep_their_order_and_stream_too(fake_router: Any, model: ChatVisionRouter) -> None:
    bound = model.bind_tools([get_weather, GetWeather])
    body = sent(fake_router, bound, stream=True)
    assert [t["function"]["name"] for t in body["tools"]] == ["get_weather", "GetWeather"]
    assert body["stream"] is True
    assert body["stream_options"] == {"include_usage": True}
    assert "tool_choice" not in body and "parallel_tool_calls" not in body


# -- tool_choice --------------------------------------------------------------------------

FORCE_WEATHER = {"type": "function", "function": {"name": "get_weather"}}


@pytest.mark.parametrize(
    ("choice", "expected"),
    [
        ("auto", "auto"),
        ("none", "none"),
        ("required", "required"),
        ("any", "required"),
        ("get_weather", FORCE_WEATHER),
        ("GetWeather", {"type": "function", "function": {"name": "GetWeather"}}),
        (FORCE_WEATHER, FORCE_WEATHER),
    ],
    ids=["auto", "none", "required", "any", "name", "other-name", "dict"],
)
def test_tool_choice_forms(fake_router: Any, model: ChatVisionRouter, choice: Any, expected: Any) -> None:
    body = sent(fake_router, model.bind_tools([get_weather, GetWeather], tool_choice=choice))
    assert body["tool_choice"] == expected
    assert len(body["tools"]) == 2


def test_tool_choice_true_forces_the_single_tool(fake_router: Any, model: ChatVisionRouter) -> None:
    body = sent(fake_router, model.bind_tools([get_weather], tool_choice=True))
    assert body["tool_choice"] == FORCE_WEATHER


@pytest.mark.parametrize("choice", [None, False])
def test_no_tool_choice_sends_none(fake_router: Any, model: ChatVisionRouter, choice: Any) -> None:
    body = sent(fake_router, model.bind_tools([get_weather], tool_choice=choice))
    assert "tool_choice" not in body


@pytest.mark.parametrize(
    ("tools", "choice", "message"),
    [
        ([get_weather, GetWeather], True, "exactly one tool"),
        ([get_weather], "get_time", "'get_time' is neither"),
        ([get_weather], {"type": "function", "function": {"name": "get_time"}}, "'get_time', which is not a bound"),
        ([get_weather], 3, "must be a string, True or a dict"),
    ],
    ids=["true-with-two", "unknown-name", "unknown-in-dict", "wrong-type"],
)
def test_bad_tool_choice_fails_before_any_request(
    fake_router: Any, model: ChatVisionRouter, tools: list[Any], choice: Any, message: str
) -> None:
    with pytest.raises(ValueError, match=message):
        model.bind_tools(tools, tool_choice=choice)
    assert fake_router.requests == []


def test_a_tool_that_cannot_be_converted_is_named(model: ChatVisionRouter) -> None:
    with pytest.raises(ValueError, match=r"tools\[1\]: cannot be turned into a tool"):
        model.bind_tools([get_weather, 42])


# -- strict and parallel_tool_calls -------------------------------------------------------


def test_strict_true_marks_every_function_and_closes_the_schemas(fake_router: Any, model: ChatVisionRouter) -> None:
    body = sent(fake_router, model.bind_tools([GetWeather, WEATHER], strict=True))
    pydantic_tool, dict_tool = body["tools"]
    assert pydantic_tool["function"]["strict"] is True
    assert pydantic_tool["function"]["parameters"]["additionalProperties"] is False
    # a ready-made dict gets the flag too (LangChain's converter leaves it untouched)
    assert dict_tool["function"]["strict"] is True
    assert dict_tool["function"]["parameters"] == WEATHER["function"]["parameters"]


def test_strict_false_is_sent_and_unset_is_not(fake_router: Any, model: ChatVisionRouter) -> None:
    body = sent(fake_router, model.bind_tools([WEATHER], strict=False))
    assert body["tools"][0]["function"]["strict"] is False
    body = sent(fake_router, model.bind_tools([WEATHER]))
    assert "strict" not in body["tools"][0]["function"]


@pytest.mark.parametrize("parallel", [True, False])
def test_parallel_tool_calls(fake_router: Any, model: ChatVisionRouter, parallel: bool) -> None:
    body = sent(fake_router, model.bind_tools([get_weather], parallel_tool_calls=parallel))
    assert body["parallel_tool_calls"] is parallel


def test_other_bound_fields_and_call_kwargs_go_along(fake_router: Any, model: ChatVisionRouter) -> None:
    bound = model.bind_tools([get_weather], tool_choice="any", temperature=0.2)
    fake_router.reply(json=completion(gen="gen-1", model=MODEL, provider="OpenAI", content="ok"))
    bound.invoke("hi", seed=7)
    body = fake_router.requests[-1].json
    assert body["temperature"] == 0.2 and body["seed"] == 7 and body["tool_choice"] == "required"


def test_empty_tool_list_sends_no_tools(fake_router: Any, model: ChatVisionRouter) -> None:
    body = sent(fake_router, model.bind_tools([]))
    assert "tools" not in body
