"""The reading pipeline: file → document → tokens → parse tree → canonical cells, edition, year, agency."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import Any

from . import ids, layout
from .detect import detect, looks_legacy, mentions_report
from .interpret import CellPath, CellRead, Interpreter, Parsed
from .model import Document, Problem, ReadError


@dataclass
class Report:
    path: str
    format: str
    edition: str = "unknown"  # "2019" | "2021" | "legacy" | "unknown"
    year: int | None = None
    agency: str | None = None
    title: str | None = None
    title_year: int | None = None
    period_year: int | None = None
    published: date | None = None  # the publication date written in the document (detect.publication_date)
    sections: list[str] = field(default_factory=list)
    cells: dict[CellPath, CellRead] = field(default_factory=dict)
    problems: list[Problem] = field(default_factory=list)
    parsed: Parsed | None = None
    document: Document | None = None
    readable: bool = True

    @property
    def is_template_report(self) -> bool:
        return self.edition in layout.EDITIONS

    def value(self, path: CellPath) -> Any:
        cell = self.cells.get(path)
        return None if cell is None else cell.value.number

    def tables(self) -> dict[str, Any]:
        """Nested canonical tables for JSON: every cell that was read (blank → null); lost cells absent."""
        out: dict[str, Any] = {}
        for path, cell in self.cells.items():
            node = out
            for key in path[:-1]:
                node = node.setdefault(key, {})
            node[path[-1]] = cell.value.json()
        return out


def extract_document(doc: Document, edition: str | None = None, year: int | None = None) -> Report:
    from .grammar import parse
    from .lexer import tokenize

    tokens = tokenize(doc)
    tree, skipped = parse(tokens)
    found = detect(doc)
    parsed = Interpreter(tokens, edition_hint=edition, year=year or found.year).run(tree, skipped)
    report = Report(
        path=doc.path,
        format=doc.format,
        year=year or found.year,
        agency=found.agency,
        title=found.title,
        title_year=found.title_year,
        period_year=found.period_year,
        published=found.published,
        sections=[key for key, _ in parsed.sections],
        cells=parsed.cells,
        problems=list(doc.problems) + parsed.problems,
        parsed=parsed,
        document=doc,
    )
    report.edition = _edition(report, parsed, doc, edition)
    if report.edition == "legacy":
        report.problems = [p for p in report.problems if p.rule.startswith("P")]
        report.problems.append(Problem(ids.LEGACY, "这是2019年《条例》修订前格式的年度报告，不按2019年以后的模板检查"))
    elif report.edition == "unknown" and not parsed.tables and len(set(report.sections)) < 3:
        report.problems = [p for p in report.problems if p.rule.startswith("P")]
        report.problems.append(Problem(ids.NO_REPORT, "文件中未识别到政府信息公开工作年度报告（没有模板的章节和表格）"))
    return report


def _edition(report: Report, parsed: Parsed, doc: Document, forced: str | None) -> str:
    """The interpreter's edition (the one that read the tables), or "legacy"/"unknown" on top of it."""
    if forced in layout.EDITIONS:
        return forced  # type: ignore[return-value]
    if parsed.tables:
        votes = parsed.edition_votes
        if parsed.edition_basis == "shape" and not (votes["2019"] or votes["2021"]):
            return "unknown"  # nothing but the shape of one row: too little to name the edition
        return parsed.edition
    if looks_legacy(doc, report.year) and (mentions_report(doc) or len(set(report.sections)) >= 3):
        return "legacy"
    return "unknown"


def extract_path(path: str, edition: str | None = None, year: int | None = None, ocr: str = "auto") -> Report:
    """Read and extract one file. An unreadable file gives a report with a P finding, never an exception.
    ``ocr``: ``auto`` reads a scanned PDF by OCR when the extra is installed, ``never`` does not."""
    from .readers import read
    from .readers.ocr import MODE

    token = MODE.set(ocr)
    try:
        doc = read(path)
    except ReadError as exc:
        report = Report(path=path, format=format_of(path), readable=False)
        report.problems.append(Problem(exc.rule, str(exc)))
        return report
    except Exception as exc:
        report = Report(path=path, format=format_of(path), readable=False)
        report.problems.append(Problem(ids.UNREADABLE, f"读取文件时出错：{type(exc).__name__}: {exc}"))
        return report
    finally:
        MODE.reset(token)
    try:
        return extract_document(doc, edition=edition, year=year)
    except RecursionError:
        report = Report(path=path, format=doc.format, readable=False)
        report.problems.append(Problem(ids.UNREADABLE, "文件结构过于复杂，无法解析"))
        return report


def format_of(path: str) -> str:
    import os

    from .readers import EXTENSIONS

    return EXTENSIONS.get(os.path.splitext(path)[1].lower(), "unknown")


_format_of = format_of  # the old private name, still imported by checker.batch
