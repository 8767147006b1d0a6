"""Cassettes for LangChain's standard integration suite (``tests/integration_tests/test_standard.py``).

Written from the router's documented wire format, not recorded: each interaction is the
request the test makes (checked on replay: method, URL and JSON body must match) and an
answer shaped like OpenRouter's, for ``google/gemini-2.0-flash-001`` served by Google:
``gen-`` ids, ``provider``, ``model``, ``finish_reason`` with Gemini's
``native_finish_reason`` (``STOP``, ``MAX_TOKENS``), tool calls sent whole in one
fragment (as Gemini does), ``role`` and an empty ``content`` repeated in deltas,
``: OPENROUTER PROCESSING`` comments, and usage with cost on the last chunk in each of
the three recorded shapes in turn.

Files the tests download (an image, a PDF, a WAV) are small stand-ins made here, and the
model's descriptions describe the stand-ins; answers about an image sent by URL describe
the image at that URL.
"""

from __future__ import annotations

import base64
import hashlib
import json
import struct
from itertools import cycle
from typing import Any

from tests.cassette_tools import OPENROUTER, exchange, sse
from tests.wire import Stream, completion, png, usage

MODEL = "google/gemini-2.0-flash-001"
PROVIDER = "Google"
PRICES = {"prompt_price": 0.1e-6, "completion_price": 0.4e-6}
OVERRIDE_MODEL = "openai/gpt-4.1-mini"
REASONING_MODEL = "google/gemini-2.5-flash"
REASONING_MAX_TOKENS = 1024
REASONING_BUDGET = 512
REASONING_QUESTION = "Why is the sky blue? Answer in one sentence."
CACHE_MODEL = "anthropic/claude-sonnet-4"
CACHE_QUESTION = "Which image format in the guide keeps transparency and is lossless? One word."

STANDARD = "TestChatVisionRouterStandard"
JSON_SCHEMA = "TestChatVisionRouterJsonSchema"
CHAT_URL = OPENROUTER + "/chat/completions"

# ---------------------------------------------------------------------------
# The files the standard tests download

IMAGE_URL = (
    "https://raw.githubusercontent.com/langchain-ai/docs/4d11d08b6b0e210bd456943f7a22febbd168b543"
    "/src/images/agentic-rag-output.png"
)
PDF_URL = "https://www.w3.org/WAI/ER/tests/xhtml/testfiles/resources/pdf/dummy.pdf"
AUDIO_URL = "https://upload.wikimedia.org/wikipedia/commons/6/6a/Northern_Flicker_202280456.wav"


def _pdf() -> bytes:
    """A one-page PDF saying "Dummy PDF file", with a correct cross-reference table."""
    stream = b"BT /F1 24 Tf 72 720 Td (Dummy PDF file) Tj ET"
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents 4 0 R "
        b"/Resources << /Font << /F1 5 0 R >> >> >>",
        b"<< /Length %d >>\nstream\n%s\nendstream" % (len(stream), stream),
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
    ]
    out = b"%PDF-1.4\n"
    offsets = []
    for number, body in enumerate(objects, 1):
        offsets.append(len(out))
        out += b"%d 0 obj\n%s\nendobj\n" % (number, body)
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    out += b"".join(b"%010d 00000 n \n" % offset for offset in offsets)
    out += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (len(objects) + 1, xref)
    return out


def _wav() -> bytes:
    """A quarter of a second of a two-note chirp (8 kHz, 8-bit mono)."""
    rate, samples = 8000, 2000
    data = bytes(128 + (40 if (i * (12 if i < 1000 else 9)) % 40 < 20 else -40) for i in range(samples))
    header = b"RIFF" + struct.pack("<I", 36 + len(data)) + b"WAVE"
    header += b"fmt " + struct.pack("<IHHIIHH", 16, 1, 1, rate, rate, 1, 8)
    return header + b"data" + struct.pack("<I", len(data)) + data


IMAGE = png(160, 96, seed=2)
IMAGE_B64 = base64.b64encode(IMAGE).decode()
PDF_B64 = base64.b64encode(_pdf()).decode()
AUDIO_B64 = base64.b64encode(_wav()).decode()


def download(url: str, data: bytes, content_type: str) -> dict[str, Any]:
    """The GET a standard test makes for a test file, answered with the stand-in."""
    return {
        "request": {"body": "", "headers": {}, "method": "GET", "uri": url},
        "response": {
            "body": {"string": data},
            "headers": {"Content-Type": [content_type], "Content-Length": [str(len(data))]},
            "status": {"code": 200, "message": "OK"},
        },
    }


# ---------------------------------------------------------------------------
# Requests (as the adapter must send them) and answers (as the router sends them)


def user(content: Any, **extra: Any) -> dict[str, Any]:
    return {"role": "user", "content": content, **extra}


def text(value: str) -> dict[str, Any]:
    return {"type": "text", "text": value}


def image_part(url: str) -> dict[str, Any]:
    return {"type": "image_url", "image_url": {"url": url}}


def assistant_calls(*calls: tuple[str, str, dict[str, Any]], content: str | None = None) -> dict[str, Any]:
    return {
        "role": "assistant",
        "content": content,
        "tool_calls": [
            {"id": call_id, "type": "function", "function": {"name": name, "arguments": json.dumps(args)}}
            for call_id, name, args in calls
        ],
    }


def tool_result(call_id: str, content: Any) -> dict[str, Any]:
    return {"role": "tool", "tool_call_id": call_id, "content": content}


def ask(messages: list[dict[str, Any]], *, stream: bool = False, **extra: Any) -> dict[str, Any]:
    """A request body. The integration suite sets no sampling parameters, so none are sent."""
    body: dict[str, Any] = {"model": MODEL, "messages": messages, **extra}
    if stream:
        body["stream"] = True
        body["stream_options"] = {"include_usage": True}
    return body


def function(name: str, description: str, properties: dict[str, Any], required: list[str] | None) -> dict[str, Any]:
    parameters: dict[str, Any] = {"type": "object", "properties": properties}
    if required is not None:
        parameters["required"] = required
    return {"type": "function", "function": {"name": name, "description": description, "parameters": parameters}}


def forced(name: str) -> dict[str, Any]:
    return {"type": "function", "function": {"name": name}}


STRING = {"type": "string"}
MAGIC_FUNCTION = function(
    "magic_function",
    "Apply a magic function to an input.",
    {"input": {"exclusiveMaximum": 1000, "exclusiveMinimum": -1000, "type": "integer"}},
    ["input"],
)
MAGIC_FUNCTION_NO_ARGS = function("magic_function_no_args", "Calculate a magic function.", {}, None)
ADDER = function(
    "my_adder_tool",
    # (the docstring's indentation, as LangChain keeps it: the tool is defined inside a fixture)
    "Tool that adds two integers.\n\n            Takes two integers, a and b, and returns their sum.",
    {"a": {"type": "integer"}, "b": {"type": "integer"}},
    ["a", "b"],
)
GREETING = function(
    "greeting_generator",
    "Generate a greeting in a particular style of speaking.",
    {"answer_style": STRING},
    ["answer_style"],
)
WEATHER_CHOICE = function("get_weather", "Get weather at a location.", {"location": STRING}, ["location"])
WEATHER_AGENT = function("get_weather", "Get the weather at a location.", {"location": STRING}, ["location"])
RANDOM_IMAGE = function("random_image", "Return a random image.", {}, None)
RANDOM_PDF = function("random_pdf", "Return a random PDF.", {}, None)
COLOR_PICKER = function(
    "color_picker", "Input your fav color and get a random fact about it.", {"fav_color": STRING}, ["fav_color"]
)
UNICODE_CUSTOMER = function(
    "unicode_customer",
    "Tool for creating a customer with Unicode name.\n\n    Args:\n        customer_name: The customer's name in "
    "their native language.\n        description: Description of the customer.\n\n    Returns:\n        A "
    "confirmation message about the customer creation.",
    {"customer_name": STRING, "description": STRING},
    ["customer_name", "description"],
)


class Writer:
    """Builds the answers of one cassette file after another, with ids and times that move on."""

    def __init__(self) -> None:
        self.count = 0
        self.shapes = cycle(["empty_delta", "empty_choices", "repeat_finish"])

    def ids(self) -> tuple[str, int]:
        self.count += 1
        created = 1754470000 + 13 * self.count
        digest = hashlib.sha256(f"standard-{self.count}".encode()).digest()
        alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789"
        return f"gen-{created}-" + "".join(alphabet[b % 62] for b in digest[:20]), created

    def call_id(self, name: str, index: int = 0) -> str:
        digest = hashlib.sha256(f"call-{self.count}-{name}-{index}".encode()).digest()
        alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789"
        return f"tool_{index}_{name}_" + "".join(alphabet[b % 62] for b in digest[:20])

    def say(
        self,
        request: dict[str, Any],
        answer: str,
        *,
        tokens: tuple[int, int],
        model: str = MODEL,
        provider: str = PROVIDER,
        prices: dict[str, float] = PRICES,
        finish: str = "stop",
        native: str = "STOP",
        fingerprint: str | None = None,
        reasoning: str | None = None,
        reasoning_tokens: int = 0,
        cached: int = 0,
        cache_write: int | None = None,
        cost: float | None = None,
    ) -> dict[str, Any]:
        """A text answer, streamed if the request asked for it."""
        gen, created = self.ids()
        use = usage(*tokens, reasoning=reasoning_tokens, cached=cached, cache_write=cache_write, cost=cost, **prices)
        details = None
        if reasoning is not None:
            details = [{"type": "reasoning.text", "text": reasoning, "format": "google-gemini-v1", "index": 0}]
        if not request.get("stream"):
            body = completion(
                gen=gen,
                model=model,
                provider=provider,
                content=answer,
                reasoning=reasoning,
                reasoning_details=details,
                finish=finish,
                native=native,
                use=use,
                created=created,
                fingerprint=fingerprint,
            )
            return exchange(request, body, url=CHAT_URL)
        s = Stream(gen=gen, model=model, provider=provider, created=created, fingerprint=fingerprint)
        events = []
        if reasoning is not None:
            for piece in _pieces(reasoning, 3):
                detail = {"type": "reasoning.text", "text": piece, "format": "google-gemini-v1", "index": 0}
                events.append(s.chunk({"reasoning": piece, "reasoning_details": [detail]}))
        events += s.text(
            _pieces(answer, 4 if len(answer) < 400 else 12),
            use=use,
            finish=finish,
            native=native,
            shape=next(self.shapes),
            lead=provider != PROVIDER,  # OpenAI opens with an empty delta; Gemini starts with text
        )
        return exchange(request, sse(events, comments=1 + self.count % 3), url=CHAT_URL)

    def call(
        self,
        request: dict[str, Any],
        *calls: tuple[str, dict[str, Any]],
        tokens: tuple[int, int],
        content: str = "",
    ) -> dict[str, Any]:
        """An answer calling tools (whole calls, as Gemini sends them), streamed if asked for."""
        gen, created = self.ids()
        use = usage(*tokens, **PRICES)
        wire_calls = [
            {
                "index": i,
                "id": self.call_id(name, i),
                "type": "function",
                "function": {"name": name, "arguments": json.dumps(args, ensure_ascii=False, separators=(",", ":"))},
            }
            for i, (name, args) in enumerate(calls)
        ]
        if not request.get("stream"):
            body = completion(
                gen=gen,
                model=MODEL,
                provider=PROVIDER,
                content=content,
                tool_calls=wire_calls,
                finish="tool_calls",
                native="STOP",
                use=use,
                created=created,
            )
            return exchange(request, body, url=CHAT_URL)
        s = Stream(gen=gen, model=MODEL, provider=PROVIDER, created=created)
        events = [s.chunk({"content": content or "", "tool_calls": [wc]}) for wc in wire_calls]
        events += s.end(finish="tool_calls", native="STOP", use=use, shape=next(self.shapes))
        return exchange(request, sse(events, comments=1 + self.count % 3), url=CHAT_URL)


def _pieces(value: str, words: int) -> list[str]:
    """``value`` cut into pieces of about ``words`` words, keeping every character."""
    parts = value.split(" ")
    out = []
    for i in range(0, len(parts), words):
        piece = " ".join(parts[i : i + words])
        out.append(piece if i + words >= len(parts) else piece + " ")
    return out


# ---------------------------------------------------------------------------
# The cassettes

W = Writer()
CASSETTES: dict[str, list[dict[str, Any]]] = {}


def cassette(test: str, *interactions: dict[str, Any], cls: str = STANDARD) -> None:
    CASSETTES[f"{cls}.{test}"] = list(interactions)


HELLO = [user("Hello")]
GREETING_TEXT = "Hello! How can I help you today?"

# -- invoke, stream, batch ------------------------------------------------------------------

for name in ("test_invoke", "test_ainvoke"):
    cassette(name, W.say(ask(HELLO), GREETING_TEXT, tokens=(1, 10)))
for name in ("test_stream", "test_astream"):
    for variant in ("model0", "model1"):  # model1: output_version="v1"
        cassette(f"{name}[{variant}]", W.say(ask(HELLO, stream=True), GREETING_TEXT, tokens=(1, 10)))
for name in ("test_stream_events_v3", "test_astream_events_v3"):
    cassette(name, W.say(ask(HELLO, stream=True), GREETING_TEXT, tokens=(1, 10)))
for name, stream in (
    ("test_invoke_with_model_override", False),
    ("test_ainvoke_with_model_override", False),
    ("test_stream_with_model_override", True),
    ("test_astream_with_model_override", True),
):
    cassette(
        name,
        W.say(
            ask(HELLO, stream=stream, model=OVERRIDE_MODEL),
            "Hello! How can I assist you today?",
            tokens=(8, 10),
            model=OVERRIDE_MODEL,
            provider="OpenAI",
            prices={"prompt_price": 0.4e-6, "completion_price": 1.6e-6},
            native="stop",
            fingerprint="fp_6f2eabb9a5",
        ),
    )
for name in ("test_batch", "test_abatch"):
    cassette(
        name,
        W.say(ask(HELLO), GREETING_TEXT, tokens=(1, 10)),
        W.say(ask([user("Hey")]), "Hey there! What can I do for you?", tokens=(1, 10)),
    )
cassette(
    "test_conversation",
    W.say(
        ask([user("hello"), {"role": "assistant", "content": "hello"}, user("how are you")]),
        "I'm doing well, thank you for asking! How are you today?",
        tokens=(8, 15),
    ),
)
cassette(
    "test_double_messages_conversation",
    W.say(
        ask(
            [
                {"role": "system", "content": "hello"},
                {"role": "system", "content": "hello"},
                user("hello"),
                user("hello"),
                {"role": "assistant", "content": "hello"},
                {"role": "assistant", "content": "hello"},
                user("how are you"),
            ]
        ),
        "I'm doing well, thanks! How can I help you today?",
        tokens=(14, 14),
    ),
)
cassette(
    "test_message_with_name",
    W.say(ask([user("hello", name="example_user")]), "Hello! How can I help you today?", tokens=(1, 10)),
)

# -- usage metadata ---------------------------------------------------------------------------

_TOPICS = [
    ("PNG", "lossless, keeps transparency through an alpha channel, best for diagrams and screenshots"),
    ("JPEG", "lossy, no transparency, small files for photographs with smooth gradients"),
    ("WebP", "lossy or lossless, supports transparency and animation, widely supported by browsers"),
    ("GIF", "lossless but limited to 256 colours, supports simple animation and one transparent colour"),
]
LONG_DOCUMENT = "Image format field guide.\n\n" + "\n".join(
    f"Section {i + 1}.{j + 1}: {fmt} is {facts}. When an image is sent to a vision model as {fmt}, "
    f"the router checks the media type, the payload is decoded once, and the model sees the pixels; "
    f"note {j + 1} for {fmt} concerns resolution, colour depth and metadata handling."
    for i, (fmt, facts) in enumerate(_TOPICS)
    for j in range(7)
)
REASONING = (
    "**Recalling Rayleigh scattering** Shorter wavelengths scatter much more strongly off air molecules, "
    "so blue light is redirected across the whole sky."
)
REASONING_ANSWER = (
    "The sky looks blue because air molecules scatter short blue wavelengths of sunlight far more than "
    "longer red ones (Rayleigh scattering), so blue light reaches our eyes from every direction."
)
CACHE_ANSWER = "PNG"
ANTHROPIC_PRICES = {"prompt_price": 3e-6, "completion_price": 15e-6}


def usage_probes(stream: bool) -> list[dict[str, Any]]:
    """The requests of ``invoke_with_reasoning_output`` and the two cache probes (see test_standard.py)."""
    reasoning_request = {
        "model": REASONING_MODEL,
        "messages": [user(REASONING_QUESTION)],
        "max_tokens": REASONING_MAX_TOKENS,
        "reasoning": {"max_tokens": REASONING_BUDGET},
    }
    cache_messages = [
        {"role": "system", "content": [{**text(LONG_DOCUMENT), "cache_control": {"type": "ephemeral"}}]},
        user(CACHE_QUESTION),
    ]
    cache_request = {"model": CACHE_MODEL, "messages": cache_messages}
    if stream:
        for body in (reasoning_request, cache_request):
            body["stream"] = True
            body["stream_options"] = {"include_usage": True}
    doc_tokens = 1398
    prompt = doc_tokens + 24

    def cache(cached: int, written: int) -> dict[str, Any]:
        cost = round((prompt - cached - written) * 3e-6 + cached * 0.3e-6 + written * 3.75e-6 + 4 * 15e-6, 10)
        return W.say(
            cache_request,
            CACHE_ANSWER,
            tokens=(prompt, 4),
            model=CACHE_MODEL,
            provider="Anthropic",
            prices=ANTHROPIC_PRICES,
            native="end_turn",
            cached=cached,
            cache_write=written,
            cost=cost,
        )

    return [
        W.say(
            reasoning_request,
            REASONING_ANSWER,
            tokens=(11, 236),
            model=REASONING_MODEL,
            prices={"prompt_price": 0.3e-6, "completion_price": 2.5e-6},
            reasoning=REASONING,
            reasoning_tokens=198,
        ),
        cache(0, doc_tokens),  # invoke_with_cache_read_input: the first call writes the cache...
        cache(doc_tokens, 0),  # ...the second reads it
        cache(doc_tokens, 0),  # invoke_with_cache_creation_input: same prefix, still cached
    ]


HAIKUS = (
    "Morning frost on glass,\nthe kettle starts its soft song,\nsteam writes on the pane.\n\n"
    "Late train in the rain,\nwindows full of passing lights,\nsomeone hums along."
)
cassette("test_usage_metadata", W.say(ask(HELLO), GREETING_TEXT, tokens=(1, 10)), *usage_probes(stream=False))
cassette(
    "test_usage_metadata_streaming",
    W.say(ask([user("Write me 2 haikus. Only include the haikus.")], stream=True), HAIKUS, tokens=(11, 42)),
    *usage_probes(stream=True),
)

# -- stop sequences ---------------------------------------------------------------------------

cassette(
    "test_stop_sequence",
    W.say(ask([user("hi")], stop=["you"]), "Hi there! How can I help ", tokens=(1, 7)),
    W.say(ask([user("hi")], stop=["you"]), "Hi there! How can I help ", tokens=(1, 7)),
)

# -- tool calling -------------------------------------------------------------------------------

MAGIC_QUERY = [user("What is the value of magic_function(3)? Use the tool.")]
for name in ("test_tool_calling[model0]", "test_tool_calling[model1]", "test_tool_calling_async"):
    cassette(
        name,
        *(
            W.call(
                ask(MAGIC_QUERY, stream=stream, tools=[MAGIC_FUNCTION], tool_choice="required"),
                ("magic_function", {"input": 3}),
                tokens=(30, 5),
            )
            for stream in (False, True)
        ),
    )
cassette(
    "test_bind_runnables_as_tools",
    W.call(
        ask([user("Using the tool, generate a Pirate greeting.")], tools=[GREETING], tool_choice="required"),
        ("greeting_generator", {"answer_style": "Pirate"}),
        tokens=(27, 8),
    ),
)
ADDER_QUESTION = user("What is 1 + 2")
ADDER_CALL = ("abc123", "my_adder_tool", {"a": 1, "b": 2})
cassette(
    "test_tool_message_histories_string_content",
    W.say(
        ask([ADDER_QUESTION, assistant_calls(ADDER_CALL), tool_result("abc123", '{"result": 3}')], tools=[ADDER]),
        "1 + 2 = 3",
        tokens=(62, 8),
    ),
)
cassette(
    "test_tool_message_histories_list_content",
    W.say(
        ask(
            [ADDER_QUESTION, assistant_calls(ADDER_CALL, content="some text"), tool_result("abc123", '{"result": 3}')],
            tools=[ADDER],
        ),
        "1 + 2 = 3",
        tokens=(64, 8),
    ),
)
cassette(
    "test_tool_message_error_status",
    W.call(
        ask(
            [
                ADDER_QUESTION,
                assistant_calls(("abc123", "my_adder_tool", {"a": 1})),
                tool_result("abc123", "Error: Missing required argument 'b'."),
            ],
            tools=[ADDER],
        ),
        ("my_adder_tool", {"a": 1, "b": 2}),
        tokens=(70, 9),
    ),
)
cassette(
    "test_tool_choice",
    W.call(
        ask([user("Hello!")], tools=[MAGIC_FUNCTION, WEATHER_CHOICE], tool_choice="required"),
        ("magic_function", {"input": 0}),
        tokens=(45, 5),
    ),
    W.call(
        ask([user("Hello!")], tools=[MAGIC_FUNCTION, WEATHER_CHOICE], tool_choice=forced("magic_function")),
        ("magic_function", {"input": 0}),
        tokens=(45, 5),
    ),
)
NO_ARGS_QUERY = [user("What is the value of magic_function_no_args()? Use the tool.")]
cassette(
    "test_tool_calling_with_no_arguments",
    *(
        W.call(
            ask(NO_ARGS_QUERY, stream=stream, tools=[MAGIC_FUNCTION_NO_ARGS], tool_choice="required"),
            ("magic_function_no_args", {}),
            tokens=(28, 4),
        )
        for stream in (False, True)
    ),
)
cassette(
    "test_structured_few_shot_examples",
    W.call(
        ask(
            [
                ADDER_QUESTION,
                # LangChain gives the example call a random uuid; ids are matched by position.
                assistant_calls(("00000000-example-call-id", "my_adder_tool", {"a": 1, "b": 2})),
                tool_result("00000000-example-call-id", '{"result": 3}'),
                {"role": "assistant", "content": '{"result": 3}'},
                user("What is 3 + 4"),
            ],
            tools=[ADDER],
            tool_choice="required",
        ),
        ("my_adder_tool", {"a": 3, "b": 4}),
        tokens=(80, 9),
    ),
)
WEATHER_QUESTION = user("What is the weather in San Francisco, CA?")
for variant in ("model0", "model1"):
    first = W.call(
        ask([WEATHER_QUESTION], tools=[WEATHER_AGENT]),
        ("get_weather", {"location": "San Francisco, CA"}),
        tokens=(32, 7),
    )
    call_id = json.loads(first["response"]["body"]["string"])["choices"][0]["message"]["tool_calls"][0]["id"]
    cassette(
        f"test_agent_loop[{variant}]",
        first,
        W.say(
            ask(
                [
                    WEATHER_QUESTION,
                    assistant_calls((call_id, "get_weather", {"location": "San Francisco, CA"})),
                    tool_result(call_id, "It's sunny."),
                ],
                tools=[WEATHER_AGENT],
            ),
            "It's sunny in San Francisco, CA.",
            tokens=(50, 9),
        ),
    )
cassette(
    "test_unicode_tool_call_integration",
    W.call(
        ask(
            [user("Create a customer named '你好啊集团' (Hello Group) - a Chinese technology company")],
            tools=[UNICODE_CUSTOMER],
            tool_choice="required",
        ),
        ("unicode_customer", {"customer_name": "你好啊集团", "description": "A Chinese technology company"}),
        tokens=(96, 19),
    ),
    W.call(
        ask(
            [user("Create a customer named 'こんにちは株式会社' (Hello Corporation) - a Japanese company")],
            tools=[UNICODE_CUSTOMER],
            tool_choice="required",
        ),
        ("unicode_customer", {"customer_name": "こんにちは株式会社", "description": "A Japanese company"}),
        tokens=(95, 17),
    ),
)

# -- structured output: function_calling (TestChatVisionRouterStandard) ------------------------


def joke_props(*, titles: bool = False, optional: bool = False) -> dict[str, Any]:
    setup: dict[str, Any] = {"description": "question to set up a joke", "type": "string"}
    punchline: dict[str, Any] = {"description": "answer to resolve the joke", "type": "string"}
    if optional:
        punchline = {"anyOf": [STRING, {"type": "null"}], "default": None, "description": "answer to resolve the joke"}
    if titles:
        setup["title"], punchline["title"] = "Setup", "Punchline"
    return {"setup": setup, "punchline": punchline}


def joke_tool(name: str, **kwargs: Any) -> dict[str, Any]:
    required = ["setup"] if kwargs.get("optional") else ["setup", "punchline"]
    return function(name, "Joke to tell user.", joke_props(**kwargs), required)


def joke_schema(title: str, *, optional_typeddict: bool = False, **kwargs: Any) -> dict[str, Any]:
    required = ["setup"] if kwargs.get("optional") or optional_typeddict else ["setup", "punchline"]
    props = joke_props(**kwargs)
    return {
        "title": title,
        "description": "Joke to tell user.",
        "type": "object",
        "properties": props,
        "required": required,
    }


JOKE = {"setup": "Why was the cat sitting on the computer?", "punchline": "To keep an eye on the mouse!"}
SETUP_ONLY = {"setup": "Why did the cat join a band?"}
CAT_JOKE = [user("Tell me a joke about cats.")]


def structured(
    tool: dict[str, Any], messages: list[dict[str, Any]], answer: dict[str, Any], *, stream: bool
) -> dict[str, Any]:
    name = tool["function"]["name"]
    request = ask(messages, stream=stream, tools=[tool], tool_choice=forced(name), parallel_tool_calls=False)
    return W.call(request, (name, answer), tokens=(58, 24))


FUNCTION_TOOLS = {
    "pydantic": joke_tool("Joke"),
    "typeddict": joke_tool("JokeDict"),
    "json_schema": joke_tool("Joke", titles=True),
}
for kind, tool in FUNCTION_TOOLS.items():
    for name in ("test_structured_output", "test_structured_output_async"):
        cassette(
            f"{name}[{kind}]",
            structured(tool, CAT_JOKE, JOKE, stream=False),
            structured(tool, CAT_JOKE, JOKE, stream=True),
        )
cassette(
    "test_structured_output_pydantic_2_v1",
    structured(joke_tool("Joke"), CAT_JOKE, JOKE, stream=False),
    structured(joke_tool("Joke"), CAT_JOKE, JOKE, stream=True),
    structured(joke_tool("Joke", titles=True), CAT_JOKE, JOKE, stream=False),
    structured(joke_tool("Joke", titles=True), CAT_JOKE, JOKE, stream=True),
)
SETUP_QUESTION = [user("Give me the setup to a joke about cats, no punchline.")]
PUNCHLINE_QUESTION = [user("Give me a joke about cats, include the punchline.")]
cassette(
    "test_structured_output_optional_param",
    structured(joke_tool("Joke", optional=True), SETUP_QUESTION, SETUP_ONLY, stream=False),
    structured(joke_tool("Joke", optional=True), PUNCHLINE_QUESTION, JOKE, stream=False),
    structured(joke_tool("Joke", optional=True, titles=True), CAT_JOKE, JOKE, stream=False),
    structured(function("JokeDict", "Joke to tell user.", joke_props(), ["setup"]), CAT_JOKE, JOKE, stream=False),
)

# -- structured output: json_schema (TestChatVisionRouterJsonSchema) ---------------------------


def as_json_schema(
    schema: dict[str, Any], messages: list[dict[str, Any]], answer: dict[str, Any], *, stream: bool
) -> dict[str, Any]:
    response_format = {
        "type": "json_schema",
        "json_schema": {"name": schema["title"], "description": "Joke to tell user.", "schema": schema},
    }
    request = ask(messages, stream=stream, response_format=response_format, provider={"require_parameters": True})
    return W.say(request, json.dumps(answer, ensure_ascii=False), tokens=(40, 24))


JSON_SCHEMAS = {
    "pydantic": joke_schema("Joke"),
    "typeddict": joke_schema("JokeDict"),
    "json_schema": joke_schema("Joke", titles=True),
}
for kind, schema in JSON_SCHEMAS.items():
    for name in ("test_structured_output", "test_structured_output_async"):
        cassette(
            f"{name}[{kind}]",
            as_json_schema(schema, CAT_JOKE, JOKE, stream=False),
            as_json_schema(schema, CAT_JOKE, JOKE, stream=True),
            cls=JSON_SCHEMA,
        )
cassette(
    "test_structured_output_pydantic_2_v1",
    as_json_schema(joke_schema("Joke"), CAT_JOKE, JOKE, stream=False),
    as_json_schema(joke_schema("Joke"), CAT_JOKE, JOKE, stream=True),
    as_json_schema(joke_schema("Joke", titles=True), CAT_JOKE, JOKE, stream=False),
    as_json_schema(joke_schema("Joke", titles=True), CAT_JOKE, JOKE, stream=True),
    cls=JSON_SCHEMA,
)
cassette(
    "test_structured_output_optional_param",
    as_json_schema(joke_schema("Joke", optional=True), SETUP_QUESTION, SETUP_ONLY, stream=False),
    as_json_schema(joke_schema("Joke", optional=True), PUNCHLINE_QUESTION, JOKE, stream=False),
    as_json_schema(joke_schema("Joke", optional=True, titles=True), CAT_JOKE, JOKE, stream=False),
    as_json_schema(joke_schema("JokeDict", optional_typeddict=True), CAT_JOKE, JOKE, stream=False),
    cls=JSON_SCHEMA,
)

# -- JSON mode ------------------------------------------------------------------------------------

JSON_MODE_QUESTION = [
    user(
        "Tell me a joke about cats. Return the result as a JSON with 'setup' and 'punchline' keys. "
        "Return nothing other than JSON."
    )
]
cassette(
    "test_json_mode",
    *(
        W.say(
            ask(JSON_MODE_QUESTION, stream=stream, response_format={"type": "json_object"}),
            json.dumps(JOKE, indent=2),
            tokens=(36, 30),
        )
        for stream in (False, True, False, True)
    ),
)

# -- files: images, PDFs, audio -----------------------------------------------------------------------

IMAGE_DATA_URL = f"data:image/png;base64,{IMAGE_B64}"
DESCRIBE = "Give a concise description of this image."
STANDIN_DESCRIPTION = "Four vertical colour bands - green, teal, purple and pink - on a small rectangular image."
cassette(
    "test_image_inputs",
    download(IMAGE_URL, IMAGE, "image/png"),
    W.say(ask([user([text(DESCRIBE), image_part(IMAGE_DATA_URL)])]), STANDIN_DESCRIPTION, tokens=(266, 22)),
    W.say(ask([user([text(DESCRIBE), image_part(IMAGE_DATA_URL)])]), STANDIN_DESCRIPTION, tokens=(266, 22)),
    W.say(
        ask([user([text(DESCRIBE), image_part(IMAGE_URL)])]),
        "A screenshot of a chat answer produced by an agentic RAG workflow, with the retrieved context above it.",
        tokens=(266, 24),
    ),
)
IMAGE_TOOL_MESSAGES = [
    user("get a random diagram using the tool and give it a concise description"),
    assistant_calls(("1", "random_image", {})),
    tool_result("1", [image_part(IMAGE_DATA_URL)]),
]
cassette(
    "test_image_tool_message",
    download(IMAGE_URL, IMAGE, "image/png"),
    *(
        W.say(
            ask(IMAGE_TOOL_MESSAGES, tools=[RANDOM_IMAGE]),
            "The diagram shows four vertical colour bands.",
            tokens=(300, 10),
        )
        for _ in range(2)  # the OpenAI form, then the standard block: both sent the same way
    ),
)


def pdf_part(filename: str) -> dict[str, Any]:
    return {"type": "file", "file": {"filename": filename, "file_data": f"data:application/pdf;base64,{PDF_B64}"}}


SUMMARIZE = text("Summarize this document:")
cassette(
    "test_pdf_inputs",
    download(PDF_URL, _pdf(), "application/pdf"),
    W.say(
        ask([user([SUMMARIZE, pdf_part("document.pdf")])]),
        'The document is a single page reading "Dummy PDF file".',
        tokens=(268, 14),
    ),
    W.say(
        ask([user([SUMMARIZE, pdf_part("test_file.pdf")])]),
        'The document is a single page reading "Dummy PDF file".',
        tokens=(268, 14),
    ),
)
cassette(
    "test_pdf_tool_message",
    download(PDF_URL, _pdf(), "application/pdf"),
    W.say(
        ask(
            [
                user("Get a random PDF using the tool and relay the title verbatim."),
                assistant_calls(("1", "random_pdf", {})),
                tool_result("1", [pdf_part("document.pdf")]),
            ],
            tools=[RANDOM_PDF],
        ),
        "Dummy PDF file",
        tokens=(290, 4),
    ),
)
AUDIO_PART = {"type": "input_audio", "input_audio": {"data": AUDIO_B64, "format": "wav"}}
cassette(
    "test_audio_inputs",
    download(AUDIO_URL, _wav(), "audio/wav"),
    *(
        W.say(
            ask([user([text("Describe this audio:"), AUDIO_PART])]),
            "A very short electronic chirp: two quick tones, the second slightly lower.",
            tokens=(14, 17),
        )
        for _ in range(2)  # the standard block, then the chat-completions form
    ),
)
cassette(
    "test_anthropic_inputs",
    download(IMAGE_URL, IMAGE, "image/png"),
    W.say(
        ask(
            [
                {"role": "system", "content": "you're a good assistant"},
                user(
                    [
                        {**text("what's your favorite color in this image"), "cache_control": {"type": "ephemeral"}},
                        image_part(IMAGE_DATA_URL),
                    ]
                ),
                assistant_calls(
                    ("foo", "color_picker", {"fav_color": "purple"}), content="Hmm let me think about that"
                ),
                tool_result("foo", "That's a great pick!"),
            ],
            tools=[COLOR_PICKER],
        ),
        "Purple it is - the third band in the image. Fun fact: purple dye was once worth more than gold.",
        tokens=(320, 22),
    ),
    W.say(
        ask(
            [
                user([text("Hello")]),
                {"role": "assistant", "content": "Hello, how are you?"},
                user([text("Well, thanks.")]),
            ]
        ),
        "Glad to hear it! Is there anything I can help you with today?",
        tokens=(12, 15),
    ),
)

# -- the benchmark ----------------------------------------------------------------------------------

STORY = (
    "Miso was a small grey cat who lived above a bakery on Rue des Martyrs. Every morning, before the "
    "ovens were warm, she climbed down the drainpipe and waited by the back door, where the baker left "
    "a saucer of cream and, on lucky days, a corner of croissant. One winter morning the door stayed "
    "shut. Miso waited, then padded around to the front, slipped in behind a customer, and found the "
    "baker asleep on a flour sack, the ovens cold. She"
)
cassette(
    "test_stream_time",
    W.say(
        ask([user("Write a story about a cat.")], stream=True),
        STORY,
        tokens=(6, 100),
        finish="length",
        native="MAX_TOKENS",
    ),
)
