"""Cassettes for the agent loop (``tests/cassette_tests/test_agents.py``), written from the
router's documented wire format.

One loop, two ways: the user sends a photo (by URL) and asks for the weather chart of
the city in it; a reasoning model calls ``render_chart``; the tool returns the chart as
an image (base64); the model describes it. Each cassette holds both turns, and each
turn's request is exactly what the adapter must send (matched on JSON body on replay):
the photo as an image part, the tool's image as an image part of the tool message, and
the model's ``reasoning_details`` sent back on the assistant message.

- ``agent_loop_claude``: non-streamed, Anthropic's Claude Sonnet 4 served by Anthropic;
  signed ``reasoning.text`` details (``anthropic-claude-v1``).
- ``agent_loop_gemini_stream``: streamed (LangGraph's ``stream_mode="messages"`` makes the
  model stream), Gemini 2.5 Flash served by Google; reasoning text in fragments, then the
  whole tool call with its encrypted thought signature (``google-gemini-v1``), which must go
  back merged and intact.
"""

from __future__ import annotations

import base64
import json
from typing import Any

from tests.cassette_tools import OPENROUTER, exchange, sse
from tests.wire import Stream, completion, png, usage

CHAT_URL = OPENROUTER + "/chat/completions"
SYSTEM = "You are a weather assistant. Use the tools, and describe charts precisely."
QUESTION = "Which city is this? Show me its weather chart and tell me what it says."
PHOTO_URL = "https://upload.wikimedia.org/wikipedia/commons/a/a8/Tour_Eiffel_Wikimedia_Commons.jpg"
CHART = png(120, 80, seed=3)
CHART_B64 = base64.b64encode(CHART).decode()

RENDER_CHART = {
    "type": "function",
    "function": {
        "name": "render_chart",
        "description": "Render today's weather chart for a city, as an image.",
        "parameters": {"type": "object", "properties": {"city": {"type": "string"}}, "required": ["city"]},
    },
}
FIRST_TURN = [
    {"role": "system", "content": SYSTEM},
    {
        "role": "user",
        "content": [{"type": "text", "text": QUESTION}, {"type": "image_url", "image_url": {"url": PHOTO_URL}}],
    },
]
TOOL_RESULT_CONTENT = [
    {"type": "text", "text": "Weather chart for Paris:"},
    {"type": "image_url", "image_url": {"url": f"data:image/png;base64,{CHART_B64}"}},
]


def request(model: str, messages: list[dict[str, Any]], reasoning: dict[str, Any], *, stream: bool) -> dict[str, Any]:
    body: dict[str, Any] = {"model": model, "messages": messages, "tools": [RENDER_CHART], "reasoning": reasoning}
    if stream:
        body["stream"] = True
        body["stream_options"] = {"include_usage": True}
    return body


def second_turn(call_id: str, details: list[dict[str, Any]], *, content: str | None) -> list[dict[str, Any]]:
    assistant = {
        "role": "assistant",
        "content": content,
        "tool_calls": [
            {"id": call_id, "type": "function", "function": {"name": "render_chart", "arguments": '{"city": "Paris"}'}}
        ],
        "reasoning_details": details,
    }
    return [*FIRST_TURN, assistant, {"role": "tool", "tool_call_id": call_id, "content": TOOL_RESULT_CONTENT}]


# -- Claude, non-streamed -----------------------------------------------------------------------

CLAUDE = "anthropic/claude-sonnet-4"
CLAUDE_REASONING_REQUEST = {"max_tokens": 2048}
CLAUDE_PRICES = {"prompt_price": 3e-6, "completion_price": 15e-6}
CLAUDE_CALL = "toolu_01XFDUDYJgAACzvnptvVoYEL"
CLAUDE_THINKING = (
    "The photo shows the Eiffel Tower seen from the Champ de Mars, so the city is Paris. "
    "I should render the Paris chart and then describe it."
)
CLAUDE_DETAILS = [
    {
        "type": "reasoning.text",
        "text": CLAUDE_THINKING,
        "signature": "EqQBCkgIBhABGAIiQL8vYmS9dXKx0ZbtQx7QmFqRZ0d3KX0sVYcB1Zp3Nt4pGf0HhWw1a9Qe3mLk5sCz7yJt2uVb8nRo4aE6"
        "XdP1gEgwHk3m2yQ8pZ0rT4sUaAxoMc2lnbmF0dXJlLXRleHQ=",
        "format": "anthropic-claude-v1",
        "index": 0,
    }
]
CLAUDE_PREAMBLE = "This is the Eiffel Tower, so the city is Paris. Let me render its weather chart."
CLAUDE_FINAL = (
    "The city is Paris. Today's chart is split into four bands: green for the morning, teal around midday, "
    "purple for the afternoon and pink for the evening - a dry start, with conditions changing after midday."
)
claude_first = completion(
    gen="gen-1754472001-QpW3nZk8vRt2LmY6sXa1",
    model=CLAUDE,
    provider="Anthropic",
    content=CLAUDE_PREAMBLE,
    reasoning=CLAUDE_THINKING,
    reasoning_details=CLAUDE_DETAILS,
    tool_calls=[
        {
            "id": CLAUDE_CALL,
            "index": 0,
            "type": "function",
            "function": {"name": "render_chart", "arguments": '{"city": "Paris"}'},
        }
    ],
    finish="tool_calls",
    native="tool_use",
    use=usage(1712, 118, reasoning=43, **CLAUDE_PRICES),
    created=1754472001,
)
claude_second = completion(
    gen="gen-1754472009-Hd7Ks2PqLw9XcV4bNe0T",
    model=CLAUDE,
    provider="Anthropic",
    content=CLAUDE_FINAL,
    finish="stop",
    native="end_turn",
    use=usage(2368, 61, **CLAUDE_PRICES),
    created=1754472009,
)

# -- Gemini, streamed ---------------------------------------------------------------------------

GEMINI = "google/gemini-2.5-flash"
GEMINI_REASONING_REQUEST = {"effort": "low"}
GEMINI_PRICES = {"prompt_price": 0.3e-6, "completion_price": 2.5e-6}
GEMINI_CALL = "tool_0_render_chart_Xw4hN8qTz2LpR6vKb1Ym"
GEMINI_THOUGHTS = [
    "**Identifying the landmark** The photo shows the Eiffel Tower, ",
    "so the city is Paris. I'll fetch its chart.",
]
GEMINI_SIGNATURE = "CiQB0e2Kb1L3o9VxMqE7kQ2fYtR8nH4sWpZ6cJ0aDgU5mB3vXy8SLQHR0e2KbJ4tQ9mWz7sPq2LrV1kN6cY3hF8xD0aZ5gU"
GEMINI_DETAILS = [
    {"type": "reasoning.text", "text": "".join(GEMINI_THOUGHTS), "format": "google-gemini-v1", "index": 0},
    {
        "type": "reasoning.encrypted",
        "data": GEMINI_SIGNATURE,
        "id": GEMINI_CALL,
        "format": "google-gemini-v1",
        "index": 1,
    },
]
GEMINI_FINAL = (
    "It's Paris. The chart shows four colour bands - green in the morning, teal at midday, purple in the "
    "afternoon and pink in the evening - so the weather changes through the day."
)


def gemini_first() -> str:
    s = Stream(gen="gen-1754472101-Tz8mQ1vLp4NwR7kXc2Sd", model=GEMINI, provider="Google", created=1754472101)
    events = []
    for piece in GEMINI_THOUGHTS:
        detail = {"type": "reasoning.text", "text": piece, "format": "google-gemini-v1", "index": 0}
        events.append(s.chunk({"reasoning": piece, "reasoning_details": [detail]}))
    whole_call = {
        "index": 0,
        "id": GEMINI_CALL,
        "type": "function",
        "function": {"name": "render_chart", "arguments": json.dumps({"city": "Paris"}, separators=(",", ":"))},
    }
    events.append(s.chunk({"tool_calls": [whole_call], "reasoning_details": [GEMINI_DETAILS[1]]}))
    events += s.end(
        finish="tool_calls", native="STOP", use=usage(1398, 92, reasoning=61, **GEMINI_PRICES), shape="repeat_finish"
    )
    return sse(events, comments=4)


def gemini_second() -> str:
    s = Stream(gen="gen-1754472106-Bv5nW9kRq3XzL8tMp0Hc", model=GEMINI, provider="Google", created=1754472106)
    words = GEMINI_FINAL.split(" ")
    pieces = [" ".join(words[i : i + 6]) + (" " if i + 6 < len(words) else "") for i in range(0, len(words), 6)]
    events = s.text(pieces, native="STOP", use=usage(1874, 47, **GEMINI_PRICES), shape="empty_delta", lead=False)
    return sse(events, comments=2)


CASSETTES = {
    "agent_loop_claude": [
        exchange(request(CLAUDE, FIRST_TURN, CLAUDE_REASONING_REQUEST, stream=False), claude_first, url=CHAT_URL),
        exchange(
            request(
                CLAUDE,
                second_turn(CLAUDE_CALL, CLAUDE_DETAILS, content=CLAUDE_PREAMBLE),
                CLAUDE_REASONING_REQUEST,
                stream=False,
            ),
            claude_second,
            url=CHAT_URL,
        ),
    ],
    "agent_loop_gemini_stream": [
        exchange(request(GEMINI, FIRST_TURN, GEMINI_REASONING_REQUEST, stream=True), gemini_first(), url=CHAT_URL),
        exchange(
            request(
                GEMINI, second_turn(GEMINI_CALL, GEMINI_DETAILS, content=None), GEMINI_REASONING_REQUEST, stream=True
            ),
            gemini_second(),
            url=CHAT_URL,
        ),
    ],
}
