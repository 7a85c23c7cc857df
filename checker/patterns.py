"""Regular expressions compiled once per machine instead of once per run: ``regex(pattern, flags)``.

The checker's modules, the template's vocabulary (grammars/labels.yaml) and the narrative claim grammar
(grammars/narrative.yaml) make a few hundred regular expressions, many with CJK character classes. CPython's
``re`` builds a 65,536-entry bitmap for every such class, so compiling them costs ~60 ms of every
``xxgk check`` — more than reading a whole report. What ``re`` compiles a pattern into (its program: a list of
integers plus the group names) depends only on the pattern, the flags and the Python build, so programs are kept
in one per-user cache entry (``checker.cache``) named by the Python build, and handed straight to the regex
engine next time. A program can never be stale: it is looked up by the pattern's own text.

This uses the interpreter's own compile steps (``re._parser``, ``re._compiler``, ``_sre.compile``), the same
calls ``re.compile`` makes. They are internal, so every use is guarded: the entry is named by the Python build
and the regex engine's magic number, ``_sre.compile`` validates every program it is given, and anything
unexpected (another Python, an unreadable entry, a changed internal signature) falls back to ``re.compile``.
New programs are written once, when the process exits.
"""

from __future__ import annotations

import atexit
import contextlib
import re
import sys
from collections.abc import Callable
from typing import Any

Compile = Callable[..., "re.Pattern[str]"]
Program = tuple[int, list[int], int, dict[str, int], tuple[Any, ...]]

try:
    import _sre

    _ENGINE = f"{sys.version}\0{_sre.MAGIC}\0{_sre.CODESIZE}".encode()
except (ImportError, AttributeError):  # another implementation of Python: no programs to keep
    _sre = None  # type: ignore[assignment]
    _ENGINE = b""

KIND = "regex"
# An entry holding more programs than this is written back with only the ones this process used (patterns
# that changed in the code over many versions would otherwise pile up).
MAX_PROGRAMS = 3000


class _Store:
    def __init__(self) -> None:
        self.programs: dict[tuple[str, int], Program] | None = None
        self.used: set[tuple[str, int]] = set()
        self.added = False
        self.compiled: dict[tuple[str, int], re.Pattern[str]] = {}  # this process's, like re's own cache

    def load(self) -> dict[tuple[str, int], Program]:
        if self.programs is None:
            from .cache import load

            stored = load(KIND, _ENGINE) if _ENGINE else None
            self.programs = stored if isinstance(stored, dict) else {}
        return self.programs

    def save(self) -> None:
        """Write the entry when this process compiled a pattern the entry did not have."""
        if not (self.added and self.programs is not None and _ENGINE):
            return
        from .cache import store

        programs = self.programs
        if len(programs) > MAX_PROGRAMS:
            programs = {key: programs[key] for key in self.used if key in programs}
        store(KIND, _ENGINE, programs)
        self.added = False


_STORE = _Store()
atexit.register(_STORE.save)


def regex(pattern: str, flags: int = 0) -> re.Pattern[str]:
    """``re.compile(pattern, flags)``, with the compiled program taken from (or added to) the user cache."""
    key = (pattern, flags)
    compiled = _STORE.compiled.get(key)
    if compiled is None:
        compiled = _STORE.compiled[key] = _compile(pattern, flags)
    return compiled


def _compile(pattern: str, flags: int) -> re.Pattern[str]:
    if _sre is None:
        return re.compile(pattern, flags)
    programs = _STORE.load()
    key = (pattern, flags)
    _STORE.used.add(key)
    program = programs.get(key)
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
    programs[key] = program
    _STORE.added = True
    return compiled


def save() -> None:
    """Write new programs now (it happens anyway at exit)."""
    _STORE.save()


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
