"""Scenarios, targets, and the outputs: results JSON, markdown table, PNG chart."""

from __future__ import annotations

import datetime
import json
import os
import platform
import statistics
import subprocess
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from benchmarks.contenders import LABELS
from benchmarks.server import stream_text


@dataclass(frozen=True)
class Scenario:
    mode: str  # "import", "time", "mem", "pair" or "upload"
    op: str  # the worker's operation (for "pair": the group of sizes)
    iters: int  # operations timed per measurement (for "pair" and "mem": repetitions)
    label: str


SCENARIOS: dict[str, Scenario] = {
    "import": Scenario("import", "", 1, "import, fresh process"),
    "invoke": Scenario("time", "invoke", 200, "one non-streaming call, short answer"),
    "stream2000": Scenario("time", "stream2000", 6, "consume a 2,000-chunk stream"),
    "concurrent100": Scenario("time", "concurrent100", 6, "100 concurrent ainvoke"),
    "image8": Scenario("time", "image8", 6, "one call with an 8 MiB base64 image: time"),
    "image8_mem": Scenario("mem", "image8", 3, "8 MiB image as a data URL: peak traced memory"),
    "image8_std_mem": Scenario("mem", "image8_std", 3, "8 MiB image as a standard base64 block: peak memory"),
    "image8_legacy_mem": Scenario("mem", "image8_legacy", 3, "8 MiB image as a legacy (v0) block: peak memory"),
    "image8_file_mem": Scenario("mem", "image8_file", 3, "8 MiB image as image_block(file): peak memory"),
    "freshloop": Scenario("time", "freshloop", 40, "first ainvoke in a fresh event loop (asyncio.run each)"),
    "astreams1000": Scenario("time", "astreams1000x200", 1, "1,000 concurrent astream calls of 200 chunks"),
    "astreams1000_mem": Scenario("mem", "astreams1000x200", 1, "the same: peak memory (per call: / 1,000)"),
    "upload12mp": Scenario("upload", "", 1, "bytes uploaded for a 12 MP photo"),
    # How time grows with size: each size timed back to back in one worker (see
    # benchmarks/worker.py, mode "pair"), so a growth ratio compares like with like.
    "stream_growth": Scenario("pair", "stream", 4, "streams of 1,000 and 10,000 chunks, timed in pairs"),
    "rawstream_growth": Scenario("pair", "rawstream", 4, "the same through _stream() alone"),
    "stream1000_mem": Scenario("mem", "stream1000", 3, "1,000-chunk stream: peak traced memory"),
    "stream10000_mem": Scenario("mem", "stream10000", 3, "10,000-chunk stream: peak traced memory"),
    "rawstream1000_mem": Scenario("mem", "rawstream1000", 3, "1,000 chunks through _stream() alone: peak memory"),
    "rawstream10000_mem": Scenario("mem", "rawstream10000", 3, "10,000 chunks through _stream() alone: peak memory"),
    "image_growth": Scenario("pair", "image", 6, "calls with 1, 4 and 16 MiB images, timed in sets"),
}

#: (scenario, metric, target ratio, to whom). Time targets must hold for CPU *and* wall time.
TARGETS = (
    ("import", "time", 1.1, "floor"),
    ("invoke", "time", 1.2, "floor"),
    ("stream2000", "time", 1.3, "floor"),
    ("concurrent100", "time", 1.2, "floor"),
    ("image8", "time", 1.0, "floor"),
    ("image8_mem", "peak", 0.15, "floor"),
    ("image8_std_mem", "peak", 0.15, "floor"),
    ("image8_legacy_mem", "peak", 0.15, "floor"),
    ("image8_file_mem", "peak", 0.15, "floor"),
    ("freshloop", "time", 1.0, "openai"),
    ("astreams1000", "wall", 1.2, "floor"),
    ("astreams1000_mem", "peak", 1.0, "floor"),
)
#: Tolerances for the growth checks, which compare a contender with itself.
PER_CHUNK_TOLERANCE = 1.05  # 10,000-chunk per-chunk cost / 1,000-chunk per-chunk cost
LINEAR_TOLERANCE = 1.25  # marginal cost per MiB from 4 to 16 MiB / from 1 to 4 MiB
RAW_TEXT_TOLERANCE = 1.25  # _stream() alone: peak growth per chunk / the text per chunk


def environment(contenders: list[str], skipped: list[str], rounds: int, quick: bool, seconds: float) -> dict[str, Any]:
    from importlib import metadata

    def version(dist: str) -> str | None:
        try:
            return metadata.version(dist)
        except metadata.PackageNotFoundError:
            return None

    cpu = platform.processor() or platform.machine()
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    root = Path(__file__).resolve().parents[1]
    try:
        commit = subprocess.run(
            ["git", "rev-parse", "--short", "HEAD"], cwd=root, capture_output=True, text=True, check=True
        ).stdout.strip()
        dirty = subprocess.run(
            ["git", "status", "--porcelain", "langchain_visionrouter"], cwd=root, capture_output=True, text=True
        ).stdout.strip()
        commit += " (+ uncommitted changes)" if dirty else ""
    except (OSError, subprocess.CalledProcessError):
        commit = None
    dists = ("langchain-core", "httpx", "pydantic", "langchain-openai", "openai", "langchain-openrouter", "openrouter")
    return {
        "date": datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%d %H:%M UTC"),
        "machine": f"{cpu}, {os.cpu_count()} cores, {platform.system()} {platform.release()}",
        "python": platform.python_version(),
        "versions": {"langchain-visionrouter": f"worktree {commit}", **{d: version(d) for d in dists}},
        "contenders": contenders,
        "skipped": skipped,
        "rounds": rounds,
        "quick": quick,
        "seconds": round(seconds),
    }


def _median(runs: list[dict[str, Any]], key: str) -> float | None:
    values = [r[key] for r in runs if key in r]
    return statistics.median(values) if values else None


def growth_ratio(group: str, cost: dict[str, float]) -> float:
    """How cost grows with size, from the cost of one operation at each size (by size).

    Streams: per-chunk cost of 10,000 chunks over that of 1,000. Images: the marginal cost
    per MiB from 4 to 16 MiB over that from 1 to 4 (1.0 is linear)."""
    if group == "image":
        return ((cost["16"] - cost["4"]) / 12) / ((cost["4"] - cost["1"]) / 3)
    return (cost["10000"] / 10000) / (cost["1000"] / 1000)


def summarize(raw: dict[str, dict[str, list[dict[str, Any]]]], contenders: list[str]) -> dict[str, Any]:
    med: dict[str, dict[str, dict[str, float | None]]] = {}
    paired: dict[str, dict[str, dict[str, Any]]] = {}
    upload = {c: runs[-1] for c, runs in raw.get("upload12mp", {}).items() if runs}
    for scenario, by_contender in raw.items():
        if SCENARIOS[scenario].mode == "upload":
            continue
        if SCENARIOS[scenario].mode == "pair":
            paired[scenario] = {c: _pooled(runs) for c, runs in by_contender.items() if runs}
            continue
        med[scenario] = {
            c: {k: _median(runs, k) for k in ("cpu", "wall", "peak")} for c, runs in by_contender.items() if runs
        }

    def ratio(scenario: str, c: str, key: str, versus: str = "floor") -> float | None:
        try:
            value, floor = med[scenario][c][key], med[scenario][versus][key]
        except KeyError:
            return None
        return value / floor if value is not None and floor else None

    targets = []
    for scenario, metric, target, versus in TARGETS:
        if scenario not in med:
            continue
        row: dict[str, Any] = {"scenario": scenario, "metric": metric, "target": target, "contenders": {}}
        row["versus"] = versus
        for c in contenders:
            if c not in med[scenario]:
                continue
            if metric == "peak":
                r = ratio(scenario, c, "peak", versus)
                entry = {"value": med[scenario][c]["peak"], "ratio": r, "met": r is not None and r <= target}
            else:
                rc, rw = ratio(scenario, c, "cpu", versus), ratio(scenario, c, "wall", versus)
                if metric == "wall":  # many sockets at once: the wall time is the user's cost
                    rc = rw
                entry = {
                    "cpu": med[scenario][c]["cpu"],
                    "wall": med[scenario][c]["wall"],
                    "ratio_cpu": rc,
                    "ratio_wall": rw,
                    "met": rc is not None and rw is not None and rc <= target and rw <= target,
                }
            row["contenders"][c] = entry
        targets.append(row)

    growth: dict[str, dict[str, Any]] = {}
    for c in contenders:
        g: dict[str, Any] = {}
        for scenario, prefix in (("stream_growth", ""), ("rawstream_growth", "raw_")):
            pooled = paired.get(scenario, {}).get(c)
            if pooled is None:
                continue
            for key in ("cpu", "wall"):
                small, large = pooled[key]["1000"], pooled[key]["10000"]
                g[f"{prefix}per_chunk_{key}_1000"] = statistics.median(small) / 1000
                g[f"{prefix}per_chunk_{key}_10000"] = statistics.median(large) / 10000
                # Pair by pair: each 10,000-chunk stream against the 1,000-chunk ones timed beside it.
                g[f"{prefix}per_chunk_ratio_{key}"] = statistics.median(
                    growth_ratio("stream", {"1000": a, "10000": b}) for a, b in zip(small, large, strict=True)
                )
            ratios = [g[f"{prefix}per_chunk_ratio_cpu"], g[f"{prefix}per_chunk_ratio_wall"]]
            g[f"{prefix}per_chunk_met"] = all(r <= PER_CHUNK_TOLERANCE for r in ratios)
        if c in med.get("stream1000_mem", {}) and c in med.get("stream10000_mem", {}):
            small, large = med["stream1000_mem"][c]["peak"], med["stream10000_mem"][c]["peak"]
            if small is not None and large is not None:
                text_growth = len(stream_text(10000)) - len(stream_text(1000))
                g["stream_peak_1000"] = small
                g["stream_peak_10000"] = large
                g["stream_peak_growth_per_chunk"] = (large - small) / 9000
                g["text_growth_per_chunk"] = text_growth / 9000
        if c in med.get("rawstream1000_mem", {}) and c in med.get("rawstream10000_mem", {}):
            small, large = med["rawstream1000_mem"][c]["peak"], med["rawstream10000_mem"][c]["peak"]
            if small is not None and large is not None:
                text_growth = (len(stream_text(10000)) - len(stream_text(1000))) / 9000
                g["raw_stream_peak_growth_per_chunk"] = (large - small) / 9000
                g["text_growth_per_chunk"] = text_growth
                # The adapter keeps the text (for a failed stream's partial) and no more; joined
                # a few hundred pieces per string, a string header (~49 B) per block on top.
                g["raw_stream_memory_met"] = g["raw_stream_peak_growth_per_chunk"] <= text_growth * RAW_TEXT_TOLERANCE
        pooled = paired.get("image_growth", {}).get(c)
        if pooled is not None:
            for key in ("cpu", "wall"):
                t1, t4, t16 = (pooled[key][size] for size in ("1", "4", "16"))
                g[f"image_{key}"] = {size: statistics.median(pooled[key][size]) for size in ("1", "4", "16")}
                # Set by set.
                sets = zip(t1, t4, t16, strict=True)
                marginal = [growth_ratio("image", {"1": c1, "4": c4, "16": c16}) for c1, c4, c16 in sets if c4 > c1]
                g[f"image_marginal_ratio_{key}"] = statistics.median(marginal) if marginal else None
            ratios = [g["image_marginal_ratio_cpu"], g["image_marginal_ratio_wall"]]
            g["image_linear_met"] = all(r is not None and r <= LINEAR_TOLERANCE for r in ratios)
        growth[c] = g
    floor_growth = growth.get("floor", {}).get("stream_peak_growth_per_chunk")
    floor_per_chunk = growth.get("floor", {}).get("per_chunk_ratio_cpu")
    for g in growth.values():
        # Through stream(), LangChain keeps every chunk and the garbage collector walks them,
        # so per-chunk cost grows for any chat model; compare that growth with the floor's.
        if g.get("per_chunk_ratio_cpu") is not None and floor_per_chunk:
            g["per_chunk_vs_floor"] = g["per_chunk_ratio_cpu"] / floor_per_chunk
            g["per_chunk_vs_floor_met"] = g["per_chunk_vs_floor"] <= PER_CHUNK_TOLERANCE
        own = g.get("stream_peak_growth_per_chunk")
        if own is not None and floor_growth:
            g["stream_peak_growth_vs_floor"] = own / floor_growth
            g["stream_memory_met"] = own <= floor_growth * 1.05
    return {"median": med, "paired": paired, "targets": targets, "growth": growth, "upload": upload}


def _pooled(runs: list[dict[str, Any]]) -> dict[str, Any]:
    """Every repetition of every round of a paired measurement, size by size, in order."""
    sizes = [str(size) for size in runs[0]["sizes"]]
    return {key: {size: [t for r in runs for t in r[key][size]] for size in sizes} for key in ("cpu", "wall")}


# ---------------------------------------------------------------------------
# Outputs


def _ms(seconds: float | None) -> str:
    return "-" if seconds is None else f"{seconds * 1e3:.3g} ms" if seconds < 10 else f"{seconds:.1f} s"


def _mb(value: float | None) -> str:
    return "-" if value is None else f"{value / 1e6:.2f} MB"


def _x(ratio: float | None) -> str:
    return "-" if ratio is None else f"{ratio:.2f}"


def _head(*cells: str) -> list[str]:
    """A markdown table's header row and rule."""
    return ["| " + " | ".join(cells) + " |", "|" + "---|" * len(cells)]


def markdown(meta: dict[str, Any], summary: dict[str, Any]) -> str:
    contenders = meta["contenders"]
    others = [c for c in contenders if c != "floor"]
    lines = [
        "# Benchmark results",
        "",
        f"- date: {meta['date']}",
        f"- machine: {meta['machine']}",
        f"- python {meta['python']}; " + ", ".join(f"{k} {v}" for k, v in meta["versions"].items() if v is not None),
        f"- {meta['rounds']} rounds, medians; contenders alternated run by run"
        + ("; QUICK smoke run (fewer operations)" if meta["quick"] else "")
        + (f"; not installed: {', '.join(meta['skipped'])}" if meta["skipped"] else ""),
        "",
        "Ratios are to the floor (a minimal `BaseChatModel` over bare httpx). Times are the client",
        "process's CPU time per operation (user + system), with the wall-clock ratio beside it;",
        "a time target is met only when both ratios meet it. Memory is peak traced Python memory",
        "(`tracemalloc`) during the call.",
        "",
        "## Targets",
        "",
        *_head("scenario", "target", "floor", *(cell for c in others for cell in (LABELS[c], "ratio (wall)"))),
    ]
    for row in summary["targets"]:
        scen = SCENARIOS[row["scenario"]]
        floor = row["contenders"].get("floor", {})
        versus = "" if row["versus"] == "floor" else f" x {LABELS[row['versus']]}"
        cells = [scen.label, f"<= {row['target']}{versus}"]
        if row["metric"] == "peak":
            cells.append(_mb(floor.get("value")))
        else:
            cells.append(_ms(floor.get("cpu")))
        for c in others:
            e = row["contenders"].get(c)
            if e is None:
                cells += ["-", "-"]
            elif row["metric"] == "peak":
                cells += [_mb(e["value"]), f"**{_x(e['ratio'])}** {'met' if e['met'] else 'MISSED'}"]
            else:
                cells += [
                    _ms(e["cpu"]),
                    f"**{_x(e['ratio_cpu'])}** ({_x(e['ratio_wall'])}) {'met' if e['met'] else 'MISSED'}",
                ]
        lines.append("| " + " | ".join(cells) + " |")

    counted = summary.get("instructions") or {}
    if counted.get("floor", {}).get("targets"):
        floor_counts = counted["floor"]["targets"]
        target_of = {scenario: target for scenario, _, target, _ in TARGETS}
        lines += [
            "",
            "The same targets counted in instructions (callgrind; repeatable where time is not):",
            "",
            *_head("scenario", "target", "floor", *(LABELS[c] for c in others)),
        ]
        for scenario, floor_count in floor_counts.items():
            cells = [SCENARIOS[scenario].label, f"<= {target_of[scenario]}", f"{floor_count / 1e6:.2f}M"]
            for c in others:
                if c not in counted:
                    cells.append("not counted")
                    continue
                count = counted[c]["targets"][scenario]
                verdict = "met" if count / floor_count <= target_of[scenario] else "MISSED"
                cells.append(f"{count / 1e6:.2f}M: **{_x(count / floor_count)}** {verdict}")
            lines.append("| " + " | ".join(cells) + " |")

    growth = summary["growth"]
    lines += [
        "",
        "## How cost grows",
        "",
        *_head("check", *(LABELS[c] for c in contenders)),
    ]

    def row(title: str, fmt: Any) -> None:
        lines.append(f"| {title} | " + " | ".join(fmt(growth.get(c, {})) for c in contenders) + " |")

    def met(flag: Any) -> str:
        return "" if flag is None else (" met" if flag else " MISSED")

    row("per-chunk CPU, 1,000-chunk stream", lambda g: _us(g.get("per_chunk_cpu_1000")))
    row("per-chunk CPU, 10,000-chunk stream", lambda g: _us(g.get("per_chunk_cpu_10000")))
    row(
        f"10,000 / 1,000 per-chunk cost, CPU (wall); <= {PER_CHUNK_TOLERANCE}",
        lambda g: (
            f"**{_x(g.get('per_chunk_ratio_cpu'))}** ({_x(g.get('per_chunk_ratio_wall'))})"
            + met(g.get("per_chunk_met"))
        ),
    )
    row(
        f"that growth over the floor's (LangChain's own retention); <= {PER_CHUNK_TOLERANCE}",
        lambda g: f"**{_x(g.get('per_chunk_vs_floor'))}**" + met(g.get("per_chunk_vs_floor_met")),
    )

    def counted_row(title: str, fmt: Any) -> None:
        if counted:
            cells = (fmt(counted[c]) if c in counted else "not counted" for c in contenders)
            lines.append(f"| {title} | " + " | ".join(cells) + " |")

    for group, name in (("stream", "stream()"), ("rawstream", "_stream() alone")):
        counted_row(
            f"instructions per chunk (callgrind), {name}, 1,000 / 10,000-chunk stream",
            lambda k, g=group: f"{k[g]['per_op']['1000'] / 1e6:.1f}k / {k[g]['per_op']['10000'] / 1e7:.1f}k",
        )
        counted_row(
            f"10,000 / 1,000 instructions per chunk, {name}; <= {PER_CHUNK_TOLERANCE}",
            lambda k, g=group: f"**{_x(k[g]['ratio'])}**" + met(k[g]["ratio"] <= PER_CHUNK_TOLERANCE),
        )
    row("per-chunk CPU, _stream() alone, 1,000 chunks", lambda g: _us(g.get("raw_per_chunk_cpu_1000")))
    row("per-chunk CPU, _stream() alone, 10,000 chunks", lambda g: _us(g.get("raw_per_chunk_cpu_10000")))
    row(
        f"_stream() alone, 10,000 / 1,000 per-chunk cost, CPU; <= {PER_CHUNK_TOLERANCE}",
        lambda g: f"**{_x(g.get('raw_per_chunk_ratio_cpu'))}**" + met(g.get("raw_per_chunk_met")),
    )
    row("stream peak memory, 1,000 chunks", lambda g: _mb(g.get("stream_peak_1000")))
    row("stream peak memory, 10,000 chunks", lambda g: _mb(g.get("stream_peak_10000")))
    row(
        "peak growth per extra chunk (text: "
        + f"{next(iter(growth.values()), {}).get('text_growth_per_chunk', 0):.1f} B)",
        lambda g: (
            "-" if g.get("stream_peak_growth_per_chunk") is None else f"{g['stream_peak_growth_per_chunk']:.0f} B"
        ),
    )
    row(
        "peak growth vs the floor's (LangChain's own retention); <= 1.05",
        lambda g: f"**{_x(g.get('stream_peak_growth_vs_floor'))}**" + met(g.get("stream_memory_met")),
    )
    row(
        f"_stream() alone: peak growth per extra chunk; <= {RAW_TEXT_TOLERANCE} x the text's",
        lambda g: (
            "-"
            if g.get("raw_stream_peak_growth_per_chunk") is None
            else f"**{g['raw_stream_peak_growth_per_chunk']:.1f} B**" + met(g.get("raw_stream_memory_met"))
        ),
    )
    for mib in ("1", "4", "16"):
        row(f"{mib} MiB image call, CPU", lambda g, m=mib: _ms((g.get("image_cpu") or {}).get(m)))
    counted_row(
        "instructions per image call (callgrind), 1 / 4 / 16 MiB",
        lambda k: " / ".join(f"{k['image']['per_op'][m] / 1e6:.0f}M" for m in ("1", "4", "16")),
    )
    counted_row(
        f"marginal instructions per MiB, 4-16 / 1-4; <= {LINEAR_TOLERANCE}",
        lambda k: f"**{_x(k['image']['ratio'])}**" + met(k["image"]["ratio"] <= LINEAR_TOLERANCE),
    )
    row(
        f"marginal cost per MiB, 4-16 / 1-4, CPU (wall); <= {LINEAR_TOLERANCE}",
        lambda g: (
            f"**{_x(g.get('image_marginal_ratio_cpu'))}** ({_x(g.get('image_marginal_ratio_wall'))})"
            + met(g.get("image_linear_met"))
        ),
    )

    upload = summary.get("upload") or {}
    if upload:
        first = next(iter(upload.values()))
        models = list(first["body_bytes"])
        lines += [
            "",
            f"## Bytes uploaded for a 12 MP photo ({first['photo_bytes']:,} B JPEG; ChatVisionRouter with "
            '`image_fit="model"`)',
            "",
            *_head("model", *(LABELS[c] for c in contenders if c in upload)),
        ]
        for m in models:
            cells = [f"{upload[c]['body_bytes'][m]:,} B" for c in contenders if c in upload]
            lines.append(f"| {m} | " + " | ".join(cells) + " |")
    lines += [
        "",
        "## Every median",
        "",
        *_head("scenario", "metric", *(LABELS[c] for c in contenders)),
    ]
    for scenario, by_c in summary["median"].items():
        keys = ("peak",) if SCENARIOS[scenario].mode == "mem" else ("cpu", "wall")
        for key in keys:
            fmt = _mb if key == "peak" else _ms
            cells = [fmt((by_c.get(c) or {}).get(key)) for c in contenders]
            lines.append(f"| {SCENARIOS[scenario].label} | {key} | " + " | ".join(cells) + " |")
    unit = {"stream_growth": "chunks", "rawstream_growth": "chunks", "image_growth": "MiB"}
    for scenario, by_c in summary["paired"].items():
        sizes = next(iter(by_c.values()))["cpu"]
        for size in sizes:
            for key in ("cpu", "wall"):
                cells = [_ms(statistics.median(by_c[c][key][size])) if c in by_c else "-" for c in contenders]
                title = f"{SCENARIOS[scenario].label}: one operation, {int(size):,} {unit[scenario]}"
                lines.append(f"| {title} | {key} | " + " | ".join(cells) + " |")
    lines.append("")
    return "\n".join(lines)


def _us(seconds: float | None) -> str:
    return "-" if seconds is None else f"{seconds * 1e6:.1f} us"


def chart(path: Path, meta: dict[str, Any], summary: dict[str, Any]) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    contenders = meta["contenders"]
    others = [c for c in contenders if c != "floor"]
    colors = {"floor": "#888888", "visionrouter": "#1f77b4", "openai": "#2ca02c", "openrouter": "#d62728"}
    fig, axes = plt.subplots(1, 3, figsize=(17, 5.2), gridspec_kw={"width_ratios": [2.2, 1, 1]})

    ax = axes[0]
    rows = summary["targets"]
    width = 0.8 / max(1, len(others))
    for i, c in enumerate(others):
        xs, ys = [], []
        for j, row in enumerate(rows):
            e = row["contenders"].get(c)
            if e is None:
                continue
            xs.append(j + (i - (len(others) - 1) / 2) * width)
            ys.append(e["ratio"] if row["metric"] == "peak" else max(e["ratio_cpu"] or 0, e["ratio_wall"] or 0))
        ax.bar(xs, ys, width, label=LABELS[c], color=colors.get(c))
    for j, row in enumerate(rows):
        ax.hlines(row["target"], j - 0.45, j + 0.45, colors="black", linestyles="dashed", linewidth=1.5)
    ax.axhline(1.0, color="#888888", linewidth=0.8)
    ax.set_yscale("log")
    ax.set_xticks(range(len(rows)))
    ax.set_xticklabels([_short(r["scenario"]) for r in rows], fontsize=8)
    ax.set_ylabel("ratio to the floor (log; worse of CPU and wall)")
    ax.set_title("Targets (dashed) vs ratio to the floor")
    ax.legend(fontsize=8, loc="best")

    ax = axes[1]
    growth = summary["growth"]
    for c in contenders:
        g = growth.get(c, {})
        if g.get("per_chunk_cpu_1000") is None:
            continue
        ax.plot(
            [1000, 10000],
            [g["per_chunk_cpu_1000"] * 1e6, g["per_chunk_cpu_10000"] * 1e6],
            marker="o",
            label=LABELS[c],
            color=colors.get(c),
        )
    ax.set_xscale("log")
    ax.set_yscale("log")
    ax.set_xlabel("chunks in the stream")
    ax.set_ylabel("CPU per chunk (us)")
    ax.set_title("Streaming: cost per chunk")
    ax.legend(fontsize=8, loc="best")

    ax = axes[2]
    for c in contenders:
        g = growth.get(c, {}).get("image_cpu")
        if not g:
            continue
        ax.plot(
            [1, 4, 16], [g["1"] * 1e3, g["4"] * 1e3, g["16"] * 1e3], marker="o", label=LABELS[c], color=colors.get(c)
        )
    ax.set_xlabel("image size (MiB, before base64)")
    ax.set_ylabel("CPU per call (ms)")
    ax.set_title("Image request: time vs size")
    ax.legend(fontsize=8, loc="best")

    fig.suptitle(f"langchain-visionrouter benchmarks - {meta['date']} - {meta['machine']}", fontsize=9)
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    plt.close(fig)


def _short(scenario: str) -> str:
    return {
        "import": "import",
        "invoke": "invoke\n(short)",
        "stream2000": "stream\n2,000 chunks",
        "concurrent100": "100 concurrent\nainvoke",
        "image8": "8 MiB image\ntime",
        "image8_mem": "8 MiB image\npeak memory",
    }.get(scenario, scenario)


def write_outputs(out: Path, meta: dict[str, Any], raw: dict[str, Any], summary: dict[str, Any]) -> dict[str, Path]:
    out.mkdir(parents=True, exist_ok=True)
    paths = {"json": out / "results.json", "table": out / "results.md", "chart": out / "results.png"}
    paths["json"].write_text(json.dumps({"meta": meta, "summary": summary, "raw": raw}, indent=1) + "\n")
    paths["table"].write_text(markdown(meta, summary))
    try:
        chart(paths["chart"], meta, summary)
    except ImportError:  # matplotlib is optional: the tables are the results
        del paths["chart"]
    return paths
