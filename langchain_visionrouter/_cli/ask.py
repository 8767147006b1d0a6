"""``visionrouter``: ask a vision model about images from the terminal.

    visionrouter ask "What is in this image?" photo.jpg https://example.com/b.png \\
        --model google/gemini-2.0-flash-001
    visionrouter batch "Write alt text." photos/ --out alt.jsonl   # see _batch_cli

Streams the answer to stdout. ``--json`` prints the whole result (text, usage, cost,
model, provider, generation id) instead. With no API key set it replays a bundled
example cassette, and says so on stderr, so the command works on a fresh machine.

Exit codes: 0 success, 1 the router failed, 2 bad input or usage, 130 interrupted.
"""

from __future__ import annotations

import argparse
import functools
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
    ask.add_argument(
        "--model",
        "-m",
        default=os.environ.get("VISIONROUTER_MODEL", DEFAULT_MODEL),
        help=f"the router's model id (default: $VISIONROUTER_MODEL, else {DEFAULT_MODEL})",
    )
    ask.add_argument("--router", default=None, help="openrouter (default), infron or custom (needs --base-url)")
    ask.add_argument(
        "--base-url",
        default=None,
        help="the router's base URL (default: $VISIONROUTER_BASE_URL, else the preset's); it is always called, "
        "never replaced by the bundled example",
    )
    ask.add_argument("--system", default=None, help="a system prompt")
    ask.add_argument("--detail", choices=["auto", "low", "high"], default=None, help="image detail hint")
    ask.add_argument(
        "--max-side",
        type=_positive(int, "a whole number of pixels"),
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
    ask.add_argument("--max-tokens", type=_positive(int, "a whole number"), default=None, help="answer length cap")
    ask.add_argument("--temperature", type=_ranged(0.0, 2.0), default=None, help="sampling temperature (0-2)")
    ask.add_argument("--timeout", type=_positive(float, "seconds"), default=None, help="seconds to wait for the router")
    ask.add_argument("--json", action="store_true", help="print the whole result as JSON, with usage and cost")
    ask.add_argument("--no-stream", action="store_true", help="wait for the whole answer instead of streaming")
    ask.add_argument(
        "--replay",
        action="store_true",
        help="answer from the bundled example cassette, with no network and no key, even if a key is set "
        "(the answer is the example's, not about your images; what happens without a key anyway)",
    )
    ask.add_argument(
        "--estimate",
        action="store_true",
        help="print the estimated input tokens and cost (the router's catalog prices) and exit, without "
        "sending the request (counted offline; only the model catalog is fetched, for its price)",
    )
    from langchain_visionrouter._cli.batch import add_parser

    add_parser(sub, DEFAULT_MODEL)
    return parser


def _positive(kind: type[int] | type[float], unit: str) -> Any:
    """An argparse type: a number above zero, refused in the flag's own terms."""

    def parse(text: str) -> int | float:
        try:
            value = kind(text)
        except ValueError:
            raise argparse.ArgumentTypeError(f"expected {unit} above 0, got {text!r}") from None
        if value <= 0:
            raise argparse.ArgumentTypeError(f"must be above 0 ({unit}), got {text!r}")
        return value

    return parse


def _ranged(low: float, high: float) -> Any:
    """An argparse type: a number from ``low`` to ``high``, as ``--help`` states."""

    def parse(text: str) -> float:
        try:
            value = float(text)
        except ValueError:
            raise argparse.ArgumentTypeError(f"expected a number from {low:g} to {high:g}, got {text!r}") from None
        if not low <= value <= high:
            raise argparse.ArgumentTypeError(f"must be from {low:g} to {high:g}, got {text!r}")
        return value

    return parse


def _version() -> str:
    from langchain_visionrouter import __version__

    return __version__


def _has_key(router: str) -> bool:
    from langchain_visionrouter._router.presets import env_api_key, get_router

    preset = get_router(router)
    return env_api_key(preset) is not None or not preset.requires_api_key


def _replay_client() -> Any:
    """An httpx client answering from the bundled cassette: no network, no key."""
    import httpx
    import yaml  # PyYAML comes with langchain-core

    text = resources.files("langchain_visionrouter._cli").joinpath("demo", DEMO_CASSETTE).read_text(encoding="utf-8")
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
    from langchain_visionrouter._media.blocks import URL_RE, file_block, image_block, is_pdf_url, path_block

    blocks: list[str | dict[Any, Any]] = [{"type": "text", "text": args.prompt}]
    for source in args.images:
        if is_pdf_url(source):
            blocks.append(file_block(source))
        elif source[:5].lower() == "data:" or URL_RE.match(source):
            # A URL is fetched by the router, so only local images can be downscaled here.
            blocks.append(image_block(source, detail=args.detail))
        else:
            # ~ expanded here too: a quoted path ("~/photo.jpg") or --flag=~/x reaches us unexpanded.
            source = os.path.expanduser(source)
            # Read once, PDF or image told from the bytes: a pipe (<(cat photo.png)) cannot be read twice.
            check = functools.partial(_check_local_type, source)
            blocks.append(
                path_block(source, detail=args.detail, max_side=args.max_side, allow_pipe=True, check_type=check)
            )
    return blocks


def _check_local_type(source: str, mime: str | None) -> None:
    """A local file of an image type no router takes (BMP, TIFF, HEIC...): say what to do, in CLI terms."""
    from langchain_visionrouter._media.checks import type_name
    from langchain_visionrouter._router.presets import COMMON_IMAGE_TYPES
    from langchain_visionrouter.errors import ImageInputError

    if mime is not None and mime.startswith("image/") and mime not in COMMON_IMAGE_TYPES:
        png = os.path.splitext(source)[0] + ".png"
        msg = (
            f"file {source!r} is {type_name(mime)}, which routers do not accept (they take PNG, JPEG, WebP and "
            f"GIF). Convert it first, then pass the new file: e.g. `magick {source} {png}`, or with Pillow "
            f'`python3 -c "from PIL import Image; Image.open({source!r}).save({png!r})"`.'
        )
        raise ImageInputError(msg)


def _check_flags(args: argparse.Namespace) -> None:
    """Flag combinations that cannot work, refused before anything is read or sent."""
    from langchain_visionrouter.errors import InvalidInputError

    if args.router == "custom" and not (args.base_url or os.environ.get("VISIONROUTER_BASE_URL")):
        msg = (
            "--router custom needs --base-url URL: the gateway's OpenAI-compatible base URL, e.g. "
            "--base-url http://localhost:8000/v1 (or set VISIONROUTER_BASE_URL)."
        )
        raise InvalidInputError(msg)


def _flag_problems(exc: Exception) -> str:
    """A pydantic validation error about the model's settings, told as the flags that set them."""
    problems = []
    for item in exc.errors():  # type: ignore[attr-defined]
        name = str(item["loc"][0]) if item["loc"] else ""
        text = str(item["msg"]).removeprefix("Value error, ")
        problems.append(f"--{name.replace('_', '-')}: {text}" if name else text)
    return "; ".join(problems)


def _result_json(message: Any, replay: bool) -> dict[str, Any]:
    meta = message.response_metadata
    return {
        # A replayed answer is the bundled example's, not the router's answer to this question.
        "replay": replay,
        "replayed_from": DEMO_CASSETTE if replay else None,
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
    from pydantic import ValidationError

    from langchain_visionrouter import ChatVisionRouter
    from langchain_visionrouter.errors import InvalidInputError

    _check_flags(args)
    router = args.router or "openrouter"
    replay = args.replay or not _has_key(router)
    kwargs: dict[str, Any] = {"model": args.model, "router": router}
    for name in ("base_url", "max_tokens", "temperature", "timeout"):
        if getattr(args, name) is not None:
            kwargs[name] = getattr(args, name)
    kwargs["image_fit"] = args.image_fit or ("model" if importlib.util.find_spec("PIL") else "off")
    messages: list[Any] = [SystemMessage(args.system)] if args.system else []
    messages.append(HumanMessage(content=_content(args)))  # reads every file before any request
    if args.estimate:
        return _estimate(args, messages, kwargs, out)
    if args.base_url and not args.replay and not _has_key(router):
        # A URL given is a URL to call: never answered silently from the bundled example.
        msg = (
            f"--base-url {args.base_url} given, but no API key for {router} is set, so there is nothing to call it "
            "with: set VISIONROUTER_API_KEY (or the router's own variable), or for a gateway that needs no key "
            "add --router custom. (--replay answers from the bundled example instead.)"
        )
        raise InvalidInputError(msg)
    if replay:
        why = "--replay given" if args.replay else "no API key set (VISIONROUTER_API_KEY or the router's own variable)"
        err.write(
            f"visionrouter: {why}: replaying the bundled example cassette {DEMO_CASSETTE} instead of asking the "
            "router. Its answer is the example's, not about your images; it was written from the router's "
            "documented wire format, not recorded live. Set a key to ask for real.\n"
        )
        kwargs.update(api_key=_REPLAY_KEY, http_client=_replay_client(), base_url=None, router="openrouter")
    try:
        model = ChatVisionRouter(**kwargs)
    except ValidationError as exc:
        if replay:
            kwargs["http_client"].close()
        raise InvalidInputError(_flag_problems(exc)) from None
    try:
        if not replay and len(messages[-1].content) > 1 and _lists_modalities(model):
            _warn_text_only(model, err)
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
            out.write(json.dumps(_result_json(message, replay), indent=2, ensure_ascii=False) + "\n")
        else:
            err.write(_summary(message) + "\n")
    finally:
        model.close()
        if replay:
            kwargs["http_client"].close()
    return 0


def _estimate(args: argparse.Namespace, messages: list[Any], kwargs: dict[str, Any], out: TextIO) -> int:
    """``--estimate``: the call ``ask`` would send, prepared (fitted, checked) and counted; nothing sent.

    The model is built as for sending and the call prepared by it, so the image fit is the
    one applied and an image ``ask`` refuses is refused here; only the catalog is fetched.
    """
    from pydantic import ValidationError

    from langchain_visionrouter import ChatVisionRouter
    from langchain_visionrouter._client.catalog import ModelCatalog
    from langchain_visionrouter._request.tokens import estimate_call, round_price
    from langchain_visionrouter._router.presets import env_api_key, get_router
    from langchain_visionrouter.errors import InvalidInputError, VisionRouterError

    preset = get_router(kwargs["router"])
    key = env_api_key(preset)
    try:  # a stand-in key: the model only prepares the call, it sends nothing
        model = ChatVisionRouter(**{"api_key": key or _REPLAY_KEY, **kwargs})
    except ValidationError as exc:
        raise InvalidInputError(_flag_problems(exc)) from None
    try:
        call = model._prepare(messages, None, {}, stream=not args.no_stream)
    finally:
        model.close()
    estimate = estimate_call(call)
    base_url = model.base_url
    assert base_url is not None
    price: float | None = None
    try:
        price = ModelCatalog(base_url, api_key=key).get(args.model).prompt_price
        where = f"{args.model} in the model catalog of {base_url}"
    except (VisionRouterError, InvalidInputError) as exc:  # no price: the token count still stands
        where = f"no price: {exc}"
    cost = round_price(None if price is None else estimate.tokens * price / 1_000_000)
    price = round_price(price)
    if args.json:
        result = {
            "sent": False,
            "model": args.model,
            "estimated_input_tokens": estimate.tokens,
            "image_tokens": estimate.image_tokens,
            "images": estimate.images,
            "images_of_unknown_size": estimate.images_of_unknown_size,
            "image_rule": estimate.rule,
            "image_fit": dict(call.draft.fit) if call.draft.fit else None,
            "prompt_price_per_million": price,
            "estimated_input_cost": cost,
            "price_source": where,
        }
        out.write(json.dumps(result, indent=2, ensure_ascii=False) + "\n")
        return 0
    unknown = estimate.images_of_unknown_size
    unknown_note = f", {unknown} of unknown size (URLs) counted as 1024x1024" if unknown else ""
    fit = call.draft.fit
    fit_note = f"; {fit['images']} image(s) fitted to the model as ask sends them" if fit else ""
    out.write(
        f"estimated input: {estimate.tokens} tokens for {args.model}, {estimate.image_tokens} of them for "
        f"{estimate.images} image(s){unknown_note} (rule: {estimate.rule}{fit_note}); text at 4 characters a token\n"
    )
    if cost is None:
        out.write(f"estimated cost: unknown ({where})\n")
    else:
        out.write(f"estimated input cost: ${cost:.6f} at ${price:g} per million input tokens ({where})\n")
    out.write("nothing was sent; the answer's own tokens come on top\n")
    return 0


def _summary(message: Any) -> str:
    """The one line on stderr after an answer: tokens, cost, model and provider."""
    usage = getattr(message, "usage_metadata", None) or {}
    meta = getattr(message, "response_metadata", None) or {}
    parts = []
    if usage:
        parts.append(f"{usage.get('input_tokens', 0)} in + {usage.get('output_tokens', 0)} out tokens")
    cost = meta.get("cost")
    if isinstance(cost, (int, float)) and not isinstance(cost, bool):
        parts.append(f"${cost:.6f}")
    served = " via ".join(str(v) for v in (meta.get("model_name"), meta.get("provider")) if v)
    if served:
        parts.append(served)
    return "visionrouter: " + (", ".join(parts) if parts else "no usage reported")


def _lists_modalities(model: Any) -> bool:
    """Whether the model's router is a preset at its own URL, whose catalog lists input modalities.

    Only then is the catalog read before sending images (one cached GET): a gateway's
    ``/models`` usually lists ids only (nothing to warn about), and may not exist at all.
    """
    preset = model.preset
    return preset.base_url is not None and (model.base_url or "").rstrip("/") == preset.base_url.rstrip("/")


def _warn_text_only(model: Any, err: TextIO) -> None:
    """A word on stderr before images go to a model the catalog lists as text-only (never fatal)."""
    from langchain_visionrouter.errors import InvalidInputError, VisionRouterError

    try:
        takes_images = model.get_catalog().get(model.model).supports_images
    except (VisionRouterError, InvalidInputError):
        return  # no catalog, or the model is not listed: the router will say
    if takes_images is False:
        err.write(
            f"visionrouter: warning: the router's catalog lists {model.model} as text-only; the images may be "
            "refused or ignored. Pick a vision model (see list_models(input_modalities='image')).\n"
        )


def main(argv: list[str] | None = None, *, out: TextIO | None = None, err: TextIO | None = None) -> int:
    """Entry point of the ``visionrouter`` command; returns the exit code."""
    out = out or sys.stdout
    err = err or sys.stderr
    args = _parser().parse_args(argv)
    from langchain_visionrouter.errors import StreamError, VisionRouterError

    try:
        if args.command == "batch":
            from langchain_visionrouter._cli.batch import batch

            return batch(args, out, err)
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
