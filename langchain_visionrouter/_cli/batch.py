"""``visionrouter batch``: one prompt over many images, resumable, budgeted, with progress.

    visionrouter batch "Write alt text for this image." photos/ --out alt.jsonl \\
        --concurrency 32 --rpm 600 --budget 5

A thin shell: inputs are :mod:`.._batch.io`, the output journal :mod:`.._batch.journal`,
the work :func:`.._batch.engine.run_batch` (or :mod:`.._batch.batch_api` with ``--via
batch-api``). Rerunning the same command skips the keys already in the output file;
``--retry-failed`` sends the failed ones again; ``--budget`` caps the spend of every run of
the same ``--out`` together.

Exit codes: 0 every item answered, 1 some item failed or the run stopped early (budget,
bad key, a router that keeps refusing), 2 bad input or usage (nothing was sent), 3 the
output file could not be written (what was paid for and not written is listed; rerun once
it can be written), 130 interrupted (what was written stays; rerun to resume).
"""

from __future__ import annotations

import argparse
import asyncio
import importlib.util
import json
import os
import time
from typing import Any, TextIO

__all__ = ["add_parser", "batch"]

POOL = 100  # connections in the model's default pool (_clients._limits)


def add_parser(sub: Any, default_model: str) -> None:
    """Add the ``batch`` subcommand to the ``visionrouter`` parser."""
    p = sub.add_parser("batch", help="run one prompt over many images; results to a JSONL file, resumable")
    p.add_argument("prompt", help="the question asked about every item (a manifest's prompt column overrides it)")
    p.add_argument(
        "inputs",
        nargs="+",
        metavar="INPUT",
        help="image or PDF files, folders (walked for .png .jpg .jpeg .gif .webp .pdf), globs, http(s) URLs, "
        "or a manifest (.csv with a header, or .jsonl) with a path or url column and optional key, prompt and "
        "metadata columns",
    )
    p.add_argument("--out", "-o", required=True, metavar="FILE", help="the JSONL results file (appended; resumable)")
    p.add_argument("--model", "-m", default=os.environ.get("VISIONROUTER_MODEL", default_model))
    p.add_argument("--router", default="openrouter", help="openrouter (default), infron or custom")
    p.add_argument("--base-url", default=None, help="the router's base URL (default: the router preset's)")
    p.add_argument("--concurrency", "-c", type=int, default=8, help="requests in flight at most (default 8)")
    p.add_argument("--rpm", type=float, default=None, help="requests per minute at most")
    p.add_argument("--tpm", type=float, default=None, help="tokens per minute at most")
    p.add_argument("--max-side", type=int, default=None, metavar="PIXELS", help="downscale local images (Pillow)")
    p.add_argument("--budget", type=float, default=None, metavar="USD", help="stop before the next call would pass it")
    p.add_argument("--retries", type=int, default=2, help="retries per item on rate limits and 5xx (default 2)")
    p.add_argument("--system", default=None, help="a system prompt")
    p.add_argument("--schema", default=None, metavar="FILE", help="a JSON schema file: answers are parsed JSON")
    p.add_argument("--max-tokens", type=int, default=None)
    p.add_argument("--timeout", type=float, default=None, help="seconds to wait for each answer")
    p.add_argument("--retry-failed", action="store_true", help="send again the items that failed in earlier runs")
    p.add_argument(
        "--image-fit",
        choices=["model", "off"],
        default=None,
        help="model: downscale local images to what the model's family will look at (default when Pillow is "
        "installed, as for ask); off: send them as they are",
    )
    p.add_argument(
        "--key-by",
        choices=["path", "hash"],
        default="path",
        help="an item's key (its identity across reruns): path (default: the resolved path, or the URL) or hash "
        "(the file's sha256: copies are one item, renaming does not resend)",
    )
    p.add_argument(
        "--allow-outside",
        action="store_true",
        help="let a manifest name files outside its own folder (refused by default: a manifest from elsewhere "
        "must not make the run upload ../private files)",
    )
    p.add_argument(
        "--estimate",
        action="store_true",
        help="count every item's input tokens as the run would send it (image fit applied) and price them from "
        "the catalog; list what the run would refuse; send nothing",
    )
    p.add_argument(
        "--price",
        default=None,
        metavar="IN,OUT",
        help="USD per million input and output tokens, for --budget and --estimate (default: the router's catalog)",
    )
    p.add_argument(
        "--max-wait",
        type=float,
        default=300.0,
        metavar="SECONDS",
        help="how long the run pauses when the router asks (Retry-After) before it stops instead (default 300)",
    )
    p.add_argument(
        "--via",
        choices=["live", "batch-api", "auto"],
        default="live",
        help="live (default): one call per item; batch-api: the router's batch API (OpenRouter: about half "
        "price, answers within 24 hours, images only as public http(s) URLs: local files are refused); auto: "
        "what the batch API cannot take is sent live, the rest through it. Rerunning reattaches to a batch "
        "already submitted",
    )
    p.add_argument(
        "--batch-wait",
        type=float,
        default=None,
        metavar="SECONDS",
        help="with --via batch-api/auto: how long to poll before stopping (the batch stays in --out: rerun to "
        "reattach); default: the batch's 24-hour window plus an hour",
    )
    p.add_argument("--json", action="store_true", help="print the summary as JSON on stdout")
    p.add_argument(
        "--progress-every", type=float, default=5.0, metavar="SECONDS", help="seconds between progress lines in a pipe"
    )


def _check(args: argparse.Namespace) -> Any:
    """Bad flags and files, before any request; returns the schema (or None)."""
    for flag, value in (("--concurrency", args.concurrency), ("--max-side", args.max_side)):
        if value is not None and value < 1:
            raise ValueError(f"{flag} must be at least 1, got {value}")
    for flag, value in (("--rpm", args.rpm), ("--tpm", args.tpm), ("--budget", args.budget)):
        if value is not None and value <= 0:
            raise ValueError(f"{flag} must be positive, got {value}")
    if args.retries < 0:
        raise ValueError(f"--retries must be 0 or more, got {args.retries}")
    if args.max_wait < 0:
        raise ValueError(f"--max-wait must be 0 or more, got {args.max_wait}")
    if args.batch_wait is not None and args.batch_wait < 0:
        raise ValueError(f"--batch-wait must be 0 or more, got {args.batch_wait}")
    if args.via != "live":
        from langchain_visionrouter._batch.batch_api import unsupported

        why = unsupported(args.router)
        if why is not None:
            raise ValueError(why)
    args.prices = _prices(args.price)
    if args.schema is None:
        return None
    try:
        with open(args.schema, encoding="utf-8") as file:
            schema = json.load(file)
    except OSError as exc:
        raise ValueError(f"--schema {args.schema}: cannot read it ({exc.strerror})") from None
    except json.JSONDecodeError as exc:
        raise ValueError(f"--schema {args.schema}: not JSON (line {exc.lineno}: {exc.msg})") from None
    if not isinstance(schema, dict):
        raise ValueError(f"--schema {args.schema}: expected a JSON schema object")
    return schema


def _prices(text: str | None) -> Any:
    if text is None:
        return None
    from langchain_visionrouter._batch.admission import Prices

    try:
        prompt, completion = (float(x) for x in text.split(","))
    except ValueError:
        raise ValueError(f"--price: expected IN,OUT in USD per million tokens (e.g. 0.1,0.4), got {text!r}") from None
    if not (prompt >= 0 and completion >= 0):
        raise ValueError(f"--price: prices must be 0 or more, got {text!r}")
    return Prices(prompt, completion, source="--price")


class Progress:
    """A rich bar on a terminal (plain lines without rich), periodic lines in a pipe."""

    def __init__(self, total: int, err: TextIO, every: float) -> None:
        self.total, self.err, self.every = total, err, every
        self.start = self.last = time.monotonic()
        self.bar: Any = None
        if err.isatty():
            try:
                from rich.console import Console
                from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeRemainingColumn
            except ImportError:  # the [batch] extra is not installed: plain lines
                pass
            else:
                self.bar = Progress(
                    TextColumn("batch"),
                    BarColumn(),
                    MofNCompleteColumn(),
                    TextColumn("failed {task.fields[failed]}  {task.fields[rate]:.1f}/s  ETA"),
                    TimeRemainingColumn(),
                    TextColumn("${task.fields[cost]:.6f}"),
                    console=Console(file=err),
                )
                self.task = self.bar.add_task("batch", total=total, failed=0, rate=0.0, cost=0.0)
                self.bar.start()

    def line(self, run: Any) -> str:
        finished = run.done + run.failed
        elapsed = max(time.monotonic() - self.start, 1e-9)
        rate = finished / elapsed
        eta = f"{(self.total - finished) / rate:.0f} s" if rate > 0 else "?"
        return (
            f"visionrouter batch: {finished}/{self.total} ({run.done} done, {run.failed} failed) "
            f"{rate:.1f}/s ETA {eta} cost ${run.cost:.6f}"
        )

    def update(self, run: Any) -> None:
        if self.bar is not None:
            rate = (run.done + run.failed) / max(time.monotonic() - self.start, 1e-9)
            self.bar.update(self.task, completed=run.done + run.failed, failed=run.failed, rate=rate, cost=run.cost)
        elif time.monotonic() - self.last >= self.every:
            self.last = time.monotonic()
            self.err.write(self.line(run) + "\n")
            self.err.flush()

    def close(self) -> None:
        if self.bar is not None:
            self.bar.stop()


def _model(args: argparse.Namespace) -> Any:
    from langchain_visionrouter._router.presets import env_api_key, get_router, key_variables
    from langchain_visionrouter.chat_models import ChatVisionRouter

    preset = get_router(args.router)
    if preset.requires_api_key and env_api_key(preset) is None:
        raise ValueError(f"no API key: set {' or '.join(key_variables(preset))} (batch never replays the example)")
    kwargs: dict[str, Any] = {"model": args.model, "router": args.router, "max_retries": args.retries}
    kwargs["image_fit"] = args.image_fit or ("model" if importlib.util.find_spec("PIL") else "off")
    for name in ("base_url", "max_tokens", "timeout"):
        if getattr(args, name) is not None:
            kwargs[name] = getattr(args, name)
    if args.concurrency > POOL:
        import httpx

        # The model's own pool keeps POOL connections: more in flight needs a pool of our own
        # (time-outs are set per request, as for the model's own client).
        limits = httpx.Limits(max_connections=args.concurrency, max_keepalive_connections=args.concurrency)
        kwargs["http_async_client"] = httpx.AsyncClient(timeout=None, limits=limits)
    return ChatVisionRouter(**kwargs)


def batch(args: argparse.Namespace, out: TextIO, err: TextIO) -> int:
    """Run ``visionrouter batch``; returns the exit code."""
    from langchain_visionrouter._batch.io import check_keys, expand_inputs
    from langchain_visionrouter._batch.journal import Journal

    schema = _check(args)

    def items() -> Any:
        return expand_inputs(args.inputs, key_by=args.key_by, allow_outside=args.allow_outside)

    total = check_keys(items())  # reads every input once: bad paths, duplicate keys, before any request
    model = _model(args)
    if args.estimate:
        return _estimate(args, model, items(), total, out)
    journal = Journal(args.out, retry_failed=args.retry_failed)  # writable and locked, before any request
    try:
        if journal.cut:
            err.write(f"visionrouter batch: cut a torn last line ({journal.cut} bytes) from {args.out}\n")
        todo = sum(1 for item in items() if item.key not in journal.done)
        return _run(args, model, journal, items(), schema, todo, out, err)
    finally:
        journal.close()


def _run(
    args: argparse.Namespace, model: Any, journal: Any, items: Any, schema: Any, todo: int, out: TextIO, err: TextIO
) -> int:
    from langchain_visionrouter._batch.engine import BatchRun
    from langchain_visionrouter._batch.journal import JournalWriteError
    from langchain_visionrouter._batch.via_api import BatchAPIRun

    progress = Progress(todo, err, args.progress_every)
    extra: dict[str, Any] = {}
    if args.via != "live":
        extra = {"via": args.via, "batch_wait": args.batch_wait, "on_progress": _router_counts(err)}
    run = (BatchRun if args.via == "live" else BatchAPIRun)(
        model=model,
        items=items,
        prompt=args.prompt,
        concurrency=args.concurrency,
        rpm=args.rpm,
        tpm=args.tpm,
        budget=args.budget,
        system=args.system,
        schema=schema,
        max_side=args.max_side,
        prices=args.prices,
        max_wait=args.max_wait,
        journal=journal,
        **extra,
    )

    async def go() -> None:
        try:
            async for _ in run:
                progress.update(run)
        finally:
            await model.aclose()
            if model.http_async_client is not None:  # ours (see _model); the model never closes one it was given
                await model.http_async_client.aclose()

    began = time.monotonic()
    code = 0
    try:
        asyncio.run(go())
    except JournalWriteError as exc:
        code = 3
        lost = run.unwritten
        named = ", ".join(lost[:5]) + (f" and {len(lost) - 5} more" if len(lost) > 5 else "")
        err.write(
            f"visionrouter batch: {exc.strerror}: {len(lost)} answer(s) were paid for and not written ({named}). "
            "Nothing else was sent. Free space or fix the file's permissions, then rerun the same command: "
            "the items not written are sent again\n"
        )
    finally:
        progress.close()
        summary = {
            "done": run.done,
            "failed": run.failed,
            "skipped": run.skipped,
            "remaining": todo - run.done - run.failed,
            "cost": run.cost,
            "spent_before": run.spent_before,
            "seconds": round(time.monotonic() - began, 3),
            "stopped": run.stopped,
            "unwritten": len(run.unwritten),
            "out": args.out,
        }
        earlier = f" (${run.spent_before:.6f} by earlier runs)" if run.spent_before else ""
        err.write(
            f"visionrouter batch: {run.done} done, {run.failed} failed, {run.skipped} skipped (already in {args.out}), "
            f"{summary['remaining']} left, cost ${run.cost:.6f}{earlier}, {summary['seconds']} s\n"
        )
        if run.stopped:
            err.write(f"visionrouter batch: stopped early: {run.stopped}\n")
        if args.json:
            out.write(json.dumps(summary) + "\n")
    if code:
        return code
    return 0 if not run.failed and not run.stopped else 1


def _router_counts(err: TextIO) -> Any:
    """A progress line per change of a batch's status or counts, in the router's own terms."""
    last: dict[str, str] = {}

    def report(state: Any) -> None:
        line = f"batch {state.id}: {state.status}, {state.counts()} (the router's counts)"
        if last.get(state.id) != line:
            last[state.id] = line
            err.write(f"visionrouter batch: {line}\n")
            err.flush()

    return report


def _estimate(args: argparse.Namespace, model: Any, items: Any, total: int, out: TextIO) -> int:
    """``--estimate``: every item counted as the run would send it; priced; refusals listed; nothing sent."""
    from langchain_visionrouter._batch.admission import lookup_prices
    from langchain_visionrouter._batch.engine import BatchRun

    shaper = BatchRun(model=model, items=[], prompt=args.prompt, system=args.system, max_side=args.max_side)
    tokens = 0
    refused: list[str] = []
    try:
        for item in items:
            try:  # the same conversion the call makes: fit applied, refusals raised
                tokens += model.get_num_tokens_from_messages(shaper._messages(item))
            except (ValueError, OSError) as exc:
                refused.append(f"{item.key}: {exc}")
    finally:
        model.close()
    try:
        prices = args.prices or lookup_prices(model)
        price_note: str | None = None
    except ValueError as exc:
        prices, price_note = None, str(exc)
    cost = None if prices is None else tokens * prices.prompt / 1_000_000
    worst = None
    longest = model.max_tokens or (prices.max_output_tokens if prices else None)
    if prices is not None and cost is not None and longest:
        worst = cost + (total - len(refused)) * longest * prices.completion / 1_000_000
    result = {
        "sent": False,
        "items": total,
        "refused": len(refused),
        "estimated_input_tokens": tokens,
        "image_fit": model.image_fit,
        "estimated_input_cost": cost,
        "worst_case_cost": worst,
        "price_source": prices.source if prices else price_note,
    }
    if args.json:
        out.write(json.dumps({**result, "refusals": refused}, indent=2, ensure_ascii=False) + "\n")
    else:
        out.write(
            f"estimated input: {tokens} tokens for {total - len(refused)} item(s) to {args.model} "
            f"(image fit: {model.image_fit})\n"
        )
        if cost is None:
            out.write(f"estimated cost: unknown ({price_note})\n")
        else:
            out.write(f"estimated input cost: ${cost:.6f} ({prices.source if prices else ''})\n")
        if worst is not None:
            out.write(f"worst case with the longest answers: ${worst:.6f} (what --budget reserves)\n")
        for line in refused:
            out.write(f"refused: {line}\n")
        out.write("nothing was sent\n")
    return 2 if refused else 0
