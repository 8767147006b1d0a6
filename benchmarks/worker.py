"""One measurement in a fresh process: ``python -m benchmarks.worker MODE CONTENDER SCENARIO BASE``.

Prints one JSON object on the last line of stdout. Each measurement gets its own process
so contenders never share a heap, a connection pool or a warmed import cache, and so the
import scenario really starts cold. Only ``sys`` and ``time`` are imported before the
import scenario's clock starts.

Modes:

- ``import``: time the import statement(s) given (fresh process).
- ``time``: warm up, then time ``iters`` operations; report CPU time of this process
  (user + system: the client's own cost, not the server's nor the wait) and wall time,
  per operation.
- ``mem``: warm up, then peak traced Python memory (``tracemalloc``) above the
  baseline during one operation; the median of three.
- ``pair``: how cost grows with size, for one contender: ``stream`` / ``rawstream``
  (1,000 and 10,000 chunks) or ``image`` (1, 4 and 16 MiB). Each repetition times every
  size back to back, as much work for each (10 streams of 1,000 chunks against one of
  10,000), in an order that flips from one repetition to the next. A growth ratio is then
  taken within a repetition: both sides saw the same machine, a few seconds apart, which
  sizes timed in separate processes minutes apart do not on a shared machine.
- ``count``: build the model, warm up with two operations, then run ``k`` more and exit;
  run under callgrind by ``benchmarks.instructions``, which subtracts a ``k = 0`` run to
  count the instructions of the ``k`` operations alone.
"""

import sys
import time


def _import_mode(code: str) -> dict:  # type: ignore[type-arg]
    before = len(sys.modules)
    c0, t0 = time.process_time(), time.perf_counter()
    exec(code, {})
    wall, cpu = time.perf_counter() - t0, time.process_time() - c0
    return {"wall": wall, "cpu": cpu, "modules": len(sys.modules) - before}


def _image_message(mib: int):  # type: ignore[no-untyped-def]
    import base64
    import random

    from langchain_core.messages import HumanMessage

    raw = b"\x89PNG\r\n\x1a\n" + random.Random(mib).randbytes(mib * 1024 * 1024 - 8)
    url = "data:image/png;base64," + base64.b64encode(raw).decode("ascii")
    del raw
    content = [{"type": "text", "text": "What is in this image?"}, {"type": "image_url", "image_url": {"url": url}}]
    return HumanMessage(content=content)  # type: ignore[arg-type]


def _operation(model, scenario: str):  # type: ignore[no-untyped-def]
    """A zero-argument callable doing one operation of the scenario, and a check of its result."""
    from benchmarks.server import SHORT_ANSWER, stream_text

    if scenario == "invoke":

        def op():  # type: ignore[no-untyped-def]
            return model.invoke("Say hello.").content

        return op, lambda out: out == SHORT_ANSWER

    if scenario.startswith("rawstream"):
        # The adapter layer alone: _stream() without BaseChatModel.stream(), which keeps
        # every chunk of a stream until it ends (for its on_llm_end callback).
        from langchain_core.messages import HumanMessage

        n = int(scenario[9:])
        expected = len(stream_text(n))
        messages = [HumanMessage("Tell me a long story.")]

        def op():  # type: ignore[no-untyped-def]
            chars = 0
            for generation in model._stream(messages):
                chars += len(generation.message.content)
            return chars

        return op, lambda out: out == expected

    if scenario.startswith("stream"):
        n = int(scenario[6:])
        expected = len(stream_text(n))

        def op():  # type: ignore[no-untyped-def]
            chars = 0
            for chunk in model.stream("Tell me a long story."):
                chars += len(chunk.content)
            return chars

        return op, lambda out: out == expected

    if scenario.startswith("image"):
        message = _image_message(int(scenario[5:]))

        def op():  # type: ignore[no-untyped-def]
            return model.invoke([message]).content

        return op, lambda out: out == SHORT_ANSWER

    if scenario.startswith("concurrent"):
        import asyncio

        n = int(scenario[10:])
        loop = asyncio.new_event_loop()

        async def batch():  # type: ignore[no-untyped-def]
            results = await asyncio.gather(*(model.ainvoke("Say hello.") for _ in range(n)))
            return [r.content for r in results]

        def op():  # type: ignore[no-untyped-def]
            return loop.run_until_complete(batch())

        return op, lambda out: out == [SHORT_ANSWER] * n

    raise ValueError(f"unknown scenario {scenario!r}")


def _route(scenario: str) -> str:
    if scenario.startswith("stream"):
        return scenario
    if scenario.startswith("rawstream"):
        return scenario[3:]
    if scenario.startswith("image"):
        return "image"
    return "short"


def _warmed(contender: str, scenario: str, base: str, warmups: int):  # type: ignore[no-untyped-def]
    """The scenario's operation on a fresh model, warmed up (connections, lazy imports,
    caches) and its last warm-up result checked."""
    from benchmarks.contenders import make

    op, check = _operation(make(contender, f"{base}/s/{_route(scenario)}/v1"), scenario)
    for _ in range(warmups):
        out = op()
    if not check(out):
        raise SystemExit(f"{contender} {scenario}: wrong result {str(out)[:200]!r}")
    return op


def _time_mode(contender: str, scenario: str, base: str, iters: int) -> dict:  # type: ignore[type-arg]
    import gc

    op = _warmed(contender, scenario, base, max(1, iters // 10))
    gc.collect()
    c0, t0 = time.process_time(), time.perf_counter()
    for _ in range(iters):
        op()
    wall, cpu = time.perf_counter() - t0, time.process_time() - c0
    return {"wall": wall / iters, "cpu": cpu / iters, "iters": iters}


def _mem_mode(contender: str, scenario: str, base: str) -> dict:  # type: ignore[type-arg]
    import gc
    import statistics
    import tracemalloc

    op = _warmed(contender, scenario, base, 1)  # outside the trace
    tracemalloc.start()
    op()  # a first traced call, so lazily created objects are not counted as peak
    peaks = []
    for _ in range(3):
        gc.collect()
        tracemalloc.reset_peak()
        base_mem = tracemalloc.get_traced_memory()[0]
        op()
        peaks.append(tracemalloc.get_traced_memory()[1] - base_mem)
    tracemalloc.stop()
    return {"peak": statistics.median(peaks), "peaks": peaks}


#: The sizes timed in pairs (and counted in instructions by benchmarks.instructions).
PAIR_SIZES = {"stream": (1000, 10000), "rawstream": (1000, 10000), "image": (1, 4, 16)}


def _pair_mode(contender: str, group: str, base: str, reps: int) -> dict:  # type: ignore[type-arg]
    import gc

    sizes = PAIR_SIZES[group]
    ops = {size: _warmed(contender, f"{group}{size}", base, 2) for size in sizes}
    cpu: dict[str, list[float]] = {str(size): [] for size in sizes}
    wall: dict[str, list[float]] = {str(size): [] for size in sizes}
    for rep in range(reps):
        for size in sizes if rep % 2 == 0 else sizes[::-1]:
            n = sizes[-1] // size  # as much work for every size
            gc.collect()
            c0, t0 = time.process_time(), time.perf_counter()
            for _ in range(n):
                ops[size]()
            wall[str(size)].append((time.perf_counter() - t0) / n)
            cpu[str(size)].append((time.process_time() - c0) / n)
    # Per operation, one entry per repetition; report.py derives the ratios pair by pair.
    return {"sizes": list(sizes), "cpu": cpu, "wall": wall, "reps": reps}


def _count_mode(contender: str, scenario: str, base: str, k: int) -> dict:  # type: ignore[type-arg]
    op = _warmed(contender, scenario, base, 2)  # the same warm-up as the k = 0 run it is compared with
    for _ in range(k):
        op()
    return {"k": k}


def _wire(base: str, scenario: str) -> dict | None:  # type: ignore[type-arg]
    """What the server saw of this worker's last request (body size, framing)."""
    import json
    import urllib.request

    with urllib.request.urlopen(f"{base}/_stats", timeout=10) as r:
        stats = json.loads(r.read())
    last = stats["last"].get(_route(scenario))
    if last:
        last = {k: last[k] for k in ("body_bytes", "chunked", "content_length")}
    return last


def main(argv: list[str]) -> None:
    mode = argv[0]
    if mode == "import":
        result = _import_mode(argv[1])
    else:
        contender, scenario, base = argv[1], argv[2], argv[3]
        if mode == "time":
            result = _time_mode(contender, scenario, base, int(argv[4]))
        elif mode == "mem":
            result = _mem_mode(contender, scenario, base)
        elif mode == "count":
            result = _count_mode(contender, scenario, base, int(argv[4]))
        elif mode == "pair":
            result = _pair_mode(contender, scenario, base, int(argv[4]))
            scenario = f"{scenario}{PAIR_SIZES[scenario][-1]}"  # the route of the last request
        else:
            raise SystemExit(f"unknown mode {mode!r}")
        if mode != "count":  # under callgrind, only the operations counted
            result["wire"] = _wire(base, scenario)
    import json  # not before the import scenario's clock

    print(json.dumps(result))


if __name__ == "__main__":
    main(sys.argv[1:])
