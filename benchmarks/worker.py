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
  baseline during one operation; the median of ``reps`` (3 for most scenarios).
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


def _image_message(mib: int, form: str = "url"):  # type: ignore[no-untyped-def]
    """A text part and a ``mib`` MiB PNG, in one of the accepted forms: ``url`` (a data URL),
    ``std`` (standard base64 block), ``legacy`` (v0 block), ``file`` (``image_block`` of a file)."""
    import base64
    import random

    from langchain_core.messages import HumanMessage

    # A PNG's header and IEND end around random bytes: an image is checked only at its two ends.
    head = b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x04\x00\x00\x00\x04\x00\x08\x02\x00\x00\x00\x00\x00\x00\x00"
    tail = b"\x00\x00\x00\x00IEND\xaeB`\x82"
    raw = head + random.Random(mib).randbytes(mib * 1024 * 1024 - len(head) - len(tail)) + tail
    if form == "file":
        import tempfile

        from langchain_visionrouter import image_block

        with tempfile.NamedTemporaryFile(suffix=".png") as f:
            f.write(raw)
            f.flush()
            del raw
            image = image_block(f.name)
    else:
        b64 = base64.b64encode(raw).decode("ascii")
        del raw
        image = {
            "url": {"type": "image_url", "image_url": {"url": "data:image/png;base64," + b64}},
            "std": {"type": "image", "base64": b64, "mime_type": "image/png"},
            "legacy": {"type": "image", "source_type": "base64", "data": b64, "mime_type": "image/png"},
        }[form]
        del b64
    content = [{"type": "text", "text": "What is in this image?"}, image]
    return HumanMessage(content=content)  # type: ignore[arg-type]


def _operation(model, scenario: str, fresh=None):  # type: ignore[no-untyped-def]
    """A zero-argument callable doing one operation of the scenario, and a check of its result.

    ``fresh`` builds a new model of the contender, for one event loop."""
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
        size, _, form = scenario[5:].partition("_")
        message = _image_message(int(size), form or "url")

        def op():  # type: ignore[no-untyped-def]
            return model.invoke([message]).content

        return op, lambda out: out == SHORT_ANSWER

    if scenario == "freshloop":
        # A new model in a new event loop per request, as serverless handlers and scripts do.
        import asyncio

        async def one():  # type: ignore[no-untyped-def]
            return (await fresh().ainvoke("Say hello.")).content

        def op():  # type: ignore[no-untyped-def]
            return asyncio.run(one())

        return op, lambda out: out == SHORT_ANSWER

    if scenario.startswith("astreams"):
        # ``astreams<calls>x<chunks>``: that many astream calls at once, each consumed whole.
        import asyncio

        calls, chunks = (int(n) for n in scenario[8:].split("x"))
        expected = len(stream_text(chunks))
        loop = asyncio.new_event_loop()

        async def consume():  # type: ignore[no-untyped-def]
            chars = 0
            async for chunk in model.astream("Tell me a long story."):
                chars += len(chunk.content)
            return chars

        async def streams():  # type: ignore[no-untyped-def]
            return await asyncio.gather(*(consume() for _ in range(calls)))

        def op():  # type: ignore[no-untyped-def]
            return loop.run_until_complete(streams())

        return op, lambda out: out == [expected] * calls

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
    if scenario.startswith("astreams"):
        return "stream" + scenario.split("x")[1]
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

    url = f"{base}/s/{_route(scenario)}/v1"
    op, check = _operation(make(contender, url), scenario, lambda: make(contender, url, per_loop=True))
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


def _mem_mode(contender: str, scenario: str, base: str, reps: int) -> dict:  # type: ignore[type-arg]
    import gc
    import statistics
    import tracemalloc

    op = _warmed(contender, scenario, base, 1)  # outside the trace
    tracemalloc.start()
    if reps > 1:
        op()  # a first traced call, so lazily created objects are not counted as peak
    peaks = []
    for _ in range(reps):
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


#: Models whose family documents its downscaling (see langchain_visionrouter._router.profiles), and one that does not.
UPLOAD_MODELS = (
    "anthropic/claude-sonnet-4.5",
    "openai/gpt-4o",
    "openai/gpt-4.1-mini",
    "google/gemini-2.5-flash",
    "qwen/qwen2.5-vl-72b-instruct",
)


def _photo() -> bytes:
    """A 12-megapixel (4032 x 3024) JPEG at quality 90, smooth with grain like a phone photo."""
    import io

    from PIL import Image

    size = (4032, 3024)
    grain = Image.effect_noise(size, 12).convert("RGB")
    photo = Image.blend(Image.linear_gradient("L").resize(size).convert("RGB"), grain, 0.3)
    out = io.BytesIO()
    photo.save(out, "JPEG", quality=90)
    return out.getvalue()


def _upload_mode(contender: str, base: str) -> dict:  # type: ignore[type-arg]
    """Request bytes the server received for one call with the photo, per model (``image_fit="model"``
    for ChatVisionRouter; the others send the file as it is, whatever the model)."""
    import base64

    from langchain_core.messages import HumanMessage

    from benchmarks.contenders import API_KEY, make

    photo = _photo()
    b64 = base64.b64encode(photo).decode("ascii")
    image = {"type": "image", "base64": b64, "mime_type": "image/jpeg"}
    message = HumanMessage(content=[{"type": "text", "text": "?"}, image])  # type: ignore[list-item]
    url = f"{base}/s/image/v1"
    sent = {}
    for model_id in UPLOAD_MODELS:
        if contender == "visionrouter":
            from langchain_visionrouter import ChatVisionRouter

            model = ChatVisionRouter(model=model_id, api_key=API_KEY, base_url=url, image_fit="model")
        else:
            model = make(contender, url)
        model.invoke([message])
        sent[model_id] = _wire(base, "image")["body_bytes"]  # type: ignore[index]
    return {"photo_bytes": len(photo), "body_bytes": sent}


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
            result = _mem_mode(contender, scenario, base, int(argv[4]))
        elif mode == "upload":
            result = _upload_mode(contender, base)
            scenario = "image"
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
