"""The template's structure as the writers lay it out: headings, table rows with their nesting, and values.

Labels come from the vocabulary (grammars/labels.yaml), so that what the writers print is exactly what the
readers recognise as the template's own wording. Every writer renders the same pieces (title, preamble, six
sections, three tables); only the layout differs per format.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from decimal import Decimal
from typing import Literal

from .. import layout
from ..labels import label, section_heading
from .data import CellPath, ReportData, Value

# Neutral facts and the wording API, kept importable from here for the writers' callers.
SECTION_KEYS = layout.SECTION_KEYS
SECTION_TABLES = layout.SECTION_TABLES

TEMPLATE_NAMES = {
    "2019": "《中华人民共和国政府信息公开工作年度报告格式（试行）》",
    "2021": "《中华人民共和国政府信息公开工作年度报告格式》",
}


def title(data: ReportData) -> str:
    return f"{data.agency}{data.year}年政府信息公开工作年度报告"


# -- 二、主动公开政府信息情况 ---------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class ActiveBlock:
    key: str
    caption: str  # 第二十条第（一）项
    columns: tuple[tuple[str, str], ...]  # (column key, header label)
    rows: tuple[tuple[str, str], ...]  # (row key, row label)


def active_blocks(edition: str) -> list[ActiveBlock]:
    blocks = []
    for block, (rows, cols) in layout.ACTIVE[edition].items():
        blocks.append(
            ActiveBlock(
                key=block,
                caption=label("BLOCK", block, edition),
                columns=tuple((c, label("ACTIVE_COL", c, edition)) for c in cols),
                rows=tuple((r, label("ACTIVE_ROW", r, edition)) for r in rows),
            )
        )
    return blocks


def active_width(edition: str) -> int:
    """Grid columns of the 表二 grid: the row label plus the widest block."""
    return 1 + max(len(cols) for _, cols in layout.ACTIVE[edition].values())


def info_header(edition: str) -> str:
    return label("INFO_HDR", "info", edition)


# -- 三、收到和处理政府信息公开申请情况 ------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class AppRow:
    """One number row of 表三 and the labels it nests in.

    ``top`` is 三、本年度办理结果 for the outcome rows, ``group`` the （三）/（四）/（五）/（六） caption of a row
    that has one; ``leaf`` the row's own label. ``leaf`` is None for the 2021 （六） caption: it has no row of
    its own and never appears here.
    """

    key: str
    top: str | None
    group: str | None
    leaf: str


_GROUPED = {
    "results.denied": "results.denied",
    "results.unavailable": "results.unavailable",
    "results.not_processed": "results.not_processed",
}


def app_rows(edition: str) -> list[AppRow]:
    top = label("APP_GROUP", "results", edition)
    out = []
    for key in layout.APP_ROWS[edition]:
        if not key.startswith("results."):
            out.append(AppRow(key, None, None, label("APP_ROW", key, edition)))
            continue
        parent = key.rsplit(".", 1)[0]
        if parent in _GROUPED:
            group = label("APP_GROUP", parent, edition)
        elif parent == "results.other":  # 2021: （六）其他处理 captions its three sub-rows
            group = label("APP_ROW", "results.other", edition)
        else:
            group = None
        out.append(AppRow(key, top, group, label("APP_ROW", key, edition)))
    return out


def app_note(edition: str) -> str:
    return label("APP_NOTE", "note", edition)


def app_headers(edition: str) -> tuple[str, str]:
    """(申请人情况, 法人或其他组织)."""
    return label("APP_HDR", "applicants", edition), label("APP_HDR", "legal_persons", edition)


def app_columns(edition: str) -> list[tuple[str, str]]:
    return [(c, label(("APP_COL", "TOTAL"), c, edition)) for c in layout.APP_COLUMNS]


# -- 四、政府信息公开行政复议、行政诉讼情况 -----------------------------------------------------------------------


def review_labels(edition: str) -> dict[str, str]:
    keys = ("review", "litigation", "litigation_direct", "litigation_after_review")
    out = {k: label("REVIEW_GROUP", k, edition) for k in keys}
    for col in layout.REVIEW_COLUMNS:
        out[col] = label(("REVIEW_COL", "TOTAL"), col, edition)
    return out


# -- the tables as grids -------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Slot:
    """One cell of a table's grid as the template lays it out, merged cells included; each writer maps it to its
    own cell type.

    ``kind`` is "head" for a header, caption or group label, "label" for a number row's own label and "value" for
    a number cell. ``path`` is the number cell's path for a value, the row's (table, [block,] row) for a label and
    the block's (table, block) for a 表二 block caption; None for other heads. ``title`` names a value cell in the
    template's words (row × column).
    """

    kind: Literal["head", "label", "value"]
    text: str = ""
    rowspan: int = 1
    colspan: int = 1
    path: CellPath | None = None
    title: str = ""


Grid = list[list[Slot]]


def grid(table: str, edition: str) -> Grid:
    """The grid of "active" (表二), "applications" (表三) or "review" (表四)."""
    return {"active": active_grid, "applications": applications_grid, "review": review_grid}[table](edition)


def active_grid(edition: str) -> Grid:
    """表二: per block a caption row over the whole width, a header row and its number rows; the last value
    column of a block spans what its narrower blocks leave over."""
    width = active_width(edition)
    rows: Grid = []
    for block in active_blocks(edition):
        spans = [1] * (len(block.columns) - 1) + [width - len(block.columns)]
        rows.append([Slot("head", block.caption, colspan=width, path=("active", block.key))])
        header = [Slot("head", text, colspan=span) for (_, text), span in zip(block.columns, spans, strict=True)]
        rows.append([Slot("head", info_header(edition)), *header])
        for row, row_label in block.rows:
            cells = [Slot("label", row_label, path=("active", block.key, row))]
            for (col, col_label), span in zip(block.columns, spans, strict=True):
                path = ("active", block.key, row, col)
                cells.append(Slot("value", colspan=span, path=path, title=f"{block.caption} {row_label} × {col_label}"))
            rows.append(cells)
    return rows


def applications_grid(edition: str) -> Grid:
    """表三: the 3×3 note, 申请人情况, 自然人 and 总计 over two rows, 法人或其他组织 over five columns; then the
    number rows, 三、本年度办理结果 spanning the outcome rows and （三）/（四）/（五）/（六） their reasons."""
    applicants, legal_persons = app_headers(edition)
    columns = dict(app_columns(edition))
    rows: Grid = [
        [Slot("head", app_note(edition), rowspan=3, colspan=3), Slot("head", applicants, colspan=7)],
        [
            Slot("head", columns["natural_person"], rowspan=2),
            Slot("head", legal_persons, colspan=5),
            Slot("head", columns["total"], rowspan=2),
        ],
        [Slot("head", columns[c]) for c in layout.APPLICANT_COLUMNS[1:]],
    ]
    number_rows = app_rows(edition)
    top_span = sum(1 for r in number_rows if r.top)
    group_spans: dict[str, int] = {}
    for r in number_rows:
        if r.group:
            group_spans[r.group] = group_spans.get(r.group, 0) + 1
    previous_top = previous_group = None
    for r in number_rows:
        cells: list[Slot] = []
        row_path = ("applications", r.key)
        if r.top is None:
            cells.append(Slot("label", r.leaf, colspan=3, path=row_path))
        else:
            if r.top != previous_top:
                cells.append(Slot("head", r.top, rowspan=top_span))
            if r.group is None:
                cells.append(Slot("label", r.leaf, colspan=2, path=row_path))
            else:
                if r.group != previous_group:
                    cells.append(Slot("head", r.group, rowspan=group_spans[r.group]))
                cells.append(Slot("label", r.leaf, path=row_path))
        previous_top, previous_group = r.top, r.group
        for col in layout.APP_COLUMNS:
            cells.append(Slot("value", path=("applications", r.key, col), title=f"{r.leaf} × {columns[col]}"))
        rows.append(cells)
    return rows


def review_grid(edition: str) -> Grid:
    """表四: 行政复议 and 行政诉讼 over three header rows, then one row of its 15 numbers."""
    labels = review_labels(edition)
    width = len(layout.REVIEW_COLUMNS)
    results = [labels[c] for c in layout.REVIEW_COLUMNS]
    groups = {
        "review": labels["review"],
        "litigation_direct": f"{labels['litigation']}（{labels['litigation_direct']}）",
        "litigation_after_review": f"{labels['litigation']}（{labels['litigation_after_review']}）",
    }
    return [
        [Slot("head", labels["review"], colspan=width), Slot("head", labels["litigation"], colspan=2 * width)],
        [
            *(Slot("head", text, rowspan=2) for text in results),
            Slot("head", labels["litigation_direct"], colspan=width),
            Slot("head", labels["litigation_after_review"], colspan=width),
        ],
        [Slot("head", text) for text in results * 2],
        [
            Slot("value", path=("review", g, c), title=f"{groups[g]} × {labels[c]}")
            for g in layout.REVIEW_ROWS
            for c in layout.REVIEW_COLUMNS
        ],
    ]


# -- values -------------------------------------------------------------------------------------------------


def format_value(path: CellPath, value: Value, edition: str, blank: str = "") -> str:
    """A cell as a report writes it: signed 本年增/减, decimals without exponent, 2019 amounts in 元."""
    if value is None:
        return blank
    column = path[-1]
    text = format(value, "f") if isinstance(value, Decimal) else str(value)
    if column in layout.SIGNED_COLUMNS and value > 0:
        text = "+" + text
    if column == "amount" and edition == "2019":
        text += "元"  # 采购总金额 has no unit in its header: reports write it into the cell
    return text


def cell(data: ReportData, path: CellPath, blank: str = "") -> str:
    return format_value(path, data.values.get(path), data.edition, blank)


# -- narrative ----------------------------------------------------------------------------------------------


def preamble(data: ReportData) -> str:
    return (
        f"本报告根据《中华人民共和国政府信息公开条例》（以下简称《条例》）和{TEMPLATE_NAMES[data.edition]}"
        "要求编制，全文包括总体情况、主动公开政府信息情况、收到和处理政府信息公开申请情况、"
        "政府信息公开行政复议和行政诉讼情况、存在的主要问题及改进情况、其他需要报告的事项。"
        f"本报告中所列数据统计期限为{data.year}年1月1日至{data.year}年12月31日。"
    )


def _count(data: ReportData, path: CellPath) -> int | None:
    value = data.values.get(path)
    return value if isinstance(value, int) else None


def default_paragraphs(data: ReportData, section: str) -> list[str]:
    """Short narrative for a section, consistent with the tables (counts quoted are the tables' own)."""
    agency = data.agency
    if section == "一":
        received = _count(data, ("applications", "received_new", "total"))
        applications = f"全年新收政府信息公开申请{received}件，" if received is not None else ""
        return [
            f"{data.year}年，{agency}深入贯彻落实《条例》，围绕主动公开、依申请公开、政府信息管理、"
            "政府信息公开平台建设和监督保障等方面推进政府信息公开工作。",
            f"依申请公开方面，{applications}均在法定期限内答复。政府信息管理方面，严格执行公开前保密审查。"
            "监督保障方面，工作考核、社会评议和责任追究结果情况：政府信息公开工作已纳入年度绩效考核，"
            "组织开展了社会评议，全年未发生责任追究情形。",
        ]
    if section == "二":
        return [f"{data.year}年主动公开政府信息情况如下表。"]
    if section == "三":
        return [f"{data.year}年收到和处理政府信息公开申请情况如下表。"]
    if section == "四":
        return [f"{data.year}年政府信息公开行政复议、行政诉讼情况如下表。"]
    if section == "五":
        return [
            "存在的主要问题是政策解读形式较为单一，部分栏目更新不够及时。",
            "针对上一年度报告提出的问题，已建立栏目更新台账。下一步将丰富图表、音视频等解读形式，"
            "加强工作人员业务培训，提高政府信息公开工作质量。",
        ]
    if section == "六":
        return [f"本年度{agency}未收取信息处理费。无其他需要报告的事项。"]
    raise KeyError(section)


def paragraphs(data: ReportData, section: str) -> list[str]:
    if data.paragraphs is not None and section in data.paragraphs:
        return list(data.paragraphs[section])
    return default_paragraphs(data, section)


@dataclass(frozen=True, slots=True)
class Section:
    key: str
    heading: str | None  # None: the heading is left out (a faulty draft)
    paragraphs: tuple[str, ...]
    table: str | None  # "active" | "applications" | "review"


def sections(data: ReportData) -> Iterator[Section]:
    for key in SECTION_KEYS:
        heading = None if key in data.omit_headings else section_heading(key)
        yield Section(key, heading, tuple(paragraphs(data, key)), SECTION_TABLES.get(key))
