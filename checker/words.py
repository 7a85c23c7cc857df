"""The template's own words for tables, rows, columns and cells: what every message and every output a person
reads uses instead of the canonical keys (``litigation_direct``, ``natural_person``), which stay in the JSON.

Wording comes from the label vocabulary (grammars/labels.yaml) through ``checker.labels`` (and the nesting of
table 三's rows from ``checker.writers.template``); a key the vocabulary does not know is shown as a neutral
phrase, never as itself.
"""

from __future__ import annotations

from collections.abc import Mapping
from functools import cache
from typing import Any

from . import layout
from .patterns import regex

_NUMBERING = regex(r"^[一二三四五六七八九十]+、")


def _label(kinds: str | tuple[str, ...], key: str, edition: str | None, fallback: str) -> str:
    from .labels import label

    for ed in (edition, *layout.EDITIONS):
        if ed not in layout.EDITIONS:
            continue
        try:
            return label(kinds, key, ed)  # type: ignore[arg-type]
        except KeyError:
            continue
    return fallback


@cache
def section_heading(key: str) -> str:
    """``三、收到和处理政府信息公开申请情况``."""
    from .labels import section_heading as heading

    try:
        return heading(key)
    except KeyError:
        return f"第{key}部分"


def table_name(table: str) -> str:
    """``第三部分表格（收到和处理政府信息公开申请情况）``: the table by the section it stands in."""
    section = layout.TABLE_SECTION.get(table)
    if section is None:
        return "表格"
    return f"第{section}部分表格（{_NUMBERING.sub('', section_heading(section))}）"


def row_name(table: str, row: str, edition: str | None = None) -> str:
    """A row as the template names it; a numbered sub-row with its group (（三）不予公开：1.属于国家秘密)."""
    if table == "applications":
        from .writers import template as t

        ed = edition if edition in layout.EDITIONS else "2021"
        for app_row in t.app_rows(ed):  # type: ignore[arg-type]
            if app_row.key == row:
                return f"{app_row.group}：{app_row.leaf}" if app_row.group else app_row.leaf
        return _label(("APP_ROW", "APP_GROUP"), row, edition, "该行")
    if table == "review":
        if row == "review":
            return _label("REVIEW_GROUP", "review", edition, "行政复议")
        litigation = _label("REVIEW_GROUP", "litigation", edition, "行政诉讼")
        return f"{litigation}（{_label('REVIEW_GROUP', row, edition, '')}）"
    return _label("ACTIVE_ROW", row, edition, "该行")


def column_name(table: str, column: str, edition: str | None = None) -> str:
    if table == "applications":
        return _label(("APP_COL", "TOTAL"), column, edition, "该列")
    if table == "review":
        return _label(("REVIEW_COL", "TOTAL"), column, edition, "该列")
    return _label("ACTIVE_COL", column, edition, "该列")


def block_name(block: str, edition: str | None = None) -> str:
    return _label("BLOCK", block, edition, "第二十条")


def cell_name(path: tuple[str, ...], edition: str | None = None) -> str:
    """A cell in a message: ``“本年新收政府信息公开申请数量”行“自然人”列``; the review table's groups stand
    side by side, so there a cell is ``“行政复议”下“结果维持”列``."""
    table, row, column = path[0], path[-2], path[-1]
    col = column_name(table, column, edition)
    if table == "review":
        return f"“{row_name(table, row, edition)}”下“{col}”列"
    prefix = f"{block_name(path[1], edition)}" if table == "active" and len(path) == 4 else ""
    return f"{prefix}“{row_name(table, row, edition)}”行“{col}”列"


def row_phrase(table: str, row: str, edition: str | None = None) -> str:
    return f"“{row_name(table, row, edition)}”" + ("栏" if table == "review" else "行")


def column_phrase(table: str, column: str, edition: str | None = None) -> str:
    return f"“{column_name(table, column, edition)}”列"


_ADDRESS = regex(r"^T(\d+)!([A-Z]+)(\d+)$")


def place(location: Mapping[str, Any], fmt: str = "", edition: str | None = None) -> str:
    """Where a person finds it: ``第 4 页第 10 行``, ``第三部分表格（…）第 6 行“总计”列``, ``第 57 行``.

    The document's own table row (from the cell address) is given because that is the row a drafter counts in
    Word; a DOCX paragraph number is not (Word never shows it) — the section names the place instead."""
    table = location.get("table")
    parts: list[str] = []
    if location.get("page") is not None:
        parts.append(f"第 {location['page']} 页")
    line = location.get("line")
    if line is not None and fmt != "docx":
        parts.append(f"第 {line} 行")
    where = "".join(parts)
    if table:
        cell_words = table_name(table)
        if table == "active" and location.get("block"):
            cell_words += block_name(str(location["block"]), edition)
        m = _ADDRESS.match(str(location.get("cell") or ""))
        if m and line is None:
            cell_words += f"第 {m[3]} 行"
            # The review table's groups stand side by side in one row: the group tells the columns apart.
            if table == "review" and location.get("row"):
                cell_words += row_phrase(table, str(location["row"]), edition)
        elif location.get("row"):
            cell_words += row_phrase(table, str(location["row"]), edition)
        if location.get("column"):
            cell_words += column_phrase(table, str(location["column"]), edition)
        return f"{where}，{cell_words}" if where else cell_words
    if not where and location.get("section"):
        return section_heading(str(location["section"]))
    return where
