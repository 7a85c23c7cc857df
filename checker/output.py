"""The contract's JSON document and the CSV table export."""

from __future__ import annotations

import csv
import io
import json
from typing import Any

from . import __version__, ids, layout
from .extract import Report
from .findings import Finding

OCR_BANNER = "本报告为扫描件，内容由文字识别（OCR）读取，数字可能有误读；标注“文字识别”的问题请对照原件核实"


def read_by_ocr(report: Report) -> bool:
    """Whether the report was read from page images by OCR (its values may be misread): every output says so."""
    return report.document is not None and report.document.ocr is not None


def ocr_banner(report: Report) -> str | None:
    """What the findings page and the terminal say about a report read by OCR (None: read from its text)."""
    if report.document is None or report.document.ocr is None:
        return None
    pages = getattr(report.document.ocr, "pages", None)  # only some pages were scans (readers.ocr.marks)
    if not pages:
        return OCR_BANNER
    shown = "、".join(str(n) for n in pages)
    return f"本报告第{shown}页为扫描图片，由文字识别（OCR）读取，数字可能有误读；标注“文字识别”的问题请对照原件核实"


def report_object(report: Report, findings: list[Finding], with_tables: bool) -> dict[str, Any]:
    obj: dict[str, Any] = {
        "path": report.path,
        "format": report.format,
        "edition": report.edition,
        "year": report.year,
        "agency": report.agency,
        "sections": report.sections,
        # False when cells could not be read from the file (P005): the verdict is "not fully checked".
        "fully_checked": report.readable and not any(f.rule == ids.CELLS_UNREADABLE for f in findings),
    }
    if read_by_ocr(report):
        obj["ocr"] = True  # read from page images by OCR: values may be misread
    if with_tables:
        obj["tables"] = report.tables()
    obj["findings"] = [f.json() for f in findings]
    return obj


def summary(results: list[tuple[Report, list[Finding]]]) -> dict[str, int]:
    count = {"error": 0, "warning": 0, "info": 0}
    for _, findings in results:
        for f in findings:
            count[f.severity] = count.get(f.severity, 0) + 1
    return {
        "files": len(results),
        "errors": count["error"],
        "warnings": count["warning"],
        "infos": count["info"],
        "unreadable": sum(1 for r, _ in results if not r.readable),
        "not_fully_checked": sum(
            1 for r, f in results if r.readable and any(x.rule == ids.CELLS_UNREADABLE for x in f)
        ),
    }


def json_document(
    results: list[tuple[Report, list[Finding]]], with_tables: bool, skipped: list[str] | None = None
) -> str:
    """The contract's document. ``skipped``: files found by walking a folder that hold no report; listed (with
    ``summary.skipped``) only when there are some, so documents of runs without them are unchanged."""
    doc: dict[str, Any] = {
        "tool": {"name": "xxgk", "version": __version__},
        "reports": [report_object(r, f, with_tables) for r, f in results],
        "summary": summary(results),
    }
    if skipped:
        doc["skipped"] = [{"path": path, "reason": "不是年度报告"} for path in skipped]
        doc["summary"]["skipped"] = len(skipped)
    return json.dumps(doc, ensure_ascii=False, indent=2)


def csv_columns(edition: str) -> list[str]:
    cols = []
    for block, (rows, columns) in layout.ACTIVE[edition].items():
        cols += [f"active.{block}.{r}.{c}" for r in rows for c in columns]
    cols += [f"applications.{r}.{c}" for r in layout.APP_ROWS[edition] for c in layout.APP_COLUMNS]
    cols += [f"review.{r}.{c}" for r in layout.REVIEW_ROWS for c in layout.REVIEW_COLUMNS]
    return cols


def csv_document(reports: list[Report]) -> str:
    """One row per report; the columns are the union of both editions' canonical cells. A blank cell is
    empty; a cell that could not be read is empty too and listed in the ``unread`` column."""
    columns: list[str] = []
    for edition in layout.EDITIONS:
        for col in csv_columns(edition):
            if col not in columns:
                columns.append(col)
    buf = io.StringIO()
    writer = csv.writer(buf)
    writer.writerow(["path", "format", "edition", "year", "agency", *columns])
    for report in reports:
        values = {".".join(path): cell.value.json() for path, cell in report.cells.items()}
        writer.writerow(
            [csv_safe(report.path), report.format, report.edition, report.year or "", csv_safe(report.agency or "")]
            + ["" if values.get(c) is None else values[c] for c in columns]
        )
    return buf.getvalue()


# A spreadsheet runs a cell that starts with one of these as a formula (=HYPERLINK(…), +cmd|…); text from a
# document or a file name must never do that (OWASP "CSV injection").
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r", "\uff1d", "\uff0b", "\uff0d", "\uff20")


def csv_safe(value: object) -> object:
    """A text cell neutralised with a leading apostrophe when a spreadsheet would read it as a formula;
    numbers pass unchanged (a negative count is a number, not a formula)."""
    if isinstance(value, str) and value.startswith(_FORMULA_START):
        return "'" + value
    return value
