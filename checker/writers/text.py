"""Plain text in the space-aligned shape: one line per table row, the label then its values.

This is the shape of a report copied out of a web page or a Word file by hand: headings and paragraphs are
lines, a table row is its label followed by its values separated by at least two spaces, and merged header
cells are written once, on their own line. Labels are padded to a common display width (CJK characters count
double) and values right-aligned, so the columns line up in a monospaced font. A blank cell is written ``/``.
"""

from __future__ import annotations

import unicodedata

from .. import layout
from . import template as t
from .data import ReportData

BLANK = "/"
GAP = "  "


def render(data: ReportData) -> bytes:
    lines: list[str] = [t.title(data), "", t.preamble(data), ""]
    for section in t.sections(data):
        if section.heading is not None:
            lines.append(section.heading)
        lines += section.paragraphs
        if section.table == "active":
            lines += _active(data)
        elif section.table == "applications":
            lines += _applications(data)
        elif section.table == "review":
            lines += _review(data)
        lines.append("")
    return ("\n".join(lines).rstrip("\n") + "\n").encode("utf-8")


def width(text: str) -> int:
    """Display width in a monospaced font: wide and full-width characters take two columns."""
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)


def _pad(text: str, to: int) -> str:
    return text + " " * (to - width(text))


def _lines(rows: list[tuple[str, list[str]]]) -> list[str]:
    """Aligned lines: labels padded to the widest, each value column right-aligned to its widest value."""
    label_width = max(width(label) for label, _ in rows)
    columns = max(len(values) for _, values in rows)
    value_widths = [max((width(v[i]) for _, v in rows if i < len(v)), default=1) for i in range(columns)]
    out = []
    for label, values in rows:
        cells = [" " * (value_widths[i] - width(v)) + v for i, v in enumerate(values)]
        out.append((_pad(label, label_width) + GAP + GAP.join(cells)).rstrip() if values else label)
    return out


def _active(data: ReportData) -> list[str]:
    out: list[str] = []
    for block in t.active_blocks(data.edition):
        out.append(block.caption)
        out.append(GAP.join([t.info_header(data.edition), *(label for _, label in block.columns)]))
        rows = [
            (label, [t.cell(data, ("active", block.key, row, col), BLANK) for col, _ in block.columns])
            for row, label in block.rows
        ]
        out += _lines(rows)
    return out


def _applications(data: ReportData) -> list[str]:
    edition = data.edition
    applicants, legal_persons = t.app_headers(edition)
    columns = dict(t.app_columns(edition))
    out = [
        t.app_note(edition),
        applicants,
        GAP.join([columns["natural_person"], legal_persons, columns["total"]]),
        GAP.join(columns[c] for c in layout.APPLICANT_COLUMNS[1:]),
    ]
    rows: list[tuple[str, list[str]]] = []
    previous_top = previous_group = None
    for row in t.app_rows(edition):
        if row.top and row.top != previous_top:
            rows.append((row.top, []))
        if row.group and row.group != previous_group:
            rows.append(("  " + row.group, []))
        previous_top, previous_group = row.top, row.group
        indent = "  " * ((row.top is not None) + (row.group is not None))
        values = [t.cell(data, ("applications", row.key, c), BLANK) for c in layout.APP_COLUMNS]
        rows.append((indent + row.leaf, values))
    return out + _lines(rows)


def _review(data: ReportData) -> list[str]:
    labels = t.review_labels(data.edition)
    results = [labels[c] for c in layout.REVIEW_COLUMNS]
    values = [t.cell(data, ("review", g, c), BLANK) for g in layout.REVIEW_ROWS for c in layout.REVIEW_COLUMNS]
    return [
        GAP.join([labels["review"], labels["litigation"]]),
        GAP.join([*results, labels["litigation_direct"], labels["litigation_after_review"]]),
        GAP.join(results * 2),
        GAP.join(values),
    ]
