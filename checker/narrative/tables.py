"""The table quantities a narrative claim is compared with.

A quantity is one cell or a sum of cells (an outcome group, the two 行政诉讼 rows, the five 法人或其他组织
columns). A cell that could not be read (absent from the report: P005 or a lost row), read twice with
different values, or holding text makes the quantity unknown, and the rule stays silent. A blank 总计 cell whose
row has applicant values is taken from those values (the row identity A103), and said so; a blank cell
otherwise counts as 0, as in the identities (空白按 0 计).
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, TypeVar

from .. import layout

if TYPE_CHECKING:
    from ..extract import Report

CellPath = tuple[str, ...]

LEGAL_COLUMNS = layout.APPLICANT_COLUMNS[1:]
REVIEW_PARTS = ("upheld", "corrected", "other", "pending")


@dataclass(frozen=True, slots=True)
class Quantity:
    value: int
    cells: tuple[CellPath, ...]  # the cells it was read from (the first one is the one to point at)
    notes: tuple[str, ...] = field(default=())  # 空白按 0 计, 由各申请人列相加 …


F = TypeVar("F", bound=Callable[..., Any])


def _memo(report: Report) -> dict[tuple[Any, ...], Any]:
    """Readings computed once per report: several checks ask for the same rows. Keyed on the cells mapping
    (its identity and size), so a report whose cells are replaced or removed is read afresh."""
    stamp = (id(report.cells), len(report.cells))
    state = report.__dict__.get("_narrative_tables")
    if state is None or state[0] != stamp:
        state = (stamp, {})
        report.__dict__["_narrative_tables"] = state
    return state[1]


def memoised(fn: F) -> F:
    @functools.wraps(fn)
    def run(report: Report, *args: Any) -> Any:
        memo = _memo(report)
        key = (fn.__name__, *args)
        if key not in memo:
            memo[key] = fn(report, *args)
        return memo[key]

    return run  # type: ignore[return-value]


def _raw(report: Report, path: CellPath) -> tuple[bool, int | None]:
    """(readable, number or None when blank)."""
    cell = report.cells.get(path)
    conflicts = report.parsed.conflicts if report.parsed else set()
    if cell is None or path in conflicts or cell.value.is_text:
        return False, None
    if cell.value.blank:
        return True, None
    number = cell.value.number
    if number is None or not float(number).is_integer():
        return False, None
    return True, int(number)


@memoised
def cell(report: Report, path: CellPath) -> Quantity | None:
    ok, number = _raw(report, path)
    if not ok:
        return None
    return Quantity(number or 0, (path,), () if number is not None else ("空白按 0 计",))


@memoised
def app_row(report: Report, row: str, column: str = "total") -> Quantity | None:
    """A row of table 三 in one column; for 总计, a blank cell is the sum of the row's applicant columns."""
    ok, number = _raw(report, ("applications", row, column))
    if not ok:
        return None
    if number is not None or column != "total":
        return Quantity(number or 0, (("applications", row, column),), () if number is not None else ("空白按 0 计",))
    parts = [_raw(report, ("applications", row, c)) for c in layout.APPLICANT_COLUMNS]
    if not all(ok for ok, _ in parts):
        return None
    if all(n is None for _, n in parts):
        return Quantity(0, (("applications", row, "total"),), ("空白按 0 计",))
    value = sum(n or 0 for _, n in parts)
    return Quantity(value, (("applications", row, "total"),), ("总计列空白，按各申请人列相加",))


def total(parts: list[Quantity | None]) -> Quantity | None:
    if not parts or any(p is None for p in parts):
        return None
    known = [p for p in parts if p is not None]
    notes = tuple(dict.fromkeys(n for p in known for n in p.notes))
    return Quantity(sum(p.value for p in known), tuple(c for p in known for c in p.cells), notes)


@memoised
def app_rows(report: Report, rows: tuple[str, ...], column: str = "total") -> Quantity | None:
    return total([app_row(report, r, column) for r in rows])


def outcome_rows(edition: str) -> dict[str, tuple[str, ...]]:
    """The outcome groups of the edition: （一）…（六）, the combined 予以公开及部分公开, and all of them."""
    rows = layout.OUTCOME_ROWS[edition]
    other = tuple(r for r in rows if r == "results.other" or r.startswith("results.other."))
    groups = {
        "granted": ("results.granted",),
        "partial": ("results.partial",),
        "granted_partial": ("results.granted", "results.partial"),
        "denied": tuple(r for r in rows if r.startswith("results.denied.")),
        "unavailable": tuple(r for r in rows if r.startswith("results.unavailable.")),
        "not_processed": tuple(r for r in rows if r.startswith("results.not_processed.")),
        "other": other,
    }
    return groups


@memoised
def applicants(report: Report, row: str, who: str) -> Quantity | None:
    columns = ("natural_person",) if who == "natural_person" else LEGAL_COLUMNS
    return total([app_row(report, row, c) for c in columns])


REVIEW_SUBJECT_ROWS = {
    "review.review": ("review",),
    "review.litigation": ("litigation_direct", "litigation_after_review"),
    "review.all": layout.REVIEW_ROWS,
}


@memoised
def review_row(report: Report, row: str, column: str) -> Quantity | None:
    """A cell of table 四; a blank 总计 is the sum of its four results when any is filled."""
    ok, number = _raw(report, ("review", row, column))
    if not ok:
        return None
    if number is not None or column != "total":
        return Quantity(number or 0, (("review", row, column),), () if number is not None else ("空白按 0 计",))
    parts = [_raw(report, ("review", row, c)) for c in REVIEW_PARTS]
    if not all(ok for ok, _ in parts):
        return None
    if all(n is None for _, n in parts):
        return Quantity(0, (("review", row, "total"),), ("空白按 0 计",))
    return Quantity(sum(n or 0 for _, n in parts), (("review", row, "total"),), ("总计空白，按各结果相加",))


@memoised
def review(report: Report, subject: str, column: str = "total") -> Quantity | None:
    rows = REVIEW_SUBJECT_ROWS.get(subject)
    if rows is None:
        return None
    return total([review_row(report, r, column) for r in rows])


# -- do the table's own identities hold? --------------------------------------------------------------------


@memoised
def applications_consistent(report: Report) -> bool | None:
    """Table 三, 总计 column: 新收 + 结转 = 结果总计 + 结转下年度 and 结果总计 = sum of the outcome rows.
    None when a cell is unknown."""
    if report.edition not in layout.EDITIONS:
        return None
    new, carried = app_row(report, "received_new"), app_row(report, "carried_over")
    results, forward = app_row(report, "results.total"), app_row(report, "carried_forward")
    rows = app_rows(report, layout.OUTCOME_ROWS[report.edition])
    if None in (new, carried, results, forward, rows):
        return None
    assert new and carried and results and forward and rows
    return new.value + carried.value == results.value + forward.value and rows.value == results.value


@memoised
def review_consistent(report: Report, subject: str) -> bool | None:
    rows = REVIEW_SUBJECT_ROWS.get(subject, ())
    for row in rows:
        whole = _raw(report, ("review", row, "total"))
        parts = [_raw(report, ("review", row, c)) for c in REVIEW_PARTS]
        if not whole[0] or not all(ok for ok, _ in parts):
            return None
        if whole[1] is not None and whole[1] != sum(n or 0 for _, n in parts):
            return False
    return True if rows else None
