"""What a batch writes besides the dashboard: findings.jsonl, summary.csv/.xlsx, tables.csv, aggregate.json/.html.

Every file is written whole into a temporary name and renamed into place, except ``findings.jsonl`` during the
run, which grows one line per finished report (flushed at once) and is then rewritten in its final form: one
contract report object per report (with its tables and its cross-report findings), sorted by path.
"""

from __future__ import annotations

import csv
import io
import json
import os
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path
from typing import TYPE_CHECKING, Any

from .. import __version__, layout

if TYPE_CHECKING:
    from ..extract import Report
    from ..findings import Finding

Record = dict[str, Any]

SUMMARY_COLUMNS = (
    "path",
    "agency",
    "agency_key",
    "year",
    "edition",
    "format",
    "readable",
    "errors",
    "warnings",
    "infos",
    "verdict",
    "rules",
    "page",
    "sha256",
)


@dataclass
class Item:
    """One report of the batch: its record, all its findings (single-report and X), where its page is."""

    record: Record
    findings: list[Finding]
    key: str | None = None  # the agency as matched across years
    page: str = ""  # relative to the output folder: reports/….html
    cached: bool = False
    extra: dict[str, Any] = field(default_factory=dict)

    @property
    def path(self) -> str:
        return str(self.record["path"])

    @cached_property
    def report(self) -> Report:
        from .store import report_from_record

        return report_from_record(self.record)

    @cached_property
    def counts(self) -> dict[str, int]:
        out = {"error": 0, "warning": 0, "info": 0}
        for f in self.findings:
            out[f.severity] = out.get(f.severity, 0) + 1
        return out

    @property
    def passing(self) -> bool:
        return self.counts["error"] == 0

    @property
    def verdict(self) -> str:
        if not self.record.get("readable"):
            return "无法读取"
        return "可以发布" if self.passing else "需要修改"

    def rule_counts(self) -> dict[str, int]:
        out: dict[str, int] = {}
        for f in self.findings:
            out[f.rule] = out.get(f.rule, 0) + 1
        return dict(sorted(out.items()))

    def forget(self) -> None:
        """Drop the rebuilt Report (memory): it is rebuilt from the record when needed again."""
        self.__dict__.pop("report", None)

    def top_rules(self, n: int = 5) -> list[str]:
        """The rules with the most findings in this report, most first (``A101×3``)."""
        ranked = sorted(self.rule_counts().items(), key=lambda kv: (-kv[1], kv[0]))[:n]
        return [f"{rule}×{count}" if count > 1 else rule for rule, count in ranked]

    def json(self) -> dict[str, Any]:
        from ..output import report_object

        return report_object(self.report, self.findings, with_tables=True)


def sort_findings(findings: list[Finding]) -> list[Finding]:
    """The engine's order (most severe first, then by line, then rule), applied to the merged list."""
    from ..findings import SEVERITY_ORDER

    return sorted(findings, key=lambda f: (-SEVERITY_ORDER.get(f.severity, 0), f.location.get("line") or 0, f.rule))


# -- files -----------------------------------------------------------------------------------------------------


def write_atomic(path: Path, data: str | bytes) -> None:
    tmp = path.with_name(f".{path.name}.tmp")
    if isinstance(data, str):
        tmp.write_text(data, encoding="utf-8")
    else:
        tmp.write_bytes(data)
    os.replace(tmp, path)


class JsonlWriter:
    """findings.jsonl while the batch runs: one line per finished report, flushed at once."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self.fh = open(path, "w", encoding="utf-8")  # noqa: SIM115 - closed by close()

    def write(self, obj: dict[str, Any]) -> None:
        self.fh.write(json.dumps(obj, ensure_ascii=False) + "\n")
        self.fh.flush()

    def close(self) -> None:
        self.fh.close()


def jsonl_line(item: Item) -> str:
    return json.dumps(item.json(), ensure_ascii=False) + "\n"


# CSV/XLSX cells that a spreadsheet would run as a formula (=, +, -, @ at the start of text) are quoted.
_FORMULA = re.compile(r"^[=+\-@\t\r]")
_ILLEGAL_XLSX = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f]")


def _safe_text(value: Any) -> Any:
    if isinstance(value, str) and _FORMULA.match(value):
        return "'" + value
    return value


def summary_rows(items: Iterable[Item]) -> list[list[Any]]:
    rows = []
    for item in items:
        r = item.record
        rules = " ".join(f"{rule}×{n}" if n > 1 else rule for rule, n in item.rule_counts().items())
        rows.append(
            [
                item.path,
                r.get("agency") or "",
                item.key or "",
                r.get("year") if r.get("year") is not None else "",
                r.get("edition") or "",
                r.get("format") or "",
                "yes" if r.get("readable") else "no",
                item.counts["error"],
                item.counts["warning"],
                item.counts["info"],
                item.verdict,
                rules,
                item.page,
                r.get("sha256") or "",
            ]
        )
    return rows


def summary_csv(items: list[Item]) -> str:
    buf = io.StringIO()
    writer = csv.writer(buf, lineterminator="\n")
    writer.writerow(SUMMARY_COLUMNS)
    for row in summary_rows(items):
        writer.writerow([_safe_text(v) for v in row])
    return buf.getvalue()


def summary_xlsx(items: list[Item], path: Path) -> None:
    from openpyxl import Workbook
    from openpyxl.cell import WriteOnlyCell
    from openpyxl.styles import Font
    from openpyxl.utils import get_column_letter

    wb = Workbook(write_only=True)
    ws = wb.create_sheet("summary")
    widths = {"path": 48, "agency": 30, "agency_key": 30, "rules": 40, "page": 36, "sha256": 20}
    for i, name in enumerate(SUMMARY_COLUMNS, 1):
        ws.column_dimensions[get_column_letter(i)].width = widths.get(name, 10)
    ws.freeze_panes = "A2"
    rows = summary_rows(items)
    ws.auto_filter.ref = f"A1:{get_column_letter(len(SUMMARY_COLUMNS))}{len(rows) + 1}"
    header = []
    for name in SUMMARY_COLUMNS:
        cell = WriteOnlyCell(ws, value=name)
        cell.font = Font(bold=True)
        header.append(cell)
    ws.append(header)
    for row in rows:
        cells = []
        for value in row:
            if isinstance(value, str):
                cell = WriteOnlyCell(ws, value=_ILLEGAL_XLSX.sub("", value))
                cell.data_type = "s"  # never a formula, whatever the text starts with
            else:
                cell = WriteOnlyCell(ws, value=value)
            cells.append(cell)
        ws.append(cells)
    tmp = path.with_name(f".{path.name}.tmp")
    wb.save(tmp)
    os.replace(tmp, path)


def tables_csv(items: list[Item]) -> str:
    """Every canonical cell of every report, one row per report: ``xxgk extract --format csv``'s columns."""
    from ..output import csv_document

    text = csv_document(_reports(items))  # type: ignore[arg-type]  # one report at a time
    if not any(_FORMULA.match(item.path) or _FORMULA.match(item.record.get("agency") or "") for item in items):
        return text
    rows = list(csv.reader(io.StringIO(text)))
    buf = io.StringIO()
    writer = csv.writer(buf)
    for i, row in enumerate(rows):
        if i and len(row) > 4:
            row[0], row[4] = _safe_text(row[0]), _safe_text(row[4])
        writer.writerow(row)
    return buf.getvalue()


def _reports(items: list[Item]) -> Iterator[Report]:
    from .store import report_from_record

    for item in items:
        yield report_from_record(item.record)


# -- aggregate -------------------------------------------------------------------------------------------------


def aggregate(items: Iterable[Item]) -> list[dict[str, Any]]:
    """The region's 表三 and 表四 summed over its reports, per year (and edition, when a year mixes them).

    Only readable reports of a known edition and year count; a blank cell counts 0; a cell that could not be
    read (lost, or text) is left out of the sum and counted under ``incomplete``."""
    groups: dict[tuple[int, str], dict[str, Any]] = {}
    for item in items:
        r = item.record
        if not r.get("readable") or r.get("year") is None or r.get("edition") not in layout.EDITIONS:
            continue
        edition = r["edition"]
        cells = {tuple(c[0]): c for c in r["cells"]}
        tables = {t for t in r.get("tables_found", {})} | {p[0] for p in cells}
        if "applications" not in tables and "review" not in tables:
            continue
        group = groups.setdefault(
            (r["year"], edition),
            {
                "year": r["year"],
                "edition": edition,
                "reports": 0,
                "agencies": set(),
                "paths": [],
                "applications": {row: dict.fromkeys(layout.APP_COLUMNS, 0) for row in layout.APP_ROWS[edition]},
                "review": {row: dict.fromkeys(layout.REVIEW_COLUMNS, 0) for row in layout.REVIEW_ROWS},
                "incomplete": {},
            },
        )
        group["reports"] += 1
        group["paths"].append(item.path)
        group["agencies"].add(item.key or item.path)
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
                    if isinstance(number, int):
                        group[table][row][col] += number
                    elif not blank:
                        key = f"{table}.{row}.{col}"
                        group["incomplete"][key] = group["incomplete"].get(key, 0) + 1
    out = []
    for (_year, _edition), group in sorted(groups.items()):
        group["agencies"] = len(group["agencies"])
        group["paths"] = sorted(group["paths"])
        group["incomplete"] = dict(sorted(group["incomplete"].items()))
        out.append(group)
    return out


def aggregate_json(groups: list[dict[str, Any]]) -> str:
    doc = {"tool": {"name": "xxgk", "version": __version__}, "years": groups}
    return json.dumps(doc, ensure_ascii=False, indent=2) + "\n"


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
    missing = group["incomplete"].get(f"{table}.{row}.{col}", 0)
    note = f"{missing} 份报告此格未能读取，未计入" if missing else ""
    return GridCell(str(group[table][row][col]), "value", note=note)
