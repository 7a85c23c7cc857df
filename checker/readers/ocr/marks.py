"""Findings on a report read by OCR say so: a misread digit must not be presented as the drafter's error.

A finding on a cell (or relating cells) that was recognised gets the recognition confidence of the least
certain of them; any other finding on such a report notes that the text was read from a scan.
"""

from __future__ import annotations

from typing import Any

CELL_NOTE = "（该数值由文字识别（OCR）从扫描件读取，识别置信度 {:.0%}，请对照原件核实）"
REPORT_NOTE = "（本报告为扫描件，内容由文字识别（OCR）读取，请对照原件核实）"


def mark(findings: list[Any], confidences: dict[str, float]) -> None:
    """Add the OCR note (message) and ``ocr_confidence``/``ocr`` (location) to every finding, in place."""
    for finding in findings:
        cells = [finding.location.get("cell"), *(r.get("cell") for r in finding.related if isinstance(r, dict))]
        known = [confidences[c] for c in cells if c in confidences]
        finding.location["ocr"] = True
        if known:
            confidence = min(known)
            finding.location["ocr_confidence"] = confidence
            finding.message += CELL_NOTE.format(confidence)
        else:
            finding.message += REPORT_NOTE
