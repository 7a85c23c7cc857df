"""Rectification notices (``xxgk batch --letters``): one Word document per agency with findings, and one zip.

The wording is a Jinja template the office can edit (``templates/letters/notice.docx.j2``, or any file given
with ``--letter-template``): it renders to a few line forms (title, heading, table row, right-aligned line,
paragraph; see the template's header) that become a .docx with python-docx. The template decides the words;
this module only lays them out (A4, 仿宋 body, 黑体 headings, a bordered table).

Only reports that count (not copies, X105) and their errors and warnings are listed; an agency with none gets
no letter.
"""

from __future__ import annotations

import io
import os
import re
import time
import zipfile
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from .outputs import Item

DEFAULT_TEMPLATE = "letters/notice.docx.j2"
SEVERITY_LABELS = {"error": "错误", "warning": "警告", "info": "提示"}
_UNSAFE = re.compile(r'[\\/:*?"<>|\x00-\x1f]+')


class LetterTemplateError(ValueError):
    """The letter template cannot be read or has a Jinja error: one line naming the file."""


@dataclass
class Template:
    name: str
    jinja: Any = field(repr=False)


def load_template(path: str | Path | None) -> Template:
    import jinja2

    from ..resources import data_dir

    if path is None:
        folder, name = data_dir("templates"), DEFAULT_TEMPLATE
    else:
        folder, name = Path(path).resolve().parent, Path(path).name
    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader(str(folder)),
        autoescape=False,  # the output is Word text, not HTML
        trim_blocks=True,
        lstrip_blocks=True,
        undefined=jinja2.StrictUndefined,
    )
    env.filters["cell"] = lambda text: str(text).replace("|", "｜").replace("\n", " ")
    try:
        return Template(str(path or name), env.get_template(name))
    except (OSError, jinja2.TemplateError, UnicodeDecodeError) as exc:
        raise LetterTemplateError(f"整改通知模板 {path or name} 无法使用：{exc}") from None


def letter_context(agency: str, items: list[Item], rules: Mapping[str, Any]) -> dict[str, Any]:
    reports = []
    total = 0
    for item in sorted(items, key=lambda i: (i.record.get("year") or 0, i.path)):
        findings = []
        for f in item.findings:
            if f.severity not in ("error", "warning"):
                continue
            rule = rules.get(f.rule)
            loc = f.location or {}
            where = "；".join(
                p
                for p in (
                    f"第{loc['line']}行" if loc.get("line") is not None else "",
                    f"第{loc['page']}页" if loc.get("page") is not None else "",
                    f"单元格 {loc['cell']}" if loc.get("cell") else "",
                )
                if p
            )
            findings.append(
                {
                    "rule": f.rule,
                    "title": getattr(rule, "title", "") or "",
                    "severity": SEVERITY_LABELS.get(f.severity, f.severity),
                    "message": f.message,
                    "where": where,
                    "fix": getattr(rule, "fix", "") or "",
                    "basis": getattr(rule, "basis", "") or "",
                }
            )
        item.forget()  # read back from the store for this letter only
        if not findings:
            continue
        total += len(findings)
        reports.append(
            {
                "year": item.record.get("year") or "（年度未识别）",
                "path": Path(item.path).name,  # the agency knows its file by name, not by the auditor's folders
                "errors": item.counts["error"],
                "warnings": item.counts["warning"],
                "findings": findings,
            }
        )
    years = sorted({str(r["year"]) for r in reports})
    return {
        "agency": agency,
        "reports": reports,
        "total": total,
        "years": "、".join(years) + "年度" if years else "",
        "date": "{0.tm_year}年{0.tm_mon}月{0.tm_mday}日".format(time.localtime()),  # 2024年3月5日, no zeros
    }


def render_docx(text: str) -> bytes:
    """The rendered template's lines as a Word document."""
    from docx import Document
    from docx.enum.text import WD_ALIGN_PARAGRAPH
    from docx.oxml.ns import qn
    from docx.shared import Cm, Pt

    doc = Document()
    section = doc.sections[0]
    section.page_width, section.page_height = Cm(21), Cm(29.7)
    for side in ("left_margin", "right_margin"):
        setattr(section, side, Cm(2.6))
    style = doc.styles["Normal"]
    style.font.size = Pt(12)
    style.font.name = "仿宋"
    style.element.rPr.rFonts.set(qn("w:eastAsia"), "仿宋")
    table_rows: list[list[str]] = []

    def flush_table() -> None:
        if not table_rows:
            return
        width = max(len(r) for r in table_rows)
        table = doc.add_table(rows=0, cols=width)
        table.style = "Table Grid"
        for n, cells in enumerate(table_rows):
            row = table.add_row().cells
            for i, value in enumerate(cells):
                row[i].text = value
                if n == 0:
                    for run in row[i].paragraphs[0].runs:
                        run.bold = True
        table_rows.clear()

    for line in text.splitlines():
        stripped = line.strip()
        if stripped.startswith("|") and stripped.endswith("|") and len(stripped) > 1:
            table_rows.append([c.strip() for c in stripped[1:-1].split("|")])
            continue
        flush_table()
        if not stripped:
            continue
        if stripped.startswith("## "):
            doc.add_heading(stripped[3:].strip(), level=2)
        elif stripped.startswith("# "):
            heading = doc.add_heading(stripped[2:].strip(), level=1)
            heading.alignment = WD_ALIGN_PARAGRAPH.CENTER
        elif stripped.startswith(">>"):
            para = doc.add_paragraph(stripped[2:].strip())
            para.alignment = WD_ALIGN_PARAGRAPH.RIGHT
        else:
            doc.add_paragraph(stripped)
    flush_table()
    buf = io.BytesIO()
    doc.save(buf)
    return buf.getvalue()


def _by_agency(items: Iterable[Item]) -> Iterator[list[Item]]:
    """The counted readable reports of each agency (by its key, else its path), by year and path; agencies in
    the order of their keys. A batch's ledger gives them in that order from its rows, an agency at a time."""
    if hasattr(items, "view"):  # a ledger
        members: list[Item] = []
        for item in items.view("group", "record IS NOT NULL AND duplicate_of IS NULL AND readable = 1"):
            if members and (item.key or item.path) != (members[0].key or members[0].path):
                yield members
                members = []
            members.append(item)
        if members:
            yield members
        return
    by_agency: dict[str, list[Item]] = {}
    for item in sorted(items, key=lambda i: (i.record.get("year") or 0, i.path)):
        if item.counted and item.record.get("readable"):
            by_agency.setdefault(item.key or item.path, []).append(item)
    for key in sorted(by_agency):
        yield by_agency[key]


def write_letters(out: Path, items: list[Item], rules: Mapping[str, Any], template: Template) -> list[Path]:
    """``letters/<机关>-整改通知.docx`` per agency with errors or warnings, and ``letters.zip`` of them all."""
    from .outputs import temp_name, write_atomic

    folder = out / "letters"
    folder.mkdir(exist_ok=True)
    written: list[Path] = []
    for members in _by_agency(items):
        # the latest year's name (an agency may have been renamed)
        agency = next((i.record["agency"] for i in reversed(members) if i.record.get("agency")), "（机关名称未识别）")
        context = letter_context(agency, members, rules)
        if not context["reports"]:
            continue
        try:
            text = template.jinja.render(**context)
        except Exception as exc:  # an edited template with a mistake: one line, not a traceback
            raise LetterTemplateError(f"整改通知模板 {template.name} 出错：{exc}") from None
        stem = _UNSAFE.sub("_", agency).strip(" ._")[:60] or "机关"
        target = folder / f"{stem}-整改通知.docx"
        n = 2
        while target in written:
            target = folder / f"{stem}-{n}-整改通知.docx"
            n += 1
        write_atomic(target, render_docx(text))
        written.append(target)
    keep = {p.name for p in written}
    for old in folder.glob("*.docx"):
        if old.name not in keep:
            old.unlink()
    target = out / "letters.zip"
    tmp = temp_name(target)  # written aside, then renamed: never in memory whole, never half-written in place
    try:
        with zipfile.ZipFile(tmp, "w", zipfile.ZIP_DEFLATED) as zf:
            for path in written:
                zf.write(path, f"整改通知/{path.name}")
        os.replace(tmp, target)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise
    return written
