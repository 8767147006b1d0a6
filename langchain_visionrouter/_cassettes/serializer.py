"""Cassette files as people read them: literal-block YAML, optionally gzipped (vcrpy serializers).

Private to :mod:`langchain_visionrouter.testing`, which is the public way to use them.
"""

from __future__ import annotations

import gzip
from collections.abc import Callable
from pathlib import Path
from typing import Any

import yaml

__all__ = ["GZIPPED", "OPTED_IN", "READABLE", "Persister", "ReadableYaml", "readable_when_opted_in", "vcr_serialize"]

OPTED_IN = "visionrouter"  # key of cassette_config() dicts; vcrpy ignores keys it does not know


class _Dumper(yaml.SafeDumper):
    pass


def _represent_str(dumper: yaml.SafeDumper, value: str) -> yaml.Node:
    # Multi-line text (SSE streams, pretty JSON) as literal blocks: readable and diffable.
    return dumper.represent_scalar("tag:yaml.org,2002:str", value, style="|" if "\n" in value else None)


_Dumper.add_representer(str, _represent_str)
_Dumper.add_representer(tuple, yaml.SafeDumper.represent_list)


class ReadableYaml:
    """A vcrpy serializer writing literal blocks; reads any vcrpy YAML cassette."""

    def __init__(self, *, gzipped: bool) -> None:
        self.gzipped = gzipped

    @staticmethod
    def serialize(cassette_dict: dict[str, Any]) -> str:
        return yaml.dump(cassette_dict, Dumper=_Dumper, sort_keys=False, width=1000, allow_unicode=True)

    @staticmethod
    def deserialize(cassette_string: str) -> Any:
        from vcr.serializers import yamlserializer  # type: ignore[import-untyped]

        return yamlserializer.deserialize(cassette_string)


READABLE = ReadableYaml(gzipped=False)
GZIPPED = ReadableYaml(gzipped=True)


class Persister:
    """Wraps the VCR's persister; only ``yaml.gz`` cassettes are read and written here."""

    def __init__(self, inner: Any) -> None:
        self.inner = inner

    def load_cassette(self, cassette_path: Any, serializer: Any) -> Any:
        if serializer is not GZIPPED:
            return self.inner.load_cassette(cassette_path, serializer=serializer)
        from vcr.persisters.filesystem import CassetteNotFoundError  # type: ignore[import-untyped]

        requests: list[Any] = []
        responses: list[Any] = []
        # pytest-recording's persister also reads the extra cassettes named in the mark.
        paths = dict.fromkeys([str(cassette_path), *map(str, getattr(self.inner, "extra_paths", ()))])
        for path in paths:
            file = Path(path)
            if not file.is_file():
                continue
            raw = file.read_bytes()
            text = (gzip.decompress(raw) if raw[:2] == b"\x1f\x8b" else raw).decode("utf-8")
            loaded_requests, loaded_responses = vcr_serialize().deserialize(text, serializer)
            requests.extend(loaded_requests)
            responses.extend(loaded_responses)
        if not requests:
            raise CassetteNotFoundError()
        return requests, responses

    def save_cassette(self, cassette_path: Any, cassette_dict: Any, serializer: Any) -> None:
        if serializer is not GZIPPED:
            self.inner.save_cassette(cassette_path, cassette_dict, serializer=serializer)
            return
        file = Path(cassette_path)
        file.parent.mkdir(parents=True, exist_ok=True)
        text = vcr_serialize().serialize(cassette_dict, serializer)
        file.write_bytes(gzip.compress(text.encode("utf-8"), mtime=0))


def vcr_serialize() -> Any:
    # vcrpy is a test dependency: imported only when a cassette is read or written.
    from vcr import serialize  # type: ignore[import-untyped]

    return serialize


def readable_when_opted_in(vcr: Any, original: Callable[..., dict[str, Any]]) -> Callable[..., dict[str, Any]]:
    def get_merged_config(**kwargs: Any) -> dict[str, Any]:
        config = original(**kwargs)
        # Opted-in cassettes keep the serializer *name* "yaml" (so paths, and
        # pytest-recording's rewrite mode, are unchanged) but get the readable writer.
        if kwargs.get(OPTED_IN) and kwargs.get("serializer", vcr.serializer) == "yaml":
            config["serializer"] = READABLE
        return config

    get_merged_config.visionrouter = True  # type: ignore[attr-defined]
    return get_merged_config
