"""``reasoning_details``: the one rule for which fragments make up one detail. Pure.

A streamed detail arrives in fragments that share an ``index``; its growing fields
(``text``, ``summary``, ``data``, ``signature``) are split across them. A fragment with
another ``id`` or ``type`` at the same index starts a new detail (Gemini sends one
encrypted detail per tool call). The stream side (:class:`StreamDetails`) and the
send-back side (:func:`merge_reasoning_details`) both follow :func:`continues`.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from langchain_visionrouter._response.dialects import OBJECT

__all__ = ["GROWING_FIELDS", "StreamDetails", "continues", "merge_reasoning_details"]

#: Fields whose text is split across a detail's fragments.
GROWING_FIELDS = frozenset({"text", "summary", "data", "signature"})


def _differ(a: Mapping[str, Any], b: Mapping[str, Any], key: str) -> bool:
    return bool(a.get(key)) and bool(b.get(key)) and a[key] != b[key]


def continues(current: Mapping[str, Any], item: Mapping[str, Any]) -> bool:
    """Whether fragment ``item`` continues the detail ``current`` (same index, no other id or type)."""
    return current.get("index") == item.get("index") and not (
        _differ(current, item, "id") or _differ(current, item, "type")
    )


def merge_reasoning_details(details: Sequence[Any]) -> list[Any]:
    """Join fragments into whole details, to send back to the router.

    Already-whole details pass through unchanged, so signatures (Anthropic, Gemini) are
    sent back exactly as received.
    """
    merged: list[Any] = []
    by_index: dict[Any, dict[str, Any]] = {}
    for item in details:
        if not isinstance(item, OBJECT) or "index" not in item:
            merged.append(item)
            continue
        current = by_index.get(item["index"])
        if current is None or not continues(current, item):
            by_index[item["index"]] = current = dict(item)
            merged.append(current)
            continue
        for k, v in item.items():
            if v is None:
                continue
            old = current.get(k)
            if old is None:
                current[k] = v
            elif k in GROWING_FIELDS and isinstance(v, str) and isinstance(old, str):
                current[k] = old + v
            elif old != v and k not in ("type", "index", "format", "id"):
                current[k] = v  # a whole detail repeated with a newer value
    return merged


class StreamDetails:
    """Shapes streamed fragments so that LangChain's chunk sum rebuilds whole details.

    LangChain concatenates the strings of list items sharing an ``index`` when it sums
    chunks, so a fragment that continues a detail keeps only its index, its growing
    fields and fields not seen before (a repeated ``type`` or ``format`` would be doubled).
    """

    __slots__ = ("_seen",)

    def __init__(self) -> None:
        self._seen: dict[int, dict[str, Any]] = {}

    def fragments(self, details: Any) -> list[Any]:
        if not isinstance(details, list):
            return [details]
        out = []
        for item in details:
            if not (isinstance(item, OBJECT) and isinstance(item.get("index"), int)):
                out.append(item)
                continue
            seen = self._seen.get(item["index"])
            if seen is None or not continues(seen, item):
                self._seen[item["index"]] = dict(item)
                out.append(dict(item))
                continue
            fresh = {"index": item["index"]}
            for k, v in item.items():
                if k in GROWING_FIELDS:
                    if v:
                        fresh[k] = v
                elif k not in seen and v is not None:
                    fresh[k] = seen[k] = v
            out.append(fresh)
        return out
