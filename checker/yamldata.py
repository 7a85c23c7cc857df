"""YAML data files (grammars/*.yaml, rules/*.yaml) parsed once per content and kept in the user cache.

A warm start never imports PyYAML (~18 ms): the cache entry is named by the file's bytes and by which PyYAML
would parse it (its installed files' location, size and time, read without importing it), so an upgrade or a
changed file parses again and nothing stale is read.
"""

from __future__ import annotations

import importlib.util
import os
from collections.abc import Callable
from functools import lru_cache
from typing import Any


@lru_cache(maxsize=1)
def parser_identity() -> bytes:
    """Which PyYAML is installed, without importing it."""
    spec = importlib.util.find_spec("yaml")
    origin = spec.origin if spec is not None else None
    try:
        stat = os.stat(origin) if origin else None
    except OSError:
        stat = None
    return f"{origin}\0{stat.st_size if stat else ''}\0{stat.st_mtime_ns if stat else ''}".encode()


def safe_load(source: bytes) -> Any:
    """PyYAML's safe loader on ``source`` (libyaml's when present: the pure-Python one is several times slower)."""
    import yaml

    return yaml.load(source, Loader=getattr(yaml, "CSafeLoader", yaml.SafeLoader))


def parsed(kind: str, source: bytes, parse: Callable[[bytes], Any] = safe_load) -> Any:
    """``parse(source)``, kept in the user cache under ``kind`` for these bytes and this PyYAML."""
    from .cache import cached

    return cached(kind, source + b"\0" + parser_identity(), lambda: parse(source))
