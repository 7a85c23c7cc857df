"""Output formats of ``xxgk check`` besides the contract JSON: text, html, sarif, github, junit.

Every format is a module with ``render(results, rules, color=False) -> str``. ``FORMATTERS`` imports a module
only when its format is used, so that the CLI does not pay for XML or hashing it does not need.
"""

from __future__ import annotations

import importlib
import os
from collections.abc import Callable, Mapping
from pathlib import PurePath
from typing import TYPE_CHECKING, Any, Protocol

from ..patterns import regex

if TYPE_CHECKING:
    from ..extract import Report
    from ..findings import Finding

    Results = list[tuple[Report, list[Finding]]]


class RuleInfo(Protocol):
    """What a formatter needs to know about a rule (the engine's rule objects have these attributes)."""

    id: str
    name: str
    title: str
    severity: str
    basis: str
    fix: str


Formatter = Callable[..., str]  # (results, rules, color=False) -> str

FORMAT_NAMES = ("text", "html", "sarif", "github", "junit")


def _lazy(name: str) -> Formatter:
    def render(results: Results, rules: Mapping[str, RuleInfo], color: bool = False) -> str:
        module = importlib.import_module(f"{__name__}.{name}")
        return module.render(results, rules, color=color)

    render.__name__ = f"render_{name}"
    return render


FORMATTERS: dict[str, Formatter] = {name: _lazy(name) for name in FORMAT_NAMES}


# ---- helpers shared by the formats -------------------------------------------------------------------------

# The canonical cell keys, in the order they nest (keys.md): they name a cell independently of the layout.
CELL_KEYS = ("table", "block", "row", "column")

_CELL = regex(r"^T(\d+)!([A-Z]+)(\d+)$")


def display_path(path: str) -> str:
    """The path relative to the working folder when it lies inside it (CI annotations and SARIF need paths
    relative to the checkout), else as given."""
    if os.path.isabs(path):
        rel = os.path.relpath(path)
        if not rel.startswith(os.pardir):
            return rel
    return path


def posix_path(path: str) -> str:
    return PurePath(display_path(path)).as_posix()


def logical_name(location: Mapping[str, Any]) -> str | None:
    """``applications/carried_forward/natural_person``: the cell by canonical keys, or None."""
    parts = [str(location[key]) for key in CELL_KEYS if location.get(key) is not None]
    return "/".join(parts) or None


def position(location: Mapping[str, Any]) -> str:
    """Where to look, shortest form first: line ``57``, page ``p3`` (``p3:24``: line 24 of page 3, as PDF lines
    count per page), cell ``T2!C12``, or ``-``."""
    if location.get("page") is not None:
        line = location.get("line")
        return f"p{location['page']}" + (f":{line}" if line is not None else "")
    if location.get("line") is not None:
        return str(location["line"])
    if location.get("cell"):
        return str(location["cell"])
    return "-"


def _position_key(location: Mapping[str, Any]) -> tuple[Any, ...]:
    big = 1 << 30
    cell = _CELL.match(str(location.get("cell") or ""))
    cell_key = (int(cell[1]), int(cell[3]), len(cell[2]), cell[2]) if cell else (big, big, 0, "")
    line, page = location.get("line"), location.get("page")
    # Findings with no position at all (the file, a missing section) come after those with one.
    unplaced = line is None and page is None and cell is None
    # PDF lines count per page: the page orders first (documents without pages all have page 0).
    return (unplaced, page or 0, big if line is None else line, cell_key)


def sort_findings(findings: list[Finding]) -> list[Finding]:
    """In document order (page, line, table cell), then by rule id; findings without a position (the file as a
    whole, a missing section) follow, in section order. The message makes the order total."""
    return sorted(
        findings,
        key=lambda f: (
            _position_key(f.location),
            f.rule,
            "一二三四五六".find(f.location.get("section") or "?"),  # sections in the report's own order
            f.message,
        ),
    )


SEVERITY_WORDS = {"error": "错误", "warning": "警告", "info": "提示"}

# C0 and C1 control characters except tab and newline, and DEL: a document may hold them; a terminal would
# obey them (ESC sequences repaint the screen, change the title…) and XML 1.0 forbids them outright.
_CONTROL = regex(r"[\x00-\x08\x0b-\x1f\x7f-\x9f]")
_XML_FORBIDDEN = regex(r"[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff\ud800-\udfff]")


def terminal_safe(text: str) -> str:
    """Control characters shown as visible escapes (``\\x1b``) so that a document cannot drive the terminal."""
    return _CONTROL.sub(lambda m: f"\\x{ord(m.group()):02x}", text)


def xml_safe(text: str) -> str:
    """Characters XML 1.0 cannot hold removed (a parser rejects the whole file otherwise)."""
    return _XML_FORBIDDEN.sub("", text)


def plain(value: Any) -> Any:
    """A JSON-safe scalar (Decimal amounts become floats, anything unknown its text)."""
    from decimal import Decimal

    if isinstance(value, Decimal):
        return float(value)
    if value is None or isinstance(value, bool | int | float | str):
        return value
    return str(value)


def show(value: Any) -> str:
    """A value for people: a blank cell reads 空, not None."""
    return "空" if value is None else str(value)
