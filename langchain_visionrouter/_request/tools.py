"""Tools and structured output: the request side (tool specs, ``tool_choice``,
``response_format``) and the parsers that read structured answers back.

Pure functions and output parsers, no I/O. The parsers report every failure: a model
that answers without the expected tool call, with arguments that are not JSON, or with
a refusal raises ``OutputParserException`` (or, with ``include_raw=True``, fills
``parsing_error``); nothing comes back as a silent ``None``.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Mapping, Sequence
from operator import itemgetter
from typing import Any

from langchain_core.exceptions import OutputParserException
from langchain_core.messages import AIMessage
from langchain_core.output_parsers import JsonOutputParser, PydanticOutputParser
from langchain_core.output_parsers.openai_tools import JsonOutputKeyToolsParser, PydanticToolsParser
from langchain_core.outputs import ChatGeneration, Generation
from langchain_core.runnables import Runnable, RunnableMap, RunnablePassthrough
from langchain_core.tools import BaseTool
from langchain_core.utils.function_calling import (
    convert_to_json_schema,
    convert_to_openai_function,
    convert_to_openai_tool,
)
from langchain_core.utils.json import parse_json_markdown
from langchain_core.utils.pydantic import is_basemodel_subclass

from langchain_visionrouter._request.params import merge_params

__all__ = [
    "JsonAnswerParser",
    "PydanticAnswerParser",
    "PydanticToolCallParser",
    "ToolCallArgsParser",
    "format_tools",
    "is_server_tool",
    "json_schema_format",
    "structured_output",
    "tool_choice",
]

ToolLike = dict[str, Any] | type | Callable[..., Any] | BaseTool
_NAME_UNSAFE = re.compile(r"[^a-zA-Z0-9_-]")


def format_tools(tools: Sequence[ToolLike], *, strict: bool | None = None) -> list[dict[str, Any]]:
    """Tools in the chat-completions form ``{"type": "function", "function": {...}}``.

    Accepts LangChain tools, functions, pydantic models, TypedDicts, JSON schemas,
    Anthropic-style dicts and chat-completions dicts. ``strict`` is set on every
    function, also on dicts given ready-made (LangChain's converter leaves those as is).
    The router's own server tools (``{"type": "openrouter:web_search", "parameters": {...}}``,
    ``openrouter:datetime``... and OpenAI's ``web_search`` shorthands) are sent unchanged.
    """
    formatted = []
    for i, tool in enumerate(tools):
        if is_server_tool(tool):  # the router runs it: sent unchanged
            formatted.append(dict(tool))  # type: ignore[arg-type]
            continue
        try:
            spec = convert_to_openai_tool(tool, strict=strict)
        except (TypeError, ValueError) as exc:
            msg = (
                f"tools[{i}]: cannot be turned into a tool ({exc}); pass a LangChain tool, a function, "
                "a pydantic model, a TypedDict or a tool dict."
            )
            raise ValueError(msg) from exc
        if strict is not None and spec.get("type") == "function" and isinstance(spec.get("function"), Mapping):
            spec = {**spec, "function": {**spec["function"], "strict": strict}}
        formatted.append(spec)
    return formatted


# OpenAI's web-search shorthands, which OpenRouter turns into openrouter:web_search.
_SERVER_TOOL_SHORTHANDS = frozenset(
    {"web_search", "web_search_preview", "web_search_preview_2025_03_11", "web_search_2025_08_26"}
)


def is_server_tool(tool: Any) -> bool:
    """Whether ``tool`` is one the router runs itself (``{"type": "openrouter:web_search", ...}``)."""
    kind = tool.get("type") if isinstance(tool, Mapping) else None
    return isinstance(kind, str) and (kind.startswith("openrouter:") or kind in _SERVER_TOOL_SHORTHANDS)


def _function_names(tools: Sequence[Mapping[str, Any]]) -> list[str]:
    return [t["function"]["name"] for t in tools if isinstance(t.get("function"), Mapping) and "name" in t["function"]]


def tool_choice(choice: dict[str, Any] | str | bool, tools: Sequence[Mapping[str, Any]]) -> dict[str, Any] | str:
    """The chat-completions ``tool_choice`` for LangChain's forms of it.

    ``"auto"``, ``"none"`` and ``"required"`` go as they are, ``"any"`` means
    ``"required"``, a tool's name (or ``True`` with a single tool) forces that tool, and
    a dict is sent as given once the tool it names is known to be bound.
    """
    names = _function_names(tools)
    if isinstance(choice, bool):
        if choice is True and len(names) == 1:
            return {"type": "function", "function": {"name": names[0]}}
        raise ValueError(f"tool_choice=True needs exactly one tool to force, got {len(names)}: {names}.")
    if isinstance(choice, dict):
        function = choice.get("function")
        if choice.get("type") == "function" and isinstance(function, Mapping) and function.get("name") not in names:
            raise ValueError(f"tool_choice names {function.get('name')!r}, which is not a bound tool: {names}.")
        return choice
    if choice in ("auto", "none", "required"):
        return choice
    if choice == "any":
        return "required"
    if isinstance(choice, str):
        if choice not in names:
            msg = (
                f"tool_choice={choice!r} is neither 'auto', 'none', 'any', 'required' nor the name of "
                f"a bound tool: {names}."
            )
            raise ValueError(msg)
        return {"type": "function", "function": {"name": choice}}
    raise ValueError(f"tool_choice must be a string, True or a dict, not {type(choice).__name__}.")


def json_schema_format(schema: dict[str, Any] | type, *, strict: bool | None = None) -> dict[str, Any]:
    """``response_format`` asking for JSON that follows ``schema``.

    With ``strict=True`` the schema is closed as strict mode requires (every object gets
    ``additionalProperties: false`` and lists all its properties as required).
    """
    json_schema = convert_to_json_schema(schema)
    # The name must match ^[a-zA-Z0-9_-]{1,64}$ on OpenAI and the routers that copy it.
    name = _NAME_UNSAFE.sub("_", str(json_schema.get("title") or "output"))[:64]
    sent = json_schema
    if strict:
        sent = {k: v for k, v in json_schema.items() if k in ("title", "description")}
        sent.update(convert_to_openai_function(schema, strict=True)["parameters"])
    spec: dict[str, Any] = {"name": name, "schema": sent}
    if json_schema.get("description"):
        spec["description"] = json_schema["description"]
    if strict is not None:
        spec["strict"] = strict
    return {"type": "json_schema", "json_schema": spec}


# ---------------------------------------------------------------------------
# Parsers that report failures


def _message(result: list[Generation]) -> AIMessage | None:
    generation = result[0] if result else None
    if isinstance(generation, ChatGeneration) and isinstance(generation.message, AIMessage):
        return generation.message
    return None


def _check_tool_called(result: list[Generation], name: str) -> None:
    """Raise unless the answer holds a valid, complete call of ``name``."""
    message = _message(result)
    if message is None:
        return
    if message.response_metadata.get("finish_reason") == "length":
        # A streamed answer's arguments were completed by LangChain's lenient JSON
        # parser; cut off, they would pass for whole.
        msg = (
            f"The answer was cut off at the token limit (finish_reason 'length'), so the call of {name!r} "
            "may be incomplete; raise max_tokens."
        )
        raise OutputParserException(msg, llm_output=message.text)
    if any(tc["name"] == name for tc in message.tool_calls):
        return
    for bad in message.invalid_tool_calls:
        if bad.get("name") in (name, None):
            msg = f"The model called {name!r} but its arguments could not be parsed: {bad.get('error')}."
            raise OutputParserException(msg, llm_output=bad.get("args") or "")
    refusal = message.additional_kwargs.get("refusal")
    if refusal:
        raise OutputParserException(f"The model refused instead of calling {name!r}: {refusal}", llm_output=refusal)
    called = [tc["name"] for tc in message.tool_calls]
    what = f"called {called} instead" if called else f"answered in text instead: {message.text[:300]!r}"
    raise OutputParserException(f"The model did not call {name!r}; it {what}.", llm_output=message.text)


def _cause(result: list[Generation]) -> str | None:
    """The likely reason an answer would not parse: a refusal or a cut-off answer."""
    message = _message(result)
    if message is None:
        return None
    refusal = message.additional_kwargs.get("refusal")
    if refusal:
        return f"the model refused: {refusal}"
    if message.response_metadata.get("finish_reason") == "length":
        return "the answer was cut off at the token limit (finish_reason 'length'); raise max_tokens"
    return None


def _failure(problem: str, result: list[Generation], llm_output: str) -> OutputParserException:
    cause = _cause(result)
    return OutputParserException(f"{problem}; {cause}" if cause else problem, llm_output=llm_output)


class ToolCallArgsParser(JsonOutputKeyToolsParser):
    """The arguments (a dict) of the first call of tool ``key_name``; raises if there is none."""

    def parse_result(self, result: list[Generation], *, partial: bool = False) -> Any:
        if not partial:
            _check_tool_called(result, self.key_name)
        return super().parse_result(result, partial=partial)


class PydanticToolCallParser(PydanticToolsParser):
    """The first call of tool ``tool_name`` as a pydantic object; raises if there is none."""

    tool_name: str

    def parse_result(self, result: list[Generation], *, partial: bool = False) -> Any:
        if not partial:
            _check_tool_called(result, self.tool_name)
        return super().parse_result(result, partial=partial)


def _whole_json(result: list[Generation]) -> Any:
    """The answer's JSON, parsed strictly (LangChain's parser completes cut-off JSON)."""
    text = result[0].text.strip() if result else ""
    try:
        return parse_json_markdown(text, parser=json.loads)
    except json.JSONDecodeError as exc:
        raise _failure(f"Invalid json output: {text[:300]!r} ({exc})", result, text) from exc


class JsonAnswerParser(JsonOutputParser):
    """A JSON answer (``json_schema`` / ``json_mode``); errors say why it failed.

    While streaming, partial JSON gives growing objects; the final answer must be whole.
    """

    def parse_result(self, result: list[Generation], *, partial: bool = False) -> Any:
        if partial:
            return super().parse_result(result, partial=True)
        return _whole_json(result)


class PydanticAnswerParser(PydanticOutputParser):  # type: ignore[type-arg]
    """A JSON answer validated into a pydantic model; errors say why it failed."""

    def parse_result(self, result: list[Generation], *, partial: bool = False) -> Any:
        if partial:
            return super().parse_result(result, partial=True)
        obj = _whole_json(result)
        try:
            return self._parse_obj(obj)
        except OutputParserException as exc:
            if _cause(result) is None:
                raise
            problem = str(exc).split("\nFor troubleshooting")[0]  # LangChain appends a help link
            raise _failure(problem, result, json.dumps(obj)) from exc


def structured_output(
    llm: Any,
    schema: dict[str, Any] | type | None,
    *,
    method: str,
    include_raw: bool,
    strict: bool | None,
) -> Runnable[Any, Any]:
    """The runnable behind ``ChatVisionRouter.with_structured_output`` (see its docstring)."""
    is_pydantic = isinstance(schema, type) and is_basemodel_subclass(schema)
    parser: Runnable[Any, Any]
    bound: Runnable[Any, Any]
    if method == "function_calling":
        if schema is None:
            raise ValueError("method='function_calling' needs a schema.")
        tool = convert_to_openai_tool(schema, strict=strict)
        name = tool["function"]["name"]
        bound = llm.bind_tools(
            [schema],
            tool_choice=name,
            strict=strict,
            parallel_tool_calls=False,
            ls_structured_output_format={"kwargs": {"method": method, "strict": strict}, "schema": tool},
        )
        if is_pydantic:
            parser = PydanticToolCallParser(tools=[schema], first_tool_only=True, tool_name=name)  # type: ignore[list-item]
        else:
            parser = ToolCallArgsParser(key_name=name, first_tool_only=True)
    elif method == "json_schema":
        if schema is None:
            raise ValueError("method='json_schema' needs a schema.")
        # Without require_parameters the router may route to a provider that silently ignores
        # response_format. The constructor's preferences are kept (and merged with per-call ones).
        provider = dict(merge_params("provider", llm.provider, {"require_parameters": True}))
        bound = llm.bind(
            response_format=json_schema_format(schema, strict=strict),
            provider=provider,
            ls_structured_output_format={
                "kwargs": {"method": method, "strict": strict},
                "schema": convert_to_json_schema(schema),
            },
        )
        parser = PydanticAnswerParser(pydantic_object=schema) if is_pydantic else JsonAnswerParser()  # type: ignore[arg-type]
    elif method == "json_mode":
        bound = llm.bind(
            response_format={"type": "json_object"},
            ls_structured_output_format={"kwargs": {"method": method}, "schema": schema},
        )
        parser = PydanticAnswerParser(pydantic_object=schema) if is_pydantic else JsonAnswerParser()  # type: ignore[arg-type]
    else:
        raise ValueError(f"method must be 'function_calling', 'json_schema' or 'json_mode', not {method!r}.")

    if not include_raw:
        return bound | parser
    parser_assign = RunnablePassthrough.assign(parsed=itemgetter("raw") | parser, parsing_error=lambda _: None)
    parser_none = RunnablePassthrough.assign(parsed=lambda _: None)
    parser_with_fallback = parser_assign.with_fallbacks([parser_none], exception_key="parsing_error")
    return RunnableMap(raw=bound) | parser_with_fallback
