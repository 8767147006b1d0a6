"""``with_structured_output``: the three methods, every schema kind, ``include_raw``, and
parsing failures that are reported, never hidden. Requests are checked at the loopback router."""

from __future__ import annotations

import json
from typing import Annotated, Any

import pytest
from langchain_core.callbacks import BaseCallbackHandler
from langchain_core.exceptions import OutputParserException
from langchain_core.utils.function_calling import convert_to_json_schema
from pydantic import BaseModel, Field, ValidationError
from typing_extensions import TypedDict

from langchain_visionrouter import ChatVisionRouter
from tests.wire import Stream, call, completion, tool_delta, usage

MODEL = "openai/gpt-4.1-mini"
JOKE = {"setup": "Why did the cat sit on the computer?", "punchline": "To keep an eye on the mouse."}


class Joke(BaseModel):
    """Joke to tell user."""

    setup: str = Field(description="question to set up a joke")
    punchline: str = Field(description="answer to resolve the joke")


class JokeDict(TypedDict):
    """Joke to tell user."""

    setup: Annotated[str, ..., "question to set up a joke"]
    punchline: Annotated[str, ..., "answer to resolve the joke"]


JOKE_SCHEMA = Joke.model_json_schema()
SCHEMAS: dict[str, Any] = {"pydantic": Joke, "typeddict": JokeDict, "json_schema": JOKE_SCHEMA}
TOOL_NAME = {"pydantic": "Joke", "typeddict": "JokeDict", "json_schema": "Joke"}


@pytest.fixture
def model(make_model: Any) -> ChatVisionRouter:
    return make_model(model=MODEL)  # type: ignore[no-any-return]


def reply(fake_router: Any, **kwargs: Any) -> None:
    kwargs.setdefault("use", usage(60, 20))
    fake_router.reply(json=completion(gen="gen-1754441600-Jk3pQ", model=MODEL, provider="OpenAI", **kwargs))


def joke_call(name: str, arguments: Any = None) -> dict[str, Any]:
    return call("call_Jk3pQ", name, JOKE if arguments is None else arguments)


def expected(kind: str) -> Any:
    return Joke(**JOKE) if kind == "pydantic" else JOKE


class OptionsSeen(BaseCallbackHandler):
    def __init__(self) -> None:
        self.options: list[Any] = []

    def on_chat_model_start(self, serialized: Any, messages: Any, *, options: Any = None, **kwargs: Any) -> None:
        self.options.append(options)


# -- function_calling (the default) ------------------------------------------------------


@pytest.mark.parametrize("kind", list(SCHEMAS))
def test_function_calling_forces_the_schema_tool(fake_router: Any, model: ChatVisionRouter, kind: str) -> None:
    reply(fake_router, tool_calls=[joke_call(TOOL_NAME[kind])], finish="tool_calls")
    seen = OptionsSeen()
    result = model.with_structured_output(SCHEMAS[kind]).invoke("A joke", config={"callbacks": [seen]})
    assert result == expected(kind)

    body = fake_router.requests[0].json
    [sent_tool] = body["tools"]
    assert sent_tool["type"] == "function"
    assert sent_tool["function"]["name"] == TOOL_NAME[kind]
    assert sent_tool["function"]["parameters"]["required"] == ["setup", "punchline"]
    assert body["tool_choice"] == {"type": "function", "function": {"name": TOOL_NAME[kind]}}
    assert body["parallel_tool_calls"] is False
    assert "response_format" not in body and "provider" not in body
    # LangSmith sees the schema, as LangChain's standard tests require
    assert seen.options[0]["ls_structured_output_format"]["schema"] == convert_to_json_schema(SCHEMAS[kind])
    assert "ls_structured_output_format" not in body


def test_function_calling_streams_growing_objects(fake_router: Any, model: ChatVisionRouter) -> None:
    s = Stream(gen="gen-1754441600-Jk3pQ", model=MODEL, provider="OpenAI")
    args = json.dumps(JOKE)
    events = [s.chunk(tool_delta(0, call_id="call_Jk3pQ", name="JokeDict", arguments=""))]
    events += [s.chunk(tool_delta(0, arguments=args[i : i + 12])) for i in range(0, len(args), 12)]
    fake_router.reply_sse([*events, *s.end(finish="tool_calls", use=usage(60, 20)), "[DONE]"])
    parts = list(model.with_structured_output(JokeDict).stream("A joke"))
    assert len(parts) > 1
    assert parts[-1] == JOKE


def test_strict_function_calling(fake_router: Any, model: ChatVisionRouter) -> None:
    reply(fake_router, tool_calls=[joke_call("Joke")], finish="tool_calls")
    model.with_structured_output(Joke, strict=True).invoke("A joke")
    function = fake_router.requests[0].json["tools"][0]["function"]
    assert function["strict"] is True
    assert function["parameters"]["additionalProperties"] is False


# -- json_schema ----------------------------------------------------------------------------


@pytest.mark.parametrize("kind", list(SCHEMAS))
def test_json_schema_sends_response_format_and_require_parameters(
    fake_router: Any, model: ChatVisionRouter, kind: str
) -> None:
    reply(fake_router, content=json.dumps(JOKE))
    seen = OptionsSeen()
    result = model.with_structured_output(SCHEMAS[kind], method="json_schema").invoke(
        "A joke", config={"callbacks": [seen]}
    )
    assert result == expected(kind)
    body = fake_router.requests[0].json
    schema = convert_to_json_schema(SCHEMAS[kind])
    assert body["response_format"] == {
        "type": "json_schema",
        "json_schema": {"name": TOOL_NAME[kind], "schema": schema, "description": "Joke to tell user."},
    }
    assert body["provider"] == {"require_parameters": True}
    assert "tools" not in body and "tool_choice" not in body
    assert seen.options[0]["ls_structured_output_format"]["schema"] == schema


def test_json_schema_keeps_the_users_provider_preferences(fake_router: Any) -> None:
    reply(fake_router, content=json.dumps(JOKE))
    with ChatVisionRouter(
        model=MODEL,
        api_key="k",
        base_url=fake_router.url,
        provider={"order": ["OpenAI", "Azure"], "allow_fallbacks": False},
    ) as llm:
        llm.with_structured_output(Joke, method="json_schema", strict=True).invoke("A joke")
    body = fake_router.requests[0].json
    assert body["provider"] == {"order": ["OpenAI", "Azure"], "allow_fallbacks": False, "require_parameters": True}
    spec = body["response_format"]["json_schema"]
    assert spec["strict"] is True
    # strict mode needs a closed schema
    assert spec["schema"]["additionalProperties"] is False
    assert spec["schema"]["required"] == ["setup", "punchline"]
    assert spec["schema"]["title"] == "Joke"


def test_strict_json_schema_closes_nested_objects_and_requires_optionals(
    fake_router: Any, model: ChatVisionRouter
) -> None:
    class Place(BaseModel):
        city: str
        country: str | None = None

    class Trip(BaseModel):
        """A trip."""

        stops: list[Place]

    reply(fake_router, content='{"stops": [{"city": "Paris", "country": null}]}')
    seen = OptionsSeen()
    out = model.with_structured_output(Trip, method="json_schema", strict=True).invoke(
        "A trip", config={"callbacks": [seen]}
    )
    assert out == Trip(stops=[Place(city="Paris")])
    schema = fake_router.requests[0].json["response_format"]["json_schema"]["schema"]
    place = schema["properties"]["stops"]["items"]
    assert schema["additionalProperties"] is False and place["additionalProperties"] is False
    assert place["required"] == ["city", "country"]
    # LangSmith still sees the schema as given
    assert seen.options[0]["ls_structured_output_format"]["schema"] == convert_to_json_schema(Trip)


def test_json_schema_name_is_made_safe(fake_router: Any, model: ChatVisionRouter) -> None:
    reply(fake_router, content="{}")
    schema = {"title": "My joke (v2)", "type": "object", "properties": {}}
    model.with_structured_output(schema, method="json_schema").invoke("A joke")
    assert fake_router.requests[0].json["response_format"]["json_schema"]["name"] == "My_joke__v2_"


def test_json_schema_streams(fake_router: Any, model: ChatVisionRouter) -> None:
    s = Stream(gen="gen-1754441600-Jk3pQ", model=MODEL, provider="OpenAI")
    text = json.dumps(JOKE)
    pieces = [text[i : i + 10] for i in range(0, len(text), 10)]
    fake_router.reply_sse([*s.text(pieces, use=usage(60, 20)), "[DONE]"])
    parts = list(model.with_structured_output(JOKE_SCHEMA, method="json_schema").stream("A joke"))
    assert len(parts) > 1 and parts[-1] == JOKE
    assert fake_router.requests[0].json["provider"] == {"require_parameters": True}


# -- json_mode ------------------------------------------------------------------------------


@pytest.mark.parametrize("kind", [*SCHEMAS, "none"])
def test_json_mode(fake_router: Any, model: ChatVisionRouter, kind: str) -> None:
    reply(fake_router, content="```json\n" + json.dumps(JOKE) + "\n```")
    schema = SCHEMAS.get(kind)
    result = model.with_structured_output(schema, method="json_mode").invoke("A joke, as JSON")
    assert result == (expected(kind) if kind != "none" else JOKE)
    body = fake_router.requests[0].json
    assert body["response_format"] == {"type": "json_object"}
    assert "tools" not in body and "provider" not in body


# -- include_raw ----------------------------------------------------------------------------


@pytest.mark.parametrize("method", ["function_calling", "json_schema", "json_mode"])
def test_include_raw_success(fake_router: Any, model: ChatVisionRouter, method: str) -> None:
    if method == "function_calling":
        reply(fake_router, tool_calls=[joke_call("Joke")], finish="tool_calls")
    else:
        reply(fake_router, content=json.dumps(JOKE))
    out = model.with_structured_output(Joke, method=method, include_raw=True).invoke("A joke")  # type: ignore[arg-type]
    assert set(out) == {"raw", "parsed", "parsing_error"}
    assert out["parsed"] == Joke(**JOKE)
    assert out["parsing_error"] is None
    assert out["raw"].usage_metadata["input_tokens"] == 60
    assert out["raw"].response_metadata["id"] == "gen-1754441600-Jk3pQ"


@pytest.mark.parametrize("method", ["function_calling", "json_schema", "json_mode"])
def test_include_raw_reports_the_failure(fake_router: Any, model: ChatVisionRouter, method: str) -> None:
    reply(fake_router, content="Sorry, I only tell dog jokes.")
    out = model.with_structured_output(Joke, method=method, include_raw=True).invoke("A joke")  # type: ignore[arg-type]
    assert out["parsed"] is None
    assert isinstance(out["parsing_error"], OutputParserException)
    assert out["raw"].content == "Sorry, I only tell dog jokes."


# -- parsing failures are raised --------------------------------------------------------------


@pytest.mark.parametrize("kind", list(SCHEMAS))
def test_no_tool_call_is_an_error_not_none(fake_router: Any, model: ChatVisionRouter, kind: str) -> None:
    reply(fake_router, content="Here is a joke: ...")
    with pytest.raises(OutputParserException, match=f"did not call '{TOOL_NAME[kind]}'.*Here is a joke"):
        model.with_structured_output(SCHEMAS[kind]).invoke("A joke")


@pytest.mark.parametrize("kind", list(SCHEMAS))
def test_malformed_tool_arguments_are_an_error(fake_router: Any, model: ChatVisionRouter, kind: str) -> None:
    reply(fake_router, tool_calls=[joke_call(TOOL_NAME[kind], '{"setup": "Why", punchline}')], finish="tool_calls")
    with pytest.raises(OutputParserException, match="arguments could not be parsed") as info:
        model.with_structured_output(SCHEMAS[kind]).invoke("A joke")
    assert info.value.llm_output == '{"setup": "Why", punchline}'


def test_a_call_cut_off_at_the_token_limit_is_an_error(fake_router: Any) -> None:
    # Streamed, LangChain completes '{"setup": "Why' to {"setup": "Why"}: it must not pass for whole.
    s = Stream(gen="gen-1754441600-Jk3pQ", model=MODEL, provider="OpenAI")
    events = [
        s.chunk(tool_delta(0, call_id="call_Jk3pQ", name="JokeDict", arguments='{"setup": "Why')),
        *s.end(finish="length", use=usage(60, 20)),
    ]
    fake_router.reply_sse([*events, "[DONE]"])
    with (
        ChatVisionRouter(model=MODEL, api_key="k", base_url=fake_router.url, streaming=True) as llm,
        pytest.raises(OutputParserException, match="cut off at the token limit"),
    ):
        llm.with_structured_output(JokeDict).invoke("A joke")


def test_another_tool_called_is_an_error(fake_router: Any, model: ChatVisionRouter) -> None:
    reply(fake_router, tool_calls=[joke_call("Limerick")], finish="tool_calls")
    with pytest.raises(OutputParserException, match=r"did not call 'Joke'; it called \['Limerick'\]"):
        model.with_structured_output(Joke).invoke("A joke")


def test_refusal_is_reported(fake_router: Any, model: ChatVisionRouter) -> None:
    body = completion(gen="gen-1", model=MODEL, provider="OpenAI", content=None)
    body["choices"][0]["message"]["refusal"] = "I can't help with that."
    fake_router.reply(json=body)
    fake_router.reply(json=body)
    with pytest.raises(OutputParserException, match="refused instead of calling 'Joke': I can't help"):
        model.with_structured_output(Joke).invoke("A joke")
    with pytest.raises(OutputParserException, match="refused: I can't help"):
        model.with_structured_output(Joke, method="json_schema").invoke("A joke")


def test_pydantic_validation_failure_is_raised(fake_router: Any, model: ChatVisionRouter) -> None:
    reply(fake_router, tool_calls=[joke_call("Joke", {"setup": "Why?"})], finish="tool_calls")
    with pytest.raises(ValidationError, match="punchline"):
        model.with_structured_output(Joke).invoke("A joke")
    reply(fake_router, content='{"setup": "Why?"}')
    with pytest.raises(OutputParserException, match="punchline"):
        model.with_structured_output(Joke, method="json_schema").invoke("A joke")


class MaybeJoke(BaseModel):
    setup: str
    punchline: str | None = None


@pytest.mark.parametrize(
    ("method", "schema"),
    [
        ("json_mode", JOKE_SCHEMA),
        ("json_mode", MaybeJoke),
        ("json_mode", None),
        ("json_schema", JOKE_SCHEMA),
        ("json_schema", MaybeJoke),
    ],
)
def test_truncated_json_answer_is_an_error_that_says_why(
    fake_router: Any, model: ChatVisionRouter, schema: Any, method: str
) -> None:
    # LangChain's JSON parser would complete this to {"setup": "Why did the cat"} and pass it on.
    reply(fake_router, content='{"setup": "Why did the cat', finish="length", native="length")
    with pytest.raises(OutputParserException, match=r"Invalid json output.*cut off at the token limit"):
        model.with_structured_output(schema, method=method).invoke("A joke")  # type: ignore[arg-type]


# -- bad arguments ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"schema": None}, "needs a schema"),
        ({"schema": None, "method": "json_schema"}, "needs a schema"),
        ({"schema": Joke, "method": "xml"}, "method must be"),
        ({"schema": Joke, "tool_choice": "any"}, "Unexpected arguments"),
    ],
)
def test_bad_arguments(fake_router: Any, model: ChatVisionRouter, kwargs: dict[str, Any], message: str) -> None:
    with pytest.raises(ValueError, match=message):
        model.with_structured_output(**kwargs)
    assert fake_router.requests == []
