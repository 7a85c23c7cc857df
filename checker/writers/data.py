"""What a writer renders: one report's edition, year, agency, table values and narrative.

Values are keyed by the canonical cell paths of ``Report.cells`` (../shared/spec/keys.md):
``("applications", row, column)``, ``("review", row, column)``, ``("active", block, row, column)``. ``None`` is a
blank cell (never 0). A path missing from ``values`` is blank as well.
"""

from __future__ import annotations

import random
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Literal

from .. import layout

CellPath = tuple[str, ...]
Value = int | Decimal | None
Edition = Literal["2019", "2021"]


@dataclass(slots=True)
class ReportData:
    edition: Edition
    year: int
    agency: str
    values: dict[CellPath, Value]
    # section key (一 … 六) -> paragraphs; a section not given gets short default text consistent with the tables
    paragraphs: Mapping[str, list[str]] | None = None
    # section keys whose heading is left out (drafts with a missing heading); their paragraphs stay
    omit_headings: frozenset[str] = field(default_factory=frozenset)


def cell_paths(edition: str) -> Iterator[CellPath]:
    """Every cell of the three tables, in document order."""
    for block, (rows, cols) in layout.ACTIVE[edition].items():
        for row in rows:
            for col in cols:
                yield ("active", block, row, col)
    for row in layout.APP_ROWS[edition]:
        for col in layout.APP_COLUMNS:
            yield ("applications", row, col)
    for row in layout.REVIEW_ROWS:
        for col in layout.REVIEW_COLUMNS:
            yield ("review", row, col)


def zero_values(edition: str) -> dict[CellPath, Value]:
    """Every cell 0 (amounts Decimal 0): the blank template filled in by an agency with nothing to report."""
    return {p: Decimal(0) if p[-1] in layout.DECIMAL_COLUMNS else 0 for p in cell_paths(edition)}


def _count(rng: random.Random, high: int) -> int:
    """Mostly zeros and small counts, now and then a large one (up to ``high``): the shape of real tables."""
    r = rng.random()
    if r < 0.5 or high < 1:
        return 0
    if r < 0.95 or high <= 30:
        return rng.randint(1, min(30, high))
    return rng.randint(31, high)


def _amount(rng: random.Random, places: int) -> Decimal:
    return Decimal(rng.randint(0, 10**7)).scaleb(-rng.randint(1, places))


def consistent_values(
    edition: str, rng: random.Random, blank_rate: float = 0.0, max_count: int = 3000
) -> dict[CellPath, Value]:
    """Random tables in which every identity of the template holds (template.md §6, I1–I5).

    Row totals are the sum of the six applicant columns, （七）总计 the sum of the outcome rows, 本年新收 +
    上年结转 = 总计 + 结转下年度 in every column, and each review total the sum of its four results. 2019
    本年增/减 may be negative; amounts are decimals. With ``blank_rate`` > 0, that share of the zero cells is
    left blank (None), which keeps the identities (a blank counts as 0). ``max_count`` caps each count that is
    drawn (sums such as totals may exceed it).
    """
    values: dict[CellPath, Value] = {}
    outcomes = layout.OUTCOME_ROWS[edition]
    # 表三, column by column: outcomes, then the carry-overs that make I1 hold.
    for col in layout.APPLICANT_COLUMNS:
        total = 0
        for row in outcomes:
            n = _count(rng, max_count) if rng.random() < 0.6 else 0
            values[("applications", row, col)] = n
            total += n
        carried_forward = rng.randint(0, min(5, max_count)) if rng.random() < 0.5 else 0
        carried_over = rng.randint(0, total + carried_forward) if rng.random() < 0.5 else 0
        values[("applications", "results.total", col)] = total
        values[("applications", "carried_forward", col)] = carried_forward
        values[("applications", "carried_over", col)] = carried_over
        values[("applications", "received_new", col)] = total + carried_forward - carried_over
    for row in layout.APP_ROWS[edition]:
        values[("applications", row, "total")] = sum(
            values[("applications", row, c)]  # type: ignore[misc]
            for c in layout.APPLICANT_COLUMNS
        )
    # 表四
    for group in layout.REVIEW_ROWS:
        parts = [rng.randint(0, min(9, max_count)) if rng.random() < 0.4 else 0 for _ in layout.REVIEW_COLUMNS[:-1]]
        for col, n in zip(layout.REVIEW_COLUMNS[:-1], parts, strict=True):
            values[("review", group, col)] = n
        values[("review", group, "total")] = sum(parts)
    # 表二
    for block, (rows, cols) in layout.ACTIVE[edition].items():
        for row in rows:
            for col in cols:
                values[("active", block, row, col)] = _active_value(edition, col, rng, max_count)
            if "change" in cols and "prev_items" in cols:
                prev = values[("active", block, row, "prev_items")]
                assert isinstance(prev, int)
                change = rng.randint(-prev, min(30, max_count)) if rng.random() < 0.7 else 0
                values[("active", block, row, "change")] = change
            if edition == "2021" and block == "art20_1":
                issued = values[("active", block, row, "issued")]
                assert isinstance(issued, int)
                values[("active", block, row, "in_force")] = issued + _count(rng, max_count)
            if edition == "2019" and block == "art20_1":
                published = values[("active", block, row, "published")]
                assert isinstance(published, int)
                values[("active", block, row, "total_public")] = published + _count(rng, max_count)
    if blank_rate > 0:
        for path, value in values.items():
            if value == 0 and rng.random() < blank_rate:
                values[path] = None
    return values


def _active_value(edition: str, col: str, rng: random.Random, max_count: int) -> Value:
    if col == "amount":
        return _amount(rng, 4 if edition == "2021" else 2)
    return _count(rng, max_count)
