"""Regular expressions compiled once per machine instead of once per run.

The template's vocabulary (grammars/labels.yaml) and the narrative claim grammar (grammars/narrative.yaml)
become a few hundred regular expressions, many with CJK character classes. CPython's ``re`` builds a
65,536-entry bitmap for every such class, so compiling them costs ~40 ms of every ``xxgk check`` — as much as
reading a whole report. What ``re`` compiles a pattern into (its program: a list of integers plus the group
names) depends only on the pattern, the flags and the Python build, so it is kept in the per-user cache
(``checker.cache``) and handed straight to the regex engine next time.

This uses the interpreter's own compile steps (``re._parser``, ``re._compiler``, ``_sre.compile``), the same
calls ``re.compile`` makes. They are internal, so every use is guarded: the cache key holds the Python build
and the regex engine's magic number, ``_sre.compile`` validates every program it is given, and anything
unexpected (another Python, an unreadable entry, a changed internal signature) falls back to ``re.compile``.
"""

from __future__ import annotations

import contextlib
import re
import sys
from collections.abc import Callable, Iterator
from typing import Any

Compile = Callable[..., "re.Pattern[str]"]
Program = tuple[int, list[int], int, dict[str, int], tuple[Any, ...]]

try:
    import _sre

    _ENGINE = f"{sys.version}\0{_sre.MAGIC}\0{_sre.CODESIZE}".encode()
except (ImportError, AttributeError):  # another implementation of Python: no programs to keep
    _sre = None  # type: ignore[assignment]
    _ENGINE = b""


class _Compiler:
    """``re.compile`` that first looks for the pattern's program among ``programs`` and records new ones."""

    def __init__(self, programs: dict[tuple[str, int], Program]) -> None:
        self.programs = programs
        self.added = False

    def __call__(self, pattern: str, flags: int = 0) -> re.Pattern[str]:
        if _sre is None:
            return re.compile(pattern, flags)
        program = self.programs.get((pattern, flags))
        if program is not None:
            with contextlib.suppress(Exception):  # a program the engine refuses: compile it again
                return _sre.compile(pattern, *program)
        try:
            program = _program(pattern, flags)
            compiled = _sre.compile(pattern, *program)
        except re.error:
            raise
        except Exception:  # the interpreter's internals differ from the ones this was written for
            return re.compile(pattern, flags)
        self.programs[(pattern, flags)] = program
        self.added = True
        return compiled


def _program(pattern: str, flags: int) -> Program:
    """What ``re._compiler.compile`` hands to ``_sre.compile`` (CPython 3.11–3.13)."""
    from re import _compiler, _parser  # type: ignore[attr-defined]

    parsed = _parser.parse(pattern, flags)
    code = [int(op) for op in _compiler._code(parsed, flags)]  # opcodes are int subclasses pickle cannot rebuild
    groupindex = dict(parsed.state.groupdict)
    indexgroup: list[str | None] = [None] * parsed.state.groups
    for name, index in groupindex.items():
        indexgroup[index] = name
    return (flags | parsed.state.flags, code, parsed.state.groups - 1, groupindex, tuple(indexgroup))


@contextlib.contextmanager
def compiled_once(kind: str, source: bytes) -> Iterator[Compile]:
    """A ``compile(pattern, flags=0)`` for the patterns made from ``source`` (the bytes of the file they come
    from): programs come from the cache entry of ``kind`` for that source, and new ones are stored on exit."""
    from .cache import load, store

    key = source + b"\0" + _ENGINE
    stored = load(kind, key)
    compiler = _Compiler(stored if isinstance(stored, dict) else {})
    yield compiler
    if compiler.added and _ENGINE:
        store(kind, key, compiler.programs)
