"""Cost per 1,000 images, live and through the router's batch API, at catalog prices.

    python -m benchmarks.batch_api          # prints a Markdown table; no network

A computation, not a measurement: for a few vision models of the OpenRouter catalog held
in ``cassettes/openrouter_models.yaml`` (written from the documented ``/models`` format,
with the per-token prices listed there), each image's input tokens are the package's own
offline estimate (``get_num_tokens_from_messages``: the model family's image rule, from
``_router/profiles.py``) for a 1024x768 photo plus a one-line prompt, and the answer is
taken as ``ANSWER_TOKENS`` tokens of alt text. Live cost = tokens x the catalog's prices;
batch cost = the same at :data:`~langchain_visionrouter._batch.batch_api.BATCH_DISCOUNT`
(OpenRouter's guide: "typically billed at 50% of the model's standard per-token pricing";
the model's page is the source of truth). What the real bill is depends on the provider's
own image tokenisation; the ratio is what the batch API changes.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
MODELS = ("openai/gpt-4o-mini", "google/gemini-2.0-flash-001", "anthropic/claude-3.5-sonnet")
ANSWER_TOKENS = 100
PROMPT = "Write alt text for this image."
SIZE = (1024, 768)


def _catalog() -> dict[str, Any]:
    import yaml

    from langchain_visionrouter._router.model_info import parse_models

    data = yaml.safe_load((ROOT / "cassettes" / "openrouter_models.yaml").read_text())
    body = json.loads(data["interactions"][0]["response"]["body"]["string"])
    return {m.id: m for m in parse_models(body)}


def _photo() -> bytes:
    from tests.wire import png

    return png(*SIZE)


def rows() -> list[dict[str, Any]]:
    from langchain_core.messages import HumanMessage

    from langchain_visionrouter import ChatVisionRouter, image_block
    from langchain_visionrouter._batch.batch_api import BATCH_DISCOUNT

    catalog = _catalog()
    photo = _photo()
    out = []
    for name in MODELS:
        info = catalog[name]
        model = ChatVisionRouter(model=name, api_key="unused", image_fit="off")
        message = HumanMessage(content=[{"type": "text", "text": PROMPT}, image_block(photo)])
        tokens = model.get_num_tokens_from_messages([message])
        live = 1000 * (tokens * info.prompt_price + ANSWER_TOKENS * info.completion_price) / 1_000_000
        out.append(
            {
                "model": name,
                "input_tokens": tokens,
                "prices": f"{info.prompt_price:g} / {info.completion_price:g}",
                "live": live,
                "batch": live * BATCH_DISCOUNT,
            }
        )
        model.close()
    return out


def main() -> None:
    print(
        f"| model | input tokens per image ({SIZE[0]}x{SIZE[1]}) | catalog USD per M in / out | "
        f"live USD per 1,000 images | batch API USD per 1,000 images |"
    )
    print("|---|---:|---:|---:|---:|")
    for row in rows():
        print(f"| {row['model']} | {row['input_tokens']} | {row['prices']} | {row['live']:.4f} | {row['batch']:.4f} |")


if __name__ == "__main__":
    main()
