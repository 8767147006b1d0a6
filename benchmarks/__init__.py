"""Benchmarks: ChatVisionRouter against the floor, ChatOpenAI and ChatOpenRouter.

Run with ``python -m benchmarks`` (see ``benchmarks/README.md``). Never run by CI or pytest.
"""
