"""The spreadsheets of a review, in the auditor's language: ``summary.csv``, ``summary.xlsx`` and ``tables.csv``.

* CSV files are UTF-8 with a BOM (Excel on Windows reads them as UTF-8 only then) and Chinese headers.
* ``summary.xlsx`` (written by ``xlsx``, streaming) has three sheets: 报告 (one row per report), 问题 (one row
  per finding: 机关、年度、规则、级别、部分、行、列、应为、现为、说明 …) and 表格数据 (every cell of every report,
  headed with the template's wording);
  each with a frozen bold header row, an autofilter and column widths that fit.
* Text that a spreadsheet would run as a formula (=, +, -, @, tab, CR first, full-width too) is neutralised in
  CSV (``checker.output.csv_safe``) and stored as text (an inline string, never a formula) in XLSX.

Header labels come from the template (``checker.writers.template``), so they read as the printed tables do:
``表三·三、本年度办理结果·（三）不予公开·1.属于国家秘密·自然人``.
"""

from __future__ import annotations

import csv
import io
import os
from collections.abc import Iterable, Iterator
from functools import cache
from pathlib import Path
from typing import Any

from .. import layout
from .outputs import Item, temp_name

SEVERITY_LABELS = {"error": "错误", "warning": "警告", "info": "提示"}

REPORT_COLUMNS: tuple[tuple[str, int], ...] = (
    ("文件", 48),
    ("机关", 30),
    ("机关（跨年度对应名称）", 30),
    ("年度", 8),
    ("格式版本", 10),
    ("文件类型", 10),
    ("能否读取", 10),
    ("错误", 8),
    ("警告", 8),
    ("提示", 8),
    ("结论", 12),
    ("计入汇总", 10),
    ("主要问题", 50),
    ("较上次：新增", 12),
    ("较上次：已改正", 14),
    ("较上次：未变", 12),
    ("检查结果页", 36),
    ("SHA-256", 20),
)
FINDING_COLUMNS: tuple[tuple[str, int], ...] = (
    ("机关", 30),
    ("年度", 8),
    ("规则", 8),
    ("规则名称", 36),
    ("级别", 8),
    ("部分", 28),
    ("行", 36),
    ("列", 16),
    ("应为", 10),
    ("现为", 10),
    ("说明", 80),
    ("位置", 14),
    ("修改建议", 60),
    ("文件", 48),
)
TABLE_LEAD: tuple[tuple[str, int], ...] = (("文件", 48), ("文件类型", 10), ("格式版本", 10), ("年度", 8), ("机关", 30))


def _safe(value: Any) -> Any:
    from ..output import csv_safe

    return csv_safe(value)


# -- labels ----------------------------------------------------------------------------------------------------


@cache
def _app_rows(edition: str) -> dict[str, list[str]]:
    from ..writers import template as t

    return {r.key: [p for p in (r.top, r.group, r.leaf) if p] for r in t.app_rows(edition)}


@cache
def _active(edition: str) -> dict[str, tuple[str, dict[str, str], dict[str, str]]]:
    from ..writers import template as t

    return {b.key: (b.caption, dict(b.rows), dict(b.columns)) for b in t.active_blocks(edition)}


@cache
def _review(edition: str) -> dict[str, str]:
    from ..writers import template as t

    return dict(t.review_labels(edition))


@cache
def _columns(edition: str) -> dict[str, str]:
    from ..writers import template as t

    return dict(t.app_columns(edition))


def row_label(table: str | None, row: str | None, block: str | None, edition: str) -> str:
    edition = edition if edition in layout.EDITIONS else "2021"
    if not row:
        return ""
    if table == "applications":
        return "·".join(_app_rows(edition).get(row, [row]))
    if table == "active" and block:
        caption, rows, _cols = _active(edition).get(block, (block, {}, {}))
        return f"{caption}·{rows.get(row, row)}"
    if table == "review":
        return _review(edition).get(row, row)
    return row


def column_label(table: str | None, col: str | None, block: str | None, edition: str) -> str:
    edition = edition if edition in layout.EDITIONS else "2021"
    if not col:
        return ""
    if table == "applications":
        return _columns(edition).get(col, col)
    if table == "active" and block:
        return _active(edition).get(block, (block, {}, {}))[2].get(col, col)
    if table == "review":
        return _review(edition).get(col, col)
    return col


def section_label(section: str | None) -> str:
    from ..checks import section_title

    return section_title(section) if section else ""


_TABLE_NAMES = {"active": "表二", "applications": "表三", "review": "表四"}


def cell_header(key: str) -> str:
    """The Chinese header of a canonical cell column of tables.csv (``applications.results.granted.total``)."""
    table, rest = key.split(".", 1)
    edition = next((e for e in ("2021", "2019") if key in _canonical(e)), "2021")
    if table == "active":
        block, rest = rest.split(".", 1)
        row, col = rest.rsplit(".", 1)
        return (
            f"{_TABLE_NAMES[table]}·{row_label(table, row, block, edition)}·{column_label(table, col, block, edition)}"
        )
    row, col = rest.rsplit(".", 1)
    return f"{_TABLE_NAMES[table]}·{row_label(table, row, None, edition)}·{column_label(table, col, None, edition)}"


@cache
def _canonical(edition: str) -> frozenset[str]:
    from ..output import csv_columns

    return frozenset(csv_columns(edition))


@cache
def table_columns() -> tuple[str, ...]:
    from ..output import csv_columns

    columns: list[str] = []
    for edition in layout.EDITIONS:
        for col in csv_columns(edition):
            if col not in columns:
                columns.append(col)
    return tuple(columns)


# -- rows ------------------------------------------------------------------------------------------------------


def report_rows(items: Iterable[Item], rules: Any) -> Iterator[list[Any]]:
    for item in items:
        r = item.record
        changes = item.changes or {}
        yield [
            item.path,
            r.get("agency") or "",
            item.key or "",
            r.get("year") if r.get("year") is not None else "",
            r.get("edition") or "",
            r.get("format") or "",
            "能" if r.get("readable") else "否",
            item.counts["error"],
            item.counts["warning"],
            item.counts["info"],
            item.verdict,
            "是" if item.counted else f"否（与 {item.duplicate_of} 重复）",
            "；".join(item.top_rules_titled(rules)),
            changes.get("new", ""),
            changes.get("fixed", ""),
            changes.get("unchanged", ""),
            item.page,
            r.get("sha256") or "",
        ]


def finding_rows(items: Iterable[Item], rules: Any) -> Iterator[list[Any]]:
    for item in items:
        r = item.record
        edition = r.get("edition") or "2021"
        for f in item.findings:
            loc = f.location or {}
            rule = rules.get(f.rule)
            where = " ".join(
                p
                for p in (
                    f"第{loc['line']}行" if loc.get("line") is not None else "",
                    f"第{loc['page']}页" if loc.get("page") is not None else "",
                    str(loc.get("cell") or ""),
                )
                if p
            )
            yield [
                r.get("agency") or "",
                r.get("year") if r.get("year") is not None else "",
                f.rule,
                getattr(rule, "title", "") or "",
                SEVERITY_LABELS.get(f.severity, f.severity),
                section_label(loc.get("section")),
                row_label(loc.get("table"), loc.get("row"), loc.get("block"), edition),
                column_label(loc.get("table"), loc.get("column"), loc.get("block"), edition),
                "" if f.expected is None else f.expected,
                "" if f.actual is None else f.actual,
                f.message,
                where,
                getattr(rule, "fix", "") or "",
                item.path,
            ]
        item.forget()  # read back from the store for its rows only


def table_row(item: Item) -> list[Any]:
    """One report's row of tables.csv / 表格数据 (its whole record is read: every cell)."""
    r = item.whole
    values: dict[str, Any] = {}
    for path, _raw, number, *_rest in r["cells"]:
        values[".".join(path)] = float(number["d"]) if isinstance(number, dict) else number
    lead = [
        item.path,
        r.get("format") or "",
        r.get("edition") or "",
        r.get("year") if r.get("year") is not None else "",
        r.get("agency") or "",
    ]
    return lead + ["" if values.get(c) is None else values[c] for c in table_columns()]


def table_rows(items: Iterable[Item]) -> Iterator[list[Any]]:
    for item in items:
        yield table_row(item)


def table_header() -> list[str]:
    return [name for name, _w in TABLE_LEAD] + [cell_header(c) for c in table_columns()]


# -- files -----------------------------------------------------------------------------------------------------


def _csv(header: Iterable[str], rows: Iterable[list[Any]]) -> str:
    buf = io.StringIO()
    writer = csv.writer(buf, lineterminator="\r\n")
    writer.writerow(list(header))
    for row in rows:
        writer.writerow([_safe(v) for v in row])
    return buf.getvalue()


def summary_header() -> list[str]:
    return [name for name, _w in REPORT_COLUMNS]


def summary_csv(items: list[Item], rules: Any) -> str:
    return _csv(summary_header(), report_rows(items, rules))


def findings_csv(items: list[Item], rules: Any) -> str:
    return _csv((name for name, _w in FINDING_COLUMNS), finding_rows(items, rules))


def tables_csv(items: list[Item]) -> str:
    return _csv(table_header(), table_rows(items))


class CsvFile:
    """A CSV written row by row into a temporary file (UTF-8 with a BOM), renamed into place by ``close``."""

    def __init__(self, path: Path, header: Iterable[str]) -> None:
        self.path = path
        self.tmp = temp_name(path)
        self.fh = open(self.tmp, "w", encoding="utf-8-sig", newline="")  # noqa: SIM115 - closed by close()
        self.writer = csv.writer(self.fh, lineterminator="\r\n")
        self.writer.writerow(list(header))

    def row(self, values: list[Any]) -> None:
        self.writer.writerow([_safe(v) for v in values])

    def close(self) -> None:
        self.fh.close()
        os.replace(self.tmp, self.path)

    def discard(self) -> None:
        self.fh.close()
        if self.tmp.exists():
            self.tmp.unlink()


class Workbook:
    """summary.xlsx written in one pass (``xlsx.XlsxWriter``): 报告 and 问题 from what is in memory, 表格数据 row
    by row as each report's whole record is read. Written aside and renamed into place by ``save``."""

    def __init__(self, path: Path) -> None:
        from .xlsx import XlsxWriter

        self.path = path
        self.tmp = temp_name(path)
        self.book = XlsxWriter(self.tmp)

    def reports(self, items: Iterable[Item], rules: Any) -> None:
        self.book.sheet("报告", REPORT_COLUMNS)
        for row in report_rows(items, rules):
            self.book.row(row)
        self.book.sheet("问题", FINDING_COLUMNS)
        for row in finding_rows(items, rules):
            self.book.row(row)
        self.book.sheet("表格数据", tuple(TABLE_LEAD) + tuple((cell_header(c), 14) for c in table_columns()))

    def table_row(self, values: list[Any]) -> None:
        self.book.row(values)

    def save(self) -> None:
        try:
            self.book.close()
            os.replace(self.tmp, self.path)
        except BaseException:
            self.discard()
            raise

    def discard(self) -> None:
        self.book.abort()
        if self.tmp.exists():
            self.tmp.unlink()


def summary_xlsx(items: list[Item], rules: Any, path: Path) -> None:
    book = Workbook(path)
    book.reports(items, rules)
    for item in items:
        book.table_row(table_row(item))
    book.save()
