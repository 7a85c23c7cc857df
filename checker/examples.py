"""Reports built from a rule file's examples (``examples: pass/fail``): the rules' own tests and ``explain``."""

from __future__ import annotations

from typing import Any

from . import layout
from .extract import Report

# How an example's ``document`` is read: the text as a file of that format would be.
DOCUMENT_FORMATS = ("md", "txt")


def report_from_example(example: dict[str, Any]) -> Report:
    """A report built from a rule example (examples: pass/fail in the rule file), for tests and `explain`.

    An example gives either the report's facts (cells, texts, headings, …) or a whole ``document``: the text of
    a report as it is written (Markdown, or plain text with ``format: txt``), read like a file. Rules about how
    tables and headings are written (S202, S203, P003, P005) need the latter."""
    if "document" in example:
        return _report_from_document(example)
    from .interpret import CellRead, Parsed
    from .model import Source
    from .values import Value, parse_value

    report = Report(path="example", format="example")
    report.edition = str(example.get("edition", "2021"))
    report.year = example.get("year")
    report.title_year = example.get("title_year", report.year)
    report.period_year = example.get("period_year", report.year)
    report.agency = example.get("agency")
    report.title = example.get("title")
    report.sections = [str(s) for s in example.get("sections", layout.SECTION_KEYS)]
    parsed = Parsed()
    for section, texts in (example.get("texts") or {}).items():
        from .lexer import Tok

        for text in texts:
            parsed.texts.append((str(section), Tok("TEXT", text, Source())))
    parsed.tables = {t: Source() for t in example.get("tables", ["active", "applications", "review"])}
    parsed.edition_votes = {str(k): v for k, v in (example.get("edition_votes") or {}).items()} or {report.edition: 1}
    if "headings" in example:
        from .labels import Match, vocabulary
        from .lexer import Tok

        terms = {t.key: t for t in vocabulary().sections}
        for key, text in example["headings"]:
            match = Match(terms[str(key)], text, exact=False, numbering="")
            parsed.sections.append((str(key), Tok("SECTION", text, Source(), match=match)))
    report.published = example.get("published")
    report.parsed = parsed
    # Cells an example does not give are 0: examples stay minimal and the identities can still be evaluated.
    if example.get("fill", "zero") == "zero":
        for path in canonical_paths(report.edition):
            report.cells[path] = CellRead(path, Value("0", 0), Source())
    for table, rows in (example.get("cells") or {}).items():
        for row, cols in rows.items():
            if table == "active":
                for col_row, cols2 in cols.items():
                    for col, raw in cols2.items():
                        report.cells[("active", row, col_row, col)] = CellRead(
                            ("active", row, col_row, col), _example_value(raw, Value, parse_value), Source()
                        )
                continue
            for col, raw in cols.items():
                path = (table, row, col)
                report.cells[path] = CellRead(path, _example_value(raw, Value, parse_value), Source())
    return report


def canonical_paths(edition: str) -> list[tuple[str, ...]]:
    paths: list[tuple[str, ...]] = []
    for block, (rows, cols) in layout.ACTIVE[edition].items():
        paths += [("active", block, r, c) for r in rows for c in cols]
    paths += [("applications", r, c) for r in layout.APP_ROWS[edition] for c in layout.APP_COLUMNS]
    paths += [("review", r, c) for r in layout.REVIEW_ROWS for c in layout.REVIEW_COLUMNS]
    return paths


def _example_value(raw: Any, value_cls: Any, parse: Any) -> Any:
    if raw is None:
        return value_cls("", blank=True)
    return parse(str(raw))


def _report_from_document(example: dict[str, Any]) -> Report:
    from .extract import extract_document
    from .readers import reader_for

    fmt = str(example.get("format", "md"))
    if fmt not in DOCUMENT_FORMATS:
        raise ValueError(f"example format {fmt!r} is not one of {', '.join(DOCUMENT_FORMATS)}")
    doc = reader_for(fmt)(str(example["document"]).encode("utf-8"), f"example.{fmt}")
    edition = example.get("edition")
    report = extract_document(doc, edition=str(edition) if edition else None, year=example.get("year"))
    report.path = "example"
    return report
