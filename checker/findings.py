"""Findings: a Problem bound to its rule's severity and turned into the contract's JSON shape."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from . import ids
from .model import Problem

SEVERITY_ORDER = {"error": 3, "warning": 2, "info": 1}

# The severity of rules raised while reading and parsing (P, S2xx): the rule catalog of rules.md.
# Rules evaluated by the rule engine carry their severity in their YAML file.
BUILTIN_SEVERITY = {
    ids.UNREADABLE: "error",
    ids.UNSUPPORTED: "error",
    ids.NO_REPORT: "error",
    ids.LEGACY: "info",
    ids.CELLS_UNREADABLE: "warning",  # cells the source did not let us read: the report could not be fully checked
    ids.TABLE_SHAPE: "error",
    ids.LABEL_WORDING: "info",
}


@dataclass(slots=True)
class Finding:
    rule: str
    severity: str
    message: str
    location: dict[str, Any] = field(default_factory=dict)
    expected: Any = None
    actual: Any = None
    related: list[dict[str, Any]] = field(default_factory=list)

    def json(self) -> dict[str, Any]:
        out: dict[str, Any] = {
            "rule": self.rule,
            "severity": self.severity,
            "message": self.message,
            "location": self.location,
        }
        if self.expected is not None or self.actual is not None:
            out["expected"] = _plain(self.expected)
            out["actual"] = _plain(self.actual)
        if self.related:
            out["related"] = self.related
        return out


def cell_location(path: tuple[str, ...], source: Any = None) -> dict[str, Any]:
    """The canonical location of a cell path (("applications", row, column), ("active", block, row, column) …),
    with where the document has it when the cell was read (``source``: a model.Source or None)."""
    from .layout import TABLE_SECTION

    loc: dict[str, Any] = {"section": TABLE_SECTION.get(path[0]), "table": path[0]}
    if path[0] == "active":
        loc.update(block=path[1], row=path[2], column=path[3])
    else:
        loc.update(row=path[1], column=path[2])
    loc.update(
        line=source.line if source else None,
        page=source.page if source else None,
        cell=source.cell if source else None,
    )
    return loc


def _plain(value: Any) -> Any:
    from decimal import Decimal

    return float(value) if isinstance(value, Decimal) else value


def from_problem(problem: Problem, severity: str | None = None) -> Finding:
    loc: dict[str, Any] = {
        "section": problem.location.get("section"),
        "table": problem.location.get("table"),
        "block": problem.location.get("block"),
        "row": problem.location.get("row"),
        "column": problem.location.get("column"),
        "line": problem.source.line,
        "page": problem.source.page,
        "cell": problem.source.cell,
    }
    if loc["block"] is None:
        del loc["block"]
    return Finding(
        rule=problem.rule,
        severity=problem.severity or severity or BUILTIN_SEVERITY.get(problem.rule, "error"),
        message=problem.message,
        location=loc,
        expected=problem.expected,
        actual=problem.actual,
    )
