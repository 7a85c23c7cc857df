"""HTML findings for the people who fix a report: one self-contained page, printable, no scripts.

The page is rendered with Jinja2 from ``templates/findings.html.j2``; the part for one report is the macro
``report`` in ``templates/_report.html.j2`` (batch review reuses it through :func:`render_report`). This module
builds plain view objects for the templates: the header (agency, year, edition, verdict, counts), the findings
most severe first with their place in the template's own words, the six-section outline, and the three tables
redrawn in the template's layout (labels and row nesting from ``checker/writers/template.py``) with the values
read from the document. Cells involved in a finding link to it and the finding links back to the cell.

Everything that comes from the document goes through Jinja's autoescaping; nothing here marks text as safe.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from .. import __version__, ids, layout
from ..findings import SEVERITY_ORDER
from ..output import ocr_banner
from ..templating import environment
from ..words import table_name
from . import RuleInfo, display_path, plain, show, sort_findings

if TYPE_CHECKING:
    from ..extract import Report
    from ..findings import Finding
    from . import Results

SEVERITY_LABELS = {"error": "错误", "warning": "警告", "info": "提示"}
EDITION_LABELS = {
    "2021": "2021年版格式（国办公开办函〔2021〕30号）",
    "2019": "2019年试行格式（国办公开办函〔2019〕60号）",
    "legacy": "2019年《条例》修订前的旧格式",
    "unknown": "未识别",
}
SECTION_KEYS = layout.SECTION_KEYS
SECTION_TABLES = {"二": "active", "三": "applications", "四": "review"}
TABLE_SECTIONS = {table: section for section, table in SECTION_TABLES.items()}
# One name per table everywhere a person reads it: by the section it stands in (checker.words.table_name).
TABLE_NAMES = {table: table_name(table) for table in ("active", "applications", "review")}
_PLACEHOLDER = re.compile(r"\{[a-z_][a-z0-9_.]*\}")
_UNSAFE_ID = re.compile(r"[^A-Za-z0-9_-]")


# -- entry points ----------------------------------------------------------------------------------------------


def render(results: Results, rules: Mapping[str, RuleInfo], color: bool = False) -> str:
    """The whole page: a summary of the run and one section per report."""
    views = [report_view(report, findings, rules, index) for index, (report, findings) in enumerate(results, 1)]
    return render_views(views)


def render_views(views: list[ReportView]) -> str:
    """The whole page from report views already built (``xxgk serve`` builds them in its worker processes)."""
    page = {
        "reports": views,
        "files": len(views),
        "publishable": sum(1 for v in views if v.publishable),
        "unchecked": sum(1 for v in views if v.verdict == "未能完整检查"),
        "version": __version__,
        "title": _page_title(views),
    }
    return environment().get_template("findings.html.j2").render(page=page)


def render_report(report: Report, findings: list[Finding], rules: Mapping[str, RuleInfo], index: int = 1) -> str:
    """The part of the page for one report (an HTML fragment; the page's CSS is ``templates/_findings.css``)."""
    template = environment().get_template("_report.html.j2")
    return str(template.module.report(report_view(report, findings, rules, index)))  # type: ignore[attr-defined]


def _page_title(views: list[ReportView]) -> str:
    if len(views) == 1:
        v = views[0]
        name = " ".join(str(x) for x in (v.agency, f"{v.year}年度" if v.year else None) if x) or v.path
        return f"检查结果：{name}"
    return f"检查结果：{len(views)} 份报告"


# -- view objects ----------------------------------------------------------------------------------------------


@dataclass
class Mark:
    """A link from a cell to a finding."""

    number: int
    anchor: str
    severity: str
    primary: bool


@dataclass
class Cell:
    text: str
    kind: str  # "head" (header, caption, row label) | "value"
    rowspan: int = 1
    colspan: int = 1
    anchor: str | None = None
    state: str = ""  # value cells: "ok" | "blank" | "unread" | "text" | "conflict"
    title: str = ""  # tooltip: which cell this is
    marks: list[Mark] = field(default_factory=list)
    correction: str | None = None  # the value a finding expects here, shown in place: 11→10

    @property
    def css(self) -> str:
        classes = [self.kind]
        if self.state:
            classes.append(self.state)
        primary = [m for m in self.marks if m.primary]
        if primary:
            worst = max(primary, key=lambda m: SEVERITY_ORDER.get(m.severity, 0))
            classes += ["hit", f"hit-{worst.severity}"]
        elif self.marks:
            classes.append("related")
        return " ".join(classes)


@dataclass
class Table:
    key: str
    name: str
    section: str
    anchor: str
    present: bool
    rows: list[list[Cell]] = field(default_factory=list)
    wide: bool = False


@dataclass
class Place:
    label: str
    text: str


@dataclass
class FindingView:
    number: int
    anchor: str
    rule: str
    title: str
    severity: str
    severity_label: str
    message: str
    places: list[Place]
    source: str | None
    expected: str | None
    actual: str | None
    fix: str
    basis: str
    target: str | None  # anchor of the cell (or row, table, outline entry) the finding is about
    target_label: str
    related: list[tuple[str, str]]  # (anchor, label) of the other cells involved


@dataclass
class OutlineEntry:
    key: str
    heading: str
    found: bool
    written: str | None
    where: str | None
    anchor: str
    marks: list[Mark] = field(default_factory=list)


@dataclass
class ReportView:
    index: int
    prefix: str
    path: str
    format: str
    edition: str
    edition_label: str
    year: int | None
    agency: str | None
    title: str | None
    readable: bool
    counts: dict[str, int]
    findings: list[FindingView]
    outline: list[OutlineEntry]
    order: list[str]
    order_ok: bool
    tables: list[Table]
    tables_note: str | None
    ocr: str | None = None  # the banner of a report read from page images by OCR (output.OCR_BANNER)

    @property
    def fully_checked(self) -> bool:
        """False when cells could not be read from the file (P005): what was not read was not checked."""
        return self.readable and not any(f.rule == ids.CELLS_UNREADABLE for f in self.findings)

    @property
    def publishable(self) -> bool:
        # Never 可以发布 for a report whose cells were partly unread: the unread cells may hold the error.
        return self.counts["error"] == 0 and self.fully_checked

    @property
    def verdict(self) -> str:
        if self.counts["error"] or not self.readable:
            return "需要修改"
        return "可以发布" if self.fully_checked else "未能完整检查"


def report_view(report: Report, findings: list[Finding], rules: Mapping[str, RuleInfo], index: int = 1) -> ReportView:
    prefix = f"r{index}"
    edition = report.edition if report.edition in layout.EDITIONS else None
    ordered = sort_findings(findings)
    counts = {s: sum(1 for f in ordered if f.severity == s) for s in ("error", "warning", "info")}
    tables = _tables(report, edition, prefix) if edition else []
    cells = {c.anchor: c for t in tables for row in t.rows for c in row if c.anchor}
    outline = _outline(report, prefix)
    by_section = {e.key: e for e in outline}
    views = []
    for number, f in enumerate(ordered, 1):
        anchor = f"{prefix}-f{number}"
        location = _located(f)
        target, target_label = _target(location, prefix, cells, tables, by_section)
        if target in cells:
            cells[target].marks.append(Mark(number, anchor, f.severity, True))
            if f.expected is not None and cells[target].correction is None and cells[target].state in ("ok", "blank"):
                cells[target].correction = show(plain(f.expected))
        section_entry = by_section.get(str(location.get("section") or ""))
        if section_entry is not None and not location.get("table"):
            section_entry.marks.append(Mark(number, anchor, f.severity, True))
        related = []
        for loc in f.related or ():
            rel = _cell_anchor(loc, prefix)
            if rel and rel in cells and rel != target:
                if not any(m.anchor == anchor for m in cells[rel].marks):
                    cells[rel].marks.append(Mark(number, anchor, f.severity, False))
                related.append((rel, _cell_words(loc, edition)))
        view = _finding_view(f, location, number, anchor, rules, edition, target, target_label, related, report.format)
        views.append(view)
    order = [k for k in dict.fromkeys(report.sections) if k in SECTION_KEYS]
    return ReportView(
        index=index,
        prefix=prefix,
        path=display_path(report.path),
        format=report.format,
        edition=report.edition,
        edition_label=EDITION_LABELS.get(report.edition, report.edition),
        year=report.year,
        agency=report.agency,
        title=report.title,
        readable=report.readable,
        counts=counts,
        findings=views,
        outline=outline,
        order=order,
        order_ok=order == sorted(order, key=SECTION_KEYS.index),
        tables=tables,
        tables_note=_tables_note(report),
        ocr=ocr_banner(report),
    )


def _tables_note(report: Report) -> str | None:
    if not report.readable:
        return "文件无法读取，没有可显示的表格。"
    if report.edition == "legacy":
        return "这是2019年《条例》修订前格式的报告，不按现行模板的表格显示。"
    if report.edition not in layout.EDITIONS:
        return "未能确定报告使用的模板版本，表格无法按模板重绘。"
    return None


def _located(f: Finding) -> dict[str, Any]:
    """The finding's location with its table filled in where the reader left it out but it is plain: a 第二十条
    block is in 表二; a table-shape finding (S2xx) at a table cell of a section with a table is in that table."""
    location = dict(f.location)
    if location.get("table"):
        return location
    if location.get("block"):
        location["table"] = "active"
    elif location.get("section") in SECTION_TABLES and (location.get("cell") or f.rule.startswith("S2")):
        location["table"] = SECTION_TABLES[location["section"]]
    return location


def _finding_view(
    f: Finding,
    location: dict[str, Any],
    number: int,
    anchor: str,
    rules: Mapping[str, RuleInfo],
    edition: str | None,
    target: str | None,
    target_label: str,
    related: list[tuple[str, str]],
    fmt: str = "",
) -> FindingView:
    rule = rules.get(f.rule)
    has_value = f.expected is not None or f.actual is not None
    return FindingView(
        number=number,
        anchor=anchor,
        rule=f.rule,
        title=getattr(rule, "title", "") or "",
        severity=f.severity,
        severity_label=SEVERITY_LABELS.get(f.severity, f.severity),
        message=f.message,
        places=_places(location, edition),
        source=_source_words(location, fmt),
        expected=show(plain(f.expected)) if f.expected is not None else None,
        actual=show(plain(f.actual)) if has_value else None,
        fix=_fill(getattr(rule, "fix", "") or "", location),
        basis=getattr(rule, "basis", "") or "",
        target=target,
        target_label=target_label,
        related=related,
    )


def _fill(text: str, location: Mapping[str, Any]) -> str:
    """A rule's fix hint with the placeholders it shares with the message filled from the finding's place."""
    section = location.get("section")
    table = location.get("table")
    if section is None and table in TABLE_SECTIONS:
        section = TABLE_SECTIONS[table]
    fields = {
        "{title}": _section_heading(section) if section in SECTION_KEYS else "",
        "{table_name}": TABLE_NAMES.get(table or "", ""),
    }
    for key, value in fields.items():
        if value:
            text = text.replace(key, value)
    return _PLACEHOLDER.sub("…", text)


# -- labels: the template's own words ----------------------------------------------------------------------------


def _label(kinds: str | tuple[str, ...], key: str, edition: str | None) -> str:
    from ..labels import label

    for ed in (edition, *layout.EDITIONS) if edition else ("2021", "2019"):
        if ed is None:
            continue
        try:
            return label(kinds, key, ed)
        except KeyError:
            continue
    return key


def _section_heading(key: str) -> str:
    from ..labels import section_heading

    try:
        return section_heading(key)
    except KeyError:
        return key


def _row_words(table: str, row: str, edition: str | None) -> str:
    """A row as the template names it, with the labels it nests in (三、本年度办理结果 › （三）不予公开 › 1.…)."""
    if table == "applications":
        from ..writers import template as t

        for app_row in t.app_rows(edition or "2021") if (edition or "2021") in layout.EDITIONS else ():
            if app_row.key == row:
                return " › ".join(p for p in (app_row.top, app_row.group, app_row.leaf) if p)
        return _label(("APP_ROW", "APP_GROUP"), row, edition)
    if table == "review":
        if row == "review":
            return _label("REVIEW_GROUP", "review", edition)
        return f"{_label('REVIEW_GROUP', 'litigation', edition)} › {_label('REVIEW_GROUP', row, edition)}"
    return _label("ACTIVE_ROW", row, edition)


def _column_words(table: str, column: str, edition: str | None) -> str:
    if table == "applications":
        name = _label(("APP_COL", "TOTAL"), column, edition)
        if column in layout.APPLICANT_COLUMNS[1:]:
            return f"{_label('APP_HDR', 'legal_persons', edition)} › {name}"
        return name
    if table == "review":
        return _label(("REVIEW_COL", "TOTAL"), column, edition)
    return _label("ACTIVE_COL", column, edition)


def _places(location: Mapping[str, Any], edition: str | None) -> list[Place]:
    out = []
    table = location.get("table")
    section = location.get("section") or TABLE_SECTIONS.get(table or "")
    if section:
        out.append(Place("部分", _section_heading(section)))
    if table:
        out.append(Place("表格", TABLE_NAMES.get(table, table)))
    if location.get("block"):
        out.append(Place("栏目", _label("BLOCK", location["block"], edition)))
    if location.get("row") and table:
        out.append(Place("行", _row_words(table, location["row"], edition)))
    if location.get("column") and table:
        out.append(Place("列", _column_words(table, location["column"], edition)))
    return out


def _cell_words(location: Mapping[str, Any], edition: str | None) -> str:
    table = location.get("table") or ""
    parts = []
    if location.get("block"):
        parts.append(_label("BLOCK", location["block"], edition))
    if location.get("row"):
        parts.append(f"“{_row_words(table, location['row'], edition).split(' › ')[-1]}”行")
    if location.get("column"):
        parts.append(f"“{_column_words(table, location['column'], edition).split(' › ')[-1]}”列")
    return "".join(parts) or TABLE_NAMES.get(table, table)


_CELL_ADDRESS = re.compile(r"^T(\d+)!([A-Z]+)(\d+)$")


def _source_words(location: Mapping[str, Any], fmt: str = "") -> str | None:
    """Where in the file, as a person looks for it: 第 57 行, 第 3 页第 10 行, 第三部分表格第 12 行. A DOCX
    paragraph number is not given (Word never shows it), nor the raw cell address (that is for machines)."""
    parts = []
    if location.get("page") is not None:
        parts.append(f"第 {location['page']} 页")
    if location.get("line") is not None and fmt != "docx":
        parts.append(f"第 {location['line']} 行")
    cell = location.get("cell")
    m = _CELL_ADDRESS.match(str(cell)) if cell else None
    if m and location.get("line") is None:
        table = location.get("table")
        name = table_name(table) if table in TABLE_SECTIONS else "表格"
        parts.append(f"{name}第 {m[3]} 行")
    return "".join(parts) or None


# -- anchors ----------------------------------------------------------------------------------------------------


def _anchor(*parts: str) -> str:
    return "-".join(_UNSAFE_ID.sub("_", p) for p in parts)


def _cell_anchor(location: Mapping[str, Any], prefix: str) -> str | None:
    table, row, column = location.get("table"), location.get("row"), location.get("column")
    if not (table and row and column):
        return None
    if table == "active":
        if not location.get("block"):
            return None
        return _anchor(prefix, "c", table, location["block"], row, column)
    return _anchor(prefix, "c", table, row, column)


def _row_anchor(table: str, block: str | None, row: str, prefix: str) -> str:
    return _anchor(prefix, "row", table, *([block] if block else []), row)


def _target(
    location: Mapping[str, Any],
    prefix: str,
    cells: Mapping[str, Cell],
    tables: list[Table],
    outline: Mapping[str, OutlineEntry],
) -> tuple[str | None, str]:
    """The most precise drawn place a finding points to: its cell, its row, its table, or its section."""
    anchor = _cell_anchor(location, prefix)
    if anchor in cells:
        return anchor, "在表中查看此单元格"
    table, row = location.get("table"), location.get("row")
    if table and row:
        anchor = _row_anchor(table, location.get("block"), row, prefix)
        if anchor in cells:
            return anchor, "在表中查看此行"
    if table == "active" and location.get("block"):
        anchor = _anchor(prefix, "b", location["block"])
        if anchor in cells:
            return anchor, "在表中查看此栏目"
    for t in tables:
        if t.key == table:
            return t.anchor, "查看此表"
    section = location.get("section") or TABLE_SECTIONS.get(table or "")
    if section in outline:
        return outline[section].anchor, "查看报告结构"
    return None, ""


# -- outline ------------------------------------------------------------------------------------------------------


def _outline(report: Report, prefix: str) -> list[OutlineEntry]:
    written: dict[str, Any] = {}
    for key, tok in report.parsed.sections if report.parsed else ():
        written.setdefault(key, tok)
    out = []
    for key in SECTION_KEYS:
        tok = written.get(key)
        text = " ".join(tok.text.split()) if tok is not None else None
        where = _source_words({"line": tok.source.line, "page": tok.source.page}, report.format) if tok else None
        out.append(
            OutlineEntry(
                key=key,
                heading=_section_heading(key),
                found=key in report.sections,
                written=text,
                where=where,
                anchor=_anchor(prefix, "s", str(SECTION_KEYS.index(key) + 1)),
            )
        )
    return out


# -- the three tables ----------------------------------------------------------------------------------------------


def _tables(report: Report, edition: str, prefix: str) -> list[Table]:
    present = set(report.parsed.tables) if report.parsed else set()
    present |= {path[0] for path in report.cells}
    conflicts = report.parsed.conflicts if report.parsed else set()
    out = []
    for key in ("active", "applications", "review"):
        section = TABLE_SECTIONS[key]
        table = Table(
            key=key,
            name=TABLE_NAMES[key],
            section=_section_heading(section),
            anchor=_anchor(prefix, "t", key),
            present=key in present,
            wide=key == "review",
        )
        if table.present:
            table.rows = _rows(report, edition, key, prefix, conflicts)
        out.append(table)
    return out


def _value(report: Report, path: tuple[str, ...], prefix: str, conflicts: set, title: str, colspan: int = 1) -> Cell:
    location = {"table": path[0], "row": path[-2], "column": path[-1]}
    if path[0] == "active":
        location["block"] = path[1]
    anchor = _cell_anchor(location, prefix)
    cell = report.cells.get(path)
    if cell is None:
        return Cell("未读取", "value", colspan=colspan, anchor=anchor, state="unread", title=title)
    value = cell.value
    if value.blank:
        return Cell("空", "value", colspan=colspan, anchor=anchor, state="blank", title=title)
    text = " ".join(str(value.raw).split())
    if value.is_text:
        return Cell(text, "value", colspan=colspan, anchor=anchor, state="text", title=title)
    state = "conflict" if path in conflicts else "ok"
    return Cell(text, "value", colspan=colspan, anchor=anchor, state=state, title=title)


def _rows(report: Report, edition: str, table: str, prefix: str, conflicts: set) -> list[list[Cell]]:
    """The table's grid in the template's layout: block captions and row labels carry the anchors that findings
    link to, value cells show what was read from the document."""
    from ..writers import template as t

    rows: list[list[Cell]] = []
    for slots in t.grid(table, edition):
        cells: list[Cell] = []
        for slot in slots:
            if slot.kind == "value" and slot.path:
                cells.append(_value(report, slot.path, prefix, conflicts, slot.title, slot.colspan))
                continue
            anchor = None
            if slot.kind == "label" and slot.path:  # (table, [block,] row)
                block = slot.path[1] if len(slot.path) > 2 else None
                anchor = _row_anchor(slot.path[0], block, slot.path[-1], prefix)
            elif slot.path:  # a 表二 block caption
                anchor = _anchor(prefix, "b", slot.path[-1])
            cells.append(Cell(slot.text, "head", slot.rowspan, slot.colspan, anchor=anchor))
        rows.append(cells)
    return rows
