"""Named checks: the rules that are not arithmetic identities. One small registered function each; the
rule's YAML file names it (``check: {named: …, params: …}``) and carries the message, severity and basis."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from datetime import date
from typing import TYPE_CHECKING, Any

from . import layout
from .findings import Finding

if TYPE_CHECKING:
    from .engine import Rule
    from .extract import Report

CheckFn = Callable[["Report", "Rule", dict[str, Any]], Iterable[Finding]]
CHECKS: dict[str, CheckFn] = {}

SECTION_ORDER = ("一", "二", "三", "四", "五", "六")
TABLE_SECTION = layout.TABLE_SECTION
TABLE_NAMES = {
    "active": "主动公开政府信息情况表",
    "applications": "收到和处理政府信息公开申请情况表",
    "review": "行政复议、行政诉讼情况表",
}


def section_title(key: str) -> str:
    """The template's heading of a section (grammars/labels.yaml), e.g. 五 → 五、存在的主要问题及改进情况."""
    from .labels import vocabulary

    return next(t.label for t in vocabulary().sections if t.key == key)


def check(name: str) -> Callable[[CheckFn], CheckFn]:
    def register(fn: CheckFn) -> CheckFn:
        CHECKS[name] = fn
        return fn

    return register


def finding(rule: Rule, message_fields: dict[str, Any], **location: Any) -> Finding:
    from .engine import render_message

    expected = location.pop("expected", None)
    actual = location.pop("actual", None)
    loc = {"section": None, "table": None, "row": None, "column": None, "line": None, "page": None, "cell": None}
    loc.update(location)
    return Finding(rule.id, rule.severity, render_message(rule.message, message_fields), loc, expected, actual)


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
        yield finding(rule, {"section": key, "title": section_title(key), "hint": hint}, section=key)


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
    from .interpret import _column_label, _row_label

    return f"“{_row_label(path[-2], edition)}”行“{_column_label(path[-1], edition)}”列"


@check("value_is_number")
def value_is_number(report: Report, rule: Rule, params: dict[str, Any]) -> Iterable[Finding]:
    for path, cell in report.cells.items():
        if cell.value.is_text:
            yield finding(
                rule, {"cell": _cell_name(path, report.edition), "raw": cell.value.raw}, **_cell_loc(path, cell.source)
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
    for path, cell in report.cells.items():
        if cell.value.blank:
            yield finding(
                rule,
                {"cell": _cell_name(path, report.edition), "raw": cell.value.raw or "空白"},
                **_cell_loc(path, cell.source),
            )


# -- edition and consistency --------------------------------------------------------------------------------


@check("edition_for_year")
def edition_for_year(report: Report, rule: Rule, params: dict[str, Any]) -> Iterable[Finding]:
    if report.year is None or report.edition not in layout.EDITIONS:
        return
    wanted = "2021" if report.year >= 2021 else "2019" if report.year >= 2019 else None
    if wanted and wanted != report.edition:
        yield finding(rule, {"year": report.year, "edition": report.edition, "wanted": wanted})


@check("edition_mixed")
def edition_mixed(report: Report, rule: Rule, params: dict[str, Any]) -> Iterable[Finding]:
    votes = report.parsed.edition_votes if report.parsed else {}
    minimum = int(params.get("minimum", 2))
    if votes.get("2019", 0) >= minimum and votes.get("2021", 0) >= minimum:
        yield finding(rule, {"v2019": votes["2019"], "v2021": votes["2021"]})


@check("year_consistent")
def year_consistent(report: Report, rule: Rule, params: dict[str, Any]) -> Iterable[Finding]:
    if report.title_year and report.period_year and report.title_year != report.period_year:
        yield finding(rule, {"title_year": report.title_year, "period_year": report.period_year})


_RECEIVED = re.compile(
    r"(?:共|累计|全年)?(?:收到|受理|接收)[^。；;，,]{0,16}?(?:政府信息公开|依申请公开)?申请[^0-9。；;]{0,6}(\d+)\s*(?:件|个|条)"
)


@check("text_matches_table")
def text_matches_table(report: Report, rule: Rule, params: dict[str, Any]) -> Iterable[Finding]:
    new = report.value(("applications", "received_new", "total"))
    carried = report.value(("applications", "carried_over", "total"))
    if new is None or not report.parsed:
        return
    accepted = {new, new + (carried or 0)}
    for _section, tok in report.parsed.texts:
        for m in _RECEIVED.finditer(tok.text):
            stated = int(m.group(1))
            if stated not in accepted:
                fields = {"quote": m.group(0), "stated": stated, "table": new, "with_carried": new + (carried or 0)}
                yield finding(
                    rule,
                    fields,
                    section=_section,
                    table="applications",
                    row="received_new",
                    column="total",
                    expected=new,
                    actual=stated,
                    **_source_loc(tok.source),
                )


def _section_text(report: Report, section: str) -> str:
    return " ".join(tok.text for s, tok in (report.parsed.texts if report.parsed else ()) if s == section)


@check("text_mentions")
def text_mentions(report: Report, rule: Rule, params: dict[str, Any]) -> Iterable[Finding]:
    """The report (or one section) must mention something, when it applies (min_year, agency pattern)."""
    if params.get("min_year") and (report.year is None or report.year < int(params["min_year"])):
        return
    agency = report.agency or ""
    if params.get("agency") and not re.search(params["agency"], agency):
        return
    if params.get("agency_not") and re.search(params["agency_not"], agency):
        return
    section = params.get("section")
    if section and section not in report.sections:
        return  # the missing section is S101's finding
    text = _section_text(report, section) if section else " ".join(t.text for _, t in report.parsed.texts)
    if not re.search(params["pattern"], text):
        yield finding(rule, {"agency": agency, "section": section or ""}, section=section)


_PUBLISHED = re.compile(r"(?:发布|公开|成文)(?:日期|时间)\s*[:：]?\s*((?:19|20)\d{2})[-年./](\d{1,2})[-月./](\d{1,2})")


@check("published_in_time")
def published_in_time(report: Report, rule: Rule, params: dict[str, Any]) -> Iterable[Finding]:
    if report.year is None:
        return
    published = None
    for block in report.document.blocks[:40] if report.document else ():
        m = _PUBLISHED.search(block.text)
        if m:
            published = date(int(m.group(1)), int(m.group(2)), int(m.group(3)))
            break
    if published is None:
        published = report.__dict__.get("published")
    if published is None:
        return
    deadline = _deadline(report.agency or "", report.year)
    if deadline is not None and published > deadline:
        yield finding(rule, {"published": published.isoformat(), "deadline": deadline.isoformat()})


_GOVERNMENT = re.compile(r"人民政府$|管委会$|管理委员会$|实验区$|新区$|开发区$|自治[州县旗]$|[省市县区旗盟]$")
_DEPARTMENT = re.compile(r"(局|厅|委员会|委|办公室|办公厅|中心|院|站|所|处|队|署|会)$")
_TOWNSHIP = re.compile(r"[乡镇]人民政府$|街道|乡$|镇$")


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
