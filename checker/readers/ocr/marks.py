"""Findings on a report read by OCR say so: a misread digit must not be presented as the drafter's error.

A finding on a cell (or relating cells) that was recognised gets the recognition confidence of the least
certain of them; any other finding on such a report notes that the text was read from a scan. In a text PDF
with a scanned page only the findings on that page (or its cells) say so.
"""

from __future__ import annotations

from typing import Any

CELL_NOTE = "（该数值由文字识别（OCR）从扫描件读取，识别置信度 {:.0%}，请对照原件核实）"
REPORT_NOTE = "（本报告为扫描件，内容由文字识别（OCR）读取，请对照原件核实）"
PAGE_NOTE = "（第{}页为扫描图片，内容由文字识别（OCR）读取，请对照原件核实）"
PARTLY_NOTE = "（本报告第{}页为扫描图片，内容由文字识别（OCR）读取，请对照原件核实）"


class Confidences(dict):  # type: ignore[type-arg]
    """Cell address → recognition confidence (``Document.ocr``). ``pages``: the pages read by OCR when only
    some were (a scanned page inside a text PDF); None when the whole report was."""

    def __init__(self, cells: dict[str, float], pages: tuple[int, ...] | None = None) -> None:
        super().__init__(cells)
        self.pages = pages


def ocr_pages(confidences: dict[str, float]) -> tuple[int, ...] | None:
    """The pages read by OCR when only some were; None when the whole report was."""
    return getattr(confidences, "pages", None)


def partly_read_note(pages: tuple[int, ...]) -> str:
    shown = "、".join(str(n) for n in pages)
    return f"PDF 第{shown}页没有文字层（扫描图片），已用文字识别（OCR）读取，该页的数值可能有误读，请对照原件核实"


def mark(findings: list[Any], confidences: dict[str, float]) -> None:
    """Add the OCR note (message) and ``ocr_confidence``/``ocr`` (location) to every finding, in place."""
    pages = ocr_pages(confidences)
    for finding in findings:
        cells = [finding.location.get("cell"), *(r.get("cell") for r in finding.related if isinstance(r, dict))]
        known = [confidences[c] for c in cells if c in confidences]
        page = finding.location.get("page")
        if known:
            confidence = min(known)
            finding.location["ocr_confidence"] = confidence
            finding.message += CELL_NOTE.format(confidence)
        elif pages is None:
            finding.message += REPORT_NOTE
        elif page in pages:
            finding.message += PAGE_NOTE.format(page)
        elif page is None:  # about the report as a whole: what was recognised may be why
            finding.message += PARTLY_NOTE.format("、".join(str(n) for n in pages))
        else:
            continue  # a finding on the text layer's pages of a partly scanned PDF: nothing was recognised
        finding.location["ocr"] = True
