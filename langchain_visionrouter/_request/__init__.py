"""LangChain messages and call arguments -> one prepared call (``prepare``), built once and frozen.

Pure: no I/O, and nothing here changes a request once it is built.
"""
