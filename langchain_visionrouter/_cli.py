"""``visionrouter``: ask a vision model about images from the terminal.

    visionrouter ask "What is in this image?" photo.jpg https://example.com/b.png \\
        --model google/gemini-2.0-flash-001

Streams the answer to stdout. ``--json`` prints the whole result (text, usage, cost,
model, provider, generation id) instead. With no API key set it replays a bundled
example cassette, and says so on stderr, so the command works on a fresh machine.

Exit codes: 0 success, 1 the router failed, 2 bad input or usage, 130 interrupted.
"""

from __future__ import annotations

import argparse
import importlib.util
import json
import os
import sys
from importlib import resources
from typing import Any, TextIO

DEFAULT_MODEL = "google/gemini-2.0-flash-001"
DEMO_CASSETTE = "cli_demo.yaml"
_REPLAY_KEY = "replay-needs-no-key"


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="visionrouter",
        description="Ask a model about images through an OpenAI-compatible router (OpenRouter, Infron, ...).",
    )
    parser.add_argument("--version", action="version", version=f"%(prog)s {_version()}")
    sub = parser.add_subparsers(dest="command", required=True)
    ask = sub.add_parser("ask", help="ask a question about zero or more images (local paths or URLs)")
    ask.add_argument("prompt", help="the question")
    ask.add_argument("images", nargs="*", help="image files, PDFs, or http(s) URLs, in the order to send them")
    ask.add_argument("--model", "-m", default=os.environ.get("VISIONROUTER_MODEL", DEFAULT_MODEL))
    ask.add_argument("--router", default=None, help="openrouter (default), infron or custom")
    ask.add_argument("--base-url", default=None, help="the router's base URL (default: the router preset's)")
    ask.add_argument("--system", default=None, help="a system prompt")
    ask.add_argument("--detail", choices=["auto", "low", "high"], default=None, help="image detail hint")
    ask.add_argument(
        "--max-side",
        type=int,
        default=None,
        metavar="PIXELS",
        help="downscale local images so their longer side is at most this (needs Pillow: the [images] extra)",
    )
    ask.add_argument(
        "--image-fit",
        choices=["model", "off"],
        default=None,
        help="model: downscale local images to what the model's family will look at (default when Pillow "
        "is installed); off: send them as they are",
    )
    ask.add_argument("--max-tokens", type=int, default=None)
    ask.add_argument("--temperature", type=float, default=None)
    ask.add_argument("--timeout", type=float, default=None, help="seconds to wait for the router")
    ask.add_argument("--json", action="store_true", help="print the whole result as JSON, with usage and cost")
    ask.add_argument("--no-stream", action="store_true", help="wait for the whole answer instead of streaming")
    ask.add_argument("--replay", action="store_true", help="replay the bundled example even if a key is set")
    return parser


def _version() -> str:
    from langchain_visionrouter import __version__

    return __version__


def _has_key(router: str) -> bool:
    from langchain_visionrouter._routers import env_api_key, get_router

    preset = get_router(router)
    return env_api_key(preset) is not None or not preset.requires_api_key


def _replay_client() -> Any:
    """An httpx client answering from the bundled cassette: no network, no key."""
    import httpx
    import yaml  # PyYAML comes with langchain-core

    text = resources.files("langchain_visionrouter").joinpath("_demo", DEMO_CASSETTE).read_text(encoding="utf-8")
    interactions = yaml.safe_load(text)["interactions"]

    def answer(request: httpx.Request) -> httpx.Response:
        wants_stream = bool(json.loads(request.content).get("stream"))
        for item in interactions:
            if bool(json.loads(item["request"]["body"]).get("stream")) == wants_stream:
                resp = item["response"]
                headers = [(k, v) for k, values in resp["headers"].items() for v in values]
                return httpx.Response(resp["status"]["code"], headers=headers, content=resp["body"]["string"].encode())
        return httpx.Response(
            500, json={"error": {"code": 500, "message": "no matching example in the bundled cassette"}}
        )

    return httpx.Client(transport=httpx.MockTransport(answer))


def _content(args: argparse.Namespace) -> list[str | dict[Any, Any]]:
    from langchain_visionrouter._image_blocks import file_block, image_block

    blocks: list[str | dict[Any, Any]] = [{"type": "text", "text": args.prompt}]
    for source in args.images:
        if _is_pdf(source):
            blocks.append(file_block(source))
        else:
            # A URL is fetched by the router, so only local images can be downscaled here.
            max_side = None if _is_web_url(source) else args.max_side
            blocks.append(image_block(source, detail=args.detail, max_side=max_side))
    return blocks


def _is_web_url(source: str) -> bool:
    return source[:8].lower().startswith(("http://", "https://"))


def _is_pdf(source: str) -> bool:
    """Whether to send ``source`` as a PDF file part: from its bytes, or a URL's path or type."""
    if source[:5].lower() == "data:":
        return source[5:21].lower() == "application/pdf;"
    if _is_web_url(source):
        from urllib.parse import urlsplit

        return urlsplit(source).path.lower().endswith(".pdf")
    try:
        with open(source, "rb") as file:
            return file.read(5) == b"%PDF-"
    except OSError:
        return False  # image_block says what is wrong with the path


def _result_json(message: Any) -> dict[str, Any]:
    meta = message.response_metadata
    return {
        "content": message.content,
        "model": meta.get("model_name"),
        "provider": meta.get("provider"),
        "id": meta.get("id"),
        "finish_reason": meta.get("finish_reason"),
        "usage": message.usage_metadata,
        "cost": meta.get("cost"),
        "cost_details": meta.get("cost_details"),
        "reasoning": message.additional_kwargs.get("reasoning"),
        "image_fit": meta.get("image_fit"),
    }


def _ask(args: argparse.Namespace, out: TextIO, err: TextIO) -> int:
    from langchain_core.messages import HumanMessage, SystemMessage

    from langchain_visionrouter import ChatVisionRouter

    router = args.router or "openrouter"
    replay = args.replay or not _has_key(router)
    kwargs: dict[str, Any] = {"model": args.model, "router": router}
    for name in ("base_url", "max_tokens", "temperature", "timeout"):
        if getattr(args, name) is not None:
            kwargs[name] = getattr(args, name)
    kwargs["image_fit"] = args.image_fit or ("model" if importlib.util.find_spec("PIL") else "off")
    messages: list[Any] = [SystemMessage(args.system)] if args.system else []
    messages.append(HumanMessage(content=_content(args)))  # reads every file before any request
    if replay:
        why = "--replay given" if args.replay else "no API key set (VISIONROUTER_API_KEY or the router's own variable)"
        err.write(
            f"visionrouter: {why}: replaying the bundled example cassette {DEMO_CASSETTE} instead of asking the "
            "router. Its answer is the example's, not about your images; it was written from the router's "
            "documented wire format, not recorded live. Set a key to ask for real.\n"
        )
        kwargs.update(api_key=_REPLAY_KEY, http_client=_replay_client(), base_url=None, router="openrouter")
    model = ChatVisionRouter(**kwargs)
    try:
        if args.no_stream:
            message = model.invoke(messages)
            if not args.json:
                out.write(str(message.content) + "\n")
        else:
            message = None
            for chunk in model.stream(messages):
                message = chunk if message is None else message + chunk
                if not args.json and chunk.text:
                    out.write(chunk.text)
                    out.flush()
            if not args.json:
                out.write("\n")
        if args.json:
            out.write(json.dumps(_result_json(message), indent=2, ensure_ascii=False) + "\n")
    finally:
        model.close()
        if replay:
            kwargs["http_client"].close()
    return 0


def main(argv: list[str] | None = None, *, out: TextIO | None = None, err: TextIO | None = None) -> int:
    """Entry point of the ``visionrouter`` command; returns the exit code."""
    out = out or sys.stdout
    err = err or sys.stderr
    args = _parser().parse_args(argv)
    from langchain_visionrouter.errors import StreamError, VisionRouterError

    try:
        return _ask(args, out, err)
    except StreamError as exc:
        if not args.json:
            out.write("\n")
        err.write(f"visionrouter: the stream failed after partial output: {exc}\n")
        return 1
    except VisionRouterError as exc:
        err.write(f"visionrouter: the router refused or failed: {exc}\n")
        return 1
    except (ValueError, ImportError) as exc:  # bad input (unreadable image, unknown router...), no Pillow
        err.write(f"visionrouter: {exc}\n")
        return 2
    except KeyboardInterrupt:
        err.write("visionrouter: interrupted\n")
        return 130


if __name__ == "__main__":
    sys.exit(main())
