"""Named checks: the rules that are not arithmetic identities. One small registered function each; the
rule's YAML file names it (``check: {named: …, params: …}``) and carries the message, severity and basis."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date
from typing import TYPE_CHECKING, Any

from . import ids, layout, words
from .findings import Finding
from .patterns import regex
from .registry import CHECKS, PARAMS, CheckFn, Param, check, finding, params_error

__all__ = ["CHECKS", "PARAMS", "CheckFn", "Param", "check", "finding", "params_error"]

if TYPE_CHECKING:
    from .extract import Report
    from .rule import Rule

SECTION_ORDER = layout.SECTION_KEYS
TABLE_SECTION = layout.TABLE_SECTION
# One name per table everywhere a person reads it: by the section it stands in (checker.words.table_name).
TABLE_NAMES = {table: words.table_name(table) for table in layout.TABLE_SECTION}


def section_title(key: str) -> str:
    """The template's heading of a section (grammars/labels.yaml), e.g. 五 → 五、存在的主要问题及改进情况."""
    from .labels import section_heading

    return section_heading(key)


def _source_loc(source: Any) -> dict[str, Any]:
    return {"line": source.line, "page": source.page, "cell": source.cell} if source is not None else {}


@check("builtin")
def builtin(report: Report, rule: Rule, params: dict[str, Any]) -> Iterable[Finding]:
    """Raised while reading and parsing (P, S202, S203); the engine passes those problems through."""
    return ()


# -- structure ----------------------------------------------------------------------------------------------


@check("sections_present")
def sections_present(report: Report, rule: Rule, params: dict[str, Any]) -> Iterable[Finding]:
    tables_in = {TABLE_SECTION[t] for t in (report.parsed.tables if report.parsed else {})}
    for key in SECTION_ORDER:
        if key in report.sections:
            continue
        hint = "（该部分的表格在文中，标题可能丢失或写法不同）" if key in tables_in else ""
        if key == "五" and _problems_subheading(report):
            hint = "（文中有“主要问题”“改进”等小标题，该部分的内容在文中，标题可能丢失或写法不同）"
        yield finding(rule, {"section": key, "title": section_title(key), "hint": hint}, section=key)


_PROBLEMS_SUBHEADING = regex(r"^[(（]?[一1][)）、.]?(?:存在的)?(?:主要)?问题")


def _problems_subheading(report: Report) -> bool:
    """Section 五's own subheadings ("（一）主要问题" … "（二）改进情况") under another section's heading."""
    texts = [tok.text.strip() for _, tok in (report.parsed.texts if report.parsed else ())]
    return any(_PROBLEMS_SUBHEADING.match(t) and len(t) <= 12 for t in texts) and any(
        len(t) <= 12 and ("改进" in t or "整改" in t) for t in texts
    )


@check("sections_order")
def sections_order(report: Report, rule: Rule, params: dict[str, Any]) -> Iterable[Finding]:
    seen = [k for k in report.sections if k in SECTION_ORDER]
    first = list(dict.fromkeys(seen))
    if first != sorted(first, key=SECTION_ORDER.index):
        yield finding(rule, {"found": "、".join(first)})


@check("section_wording")
def section_wording(report: Report, rule: Rule, params: dict[str, Any]) -> Iterable[Finding]:
    for key, tok in report.parsed.sections if report.parsed else ():
        if tok.match is not None and not tok.match.exact:
            fields = {"text": " ".join(tok.text.split())[:40], "title": section_title(key)}
            yield finding(rule, fields, section=key, **_source_loc(tok.source))


@check("tables_present")
def tables_present(report: Report, rule: Rule, params: dict[str, Any]) -> Iterable[Finding]:
    tables = report.parsed.tables if report.parsed else {}
    for table, section in TABLE_SECTION.items():
        if table not in tables:
            yield finding(rule, {"table_name": TABLE_NAMES[table]}, section=section, table=table)


# -- values -------------------------------------------------------------------------------------------------


def _cell_loc(path: tuple[str, ...], source: Any) -> dict[str, Any]:
    from .findings import cell_location

    return cell_location(path, source)


def _cell_name(path: tuple[str, ...], edition: str | None = None) -> str:
    from .words import cell_name

    return cell_name(path, edition)


@check("value_is_number")
def value_is_number(report: Report, rule: Rule, params: dict[str, Any]) -> Iterable[Finding]:
    for path, cell in report.cells.items():
        if cell.value.is_text:
            yield finding(
                rule,
                {"cell": _cell_name(path, report.edition), "raw": _short(cell.value.raw, 40)},
                **_cell_loc(path, cell.source),
            )


@check("value_is_count")
def value_is_count(report: Report, rule: Rule, params: dict[str, Any]) -> Iterable[Finding]:
    for path, cell in report.cells.items():
        number = cell.value.number
        column = path[-1]
        if number is None or column in layout.DECIMAL_COLUMNS:
            continue
        negative = number < 0 and column not in layout.SIGNED_COLUMNS
        fractional = not float(number).is_integer()
        if negative or fractional:
            why = "为负数" if negative else "不是整数"
            yield finding(
                rule,
                {"cell": _cell_name(path, report.edition), "raw": cell.value.raw, "why": why},
                **_cell_loc(path, cell.source),
            )


@check("value_not_blank")
def value_not_blank(report: Report, rule: Rule, params: dict[str, Any]) -> Iterable[Finding]:
    """Blank cells, grouped so that a drafter gets one finding per thing to fix: a table left blank is V105's
    (nothing here); a column blank from top to bottom is one finding; other blanks one finding per row."""
    unfilled = {(t, b) for t, b in _unfilled_tables(report)}
    for (table, block), paths in _blank_groups(report).items():
        if (table, block) in unfilled or (table, None) in unfilled:
            continue
        yield from _grouped_blanks(report, rule, table, paths)


def _blank_groups(report: Report) -> dict[tuple[str, str | None], list[tuple[str, ...]]]:
    """Read cells per table (per 第二十条 block in 表二), in document order."""
    groups: dict[tuple[str, str | None], list[tuple[str, ...]]] = {}
    for path in report.cells:
        block = path[1] if path[0] == "active" and len(path) == 4 else None
        groups.setdefault((path[0], block), []).append(path)
    return groups


def _grouped_blanks(report: Report, rule: Rule, table: str, paths: list[tuple[str, ...]]) -> Iterable[Finding]:
    from . import words

    edition = report.edition
    blank = [p for p in paths if report.cells[p].value.blank]
    if not blank:
        return
    columns: dict[str, list[tuple[str, ...]]] = {}
    for path in paths:
        columns.setdefault(path[-1], []).append(path)
    whole_columns = [c for c, ps in columns.items() if len(ps) > 1 and all(report.cells[p].value.blank for p in ps)]
    done: set[tuple[str, ...]] = set()
    findings: list[Finding] = []
    for column in whole_columns:
        cells = columns[column]
        done.update(cells)
        first = report.cells[cells[0]]
        what = f"{words.column_phrase(table, column, edition)}整列为空（{len(cells)} 个单元格）"
        loc = _cell_loc(cells[0], first.source)
        loc["row"] = None
        if cells[0][0] == "active" and len(cells[0]) == 4:
            what = f"{words.block_name(cells[0][1], edition)}{what}"
        findings.append(finding(rule, {"cell": what, "what": what, "raw": "空白"}, **loc))
    rows: dict[str, list[tuple[str, ...]]] = {}
    for path in blank:
        if path not in done:
            rows.setdefault(path[-2], []).append(path)
    for row, cells in rows.items():
        first = report.cells[cells[0]]
        if len(cells) == 1:
            what = f"{words.cell_name(cells[0], edition)}为空"
            loc = _cell_loc(cells[0], first.source)
        else:
            names = "、".join(f"“{words.column_name(table, p[-1], edition)}”" for p in cells)
            full = len(cells) == sum(1 for p in paths if p[-2] == row)
            prefix = words.block_name(cells[0][1], edition) if cells[0][0] == "active" and len(cells[0]) == 4 else ""
            row_words = prefix + words.row_phrase(table, row, edition)
            what = f"{row_words}整行为空" if full else f"{row_words}的{names}列为空"
            loc = _cell_loc(cells[0], first.source)
            loc["column"] = None
        raws = sorted({(report.cells[p].value.raw or "").strip() for p in cells} - {""})
        if raws:
            what += f"（写作{'、'.join(f'“{r}”' for r in raws)}）"
        findings.append(finding(rule, {"cell": what, "what": what, "raw": "、".join(raws) or "空白"}, **loc))
    yield from findings


# -- unfinished drafts ----------------------------------------------------------------------------------------

# A table counts as left blank when at most this many of its cells hold a number (one stray figure in an
# otherwise empty table is still an unfilled table).
_UNFILLED_MAX_NUMBERS = 1


def _unfilled_tables(report: Report) -> list[tuple[str, str | None]]:
    """Tables of the template present in the report with (almost) no number in them."""
    present = set(report.parsed.tables) if report.parsed else set()
    by_table: dict[str, list[Any]] = {}
    for path, cell in report.cells.items():
        by_table.setdefault(path[0], []).append(cell)
    out: list[tuple[str, str | None]] = []
    for table in ("active", "applications", "review"):
        cells = by_table.get(table, [])
        if table not in present and not cells:
            continue
        numbers = sum(1 for c in cells if c.value.number is not None)
        texts = sum(1 for c in cells if c.value.is_text)
        if cells and numbers <= _UNFILLED_MAX_NUMBERS and texts == 0 and numbers < len(cells):
            out.append((table, None))
    return out


@check("table_unfilled")
def table_unfilled(report: Report, rule: Rule, params: dict[str, Any]) -> Iterable[Finding]:
    from . import words

    for table, _block in _unfilled_tables(report):
        cells = [(p, c) for p, c in report.cells.items() if p[0] == table]
        numbers = sum(1 for _, c in cells if c.value.number is not None)
        source = report.parsed.tables.get(table) if report.parsed else None
        how = "没有填写任何数字" if numbers == 0 else f"只填写了 {numbers} 个数字"
        fields = {"table_name": words.table_name(table), "how": how, "cells": len(cells)}
        # The table's first line or page, not a cell: the whole table is meant.
        where = {"line": source.line, "page": source.page} if source is not None else {}
        loc = {"section": TABLE_SECTION[table], "table": table, **where}
        yield finding(rule, fields, **loc)


# Placeholders of the template left in the title or the text: XX县, XX局, XXXX年, ____年.
_PLACEHOLDER_NAME = regex(r"[XxＸｘ×＊*]{2,}[县市区局镇乡省州旗盟委办厅院所年]|[_＿]{2,}年")
# A title whose year was left empty: "XX县人民政府  年政府信息公开工作年度报告" (no digit or numeral before 年).
_EMPTY_YEAR = regex(r"(?:^|[^\d〇零一二三四五六七八九十○Ｏ])[\s_＿]*年度?政府信息公开")
# The template's instructions in parentheses, written to be replaced: （文字描述，概述…）, （填写下表。…）.
_INSTRUCTION = regex(
    r"^[（(]\s*(?:文字描述|此处填写|在此填写|请填写|请在此|请根据|填写下表|填写说明|根据实际情况填写|按实际情况填写)"
)


@check("template_placeholder")
def template_placeholder(report: Report, rule: Rule, params: dict[str, Any]) -> Iterable[Finding]:
    title = report.title or ""
    agency = report.agency or ""
    for text, label in ((title, "标题"), (agency, "机关名称")):
        m = _PLACEHOLDER_NAME.search(text)
        if m:
            fields = {"what": f"{label}中的“{m.group(0)}”是模板的占位符", "quote": _short(text)}
            yield finding(rule, fields, section=None, **_source_loc(_block_with(report, m.group(0))))
            break  # the title names the agency: one finding for both
    else:
        # The title detector needs a year, so a title whose year was left empty is looked for in the first lines.
        heads = [b for b in (report.document.blocks[:8] if report.document else ()) if not b.is_table]
        for block in heads:
            text = " ".join(block.text.split())
            if "年度报告" in text and len(text) <= 60 and _EMPTY_YEAR.search(text):
                fields = {"what": f"标题“{text}”中没有填写年度", "quote": _short(text)}
                yield finding(rule, fields, section=None, **_source_loc(block.source))
                break
    for block in report.document.blocks if report.document else ():
        if block.is_table:
            continue
        text = " ".join(block.text.split())
        if _INSTRUCTION.match(text):
            fields = {"what": f"模板的填写说明“{_short(text)}”还留在文中", "quote": _short(text)}
            yield finding(rule, fields, section=_section_at(report, block.source), **_source_loc(block.source))


def _block_with(report: Report, text: str) -> Any:
    """Where ``text`` first stands in the document (the title's line), or None."""
    for block in report.document.blocks[:20] if report.document else ():
        if text in block.text:
            return block.source
    return None


def _short(text: str, limit: int = 24) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _section_at(report: Report, source: Any) -> str | None:
    """The section a text position falls in (the last section heading before it), when lines are known."""
    if source is None or source.line is None or not report.parsed:
        return None
    current = None
    for key, tok in report.parsed.sections:
        if tok.source.line is not None and tok.source.line <= source.line:
            current = key
    return current


# -- edition and consistency --------------------------------------------------------------------------------


@check("edition_for_year")
def edition_for_year(report: Report, rule: Rule, params: dict[str, Any]) -> Iterable[Finding]:
    if report.year is None or report.edition not in layout.EDITIONS:
        return
    wanted = "2021" if report.year >= 2021 else "2019" if report.year >= 2019 else None
    if wanted and wanted != report.edition:
        yield finding(rule, {"year": report.year, "edition": report.edition, "wanted": wanted})


@check("edition_mixed", minimum=Param("int"))
def edition_mixed(report: Report, rule: Rule, params: dict[str, Any]) -> Iterable[Finding]:
    votes = report.parsed.edition_votes if report.parsed else {}
    minimum = int(params.get("minimum", 2))
    if any(p.rule == ids.EDITION_MIXED for p in report.problems):
        return  # the reader already said what is mixed, table by table
    if votes.get("2019", 0) >= minimum and votes.get("2021", 0) >= minimum:
        labels = report.parsed.edition_labels if report.parsed else {}
        what = "；".join(
            f"{ed}年版：" + "、".join(f"“{x}”" for x in labels[ed][:3]) for ed in ("2019", "2021") if labels.get(ed)
        )
        yield finding(rule, {"v2019": votes["2019"], "v2021": votes["2021"], "what": what or "—"})


@check("year_consistent")
def year_consistent(report: Report, rule: Rule, params: dict[str, Any]) -> Iterable[Finding]:
    if report.title_year and report.period_year and report.title_year != report.period_year:
        yield finding(rule, {"title_year": report.title_year, "period_year": report.period_year})


# C102 (text_matches_table) and the other narrative checks C103–C109 live in checker/narrative/rules.py.


def _section_text(report: Report, section: str) -> str:
    return " ".join(tok.text for s, tok in (report.parsed.texts if report.parsed else ()) if s == section)


@check(
    "text_mentions",
    pattern=Param("regex", required=True),
    section=Param("str"),
    min_year=Param("int"),
    agency=Param("regex"),
    agency_not=Param("regex"),
)
def text_mentions(report: Report, rule: Rule, params: dict[str, Any]) -> Iterable[Finding]:
    """The report (or one section) must mention something, when it applies (min_year, agency pattern)."""
    if params.get("min_year") and (report.year is None or report.year < int(params["min_year"])):
        return
    agency = report.agency or ""
    if params.get("agency") and not regex(params["agency"]).search(agency):
        return
    if params.get("agency_not") and regex(params["agency_not"]).search(agency):
        return
    section = params.get("section")
    if section and section not in report.sections:
        return  # the missing section is S101's finding
    text = _section_text(report, section) if section else " ".join(t.text for _, t in report.parsed.texts)
    if not regex(params["pattern"]).search(text):
        yield finding(rule, {"agency": agency, "section": section or ""}, section=section)


@check("published_in_time")
def published_in_time(report: Report, rule: Rule, params: dict[str, Any]) -> Iterable[Finding]:
    if report.year is None or report.published is None:
        return
    deadline = _deadline(report.agency or "", report.year)
    if deadline is not None and report.published > deadline:
        yield finding(rule, {"published": report.published.isoformat(), "deadline": deadline.isoformat()})


_GOVERNMENT = regex(r"人民政府$|管委会$|管理委员会$|实验区$|新区$|开发区$|自治[州县旗]$|[省市县区旗盟]$")
_DEPARTMENT = regex(r"(局|厅|委员会|委|办公室|办公厅|中心|院|站|所|处|队|署|会)$")
_TOWNSHIP = regex(r"[乡镇]人民政府$|街道|乡$|镇$")


def _deadline(agency: str, year: int) -> date | None:
    """Art. 49: departments by 31 January, governments by 31 March. Townships, 街道 and issuers we cannot
    classify have no national deadline we can hold them to: no finding rather than a guess."""
    if not agency or _TOWNSHIP.search(agency):
        return None
    if _DEPARTMENT.search(agency):
        return date(year + 1, 1, 31)
    if _GOVERNMENT.search(agency):
        return date(year + 1, 3, 31)
    return None


# Registers the narrative checks (C102–C109) with the others, so that importing this module registers them all.
from .narrative import rules as _narrative_rules  # noqa: E402, F401
