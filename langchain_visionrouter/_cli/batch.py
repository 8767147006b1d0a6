"""``visionrouter batch``: one prompt over many images, resumable, budgeted, with progress.

    visionrouter batch "Write alt text for this image." photos/ --out alt.jsonl \\
        --concurrency 32 --rpm 600 --budget 5

A thin shell: inputs and the output journal are :mod:`._batch_io`, the work is
:func:`._batch.run_batch`. Rerunning the same command skips the keys already in the
output file; ``--retry-failed`` sends the failed ones again.

Exit codes: 0 every item answered, 1 some item failed or the run stopped early (budget,
bad key), 2 bad input or usage, 130 interrupted (what was written stays; rerun to resume).
"""

from __future__ import annotations

import argparse
import asyncio
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
    if os.path.isdir(args.out):
        raise ValueError(f"--out {args.out}: is a folder; give a file name such as results.jsonl")
    folder = os.path.dirname(os.path.abspath(args.out))
    if not os.path.isdir(folder):
        raise ValueError(f"--out {args.out}: the folder {folder} does not exist; create it first")
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
    from langchain_visionrouter._batch.engine import run_batch
    from langchain_visionrouter._batch.io import Journal, expand_inputs

    schema = _check(args)
    model = _model(args)
    journal = Journal(args.out, retry_failed=args.retry_failed)
    if journal.cut:
        err.write(f"visionrouter batch: cut a torn last line ({journal.cut} bytes) from {args.out}\n")
    todo = sum(1 for item in expand_inputs(args.inputs) if item.key not in journal.done)  # also checks inputs
    progress = Progress(todo, err, args.progress_every)
    run = run_batch(
        model,
        expand_inputs(args.inputs),
        args.prompt,
        concurrency=args.concurrency,
        rpm=args.rpm,
        tpm=args.tpm,
        budget=args.budget,
        system=args.system,
        schema=schema,
        max_side=args.max_side,
        skip=journal.done,
    )

    async def go() -> None:
        try:
            async for result in run:
                journal.write(result.to_json())
                progress.update(run)
        finally:
            await model.aclose()
            if model.http_async_client is not None:  # ours (see _model); the model never closes one it was given
                await model.http_async_client.aclose()

    began = time.monotonic()
    try:
        asyncio.run(go())
    finally:
        progress.close()
        journal.close()
        summary = {
            "done": run.done,
            "failed": run.failed,
            "skipped": run.skipped,
            "remaining": todo - run.done - run.failed,
            "cost": run.cost,
            "seconds": round(time.monotonic() - began, 3),
            "stopped": run.stopped,
            "out": args.out,
        }
        err.write(
            f"visionrouter batch: {run.done} done, {run.failed} failed, {run.skipped} skipped (already in {args.out}), "
            f"{summary['remaining']} left, cost ${run.cost:.6f}, {summary['seconds']} s\n"
        )
        if run.stopped:
            err.write(f"visionrouter batch: stopped early: {run.stopped}\n")
        if args.json:
            out.write(json.dumps(summary) + "\n")
    return 0 if not run.failed and not run.stopped else 1
