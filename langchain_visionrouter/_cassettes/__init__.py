"""Cassette files (literal-block YAML) and replay without a key: what ``testing`` builds on.

Loaded by the pytest plugin, so nothing here imports langchain-core.
"""
