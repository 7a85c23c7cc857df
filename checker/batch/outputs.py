"""What a batch writes besides the dashboard and the spreadsheets (``sheets``): findings.jsonl and the
region's aggregate (aggregate.json/.html).

Every file is written whole into a temporary name and renamed into place, except ``findings.jsonl`` during the
run, which grows one line per finished report (flushed at once) and is then rewritten in its final form: one
contract report object per report (with its tables and its cross-report findings), sorted by path.
"""

from __future__ import annotations

import contextlib
import json
import os
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from decimal import Decimal
from functools import partial
from pathlib import Path
from typing import TYPE_CHECKING, Any

from .. import __version__, ids, layout

if TYPE_CHECKING:
    from ..extract import Report
    from ..findings import Finding

Record = dict[str, Any]


@dataclass(eq=False)
class Item:
    """One report of the batch: its record, all its findings (single-report and X), where its page is.

    A batch's items do not hold their findings: ``finder(path)`` reads them back from the store when an output
    needs them, and ``forget()`` lets them go again (memory stays flat); only their counts stay (``tally``).
    An item made with its findings (``Item(record, findings)``) keeps them."""

    record: Record
    given: list[Finding] | None = field(default=None, repr=False)
    key: str | None = None  # the agency as matched across years
    page: str = ""  # relative to the output folder: reports/….html
    cached: bool = False
    extra: dict[str, Any] = field(default_factory=dict)
    duplicate_of: str | None = None  # the kept file of the same agency-year (X105): not counted in aggregates
    changes: dict[str, Any] | None = None  # since the last run over this agency-year: new / fixed / unchanged
    loader: Callable[[Record], Record] | None = field(default=None, repr=False)  # light record → whole record
    finder: Callable[[str], list[Finding]] | None = field(default=None, repr=False)  # path → findings
    _counts: tuple[tuple[str, int], ...] | None = field(default=None, repr=False)  # compact, shared (tally)
    _rules: tuple[tuple[str, int], ...] | None = field(default=None, repr=False)
    # what is read back while an output is written (whole record, findings, rebuilt Report), dropped by forget():
    # held in fields set at creation, never added to nor removed from the item's __dict__, which stays small
    # (CPython shares the keys of instances that never change their attributes; one that does costs ~770 B more)
    _whole: Record | None = field(default=None, repr=False)
    _found: list[Finding] | None = field(default=None, repr=False)
    _report: Report | None = field(default=None, repr=False)

    @property
    def path(self) -> str:
        return str(self.record["path"])

    @property
    def findings(self) -> list[Finding]:
        if self.given is not None:
            return self.given
        if self._found is None:
            if self.finder is None:
                raise RuntimeError(f"{self.path}: no store to read the findings from")
            self._found = self.finder(self.path)
        return self._found

    def tally(self, findings: list[Finding]) -> None:
        """Count ``findings`` by severity and by rule (what stays in memory of them)."""
        counts = {"error": 0, "warning": 0, "info": 0}
        by_rule: dict[str, int] = {}
        for f in findings:
            counts[f.severity] = counts.get(f.severity, 0) + 1
            by_rule[f.rule] = by_rule.get(f.rule, 0) + 1
        self._counts, self._rules = _shared(tuple(counts.items())), _shared(tuple(sorted(by_rule.items())))

    @property
    def tallied(self) -> bool:
        return self._counts is not None

    def tallies(self) -> tuple[tuple[tuple[str, int], ...], tuple[tuple[str, int], ...]]:
        """The counts by severity and by rule (``tally``), to be kept and ``restore``d."""
        if self._counts is None or self._rules is None:
            self.tally(self.findings)
        assert self._counts is not None and self._rules is not None
        return self._counts, self._rules

    def restore(self, counts: Iterable[Iterable[Any]], by_rule: Iterable[Iterable[Any]]) -> None:
        """Counts kept by ``tallies`` (read back with the item's row of a batch's ledger)."""
        self._counts = _shared(tuple((str(k), int(n)) for k, n in counts))
        self._rules = _shared(tuple((str(k), int(n)) for k, n in by_rule))

    @property
    def whole(self) -> Record:
        """The whole record (cells, headings): ``record`` itself, or read back from the store when it is light."""
        if not (self.record.get("light") or self.record.get("slim")):
            return self.record
        if self._whole is None:
            if self.loader is None:
                raise RuntimeError(f"{self.path}: no store to read the whole record from")
            self._whole = self.loader(self.record)
        return self._whole

    @property
    def report(self) -> Report:
        if self._report is None:
            from .store import report_from_record

            self._report = report_from_record(self.whole)
        return self._report

    @property
    def counts(self) -> dict[str, int]:
        if self._counts is None:
            self.tally(self.findings)
        assert self._counts is not None
        return dict(self._counts)

    @property
    def passing(self) -> bool:
        return self.counts["error"] == 0

    @property
    def verdict(self) -> str:
        if not self.record.get("readable"):
            return "无法读取"
        return "可以发布" if self.passing else "需要修改"

    def rule_counts(self) -> dict[str, int]:
        if self._rules is None:
            self.tally(self.findings)
        assert self._rules is not None
        return dict(self._rules)

    def forget(self) -> None:
        """Drop the rebuilt Report, the whole record and the findings read from the store (memory): they are
        read again when needed."""
        self._report = self._whole = self._found = None

    def top_rules(self, n: int = 5) -> list[str]:
        """The rules with the most findings in this report, most first (``A101×3``)."""
        ranked = sorted(self.rule_counts().items(), key=lambda kv: (-kv[1], kv[0]))[:n]
        return [f"{rule}×{count}" if count > 1 else rule for rule, count in ranked]

    def top_rules_titled(self, rules: Any, n: int = 5) -> list[str]:
        """As ``top_rules``, each with its title (``A101 本年新收…不平衡×3``): an auditor reads titles, not ids."""
        ranked = sorted(self.rule_counts().items(), key=lambda kv: (-kv[1], kv[0]))[:n]
        out = []
        for rule_id, count in ranked:
            title = getattr(rules.get(rule_id), "title", "") or ""
            text = f"{rule_id} {title}".strip()
            out.append(f"{text}×{count}" if count > 1 else text)
        return out

    @property
    def counted(self) -> bool:
        """Whether this report counts in aggregates and statistics (not a copy of another file's report)."""
        return self.duplicate_of is None

    def json(self) -> dict[str, Any]:
        """The contract's report object (with tables), straight from the record: the same JSON as
        ``output.report_object`` on the rebuilt Report, without rebuilding it (reruns are cheap)."""
        return record_object(self.whole, [f.json() for f in self.findings])


_tallies: dict[tuple[tuple[str, int], ...], tuple[tuple[str, int], ...]] = {}


def _shared(tally: tuple[tuple[str, int], ...]) -> tuple[tuple[str, int], ...]:
    """One tuple for every report with the same counts (most reports of a batch share a few shapes)."""
    return _tallies.setdefault(tally, tally) if len(_tallies) < 100_000 else tally


def record_object(record: Record, findings: list[dict[str, Any]]) -> dict[str, Any]:
    """``output.report_object(report, findings, with_tables=True)`` computed from a record."""
    tables: dict[str, Any] = {}
    for path, _raw, number, *_rest in record["cells"]:
        node = tables
        for key in path[:-1]:
            node = node.setdefault(key, {})
        node[path[-1]] = float(Decimal(number["d"])) if isinstance(number, dict) else number
    obj = {
        "path": record["path"],
        "format": record["format"],
        "edition": record["edition"],
        "year": record["year"],
        "agency": record["agency"],
        "sections": record["sections"],
        "fully_checked": bool(record.get("readable")) and not any(f["rule"] == ids.CELLS_UNREADABLE for f in findings),
    }
    if record.get("ocr"):
        obj["ocr"] = True  # read from page images by OCR: values may be misread
    obj["tables"] = tables
    obj["findings"] = findings
    return obj


def sort_findings(findings: list[Finding]) -> list[Finding]:
    """The engine's order (most severe first, then by line, then rule), applied to the merged list."""
    from ..findings import SEVERITY_ORDER

    return sorted(findings, key=lambda f: (-SEVERITY_ORDER.get(f.severity, 0), f.location.get("line") or 0, f.rule))


# -- files -----------------------------------------------------------------------------------------------------


def temp_name(path: Path) -> Path:
    """A temporary name beside ``path``, unique to this process (two writers never share one)."""
    return path.with_name(f".{path.name}.{os.getpid()}.tmp")


def write_atomic(path: Path, data: str | bytes, *, bom: bool = False) -> None:
    """Write ``data`` aside and rename it into place: the old file stays whole until the new one is complete
    (a full disk loses nothing already written). ``bom``: UTF-8 with a BOM, for CSV that Excel opens."""
    if isinstance(data, str):
        write_parts(path, (data,), bom=bom)
        return
    tmp = temp_name(path)
    try:
        tmp.write_bytes(data)
        os.replace(tmp, path)
    except BaseException:
        with contextlib.suppress(OSError):
            tmp.unlink()
        raise


def write_parts(path: Path, parts: Iterable[str], *, bom: bool = False) -> None:
    """``write_atomic`` of a text made piece by piece (never whole in memory)."""
    tmp = temp_name(path)
    try:
        with open(tmp, "w", encoding="utf-8-sig" if bom else "utf-8", newline="") as fh:
            for part in parts:
                fh.write(part)
        os.replace(tmp, path)
    except BaseException:
        with contextlib.suppress(OSError):
            tmp.unlink()
        raise


class JsonlWriter:
    """findings.jsonl while the batch runs: one line per finished report, flushed at once."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self.fh = open(path, "w", encoding="utf-8")  # noqa: SIM115 - closed by close()

    def write(self, obj: dict[str, Any]) -> None:
        self.fh.write(json.dumps(obj, ensure_ascii=False) + "\n")
        self.fh.flush()

    def write_record(self, record: Record) -> None:
        self.write(record_object(record, record["findings"]))

    def close(self) -> None:
        self.fh.close()


def jsonl_line(item: Item) -> str:
    return json.dumps(item.json(), ensure_ascii=False) + "\n"


# -- aggregate -------------------------------------------------------------------------------------------------


IDENTITY_RULES = (ids.INTAKE_BALANCE, ids.OUTCOME_TOTAL, ids.APPLICANT_TOTAL, ids.REVIEW_TOTAL)


def aggregate(items: Iterable[Item], rules: Any = None) -> list[dict[str, Any]]:
    """The region's 表三 and 表四 summed over its reports, per year (and edition, when a year mixes them).

    Each agency-year counts once: copies (X105) are left out. Only readable reports of a known edition and
    year count. A blank cell adds nothing and is counted (``blanks`` per cell, ``blank_cells`` in all); a cell
    blank in every report stays blank (null), never 0. A cell that could not be read (lost, or text) is left
    out of the sum and counted under ``incomplete``. The summed tables are then checked with the single
    report identities (A101, A102, A103, A201, given ``rules``): a regional table that does not add up says so
    in ``findings``, each naming the reports whose own table fails the same identity, and how many blank or
    unread cells the table holds."""
    totals = Aggregate()
    for item in items:
        if totals.wants(item):
            totals.add(item, item.whole)
    return totals.groups(rules)


class Aggregate:
    """``aggregate`` one report at a time (the batch reads each whole record once for every output). Which
    reports a group holds, their agencies and those failing an identity are kept by ``members`` (a batch keeps
    them in its ledger, not in memory; by default a ``Members`` in memory)."""

    def __init__(self, members: Any = None) -> None:
        self._groups: dict[tuple[int, str], dict[str, Any]] = {}
        self._members = members if members is not None else Members()

    @staticmethod
    def wants(item: Item) -> bool:
        r = item.record
        return bool(
            item.counted and r.get("readable") and r.get("year") is not None and r.get("edition") in layout.EDITIONS
        )

    def add(self, item: Item, r: Record) -> None:
        edition = r["edition"]
        cells = {tuple(c[0]): c for c in r["cells"]}
        tables = {t for t in r.get("tables_found", {})} | {p[0] for p in cells}
        if "applications" not in tables and "review" not in tables:
            return
        name = (r["year"], edition)
        group = self._groups.setdefault(
            name,
            {
                "year": r["year"],
                "edition": edition,
                "reports": 0,
                "agencies": 0,
                "paths": [],
                "applications": {row: dict.fromkeys(layout.APP_COLUMNS) for row in layout.APP_ROWS[edition]},
                "review": {row: dict.fromkeys(layout.REVIEW_COLUMNS) for row in layout.REVIEW_ROWS},
                "incomplete": {},
                "blanks": {},
                "blank_cells": 0,
                "findings": [],
            },
        )
        group["reports"] += 1
        self._members.join(name, item.path, item.key or item.path)
        for f in item.findings:
            if f.rule in IDENTITY_RULES:
                self._members.fail(name, f.rule, (f.location or {}).get("column"), item.path)
        for table, rows, cols in (
            ("applications", layout.APP_ROWS[edition], layout.APP_COLUMNS),
            ("review", layout.REVIEW_ROWS, layout.REVIEW_COLUMNS),
        ):
            if table not in tables:
                continue
            for row in rows:
                for col in cols:
                    cell = cells.get((table, row, col))
                    number = cell[2] if cell else None
                    blank = bool(cell and cell[3])
                    key = f"{table}.{row}.{col}"
                    if isinstance(number, int):
                        group[table][row][col] = (group[table][row][col] or 0) + number
                    elif blank:
                        group["blanks"][key] = group["blanks"].get(key, 0) + 1
                        group["blank_cells"] += 1
                    else:
                        group["incomplete"][key] = group["incomplete"].get(key, 0) + 1

    def groups(self, rules: Any = None) -> list[dict[str, Any]]:
        out = []
        for name, group in sorted(self._groups.items()):
            group["agencies"] = self._members.agencies(name)
            group["paths"] = self._members.paths(name)
            group["incomplete"] = dict(sorted(group["incomplete"].items()))
            group["blanks"] = dict(sorted(group["blanks"].items()))
            if rules is not None:
                group["findings"] = _identities(group, rules, partial(self._members.culprits, name))
            out.append(group)
        return out


class Members:
    """The reports of each aggregate group (by path, sorted), their agencies, and those whose own table fails an
    identity in a column, in memory."""

    def __init__(self) -> None:
        self._paths: dict[Any, list[str]] = {}
        self._agencies: dict[Any, set[str]] = {}
        self._failing: dict[tuple[Any, str, str | None], set[str]] = {}

    def join(self, group: Any, path: str, agency: str) -> None:
        self._paths.setdefault(group, []).append(path)
        self._agencies.setdefault(group, set()).add(agency)

    def fail(self, group: Any, rule: str, column: str | None, path: str) -> None:
        self._failing.setdefault((group, rule, column), set()).add(path)

    def paths(self, group: Any) -> list[str]:
        return sorted(self._paths.get(group, ()))

    def agencies(self, group: Any) -> int:
        return len(self._agencies.get(group, ()))

    def culprits(self, group: Any, rule: str, column: str | None) -> list[str]:
        return sorted(self._failing.get((group, rule, column), ()))


def _identities(
    group: dict[str, Any], rules: Any, culprits: Callable[[str, str | None], list[str]]
) -> list[dict[str, Any]]:
    """The identities of one report, run on the summed table, each finding with why the sum does not add up
    (``culprits(rule, column)``: the reports whose own table fails the same identity in the same column)."""
    from ..engine import check_report
    from .store import report_from_record

    cells = []
    for table in ("applications", "review"):
        for row, cols in group[table].items():
            for col, value in cols.items():
                blank = value is None and f"{table}.{row}.{col}" in group["blanks"]
                if value is None and not blank:
                    continue
                raw = "" if value is None else str(value)
                cells.append([[table, row, col], raw, value, blank, False, None, None, None, None, None, None])
    record = {
        "path": "区域汇总", "format": "aggregate", "edition": group["edition"], "year": group["year"],
        "agency": None, "title": None, "sections": [], "readable": True, "headings": [],
        "tables_found": {"applications": [None] * 5, "review": [None] * 5}, "conflicts": [], "cells": cells,
    }  # fmt: skip
    enabled = {r for r in IDENTITY_RULES if r in rules}
    found = check_report(report_from_record(record), rules, enabled=enabled)
    out = []
    for f in found:
        if f.rule not in enabled:
            continue
        loc = f.location or {}
        failing = culprits(f.rule, loc.get("column"))
        reasons = []
        if failing:
            shown = "、".join(failing[:5]) + (f" 等 {len(failing)} 份" if len(failing) > 5 else "")
            reasons.append(f"这些报告本身的表格在同一处就不平衡：{shown}")
        if group["blank_cells"]:
            reasons.append(f"汇总表含 {group['blank_cells']} 个空白单元格（按 0 计）")
        if group["incomplete"]:
            reasons.append(f"{sum(group['incomplete'].values())} 个单元格未能读取、未计入")
        obj = f.json()
        obj["why"] = "；".join(reasons) or "各报告自身平衡，原因不明，请人工核对"
        obj["reports"] = failing
        out.append(obj)
    return out


def aggregate_json(groups: list[dict[str, Any]]) -> str:
    return "".join(aggregate_json_parts(groups))


def aggregate_json_parts(groups: list[dict[str, Any]]) -> Iterator[str]:
    """aggregate.json as it is encoded (a group's ``paths`` may be read from a batch's ledger as they are
    written: ``ledger.Listing``)."""
    doc = {"tool": {"name": "xxgk", "version": __version__}, "years": groups}
    yield from json.JSONEncoder(ensure_ascii=False, indent=2).iterencode(doc)
    yield "\n"


@dataclass
class GridCell:
    text: str
    kind: str = "value"  # "head" | "value"
    rowspan: int = 1
    colspan: int = 1
    note: str = ""


def applications_grid(group: dict[str, Any]) -> list[list[GridCell]]:
    """表三 in the template's layout (labels and nesting from the template), with the summed values."""
    return _grid(group, "applications")


def review_grid(group: dict[str, Any]) -> list[list[GridCell]]:
    return _grid(group, "review")


def _grid(group: dict[str, Any], table: str) -> list[list[GridCell]]:
    from ..writers import template as t

    rows: list[list[GridCell]] = []
    for slots in t.grid(table, group["edition"]):
        cells: list[GridCell] = []
        for slot in slots:
            if slot.kind == "value" and slot.path:
                _, row, col = slot.path
                cells.append(_value_cell(group, table, row, col))
            else:
                cells.append(GridCell(slot.text, "head", slot.rowspan, slot.colspan))
        rows.append(cells)
    return rows


def _value_cell(group: dict[str, Any], table: str, row: str, col: str) -> GridCell:
    key = f"{table}.{row}.{col}"
    missing = group["incomplete"].get(key, 0)
    blanks = group["blanks"].get(key, 0)
    notes = []
    if missing:
        notes.append(f"{missing} 份报告此格未能读取，未计入")
    if blanks:
        notes.append(f"{blanks} 份报告此格为空白")
    value = group[table][row][col]
    return GridCell("" if value is None else str(value), "value", note="；".join(notes))
