"""Annotate a Word draft: read and check it, then write a copy with every finding as a Word comment.

:func:`annotate_file` is the whole job for one file (``xxgk annotate``, and the web page's download);
:func:`annotate_docx` writes the comments into DOCX bytes for a report already checked. The copy differs from
the draft only by comments and cell shading: the body's text, numbering, styles, headers and footers are the
draft's own. xxgk's comments of an earlier run are replaced, everyone else's are kept.
"""

from __future__ import annotations

import io
import os
import shutil
import tempfile
from collections.abc import Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from ..findings import SEVERITY_ORDER
from ..model import Document, ReadError

if TYPE_CHECKING:
    from lxml import etree

    from ..extract import Report
    from ..findings import Finding
    from ..formats import RuleInfo
    from ..rule import Rule
    from .places import BodyMap

# How a format that cannot carry Word comments is named in the one-line refusal.
_FORMAT_NAMES = {
    "pdf": "PDF 文件",
    "html": "网页（HTML）",
    "txt": "文本文件",
    "md": "Markdown 文件",
    "image": "页面图片",
}


class NotAnnotatable(Exception):
    """The file cannot be annotated at all; the message is one Chinese line (the CLI exits 2)."""


@dataclass
class Annotated:
    report: Report
    findings: list[Finding]
    data: bytes | None = None  # the annotated copy; None when the report could not be read
    comments: int = 0  # comments written (the summary comment on the title counts as one)
    summarised: int = 0  # findings without a place of their own, gathered in the summary comment


def annotate_file(
    path: str,
    rules: Mapping[str, Rule],
    enabled: set[str] | None = None,
    edition: str | None = None,
    year: int | None = None,
    ocr: str = "auto",
) -> Annotated:
    """Read, check and annotate one draft. Raises :class:`NotAnnotatable` for a file that is not a Word
    document (or a .doc/.wps that cannot be converted); an unreadable Word file gives ``data=None`` and the
    reading finding, as ``check`` reports it."""
    from ..engine import check_report
    from ..extract import extract_path
    from ..readers import EXTENSIONS, MAX_BYTES, sniff

    try:
        if os.path.getsize(path) > MAX_BYTES:
            raise NotAnnotatable(f"文件过大（上限 {MAX_BYTES // 1024 // 1024} MB），不是一份年度报告")
        with open(path, "rb") as fh:
            data = fh.read()
    except OSError as exc:
        raise NotAnnotatable(f"无法读取文件：{exc.strerror or exc}") from None
    fmt = sniff(data) or EXTENSIONS.get(os.path.splitext(path)[1].lower(), "txt")
    if fmt not in ("docx", "doc"):
        name = _FORMAT_NAMES.get(fmt, "该文件")
        raise NotAnnotatable(
            f"{name}无法添加批注，批注只能写入 Word 文档（.docx，或经 LibreOffice 转换的 .doc/.wps）；"
            "请用 xxgk check --format html 查看检查结果"
        )
    if fmt == "doc":
        data = _converted(data, path)
    try:
        if fmt == "docx":
            report = extract_path(path, edition=edition, year=year, ocr=ocr)
        else:
            report = _extract_converted(data, path, edition, year, ocr)
        findings = check_report(report, rules, enabled)
    except Exception as exc:  # a reading or checking bug must still end in one line, not a traceback
        raise NotAnnotatable(f"读取或检查文件时出错（{type(exc).__name__}），未能生成批注") from exc
    if not report.readable:
        return Annotated(report, findings)
    result = annotate_docx(data, report, findings, rules)
    return result


def _converted(data: bytes, path: str) -> bytes:
    """A .doc/.wps as DOCX bytes, through the reader's LibreOffice conversion (refusals worded as there)."""
    from ..readers import doc as doc_reader
    from ..readers import docx as docx_reader

    try:
        if docx_reader.is_encrypted_ole(data):
            raise ReadError(docx_reader.ENCRYPTED_MESSAGE)
        doc_reader._refuse_other_office_files(data)
        ext = os.path.splitext(path)[1].lower() or ".doc"
        kind = doc_reader._KINDS.get(ext, doc_reader._DEFAULT_KIND)
        soffice = shutil.which("soffice") or shutil.which("libreoffice")
        if soffice is None:
            raise ReadError(
                f"{kind}格式需要 LibreOffice 转换：请安装 LibreOffice，或在 Word/WPS 中另存为 .docx 后再批注"
            )
        return doc_reader.convert(soffice, data, ext, kind)
    except ReadError as exc:
        raise NotAnnotatable(str(exc)) from None


def _extract_converted(data: bytes, path: str, edition: str | None, year: int | None, ocr: str = "auto") -> Report:
    """Extract the converted DOCX, reported under the original file's name and format."""
    from ..extract import extract_path

    with tempfile.TemporaryDirectory(prefix="xxgk-annotate-") as tmp:
        converted = os.path.join(tmp, "report.docx")
        with open(converted, "wb") as fh:
            fh.write(data)
        report = extract_path(converted, edition=edition, year=year, ocr=ocr)
    report.path = path
    report.format = "doc"
    if report.document is not None:
        report.document.path, report.document.format = path, "doc"
    return report


def annotate_docx(data: bytes, report: Report, findings: list[Finding], rules: Mapping[str, RuleInfo]) -> Annotated:
    """The DOCX ``data`` (the bytes ``report`` was read from) with ``findings`` as comments."""
    import docx

    try:
        document = docx.Document(io.BytesIO(data))
    except Exception as exc:  # python-docx refuses .docm/.dotx main parts and odd packages in assorted ways
        raise NotAnnotatable(
            f"无法在该文件中添加批注（{type(exc).__name__}），请在 Word/WPS 中另存为 .docx 后再试"
        ) from None
    try:
        return _write(document, report, findings, rules)
    except NotAnnotatable:
        raise
    except Exception as exc:  # a package python-docx opened but cannot write back: one line, not a traceback
        raise NotAnnotatable(
            f"无法在该文件中添加批注（{type(exc).__name__}），请在 Word/WPS 中另存为 .docx 后再试"
        ) from exc


def _write(document: Any, report: Report, findings: list[Finding], rules: Mapping[str, RuleInfo]) -> Annotated:
    from .comments import add_comment, remove_own, shade
    from .places import BodyMap, Placer
    from .wording import comment_text, finding_views, summary_text

    remove_own(document)
    body = BodyMap.of(document.element.body)
    placer = Placer(report, body)
    result = Annotated(report, findings)
    shading: dict[int, tuple[list[etree._Element], str]] = {}
    summary = []
    for finding, view in finding_views(report, findings, rules):
        place = placer.place(finding)
        if place.kind == "title":
            summary.append(view)
            continue
        add_comment(document, place.elements[0], comment_text(view, place.kind == "table", place.note))
        result.comments += 1
        if place.kind == "cell":
            cells, worst = shading.get(id(place.elements[0]), (place.elements, finding.severity))
            if SEVERITY_ORDER.get(finding.severity, 0) > SEVERITY_ORDER.get(worst, 0):
                worst = finding.severity
            shading[id(place.elements[0])] = (cells, worst)
    for cells, severity in shading.values():
        shade(cells, severity)
    if summary:
        counts = {s: sum(1 for f in findings if f.severity == s) for s in ("error", "warning", "info")}
        add_comment(document, _title_anchor(report, body, document), summary_text(summary, counts))
        result.comments += 1
        result.summarised = len(summary)
    out = io.BytesIO()
    document.save(out)
    result.data = out.getvalue()
    return result


def _title_anchor(report: Report, body: BodyMap, document: Any) -> etree._Element:
    """The paragraph holding the report's title (as ``detect`` finds it), else the first paragraph with text,
    else the first paragraph at all."""
    from ..detect import find_title

    blocks = report.document.blocks if report.document is not None else []
    texts = [b for b in blocks[:12] if not b.is_table and b.source.line is not None]
    for block in texts:
        if find_title(Document(path="", format="docx", blocks=[block])):
            found = body.paragraph(block.source.line)
            if found is not None:
                return found
    for block in texts:
        found = body.paragraph(block.source.line)
        if found is not None:
            return found
    if body.paragraphs:
        return body.paragraphs[0]
    return document.add_paragraph()._p  # a body of nothing but empty tables: not a report in practice
