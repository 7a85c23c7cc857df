"""Markdown: headings, paragraphs and GitHub pipe tables.

Pipe tables cannot merge cells, so where the template nests a row in a group the group label and the row's own
label share one cell (``（三）不予公开 1.属于国家秘密``), on the group's first row, as a merged cell reads. 表二 is
one table per block under the block's caption; 表四 is one row per group.
"""

from __future__ import annotations

from .. import layout
from . import template as t
from .data import ReportData


def render(data: ReportData) -> bytes:
    lines: list[str] = [f"# {t.title(data)}", "", t.preamble(data), ""]
    for section in t.sections(data):
        if section.heading is not None:
            lines += [f"## {section.heading}", ""]
        for paragraph in section.paragraphs:
            lines += [paragraph, ""]
        if section.table == "active":
            lines += _active(data)
        elif section.table == "applications":
            lines += _applications(data)
        elif section.table == "review":
            lines += _review(data)
    return ("\n".join(lines).rstrip("\n") + "\n").encode("utf-8")


def _escape(text: str) -> str:
    """A table cell: the pipe reader takes a backslash as escaping the next character."""
    return text.replace("\\", "\\\\").replace("|", "\\|")


def _row(cells: list[str]) -> str:
    return "| " + " | ".join(_escape(c) for c in cells) + " |"


def _table(header: list[str], rows: list[list[str]]) -> list[str]:
    return [_row(header), "|" + "---|" * len(header), *(_row(r) for r in rows), ""]


def _active(data: ReportData) -> list[str]:
    out: list[str] = []
    for block in t.active_blocks(data.edition):
        header = [t.info_header(data.edition), *(label for _, label in block.columns)]
        rows = [
            [row_label, *(t.cell(data, ("active", block.key, row, col)) for col, _ in block.columns)]
            for row, row_label in block.rows
        ]
        out += [f"**{block.caption}**", "", *_table(header, rows)]
    return out


def _applications(data: ReportData) -> list[str]:
    header = [t.app_note(data.edition), *(label for _, label in t.app_columns(data.edition))]
    rows = []
    previous_top = previous_group = None
    for row in t.app_rows(data.edition):
        parts = []
        if row.top and row.top != previous_top:
            parts.append(row.top)
        if row.group and row.group != previous_group:
            parts.append(row.group)
        parts.append(row.leaf)
        previous_top, previous_group = row.top, row.group
        rows.append([" ".join(parts), *(t.cell(data, ("applications", row.key, col)) for col in layout.APP_COLUMNS)])
    return _table(header, rows)


def _review(data: ReportData) -> list[str]:
    labels = t.review_labels(data.edition)
    header = [f"{labels['review']}/{labels['litigation']}", *(labels[c] for c in layout.REVIEW_COLUMNS)]
    names = {
        "review": labels["review"],
        "litigation_direct": f"{labels['litigation']}-{labels['litigation_direct']}",
        "litigation_after_review": f"{labels['litigation']}-{labels['litigation_after_review']}",
    }
    rows = [
        [names[group], *(t.cell(data, ("review", group, col)) for col in layout.REVIEW_COLUMNS)]
        for group in layout.REVIEW_ROWS
    ]
    return _table(header, rows)
